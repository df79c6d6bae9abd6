package iproute

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

const netnsUsage = `usage: nlctl netns list
       nlctl netns add NAME
       nlctl netns delete NAME
       nlctl netns set NAME NETNSID
       nlctl netns identify [PID]
       nlctl netns pids NAME
       nlctl netns exec NAME CMD [ARGS...]
       nlctl netns list-id [nsid NETNSID]
       nlctl netns attach NAME PID
NETNSID := auto | POSITIVE-INT
Named namespaces are bind mounts in /run/netns, shared with ip netns. Ids are
those the current namespace (-n NETNS) gives its peers.
`

// netnsName reads the one namespace name a command takes.
func netnsName(a *cli.Args) (string, error) {
	if !a.More() {
		return "", cli.Failf("no namespace name")
	}
	name := a.Next()
	if a.More() {
		return "", cli.Failf("unexpected %s after the namespace name", cli.Quote(a.Peek()))
	}
	if err := checkNetnsName(name); err != nil {
		return "", err
	}
	return name, nil
}

// checkNetnsName refuses, as ip does, a name that cannot be a file of
// /run/netns.
func checkNetnsName(name string) error {
	if name == "" || len(name) > 255 || strings.Contains(name, "/") || name == "." || name == ".." {
		return invalidArg("namespace name", name, "a file name of 1 to 255 bytes without '/'")
	}
	return nil
}

// netnsIDs returns, for the named namespaces, the ids the current
// namespace gives them (NoNetNSID when none).
func netnsIDs(x *ipctx, names []string) (map[string]int, error) {
	ids := map[string]int{}
	h, err := x.handle()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		ns, err := netns.OpenName(n)
		if err != nil {
			continue // being deleted, or not a namespace
		}
		id, err := h.NetNSID(x.ctx, ns)
		ns.Close()
		if err != nil {
			continue
		}
		ids[n] = id
	}
	return ids, nil
}

// netnsDirOrder returns the names in /run/netns in the directory's order,
// which is ip's.
func netnsDirOrder() ([]string, error) {
	f, err := os.Open(netns.RunDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// netnsList lists /run/netns as `ip netns list` does, with the ids the
// current namespace gives them.
func netnsList(x *ipctx) error {
	names, err := netnsDirOrder()
	if err != nil {
		return err
	}
	ids, err := netnsIDs(x, names)
	if err != nil {
		return err
	}
	if x.env.JSON {
		j := x.jsonArray()
		for _, n := range names {
			j.Object("")
			j.String("name", n)
			if id, ok := ids[n]; ok && id >= 0 {
				j.Int("id", int64(id))
			}
			j.End()
		}
		j.End()
		return nil
	}
	for _, n := range names {
		if id, ok := ids[n]; ok && id >= 0 {
			fmt.Fprintf(x.out, "%s (id: %d)\n", n, id)
		} else {
			fmt.Fprintln(x.out, n)
		}
	}
	return nil
}

// netnsListID lists the ids the current namespace has assigned, with the
// names of the namespaces they stand for, as `ip netns list-id` does.
func netnsListID(x *ipctx, a *cli.Args) error {
	only := -1
	for a.More() {
		w := cli.Resolve(netnsListIDWords(), a.Next())
		switch w {
		case "nsid":
			v, err := a.Uint(w, 31)
			if err != nil {
				return err
			}
			only = int(v)
		default:
			return cli.Syntaxf("netns list-id: unknown option %s (nsid NETNSID is expected)", cli.Quote(w))
		}
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	list, err := h.ListNetNSIDs(x.ctx)
	if err != nil {
		return err
	}
	names, err := netns.List()
	if err != nil {
		return err
	}
	ids, err := netnsIDs(x, names)
	if err != nil {
		return err
	}
	byID := map[int]string{}
	for n, id := range ids {
		if id >= 0 {
			byID[id] = n
		}
	}
	var j *output.JSON
	j = x.jsonArray()
	for _, id := range list {
		if only >= 0 && id != only {
			continue
		}
		name := byID[id]
		if j != nil {
			j.Object("")
			j.Int("nsid", int64(id))
			if name != "" {
				j.String("name", name)
			}
			j.End()
			continue
		}
		fmt.Fprintf(x.out, "nsid %d", id)
		if name != "" {
			fmt.Fprintf(x.out, " (iproute2 netns name: %s)", name)
		}
		fmt.Fprintln(x.out)
	}
	if j != nil {
		j.End()
	}
	return nil
}

// netnsSet assigns an id to a named namespace, in the current namespace.
func netnsSet(x *ipctx, a *cli.Args) error {
	name, idArg := a.Next(), a.Next()
	if name == "" || idArg == "" || a.More() {
		return cli.Failf("usage: netns set NAME NETNSID")
	}
	if err := checkNetnsName(name); err != nil {
		return err
	}
	id := rtnl.NoNetNSID
	if idArg != "auto" {
		v, err := strconv.ParseUint(idArg, 10, 31)
		if err != nil {
			return invalidArg("netns id", idArg, "auto or a number from 0 to 2147483647")
		}
		id = int(v)
	}
	ns, err := netns.OpenName(name)
	if err != nil {
		return cli.Failf("Cannot open namespace %s: %v", cli.Quote(name), err)
	}
	defer ns.Close()
	h, err := x.handle()
	if err != nil {
		return err
	}
	return h.SetNetNSID(x.ctx, ns, id)
}

// netnsAttach names the namespace of a process, as `ip netns attach NAME
// PID` does.
func netnsAttach(x *ipctx, a *cli.Args) error {
	name, pidArg := a.Next(), a.Next()
	if name == "" || pidArg == "" || a.More() {
		return cli.Failf("usage: netns attach NAME PID")
	}
	pid, err := strconv.Atoi(pidArg)
	if err != nil || pid <= 0 {
		return cli.Failf("Specified string %q is not a pid", pidArg)
	}
	return netns.Attach(name, pid)
}

// netnsIdentify prints the names of the namespace a process (this one by
// default) is in.
func netnsIdentify(x *ipctx, a *cli.Args) error {
	path := "/proc/self/ns/net"
	if a.More() {
		w := a.Next()
		pid, err := strconv.Atoi(w)
		if err != nil || pid <= 0 {
			return cli.Failf("invalid pid %s: a process id is expected", cli.Quote(w))
		}
		path = fmt.Sprintf("/proc/%d/ns/net", pid)
	}
	if a.More() {
		return cli.Failf("netns identify takes one pid")
	}
	target, err := netns.Open(path)
	if err != nil {
		return cli.Failf("Cannot open the namespace of %s: %v", path, err)
	}
	defer target.Close()
	names, err := netns.List()
	if err != nil {
		return err
	}
	for _, n := range names {
		ns, err := netns.OpenName(n)
		if err != nil {
			continue
		}
		if ns.Equal(target) {
			fmt.Fprintln(x.out, n)
		}
		ns.Close()
	}
	return nil
}

// netnsPids prints the processes in a named namespace.
func netnsPids(x *ipctx, a *cli.Args) error {
	name, err := netnsName(a)
	if err != nil {
		return err
	}
	ns, err := netns.OpenName(name)
	if err != nil {
		return cli.Failf("Cannot open namespace %s: %v", cli.Quote(name), err)
	}
	defer ns.Close()
	want, err := ns.ID()
	if err != nil {
		return err
	}
	paths, _ := filepath.Glob("/proc/[0-9]*/ns/net")
	var pids []int
	for _, p := range paths {
		if id, err := netns.PathID(p); err == nil && id == want {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	for _, pid := range pids {
		fmt.Fprintln(x.out, pid)
	}
	return nil
}

// netnsExec runs a command in a named namespace, as `ip netns exec` does:
// the command is started from a thread that has entered the namespace, so
// it and its children live there. Its standard streams are nlctl's. Unlike
// ip, nlctl does not give it a mount namespace of its own with /sys
// remounted and /etc/netns/NAME bound over /etc.
func netnsExec(x *ipctx, a *cli.Args) error {
	name := a.Next()
	if name == "" || !a.More() {
		return cli.Failf("usage: netns exec NAME CMD [ARGS...]")
	}
	args := a.Rest()
	if err := checkNetnsName(name); err != nil {
		return err
	}
	ns, err := netns.OpenName(name)
	if err != nil { // as ip: a syntax error (255)
		return cli.Syntaxf("Cannot open namespace %s: %v", cli.Quote(name), err)
	}
	defer ns.Close()
	path, err := exec.LookPath(args[0])
	if err != nil {
		return cli.Failf("exec of %s failed: %v", cli.Quote(args[0]), err)
	}
	if err := x.out.Flush(); err != nil {
		return err
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = x.env.Stdin, x.env.Stdout, x.env.Stderr
	cmd.Env = append(os.Environ(), "NETNS="+name)
	// The child is forked from the thread that Do switched into ns.
	if err := ns.Do(cmd.Start); err != nil {
		return err
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("netns exec %s: %s: %w", name, args[0], err)
	}
	return err
}

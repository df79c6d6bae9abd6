package completion

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// The values completion reads from the system. Each returns what it
// could read: an error (no such namespace, no permission) gives fewer
// candidates, never a message.

// dial opens a routing connection in the namespace e names (-n); done
// closes it and the namespace.
func dial(e *cli.Env) (h *rtnl.Handle, done func(), err error) {
	c, done, err := e.Dial(nl.Route, nl.Config{StrictCheck: true})
	if err != nil {
		return nil, nil, err
	}
	return rtnl.New(c), done, nil
}

// linkNames returns the names of the interfaces in e's namespace, in
// index order.
func linkNames(ctx context.Context, e *cli.Env) []string {
	h, done, err := dial(e)
	if err != nil {
		return nil
	}
	defer done()
	var names []string
	for l, err := range h.Links(ctx, nil) {
		if err != nil {
			break
		}
		names = append(names, l.Name)
	}
	return names
}

// netnsNames returns the names in /run/netns.
func netnsNames() []string {
	names, _ := netns.List()
	return names
}

// tableFiles returns iproute2's files of table names: rt_tables and the
// *.conf files of rt_tables.d, in /etc/iproute2 then /usr/share/iproute2.
func tableFiles() []string {
	var files []string
	for _, dir := range []string{"/etc/iproute2", "/usr/share/iproute2"} {
		files = append(files, filepath.Join(dir, "rt_tables"))
		more, _ := filepath.Glob(filepath.Join(dir, "rt_tables.d", "*.conf"))
		files = append(files, more...)
	}
	return files
}

// tableNames returns the routing tables: local, main and default, the
// names of iproute2's files, then the numbers of the other tables that
// hold routes in e's namespace.
func tableNames(ctx context.Context, e *cli.Env) []string {
	names := []string{"local", "main", "default"}
	for _, f := range tableFiles() {
		names = append(names, idNames(f)...)
	}
	h, done, err := dial(e)
	if err != nil {
		return names
	}
	defer done()
	var ids []uint32
	for r, err := range h.Routes(ctx, nil) {
		if err != nil {
			break
		}
		switch r.Table {
		case rtnl.TableUnspec, rtnl.TableLocal, rtnl.TableMain, rtnl.TableDefault:
			continue
		}
		if !slices.Contains(ids, r.Table) {
			ids = append(ids, r.Table)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		names = append(names, strconv.FormatUint(uint64(id), 10))
	}
	return names
}

// groupNames returns the interface groups: default and the names of
// /etc/iproute2/group (and of /usr/share/iproute2/group).
func groupNames() []string {
	names := []string{"default"}
	for _, f := range []string{"/etc/iproute2/group", "/usr/share/iproute2/group"} {
		names = append(names, idNames(f)...)
	}
	return names
}

// idNames returns the names of an iproute2 file of "NUMBER NAME" lines,
// in the file's order; # starts a comment.
func idNames(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		if _, err := strconv.ParseUint(fields[0], 0, 32); err == nil {
			names = append(names, fields[1])
		}
	}
	return names
}

// Package usersockcmd is nlctl's usersock command: serve, call and watch a
// custom protocol over NETLINK_USERSOCK.
package usersockcmd

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/usersock"
	"golang.org/x/sys/unix"
)

const usersockUsage = `usage: nlctl usersock serve --port N [--groups N] [--secret-file F] [--workers N] [--any] [--max N]
       nlctl usersock send --port N [--type T] [--ack] [--dump] [--secret-file F] [--timeout DUR] DATA...
       nlctl usersock listen --group G [--group G ...] [--port N] [--secret-file F] [--count N] [--timeout DUR]

A custom netlink protocol served from user space over NETLINK_USERSOCK
(package usersock): kernel-style requests, acknowledgements, errors with
messages, dumps and multicast groups, with credential checks and optional
authenticated encryption.

serve   an echo server bound to port N. It prints every request (sender's port,
        uid, pid, type, payload), answers it with the same type and payload,
        answers a dump (--dump) with one message per word of the payload,
        refuses an empty payload (EINVAL), and broadcasts every payload to
        each of its groups. Joins and leaves announced by clients are printed.
          --groups N        multicast groups, 0-32 (default 0)
          --secret-file F   seal payloads with the secret in F (at least 16 bytes;
                            a trailing newline is ignored)
          --workers N       handler goroutines (default: one per CPU)
          --any             serve every user (default: this user and root)
          --max N           shut down after N requests (default: until SIGINT/SIGTERM)
send    sends DATA (the arguments joined by spaces) to the server at port N and
        prints the replies; -j prints them as JSON.
          --type T          message type, 16-65519 (default 16)
          --ack             ask for an acknowledgement (NLM_F_ACK)
          --dump            send a dump request (NLM_F_DUMP)
          --timeout DUR     give up after DUR (default 5s)
listen  joins groups and prints the messages broadcast to them; -j prints JSON
        lines. Joining needs CAP_NET_ADMIN. With --port N it announces its
        joins to that server and prints only that server's messages (with
        --secret-file, only authentic ones sealed after the join); without,
        it joins silently and prints every sender's, which may be forged: any
        process may send to a NETLINK_USERSOCK group.
          --count N         exit after N messages
          --timeout DUR     exit after DUR

Exit status: 0 success, 2 refused (the server's error is printed), 255 a
command line that cannot be parsed (an unknown option, a value out of range).
`

// usersockArgs are the parsed options of an `nlctl usersock` subcommand.
type usersockArgs struct {
	port       uint32
	portSet    bool
	groups     int
	listen     []uint32
	secretFile string
	workers    int
	anyone     bool
	max        int
	typ        nl.MsgType
	ack, dump  bool
	timeout    time.Duration
	count      int
	data       []string
}

func parseUsersock(args []string) (*usersockArgs, error) {
	u := &usersockArgs{typ: 16}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			u.data = append(u.data, a)
			continue
		}
		if a == "--" {
			u.data = append(u.data, args[i+1:]...)
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		need := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", cli.Syntaxf("--%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		// num reads the option's value, a number from lo to hi; what
		// says what the range means, for the error.
		num := func(lo, hi uint64, what string) (uint64, error) {
			v, err := need()
			if err != nil {
				return 0, err
			}
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil || n < lo || n > hi {
				return 0, cli.Syntaxf("invalid --%s %s: %s from %d to %d is expected", name, cli.Quote(v), what, lo, hi)
			}
			return n, nil
		}
		var n uint64
		var err error
		switch name {
		case "h", "help":
			return nil, cli.ErrHelpShown
		case "port":
			n, err = num(0, 1<<32-1, "a port id")
			u.port, u.portSet = uint32(n), true
		case "groups":
			n, err = num(0, usersock.MaxGroups, "a number of multicast groups")
			u.groups = int(n)
		case "group":
			n, err = num(1, usersock.MaxGroups, "a multicast group")
			u.listen = append(u.listen, uint32(n))
		case "secret-file":
			u.secretFile, err = need()
		case "workers":
			n, err = num(0, 1<<16-1, "a number of goroutines (0: one per CPU)")
			u.workers = int(n)
		case "any":
			u.anyone = true
		case "max":
			n, err = num(0, 1<<31-1, "a number of requests (0: no limit)")
			u.max = int(n)
		case "count":
			n, err = num(0, 1<<31-1, "a number of messages (0: no limit)")
			u.count = int(n)
		case "type":
			// Below are netlink's control messages, above the types
			// usersock keeps for itself.
			n, err = num(uint64(nl.MsgMinType), uint64(usersock.MsgReserved-1), "a message type")
			u.typ = nl.MsgType(n)
		case "ack":
			u.ack = true
		case "dump":
			u.dump = true
		case "timeout":
			var v string
			if v, err = need(); err == nil {
				if u.timeout, err = time.ParseDuration(v); err != nil || u.timeout <= 0 {
					err = cli.Syntaxf("invalid --timeout %s: a duration above zero, such as 500ms, 5s or 1m, is expected", cli.Quote(v))
				}
			}
		default:
			return nil, cli.Syntaxf("unknown option %s, try \"nlctl usersock -h\"", cli.Quote(a))
		}
		if err != nil {
			return nil, err
		}
	}
	return u, nil
}

// key reads the shared secret, if one was given.
func (u *usersockArgs) key() (*usersock.Key, error) {
	if u.secretFile == "" {
		return nil, nil
	}
	b, err := os.ReadFile(u.secretFile)
	if err != nil {
		return nil, fmt.Errorf("read the secret: %w", err)
	}
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	k, err := usersock.NewKey(b)
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("secret in %s: %w", u.secretFile, err)
	}
	return k, nil
}

func runUsersock(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.Syntaxf("usersock needs a subcommand: serve, send or listen (try nlctl usersock -h)")
	}
	sub := args[0]
	u, err := parseUsersock(args[1:])
	if err == cli.ErrHelpShown || sub == "-h" || sub == "--help" || sub == "help" {
		fmt.Fprint(e.Stdout, usersockUsage)
		return cli.ErrHelpShown
	}
	if err != nil {
		return err
	}
	switch sub {
	case "serve":
		return usersockServe(e, u)
	case "send":
		return usersockSend(e, u)
	case "listen":
		return usersockListen(e, u)
	}
	return cli.Syntaxf("unknown usersock subcommand %s (serve, send or listen)", cli.Quote(sub))
}

// usersockMessage is a message as `nlctl usersock` prints it in JSON.
type usersockMessage struct {
	Type  uint16  `json:"type"`
	Flags string  `json:"flags,omitempty"`
	Seq   uint32  `json:"seq"`
	Port  uint32  `json:"port"`
	Group uint32  `json:"group,omitempty"`
	UID   *uint32 `json:"uid,omitempty"`
	PID   *int32  `json:"pid,omitempty"`
	Data  string  `json:"data,omitempty"` // the payload, when it is printable text
	Hex   string  `json:"hex"`
}

// printable returns the payload as text if it is printable, without
// trailing NULs (the padding of requests built by an nl.Encoder).
func printable(b []byte) (string, bool) {
	b = bytes.TrimRight(b, "\x00")
	if !utf8.Valid(b) {
		return "", false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f {
			return "", false
		}
	}
	return string(b), true
}

func describeUsersock(m nl.Message) usersockMessage {
	d := usersockMessage{
		Type: uint16(m.Header.Type), Seq: m.Header.Seq, Port: m.Meta.Port, Group: m.Meta.Group,
		Hex: hex.EncodeToString(m.Data),
	}
	if m.Header.Flags != 0 {
		d.Flags = m.Header.Flags.String()
	}
	d.Data, _ = printable(m.Data)
	return d
}

// text formats a payload for the text output.
func payloadText(b []byte) string {
	if s, ok := printable(b); ok {
		return strconv.Quote(s)
	}
	return "hex " + hex.EncodeToString(b)
}

func usersockServe(e *cli.Env, u *usersockArgs) error {
	if !u.portSet {
		return cli.Syntaxf("serve needs --port N")
	}
	key, err := u.key()
	if err != nil {
		return err
	}
	ns, err := e.OpenNS()
	if err != nil {
		return err
	}
	if ns != nil {
		defer ns.Close()
	}
	ctx, quit := context.WithCancel(e.Context())
	defer quit()

	var mu sync.Mutex // one line at a time
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(e.Stdout, format+"\n", args...)
	}
	var count int
	var srv *usersock.Server
	ready := make(chan struct{}) // srv is set
	// note prints a request and counts it towards --max.
	note := func(r *usersock.Request, what string) {
		if e.JSON {
			d := describeUsersock(nl.Message{Header: r.Header, Data: r.Data, Meta: nl.Meta{Port: r.Port}})
			d.UID, d.PID = &r.Creds.UID, &r.Creds.PID
			mu.Lock()
			e.PrintJSON(d)
			mu.Unlock()
		} else {
			say("%s from port %d (uid %d, pid %d): type %d seq %d: %s",
				what, r.Port, r.Creds.UID, r.Creds.PID, r.Header.Type, r.Header.Seq, payloadText(r.Data))
		}
		mu.Lock()
		count++
		if u.max > 0 && count == u.max {
			quit()
		}
		mu.Unlock()
	}
	input := func(ctx context.Context, w *usersock.Writer, r *usersock.Request) error {
		note(r, "request")
		if len(r.Data) == 0 {
			return usersock.Errorf(unix.EINVAL, "empty request: send some data")
		}
		<-ready
		// A broadcast never waits: members whose receive buffer is full
		// miss it (and see an overrun), as with the kernel's.
		for g := 1; g <= u.groups; g++ {
			if err := srv.Broadcast(ctx, uint32(g), r.Header.Type, r.Data); err != nil {
				return err
			}
		}
		return w.Reply(r.Header.Type, r.Data)
	}
	dump := func(ctx context.Context, w *usersock.Writer, r *usersock.Request) error {
		note(r, "dump")
		for _, word := range strings.Fields(string(bytes.TrimRight(r.Data, "\x00"))) {
			if err := w.Reply(r.Header.Type, []byte(word)); err != nil {
				return err
			}
		}
		return nil
	}
	policy := &usersock.Policy{UIDs: []uint32{0, uint32(os.Getuid())}}
	if u.anyone {
		policy = &usersock.Policy{Anyone: true}
	}
	srv, err = usersock.Listen(&usersock.Config{
		Port:     u.port,
		Groups:   u.groups,
		Input:    input,
		Dump:     dump,
		Policy:   policy,
		Key:      key,
		Workers:  u.workers,
		NetNS:    ns,
		ErrorLog: log.New(e.Stderr, "nlctl usersock serve: ", log.LstdFlags),
		Bind: func(ctx context.Context, port uint32, creds nl.Credentials, g uint32) error {
			say("port %d (uid %d) joins group %d", port, creds.UID, g)
			return nil
		},
		Unbind: func(ctx context.Context, port uint32, creds nl.Credentials, g uint32) {
			say("port %d (uid %d) leaves group %d", port, creds.UID, g)
		},
	})
	if err != nil {
		return err
	}
	close(ready)
	if !e.JSON {
		say("serving on port %d, %d groups%s", srv.Port(), u.groups, map[bool]string{true: ", sealed"}[key != nil])
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if st := srv.Stats(); !e.JSON {
		say("served %d requests; refused %d senders, %d invalid messages", st.Requests, st.Rejected, st.Invalid)
	}
	return err
}

// dial opens a client of the server at --port, with --secret-file's key,
// in the namespace of -n; done closes both.
func (u *usersockArgs) dial(e *cli.Env) (c *usersock.Client, done func(), err error) {
	key, err := u.key()
	if err != nil {
		return nil, nil, err
	}
	ns, err := e.OpenNS()
	if err != nil {
		return nil, nil, err
	}
	c, err = usersock.Dial(u.port, &usersock.ClientConfig{Key: key, NetNS: ns})
	if err != nil {
		if ns != nil {
			ns.Close()
		}
		return nil, nil, err
	}
	return c, func() {
		c.Close()
		if ns != nil {
			ns.Close()
		}
	}, nil
}

func usersockSend(e *cli.Env, u *usersockArgs) error {
	if !u.portSet {
		return cli.Syntaxf("send needs --port N, the server's port")
	}
	c, done, err := u.dial(e)
	if err != nil {
		return err
	}
	defer done()
	if u.timeout == 0 {
		u.timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(e.Context(), u.timeout)
	defer cancel()
	payload := []byte(strings.Join(u.data, " "))

	var out []usersockMessage
	show := func(m nl.Message) {
		if e.JSON {
			out = append(out, describeUsersock(m))
			return
		}
		fmt.Fprintf(e.Stdout, "type %d seq %d from port %d: %s\n", m.Header.Type, m.Header.Seq, m.Meta.Port, payloadText(m.Data))
	}
	if u.dump {
		for m, derr := range c.Dump(ctx, u.typ, payload) {
			if derr != nil {
				err = derr
				break
			}
			show(m)
		}
	} else {
		var flags nl.Flags
		if u.ack {
			flags = nl.Acknowledge
		}
		err = c.Do(ctx, u.typ, flags, payload, func(m nl.Message) error {
			show(m)
			return nil
		})
	}
	if e.JSON {
		if out == nil {
			out = []usersockMessage{}
		}
		if jerr := e.PrintJSON(out); jerr != nil {
			return jerr
		}
	}
	switch {
	case err == context.DeadlineExceeded:
		return fmt.Errorf("no complete reply within %v (add --ack to wait for an acknowledgement)", u.timeout)
	case errors.Is(err, unix.ECONNREFUSED):
		return fmt.Errorf("no server is bound to port %d: %w", u.port, err)
	}
	return err
}

func usersockListen(e *cli.Env, u *usersockArgs) error {
	if len(u.listen) == 0 {
		return cli.Syntaxf("listen needs --group G")
	}
	c, done, err := u.dial(e)
	if err != nil {
		return err
	}
	defer done()
	ctx := e.Context()
	if u.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, u.timeout)
		defer cancel()
	}
	if u.portSet {
		err = c.Subscribe(ctx, u.listen...)
	} else {
		fmt.Fprintln(e.Stderr, "nlctl usersock listen: without --port, messages from any sender are printed: any process may send to a NETLINK_USERSOCK group")
		err = c.Join(u.listen...)
	}
	if err != nil {
		return err
	}
	n := 0
	for m, err := range c.Messages(ctx) {
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted, or --timeout
			}
			fmt.Fprintf(e.Stderr, "nlctl usersock listen: %v\n", err)
			continue
		}
		if e.JSON {
			e.PrintJSON(describeUsersock(m))
		} else {
			fmt.Fprintf(e.Stdout, "group %d from port %d: type %d: %s\n", m.Meta.Group, m.Meta.Port, m.Header.Type, payloadText(m.Data))
		}
		n++
		if u.count > 0 && n >= u.count {
			return nil
		}
	}
	return nil
}

// Commands returns the usersock command, for nlctl's registry.
func Commands() []*cli.Command {
	return []*cli.Command{{
		Name:    "usersock",
		Summary: "serve, call and watch a custom protocol over NETLINK_USERSOCK",
		Run:     runUsersock,
		Grammar: func() cli.Grammar {
			return cli.Grammar{Verbs: []cli.Verb{
				{Name: "serve", Words: cli.Words(cli.KwValue(cli.ValueText, "--port", "--groups", "--workers", "--max"), cli.KwValue(cli.ValueFile, "--secret-file"), cli.Kw("--any"))},
				{Name: "send", Words: cli.Words(cli.KwValue(cli.ValueText, "--port", "--type", "--timeout"), cli.KwValue(cli.ValueFile, "--secret-file"), cli.Kw("--ack", "--dump"))},
				{Name: "listen", Words: cli.Words(cli.KwValue(cli.ValueText, "--group", "--port", "--count", "--timeout"), cli.KwValue(cli.ValueFile, "--secret-file"))},
			}}
		},
	}}
}

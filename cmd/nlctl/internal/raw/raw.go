// Package raw is nlctl's raw and protocols commands: any request to any
// netlink protocol, decoded with the catalog, and the protocols the
// kernel has.
package raw

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/catalog"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

const rawUsage = `usage: nlctl raw --proto PROTO --type TYPE [options] [ATTR=VALUE ...]

Sends one request and prints every reply, decoded.

  --proto PROTO     route, generic, sock_diag, usersock, ... or a number (default route)
  --type TYPE       message type: a name such as RTM_GETLINK, or a number
  --dump            ask for a dump (NLM_F_DUMP)
  --ack             ask for an acknowledgement (NLM_F_ACK)
  --flags LIST      more flags: create,excl,replace,append,echo,root,match,atomic,... or a number
  --header HEX      the fixed family header, in hex (default: zeros of the type's size)
  --family FAMILY   set the header's first byte: unspec, inet, inet6, bridge, mpls, or a number
  --port N          send to port N instead of the kernel (port 0)
  --timeout DUR     give up waiting for replies after DUR (default 5s)

Attributes: NAME=VALUE, NAME=KIND:VALUE, NUMBER=KIND:VALUE, NAME={NESTED,...}
  kinds: u8 u16 u32 u64 s8 s16 s32 s64 be16 be32 be64 string hex flag addr mac
  e.g.  IFLA_IFNAME=v0 'IFLA_LINKINFO={IFLA_INFO_KIND=veth,IFLA_INFO_DATA={VETH_INFO_PEER={IFLA_IFNAME=v0p}}}'
`

var familyNames = map[string]byte{
	"unspec": unix.AF_UNSPEC, "inet": unix.AF_INET, "ipv4": unix.AF_INET, "4": unix.AF_INET,
	"inet6": unix.AF_INET6, "ipv6": unix.AF_INET6, "6": unix.AF_INET6,
	"bridge": unix.AF_BRIDGE, "mpls": unix.AF_MPLS, "packet": unix.AF_PACKET,
}

var flagNames = map[string]nl.Flags{
	"request": nl.Request, "multi": nl.Multi, "ack": nl.Acknowledge, "echo": nl.Echo,
	"root": nl.Root, "match": nl.Match, "atomic": nl.Atomic, "dump": nl.Dump,
	"replace": nl.Replace, "excl": nl.Excl, "create": nl.Create, "append": nl.Append,
	"nonrec": nl.NonRec, "bulk": nl.Bulk,
}

// rawRequest is a parsed `nlctl raw` command line.
type rawRequest struct {
	proto   nl.Protocol
	typ     nl.MsgType
	msg     catalog.Message // how requests of typ are laid out; zero when not known
	flags   nl.Flags
	header  []byte
	hdrSet  bool
	family  int
	port    uint32
	timeout time.Duration
	attrs   []specItem
}

// parseRaw parses the arguments of `nlctl raw`.
func parseRaw(args []string) (*rawRequest, error) {
	r := &rawRequest{proto: nl.Route, family: -1, timeout: 5 * time.Second}
	var typeName string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			items, err := parseSpec(a)
			if err != nil {
				return nil, cli.Syntaxf("%v", err)
			}
			r.attrs = append(r.attrs, items...)
			continue
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
		var err error
		switch name {
		case "h", "help":
			return nil, cli.ErrHelpShown
		case "dump":
			r.flags |= nl.Dump
		case "ack":
			r.flags |= nl.Acknowledge
		case "proto", "protocol":
			var v string
			if v, err = need(); err == nil {
				if r.proto, err = nl.ParseProtocol(v); err != nil {
					err = invalidOption(name, v, fmt.Sprintf("a protocol name (route, generic, sock_diag, usersock, ...) or a number from 0 to %d", nl.MaxProtocol))
				}
			}
		case "type":
			typeName, err = need()
		case "flags":
			var v string
			if v, err = need(); err == nil {
				err = r.parseFlags(v)
			}
		case "header":
			var v string
			if v, err = need(); err == nil {
				if r.header, err = parseHex(v); err != nil {
					err = invalidOption(name, v, "a hex string (such as 0a000000)")
				}
				r.hdrSet = true
			}
		case "family":
			var v string
			if v, err = need(); err == nil {
				if f, ok := familyNames[strings.ToLower(v)]; ok {
					r.family = int(f)
				} else if n, perr := strconv.ParseUint(v, 0, 8); perr == nil {
					r.family = int(n)
				} else {
					err = invalidOption(name, v, "a family name (unspec, inet, inet6, bridge, mpls, packet) or a number from 0 to 255")
				}
			}
		case "port":
			var v string
			if v, err = need(); err == nil {
				n, perr := strconv.ParseUint(v, 0, 32)
				if perr != nil {
					err = invalidOption(name, v, "a port number from 0 (the kernel) to 4294967295")
				}
				r.port = uint32(n)
			}
		case "timeout":
			var v string
			if v, err = need(); err == nil {
				if r.timeout, err = time.ParseDuration(v); err != nil || r.timeout <= 0 {
					err = invalidOption(name, v, "a duration above zero, such as 500ms, 5s or 1m")
				}
			}
		default:
			return nil, cli.Syntaxf("unknown option %s, try \"nlctl raw --help\"", cli.Quote(a))
		}
		if err != nil {
			return nil, err
		}
	}
	if typeName == "" {
		return nil, cli.Syntaxf("--type is required (such as --type RTM_GETLINK)")
	}
	if n, err := strconv.ParseUint(typeName, 0, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if err != nil || n > 0xffff {
			return nil, invalidOption("type", typeName, typeForm)
		}
		r.typ = nl.MsgType(n)
		r.msg, _ = nl.CatalogDescriber{}.Describe(r.proto, nl.Message{Header: nl.Header{Type: r.typ, Flags: nl.Request}})
	} else if t, m, ok := catalog.MessageType(int(r.proto), typeName); ok {
		r.typ, r.msg = nl.MsgType(t), m
	} else {
		return nil, cli.Syntaxf("invalid --type %s: no message type of protocol %v has that name; %s is expected", cli.Quote(typeName), r.proto, typeForm)
	}
	return r, nil
}

func (r *rawRequest) parseFlags(v string) error {
	for _, f := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == '|' }) {
		f = strings.ToLower(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(f)), "NLM_F_"))
		if bits, ok := flagNames[f]; ok {
			r.flags |= bits
			continue
		}
		n, err := strconv.ParseUint(f, 0, 16)
		if err != nil {
			return invalidOption("flags", v, "a list of flag names (request, ack, echo, dump, root, match, atomic, replace, excl, create, append, nonrec, bulk) or numbers from 0 to 65535, separated by commas,")
		}
		r.flags |= nl.Flags(n)
	}
	return nil
}

// encode builds the request.
func (r *rawRequest) encode(e *nl.Encoder) error {
	e.Begin(r.typ, r.flags)
	hdrLen, space := max(r.msg.HeaderLen, 0), r.msg.Attrs
	if r.hdrSet {
		e.Payload(r.header)
	} else if hdrLen > 0 || r.family >= 0 {
		h := e.Fixed(max(hdrLen, 1))
		if r.family >= 0 {
			h[0] = byte(r.family)
		}
	}
	if r.hdrSet && r.family >= 0 {
		return cli.Syntaxf("give either --header or --family, not both")
	}
	if err := encodeItems(e, space, r.attrs); err != nil {
		return cli.Syntaxf("%v", err)
	}
	if err := e.End(); err != nil {
		return cli.Syntaxf("the request cannot be built: %v", err)
	}
	return nil
}

// typeForm is what --type may be, for the errors.
const typeForm = "a message type name (such as RTM_GETLINK) or a number from 0 to 65535 " +
	"(message types are 16-bit; 0 to 15 are netlink's own control messages, NLMSG_NOOP to NLMSG_OVERRUN, and requests start at 16)"

// invalidOption is the error for value, the value of option --name, that
// is not of the accepted form want.
func invalidOption(name, value, want string) error {
	return cli.Syntaxf("invalid --%s %s: %s is expected", name, cli.Quote(value), want)
}

func runRaw(env *cli.Env, args []string) error {
	r, err := parseRaw(args)
	if err == cli.ErrHelpShown {
		fmt.Fprint(env.Stdout, rawUsage)
		return err
	}
	if err != nil {
		return err
	}
	var e nl.Encoder
	if err := r.encode(&e); err != nil {
		return err
	}
	c, done, err := env.Dial(r.proto, nl.Config{Peer: r.port})
	if err != nil {
		return err
	}
	defer done()
	ctx, cancel := context.WithTimeout(env.Context(), r.timeout)
	defer cancel()

	var descs []nl.Description
	show := func(m nl.Message) error {
		d := nl.Describe(r.proto, m, nil)
		if env.JSON {
			descs = append(descs, d)
		} else {
			d.Format(env.Stdout, "")
		}
		return nil
	}
	if r.flags&nl.Dump == nl.Dump {
		for m, err2 := range c.Dump(ctx, &e) {
			if err2 != nil {
				err = err2
				break
			}
			show(m)
		}
	} else {
		err = c.Do(ctx, &e, show)
	}
	if env.JSON {
		if descs == nil {
			descs = []nl.Description{}
		}
		if jerr := env.PrintJSON(descs); jerr != nil {
			return jerr
		}
	}
	if err == context.DeadlineExceeded {
		return fmt.Errorf("no complete reply within %v (add --ack to wait for an acknowledgement)", r.timeout)
	}
	return err
}

// Commands returns the raw and protocols commands, for nlctl's registry.
func Commands() []*cli.Command {
	return []*cli.Command{
		{Name: "raw", Summary: "send any request to any netlink protocol and decode the replies", Run: runRaw,
			Grammar: func() cli.Grammar {
				return cli.Grammar{Verbs: []cli.Verb{{Name: "", Words: cli.Words(
					cli.KwValue(cli.ValueText, "--proto", "--type", "--flags", "--port", "--header", "--family", "--timeout"),
					cli.Kw("--dump", "--ack"))}}}
			}},
		{Name: "protocols", Summary: "list the netlink protocols this kernel has", Run: runProtocols,
			Grammar: func() cli.Grammar { return cli.Grammar{Verbs: []cli.Verb{{Name: "", Words: cli.Kw("-a")}}} }},
	}
}

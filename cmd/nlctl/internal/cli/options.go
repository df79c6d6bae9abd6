package cli

import (
	"strconv"
	"strings"
)

// GlobalOption is one of nlctl's global options, for parsing and for
// shell completion.
type GlobalOption struct {
	// Name is the long name, without the dash. Any prefix of it is
	// accepted, meaning the first option in GlobalOptions' order it is a
	// prefix of.
	Name string
	// Value is the kind of the option's argument, ValueNone for a flag.
	Value Value
	// Unsupported marks ip's options that nlctl recognises only to
	// refuse them (so that their abbreviations keep ip's meaning).
	Unsupported bool
}

// GlobalOptions returns the global options in the order ip tries them, so
// that an abbreviation means what it means to ip: -b is -batch, -br
// -brief, -s -stats, -d -details, -f -family, -r -resolve (refused), -t
// -timestamp, -ts -tshort, -rc -rcvbuf, -a -all.
func GlobalOptions() []GlobalOption {
	return []GlobalOption{
		{Name: "family", Value: ValueText, Unsupported: true},
		{Name: "4"}, {Name: "6"}, {Name: "0", Unsupported: true},
		{Name: "stats"}, {Name: "statistics"}, {Name: "details"},
		{Name: "resolve", Unsupported: true}, {Name: "oneline"},
		{Name: "timestamp"}, {Name: "tshort"},
		{Name: "force"}, {Name: "batch", Value: ValueFile}, {Name: "help"},
		{Name: "netns", Value: ValueNetns}, {Name: "json"}, {Name: "ndjson"},
		{Name: "pretty"}, {Name: "rcvbuf", Value: ValueText}, {Name: "brief"},
		{Name: "all"}, {Name: "all-netns"},
	}
}

// FindOption resolves a global option word as Option reads it: -name or
// --name, abbreviated or not, with or without =value.
func FindOption(word string) (GlobalOption, bool) {
	name := strings.TrimPrefix(strings.TrimPrefix(word, "-"), "-")
	name, _, _ = strings.Cut(name, "=")
	for _, o := range GlobalOptions() {
		if Matches(name, o.Name) {
			return o, true
		}
	}
	return GlobalOption{}, false
}

// Option reads one global option at the start of args and returns how
// many arguments it took. iproute2 accepts -opt and --opt, abbreviations
// of the long names (-br, -det, -stat) and -opt=value for the options
// that take one.
func (e *Env) Option(args []string) (int, error) {
	a := args[0]
	_, value, inline := strings.Cut(a, "=")
	arg := func() (string, int, error) {
		if inline {
			return value, 1, nil
		}
		if len(args) < 2 {
			return "", 0, Syntaxf("option %s needs an argument", a)
		}
		return args[1], 2, nil
	}
	o, _ := FindOption(a)
	switch o.Name {
	case "json":
		e.JSON = true
	case "ndjson":
		e.JSON, e.NDJSON = true, true
	case "pretty":
		e.Pretty = true
	case "netns":
		v, n, err := arg()
		if err != nil {
			return 0, err
		}
		if v == "" {
			return 0, Syntaxf("option %s: the namespace name is empty; a name in /run/netns or a path is expected", a)
		}
		e.NetNS = v
		return n, nil
	case "4":
		e.Family = 4
	case "6":
		e.Family = 6
	case "family":
		v, n, err := arg()
		if err != nil {
			return 0, err
		}
		switch v {
		case "inet":
			e.Family = 4
		case "inet6":
			e.Family = 6
		default:
			return 0, Syntaxf("option %s %s is not supported: inet or inet6 is expected (or -4, -6)", a, Quote(v))
		}
		return n, nil
	case "0":
		return 0, Syntaxf("option %s is not supported: use -4 or -6", Quote(a))
	case "resolve":
		return 0, Syntaxf("option %s (-resolve) is not supported", Quote(a))
	case "timestamp":
		e.Timestamp = true
	case "tshort":
		e.Timestamp, e.TShort = true, true
	case "rcvbuf":
		v, n, err := arg()
		if err != nil {
			return 0, err
		}
		size, err := strconv.ParseUint(v, 0, 32)
		if err != nil {
			return 0, Syntaxf("option %s: invalid rcvbuf size %s: a number of bytes from 0 to 4294967295 is expected", a, Quote(v))
		}
		e.RcvBuf = int(size)
		return n, nil
	case "all", "all-netns":
		e.AllNetNS = true
	case "details":
		e.Details = true
	case "statistics", "stats":
		e.Stats++
	case "brief":
		e.Brief = true
	case "oneline":
		e.Oneline = true
	case "force":
		e.Force = true
	case "batch":
		v, n, err := arg()
		if err != nil {
			return 0, err
		}
		e.Batch = v
		return n, nil
	case "help":
		return 0, ErrHelpShown
	default:
		return 0, Syntaxf("option %s is unknown, try \"nlctl -help\"", Quote(a))
	}
	if inline {
		return 0, Syntaxf("option %s takes no value", Quote(a))
	}
	return 1, nil
}

// IsGlobal reports whether a word after the command is a global option:
// the options people also put there, which cannot be mistaken for a
// command's own words.
func IsGlobal(a string) bool {
	if !strings.HasPrefix(a, "-") {
		return false
	}
	switch strings.TrimPrefix(a[1:], "-") {
	case "j", "json", "ndjson", "p", "pretty", "n", "netns", "4", "6",
		"d", "details", "s", "stats", "statistics", "br", "brief", "o", "oneline",
		"t", "timestamp", "ts", "tshort", "all-netns":
		return true
	}
	return false
}

// GlobalsAfter takes global options out of a command's arguments.
func (e *Env) GlobalsAfter(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		if !IsGlobal(args[i]) {
			rest = append(rest, args[i])
			continue
		}
		n, err := e.Option(args[i:])
		if err != nil {
			return nil, err
		}
		i += n - 1
	}
	return rest, nil
}

package completion

import (
	"context"
	"strings"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// timeout bounds the system queries of one completion (a link or route
// dump): a shell waiting on TAB must not hang.
const timeout = 2 * time.Second

// completer completes one nlctl command line from the registry.
type completer struct {
	ctx context.Context
	r   *cli.Registry
	// env holds the global options read so far: -n chooses the
	// namespace values come from.
	env cli.Env
}

// complete returns the candidates for the last of words (the words after
// "nlctl"; none means an empty word at the command's place). A command
// line it cannot follow gets no candidates.
func complete(ctx context.Context, r *cli.Registry, words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &completer{ctx: ctx, r: r}
	done, cur := words[:len(words)-1], words[len(words)-1]
	return dedupe(c.line(done, cur))
}

// line completes cur after the complete words done: global options, then
// the command, then the command's own words.
func (c *completer) line(done []string, cur string) []string {
	i := 0
	for i < len(done) && strings.HasPrefix(done[i], "-") {
		if o, ok := takesValue(done[i]); ok && i+1 == len(done) {
			return c.values(cli.Word{Value: o.Value}, cur)
		}
		n, err := c.env.Option(done[i:])
		if err != nil {
			return nil
		}
		i += n
	}
	if i == len(done) {
		if strings.HasPrefix(cur, "-") {
			return optionNames(cur, func(cli.GlobalOption) bool { return true })
		}
		if c.env.Batch != "" {
			return nil // -batch takes no command
		}
		return commandNames(c.r, cur)
	}
	cmd, ok := c.r.Lookup(done[i])
	if !ok || cmd.Run == nil {
		return nil
	}
	return c.command(cmd, done[i+1:], cur)
}

// command completes cur after a command and its complete words args.
// Global options may come among them, as cli.RunCommand takes them out,
// unless the command keeps its options.
func (c *completer) command(cmd *cli.Command, args []string, cur string) []string {
	keep := cmd.KeepOptions != nil && cmd.KeepOptions(args)
	if !keep {
		var rest []string
		for i := 0; i < len(args); i++ {
			if !cli.IsGlobal(args[i]) {
				rest = append(rest, args[i])
				continue
			}
			if o, ok := takesValue(args[i]); ok && i+1 == len(args) {
				return c.values(cli.Word{Value: o.Value}, cur)
			}
			n, err := c.env.Option(args[i:])
			if err != nil {
				return nil
			}
			i += n - 1
		}
		args = rest
	}
	var out []string
	if cmd.Grammar != nil {
		out = c.grammar(cmd.Grammar().Verbs, args, cur)
	}
	if !keep && strings.HasPrefix(cur, "-") {
		out = append(out, optionNames(cur, func(o cli.GlobalOption) bool {
			return cli.IsGlobal("-" + o.Name)
		})...)
	}
	return out
}

// takesValue returns the global option word names if it takes a value
// given as the next word (not as -opt=value).
func takesValue(word string) (cli.GlobalOption, bool) {
	o, ok := cli.FindOption(word)
	if !ok || o.Value == cli.ValueNone || o.Unsupported || strings.Contains(word, "=") {
		return cli.GlobalOption{}, false
	}
	return o, true
}

// optionNames returns the global options that start with prefix (as
// -name) and that keep accepts.
func optionNames(prefix string, keep func(cli.GlobalOption) bool) []string {
	var out []string
	for _, o := range cli.GlobalOptions() {
		if o.Unsupported || !keep(o) {
			continue
		}
		if n := "-" + o.Name; strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// commandNames returns the commands that start with prefix, in the
// registry's order; commands without a summary are hidden.
func commandNames(r *cli.Registry, prefix string) []string {
	var out []string
	for _, c := range r.Commands() {
		if c.Summary == "" {
			continue
		}
		if n, ok := nameOrAlias(c.Name, c.Aliases, prefix); ok {
			out = append(out, n)
		}
	}
	return out
}

// nameOrAlias returns name if it starts with prefix, else the first alias
// that does.
func nameOrAlias(name string, aliases []string, prefix string) (string, bool) {
	if strings.HasPrefix(name, prefix) {
		return name, true
	}
	for _, a := range aliases {
		if strings.HasPrefix(a, prefix) {
			return a, true
		}
	}
	return "", false
}

// dedupe removes repeated candidates, keeping the first.
func dedupe(cands []string) []string {
	seen := make(map[string]bool, len(cands))
	out := cands[:0]
	for _, c := range cands {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

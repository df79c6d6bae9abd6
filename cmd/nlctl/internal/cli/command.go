package cli

// Command is one top-level command of nlctl (an object of ip's grammar
// such as route, or a tool such as raw).
type Command struct {
	// Name is the full name; a user may abbreviate it to any prefix
	// that no command registered before it also starts with.
	Name string
	// Aliases are other full names (neighbor for neighbour).
	Aliases []string
	// Summary is the line `nlctl help` prints; commands without one are
	// not listed.
	Summary string
	// Run runs the command with its arguments (the words after its
	// name, global options taken out unless KeepOptions says not to).
	Run func(e *Env, args []string) error
	// KeepOptions, if set, reports whether args must reach Run as they
	// are (the command `netns exec NAME` runs keeps its own options).
	KeepOptions func(args []string) bool
	// Grammar is the command's words, for help and shell completion.
	Grammar Grammar
}

// Registry holds nlctl's commands, in the order abbreviations are tried.
type Registry struct {
	cmds []*Command
	// Batch runs a -batch file (nil: nlctl has no batch mode).
	Batch func(e *Env) int
	// LinkKinds are the link kinds a ValueLinkKind value may be (the
	// kinds `link add type KIND` knows), for shell completion.
	LinkKinds []string
}

// Add registers commands; a family's package gives its list.
func (r *Registry) Add(cmds ...*Command) {
	r.cmds = append(r.cmds, cmds...)
}

// Commands returns the registered commands in their order.
func (r *Registry) Commands() []*Command { return r.cmds }

// Lookup resolves a command word: a full name or alias first, then the
// first command in registration order that the word abbreviates.
func (r *Registry) Lookup(word string) (*Command, bool) {
	for _, c := range r.cmds {
		if word == c.Name {
			return c, true
		}
		for _, a := range c.Aliases {
			if word == a {
				return c, true
			}
		}
	}
	for _, c := range r.cmds {
		if Matches(word, c.Name) {
			return c, true
		}
		for _, a := range c.Aliases {
			if Matches(word, a) {
				return c, true
			}
		}
	}
	return nil, false
}

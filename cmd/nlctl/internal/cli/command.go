package cli

import "context"

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
	// Grammar returns the command's words, for help and shell
	// completion (a function: nlctl builds only the grammars a run needs).
	Grammar func() Grammar
}

// Registry holds nlctl's commands, in the order abbreviations are tried.
type Registry struct {
	cmds []*Command
	// Batch runs a -batch file (nil: nlctl has no batch mode).
	Batch func(e *Env) int
	// Values completes values by kind (interfaces, tables, ...) for
	// shell completion; the family that knows a kind provides it
	// (SetValues). ValueChoice and ValueFile need none.
	Values map[Value]ValuesFunc
}

// ValuesFunc returns the values of a kind, in e's namespace; what it
// cannot read (no such namespace, no permission) it leaves out, without
// an error.
type ValuesFunc func(ctx context.Context, e *Env) []string

// SetValues makes f the provider of the values of kind v.
func (r *Registry) SetValues(v Value, f ValuesFunc) {
	if r.Values == nil {
		r.Values = make(map[Value]ValuesFunc)
	}
	r.Values[v] = f
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

// Package completion makes nlctl's shell completion from its command
// registry: `nlctl completion bash|zsh|fish` prints a script that asks
// `nlctl __complete WORDS...` for the candidates of the last word, which
// come from the grammar of the commands and, for values, from the system
// (interfaces and tables in the namespace given with -n, namespaces in
// /run/netns).
package completion

import (
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// Commands returns the completion commands, for nlctl's registry r.
func Commands(r *cli.Registry) []*cli.Command {
	return nil
}

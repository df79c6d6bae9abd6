package completion

import (
	"fmt"
	"io"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// usage is what `nlctl completion -h` prints (the package comment shows
// it too).
const usage = `usage: nlctl completion { bash | zsh | fish }
prints a script that makes the shell complete nlctl's command lines:
commands, verbs, keywords and their values (interfaces and tables in the
namespace chosen with -n, namespaces in /run/netns, link kinds, groups).

install:
  bash  source <(nlctl completion bash)    in ~/.bashrc
  zsh   nlctl completion zsh > DIR/_nlctl  with DIR in $fpath before compinit,
        or source <(nlctl completion zsh)  after compinit in ~/.zshrc
  fish  nlctl completion fish > ~/.config/fish/completions/nlctl.fish

The scripts ask ` + "`nlctl __complete WORD...`" + ` for the candidates of the last
word; a line "` + FileMarker + `" among them means "and file names".
`

// Commands returns the completion commands, for nlctl's registry r:
// `completion SHELL`, which prints a script, and the hidden `__complete`
// the scripts call, which completes from r.
func Commands(r *cli.Registry) []*cli.Command {
	return []*cli.Command{
		{
			Name:    "completion",
			Summary: "print a shell completion script (bash, zsh, fish)",
			Run:     runCompletion,
			Grammar: func() cli.Grammar { return cli.Grammar{Verbs: shellVerbs()} },
		},
		{
			// No summary: help does not list it.
			Name: "__complete",
			Run: func(e *cli.Env, args []string) error {
				printCandidates(e.Stdout, complete(e.Context(), r, args))
				return nil
			},
			// The words are the user's command line: nothing is taken out.
			KeepOptions: func([]string) bool { return true },
		},
	}
}

// shellVerbs are the verbs of `completion`: the shells, and help.
func shellVerbs() []cli.Verb {
	var vs []cli.Verb
	for _, s := range shells() {
		vs = append(vs, cli.Verb{Name: s.name})
	}
	return append(vs, cli.Verb{Name: "help"})
}

// runCompletion prints the script of the shell named in args.
func runCompletion(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return cli.Syntaxf("which shell? try \"nlctl completion bash\", zsh or fish")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		args[0] = "help"
	}
	v, ok := cli.FindVerb(shellVerbs(), args[0])
	if !ok {
		return cli.Syntaxf("shell %s is not supported: bash, zsh or fish", cli.Quote(args[0]))
	}
	if len(args) > 1 {
		return cli.Syntaxf("%s is one word too many", cli.Quote(args[1]))
	}
	if v.Name == "help" {
		fmt.Fprint(e.Stdout, usage)
		return cli.ErrHelpShown
	}
	for _, s := range shells() {
		if s.name == v.Name {
			_, err := io.WriteString(e.Stdout, s.script)
			return err
		}
	}
	return nil
}

// printCandidates writes the candidates one a line; a failed write is
// not reported (completion prints nothing on errors).
func printCandidates(w io.Writer, cands []string) {
	for _, c := range cands {
		if _, err := fmt.Fprintln(w, c); err != nil {
			return
		}
	}
}

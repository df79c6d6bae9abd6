package completion

import (
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// grammar completes cur after a command's complete words args, which
// start with its verb: the verbs (and a verb's Sub verbs) are resolved as
// the command resolves them, with abbreviations; a verb without a name
// stands for the words of a command that takes no verb.
func (c *completer) grammar(verbs []cli.Verb, args []string, cur string) []string {
	for {
		implicit := unnamedVerb(verbs)
		if len(args) == 0 {
			out := verbNames(verbs, cur)
			if implicit != nil {
				out = append(out, c.words(implicit, nil, cur)...)
			}
			return out
		}
		v, ok := cli.FindVerb(verbs, args[0])
		if !ok || v.Name == "" {
			if implicit == nil {
				return nil
			}
			return c.words(implicit, args, cur)
		}
		args = args[1:]
		if len(v.Sub) == 0 {
			return c.words(v, args, cur)
		}
		verbs = v.Sub
	}
}

// unnamedVerb returns the verb without a name, if verbs has one.
func unnamedVerb(verbs []cli.Verb) *cli.Verb {
	for i := range verbs {
		if verbs[i].Name == "" {
			return &verbs[i]
		}
	}
	return nil
}

// verbNames returns the verbs that start with prefix, in their order
// (an alias where only it does).
func verbNames(verbs []cli.Verb, prefix string) []string {
	var out []string
	for _, v := range verbs {
		if v.Name == "" {
			continue
		}
		if n, ok := nameOrAlias(v.Name, v.Aliases, prefix); ok {
			out = append(out, n)
		}
	}
	return out
}

// words completes cur after the complete words args of verb v: the value
// of the keyword before cur, or else v's positional value (until it is
// given) and the keywords not used yet, as ip takes most keywords once.
//
// The positional value counts as given once a word that is no keyword
// came, or a keyword whose value is of the same kind (`dev DEV` for the
// DEV of `link set DEV`).
func (c *completer) words(v *cli.Verb, args []string, cur string) []string {
	used := map[string]bool{}
	argGiven := v.Arg == cli.ValueNone
	for i := 0; i < len(args); i++ {
		w, ok := findWord(v.Words, args[i])
		if !ok {
			argGiven = true // the positional value, or a value we do not know
			continue
		}
		used[w.Name] = true
		if w.Value == cli.ValueNone {
			continue
		}
		if w.Value == v.Arg {
			argGiven = true
		}
		if i+1 == len(args) {
			return c.values(*w, cur)
		}
		i++
	}
	var out []string
	if !argGiven {
		out = c.values(cli.Word{Value: v.Arg}, cur)
	}
	for _, w := range v.Words {
		if !used[w.Name] && strings.HasPrefix(w.Name, cur) {
			out = append(out, w.Name)
		}
	}
	return out
}

// findWord resolves a keyword as ip does: its full name first, then the
// first keyword it abbreviates.
func findWord(words []cli.Word, word string) (*cli.Word, bool) {
	for i := range words {
		if words[i].Name == word {
			return &words[i], true
		}
	}
	for i := range words {
		if cli.Matches(word, words[i].Name) {
			return &words[i], true
		}
	}
	return nil, false
}

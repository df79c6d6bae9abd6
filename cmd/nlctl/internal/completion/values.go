package completion

import (
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// values returns the candidates for the value of keyword w that start
// with prefix, by the kind of value it takes. Free text has none; a file
// name is the shell's to complete (FileMarker).
func (c *completer) values(w cli.Word, prefix string) []string {
	var all []string
	switch w.Value {
	case cli.ValueFile:
		return []string{FileMarker}
	case cli.ValueChoice:
		all = w.Choices
	default:
		if f := c.r.Values[w.Value]; f != nil {
			all = f(c.ctx, &c.env)
		}
	}
	var out []string
	for _, v := range all {
		if strings.HasPrefix(v, prefix) {
			out = append(out, v)
		}
	}
	return out
}

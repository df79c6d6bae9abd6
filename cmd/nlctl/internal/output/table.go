package output

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Table collects rows of text and writes them with their columns aligned,
// as `ip -br` and `nlctl protocols` print. The last column is not padded.
type Table struct {
	rows   [][]string
	widths []int
}

// Row adds a row.
func (t *Table) Row(cells ...string) {
	for i, c := range cells {
		n := utf8.RuneCountInString(c)
		if i == len(t.widths) {
			t.widths = append(t.widths, n)
		} else if n > t.widths[i] {
			t.widths[i] = n
		}
	}
	t.rows = append(t.rows, cells)
}

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.rows) }

// Print writes the rows, columns separated by sep, each line ended by a
// newline, and forgets them.
func (t *Table) Print(w io.Writer, sep string) error {
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(c)))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	t.rows, t.widths = nil, nil
	return nil
}

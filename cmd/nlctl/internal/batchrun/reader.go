package batchrun

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// MaxLine is the longest line a batch file may have.
const MaxLine = 1 << 20

// Reader reads the commands of a batch file and splits them into words as
// ip does: blanks separate words, quotes group them, '#' starts a
// comment, and a line ending in '\' continues on the next. Its word slice
// is reused from one command to the next.
type Reader struct {
	r     *bufio.Reader
	line  int // lines read
	words []string
	text  strings.Builder
	long  []byte
}

// NewReader returns a Reader of the batch file r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// readLine returns the next line without its end, and false at the end of
// the input.
func (r *Reader) readLine() ([]byte, bool, error) {
	r.long = r.long[:0]
	for {
		b, err := r.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(r.long)+len(b) > MaxLine {
				// Skip the rest of the line, so that the next
				// command starts where it should.
				for err == bufio.ErrBufferFull {
					_, err = r.r.ReadSlice('\n')
				}
				r.line++
				return nil, true, cli.Syntaxf("the line is longer than %d bytes", MaxLine)
			}
			r.long = append(r.long, b...)
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if len(b) == 0 && len(r.long) == 0 && err == io.EOF {
			return nil, false, nil
		}
		r.line++
		if len(r.long) > 0 {
			r.long = append(r.long, b...)
			b = r.long
		}
		if len(b) > MaxLine {
			return nil, true, cli.Syntaxf("the line is longer than %d bytes", MaxLine)
		}
		b = trimEOL(b)
		return b, true, nil
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// Next returns the next command's words and the number of its first line;
// nil words at the end of the input, and empty ones for a blank line. An
// error (a line too long, a quote not closed) is about that command only:
// reading may go on.
func (r *Reader) Next() ([]string, int, error) {
	r.text.Reset()
	first := r.line + 1
	for {
		l, ok, err := r.readLine()
		if err != nil {
			if !ok {
				return nil, r.line, fmt.Errorf("reading line %d: %w", r.line+1, err)
			}
			// Drop the rest of a continued command too.
			for len(l) > 0 && l[len(l)-1] == '\\' {
				if l, ok, _ = r.readLine(); !ok {
					break
				}
			}
			return []string{}, first, err
		}
		if !ok {
			if r.text.Len() > 0 {
				r.words, err = splitWords(r.words[:0], r.text.String())
				return r.words, first, err
			}
			return nil, first, nil
		}
		if len(l) > 0 && l[len(l)-1] == '\\' {
			r.text.Write(l[:len(l)-1])
			r.text.WriteByte(' ')
			if r.text.Len() > MaxLine {
				return []string{}, first, cli.Syntaxf("the command is longer than %d bytes", MaxLine)
			}
			continue
		}
		var line string
		if r.text.Len() > 0 {
			r.text.Write(l)
			line = r.text.String()
		} else {
			line = string(l)
		}
		r.words, err = splitWords(r.words[:0], line)
		return r.words, first, err
	}
}

// errUnterminated is a quote not closed on its line.
var errUnterminated = errors.New("unterminated quoted string")

// splitWords appends the words of a command line to words. A line with no
// words gives an empty, non-nil slice.
func splitWords(words []string, s string) ([]string, error) {
	if words == nil {
		words = []string{}
	}
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#':
			return words, nil
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return []string{}, cli.Syntaxf("%v", errUnterminated)
			}
			words = append(words, s[i+1:i+1+j])
			i += j + 2
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' {
			j++
		}
		words = append(words, s[i:j])
		i = j
	}
	return words, nil
}

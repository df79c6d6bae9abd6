package batchrun

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// MaxLine is the longest line a batch file may have.
const MaxLine = 1 << 20

// Reader reads the commands of a batch file and splits them into words as
// ip does: blanks separate words, quotes group them, a word starting with
// '#' starts a comment that runs to the end of the line, and a line ending
// in '\' (outside a comment) continues on the next, the two joined without
// the backslash and the line's end. Lines may end with CRLF. Its word slice
// is reused from one command to the next.
type Reader struct {
	r     *bufio.Reader
	line  int // lines read
	words []string
	text  strings.Builder
	long  []byte
	// longCont: the last line, too long to keep, ended with '\'.
	longCont bool
}

// NewReader returns a Reader of the batch file r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// errLongLine is the error for a line longer than MaxLine (not counting
// its end).
func errLongLine() error { return cli.Syntaxf("the line is longer than %d bytes", MaxLine) }

// readLine returns the next line without its end, and false at the end of
// the input. A line longer than MaxLine is counted and skipped: its error
// comes with a nil line, and longCont says whether it ended with '\'.
func (r *Reader) readLine() ([]byte, bool, error) {
	r.long = r.long[:0]
	for {
		b, err := r.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			r.long = append(r.long, b...)
			if len(r.long) > MaxLine+len("\r\n") {
				r.line++
				r.longCont = r.skipLine()
				return nil, true, errLongLine()
			}
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
		b = trimEOL(b)
		if len(b) > MaxLine {
			r.longCont = b[len(b)-1] == '\\'
			return nil, true, errLongLine()
		}
		return b, true, nil
	}
}

// skipLine reads the rest of a line too long to keep, past its end, and
// reports whether it ended with '\'.
func (r *Reader) skipLine() bool {
	var tail [3]byte // the line's last bytes, with its end
	copy(tail[:], r.long[len(r.long)-3:])
	for {
		b, err := r.r.ReadSlice('\n')
		if len(b) >= len(tail) {
			copy(tail[:], b[len(b)-len(tail):])
		} else {
			copy(tail[:], tail[len(b):])
			copy(tail[len(tail)-len(b):], b)
		}
		if err != bufio.ErrBufferFull {
			t := trimEOL(tail[:])
			return len(t) > 0 && t[len(t)-1] == '\\'
		}
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

// continues reports whether line l continues on the next: it ends with
// '\', which is not in a comment.
func continues(l []byte) bool {
	if len(l) == 0 || l[len(l)-1] != '\\' {
		return false
	}
	for i := 0; i < len(l); {
		switch c := l[i]; {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#':
			return false
		case c == '"' || c == '\'':
			j := bytes.IndexByte(l[i+1:], c)
			if j < 0 {
				return true // in a quote that the next line may close
			}
			i += j + 2
			continue
		}
		for i < len(l) && l[i] != ' ' && l[i] != '\t' && l[i] != '\r' {
			i++
		}
	}
	return true
}

// dropContinued reads and drops the lines that continue a command already
// refused; cont says whether its last line read continued.
func (r *Reader) dropContinued(cont bool) {
	for cont {
		l, ok, err := r.readLine()
		if !ok {
			return
		}
		cont = err != nil && r.longCont || err == nil && continues(l)
	}
}

// Next returns the next command's words and the number of its first line;
// nil words at the end of the input, and empty ones for a blank line. An
// error (a line too long, a quote not closed) is about that command only,
// with the number of the line at fault: reading may go on.
func (r *Reader) Next() ([]string, int, error) {
	r.text.Reset()
	first := r.line + 1
	for {
		l, ok, err := r.readLine()
		if err != nil {
			if !ok {
				return nil, r.line + 1, fmt.Errorf("cannot read the batch file: %w", err)
			}
			// A line too long; the rest of its command goes too.
			n := r.line
			r.dropContinued(r.longCont)
			return []string{}, n, err
		}
		if !ok {
			if r.text.Len() > 0 {
				r.words, err = splitWords(r.words[:0], r.text.String())
				return r.words, first, err
			}
			return nil, first, nil
		}
		if continues(l) {
			r.text.Write(l[:len(l)-1])
			if r.text.Len() > MaxLine {
				r.dropContinued(true)
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

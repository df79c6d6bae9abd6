package batchrun

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// command is what Reader.Next returns for one command.
type command struct {
	words []string
	line  int
	err   string // a part of the error, "" for none
}

// readAll reads every command of input, up to the end.
func readAll(t *testing.T, input io.Reader) []command {
	t.Helper()
	r := NewReader(input)
	var got []command
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("the reader does not end")
		}
		words, line, err := r.Next()
		if err == nil && words == nil {
			return got
		}
		c := command{line: line}
		if err != nil {
			c.err = err.Error()
			if cli.Status(err) != cli.ExitSyntax && !strings.HasPrefix(c.err, "cannot read") {
				t.Errorf("line %d: error %q exits %d, want %d", line, err, cli.Status(err), cli.ExitSyntax)
			}
		} else {
			c.words = append([]string{}, words...) // the reader reuses its slice
		}
		got = append(got, c)
		if err != nil && words == nil {
			return got // a read error ends the input
		}
	}
}

func checkCommands(t *testing.T, name string, got, want []command) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d commands, want %d:\n%s", name, len(got), len(want), describeCommands(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.line != w.line || (w.err == "") != (g.err == "") || !strings.Contains(g.err, w.err) ||
			w.err == "" && !reflect.DeepEqual(g.words, w.words) {
			t.Errorf("%s: command %d is %s, want %s", name, i, describeCommand(g), describeCommand(w))
		}
		if len(g.err) > 200 {
			t.Errorf("%s: command %d: the error is %d bytes long", name, i, len(g.err))
		}
	}
}

func describeCommand(c command) string {
	if c.err != "" {
		return fmt.Sprintf("line %d: error %.200q", c.line, c.err)
	}
	return fmt.Sprintf("line %d: %q", c.line, c.words)
}

func describeCommands(cs []command) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(describeCommand(c) + "\n")
	}
	return b.String()
}

func words(line int, w ...string) command {
	if w == nil {
		w = []string{}
	}
	return command{words: w, line: line}
}

func failure(line int, err string) command { return command{line: line, err: err} }

func TestReaderWordsQuotesComments(t *testing.T) {
	for _, c := range []struct {
		name, input string
		want        []command
	}{
		{"empty", "", nil},
		{"one line without its end", "link show", []command{words(1, "link", "show")}},
		{"blanks", "  link\t show  dev\tv0 \n", []command{words(1, "link", "show", "dev", "v0")}},
		{"blank lines", "\n\n  \t\nlink\n\n", []command{words(1), words(2), words(3), words(4, "link"), words(5)}},
		{"comments", "# a comment\nlink show # the links\n   # indented\n",
			[]command{words(1), words(2, "link", "show"), words(3)}},
		{"a # inside a word", "link set v0 alias a#b\n", []command{words(1, "link", "set", "v0", "alias", "a#b")}},
		{"double quotes", `link set v0 alias "a b  c"` + "\n", []command{words(1, "link", "set", "v0", "alias", "a b  c")}},
		{"single quotes", "link set v0 alias 'x \"y\"'\n", []command{words(1, "link", "set", "v0", "alias", `x "y"`)}},
		{"empty quotes", `link show dev ""` + "\n", []command{words(1, "link", "show", "dev", "")}},
		{"a quoted #", `link set v0 alias "#1"` + "\n", []command{words(1, "link", "set", "v0", "alias", "#1")}},
		{"CRLF", "link show\r\naddress show\r\n\r\n", []command{words(1, "link", "show"), words(2, "address", "show"), words(3)}},
		{"CR inside a line", "link\rshow\n", []command{words(1, "link", "show")}},
		{"unterminated quote", "link set v0 alias \"abc\nlink show\n",
			[]command{failure(1, "unterminated quoted string"), words(2, "link", "show")}},
	} {
		checkCommands(t, c.name, readAll(t, strings.NewReader(c.input)), c.want)
	}
}

func TestReaderContinuationLines(t *testing.T) {
	for _, c := range []struct {
		name, input string
		want        []command
	}{
		{"two lines", "route add 10.0.0.0/8 \\\n  via 10.1.0.2\nlink show\n",
			[]command{words(1, "route", "add", "10.0.0.0/8", "via", "10.1.0.2"), words(3, "link", "show")}},
		{"three lines", "a \\\nb \\\nc\nd\n", []command{words(1, "a", "b", "c"), words(4, "d")}},
		// As ip: the backslash and the line's end go, nothing comes
		// in their place.
		{"joined without a blank", "link sh\\\now dev lo\n", []command{words(1, "link", "show", "dev", "lo")}},
		{"a quote continued", "link set v0 alias \"a \\\nb\"\n", []command{words(1, "link", "set", "v0", "alias", "a b")}},
		// Unlike ip, which keeps the backslash before a CR as a word.
		{"CRLF", "a \\\r\nb\r\nc\r\n", []command{words(1, "a", "b"), words(3, "c")}},
		{"continued at the end of the input", "a \\\nb \\\n", []command{words(1, "a", "b")}},
		// As ip: a comment runs to the end of its line, a backslash too.
		{"a comment ending with a backslash", "a # comment \\\nb\nc\n", []command{words(1, "a"), words(2, "b"), words(3, "c")}},
		{"a quoted backslash", "a 'b\\' \\\nc\n", []command{words(1, "a", "b\\", "c")}},
		{"an empty continued line", "\\\na\nb\n", []command{words(1, "a"), words(3, "b")}},
		{"an unterminated quote continued", "a \"b \\\nc\nd\n", []command{failure(1, "unterminated"), words(3, "d")}},
	} {
		checkCommands(t, c.name, readAll(t, strings.NewReader(c.input)), c.want)
	}
}

// A line longer than MaxLine is refused with its own line number, without
// its text; the lines after it are read as they should be, with theirs.
func TestReaderLongLines(t *testing.T) {
	long := strings.Repeat("x", MaxLine+1)
	exact := strings.Repeat("y", MaxLine)
	huge := "link show " + strings.Repeat("z", 5*MaxLine)
	for _, c := range []struct {
		name, input string
		want        []command
	}{
		{"too long", "link show\n" + long + "\nlink show v0\n",
			[]command{words(1, "link", "show"), failure(2, "line is longer than 1048576 bytes"), words(3, "link", "show", "v0")}},
		{"much too long", huge + "\n\naddress show\n",
			[]command{failure(1, "longer than"), words(2), words(3, "address", "show")}},
		{"too long at the end of the input", "link\n" + long,
			[]command{words(1, "link"), failure(2, "longer than")}},
		{"too long with CRLF", long + "\r\nlink\r\n",
			[]command{failure(1, "longer than"), words(2, "link")}},
		{"exactly MaxLine", exact + "\nlink\n", []command{words(1, exact), words(2, "link")}},
		{"exactly MaxLine with CRLF", exact + "\r\nlink\r\n", []command{words(1, exact), words(2, "link")}},
		{"exactly MaxLine at the end", "a\n" + exact, []command{words(1, "a"), words(2, exact)}},
		{"too long inside a continued command", "a \\\nb \\\n" + long + " \\\nc\nd\n",
			[]command{failure(3, "line is longer than"), words(5, "d")}},
		{"too long and continued", long + "\\\nc\nd\n",
			[]command{failure(1, "line is longer than"), words(3, "d")}},
		{"a continued command too long", strings.Repeat(strings.Repeat("w", MaxLine/4)+" \\\n", 5) + "e\nf\n",
			[]command{failure(1, "command is longer than"), words(7, "f")}},
	} {
		checkCommands(t, c.name, readAll(t, strings.NewReader(c.input)), c.want)
	}
	// Reading one byte at a time changes nothing.
	got := readAll(t, iotest.OneByteReader(strings.NewReader("a\n"+long+"\nb \\\nc\n")))
	checkCommands(t, "one byte at a time", got, []command{words(1, "a"), failure(2, "longer than"), words(3, "b", "c")})
}

// A failure to read ends the input, with the line it happened on.
func TestReaderReadError(t *testing.T) {
	broken := errors.New("disk on fire")
	in := io.MultiReader(strings.NewReader("a\nb\n"), iotest.ErrReader(broken))
	got := readAll(t, in)
	checkCommands(t, "read error", got, []command{words(1, "a"), words(2, "b"), failure(3, "cannot read the batch file: disk on fire")})
}

// Run reports each failure with the line it is on, and never a long word
// in full.
func TestRunReportsLines(t *testing.T) {
	long := strings.Repeat("q", MaxLine+10)
	input := "ok\n\nfail here\n" + long + "\nok \\\n  more\nfail \\\n again\n"
	var stderr bytes.Buffer
	e := &cli.Env{Stderr: &stderr, Force: true}
	l := &recordLines{}
	code := Run(e, strings.NewReader(input), l)
	want := []string{"1:ok", "3:fail here", "5:ok more", "7:fail again"}
	if !reflect.DeepEqual(l.ran, want) {
		t.Errorf("ran %q, want %q", l.ran, want)
	}
	wantErr := "nlctl: line 3: failed\nnlctl: line 4: the line is longer than 1048576 bytes\nnlctl: line 7: failed\n"
	if stderr.String() != wantErr {
		t.Errorf("stderr %q, want %q", stderr.String(), wantErr)
	}
	if code != cli.ExitSyntax { // the long line could not be parsed
		t.Errorf("exit %d, want %d", code, cli.ExitSyntax)
	}

	// Without -force the run stops at the first failure, with 1.
	stderr.Reset()
	e.Force = false
	l = &recordLines{}
	if code := Run(e, strings.NewReader(input), l); code != cli.ExitFailure || stderr.String() != "nlctl: line 3: failed\n" || len(l.ran) != 2 {
		t.Errorf("without -force: exit %d, ran %q, stderr %q", code, l.ran, stderr.String())
	}
}

// recordLines records the commands a run gives it; a command starting with
// "fail" fails with a refusal.
type recordLines struct{ ran []string }

func (l *recordLines) Line(line int, args []string) error {
	l.ran = append(l.ran, fmt.Sprintf("%d:%s", line, strings.Join(args, " ")))
	if args[0] == "fail" {
		return errors.New("failed")
	}
	return nil
}

func (l *recordLines) Flush() error { return nil }
func (l *recordLines) Status() int  { return cli.ExitOK }

package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// write prints two objects in an array, with the given writer options.
func write(pretty, lines bool) string {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	j := NewJSON(w, pretty, lines)
	j.Array("")
	for i := range 2 {
		j.Object("")
		j.Uint("n", uint64(i))
		j.String("s", "a\"b\n\x01\xff")
		j.Strings("l", []string{"x", "y"})
		j.Object("o")
		j.Bool("t", true)
		j.Null("z")
		j.End()
		j.End()
	}
	j.End()
	w.Flush()
	return b.String()
}

func TestJSONArray(t *testing.T) {
	for _, pretty := range []bool{false, true} {
		out := write(pretty, false)
		var v []map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 2 || v[1]["n"] != 1.0 || v[0]["s"] != "a\"b\n\x01\ufffd" {
			t.Errorf("pretty %v: %v %v\n%s", pretty, err, v, out)
		}
		if !strings.HasSuffix(out, "]\n") {
			t.Errorf("no final newline: %q", out)
		}
	}
}

func TestNDJSON(t *testing.T) {
	out := write(true, true) // pretty is ignored: one value per line
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil || v["n"] != float64(i) {
			t.Errorf("line %d: %v %q", i, err, l)
		}
	}
	// An empty listing prints nothing at all.
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	j := NewJSON(w, false, true)
	j.Array("")
	j.End()
	w.Flush()
	if b.Len() != 0 {
		t.Errorf("empty NDJSON: %q", b.String())
	}
}

func TestTable(t *testing.T) {
	var tb Table
	tb.Row("lo", "UNKNOWN", "00:00:00:00:00:00")
	tb.Row("veth-long", "UP", "x")
	var b bytes.Buffer
	if err := tb.Print(&b, " "); err != nil {
		t.Fatal(err)
	}
	want := "lo        UNKNOWN 00:00:00:00:00:00\nveth-long UP      x\n"
	if b.String() != want {
		t.Errorf("%q, want %q", b.String(), want)
	}
	if tb.Len() != 0 {
		t.Error("rows kept after Print")
	}
}

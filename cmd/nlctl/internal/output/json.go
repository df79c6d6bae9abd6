// Package output is how nlctl's commands print: a streaming JSON writer
// (an array, or NDJSON: one value per line) and aligned text tables.
package output

import (
	"bufio"
	"strconv"
	"unicode/utf8"
)

// JSON streams JSON without building values first, so that printing
// 100,000 routes costs little more than formatting their fields. Keys are
// written in the order the caller gives them, as `ip -j` does. Every method
// takes a key, which is ignored inside arrays.
type JSON struct {
	w      *bufio.Writer
	pretty bool
	lines  bool
	stack  []jsonLevel
	next   string // key for the next value written with key "" (see Name)
}

type jsonLevel struct {
	array  bool
	hidden bool // the outermost array in NDJSON mode: no brackets, one value per line
	n      int  // values written at this level
}

// NewJSON returns a writer of JSON to w, indented if pretty. With lines
// (NDJSON), the outermost array is not written: each of its values is
// written on a line of its own (and pretty is ignored).
func NewJSON(w *bufio.Writer, pretty, lines bool) *JSON {
	return &JSON{w: w, pretty: pretty && !lines, lines: lines}
}

// key writes the separator before a value and, in an object, its key.
func (j *JSON) key(k string) {
	if k == "" && j.next != "" {
		k, j.next = j.next, ""
	}
	if len(j.stack) == 0 {
		return
	}
	top := &j.stack[len(j.stack)-1]
	if top.hidden {
		if top.n > 0 {
			j.w.WriteByte('\n')
		}
		top.n++
		return
	}
	if top.n > 0 {
		j.w.WriteByte(',')
	}
	top.n++
	if j.pretty {
		j.newline(len(j.stack))
	}
	if !top.array {
		j.quote(k)
		j.w.WriteByte(':')
		if j.pretty {
			j.w.WriteByte(' ')
		}
	}
}

func (j *JSON) newline(depth int) {
	j.w.WriteByte('\n')
	for range depth {
		j.w.WriteString("    ")
	}
}

// begin starts a value: it returns the writer's free buffer (see room)
// holding the separator and key that key writes, with room for n more
// bytes, or with nothing when key wrote them itself (pretty output, keys
// that need escaping). The caller appends the value and writes the buffer:
// one write per value rather than one per byte.
func (j *JSON) begin(k string, n int) []byte {
	if k == "" && j.next != "" {
		k, j.next = j.next, ""
	}
	if len(j.stack) > 0 && !j.pretty {
		top := &j.stack[len(j.stack)-1]
		if !top.hidden && !top.array && plain(k) {
			b := j.room(len(k) + 4 + n)
			if top.n > 0 {
				b = append(b, ',')
			}
			top.n++
			b = append(b, '"')
			b = append(b, k...)
			return append(b, '"', ':')
		}
	}
	j.key(k)
	return j.room(n)
}

// plain reports whether s needs no escaping in a JSON string.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (j *JSON) open(k string, array bool) {
	if array && j.lines && len(j.stack) == 0 {
		j.stack = append(j.stack, jsonLevel{array: true, hidden: true})
		return
	}
	b := j.begin(k, 1)
	if array {
		b = append(b, '[')
	} else {
		b = append(b, '{')
	}
	j.w.Write(b)
	j.stack = append(j.stack, jsonLevel{array: array})
}

func (j *JSON) close() {
	top := j.stack[len(j.stack)-1]
	j.stack = j.stack[:len(j.stack)-1]
	if top.hidden {
		if top.n > 0 {
			j.w.WriteByte('\n')
		}
		return
	}
	if j.pretty && top.n > 0 {
		j.newline(len(j.stack))
	}
	if top.array {
		j.w.WriteByte(']')
	} else {
		j.w.WriteByte('}')
	}
	if len(j.stack) == 0 {
		j.w.WriteByte('\n')
	}
}

// Name sets the key of the next value written with an empty key, so that
// a function printing an object for an array can print it as a member.
func (j *JSON) Name(k string) { j.next = k }

// Object opens an object; End closes the innermost object or array.
func (j *JSON) Object(k string) { j.open(k, false) }

// Array opens an array.
func (j *JSON) Array(k string) { j.open(k, true) }

// End closes the innermost object or array.
func (j *JSON) End() { j.close() }

// String writes a string value.
func (j *JSON) String(k, v string) {
	if !plain(v) {
		j.key(k)
		j.quote(v)
		return
	}
	b := j.begin(k, len(v)+2)
	b = append(b, '"')
	b = append(b, v...)
	j.w.Write(append(b, '"'))
}

// Uint writes an unsigned number.
func (j *JSON) Uint(k string, v uint64) {
	j.w.Write(strconv.AppendUint(j.begin(k, 20), v, 10))
}

// Int writes a signed number.
func (j *JSON) Int(k string, v int64) {
	j.w.Write(strconv.AppendInt(j.begin(k, 20), v, 10))
}

// room returns the writer's free buffer (as bufio.Writer.AvailableBuffer
// does) with n bytes at least, flushing the buffer if need be: numbers are
// formatted in place, with no buffer of their own on the heap (a slice
// passed to Write escapes, since Write may hand it on to the underlying
// writer). A failed flush is kept by the writer, which reports it at its
// next Flush.
func (j *JSON) room(n int) []byte {
	if j.w.Available() < n {
		j.w.Flush()
	}
	return j.w.AvailableBuffer()
}

// copyOut writes b by copying it into the writer's buffer, so that b
// (often an array on the caller's stack) does not escape to the heap.
func (j *JSON) copyOut(b []byte) {
	for len(b) > 0 {
		buf := j.room(1)
		if cap(buf) == 0 {
			return // the writer failed; it says so at its next Flush
		}
		n := min(len(b), cap(buf))
		j.w.Write(append(buf, b[:n]...))
		b = b[n:]
	}
}

// Number writes v, already formatted as a JSON number (such as "0.00",
// which ip prints for timers), as is.
func (j *JSON) Number(k, v string) {
	j.key(k)
	j.w.WriteString(v)
}

// Bool writes true or false.
func (j *JSON) Bool(k string, v bool) {
	b := j.begin(k, 5)
	if v {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	j.w.Write(b)
}

// Null writes null.
func (j *JSON) Null(k string) {
	j.w.Write(append(j.begin(k, 4), "null"...))
}

// Strings writes an array of strings (an empty one as []).
func (j *JSON) Strings(k string, vs []string) {
	j.Array(k)
	for _, v := range vs {
		j.String("", v)
	}
	j.End()
}

const hexDigits = "0123456789abcdef"

func (j *JSON) quote(s string) {
	w := j.w
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			w.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case '\n':
				w.WriteString(`\n`)
			case '\t':
				w.WriteString(`\t`)
			default:
				w.WriteString(`\u00`)
				w.WriteByte(hexDigits[c>>4])
				w.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.WriteString(s[start:i])
			w.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		i += size
	}
	w.WriteString(s[start:])
	w.WriteByte('"')
}

// ASCII writes b as a string value; b must need no escaping (an address,
// a number), which spares converting it to a string. b is copied: it may
// be an array on the caller's stack, which stays there.
func (j *JSON) ASCII(k string, b []byte) {
	if len(b) > 256 {
		j.key(k)
		j.w.WriteByte('"')
		j.copyOut(b)
		j.w.WriteByte('"')
		return
	}
	buf := j.begin(k, len(b)+2)
	buf = append(buf, '"')
	buf = append(buf, b...)
	j.w.Write(append(buf, '"'))
}

// NumberBytes writes b, already formatted as a JSON number, as is; b is
// copied, as by ASCII.
func (j *JSON) NumberBytes(k string, b []byte) {
	j.key(k)
	j.copyOut(b)
}

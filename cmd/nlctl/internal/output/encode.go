package output

import (
	"encoding/json"
	"io"
	"reflect"
)

// Encode writes v as JSON to w, for values that exist as Go values (a
// decoded message, a summary): indented if pretty; with lines (NDJSON) a
// slice is written one element per line. Listings of many objects stream
// through JSON instead.
func Encode(w io.Writer, v any, pretty, lines bool) error {
	enc := json.NewEncoder(w)
	if pretty && !lines {
		enc.SetIndent("", "    ")
	}
	if rv := reflect.ValueOf(v); lines && rv.Kind() == reflect.Slice {
		for i := range rv.Len() {
			if err := enc.Encode(rv.Index(i).Interface()); err != nil {
				return err
			}
		}
		return nil
	}
	return enc.Encode(v)
}

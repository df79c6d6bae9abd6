package iproute

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// The differential tests build a namespace's state with ip, then compare
// `nlctl -j OBJECT show` with `ip -j OBJECT show`: every object ip prints
// must be printed by nlctl, and every key ip prints must have the same value
// in nlctl's output. nlctl may print more keys.

// showBoth runs the same show command through ip and nlctl in ns and
// compares their JSON. key names an object in both lists (such as its
// ifname, or dst+dev+table); objects must match one to one.
func showBoth(t *testing.T, ns *netnstest.NS, key func(map[string]any) string, args ...string) {
	t.Helper()
	ipOut := ns.IP(append([]string{"-j"}, args...)...)
	code, ours, errs := nlctl(append([]string{"-n", ns.Name, "-j"}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	if err := compareIPJSON([]byte(ipOut), []byte(ours), key); err != nil {
		t.Errorf("nlctl -j %s differs from ip:\n%v\nip:    %.3000s\nnlctl: %.3000s", strings.Join(args, " "), err, ipOut, ours)
	}
}

// compareIPJSON checks that ours holds every object and key of ip's output.
func compareIPJSON(ip, ours []byte, key func(map[string]any) string) error {
	var a, b []map[string]any
	if len(strings.TrimSpace(string(ip))) == 0 {
		ip = []byte("[]")
	}
	if err := json.Unmarshal(ip, &a); err != nil {
		return fmt.Errorf("ip's output is not a JSON array of objects: %v", err)
	}
	if err := json.Unmarshal(ours, &b); err != nil {
		return fmt.Errorf("nlctl's output is not a JSON array of objects: %v", err)
	}
	index := map[string]map[string]any{}
	for _, o := range b {
		k := key(o)
		if _, dup := index[k]; dup {
			return fmt.Errorf("nlctl prints %q twice", k)
		}
		index[k] = o
	}
	var problems []string
	seen := map[string]bool{}
	for _, o := range a {
		k := key(o)
		seen[k] = true
		mine, ok := index[k]
		if !ok {
			problems = append(problems, fmt.Sprintf("missing object %q", k))
			continue
		}
		diffValue(k, o, mine, &problems)
	}
	for k := range index {
		if !seen[k] {
			problems = append(problems, fmt.Sprintf("extra object %q", k))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return fmt.Errorf("%s", strings.Join(problems, "\n"))
}

// diffValue compares ip's value want with ours at path: objects key by key
// (ours may have more keys), arrays element by element.
func diffValue(path string, want, got any, problems *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: ip has an object, nlctl %s", path, describeJSON(got)))
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: missing (ip: %s)", path, k, describeJSON(wv)))
				continue
			}
			diffValue(path+"."+k, wv, gv, problems)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*problems = append(*problems, fmt.Sprintf("%s: ip %s, nlctl %s", path, describeJSON(want), describeJSON(got)))
			return
		}
		for i := range w {
			diffValue(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], problems)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			*problems = append(*problems, fmt.Sprintf("%s: ip %s, nlctl %s", path, describeJSON(want), describeJSON(got)))
		}
	}
}

func describeJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// keyOf returns a key function joining the named fields' values.
func keyOf(fields ...string) func(map[string]any) string {
	return func(o map[string]any) string {
		parts := make([]string, len(fields))
		for i, f := range fields {
			if v, ok := o[f]; ok {
				parts[i] = fmt.Sprint(v)
			}
		}
		return strings.Join(parts, "|")
	}
}

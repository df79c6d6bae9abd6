package cli

import "strings"

// Grammar describes the words a command takes, for help and shell
// completion: its verbs, and after each verb the keywords it accepts with
// the kind of value each keyword takes.
type Grammar struct {
	// Verbs are the command's verbs in the order abbreviations are tried.
	Verbs []Verb
	// Default is the verb run when none is given (show).
	Default string
}

// Verb is one verb of a command (show, add, ...).
type Verb struct {
	Name    string
	Aliases []string // other full names (ls and lst for list)
	// Words are the keywords the verb accepts.
	Words []Word
	// Arg is the kind of the value a verb takes without a keyword (the
	// device of `link show DEV`), ValueNone if it takes none.
	Arg Value
	// Sub is a verb's own verbs (`nexthop bucket show`).
	Sub []Verb
}

// Word is one keyword of a verb.
type Word struct {
	Name string
	// Abbrev says that any prefix of Name stands for the keyword, as
	// iproute2 takes the keywords it tests with matches(); without it
	// only Name itself does (iproute2's strcmp()).
	Abbrev bool
	// Value is the kind of value that follows the keyword, ValueNone
	// for a keyword alone (up, permanent).
	Value Value
	// Choices are the values a ValueChoice keyword takes.
	Choices []string
	// Then are, for a keyword whose value brings keywords of its own
	// (link's "type KIND", route's "encap TYPE"), the keywords that may
	// follow each value.
	Then map[string][]Word
}

// Value is the kind of value a keyword takes, which decides how shell
// completion completes it.
type Value int

// The kinds of value.
const (
	ValueNone      Value = iota // no value: the keyword alone
	ValueText                   // free text (an address, a number): not completed
	ValueDevice                 // an interface name in the namespace
	ValueNetns                  // a namespace name in /run/netns
	ValueTable                  // a routing table (name or number)
	ValueChoice                 // one of Word.Choices
	ValueFile                   // a file name
	ValueLinkKind               // a link kind (veth, bridge, ...)
	ValueGroupName              // an interface group
)

// word makes the keyword name; a name ending in "*" is one that may be
// abbreviated (Word.Abbrev), the "*" left out.
func word(name string, v Value) Word {
	if n, ok := strings.CutSuffix(name, "*"); ok {
		return Word{Name: n, Abbrev: true, Value: v}
	}
	return Word{Name: name, Value: v}
}

// Kw returns keywords that take no value. A name ending in "*" may be
// abbreviated (Word.Abbrev); the "*" is not part of the name.
func Kw(names ...string) []Word {
	return KwValue(ValueNone, names...)
}

// KwValue returns keywords that each take a value of kind v. A name
// ending in "*" may be abbreviated (Word.Abbrev).
func KwValue(v Value, names ...string) []Word {
	ws := make([]Word, len(names))
	for i, n := range names {
		ws[i] = word(n, v)
	}
	return ws
}

// KwChoice returns a keyword whose value is one of choices. A name
// ending in "*" may be abbreviated (Word.Abbrev).
func KwChoice(name string, choices ...string) Word {
	w := word(name, ValueChoice)
	w.Choices = choices
	return w
}

// Resolve returns the keyword of ws that the word s stands for, as
// iproute2's parsers find it: the keywords are tried in order, a Word with
// Abbrev matching any prefix of its name, the others their whole name
// only. A word that stands for no keyword (a value such as an address or a
// device name) is returned as it is. Parsers resolve each word they read at a
// keyword's place, then compare it with full names.
func Resolve(ws []Word, s string) string {
	for i := range ws {
		w := &ws[i]
		if s == w.Name || w.Abbrev && Matches(s, w.Name) {
			return w.Name
		}
	}
	return s
}

// Words joins keyword lists.
func Words(lists ...[]Word) []Word {
	var ws []Word
	for _, l := range lists {
		ws = append(ws, l...)
	}
	return ws
}

// FindVerb resolves a verb word against verbs as Registry.Lookup resolves
// commands: exact names and aliases first, then abbreviations in order.
func FindVerb(verbs []Verb, word string) (*Verb, bool) {
	for i := range verbs {
		v := &verbs[i]
		if word == v.Name {
			return v, true
		}
		for _, a := range v.Aliases {
			if word == a {
				return v, true
			}
		}
	}
	for i := range verbs {
		v := &verbs[i]
		if Matches(word, v.Name) {
			return v, true
		}
		for _, a := range v.Aliases {
			if Matches(word, a) {
				return v, true
			}
		}
	}
	return nil, false
}

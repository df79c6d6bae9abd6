package rtnl

import "github.com/nlkit/nlkit/nl"

// ruleObject words the rule in request m for errors (stub until rule.go lands).
func ruleObject(m nl.Message, names func(int) string) string { return "" }

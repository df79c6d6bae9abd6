package rtnl

import "github.com/nlkit/nlkit/nl"

// addrObject words the addr in request m for errors (stub until addr.go lands).
func addrObject(m nl.Message, names func(int) string) string { return "" }

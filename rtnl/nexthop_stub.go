package rtnl

import "github.com/nlkit/nlkit/nl"

// nexthopObject words the nexthop in request m for errors (stub until nexthop.go lands).
func nexthopObject(m nl.Message, names func(int) string) string { return "" }

package rtnl

import "github.com/nlkit/nlkit/nl"

func routeObject(m nl.Message, names func(int) string) string { return "" }

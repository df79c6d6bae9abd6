package rtnl

import "github.com/nlkit/nlkit/nl"

// neighObject words the neigh in request m for errors (stub until neigh.go lands).
func neighObject(m nl.Message, names func(int) string) string { return "" }

package main

// runLink is a stub until link.go lands.
func runLink(x *ipctx, a *argList) error { return usagef("not yet") }

package main

// runRoute is a stub until route.go lands.
func runRoute(x *ipctx, a *argList) error { return usagef("not yet") }

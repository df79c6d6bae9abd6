package main

// runNexthop is a stub until nexthop.go lands.
func runNexthop(x *ipctx, a *argList) error { return usagef("not yet") }

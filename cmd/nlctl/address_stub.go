package main

// runAddress is a stub until address.go lands.
func runAddress(x *ipctx, a *argList) error { return usagef("not yet") }

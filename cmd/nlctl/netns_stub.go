package main

// runNetns is a stub until netns.go lands.
func runNetns(x *ipctx, a *argList) error { return usagef("not yet") }

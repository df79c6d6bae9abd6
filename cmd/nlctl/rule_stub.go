package main

// runRule is a stub until rule.go lands.
func runRule(x *ipctx, a *argList) error { return usagef("not yet") }

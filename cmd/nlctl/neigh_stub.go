package main

// runNeigh is a stub until neigh.go lands.
func runNeigh(x *ipctx, a *argList) error { return usagef("not yet") }

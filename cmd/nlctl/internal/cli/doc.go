// Package cli is nlctl's command framework: the global options and streams
// every command gets ([Env]), the one registry of commands ([Registry]),
// iproute2's way of reading arguments ([Args], with abbreviations), the
// errors that decide the exit status ([Exit], [Syntaxf], [Failf]) and the
// grammar that help and shell completion are generated from ([Grammar]).
//
// A command family is a package with a function returning its
// [Command]s; cmd/nlctl's main registers it in one line.
package cli

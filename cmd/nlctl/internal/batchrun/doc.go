// Package batchrun runs batch files of commands, as `ip -batch` (and
// later `nft -f` and `tc -batch`) do: [Reader] splits a file into
// commands with their line numbers, [Run] runs them and reports one error
// per line, and [Pipeline] accumulates the changes of consecutive lines
// and applies them through the core's pipelined batching while the next
// lines are read.
package batchrun

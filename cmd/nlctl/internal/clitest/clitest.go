// Package clitest runs nlctl's commands in process for the tests of the
// command families.
package clitest

import (
	"bytes"
	"context"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// Run runs one nlctl invocation over registry r and returns its exit
// status, standard output and standard error.
func Run(r *cli.Registry, args ...string) (int, string, string) {
	return RunInput(r, "", args...)
}

// RunInput is Run with the given standard input.
func RunInput(r *cli.Registry, stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), r, args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// Registry returns a registry of cmds, with batch as its -batch runner.
func Registry(batch func(e *cli.Env) int, cmds ...*cli.Command) *cli.Registry {
	r := &cli.Registry{Batch: batch}
	r.Add(cmds...)
	return r
}

package iproute

import (
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
)

// registry is nlctl's registry as far as these tests need it.
func registry() *cli.Registry { return clitest.Registry(RunBatch, Commands()...) }

// nlctl runs the command in process and returns its exit status and output.
func nlctl(args ...string) (int, string, string) { return clitest.Run(registry(), args...) }

package benchmarks

import (
	"syscall"
	"testing"
)

// BenchmarkGetppid measures the cost of a system call on this machine, the
// figure to state beside any other (a virtual machine's can change between
// sessions by more than ten times):
//
//	go test -run '^$' -bench Getppid -benchtime 2000000x -count 5
//
// and take the best.
func BenchmarkGetppid(b *testing.B) {
	for b.Loop() {
		syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
	}
}

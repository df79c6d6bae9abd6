// Package benchmarks compares nlkit with a raw golang.org/x/sys/unix
// reference, with github.com/vishvananda/netlink and with iproute2's ip.
// It holds only benchmarks; see README.md.
package benchmarks

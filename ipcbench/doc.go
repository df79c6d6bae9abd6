// Package ipcbench measures netlink (NETLINK_USERSOCK) against the other
// local IPC mechanisms of Linux, to check what the netlink literature claims
// for custom kernel–user and user–user protocols. It holds no library code:
// the benchmarks and the tests that keep them honest are in its test files,
// and docs/IPC.md holds the measured table and the command that reproduces it.
//
// # Request/response
//
// BenchmarkRoundTrip (one request outstanding: nanoseconds per round trip)
// and BenchmarkThroughput (64 requests outstanding: replies per second) time
// an echo between the benchmark and a server in a second process, a re-exec
// of the test binary. Every transport carries the same bytes: a netlink
// message of 64 bytes or 4 KiB, header included, whose nlmsg_len is also the
// length prefix of the byte-stream transports. The transports are
//
//   - netlink: two NETLINK_USERSOCK sockets with kernel-assigned port ids,
//     connected to each other, blocking read and write (golang.org/x/sys/unix),
//     opened in a network namespace of the benchmark's own (netlink between
//     processes is never tried in the host's);
//   - netlink-nlkit: the same over package nl, the way nlkit users write it
//     (Conn.Do for a round trip, Conn.Send and Conn.Messages pipelined), on
//     the Go runtime's poller, in a namespace of its own passed to the server
//     as a descriptor;
//   - unix-seqpacket and unix-stream: a Unix domain socket pair, blocking;
//     the stream carries length-prefixed messages;
//   - unix-seqpacket-net: the seqpacket pair through package net, on the
//     poller, the counterpart of netlink-nlkit;
//   - pipe: one pipe each way, length-prefixed, blocking;
//   - mqueue: one POSIX message queue each way (mq_open, mq_timedsend,
//     mq_timedreceive by system call number), unlinked as soon as opened.
//
// # Multicast fan-out
//
// BenchmarkFanoutLatency (the next message is sent when every subscriber has
// the previous one) and BenchmarkFanoutThroughput (64 messages in flight)
// deliver each message to 1, 8 or 32 subscriber goroutines of the benchmark's
// process:
//
//   - netlink and netlink-nlkit: one sendmsg to a NETLINK_USERSOCK group
//     (joined by bind mask, or with Conn.JoinGroup) in a network namespace of
//     the benchmark's own, so that no other process sees the broadcasts;
//   - unix-seqpacket: one write per subscriber on a socket pair each, with
//     blocking system calls, and unix-seqpacket-net, the same through
//     package net;
//   - unix-dgram-sendmmsg: one sendmmsg of one datagram per subscriber.
//
// A smoke run, every benchmark once, takes a few seconds:
//
//	go test -run '^$' -bench . -benchtime 1x ./ipcbench
//
// docs/IPC.md gives the command of a full run and its results. The netlink
// transports need root for their namespaces (package netnstest), and are
// skipped without it.
package ipcbench

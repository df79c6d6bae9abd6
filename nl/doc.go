// Package nl is the netlink core of nlkit: the wire format (message headers,
// alignment, attributes), the connection (request/reply, dumps, multicast,
// batching, socket options, namespaces, credentials) and the errors the
// kernel returns, with every extended-ACK field decoded.
//
// Package nl knows nothing of any netlink family. Family packages build their
// messages with an [Encoder], send them through a [Conn], and decode replies
// with an [AttrDecoder]; dumping, acknowledging, retrying, batching and error
// decoding live here, once.
//
// # The path of one request
//
// A request is encoded into a reusable [Encoder]. The [Conn] stamps the
// sequence number and port id into the encoded header, sends it with one
// sendmsg, and reads replies into one reusable receive buffer of at least
// 32 KiB, which grows (rather than truncating) when the kernel reports a larger
// datagram. Received datagrams are split into messages in place, without
// copying. Replies are matched by sequence number and sender port; multicast
// messages that arrive meanwhile are queued for [Conn.Receive] and never taken
// for replies. An NLMSG_ERROR becomes an [*Error] that carries the errno and
// every extended-ACK field; NLMSG_DONE ends a dump; NLM_F_DUMP_INTR yields
// [ErrDumpInterrupted], and [Retry] reruns an interrupted dump a bounded
// number of times.
//
// # Listening
//
// [Conn.Datagrams] streams every datagram that is not a reply, with its
// sender, group, namespace id and credentials, each read once; it serves
// protocols that do not speak netlink messages too (kernel uevents).
// [Conn.Messages] and [Conn.Receive] are built on it: a malformed datagram
// is reported and skipped, an overrun or a datagram cut for want of buffer
// room is an [*OverrunError], and the stream goes on. [Conn.TrySend] sends
// without ever waiting for a full user-space receiver.
//
// # Batches and transactions
//
// [Conn.Batch] sends many requests per sendmsg and reports the outcome of
// each, asking an acknowledgement of the last of each sendmsg only.
// [Conn.Transact] sends a framed transaction (nftables') as one datagram
// that is never split, and says whether the kernel applied all of it or
// none, naming each message it refused.
//
// # The family toolkit
//
// [Objects] and [Collect] turn a dump into typed objects, given an
// [ObjectDecoder]; [Resync], [Snapshot] and [Diff] let a listener that lost
// events fetch the state again on a connection of its own and learn what
// changed. docs/ARCHITECTURE.md shows how a family is written with them.
//
// # Concurrency
//
// A Conn may be used by many goroutines at once. Request/reply exchanges are
// serialized on the socket; a goroutine blocked in [Conn.Receive] or
// [Conn.Messages] yields the socket to a request and resumes afterwards. A
// dump holds the connection while its loop runs: do not use the same Conn
// from inside the loop body.
package nl

// Package usersock serves custom netlink protocols from user space over
// NETLINK_USERSOCK, in the shape of the kernel's netlink API, so that a
// protocol can be built, tested and shipped without a kernel module.
//
// A Server is what netlink_kernel_create makes: it is bound to a well-known
// port id, calls an input Handler for every request (Config mirrors struct
// netlink_kernel_cfg: number of groups, input, bind and unbind hooks), and
// sends with Unicast and Broadcast. A Client, or any nl.Conn whose
// Config.Peer is the server's port, talks to it as to the kernel.
//
// # Semantics
//
// The server answers as the kernel's netlink_rcv_skb does:
//
//   - Messages are handled in the order of their datagram. Only requests
//     (NLM_F_REQUEST) of the protocol's own types (from NLMSG_MIN_TYPE)
//     reach a handler; other messages are acknowledged if they ask for it.
//   - Replies echo the request's sequence number and carry the requester's
//     port id in nlmsg_pid. A reply of several messages is multipart
//     (NLM_F_MULTI) and ends with NLMSG_DONE. Replies to one datagram are
//     sent together, several per sendmsg, in datagrams of at most 32 KiB
//     (the receive buffer of an nl.Conn).
//   - A request flagged NLM_F_ACK is acknowledged (NLMSG_ERROR, error 0)
//     after its replies. An error is always reported: NLMSG_ERROR with
//     -errno, the request's header (capped, as with NETLINK_CAP_ACK) and
//     the extended-ACK message (NLMSGERR_ATTR_MSG, NLM_F_ACK_TLVS), which
//     nl.Conn decodes into an *nl.Error. A request without NLM_F_ACK whose
//     handler writes no reply gets no answer.
//   - A request with NLM_F_DUMP goes to the Dump handler; its replies are
//     multipart and end with NLMSG_DONE, which carries the error, if any.
//   - Replies go to the port the kernel reports as the datagram's source,
//     never to the nlmsg_pid the sender wrote: a sender cannot pose as
//     another port.
//
// Every length is checked before use; a malformed message gets an EINVAL
// error reply (with sequence number 0 if not even a header could be read),
// a datagram larger than Config.MaxMessage gets EMSGSIZE, and a handler's
// panic gets EIO; the server goes on. As the kernel stops at a malformed
// message, the server stops at a refused one: when the Policy refuses a
// datagram's sender (EPERM), when one of its messages fails the Key's
// checks, or when its port has too many requests in flight (EBUSY, see
// Throughput), one error answers the first refused request and the rest
// of the datagram is not read (its requests are counted in Stats).
//
// # Access control
//
// The server receives every sender's credentials (SO_PASSCRED) and checks
// its user and group ids against its Policy; a refused sender gets EPERM.
// The kernel fills the credentials in, and the user and group ids are
// sound: a process can claim other ids only with the privileges to become
// them. The process id is not: it is the number the sender's own PID
// namespace gives it, so any user can arrive as pid 1 or as the pid of a
// running root process. A Policy never sees it; never authorise by it or
// by /proc/<pid>.
//
// # Groups
//
// NETLINK_USERSOCK has 32 multicast groups and no kernel bind callback.
// The kernel lets only processes with CAP_NET_ADMIN (in the user namespace
// owning the network namespace) join them, but lets any process send to
// them: a member may receive forged messages. A Client takes only those
// whose source port, which the kernel fills in, is its server's, and only
// for groups it joined with Join or Subscribe (a group joined any other
// way is not listened to: its messages are dropped and counted); with a
// Key, only authentic ones sealed while it listened.
//
// A Client announces its joins and leaves to the server with the reserved
// request types MsgJoin and MsgLeave (payload: the group number, 32-bit,
// host byte order), which call Config.Bind and Config.Unbind and may be
// refused; a process that joins a group directly is not seen.
// Announcements tell the server who listens; they do not keep anyone with
// CAP_NET_ADMIN from listening. A Key does.
//
// # Authentication and encryption
//
// With a Key (a secret shared by the server and its clients), the payload
// of every message of the protocol's own types is sealed with AES-256-GCM:
//
//	epoch (8 bytes) | counter (8 bytes) | time (8 bytes) | ciphertext | tag (16 bytes)
//
// Each sender session (a port id and an epoch, 64 random bits drawn when
// the server or client starts) has its own key, derived from the secret
// with HKDF-SHA256, and numbers its messages; the nonce is the counter.
// The time is when the message was sealed. The additional data binds the
// message's type, its destination (port or group), its time and, for a
// reply, the request it answers, so a message replayed from another port,
// to another destination or as another type fails to authenticate
// (ErrAuth).
//
// Receivers refuse replays, by when a message was sealed and by its
// counter, without trusting session ids to be ordered:
//
//   - A server refuses a request sealed before it bound its port, or more
//     than a second ahead of its clock (ErrStale: both ends read the same
//     clock, so the allowance covers only its being set back in between),
//     and a counter already seen in the sender session's 1024-message
//     sliding window (ErrReplay). A Client whose request was refused as
//     stale seals it anew and retries once.
//   - A Client drops a message sealed while it did not listen there
//     (before it dialed; for a group it joined with Join or Subscribe,
//     while it was not a member), and refuses one that does not come after
//     the last message it took from the same port (ErrReplay): a server
//     seals and sends in order, so in one session the counter must grow,
//     and a later session's messages must be sealed later.
//   - A server remembers at most 16 sessions per sender port and 4,096 in
//     all (a Client the 4,096 senders it heard from last). Forgetting a
//     session raises its port's floor to the session's newest message, and
//     a message of a session it does not know sealed at or before its
//     port's floor is refused (ErrStale); a session that is remembered
//     again keeps that floor, so its old messages stay refused. A new
//     session forgets the least recently used of its own port's first, so
//     one sender's sessions never push another's out; when the table is
//     full its least recently used quarter goes. Sessions dated ahead of
//     the clock are never forgotten before the clock reaches them (at most
//     1,024 at once, and never a port's whole quota), so no floor is ever
//     above the receiver's clock, and no key holder can lock other
//     clients out by dating its sessions ahead.
//
// So a recording replayed by a process that holds the server's or a
// client's port while its owner is down is refused, whether it comes from
// an earlier run or the current one. What is left: a broadcast a client
// missed (to an overrun, say) and nothing later from its server can still
// reach it once, late. Sender and receiver read the same wall clock: if it
// is set back, a server refuses requests (ESTALE) and clients drop
// broadcasts of groups they joined meanwhile until it catches up with
// where it was; if it ran ahead and is set right, recordings made
// meanwhile pass a receiver that starts before the clock catches up with
// them.
// Acknowledgements, errors and dump ends (NLMSG_ERROR, NLMSG_DONE) are
// not sealed, but authenticated: with a Key the server puts a 20-byte code
// in each one's extended-ACK cookie — its time and an HMAC-SHA256 (cut to
// 12 bytes) of the server's and the client's ports, the request it answers
// (its binding), the type, the error code and the time — and a Client
// refuses one without a correct code for its own request, failing the call
// with ErrAuth (nl.Config.CheckControl lets it see them): a process that
// takes the server's port while it is down cannot make Do or Subscribe
// succeed. With a Key a Client refuses every other type below 16. An
// error's text travels in the clear and is not covered by the code.
// Header fields other than the type (flags, sequence number, nlmsg_pid)
// are not authenticated, since nl.Conn stamps them after the payload is
// sealed; the kernel, not the sender, vouches for the source port.
//
// Keys never print their contents, and no error or log message of this
// package contains key material.
//
// Opening a message of a known session costs about 0.5 µs; a new session
// costs a key derivation and a cipher setup, about 4–7 µs more
// (BenchmarkOpen; docs/IPC.md; Stats.Derived counts them); an answer's
// code costs about 0.2 µs to make and 0.3 µs to check (BenchmarkAnswer).
// Senders the Policy refuses never reach the key derivation or the
// decryption: their refusal carries an HMAC code only. For a sender it allows, a datagram of
// forgeries costs at most one derivation (the first message that fails
// authentication ends the datagram), and a session named again costs
// none: besides the sessions it tracks, a receiver caches the keys of the
// last 512 sessions it derived. The derivations a server makes for
// sessions that then fail to authenticate are budgeted per sender user
// id, the identity the kernel vouches for: a burst of 64, then 32 a
// second (about 0.2 ms of a worker's time a second). Past the budget, a
// request of a session the server does not know is refused with EAGAIN
// before any derivation (Stats.Limited). A derivation for a session that
// authenticates is given back, so senders that hold the Key are limited
// only if a process of their own user id spends the budget on forgeries.
//
// # Threat model
//
// Who can do what to a protocol on NETLINK_USERSOCK, in the network
// namespace of its server, and what stops it. "Key holder" means a process
// given the Key; "port-taker" a process that binds the server's (or a
// client's) port while its owner is down, which any process may.
//
//	Who               Can                                    Stopped by                               Not stopped
//	----------------  -------------------------------------  ---------------------------------------  --------------------------------------
//	any process       send requests to the server            Policy on the kernel's uid/gid: EPERM,   a sender of an allowed uid
//	                                                         before any handler or cryptography
//	any user          present any pid (pid 1 in a user+PID   nothing needed: a Policy never sees the  code that trusts Request.Creds.PID or
//	                  namespace of its own; any pid via      pid; uid/gid are translated by the       /proc/<pid>
//	                  ns_last_pid)                           kernel and sound
//	any process       write another port in nlmsg_pid        replies go to the kernel-reported
//	                                                         source port
//	any process       send to groups (forge broadcasts)      a Client takes only its server's port,   without a Key: the server's port, once
//	                                                         only groups joined by Join/Subscribe;     taken
//	                                                         with a Key, only authentic broadcasts
//	                                                         sealed while it listened
//	CAP_NET_ADMIN     join any group and read broadcasts     a Key (encryption)                       without a Key: everything
//	port-taker        answer requests, send broadcasts,      a Key: payloads sealed to the session    without a Key: everything; with one, a
//	                  replay recordings, forge ACK, ERROR,   and destination; ACK/ERROR/DONE carry a  broadcast a client missed and nothing
//	                  DONE or control types                  code for the request they answer;        later from its server reaches it once,
//	                                                         types 4–15 refused; replays refused by   late
//	                                                         sealing time, counters and floors
//	key holder        open sessions without end, date        16 sessions per port, own sessions       a key holder reads and forges what the
//	                  them ahead, to push others out         forgotten first, floors never above the  Key protects: it is trusted
//	                                                         clock, at most 1 s ahead
//	allowed sender    not read its answers                   waiting replies leave the worker pool;   MaxWaiting replies waiting at once (then
//	                                                         MaxInFlight datagrams per port; excess   replies to full clients are dropped)
//	                                                         refused at once (EBUSY), drops counted
//	allowed sender    send datagrams of forged messages      first refusal ends the datagram (one     a forger of the same uid as genuine
//	                  (work per message)                     derivation at most); keys cached; 64,    clients delays their new sessions
//	                                                         then 32 failed derivations a second per  (EAGAIN), not known ones
//	                                                         uid (EAGAIN)
//	root              set the clock back or forward          (see above: stale refusals, recordings   everything else root can do
//	                                                         passing while it catches up)
//
// The kernel vouches for a datagram's source port and its uid and gid;
// nothing else about a sender. A Key is the only protection against
// processes that can take ports or join groups.
//
// # Throughput
//
// One goroutine reads the socket; Config.Workers goroutines run the
// handlers (the kernel document's "offload heavy processing to worker
// threads"). When all workers are busy and Config.Queue datagrams wait, the
// server stops reading, and senders block on its full receive buffer
// rather than lose requests. One port may have Config.MaxInFlight request
// datagrams queued, handled or answered at once; the reader refuses its
// next ones at once (EBUSY, counted in Stats.Busy).
//
// A reply that finds its client's receive buffer full waits for room, up
// to Config.SendTimeout, outside the worker pool: its worker hands its
// place to a new goroutine and finishes that one job alone. At most
// Config.MaxWaiting replies wait at once; past that, a reply to a full
// client is dropped at once, as the kernel drops its acknowledgements. A
// refusal (of a sender the Policy refuses, or of a malformed, unauthentic,
// oversized, excess or late message) never waits. So a sender that does
// not read its answers cannot hold up the server: it costs at most
// MaxInFlight waiting goroutines with their buffers (a process with many
// sockets, MaxWaiting), for SendTimeout each, and its dropped replies are
// counted in Stats.Dropped. (A handler
// that calls Unicast or Broadcast waits, in the pool, as its ctx allows.)
// What the server logs about senders is rate-limited.
//
// Shutdown stops accepting (new requests are refused with ESHUTDOWN),
// answers every request already received (a reply waiting for a client
// that does not read, up to SendTimeout), lets running handlers still
// Unicast and Broadcast, and closes the port; Close ends handlers'
// contexts, ends waiting replies and drops queued requests without
// waiting for running handlers.
package usersock

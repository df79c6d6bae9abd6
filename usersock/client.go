package usersock

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// ClientConfig configures a Client. The zero value (or nil) dials with a
// kernel-assigned port id and no Key.
type ClientConfig struct {
	// Port is the client's own port id; 0 lets the kernel choose.
	Port uint32
	// Key must be the server's Key when the server has one.
	Key *Key
	// NetNS, if set, is the network namespace to dial in.
	NetNS *netns.NS
	// ReadBuffer and WriteBuffer set the socket's buffer sizes (see
	// nl.Config).
	ReadBuffer, WriteBuffer int
	// Trace, if set, receives every message sent and received (sealed
	// payloads appear encrypted).
	Trace io.Writer
}

// A Client talks to a Server: requests, dumps, and group subscriptions,
// over an nl.Conn whose peer is the server's port. It is safe for
// concurrent use; requests on one Client are serialized, as on any
// nl.Conn.
type Client struct {
	conn   *nl.Conn
	server uint32
	port   uint32
	key    *Key

	sem    chan struct{} // with a Key: one sealed request at a time, so counters go out in order
	seal   *sealer       // the client's session
	peers  *peerTable    // the server's sessions, for its messages
	dialed int64         // when the client began to listen to unicasts

	encs sync.Pool // *nl.Encoder

	mmu    sync.Mutex // orders joins and leaves with their records in joined
	gmu    sync.Mutex
	groups []uint32               // groups subscribed to with Subscribe
	joined map[uint32]*membership // when the client was a member of each group joined with Join or Subscribe

	dropped, refused atomic.Uint64 // see ClientStats
}

// ClientStats counts the messages a Client's Messages did not take.
type ClientStats struct {
	// Dropped counts the messages dropped without a word: from another
	// port than the server's, to a group the client never joined with
	// Join or Subscribe, or, with a Key, sealed while the client did not
	// listen there.
	Dropped uint64
	// Refused counts the messages yielded as errors, with a Key: those
	// that fail authentication, replays, stale ones, and messages of the
	// types below nl.MsgMinType, which a server never sends unprompted.
	Refused uint64
}

// Dial opens a client of the server at port server. With server 0 (the
// kernel, which has no NETLINK_USERSOCK input) the client can only listen
// to groups: requests fail with ECONNREFUSED.
func Dial(server uint32, cfg *ClientConfig) (*Client, error) {
	if cfg == nil {
		cfg = &ClientConfig{}
	}
	c := &Client{server: server, key: cfg.Key, dialed: now(), joined: make(map[uint32]*membership)}
	ncfg := &nl.Config{
		NetNS:       cfg.NetNS,
		Port:        cfg.Port,
		Peer:        server,
		ReadBuffer:  cfg.ReadBuffer,
		WriteBuffer: cfg.WriteBuffer,
		Trace:       cfg.Trace,
	}
	if c.key != nil {
		ncfg.CheckControl = c.checkControl
	}
	conn, err := nl.Dial(nl.UserSock, ncfg)
	if err != nil {
		return nil, fmt.Errorf("usersock: dial: %w", err)
	}
	c.conn, c.port = conn, conn.Port()
	if c.key != nil {
		c.sem = make(chan struct{}, 1)
		if c.seal, err = newSealer(c.key, c.port, newEpoch()); err != nil {
			conn.Close()
			return nil, err
		}
		c.peers = newPeerTable(c.key)
		c.peers.ordered = true // a server sends in order: see Messages
	}
	return c, nil
}

// Conn returns the connection under the client. With a Key, its
// exchanges (Do, Execute, Dump) take only answers authenticated for the
// request, as the client's own do (see Client.Do).
func (c *Client) Conn() *nl.Conn { return c.conn }

// Stats returns the counts of the messages Messages did not take.
func (c *Client) Stats() ClientStats {
	return ClientStats{Dropped: c.dropped.Load(), Refused: c.refused.Load()}
}

// Port returns the client's port id.
func (c *Client) Port() uint32 { return c.conn.Port() }

// Server returns the port id of the client's server.
func (c *Client) Server() uint32 { return c.server }

// String describes the client without any key material.
func (c *Client) String() string {
	sealed := ""
	if c.key != nil {
		sealed = ", sealed"
	}
	return fmt.Sprintf("usersock client on port %d of server %d%s", c.port, c.server, sealed)
}

// Close leaves the subscribed groups (telling the server, without waiting
// for it) and closes the connection.
func (c *Client) Close() error {
	c.gmu.Lock()
	groups := c.groups
	c.groups = nil
	c.gmu.Unlock()
	for _, g := range groups {
		c.conn.LeaveGroup(g)
		if b, err := c.membershipMessage(MsgLeave, g); err == nil {
			c.conn.Send(context.Background(), b, nl.Addr{Port: c.server})
		}
	}
	return c.conn.Close()
}

func (c *Client) encoder() *nl.Encoder {
	if e, ok := c.encs.Get().(*nl.Encoder); ok {
		e.Reset()
		return e
	}
	return new(nl.Encoder)
}

func (c *Client) release(e *nl.Encoder) {
	if cap(e.Bytes()) <= 256<<10 {
		c.encs.Put(e)
	}
}

// retryable reports whether err is a server's refusal of a request as
// stale that a request sealed anew passes: sealed before the server
// started or before the newest message of a session it forgot, or ahead
// of its clock (which was set back meanwhile).
func retryable(err error) bool {
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Errno != unix.ESTALE {
		return false
	}
	switch ne.Message {
	case ErrStale.Error() + ": " + staleBefore, ErrStale.Error() + ": " + staleForgotten,
		ErrStale.Error() + ": " + staleFuture, ErrStale.Error() + ": " + staleAhead:
		return true
	}
	return false
}

// checkControl is the connection's nl.Config.CheckControl, with a Key: of
// the control messages answering a request, it takes only an NLMSG_ERROR
// or NLMSG_DONE authenticated for the request (see answer.go).
func (c *Client) checkControl(m nl.Message, req []byte) error {
	if m.Header.Type != nl.MsgError && m.Header.Type != nl.MsgDone {
		return fmt.Errorf("usersock: answer from port %d: %w: unauthenticated %v", m.Meta.Port, ErrAuth, m.Header.Type)
	}
	if err := c.key.checkAnswer(m, req, c.server, c.port, c.dialed, now()); err != nil {
		return fmt.Errorf("usersock: answer from port %d: %w", m.Meta.Port, err)
	}
	return nil
}

// result returns the outcome of an exchange; with a Key, an error the
// server sent loses its cookie, which was the server's authentication
// code, not a handler's.
func (c *Client) result(err error) error {
	if c.key == nil || err == nil {
		return err
	}
	var ne *nl.Error
	if errors.As(err, &ne) {
		ne.Cookie = nil
	}
	return err
}

// encode builds a request of type t with flags and payload (sealed with a
// Key) into e, and returns the binding its replies must carry.
func (c *Client) encode(e *nl.Encoder, t nl.MsgType, flags nl.Flags, payload []byte) (binding, error) {
	e.Begin(t, flags)
	var bind binding
	n := len(payload)
	if c.key != nil {
		n += sealOverhead
		dst := e.Fixed(n)
		var out []byte
		out, bind = c.seal.seal(dst[:0], kindRequest, t, c.server, binding{}, payload)
		if len(out) != n || &out[0] != &dst[0] {
			copy(dst, out)
		}
	} else {
		e.Payload(payload)
	}
	if err := e.End(); err != nil {
		return bind, err
	}
	// The Encoder counts the payload's padding in the length; a client's
	// payload is exactly what it was given.
	binary.NativeEndian.PutUint32(e.Bytes(), uint32(nl.HeaderLen+n))
	return bind, nil
}

// lock serializes sealed requests, so that their counters reach the
// server in order.
func (c *Client) lock(ctx context.Context) error {
	if c.sem == nil {
		return nil
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) unlock() {
	if c.sem != nil {
		<-c.sem
	}
}

// openReply decrypts a reply in place, when the client has a Key; a
// message of a type below nl.MsgMinType is refused then (checkControl
// refuses them first).
func (c *Client) openReply(m *nl.Message, bind binding) error {
	if c.key == nil {
		return nil
	}
	if m.Header.Type < nl.MsgMinType {
		return fmt.Errorf("usersock: reply from port %d: %w: unauthenticated %v", m.Meta.Port, ErrAuth, m.Header.Type)
	}
	plain, _, err := c.peers.open(m.Data, m.Meta.Port, kindReply, m.Header.Type, c.port, bind, false, 0)
	if err != nil {
		return fmt.Errorf("usersock: reply from port %d: %w", m.Meta.Port, err)
	}
	m.Data = plain
	return nil
}

// Do sends a request of type t with flags (nl.Acknowledge to be answered
// even without a reply) and payload, and calls fn with each reply message,
// decrypted; a message is valid only during the call. A refusal is
// returned as an *nl.Error with the server's errno and message. It works as
// nl.Conn.Do does: it returns after the acknowledgement when flags ask for
// one, after NLMSG_DONE ends a multipart reply, and otherwise after the
// first reply.
//
// With a Key, every reply must authenticate as an answer to this request,
// and so must the acknowledgement, error or NLMSG_DONE that ends the
// exchange (the server puts a code in its extended-ACK cookie; the
// *nl.Error returned has no Cookie). One that does not ends the exchange
// with an error wrapping ErrAuth (or ErrStale if it was sealed before the
// client dialed): whoever holds the server's port while it is down can
// neither make a request succeed nor choose its error. A message of a
// type below nl.MsgMinType other than NLMSG_ERROR and NLMSG_DONE is
// refused the same way.
func (c *Client) Do(ctx context.Context, t nl.MsgType, flags nl.Flags, payload []byte, fn func(nl.Message) error) error {
	if t < nl.MsgMinType || t >= MsgReserved {
		return fmt.Errorf("usersock: request type %d is reserved", uint16(t))
	}
	return c.do(ctx, t, flags, payload, fn)
}

func (c *Client) do(ctx context.Context, t nl.MsgType, flags nl.Flags, payload []byte, fn func(nl.Message) error) error {
	err := c.do1(ctx, t, flags, payload, fn)
	if c.key != nil && retryable(err) {
		// Sealed before the server (re)started: seal it anew.
		err = c.do1(ctx, t, flags, payload, fn)
	}
	return c.result(err)
}

func (c *Client) do1(ctx context.Context, t nl.MsgType, flags nl.Flags, payload []byte, fn func(nl.Message) error) error {
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	e := c.encoder()
	defer c.release(e)
	bind, err := c.encode(e, t, flags, payload)
	if err != nil {
		return err
	}
	return c.conn.Do(ctx, e, func(m nl.Message) error {
		if err := c.openReply(&m, bind); err != nil {
			return err
		}
		if fn == nil {
			return nil
		}
		return fn(m)
	})
}

// Request sends a request as Do does and returns copies of the reply
// messages (without the acknowledgement).
func (c *Client) Request(ctx context.Context, t nl.MsgType, flags nl.Flags, payload []byte) ([]nl.Message, error) {
	var out []nl.Message
	err := c.Do(ctx, t, flags, payload, func(m nl.Message) error {
		out = append(out, m.Clone())
		return nil
	})
	return out, err
}

// Dump sends a dump request (NLM_F_DUMP) of type t with payload and yields
// each reply message, decrypted, as nl.Conn.Dump does: a message is valid
// only until the loop body returns, and an error ends the iteration.
func (c *Client) Dump(ctx context.Context, t nl.MsgType, payload []byte) iter.Seq2[nl.Message, error] {
	return func(yield func(nl.Message, error) bool) {
		if t < nl.MsgMinType || t >= MsgReserved {
			yield(nl.Message{}, fmt.Errorf("usersock: request type %d is reserved", uint16(t)))
			return
		}
		for attempt := 0; ; attempt++ {
			yielded, err := c.dump1(ctx, t, payload, yield)
			if err == nil {
				return
			}
			if attempt == 0 && !yielded && c.key != nil && retryable(err) {
				continue
			}
			yield(nl.Message{}, c.result(err))
			return
		}
	}
}

// dump1 runs one dump; it returns the error that ended it (not yet
// yielded) and whether any message was yielded.
func (c *Client) dump1(ctx context.Context, t nl.MsgType, payload []byte, yield func(nl.Message, error) bool) (bool, error) {
	if err := c.lock(ctx); err != nil {
		return false, err
	}
	defer c.unlock()
	e := c.encoder()
	defer c.release(e)
	bind, err := c.encode(e, t, nl.Dump, payload)
	if err != nil {
		return false, err
	}
	yielded := false
	for m, err := range c.conn.Dump(ctx, e) {
		if err == nil {
			err = c.openReply(&m, bind)
		}
		if err != nil {
			return yielded, err
		}
		yielded = true
		if !yield(m, nil) {
			return true, nil
		}
	}
	return yielded, nil
}

// membershipMessage builds a MsgJoin or MsgLeave request for group g, for
// sending without waiting (Close).
func (c *Client) membershipMessage(t nl.MsgType, g uint32) ([]byte, error) {
	e := new(nl.Encoder)
	var p [4]byte
	binary.NativeEndian.PutUint32(p[:], g)
	if _, err := c.encode(e, t, nl.Request, p[:]); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}

// Subscribe joins multicast groups and announces each to the server
// (MsgJoin, acknowledged): the server's Config.Bind may refuse it, and
// then the group is left again. Joining a NETLINK_USERSOCK group needs
// CAP_NET_ADMIN (in the user namespace owning the network namespace):
// without it Subscribe fails with an error matching os.ErrPermission.
func (c *Client) Subscribe(ctx context.Context, groups ...uint32) error {
	for _, g := range groups {
		var p [4]byte
		binary.NativeEndian.PutUint32(p[:], g)
		// Join first, then announce: once the server knows of the member
		// (and may broadcast to it), the socket is already in the group.
		was, err := c.join(g)
		if err != nil {
			return err
		}
		if err := c.do(ctx, MsgJoin, nl.Acknowledge, p[:], nil); err != nil {
			if !was { // undo only a join this call made
				c.leave(g)
			}
			return fmt.Errorf("usersock: subscribe to group %d: %w", g, err)
		}
		c.gmu.Lock()
		if !slices.Contains(c.groups, g) {
			c.groups = append(c.groups, g)
		}
		c.gmu.Unlock()
	}
	return nil
}

// Unsubscribe leaves groups and tells the server (MsgLeave, acknowledged).
func (c *Client) Unsubscribe(ctx context.Context, groups ...uint32) error {
	for _, g := range groups {
		if err := c.leave(g); err != nil {
			return err
		}
		c.gmu.Lock()
		c.groups = slices.DeleteFunc(c.groups, func(x uint32) bool { return x == g })
		c.gmu.Unlock()
		var p [4]byte
		binary.NativeEndian.PutUint32(p[:], g)
		if err := c.do(ctx, MsgLeave, nl.Acknowledge, p[:], nil); err != nil {
			return fmt.Errorf("usersock: unsubscribe from group %d: %w", g, err)
		}
	}
	return nil
}

// Join joins multicast groups without telling anyone, as any process with
// CAP_NET_ADMIN may on NETLINK_USERSOCK; a server's Bind hook does not
// hear of it.
func (c *Client) Join(groups ...uint32) error {
	for _, g := range groups {
		if _, err := c.join(g); err != nil {
			return err
		}
	}
	return nil
}

// Leave leaves multicast groups without telling anyone, undoing Join.
func (c *Client) Leave(groups ...uint32) error {
	for _, g := range groups {
		if err := c.leave(g); err != nil {
			return err
		}
	}
	return nil
}

// join joins group g, explaining the kernel's refusal, and reports
// whether the client was a member already. The membership is recorded
// from just before the kernel call, under the lock that orders joins and
// leaves, so the record follows the kernel's.
func (c *Client) join(g uint32) (was bool, err error) {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	t := now()
	if err := c.conn.JoinGroup(g); errors.Is(err, unix.EPERM) {
		return false, fmt.Errorf("usersock: join group %d: %w (joining a NETLINK_USERSOCK group needs CAP_NET_ADMIN)", g, err)
	} else if err != nil {
		return false, fmt.Errorf("usersock: join group %d: %w", g, err)
	}
	c.gmu.Lock()
	defer c.gmu.Unlock()
	m := c.joined[g]
	if m == nil {
		m = new(membership)
		c.joined[g] = m
	}
	was = m.since != 0
	m.join(t)
	return was, nil
}

// leave leaves group g and records when.
func (c *Client) leave(g uint32) error {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	if err := c.conn.LeaveGroup(g); err != nil {
		return fmt.Errorf("usersock: leave group %d: %w", g, err)
	}
	c.gmu.Lock()
	defer c.gmu.Unlock()
	if m := c.joined[g]; m != nil {
		m.leave(now())
	}
	return nil
}

// Messages streams the messages the server sends unprompted: broadcasts to
// the groups the client joined (Meta.Group set) and unicasts, decrypted
// and checked against replays when the client has a Key. Messages from
// other ports than the server's are dropped (a client of server 0 takes
// every sender's); the sender's port is the kernel's word and cannot be
// forged, but any process may send to a NETLINK_USERSOCK group, so a
// client of server 0 without a Key takes forgeries too.
//
// A message to a group the client never joined with Join or Subscribe is
// dropped: the group a message reports is the one its sender addressed,
// and a sender may address a group and a port at once, reaching a port
// that is not a member. (A group joined on Conn directly is not listened
// to.)
//
// With a Key, a message sealed while the client did not listen there
// (before it dialed; for a group, while it was not a member) is dropped:
// it was not sent to it, and may be a recording replayed by whoever holds
// the server's port while the server is down. A message must also be
// sealed after the last one taken from its sender, in any session, since
// a server seals and sends in order: one missed to an overrun cannot be
// slipped in later (ErrReplay). A message of a type below nl.MsgMinType,
// which is not sealed and which a server never sends unprompted, is
// refused (ErrAuth).
//
// A message is valid only until the loop body returns. A message that
// fails authentication or is a replay is yielded as an error wrapping
// ErrAuth, ErrReplay or ErrStale, and the stream goes on; an overrun is
// yielded as the nl.Conn reports it, and any other error ends the stream.
// Stats counts what was dropped and refused.
func (c *Client) Messages(ctx context.Context) iter.Seq2[nl.Message, error] {
	return func(yield func(nl.Message, error) bool) {
		for m, err := range c.conn.Messages(ctx) {
			if err != nil {
				if !yield(m, err) {
					return
				}
				continue
			}
			if (c.server != 0 && m.Meta.Port != c.server) || (m.Meta.Group != 0 && !c.member(m.Meta.Group)) {
				c.dropped.Add(1)
				continue
			}
			if c.key != nil {
				plain, err := c.openMessage(m)
				if plain == nil && err == nil {
					c.dropped.Add(1)
					continue // not sent to this client: stale, or a recording
				}
				if err != nil {
					c.refused.Add(1)
					if !yield(m, err) {
						return
					}
					continue
				}
				m.Data = plain
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// openMessage authenticates and decrypts an unsolicited message, in
// place. It returns nil and no error for a message to drop quietly.
func (c *Client) openMessage(m nl.Message) ([]byte, error) {
	if m.Header.Type < nl.MsgMinType {
		return nil, fmt.Errorf("usersock: message from port %d: %w: unauthenticated %v", m.Meta.Port, ErrAuth, m.Header.Type)
	}
	if !c.sentToUs(m.Meta.Group, m.Data) {
		return nil, nil
	}
	kind, dst := byte(kindUnicast), c.port
	if m.Meta.Group != 0 {
		kind, dst = kindBroadcast, m.Meta.Group
	}
	plain, _, err := c.peers.open(m.Data, m.Meta.Port, kind, m.Header.Type, dst, binding{}, true, 0)
	if err != nil {
		return nil, fmt.Errorf("usersock: message from port %d: %w", m.Meta.Port, err)
	}
	if plain == nil {
		plain = m.Data[:0] // an empty payload is not a drop
	}
	return plain, nil
}

// member reports whether the client ever joined group g with Join or
// Subscribe.
func (c *Client) member(g uint32) bool {
	c.gmu.Lock()
	defer c.gmu.Unlock()
	return c.joined[g] != nil
}

// sentToUs reports whether a sealed message to group g (0 for a unicast),
// sealed at the time its envelope states, was sealed while the client
// listened there: after it dialed, and for a group, while it was a member
// (joined with Join or Subscribe: a group without a record is not
// listened to). The time it reads is authenticated afterwards, with the
// rest of the message.
func (c *Client) sentToUs(g uint32, p []byte) bool {
	if len(p) < sealHeader {
		return true // let authentication refuse it
	}
	sealed := int64(binary.BigEndian.Uint64(p[16:]))
	if sealed <= c.dialed {
		return false
	}
	if g == 0 {
		return true
	}
	c.gmu.Lock()
	defer c.gmu.Unlock()
	m := c.joined[g]
	return m != nil && m.covers(sealed)
}

package nl_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// nftables' message types: the subsystem in the high byte.
func nftType(msg int) nl.MsgType { return nl.MsgType(unix.NFNL_SUBSYS_NFTABLES<<8 | msg) }

// nfgen appends the nfgenmsg header every nfnetlink message starts with.
func nfgen(e *nl.Encoder, family uint8, resID uint16) {
	h := e.Fixed(4)
	h[0] = family
	h[1] = unix.NFNETLINK_V0
	binary.BigEndian.PutUint16(h[2:], resID)
}

// nftFraming is nfnetlink's batch framing for nftables.
var nftFraming = nl.Framing{
	Begin: func(e *nl.Encoder) {
		e.Begin(unix.NFNL_MSG_BATCH_BEGIN, 0)
		nfgen(e, unix.AF_UNSPEC, unix.NFNL_SUBSYS_NFTABLES)
		e.End()
	},
	End: func(e *nl.Encoder) {
		e.Begin(unix.NFNL_MSG_BATCH_END, 0)
		nfgen(e, unix.AF_UNSPEC, unix.NFNL_SUBSYS_NFTABLES)
		e.End()
	},
}

// encodeTable appends an NFT_MSG_NEWTABLE for table name of family inet.
func encodeTable(e *nl.Encoder, name string) {
	e.Begin(nftType(unix.NFT_MSG_NEWTABLE), nl.Acknowledge|nl.Create)
	nfgen(e, unix.NFPROTO_INET, 0)
	e.String(unix.NFTA_TABLE_NAME, name)
	e.End()
}

// encodeChain appends an NFT_MSG_NEWCHAIN for a base chain on hook.
func encodeChain(e *nl.Encoder, table, name string, hook uint32) {
	e.Begin(nftType(unix.NFT_MSG_NEWCHAIN), nl.Acknowledge|nl.Create)
	nfgen(e, unix.NFPROTO_INET, 0)
	e.String(unix.NFTA_CHAIN_TABLE, table)
	e.String(unix.NFTA_CHAIN_NAME, name)
	n := e.Nest(unix.NFTA_CHAIN_HOOK)
	e.Uint32BE(unix.NFTA_HOOK_HOOKNUM, hook)
	e.Uint32BE(unix.NFTA_HOOK_PRIORITY, 0)
	e.EndNest(n)
	e.String(unix.NFTA_CHAIN_TYPE, "filter")
	e.End()
}

// A transaction against a fake kernel that acknowledges neither its
// beginning nor its end, and refuses the message in the middle: the result
// is "nothing applied", naming that message with its extended ACK.
func TestFakeTransactionRefused(t *testing.T) {
	var seen []nl.MsgType
	sock := nltest.NewSocket(func(req nl.Message) []nltest.Datagram {
		seen = append(seen, req.Header.Type)
		switch {
		case req.Header.Type == unix.NFNL_MSG_BATCH_BEGIN, req.Header.Type == unix.NFNL_MSG_BATCH_END:
			return nil // older kernels answer neither
		case req.Header.Type == nftType(unix.NFT_MSG_NEWCHAIN):
			return nltest.One(nltest.Error(req, unix.EOPNOTSUPP, "hook not supported", 0))
		}
		return nltest.One(nltest.Ack(req))
	})
	c, err := nl.NewConn(sock, nl.Netfilter, nil)
	if err != nil {
		t.Fatal(err)
	}
	var e nl.Encoder
	encodeTable(&e, "t")
	encodeChain(&e, "t", "c", 42)
	encodeTable(&e, "u")
	err = c.Transact(context.Background(), &e, nftFraming, nil)
	var te *nl.TransactionError
	if !errors.As(err, &te) {
		t.Fatalf("want a TransactionError, have %v", err)
	}
	if len(te.Failures) != 1 || te.Failures[0].Index != 1 || te.Total != 3 || !errors.Is(err, unix.EOPNOTSUPP) {
		t.Fatalf("failures %+v of %d", te.Failures, te.Total)
	}
	if msg := err.Error(); !strings.Contains(msg, "nothing applied") || !strings.Contains(msg, "message 1") || !strings.Contains(msg, "hook not supported") {
		t.Errorf("error text: %s", msg)
	}
	// One datagram for the transaction, framed, then the fence.
	sent := sock.Sent()
	if len(sent) != 2 {
		t.Fatalf("%d datagrams sent, want the transaction and its fence", len(sent))
	}
	msgs, err := nl.ParseMessages(nil, sent[0])
	if err != nil || len(msgs) != 5 || msgs[0].Header.Type != unix.NFNL_MSG_BATCH_BEGIN || msgs[4].Header.Type != unix.NFNL_MSG_BATCH_END {
		t.Fatalf("transaction datagram: %v %v", msgs, err)
	}
	for i, m := range msgs {
		if m.Header.Flags&nl.Request == 0 || (i > 0 && m.Header.Seq != msgs[i-1].Header.Seq+1) {
			t.Errorf("message %d: %v", i, m.Header)
		}
	}
	if msgs[1].Header.Flags&nl.Acknowledge == 0 || msgs[0].Header.Flags&nl.Acknowledge != 0 {
		t.Error("a message's own NLM_F_ACK was changed")
	}
	if len(seen) != 5 {
		t.Errorf("the fake saw %v", seen)
	}

	// The same transaction, accepted, even though neither its beginning
	// nor its end is acknowledged.
	e.Reset()
	encodeTable(&e, "t")
	encodeTable(&e, "u")
	if err := c.Transact(context.Background(), &e, nftFraming, nil); err != nil {
		t.Fatal(err)
	}
}

// A transaction too large for one datagram is refused before anything is
// sent, with the sizes.
func TestTransactionTooLarge(t *testing.T) {
	sock := nltest.NewSocket(func(req nl.Message) []nltest.Datagram { return nltest.One(nltest.Ack(req)) })
	// The fake reports the send buffer it is given, and cannot raise it.
	sock.SetOption(unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	c, err := nl.NewConn(sock, nl.Netfilter, nil)
	if err != nil {
		t.Fatal(err)
	}
	var e nl.Encoder
	for i := range 200 {
		encodeTable(&e, strings.Repeat("x", 20)+string(rune('a'+i%26)))
	}
	err = c.Transact(context.Background(), &e, nftFraming, nil)
	if err == nil || !strings.Contains(err.Error(), "does not fit one datagram") {
		t.Fatalf("err = %v", err)
	}
	if len(sock.Sent()) != 0 {
		t.Error("a part of the transaction was sent")
	}
}

// nftTables lists the nftables tables of the connection's namespace.
func nftTables(t *testing.T, c *nl.Conn) []string {
	t.Helper()
	var e nl.Encoder
	e.Begin(nftType(unix.NFT_MSG_GETTABLE), 0)
	nfgen(&e, unix.NFPROTO_UNSPEC, 0)
	e.End()
	var names []string
	for m, err := range c.Dump(context.Background(), &e) {
		if err != nil {
			t.Fatal(err)
		}
		d := nl.NewAttrDecoder(m.Data[4:])
		for d.Next() {
			if d.Type() == unix.NFTA_TABLE_NAME {
				names = append(names, d.String())
			}
		}
	}
	return names
}

// Acceptance: an nftables transaction with one invalid message (a chain on
// a hook that does not exist) in a fresh namespace: nothing is applied, the
// refused message is named, and a dump shows no table.
func TestNftablesTransaction(t *testing.T) {
	ns := netnstest.New(t)
	c, err := nl.Dial(nl.Netfilter, &nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	requireNftables(t, c)
	var e nl.Encoder
	encodeTable(&e, "nlkit")
	encodeChain(&e, "nlkit", "input", 4) // NF_INET_POST_ROUTING on a filter chain: valid
	encodeChain(&e, "nlkit", "bad", 42)  // no hook 42
	err = c.Transact(context.Background(), &e, nftFraming, nil)
	var te *nl.TransactionError
	if !errors.As(err, &te) {
		t.Fatalf("want a TransactionError, have %v", err)
	}
	if len(te.Failures) != 1 || te.Failures[0].Index != 2 {
		t.Fatalf("failures: %+v", te.Failures)
	}
	t.Logf("the kernel said: %v", err)
	if got := nftTables(t, c); len(got) != 0 {
		t.Fatalf("tables after a refused transaction: %v", got)
	}

	// Without the bad chain, it is applied whole.
	e.Reset()
	encodeTable(&e, "nlkit")
	encodeChain(&e, "nlkit", "input", 1)
	if err := c.Transact(context.Background(), &e, nftFraming, nil); err != nil {
		t.Fatal(err)
	}
	if got := nftTables(t, c); len(got) != 1 || got[0] != "nlkit" {
		t.Fatalf("tables: %v", got)
	}
}

// requireNftables skips the test unless the kernel has nf_tables: it
// answers a request for a table that does not exist with ENOENT; without
// it, nfnetlink refuses the subsystem with EINVAL.
func requireNftables(t *testing.T, c *nl.Conn) {
	t.Helper()
	switch _, err := c.Execute(context.Background(), tableGet(&nl.Encoder{})); {
	case errors.Is(err, unix.ENOENT):
	case errors.Is(err, unix.EINVAL):
		netnstest.SkipFeature(t, "nf_tables (CONFIG_NF_TABLES)", "NFT_MSG_GETTABLE: "+err.Error())
	default:
		t.Fatalf("probing nf_tables: %v", err)
	}
}

// tableGet encodes a request for a table that does not exist, to learn
// whether nf_tables answers at all.
func tableGet(e *nl.Encoder) *nl.Encoder {
	e.Begin(nftType(unix.NFT_MSG_GETTABLE), nl.Acknowledge)
	nfgen(e, unix.NFPROTO_INET, 0)
	e.String(unix.NFTA_TABLE_NAME, "nlkit-probe")
	e.End()
	return e
}

// The echo of a message sent with NLM_F_ECHO reaches OnReply, with the
// index of the message it answers; a transaction needs its framing, and
// takes no dump request.
func TestNftablesTransactionEchoAndRefusals(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Netfilter, nil)
	requireNftables(t, c)
	var e nl.Encoder
	encodeTable(&e, "a")
	e.Begin(nftType(unix.NFT_MSG_NEWTABLE), nl.Create|nl.Echo)
	nfgen(&e, unix.NFPROTO_INET, 0)
	e.String(unix.NFTA_TABLE_NAME, "b")
	e.End()
	var echoed []int
	err := c.Transact(context.Background(), &e, nftFraming, &nl.TransactionOptions{
		OnReply: func(i int, m nl.Message) error {
			if m.Header.Type == nftType(unix.NFT_MSG_NEWTABLE) {
				echoed = append(echoed, i)
			}
			return nil
		},
	})
	if err != nil || fmt.Sprint(echoed) != "[1]" {
		t.Fatalf("transaction: %v; echoes of messages %v, want [1]", err, echoed)
	}
	if err := c.Transact(context.Background(), &e, nl.Framing{}, nil); err == nil || !strings.Contains(err.Error(), "framing") {
		t.Errorf("a transaction without framing: %v", err)
	}
	e.Reset()
	e.Begin(nftType(unix.NFT_MSG_GETTABLE), nl.Dump)
	nfgen(&e, unix.NFPROTO_UNSPEC, 0)
	e.End()
	if err := c.Transact(context.Background(), &e, nftFraming, nil); err == nil || !strings.Contains(err.Error(), "dump") {
		t.Errorf("a transaction with a dump request: %v", err)
	}
	if err := c.Batch(context.Background(), &e, nil); err == nil || !strings.Contains(err.Error(), "dump") {
		t.Errorf("a batch with a dump request: %v", err)
	}
}

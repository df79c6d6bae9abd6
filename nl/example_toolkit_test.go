package nl_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// Kernel uevents are strings, not netlink messages: the datagram listener
// reads them as they come, with who sent them.
func ExampleConn_Datagrams() {
	c, err := nl.Dial(nl.KObjectUEvent, &nl.Config{Groups: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	for d, err := range c.Datagrams(context.Background()) {
		if err != nil {
			fmt.Println(err) // an overrun: events were lost, the stream goes on
			continue
		}
		action, _, _ := bytes.Cut(d.Data, []byte{0}) // "add@/devices/virtual/net/v0"
		fmt.Printf("%s from port %d, group %d\n", action, d.Meta.Port, d.Meta.Group)
	}
}

// A transaction is applied whole or not at all; here a fake kernel refuses
// its second message, so nothing is applied and that message is named.
func ExampleConn_Transact() {
	c := nltest.Dial(nl.Netfilter, func(req nl.Message) []nltest.Datagram {
		if req.Header.Type == 0x0a03 { // NFT_MSG_NEWCHAIN
			return nltest.One(nltest.Error(req, unix.EOPNOTSUPP, "hook not supported", 0))
		}
		return nil // acknowledges nothing, as older kernels do with the framing
	}, nil)
	framing := nl.Framing{
		Begin: func(e *nl.Encoder) {
			e.Begin(unix.NFNL_MSG_BATCH_BEGIN, 0)
			binary.BigEndian.PutUint16(e.Fixed(4)[2:], unix.NFNL_SUBSYS_NFTABLES)
			e.End()
		},
		End: func(e *nl.Encoder) {
			e.Begin(unix.NFNL_MSG_BATCH_END, 0)
			binary.BigEndian.PutUint16(e.Fixed(4)[2:], unix.NFNL_SUBSYS_NFTABLES)
			e.End()
		},
	}
	var e nl.Encoder
	for _, t := range []nl.MsgType{0x0a00, 0x0a03} { // NFT_MSG_NEWTABLE, NFT_MSG_NEWCHAIN
		e.Begin(t, nl.Create)
		e.Fixed(4)[0] = unix.NFPROTO_INET
		e.End()
	}
	err := c.Transact(context.Background(), &e, framing, nil)
	var te *nl.TransactionError
	if errors.As(err, &te) {
		fmt.Println("refused message:", te.Failures[0].Index)
		fmt.Println(errors.Is(err, unix.EOPNOTSUPP))
	}
	// Output:
	// refused message: 1
	// true
}

// Collect turns a dump into typed values, fetching it again if a change
// interrupted it.
func ExampleCollect() {
	type link struct {
		Index int32
		Name  string
	}
	decoder := nl.ObjectDecoder[link]{
		Type: unix.RTM_NEWLINK,
		Decode: func(l *link, m nl.Message) error {
			if len(m.Data) < unix.SizeofIfInfomsg {
				return fmt.Errorf("link message of %d bytes: %w", len(m.Data), nl.ErrMalformed)
			}
			l.Index = int32(binary.NativeEndian.Uint32(m.Data[4:]))
			d := nl.NewAttrDecoder(m.Data[unix.SizeofIfInfomsg:])
			for d.Next() {
				if d.Type() == unix.IFLA_IFNAME {
					l.Name = d.String()
				}
			}
			return d.Err()
		},
	}
	c, err := nl.Dial(nl.Route, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	var e nl.Encoder
	e.Begin(unix.RTM_GETLINK, nl.Dump)
	e.Fixed(unix.SizeofIfInfomsg)
	e.End()
	links, err := nl.Collect(context.Background(), c, &e, decoder)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range links {
		fmt.Println(l.Index, l.Name)
	}
}

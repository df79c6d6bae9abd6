package nl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// Encode a request with a fixed family header and nested attributes.
func ExampleEncoder() {
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge|nl.Create|nl.Excl)
	e.Fixed(unix.SizeofIfInfomsg) // struct ifinfomsg, zeroed
	e.String(unix.IFLA_IFNAME, "v0")
	info := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "veth")
	e.EndNest(info)
	if err := e.End(); err != nil {
		log.Fatal(err)
	}
	d := nl.Describe(nl.Route, e.Message(0), nil)
	d.Format(os.Stdout, "")
	// Output:
	// RTM_NEWLINK flags=ACK|EXCL|CREATE seq=0 port=0 len=56
	//     ifinfomsg: 00000000 00000000 00000000 00000000
	//     IFLA_IFNAME (3) "v0"
	//     IFLA_LINKINFO (18) [NESTED]
	//         IFLA_INFO_KIND (1) "veth"
}

// Decode attributes without allocating, with a sticky error.
func ExampleAttrDecoder() {
	var e nl.Encoder
	e.Begin(unix.RTM_NEWADDR, 0)
	e.Addr(unix.IFA_LOCAL, netip.MustParseAddr("192.0.2.1"))
	e.String(unix.IFA_LABEL, "eth0")
	e.Uint32(unix.IFA_FLAGS, 0x80)
	e.End()

	d := nl.NewAttrDecoder(e.Message(0).Data)
	for d.Next() {
		switch d.Type() {
		case unix.IFA_LOCAL:
			fmt.Println("local", d.Addr())
		case unix.IFA_LABEL:
			fmt.Println("label", d.String())
		case unix.IFA_FLAGS:
			fmt.Printf("flags %#x\n", d.Uint32())
		}
	}
	if err := d.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// local 192.0.2.1
	// label eth0
	// flags 0x80
}

// Stream a dump of every link, refetching it if the kernel reports it
// interrupted by a concurrent change.
func ExampleConn_Dump() {
	c, err := nl.Dial(nl.Route, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var e nl.Encoder
	var names []string
	err = nl.Retry(nl.DefaultRetries, func() error {
		names = names[:0]
		e.Reset()
		e.Begin(unix.RTM_GETLINK, 0)
		e.Fixed(unix.SizeofIfInfomsg)
		e.End()
		for m, err := range c.Dump(context.Background(), &e) {
			if err != nil {
				return err
			}
			d := nl.NewAttrDecoder(m.Data[nl.Align(unix.SizeofIfInfomsg):])
			for d.Next() {
				if d.Type() == unix.IFLA_IFNAME {
					names = append(names, d.String())
				}
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
}

// Apply many changes in few system calls and find out which failed.
func ExampleConn_Batch() {
	ns, err := netns.OpenName("lab") // work in a namespace, never the host's
	if err != nil {
		log.Fatal(err)
	}
	c, err := nl.Dial(nl.Route, &nl.Config{NetNS: ns})
	if err != nil {
		log.Fatal(err)
	}
	var e nl.Encoder
	for i := range 1000 {
		e.Begin(unix.RTM_NEWROUTE, nl.Create|nl.Excl)
		h := e.Fixed(unix.SizeofRtMsg)
		h[0], h[1], h[4], h[5], h[7] = unix.AF_INET, 24, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RTN_UNREACHABLE
		e.Prefix(unix.RTA_DST, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24))
		e.End()
	}
	var be *nl.BatchError
	switch err := c.Batch(context.Background(), &e, &nl.BatchOptions{ContinueOnError: true}); {
	case errors.As(err, &be):
		for _, f := range be.Failures {
			fmt.Printf("route %d: %v\n", f.Index, f.Err)
		}
	case err != nil:
		log.Fatal(err)
	}
}

// Watch link events, with the multicast group of each.
func ExampleConn_Messages() {
	c, err := nl.Dial(nl.Route, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		log.Fatal(err)
	}
	for m, err := range c.Messages(context.Background()) {
		if errors.Is(err, nl.ErrOverrun) {
			// Events were lost: resynchronize with a dump.
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.Header.Type, "from group", m.Meta.Group)
	}
}

// Errors carry the kernel's extended ACK and work with errors.Is.
func ExampleError() {
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		return nltest.One(nltest.Error(req, unix.EEXIST, "Route already exists", 0))
	}, nil)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWROUTE, nl.Acknowledge|nl.Create|nl.Excl)
	e.Fixed(unix.SizeofRtMsg)
	e.End()
	err := c.Do(context.Background(), &e, nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, os.ErrExist))
	// Output:
	// RTM_NEWROUTE: Route already exists: file exists
	// true
}

// Script the kernel's answers to test code that uses a Conn.
func ExampleRetry() {
	attempt := 0
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		attempt++
		var extra nl.Flags
		if attempt == 1 {
			extra = nl.DumpIntr // the first dump raced a change
		}
		link := nl.Message{Header: nl.Header{Type: unix.RTM_NEWLINK}, Data: make([]byte, 16)}
		return nltest.One(nltest.Multipart(req, extra, link)...)
	}, nil)
	var e nl.Encoder
	n := 0
	err := nl.Retry(3, func() error {
		n = 0
		e.Reset()
		e.Begin(unix.RTM_GETLINK, 0)
		e.Fixed(unix.SizeofIfInfomsg)
		e.End()
		for _, err := range c.Dump(context.Background(), &e) {
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	fmt.Println(n, err, "after", attempt, "attempts")
	// Output:
	// 1 <nil> after 2 attempts
}

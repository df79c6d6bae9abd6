package usersock_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/usersock"
	"golang.org/x/sys/unix"
)

// The examples that open sockets are compiled but not run by go test: they
// would serve and send in the namespace of whoever runs the tests (the
// tests themselves use namespaces of their own), and joining a group needs
// CAP_NET_ADMIN. What they print is shown in their comments.

// The protocol of the examples: one request type, answered with a greeting.
const typeHello nl.MsgType = 16

func hello(ctx context.Context, w *usersock.Writer, r *usersock.Request) error {
	if len(r.Data) == 0 || len(r.Data) > 64 {
		return usersock.Errorf(unix.EINVAL, "a name of 1 to 64 bytes, please (have %d)", len(r.Data))
	}
	return w.Reply(typeHello, append([]byte("Hello, "), r.Data...))
}

// A server on a port the kernel chooses, and a client asking it. It prints:
//
//	Hello, Ada
//	true a name of 1 to 64 bytes, please (have 0)
func Example() {
	srv, err := usersock.Listen(&usersock.Config{Input: hello})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	c, err := usersock.Dial(srv.Port(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()
	msgs, err := c.Request(ctx, typeHello, nl.Acknowledge, []byte("Ada"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", msgs[0].Data)

	// Refusals arrive as *nl.Error, with the handler's errno and message.
	_, err = c.Request(ctx, typeHello, nl.Acknowledge, nil)
	var ne *nl.Error
	if errors.As(err, &ne) {
		fmt.Println(ne.Errno == unix.EINVAL, ne.Message)
	}
}

// Broadcasting to a group that a client subscribed to. Subscribing needs
// CAP_NET_ADMIN; with it, this prints:
//
//	a client joins group 2
//	group 2: news
func ExampleServer_Broadcast() {
	srv, err := usersock.Listen(&usersock.Config{
		Groups: 2,
		Bind: func(ctx context.Context, port uint32, creds nl.Credentials, group uint32) error {
			fmt.Println("a client joins group", group)
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := usersock.Dial(srv.Port(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Subscribe(ctx, 2); err != nil {
		fmt.Println(err) // without CAP_NET_ADMIN, an error matching os.ErrPermission
		return
	}
	if err := srv.Broadcast(ctx, 2, typeHello, []byte("news")); err != nil {
		fmt.Println(err)
		return
	}
	for m, err := range c.Messages(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("group %d: %s\n", m.Meta.Group, m.Data)
		break
	}
}

// A key made from a shared secret; it never shows key material.
func ExampleNewKey() {
	key, err := usersock.NewKey([]byte("a secret of at least 16 bytes, ideally 32 random ones"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key)

	// A secret too short to be one is refused.
	_, err = usersock.NewKey([]byte("hunter2"))
	fmt.Println(err != nil)
	// Output:
	// usersock.Key(redacted)
	// true
}

// Sealing every payload with a shared secret: server and clients hold the
// same Key, and a client without it is refused. It prints:
//
//	Hello, Grace
//	true
func ExampleConfig_key() {
	key, err := usersock.NewKey([]byte("a secret of at least 16 bytes, ideally 32 random ones"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := usersock.Listen(&usersock.Config{Input: hello, Key: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := usersock.Dial(srv.Port(), &usersock.ClientConfig{Key: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	msgs, err := c.Request(context.Background(), typeHello, 0, []byte("Grace"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", msgs[0].Data)

	// A client without the key is refused.
	plain, err := usersock.Dial(srv.Port(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer plain.Close()
	_, err = plain.Request(context.Background(), typeHello, 0, []byte("Eve"))
	fmt.Println(errors.Is(err, unix.EBADMSG))
}

// Serving in a named network namespace (as `ip netns add blue` makes one),
// whose NETLINK_USERSOCK is its own: clients dial in the same namespace.
func ExampleConfig_netNS() {
	ns, err := netns.OpenName("blue")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ns.Close()
	srv, err := usersock.Listen(&usersock.Config{Input: hello, NetNS: ns})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := usersock.Dial(srv.Port(), &usersock.ClientConfig{NetNS: ns})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	msgs, err := c.Request(context.Background(), typeHello, 0, []byte("Lin"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", msgs[0].Data) // Hello, Lin
}

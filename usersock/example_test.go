package usersock_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/usersock"
	"golang.org/x/sys/unix"
)

// The protocol of the examples: one request type, answered with a greeting.
const typeHello nl.MsgType = 16

func hello(ctx context.Context, w *usersock.Writer, r *usersock.Request) error {
	if len(r.Data) == 0 || len(r.Data) > 64 {
		return usersock.Errorf(unix.EINVAL, "a name of 1 to 64 bytes, please (have %d)", len(r.Data))
	}
	return w.Reply(typeHello, append([]byte("Hello, "), r.Data...))
}

// A server on a port the kernel chooses, and a client asking it.
func Example() {
	srv, err := usersock.Listen(&usersock.Config{Input: hello})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	c, err := usersock.Dial(srv.Port(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	msgs, err := c.Request(ctx, typeHello, nl.Acknowledge, []byte("Ada"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", msgs[0].Data)

	// Refusals arrive as *nl.Error, with the handler's errno and message.
	_, err = c.Request(ctx, typeHello, nl.Acknowledge, nil)
	var ne *nl.Error
	if errors.As(err, &ne) {
		fmt.Println(ne.Errno == unix.EINVAL, ne.Message)
	}
	// Output:
	// Hello, Ada
	// true a name of 1 to 64 bytes, please (have 0)
}

// Broadcasting to a group that a client subscribed to.
func ExampleServer_Broadcast() {
	srv, err := usersock.Listen(&usersock.Config{
		Groups: 2,
		Bind: func(ctx context.Context, port uint32, creds nl.Credentials, group uint32) error {
			fmt.Println("a client joins group", group)
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := usersock.Dial(srv.Port(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Subscribe(ctx, 2); err != nil {
		log.Fatal(err)
	}
	if err := srv.Broadcast(ctx, 2, typeHello, []byte("news")); err != nil {
		log.Fatal(err)
	}
	for m, err := range c.Messages(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("group %d: %s\n", m.Meta.Group, m.Data)
		break
	}
	// Output:
	// a client joins group 2
	// group 2: news
}

// Sealing every payload with a shared secret.
func ExampleNewKey() {
	key, err := usersock.NewKey([]byte("a secret of at least 16 bytes, ideally 32 random ones"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key) // never shows key material

	srv, err := usersock.Listen(&usersock.Config{Input: hello, Key: key})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := usersock.Dial(srv.Port(), &usersock.ClientConfig{Key: key})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	msgs, err := c.Request(context.Background(), typeHello, 0, []byte("Grace"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", msgs[0].Data)

	// A client without the key is refused.
	plain, err := usersock.Dial(srv.Port(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer plain.Close()
	_, err = plain.Request(context.Background(), typeHello, 0, []byte("Eve"))
	fmt.Println(errors.Is(err, unix.EBADMSG))
	// Output:
	// usersock.Key(redacted)
	// Hello, Grace
	// true
}

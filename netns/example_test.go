package netns_test

import (
	"fmt"
	"log"

	"github.com/nlkit/nlkit/netns"
)

// Run code inside a named namespace without moving the caller's thread.
func ExampleNS_Do() {
	ns, err := netns.OpenName("lab")
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	err = ns.Do(func() error {
		// Sockets opened here belong to "lab".
		return nil
	})
	fmt.Println(err)
}

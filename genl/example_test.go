package genl_test

import (
	"context"
	"fmt"

	"github.com/nlkit/nlkit/genl"
)

// Resolve a family by name, and find the number of one of its multicast
// groups to join. (Not run: it would ask the host's kernel.)
func ExampleConn_Family() {
	c, err := genl.Dial(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	f, err := c.Family(context.Background(), "nlctrl")
	if err != nil {
		fmt.Println(err)
		return
	}
	group, _ := f.Group("notify")
	fmt.Println(f.Name, f.ID, group > 0) // nlctrl 16 true
}

package hellonl_test

import (
	"fmt"

	"github.com/nlkit/nlkit/kmod/hello/hellonl"
	"github.com/nlkit/nlkit/nl"
)

// A reply as the module sends it: NLMSG_DONE, the request's sequence
// number in the header, and the same number in the text.
func ExampleParseReply() {
	m := nl.Message{
		Header: nl.Header{Type: nl.MsgDone, Seq: 7},
		Data:   []byte("Hello from kernel! seq=7\x00\x00\x00\x00"),
	}
	r, err := hellonl.ParseReply(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Text)
	fmt.Println("echoed:", r.Seq == m.Header.Seq)
	// Output:
	// Hello from kernel! seq=7
	// echoed: true
}

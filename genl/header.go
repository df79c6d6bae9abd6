package genl

import (
	"fmt"

	"github.com/nlkit/nlkit/nl"
)

// HeaderLen is the size of the generic netlink header (struct
// genlmsghdr): command, version, and two reserved bytes.
const HeaderLen = 4

// A Header is the generic netlink header that starts the payload of every
// message of a generic netlink family (struct genlmsghdr).
type Header struct {
	Command uint8 // the family's command, such as CTRL_CMD_GETFAMILY
	Version uint8 // the version of the family's interface the sender speaks
}

// Put writes h into the first HeaderLen bytes of b, which must be long
// enough; the reserved bytes are zeroed.
func (h Header) Put(b []byte) {
	b[0], b[1], b[2], b[3] = h.Command, h.Version, 0, 0
}

// A Message is a generic netlink message split into its generic header
// and what follows it: the family's own header, if it has one (see
// Family.HeaderSize), then its attributes.
type Message struct {
	nl.Message        // the netlink message, its Data starting with the generic header
	Header     Header // the generic header
	// Payload is what follows the generic header; it aliases Data.
	Payload []byte
}

// ParseMessage splits m, a message of a generic netlink family, into its
// generic header and payload. It fails, with an error wrapping
// nl.ErrMalformed, when m is too short to hold the header.
func ParseMessage(m nl.Message) (Message, error) {
	if len(m.Data) < HeaderLen {
		return Message{}, fmt.Errorf("genl: message of type %d: %d bytes, too short for the generic header: %w", m.Header.Type, len(m.Data), nl.ErrMalformed)
	}
	return Message{
		Message: m,
		Header:  Header{Command: m.Data[0], Version: m.Data[1]},
		Payload: m.Data[HeaderLen:],
	}, nil
}

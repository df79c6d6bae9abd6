package nl

import "testing"

// BenchmarkDumpDatagram measures the dump's per-message path over one
// datagram of 600 route-sized messages, without the kernel.
func BenchmarkDumpDatagram(b *testing.B) {
	var data []byte
	for range 600 {
		data = AppendMessage(data, Message{Header: Header{Type: 24, Flags: Multi, Seq: 7}, Data: make([]byte, 36)})
	}
	c := &Conn{}
	n := 0
	d := dumpState{c: c, seq: 7, yield: func(m Message, err error) bool { n++; return true }}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		d.datagram(data, Meta{})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*600), "ns/msg")
}

package rtnl

import (
	"bytes"
	"fmt"
	"testing"
)

// TestStoreValuesStay checks that what a store hands out is never handed
// out again: strings and byte slices keep their contents as more are taken,
// slices have no spare capacity, and interned strings are shared.
func TestStoreValuesStay(t *testing.T) {
	var s store
	var strs []string
	var bufs [][]byte
	for i := range 5000 {
		strs = append(strs, s.cstring([]byte(fmt.Sprintf("link%d\x00junk", i))))
		bufs = append(bufs, s.bytes([]byte{byte(i), byte(i >> 8), 0xaa}))
	}
	for i := range strs {
		if want := fmt.Sprintf("link%d", i); strs[i] != want {
			t.Fatalf("string %d is %q, want %q", i, strs[i], want)
		}
		if want := []byte{byte(i), byte(i >> 8), 0xaa}; !bytes.Equal(bufs[i], want) || cap(bufs[i]) != 3 {
			t.Fatalf("bytes %d are %x (cap %d), want %x (cap 3)", i, bufs[i], cap(bufs[i]), want)
		}
	}
	a, b := s.intern([]byte("noqueue\x00")), s.intern([]byte("noqueue"))
	if a != "noqueue" || b != "noqueue" || len(s.interned) != 1 {
		t.Errorf("intern: %q %q, %d interned", a, b, len(s.interned))
	}
	if s.bytes(nil) != nil || s.bytes([]byte{}) != nil || s.string(nil) != "" {
		t.Error("empty input should give nil and \"\"")
	}
	var names []string
	for i := range 5 {
		names = s.appendString(names, fmt.Sprint(i))
	}
	if fmt.Sprint(names) != "[0 1 2 3 4]" {
		t.Errorf("appendString: %v", names)
	}
	p, q := s.u32Ptr(1), s.u32Ptr(2)
	if *p != 1 || *q != 2 || p == q {
		t.Errorf("u32Ptr: %d %d", *p, *q)
	}
}

// TestStoreNil checks that a nil store allocates each value on its own.
func TestStoreNil(t *testing.T) {
	var s *store
	if got := s.cstring([]byte("v0\x00")); got != "v0" {
		t.Errorf("cstring: %q", got)
	}
	if got := s.intern([]byte("lo")); got != "lo" {
		t.Errorf("intern: %q", got)
	}
	b := s.bytes([]byte{1, 2})
	if !bytes.Equal(b, []byte{1, 2}) {
		t.Errorf("bytes: %x", b)
	}
	if p := s.intPtr(7); *p != 7 {
		t.Errorf("intPtr: %d", *p)
	}
	if s.newLinkStats() == nil || len(s.makeGroup(3)) != 3 {
		t.Error("struct helpers")
	}
}

// TestStoreBlocks checks the block sizes: small first, doubling, never
// over blockMax, and a request larger than a block on its own.
func TestStoreBlocks(t *testing.T) {
	var b block[byte]
	b.take(1)
	if cap(b.free)+1 != blockMin {
		t.Errorf("first block of %d bytes, want %d", cap(b.free)+1, blockMin)
	}
	for range 1000 {
		b.take(100)
	}
	if b.next > blockMax {
		t.Errorf("next block of %d bytes, over %d", b.next, blockMax)
	}
	big := b.take(blockMax + 1)
	if len(big) != blockMax+1 || cap(big) != blockMax+1 {
		t.Errorf("large take: len %d cap %d", len(big), cap(big))
	}
	var st block[LinkStats]
	if got := st.take(3); len(got) != 3 || cap(got) != 3 {
		t.Errorf("take(3): len %d cap %d", len(got), cap(got))
	}
}

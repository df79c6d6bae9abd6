module github.com/nlkit/nlkit/examples/cni-ptp/vishvananda

go 1.26.8

require (
	github.com/nlkit/nlkit v0.0.0
	github.com/vishvananda/netlink v1.3.1
	github.com/vishvananda/netns v0.0.5
	golang.org/x/sys v0.50.0
)

replace github.com/nlkit/nlkit => ../../..

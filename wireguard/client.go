package wireguard

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// FamilyName is the name of WireGuard's generic netlink family
// (WG_GENL_NAME).
const FamilyName = unix.WG_GENL_NAME

// commandNames names the family's commands in errors and traces.
func commandNames() map[uint8]string {
	return map[uint8]string{
		unix.WG_CMD_GET_DEVICE: "WG_CMD_GET_DEVICE",
		unix.WG_CMD_SET_DEVICE: "WG_CMD_SET_DEVICE",
	}
}

// A Client configures the WireGuard devices of one network namespace.
// It is safe for concurrent use by many goroutines.
type Client struct {
	c *genl.Conn
}

// Dial opens a Client; cfg may be nil (cfg.NetNS selects the namespace).
// The family is resolved on first use, so that a module loaded later
// (by creating the first wireguard link) is found.
func Dial(cfg *nl.Config) (*Client, error) {
	c, err := genl.Dial(cfg)
	if err != nil {
		return nil, fmt.Errorf("wireguard: %w", err)
	}
	return New(c), nil
}

// DialNetNS opens a Client in another network namespace: ns is a name
// under /run/netns or, if it contains a slash, a path (as rtnl.DialNetNS
// takes it). The calling thread never changes namespace.
func DialNetNS(ns string) (*Client, error) {
	var n *netns.NS
	var err error
	if strings.Contains(ns, "/") {
		n, err = netns.Open(ns)
	} else {
		n, err = netns.OpenName(ns)
	}
	if err != nil {
		return nil, fmt.Errorf("wireguard: %w", err)
	}
	defer n.Close()
	return Dial(&nl.Config{NetNS: n})
}

// New returns a Client that sends its requests through c. Closing the
// Client closes c.
func New(c *genl.Conn) *Client {
	c.NameCommands(FamilyName, commandNames())
	return &Client{c: c}
}

// Conn returns the generic netlink connection under the Client.
func (c *Client) Conn() *genl.Conn { return c.c }

// Close closes the connection.
func (c *Client) Close() error { return c.c.Close() }

// family resolves WireGuard's family; an error wraps
// genl.ErrFamilyNotFound when the kernel has no WireGuard.
func (c *Client) family(ctx context.Context) (*genl.Family, error) {
	f, err := c.c.Family(ctx, FamilyName)
	if err != nil {
		return nil, fmt.Errorf("wireguard: %w", err)
	}
	return f, nil
}

// DeviceByName returns the device named name. For a missing device (or a
// link of another kind) the error matches os.ErrNotExist (ENODEV) or
// unix.EOPNOTSUPP.
func (c *Client) DeviceByName(ctx context.Context, name string) (*Device, error) {
	return c.device(ctx, &Device{Name: name})
}

// DeviceByIndex returns the device whose interface index is index.
func (c *Client) DeviceByIndex(ctx context.Context, index int) (*Device, error) {
	return c.device(ctx, &Device{Index: index})
}

// device dumps the device that key names (by Index, else Name) and joins
// the messages of the dump into one Device.
func (c *Client) device(ctx context.Context, key *Device) (*Device, error) {
	f, err := c.family(ctx)
	if err != nil {
		return nil, err
	}
	e := c.c.Encoder()
	defer c.c.Release(e)
	f.Begin(e, unix.WG_CMD_GET_DEVICE, nl.Flags(unix.NLM_F_DUMP))
	if key.Index != 0 {
		e.Uint32(unix.WGDEVICE_A_IFINDEX, uint32(key.Index))
	} else {
		e.String(unix.WGDEVICE_A_IFNAME, key.Name)
	}
	e.End()
	var d *Device
	err = nl.Retry(nl.DefaultRetries, func() error {
		d = new(Device)
		for m, err := range c.c.Dump(ctx, e) {
			if err != nil {
				return err
			}
			if err := d.Decode(m.Message); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nameError(err, key)
	}
	return d, nil
}

// Devices returns every WireGuard device of the namespace: the links of
// kind "wireguard" (listed with rtnl on a socket beside the Client's),
// each with its configuration. A device deleted meanwhile is left out.
func (c *Client) Devices(ctx context.Context) ([]*Device, error) {
	ns, err := c.c.Conn().NetNS()
	if err != nil {
		return nil, fmt.Errorf("wireguard: list devices: %w", err)
	}
	h, err := rtnl.Dial(&nl.Config{NetNS: ns})
	ns.Close()
	if err != nil {
		return nil, fmt.Errorf("wireguard: list devices: %w", err)
	}
	defer h.Close()
	links, err := h.ListLinks(ctx, &rtnl.LinkFilter{Kind: "wireguard"})
	if err != nil {
		return nil, fmt.Errorf("wireguard: list devices: %w", err)
	}
	var out []*Device
	for _, l := range links {
		d, err := c.DeviceByIndex(ctx, l.Index)
		if errors.Is(err, unix.ENODEV) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Configure applies cfg to the device d names (by d.Index, or d.Name when
// the index is 0): its private key, listen port, firewall mark and peers.
// A configuration too large for one request is sent as several, in
// order; if one fails, the ones before it stay applied.
func (c *Client) Configure(ctx context.Context, d *Device, cfg *Config) error {
	if d.Index == 0 && d.Name == "" {
		return errors.New("wireguard: configure: the device has neither index nor name")
	}
	f, err := c.family(ctx)
	if err != nil {
		return err
	}
	e := c.c.Encoder()
	defer c.c.Release(e)
	w := configWriter{fam: f, dev: d, cfg: cfg, limit: maxMessage}
	for !w.done() {
		e.Reset()
		if err := w.next(e); err != nil {
			return fmt.Errorf("wireguard: configure %s: %w", deviceName(d), err)
		}
		if err := c.c.Do(ctx, e, nil); err != nil {
			return nameError(err, d)
		}
	}
	return nil
}

// deviceName names the device d names, for errors.
func deviceName(d *Device) string {
	if d.Index != 0 {
		return "if" + strconv.Itoa(d.Index)
	}
	return d.Name
}

// nameError adds the device to the kernel's refusal in err ("wireguard
// WG_CMD_SET_DEVICE dev wg0"), or wraps another error naming it.
func nameError(err error, d *Device) error {
	var ne *nl.Error
	if errors.As(err, &ne) {
		ne.Op += " dev " + deviceName(d)
		return err
	}
	return fmt.Errorf("wireguard: device %s: %w", deviceName(d), err)
}

package wgcmd

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/wireguard"
)

// runShow is `wg show [IFACE|all|interfaces] [FIELD]`.
func runShow(e *cli.Env, args []string) error {
	which, field := "all", ""
	if len(args) > 0 {
		which, args = args[0], args[1:]
	}
	if len(args) > 0 {
		field, args = args[0], args[1:]
		if !slices.Contains(showFields, field) {
			return cli.Syntaxf("invalid field %s\n%s", cli.Quote(field), usage)
		}
	}
	if len(args) > 0 || which == "interfaces" && field != "" {
		return cli.Syntaxf("too many arguments\n%s", usage)
	}
	c, err := dial(e)
	if err != nil {
		return err
	}
	defer c.Close()
	var devs []*wireguard.Device
	if which == "all" || which == "interfaces" {
		if devs, err = c.Devices(e.Context()); err != nil {
			return err
		}
	} else {
		d, err := c.DeviceByName(e.Context(), which)
		if err != nil {
			return err
		}
		devs = []*wireguard.Device{d}
	}
	if e.JSON {
		out := make([]jsonDevice, len(devs))
		for i, d := range devs {
			out[i] = toJSON(d)
		}
		return e.PrintJSON(out)
	}
	if which == "interfaces" {
		names := make([]string, len(devs))
		for i, d := range devs {
			names[i] = d.Name
		}
		_, err := fmt.Fprintln(e.Stdout, strings.Join(names, " "))
		return err
	}
	now := time.Now()
	for i, d := range devs {
		prefix := ""
		if which == "all" && field != "" {
			prefix = d.Name + "\t"
		}
		switch {
		case field == "":
			if i > 0 {
				fmt.Fprintln(e.Stdout)
			}
			printPretty(e.Stdout, d, now)
		default:
			printField(e.Stdout, d, field, prefix)
		}
	}
	return nil
}

// keyOrNone prints a key, or "(none)" for the zero key, as wg does.
func keyOrNone(k wireguard.Key) string {
	if k.IsZero() {
		return "(none)"
	}
	return k.String()
}

// endpointOrNone prints an endpoint, or "(none)".
func endpointOrNone(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "(none)"
	}
	return ap.String()
}

// offOr prints n, or "off" for 0.
func offOr(n uint64) string {
	if n == 0 {
		return "off"
	}
	return strconv.FormatUint(n, 10)
}

// handshake prints a last handshake in Unix seconds, 0 for none.
func handshake(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// ips prints allowed IPs joined by sep, or "(none)".
func ips(p []netip.Prefix, sep string) string {
	if len(p) == 0 {
		return "(none)"
	}
	s := make([]string, len(p))
	for i, x := range p {
		s[i] = x.String()
	}
	return strings.Join(s, sep)
}

// printField prints one field as `wg show IFACE FIELD` does, each line
// after prefix (the interface's name and a tab for `all`).
func printField(w io.Writer, d *wireguard.Device, field, prefix string) {
	switch field {
	case "public-key":
		fmt.Fprintf(w, "%s%s\n", prefix, keyOrNone(d.PublicKey))
	case "private-key":
		fmt.Fprintf(w, "%s%s\n", prefix, keyOrNone(d.PrivateKey))
	case "listen-port":
		fmt.Fprintf(w, "%s%d\n", prefix, d.ListenPort)
	case "fwmark":
		if d.FirewallMark == 0 {
			fmt.Fprintf(w, "%soff\n", prefix)
		} else {
			fmt.Fprintf(w, "%s0x%x\n", prefix, d.FirewallMark)
		}
	case "dump":
		mark := "off"
		if d.FirewallMark != 0 {
			mark = "0x" + strconv.FormatUint(uint64(d.FirewallMark), 16)
		}
		fmt.Fprintf(w, "%s%s\t%s\t%d\t%s\n", prefix, keyOrNone(d.PrivateKey), keyOrNone(d.PublicKey), d.ListenPort, mark)
		for _, p := range d.Peers {
			fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", prefix, p.PublicKey, keyOrNone(p.PresharedKey), endpointOrNone(p.Endpoint),
				ips(p.AllowedIPs, ","), handshake(p.LastHandshake), p.ReceiveBytes, p.TransmitBytes, offOr(uint64(p.PersistentKeepalive/time.Second)))
		}
	default:
		for _, p := range d.Peers {
			var v string
			switch field {
			case "peers":
				fmt.Fprintf(w, "%s%s\n", prefix, p.PublicKey)
				continue
			case "preshared-keys":
				v = keyOrNone(p.PresharedKey)
			case "endpoints":
				v = endpointOrNone(p.Endpoint)
			case "allowed-ips":
				v = ips(p.AllowedIPs, " ")
			case "latest-handshakes":
				v = strconv.FormatInt(handshake(p.LastHandshake), 10)
			case "transfer":
				v = fmt.Sprintf("%d\t%d", p.ReceiveBytes, p.TransmitBytes)
			case "persistent-keepalive":
				v = offOr(uint64(p.PersistentKeepalive / time.Second))
			}
			fmt.Fprintf(w, "%s%s\t%s\n", prefix, p.PublicKey, v)
		}
	}
}

// printPretty prints a device as `wg show` does (without colours), keys
// other than public ones hidden.
func printPretty(w io.Writer, d *wireguard.Device, now time.Time) {
	fmt.Fprintf(w, "interface: %s\n", d.Name)
	if !d.PublicKey.IsZero() {
		fmt.Fprintf(w, "  public key: %s\n", d.PublicKey)
	}
	if !d.PrivateKey.IsZero() {
		fmt.Fprintf(w, "  private key: (hidden)\n")
	}
	if d.ListenPort != 0 {
		fmt.Fprintf(w, "  listening port: %d\n", d.ListenPort)
	}
	if d.FirewallMark != 0 {
		fmt.Fprintf(w, "  fwmark: 0x%x\n", d.FirewallMark)
	}
	for _, p := range d.Peers {
		fmt.Fprintf(w, "\npeer: %s\n", p.PublicKey)
		if !p.PresharedKey.IsZero() {
			fmt.Fprintf(w, "  preshared key: (hidden)\n")
		}
		if p.Endpoint.IsValid() {
			fmt.Fprintf(w, "  endpoint: %s\n", p.Endpoint)
		}
		fmt.Fprintf(w, "  allowed ips: %s\n", ips(p.AllowedIPs, ", "))
		if !p.LastHandshake.IsZero() {
			fmt.Fprintf(w, "  latest handshake: %s\n", ago(now.Sub(p.LastHandshake)))
		}
		if p.ReceiveBytes != 0 || p.TransmitBytes != 0 {
			fmt.Fprintf(w, "  transfer: %s received, %s sent\n", bytes(p.ReceiveBytes), bytes(p.TransmitBytes))
		}
		if p.PersistentKeepalive != 0 {
			fmt.Fprintf(w, "  persistent keepalive: every %s\n", span(p.PersistentKeepalive))
		}
	}
}

// ago words how long ago something happened, as wg does ("Now" under a
// second).
func ago(d time.Duration) string {
	if d < time.Second {
		return "Now"
	}
	return span(d) + " ago"
}

// span words a duration in days, hours, minutes and seconds, as wg does.
func span(d time.Duration) string {
	secs := int64(d / time.Second)
	var parts []string
	for _, u := range []struct {
		n    int64
		name string
	}{{86400 * 365, "year"}, {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}} {
		if v := secs / u.n; v > 0 {
			s := fmt.Sprintf("%d %s", v, u.name)
			if v > 1 {
				s += "s"
			}
			parts = append(parts, s)
			secs %= u.n
		}
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, ", ")
}

// bytes words a byte count as wg does: B, then KiB, MiB, GiB, TiB with
// two decimals.
func bytes(n uint64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n) / 1024
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.2f %s", v, units[i])
}

// runShowconf is `wg showconf IFACE`: the device's configuration in wg's
// configuration file format.
func runShowconf(e *cli.Env, args []string) error {
	if len(args) != 1 {
		return cli.Syntaxf("wg showconf takes an interface\n%s", usage)
	}
	c, err := dial(e)
	if err != nil {
		return err
	}
	defer c.Close()
	d, err := c.DeviceByName(e.Context(), args[0])
	if err != nil {
		return err
	}
	w := e.Stdout
	fmt.Fprintln(w, "[Interface]")
	if d.ListenPort != 0 {
		fmt.Fprintf(w, "ListenPort = %d\n", d.ListenPort)
	}
	if d.FirewallMark != 0 {
		fmt.Fprintf(w, "FwMark = 0x%x\n", d.FirewallMark)
	}
	if !d.PrivateKey.IsZero() {
		fmt.Fprintf(w, "PrivateKey = %s\n", d.PrivateKey)
	}
	for _, p := range d.Peers {
		fmt.Fprintf(w, "\n[Peer]\nPublicKey = %s\n", p.PublicKey)
		if !p.PresharedKey.IsZero() {
			fmt.Fprintf(w, "PresharedKey = %s\n", p.PresharedKey)
		}
		if len(p.AllowedIPs) > 0 {
			fmt.Fprintf(w, "AllowedIPs = %s\n", ips(p.AllowedIPs, ", "))
		}
		if p.Endpoint.IsValid() {
			fmt.Fprintf(w, "Endpoint = %s\n", p.Endpoint)
		}
		if p.PersistentKeepalive != 0 {
			fmt.Fprintf(w, "PersistentKeepalive = %d\n", p.PersistentKeepalive/time.Second)
		}
	}
	return nil
}

// jsonDevice is a device as `nlctl -j wg show` prints it (wg has no JSON
// output: the keys are wg show dump's columns).
type jsonDevice struct {
	Name         string     `json:"ifname"`
	Index        int        `json:"ifindex"`
	PrivateKey   string     `json:"private_key,omitempty"`
	PublicKey    string     `json:"public_key,omitempty"`
	ListenPort   uint16     `json:"listen_port"`
	FirewallMark uint32     `json:"fwmark"`
	Peers        []jsonPeer `json:"peers"`
}

// jsonPeer is a peer in `nlctl -j wg show`.
type jsonPeer struct {
	PublicKey           string   `json:"public_key"`
	PresharedKey        string   `json:"preshared_key,omitempty"`
	Endpoint            string   `json:"endpoint,omitempty"`
	AllowedIPs          []string `json:"allowed_ips"`
	LatestHandshake     int64    `json:"latest_handshake"`
	TransferRx          uint64   `json:"transfer_rx"`
	TransferTx          uint64   `json:"transfer_tx"`
	PersistentKeepalive int      `json:"persistent_keepalive"`
}

func toJSON(d *wireguard.Device) jsonDevice {
	j := jsonDevice{Name: d.Name, Index: d.Index, ListenPort: d.ListenPort, FirewallMark: d.FirewallMark, Peers: []jsonPeer{}}
	if !d.PrivateKey.IsZero() {
		j.PrivateKey = d.PrivateKey.String()
	}
	if !d.PublicKey.IsZero() {
		j.PublicKey = d.PublicKey.String()
	}
	for _, p := range d.Peers {
		jp := jsonPeer{PublicKey: p.PublicKey.String(), AllowedIPs: []string{}, LatestHandshake: handshake(p.LastHandshake),
			TransferRx: p.ReceiveBytes, TransferTx: p.TransmitBytes, PersistentKeepalive: int(p.PersistentKeepalive / time.Second)}
		if !p.PresharedKey.IsZero() {
			jp.PresharedKey = p.PresharedKey.String()
		}
		if p.Endpoint.IsValid() {
			jp.Endpoint = p.Endpoint.String()
		}
		for _, a := range p.AllowedIPs {
			jp.AllowedIPs = append(jp.AllowedIPs, a.String())
		}
		j.Peers = append(j.Peers, jp)
	}
	return j
}

package genl

import (
	"strconv"
	"sync"

	"github.com/nlkit/nlkit/catalog"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// controllerName is the name of the generic netlink controller's family.
const controllerName = "nlctrl"

// controller returns the generic netlink controller, whose id and version
// are fixed (GENL_ID_CTRL; version 2 is what kernels from 2.6.x on speak,
// and they answer version 1 requests alike).
func controller() *Family {
	return &Family{ID: unix.GENL_ID_CTRL, Name: controllerName, Version: 2}
}

// names holds a Conn's resolved families and their command names, for
// errors and traces. It is the Conn's nl.Describer.
type names struct {
	mu       sync.RWMutex
	families map[string]*Family          // resolved, by name
	ids      map[uint16]*Family          // resolved and the controller, by id
	commands map[string]map[uint8]string // by family name
}

func newNames() *names {
	return &names{
		families: map[string]*Family{},
		ids:      map[uint16]*Family{unix.GENL_ID_CTRL: controller()},
		commands: map[string]map[uint8]string{},
	}
}

// byName returns the family named name, if resolved.
func (n *names) byName(name string) *Family {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.families[name]
}

// add records f and returns the family of its name held by the Conn (f,
// unless another request resolved it meanwhile).
func (n *names) add(f *Family) *Family {
	n.mu.Lock()
	defer n.mu.Unlock()
	if old, ok := n.families[f.Name]; ok && old.ID == f.ID {
		return old
	}
	n.families[f.Name] = f
	n.ids[f.ID] = f
	return f
}

func (n *names) setCommands(family string, commands map[uint8]string) {
	m := make(map[uint8]string, len(commands))
	for k, v := range commands {
		m[k] = v
	}
	n.mu.Lock()
	n.commands[family] = m
	n.mu.Unlock()
}

// command names command cmd of the family: its name, or "command N".
func (n *names) command(family string, cmd uint8) string {
	if family == controllerName {
		if s := catalog.GenericCommand(family, cmd); s != "" {
			return s
		}
	}
	n.mu.RLock()
	s := n.commands[family][cmd]
	n.mu.RUnlock()
	if s == "" {
		s = "command " + strconv.Itoa(int(cmd))
	}
	return s
}

// describe names a message of type id and command cmd, such as
// "wireguard WG_CMD_SET_DEVICE" or "genl family 28 command 1".
func (n *names) describe(id uint16, cmd uint8) string {
	n.mu.RLock()
	f := n.ids[id]
	n.mu.RUnlock()
	if f == nil {
		return "genl family " + strconv.Itoa(int(id)) + " command " + strconv.Itoa(int(cmd))
	}
	return f.Name + " " + n.command(f.Name, cmd)
}

// Describe implements nl.Describer: messages of the families resolved on
// the Conn are named by family and command, with their generic header
// (and the family's own) before their attributes; the rest are the
// catalog's.
func (n *names) Describe(p nl.Protocol, m nl.Message) (catalog.Message, bool) {
	if p == nl.Generic && m.Header.Type != unix.GENL_ID_CTRL && m.Header.Type >= nl.MsgType(unix.NLMSG_MIN_TYPE) {
		n.mu.RLock()
		f := n.ids[uint16(m.Header.Type)]
		n.mu.RUnlock()
		if f != nil {
			var cmd uint8
			if len(m.Data) > 0 {
				cmd = m.Data[0]
			}
			return catalog.Message{
				Name:      n.describe(f.ID, cmd),
				Header:    "genlmsghdr",
				HeaderLen: HeaderLen + int(f.HeaderSize),
			}, true
		}
	}
	return nl.CatalogDescriber{}.Describe(p, m)
}

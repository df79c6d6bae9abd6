package iproute

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// SetValues registers, for shell completion, the values the ip-style
// objects name: interfaces, namespaces, routing tables, interface groups
// and link kinds. Each gives what it could read: an error (no such
// namespace, no permission) gives fewer values, never a message.
func SetValues(r *cli.Registry) {
	r.SetValues(cli.ValueDevice, linkNames)
	r.SetValues(cli.ValueNetns, func(context.Context, *cli.Env) []string {
		names, _ := netns.List()
		return names
	})
	r.SetValues(cli.ValueTable, tableNames)
	r.SetValues(cli.ValueGroupName, func(context.Context, *cli.Env) []string {
		return append([]string{"default"}, sortedNames(readIPRouteIDFile("/etc/iproute2/group", true))...)
	})
	r.SetValues(cli.ValueLinkKind, func(context.Context, *cli.Env) []string { return LinkKinds() })
}

// linkNames returns the names of the interfaces in e's namespace, in
// index order.
func linkNames(ctx context.Context, e *cli.Env) []string {
	h, done, err := dialRoute(e)
	if err != nil {
		return nil
	}
	defer done()
	var names []string
	for l, err := range h.Links(ctx, nil) {
		if err != nil {
			break
		}
		names = append(names, l.Name)
	}
	return names
}

// sortedNames returns the names of an id file by id.
func sortedNames(m map[uint32]string) []string {
	ids := slices.Sorted(maps.Keys(m))
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = m[id]
	}
	return names
}

// tableNames returns the routing tables: local, main and default, the
// names of rt_tables, then the numbers of the other tables that hold
// routes in e's namespace.
func tableNames(ctx context.Context, e *cli.Env) []string {
	named := readRTTables("/usr/share/iproute2", "/etc/iproute2")
	names := append([]string{"local", "main", "default"}, sortedNames(named)...)
	h, done, err := dialRoute(e)
	if err != nil {
		return names
	}
	defer done()
	var ids []uint32
	for r, err := range h.Routes(ctx, nil) {
		if err != nil {
			break
		}
		switch r.Table {
		case rtnl.TableUnspec, rtnl.TableLocal, rtnl.TableMain, rtnl.TableDefault:
			continue
		}
		if _, ok := named[r.Table]; !ok && !slices.Contains(ids, r.Table) {
			ids = append(ids, r.Table)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		names = append(names, strconv.FormatUint(uint64(id), 10))
	}
	return names
}

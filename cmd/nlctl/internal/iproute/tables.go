package iproute

import (
	"maps"
	"path/filepath"
	"slices"

	"github.com/nlkit/nlkit/rtnl"
)

// rtTablesFiles returns the files that name routing tables in dirs, as ip
// reads them: the distribution's defaults (/usr/share/iproute2), then the
// administrator's (/etc/iproute2), each rt_tables followed by its
// directory of *.conf files. A later file's name for a
// number wins.
func rtTablesFiles(dirs ...string) []string {
	var files []string
	for _, dir := range dirs {
		files = append(files, filepath.Join(dir, "rt_tables"))
		conf, _ := filepath.Glob(filepath.Join(dir, "rt_tables.d", "*.conf"))
		slices.Sort(conf)
		files = append(files, conf...)
	}
	return files
}

// readRTTables reads the names of routing tables (NUMBER NAME lines);
// missing files name nothing.
func readRTTables(dirs ...string) map[uint32]string {
	names := map[uint32]string{}
	for _, f := range rtTablesFiles(dirs...) {
		maps.Copy(names, readIPRouteIDFile(f, true))
	}
	return names
}

// rtTables returns the table names, read on first use.
func (n *iprouteNames) rtTables() map[uint32]string {
	if n.tables == nil {
		n.tables = readRTTables("/usr/share/iproute2", "/etc/iproute2")
	}
	return n.tables
}

// parseTable reads a routing table as ip does: local, main, default,
// unspec or all, a name from rt_tables, or a number.
func (n *iprouteNames) parseTable(kw, s string) (uint32, error) {
	if t, err := rtnl.ParseTable(s); err == nil {
		return t, nil
	}
	for t, name := range n.rtTables() {
		if name == s {
			return t, nil
		}
	}
	return 0, invalidArg(kw, s, tableForm)
}

// tableName names a routing table as ip does: the kernel's names of
// tables 0 and 253 to 255, its name in rt_tables, or its number.
func (n *iprouteNames) tableName(t uint32) string {
	switch t {
	case rtnl.TableMain, rtnl.TableLocal, rtnl.TableDefault, rtnl.TableUnspec:
	default:
		if name, ok := n.rtTables()[t]; ok {
			return name
		}
	}
	return rtnl.TableName(t)
}

// tableName names a routing table, once per table of a listing.
func (x *ipctx) tableName(t uint32) string {
	if n, ok := x.pc.tables[t]; ok {
		return n
	}
	n := x.ipNames().tableName(t)
	if x.pc.tables == nil {
		x.pc.tables = make(map[uint32]string)
	}
	x.pc.tables[t] = n
	return n
}

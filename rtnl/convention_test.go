package rtnl_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The argument convention of the package, which TestConvention checks on
// its exported API (see the package documentation, "Conventions"):
//
//   - A call that creates, changes or deletes something takes the object
//     (a pointer to the struct the kernel's message maps to): AddLink,
//     SetLink, SetLinkUp, AddAltNames, DeleteNexthop... The object's key
//     fields say which one: Link.Index, or Link.Name when the index is 0;
//     Nexthop.ID; and so on. Never a bare index or id.
//   - Only lookups, named TByK (LinkByIndex, LinkByName, NexthopByID,
//     NexthopBucketByIndex), take keys as plain values.
//   - Listings come in pairs: Ts (an iterator) and ListTs (a slice), both
//     taking a *TFilter (nil: everything).
//   - A link is referred to with the same field names everywhere: its own
//     index is Link.Index; another object's interface is LinkIndex; the
//     input interface is InputLinkIndex; a master is MasterIndex; the link
//     below is ParentIndex; by name, the field ends in Name.

// linkRefs are the only names an int field referring to a link may have,
// with the types allowed to use each one.
var linkRefs = map[string]string{
	"Index":           "Link LinkFilter LinkKey", // a link's own index
	"LinkIndex":       "*",                       // the interface an object is on or goes through
	"InputLinkIndex":  "*",                       // the interface traffic comes in by
	"MasterIndex":     "*",                       // a bridge, bond or VRF
	"ParentIndex":     "*",                       // the link this one is stacked on or paired with
	"BackupPortIndex": "*",                       // a bridge port's backup port
	"PeerIndex":       "VethInfo",                // a veth's other end
	"ViaLinkIndex":    "Neighbour",               // the interface a VXLAN FDB entry's remote is reached through

	// A bond's active and primary ports (ip's active_slave, primary).
	"ActivePortIndex":  "BondInfo",
	"PrimaryPortIndex": "BondInfo",
}

// notLinks are the int fields that are not links, and what they are.
var notLinks = map[string]string{
	"Weight":            "a multipath share",
	"NetNSPID":          "a process, whose namespace a link moves to",
	"LinkNetNSID":       "a namespace id",
	"PeerNetNSID":       "a namespace id",
	"PeerNSID":          "a namespace id (Event)",
	"SuppressPrefixLen": "a prefix length",
	"ID":                "a virtual function's number (VFInfo)",
	"NetNSID":           "a namespace id (Event)",
	"Changes":           "a count of differences (Event)",
	"ReadBuffer":        "a buffer size in bytes (WatchOptions)",
}

// badNames are names of other libraries and of the kernel's structures for
// the concepts above, which this package spells one way.
var badNames = regexp.MustCompile(`^(OIF|IIF|Ifindex|IfIndex|IfaceIndex|Iface|Interface|Dev|Device|Master|Parent|Link|ILinkIndex|OutputIndex|InputIndex|Peer|Port)$`)

// mutators are the verbs of calls that take the object they act on.
var mutators = regexp.MustCompile(`^(Add|Replace|Change|Append|Prepend|Delete|Set|Test)[A-Z]`)

// valueParams are the plain (non-object) parameters mutators may have
// besides the object, and why.
var valueParams = map[string]string{
	"SetNetNSID.id":        "the id to assign, not a reference",
	"AddAltNames.names":    "the names to add",
	"DeleteAltNames.names": "the names to delete",
	"AltNames.names":       "the names to add or delete (Batch)",
}

func TestConvention(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg := pkgs["rtnl"]
	if pkg == nil {
		t.Fatal("no package rtnl in the directory")
	}
	structs := map[string]*ast.StructType{}
	var methods []*ast.FuncDecl
	for _, f := range pkg.Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						if st, ok := ts.Type.(*ast.StructType); ok {
							structs[ts.Name.Name] = st
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && d.Name.IsExported() {
					methods = append(methods, d)
				}
			}
		}
	}
	if len(structs) < 30 || len(methods) < 60 {
		t.Fatalf("parsed %d structs and %d methods: the walk is broken", len(structs), len(methods))
	}
	checked := 0
	for name, st := range structs {
		checked += checkFields(t, fset, name, st)
	}
	for _, m := range methods {
		checked += checkMethod(t, fset, m, structs)
	}
	t.Logf("%d fields and methods checked", checked)
}

func typeString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + typeString(e.X)
	case *ast.SelectorExpr:
		return typeString(e.X) + "." + e.Sel.Name
	case *ast.ArrayType:
		return "[]" + typeString(e.Elt)
	case *ast.Ellipsis:
		return "..." + typeString(e.Elt)
	case *ast.IndexExpr:
		return typeString(e.X) + "[" + typeString(e.Index) + "]"
	case *ast.IndexListExpr:
		var s []string
		for _, x := range e.Indices {
			s = append(s, typeString(x))
		}
		return typeString(e.X) + "[" + strings.Join(s, ", ") + "]"
	}
	return "?"
}

func checkFields(t *testing.T, fset *token.FileSet, typ string, st *ast.StructType) int {
	n := 0
	for _, f := range st.Fields.List {
		ft := typeString(f.Type)
		for _, id := range f.Names {
			if !id.IsExported() {
				continue
			}
			n++
			at := fset.Position(id.Pos())
			if badNames.MatchString(id.Name) && (ft == "int" || ft == "*int" || ft == "string") {
				t.Errorf("%s: %s.%s: a link is named Index, LinkIndex, InputLinkIndex, MasterIndex or ParentIndex (by name: ...Name) in this package", at, typ, id.Name)
			}
			if ft != "int" && ft != "*int" {
				continue
			}
			if owners, ok := linkRefs[id.Name]; ok {
				if owners != "*" && !strings.Contains(" "+owners+" ", " "+typ+" ") {
					t.Errorf("%s: %s.%s: only a link's own index is Index; another object's interface is LinkIndex", at, typ, id.Name)
				}
				continue
			}
			if _, ok := notLinks[id.Name]; ok {
				continue
			}
			t.Errorf("%s: %s.%s (%s): an int field that is neither a link reference named as the convention says nor a known non-link number; name it so, or add it to notLinks with what it is", at, typ, id.Name, ft)
		}
	}
	return n
}

func checkMethod(t *testing.T, fset *token.FileSet, m *ast.FuncDecl, structs map[string]*ast.StructType) int {
	recv := strings.TrimPrefix(typeString(m.Recv.List[0].Type), "*")
	if recv != "Handle" && recv != "Batch" {
		return 0
	}
	name := m.Name.Name
	at := fset.Position(m.Name.Pos())
	type param struct{ name, typ string }
	var ps []param
	for _, f := range m.Type.Params.List {
		for _, id := range f.Names {
			ps = append(ps, param{id.Name, typeString(f.Type)})
		}
	}
	if len(ps) > 0 && ps[0].typ == "context.Context" {
		ps = ps[1:]
	}
	for _, p := range ps {
		if _, ok := structs[p.typ]; ok {
			t.Errorf("%s: %s.%s: parameter %s takes a %s by value; objects, filters and queries are passed by pointer", at, recv, name, p.name, p.typ)
		}
	}
	object := func(typ string) bool {
		base := strings.TrimPrefix(typ, "*")
		_, ok := structs[base]
		return strings.HasPrefix(typ, "*") && (ok || typ == "*netns.NS")
	}
	switch {
	case strings.Contains(name, "By"): // a lookup by key: plain values
		for _, p := range ps {
			if object(p.typ) {
				t.Errorf("%s: %s.%s: a lookup takes its key as values, not %s", at, recv, name, p.typ)
			}
		}
	case mutators.MatchString(name) || recv == "Batch" && len(ps) > 0 && ps[0].typ == "Verb":
		objects := 0
		for _, p := range ps {
			switch {
			case p.typ == "Verb":
			case object(p.typ):
				objects++
			case valueParams[name+"."+p.name] != "":
			default:
				t.Errorf("%s: %s.%s: parameter %s %s: a call that changes something takes the object (*T), whose key fields name it, never a bare index or id", at, recv, name, p.name, p.typ)
			}
		}
		if objects == 0 {
			t.Errorf("%s: %s.%s takes no object", at, recv, name)
		}
	case strings.HasPrefix(name, "List") || len(ps) == 1 && strings.HasSuffix(ps[0].typ, "Filter"):
		obj := strings.TrimSuffix(strings.TrimPrefix(name, "List"), "s")
		if _, ok := structs[obj]; !ok && strings.HasSuffix(obj, "ie") {
			obj = strings.TrimSuffix(obj, "ie") + "y" // MDBEntries
		}
		if _, ok := structs[obj]; !ok {
			obj = strings.TrimSuffix(obj, "e") // Addresses
		}
		if name == "ListNetNSIDs" {
			return 1 // the namespace ids: nothing to filter
		}
		want := "*" + obj + "Filter"
		if len(ps) != 1 || ps[0].typ != want {
			t.Errorf("%s: %s.%s: a listing takes one %s", at, recv, name, want)
		}
		res := m.Type.Results.List
		got := typeString(res[0].Type)
		if strings.HasPrefix(name, "List") {
			if got != "[]"+obj {
				t.Errorf("%s: %s.%s returns %s, want []%s", at, recv, name, got, obj)
			}
		} else if got != "iter.Seq2[*"+obj+", error]" {
			t.Errorf("%s: %s.%s returns %s, want iter.Seq2[*%s, error]", at, recv, name, got, obj)
		}
	}
	return 1
}

package iproute

import "github.com/nlkit/nlkit/cmd/nlctl/internal/cli"

// The grammars of the objects: their verbs in the order ip tries them (so
// that an abbreviation means what it means to ip: `link s` is set,
// `address s` show), and the keywords of each verb, from which help and
// shell completion are made.

func show(words ...[]cli.Word) cli.Verb {
	return cli.Verb{Name: "show", Aliases: []string{"list", "lst"}, Words: cli.Words(words...)}
}

func addressGrammar() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add"},
		{Name: "change", Aliases: []string{"chg"}},
		{Name: "replace"},
		{Name: "delete"},
		show(),
		{Name: "flush"},
		{Name: "help"},
	}}
}

func routeGrammar() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add"},
		{Name: "change", Aliases: []string{"chg"}},
		{Name: "replace"},
		{Name: "append"},
		{Name: "delete"},
		show(),
		{Name: "get"},
		{Name: "flush"},
		{Name: "help"},
	}}
}

func ruleGrammar() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		show(),
		{Name: "add"},
		{Name: "delete"},
		{Name: "flush"},
		{Name: "help"},
	}}
}

func neighGrammar() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add"},
		{Name: "change", Aliases: []string{"chg"}},
		{Name: "replace"},
		{Name: "delete"},
		show(),
		{Name: "flush"},
		{Name: "get"},
		{Name: "help"},
	}}
}

func linkGrammar() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add"},
		{Name: "replace"},
		{Name: "set", Aliases: []string{"change"}, Arg: cli.ValueDevice, Words: cli.Words(
			cli.KwValue(cli.ValueDevice, "dev", "master"),
			cli.Kw("up", "down", "nomaster"),
			cli.KwValue(cli.ValueText, "name", "mtu", "address", "broadcast", "txqueuelen", "alias"),
			cli.KwValue(cli.ValueNetns, "netns"),
			cli.KwValue(cli.ValueGroupName, "group"),
			[]cli.Word{cli.KwChoice("arp", "on", "off"), cli.KwChoice("multicast", "on", "off"),
				cli.KwChoice("promisc", "on", "off"), cli.KwChoice("allmulticast", "on", "off")},
		)},
		{Name: "delete"},
		show(),
		{Name: "help"},
	}}
}

func nexthopGrammar() cli.Grammar {
	g := nexthopBucketGrammar()
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		show(),
		{Name: "flush"},
		{Name: "add"},
		{Name: "replace"},
		{Name: "delete"},
		{Name: "get"},
		{Name: "bucket", Sub: g.Verbs},
		{Name: "help"},
	}}
}

func nexthopBucketGrammar() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		show(),
		{Name: "get"},
		{Name: "help"},
	}}
}

func netnsGrammar() cli.Grammar {
	return cli.Grammar{Default: "list", Verbs: []cli.Verb{
		{Name: "list", Aliases: []string{"show", "lst"}},
		{Name: "list-id"},
		{Name: "add", Arg: cli.ValueText},
		{Name: "set", Arg: cli.ValueNetns},
		{Name: "delete", Arg: cli.ValueNetns},
		{Name: "identify"},
		{Name: "pids", Arg: cli.ValueNetns},
		{Name: "exec", Arg: cli.ValueNetns},
		{Name: "help"},
	}}
}

// Package completion makes nlctl's shell completion from its command
// registry, which is its only source: the commands, their verbs, the
// keywords of each verb and the kind of value each keyword takes all come
// from the [cli.Command]s and their [cli.Grammar]s.
//
// `nlctl completion bash|zsh|fish` prints a script for that shell. The
// scripts are thin: they run the hidden command
//
//	nlctl __complete WORD...
//
// with the words typed after "nlctl", the last one being the word being
// completed (empty after a space), and it prints the candidates for that
// word, one a line. Values come from the providers the families register
// in the registry ([cli.Registry.SetValues]) by kind: the ip-style objects
// give interface names from a link dump in the namespace given with -n
// (or the current one), namespace names from /run/netns, routing tables
// from iproute2's rt_tables files and from the tables that hold routes,
// interface groups from /etc/iproute2/group, and link kinds. Where a file name is expected, __complete prints
// the line [FileMarker] and the script completes file names itself.
// __complete never fails: whatever goes wrong, it prints what it has
// (possibly nothing) and exits 0.
//
// To install the completion:
//
//	bash: source <(nlctl completion bash)      # in ~/.bashrc, or
//	      nlctl completion bash > /etc/bash_completion.d/nlctl
//	zsh:  nlctl completion zsh > ~/.zfunc/_nlctl
//	      # with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc, or
//	      source <(nlctl completion zsh)       # after compinit in ~/.zshrc
//	fish: nlctl completion fish > ~/.config/fish/completions/nlctl.fish
//
// `nlctl completion -h` prints:
//
//	usage: nlctl completion { bash | zsh | fish }
//	prints a script that makes the shell complete nlctl's command lines:
//	commands, verbs, keywords and their values (interfaces and tables in the
//	namespace chosen with -n, namespaces in /run/netns, link kinds, groups).
//
//	install:
//	  bash  source <(nlctl completion bash)    in ~/.bashrc
//	  zsh   nlctl completion zsh > DIR/_nlctl  with DIR in $fpath before compinit,
//	        or source <(nlctl completion zsh)  after compinit in ~/.zshrc
//	  fish  nlctl completion fish > ~/.config/fish/completions/nlctl.fish
//
//	The scripts ask `nlctl __complete WORD...` for the candidates of the last
//	word; a line "//files" among them means "and file names".
package completion

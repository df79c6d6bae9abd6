package completion

// FileMarker is the line __complete prints when a file name may come
// next: the scripts then complete file names themselves (bash with
// compgen -f, zsh with _files, fish with __fish_complete_path). No other
// candidate can be this line: a slash is in no interface, namespace,
// table or group name, and no keyword has one.
const FileMarker = "//files"

// shell is a shell nlctl prints a completion script for.
type shell struct {
	name   string
	script string
}

// shells returns the shells, in the order `completion` lists them.
func shells() []shell {
	return []shell{{"bash", bashScript}, {"zsh", zshScript}, {"fish", fishScript}}
}

// The scripts only ask nlctl: `nlctl __complete WORD...` with the words
// after nlctl up to the cursor, the last one (possibly empty) being
// completed. Each runs the nlctl the user typed (./nlctl works too).

const bashScript = `# bash completion for nlctl, printed by "nlctl completion bash".
# Load it with: source <(nlctl completion bash)
# The candidates come from "nlctl __complete WORD...", one a line; the
# line "` + FileMarker + `" asks for file names.
_nlctl_complete() {
	local nlctl=$1 cur=$2 line files=
	local -a words=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
	[[ $nlctl == "~/"* ]] && nlctl=$HOME/${nlctl:2}
	COMPREPLY=()
	while IFS= read -r line; do
		if [[ $line == "` + FileMarker + `" ]]; then
			files=1
		elif [[ -n $line ]]; then
			COMPREPLY+=("$line")
		fi
	done < <("$nlctl" __complete "${words[@]}" "$cur" 2>/dev/null)
	if [[ -n $files ]]; then
		compopt -o filenames 2>/dev/null
		while IFS= read -r line; do
			COMPREPLY+=("$line")
		done < <(compgen -f -- "$cur")
	fi
	return 0
}
complete -F _nlctl_complete nlctl
`

const zshScript = `#compdef nlctl
# zsh completion for nlctl, printed by "nlctl completion zsh".
# Save it as _nlctl in a directory of $fpath (before compinit runs), or
# source it after compinit: source <(nlctl completion zsh)
# The candidates come from "nlctl __complete WORD...", one a line; the
# line "` + FileMarker + `" asks for file names.
_nlctl() {
	local nlctl=${(Q)words[1]} line
	local -a args cands
	local files=0
	nlctl=${nlctl/#\~/$HOME}
	args=("${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}")
	for line in "${(@f)$("$nlctl" __complete "${args[@]}" 2>/dev/null)}"; do
		if [[ $line == "` + FileMarker + `" ]]; then
			files=1
		elif [[ -n $line ]]; then
			cands+=("$line")
		fi
	done
	(( ${#cands} )) && compadd -- "${cands[@]}"
	(( files )) && _files
	return 0
}
# Autoloaded from $fpath, this file is the body of _nlctl: complete now.
# Sourced, it registers _nlctl for nlctl.
if [[ ${funcstack[1]} == _nlctl ]]; then
	_nlctl "$@"
else
	compdef _nlctl nlctl
fi
`

const fishScript = `# fish completion for nlctl, printed by "nlctl completion fish".
# Save it as ~/.config/fish/completions/nlctl.fish, or load it with:
# nlctl completion fish | source
# The candidates come from "nlctl __complete WORD...", one a line; the
# line "` + FileMarker + `" asks for file names.
function __nlctl_complete
	set -l tokens (commandline -opc)
	set -l cur (commandline -ct)
	set -l nlctl (string replace -r '^~/' "$HOME/" -- $tokens[1])
	set -e tokens[1]
	for line in ($nlctl __complete $tokens "$cur" 2>/dev/null)
		if test "$line" = "` + FileMarker + `"
			__fish_complete_path "$cur"
		else if test -n "$line"
			echo $line
		end
	end
end
complete -c nlctl -f -a '(__nlctl_complete)'
`

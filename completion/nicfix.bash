# shellcheck shell=bash
# bash completion for nicfix(8): commands, options, feature names, the
# bridges of the interfaces file and the interfaces of /sys/class/net.
# Installed as /usr/share/bash-completion/completions/nicfix, loaded by
# bash-completion on the first <Tab> after "nicfix".

# _nicfix_ifaces: the network interfaces this namespace has
_nicfix_ifaces() {
	local d
	for d in /sys/class/net/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# _nicfix_drivers: the drivers of this namespace's NICs, and the names
# ethtool gives the virtual links (bridge, veth, bonding, ...)
_nicfix_drivers() {
	local d
	for d in /sys/class/net/*/device/driver; do
		[ -e "$d" ] && basename "$(readlink -f "$d")"
	done
	printf '%s\n' bridge bonding veth dummy tun 8021q
}

# _nicfix_bridges FILE ROOT: the names of the stanzas with a bridge-ports
# option in FILE and in what its `source` and `source-directory` lines
# include (one level: Proxmox puts its bridges in the main file or in
# interfaces.d).  As nicfix --root does, absolute include paths are read
# under ROOT, relative ones beside FILE.
_nicfix_bridges() {
	local file=$1 root=${2%/} dir kw inc f
	local -a files=("$file")
	dir=$(dirname "$file")
	while read -r kw inc; do
		if [[ "$inc" == /* ]]; then
			inc=$root$inc
		else
			inc=$dir/$inc
		fi
		if [ "$kw" = source-directory ]; then
			for f in "$inc"/*; do
				# run-parts names only, as ifupdown reads them
				[[ "${f##*/}" =~ ^[a-zA-Z0-9_-]+$ ]] && files+=("$f")
			done
		else
			# shellcheck disable=SC2206 # the glob is meant to expand
			files+=($inc)
		fi
	done < <(awk '$1 == "source" || $1 == "source-directory" { print $1, $2 }' \
		"$file" 2>/dev/null)
	awk '
		$1 == "iface" || $1 == "auto" || $1 ~ /^allow-/ || $1 == "mapping" ||
		$1 == "source" || $1 == "source-directory" { name = "" }
		$1 == "iface" { name = $2 }
		name != "" && ($1 == "bridge-ports" || $1 == "bridge_ports") {
			print name; name = ""
		}' "${files[@]}" 2>/dev/null | sort -u
}

_nicfix() {
	local cur prev words cword split
	_init_completion -s || return

	local cmds="diagnose status apply persist unpersist undo check watch metrics help"
	# the global options, also accepted after the command name
	local after="-i --interfaces --root --json -q --quiet -v --verbose"
	local gopts="$after -h --help -V --version"
	local features="tso gso gro lro sg tx rx ufo rxvlan txvlan ntuple rxhash"
	local file=${NICFIX_INTERFACES:-/etc/network/interfaces}
	local root=${NICFIX_ROOT:-/}
	local cmd="" i npos=0

	# the global options before the command, and the command itself
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-i | --interfaces)
			file=${words[i + 1]}
			i=$((i + 1))
			;;
		--interfaces=*) file=${words[i]#*=} ;;
		--root)
			root=${words[i + 1]}
			i=$((i + 1))
			;;
		--root=*) root=${words[i]#*=} ;;
		-*) ;;
		*)
			cmd=${words[i]}
			break
			;;
		esac
	done
	# the positional words after the command, before the current one
	# (and the global options there)
	local j
	for ((j = i + 1; j < cword; j++)); do
		case ${words[j]} in
		-i | --interfaces)
			file=${words[j + 1]}
			j=$((j + 1))
			;;
		--root)
			root=${words[j + 1]}
			j=$((j + 1))
			;;
		-f | --features | --input | --since | --driver | --config | --kmsg | --state | \
			--metrics | --sendmail | --sysfs | --log-socket | --format) j=$((j + 1)) ;;
		-*) ;;
		*) npos=$((npos + 1)) ;;
		esac
	done

	case $prev in
	-i | --interfaces | --input | --config | --kmsg | --metrics | --sendmail | --log-socket)
		_filedir
		[ "$prev" = --input ] && COMPREPLY+=(-)
		return
		;;
	--root | --state | --sysfs)
		_filedir -d
		return
		;;
	--since)
		mapfile -t COMPREPLY < <(compgen -W "today yesterday now" -- "$cur")
		return
		;;
	--driver)
		mapfile -t COMPREPLY < <(compgen -W "$(_nicfix_drivers | sort -u)" -- "$cur")
		return
		;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "text nagios checkmk" -- "$cur")
		return
		;;
	-f | --features)
		# a comma list: complete its last element
		local head=""
		[[ "$cur" == *,* ]] && head=${cur%,*},
		mapfile -t COMPREPLY < <(compgen -P "$head" -W "$features" -- "${cur##*,}")
		compopt -o nospace 2>/dev/null
		return
		;;
	esac
	[ "$split" = true ] && return

	if [ -z "$cmd" ]; then
		if [[ "$cur" == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$gopts" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
		fi
		return
	fi

	local opts="--help $after"
	case $cmd in
	diagnose) opts+=" --input --since" ;;
	status) opts+=" -a --all --driver" ;;
	apply) opts+=" -f --features" ;;
	persist) opts+=" -f --features -n --dry-run --apply --allow-conflict --allow-not-behind --force" ;;
	unpersist) opts+=" -f --features -n --dry-run --allow-not-behind" ;;
	undo) opts+=" -n --dry-run" ;;
	check) opts+=" --no-live --apply -f --features --input --format" ;;
	watch) opts+=" --config --kmsg --state --metrics --no-metrics --sendmail --no-mail --sysfs --log-socket --tail --once" ;;
	metrics) opts+=" --state" ;;
	esac
	if [[ "$cur" == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	case $cmd in
	status | apply)
		mapfile -t COMPREPLY < <(compgen -W "$(_nicfix_ifaces)" -- "$cur")
		;;
	persist | unpersist)
		if [ "$npos" -eq 0 ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nicfix_bridges "$file" "$root")" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_nicfix_ifaces)" -- "$cur")
		fi
		;;
	check)
		mapfile -t COMPREPLY < <(compgen -W "$(_nicfix_bridges "$file" "$root")" -- "$cur")
		;;
	help)
		[ "$npos" -eq 0 ] &&
			mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
		;;
	esac
}
complete -F _nicfix nicfix

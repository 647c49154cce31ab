#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, status
# The bash completion (completion/nicfix.bash) driven as bash does: the
# completion function called with COMP_WORDS/COMP_CWORD, its COMPREPLY
# read back.  Bridge names come from a test interfaces file, interface
# names from /sys/class/net inside the test's own network namespace.

load lib/common
load lib/config

COMPLETION=$TOP/completion/nicfix.bash

setup() {
	config_setup
	use_fixture pve8.interfaces
	unset NICFIX_INTERFACES
}

teardown() {
	ns_teardown
}

# complete WORD...: run bash's completion of the command line WORD...
# (the last word is the one being completed) in a fresh bash with
# bash-completion loaded; prints COMPREPLY one word a line, sorted
complete() {
	bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_nicfix nicfix "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' complete "$COMPLETION" "$@"
}

# words W...: what complete should print for these words
words() {
	printf '%s\n' "$@" | sort
}

@test "the first word: every command of nicfix --help, and only those" {
	run -0 complete nicfix ""
	local from_help
	from_help=$("$NICFIX" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }' | sort)
	[ -n "$from_help" ]
	[ "$output" = "$from_help" ]
	run -0 complete nicfix pe
	[ "$output" = persist ]
	run -0 complete nicfix -q unp
	[ "$output" = unpersist ]
}

@test "global options, and each command's own options" {
	run -0 complete nicfix --j
	[ "$output" = --json ]
	run -0 complete nicfix --ver
	[ "$output" = "$(words --verbose --version)" ]
	local after=(--interfaces --json --quiet --root --verbose)
	run -0 complete nicfix check --
	[ "$output" = "$(words --apply --features --format --help --input --no-live "${after[@]}")" ]
	run -0 complete nicfix persist vmbr0 --d
	[ "$output" = --dry-run ]
	run -0 complete nicfix diagnose --
	[ "$output" = "$(words --help --input --since "${after[@]}")" ]
	run -0 complete nicfix status --
	[ "$output" = "$(words --all --driver --help "${after[@]}")" ]
	run -0 complete nicfix status --driver br
	[ "$output" = bridge ]
	run -0 complete nicfix help st
	[ "$output" = status ]
}

@test "every option completed is one the command accepts" {
	local cmd opt args
	for cmd in diagnose status apply persist unpersist undo check help; do
		run -0 complete nicfix "$cmd" -
		[ -n "$output" ]
		for opt in $output; do
			args=("$opt")
			case $opt in
			-f | --features) args+=(tso) ;;
			--input) args+=("$T/none") ;;
			--since) args+=(today) ;;
			--driver) args+=(veth) ;;
			-i | --interfaces | --root) args+=("$T/none") ;;
			esac
			# a file that does not exist: nothing is read, written or
			# applied, but getopt has seen the option by then
			[ "$cmd" = diagnose ] && [ "$opt" != --input ] && args+=(--input "$T/none")
			# status: an interface that is not there, so no host link is read
			[ "$cmd" = status ] && args+=(nfxnone0)
			run "$NICFIX" -i "$T/none" "$cmd" "${args[@]}"
			[[ "$output" != *"unrecognized option"* && "$output" != *"invalid option"* ]] ||
				{ echo "$cmd $opt: $output" >&2; return 1; }
		done
	done
}

@test "bridge names come from the interfaces file given by -i or NICFIX_INTERFACES" {
	run -0 complete nicfix -i "$IF" persist ""
	[ "$output" = "$(words vmbr0 vmbr1)" ]
	run -0 complete nicfix --interfaces "$IF" check vmbr1
	[ "$output" = vmbr1 ]
	NICFIX_INTERFACES=$IF run -0 complete nicfix unpersist v
	[ "$output" = "$(words vmbr0 vmbr1)" ]
	# a stanza without bridge-ports is no bridge
	NICFIX_INTERFACES=$IF run -0 complete nicfix check eno
	[ -z "$output" ]
	# a file that does not exist: nothing, no error
	run -0 complete nicfix -i "$T/none" check ""
	[ -z "$output" ]
}

@test "bridges in sourced files count, read under --root" {
	cat >"$IF" <<-'EOF'
		auto lo
		iface lo inet loopback

		source /etc/network/interfaces.d/*
		source-directory /etc/network/more.d
	EOF
	mkdir -p "$T/etc/network/interfaces.d" "$T/etc/network/more.d"
	printf 'auto vmbr7\niface vmbr7 inet manual\n\tbridge_ports eno7\n' \
		>"$T/etc/network/interfaces.d/lab"
	printf 'iface vmbr8 inet manual\n\tbridge-ports none\n' \
		>"$T/etc/network/more.d/extra"
	# not a run-parts name: source-directory skips it, as ifupdown does
	printf 'iface vmbr9 inet manual\n\tbridge-ports none\n' \
		>"$T/etc/network/more.d/extra.bak"
	unset NICFIX_ROOT
	run -0 complete nicfix --root "$T" -i "$IF" check ""
	[ "$output" = "$(words vmbr7 vmbr8)" ]
	NICFIX_ROOT=$T NICFIX_INTERFACES=$IF run -0 complete nicfix persist ""
	[ "$output" = "$(words vmbr7 vmbr8)" ]
}

@test "interface names come from this namespace's /sys/class/net" {
	ns_setup
	add_port eno2
	run -0 ns bash -c "$(declare -f complete); COMPLETION=$COMPLETION; complete nicfix status \"\""
	# the namespace's links (veth peers included), none of the host's
	[ "$output" = "$(words eno1 eno1p eno2 eno2p lo vmbr0)" ]
	run -0 ns bash -c "$(declare -f complete); COMPLETION=$COMPLETION; complete nicfix apply en"
	[ "$output" = "$(words eno1 eno1p eno2 eno2p)" ]
	# persist: the bridge first, then its ports
	run -0 ns bash -c "$(declare -f complete); COMPLETION=$COMPLETION; complete nicfix -i $IF persist vmbr0 eno2"
	[ "$output" = "$(words eno2 eno2p)" ]
}

@test "-f completes the last element of a feature list" {
	run -0 complete nicfix apply eno1 -f g
	[ "$output" = "$(words gro gso)" ]
	run -0 complete nicfix persist vmbr0 --features tso,gs
	[ "$output" = tso,gso ]
	# the words after -f are no positional arguments
	run -0 complete nicfix -i "$IF" persist -f tso v
	[ "$output" = "$(words vmbr0 vmbr1)" ]
	# nor is -i FILE after the command, which names the file
	run -0 complete nicfix persist -i "$IF" v
	[ "$output" = "$(words vmbr0 vmbr1)" ]
}

@test "bash-completion loads the file by the command's name" {
	mkdir -p "$BATS_TEST_TMPDIR/bc/completions"
	cp "$COMPLETION" "$BATS_TEST_TMPDIR/bc/completions/nicfix"
	run -0 env BASH_COMPLETION_USER_DIR="$BATS_TEST_TMPDIR/bc" bash -c '
		source /usr/share/bash-completion/bash_completion
		__load_completion nicfix && complete -p nicfix'
	[ "$output" = "complete -F _nicfix nicfix" ]
}

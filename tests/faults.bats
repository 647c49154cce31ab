#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, stderr, stderr_lines, status
# shellcheck disable=SC2016 # on_tmpfs's set-up code is for the inner shell
# Faults while persisting: a full or read-only file system, symlinks, a
# directory where the file should be, no permission, SIGKILL, many
# writers at once, a held lock.  After each one the interfaces file is
# either byte for byte what it was, or exactly the expected new version,
# and nothing is left beside it (ifupdown's "source dir/*" would read a
# stray file as configuration).

load lib/common
load lib/config
load lib/harden

# the line persist adds to vmbr0 of pve8.interfaces, after line 14
LINE=$'\tpost-up ethtool -K eno1 tso off gso off gro off || true'

setup() {
	san_setup
	need_root
	config_setup
	use_fixture pve8.interfaces
	DIR="$T/etc/network"
	# the persisted version, written by hand: the test must not take
	# nicfix's own output as the reference
	awk -v l="$LINE" '{ print } NR == 14 { print l }' "$IF" >"$BATS_TEST_TMPDIR/persisted"
	PRIV=""
	HOLD_FD=""
}

teardown() {
	if [ -n "$HOLD_FD" ]; then
		exec {HOLD_FD}<&-
	fi
	if [ -n "$PRIV" ]; then
		rm -rf "$PRIV"
	fi
	san_check
}

# stray: how many temporary files of ours are beside the file
stray() {
	find "$DIR" -mindepth 1 -maxdepth 1 -name '.interfaces.nicfix-*' | wc -l
}

# one_line_error: stderr is exactly one "nicfix: ..." line
one_line_error() {
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == "nicfix: "* ]]
}

# on_tmpfs SIZE PREP ARGS...: in a private mount namespace, a SIZE tmpfs
# on $DIR holds the fixture; the shell code PREP runs there, then
# nicfix ARGS.  The run's status, output and stderr are kept as `run`
# keeps them; the file as it was afterwards is $BATS_TEST_TMPDIR/after
# and the folder's listing $BATS_TEST_TMPDIR/after.ls.  The set-up
# failing is status 97, which no assertion expects.
on_tmpfs() {
	local size=$1 prep=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr unshare -m --propagation private bash -c '
		dir=$1 size=$2 prep=$3 out=$4
		shift 4
		mount -t tmpfs -o "size=$size,mode=0755" nfx-fault "$dir" || exit 97
		cp "$out/orig" "$dir/interfaces" || exit 97
		eval "$prep" || exit 97
		"$@"
		rc=$?
		cp "$dir/interfaces" "$out/after"
		ls -A "$dir" | tr "\n" " " >"$out/after.ls"
		exit "$rc"' on_tmpfs "$DIR" "$size" "$prep" "$BATS_TEST_TMPDIR" \
		"$NICFIX" -i "$IF" "$@"
}

@test "disk full: exit 3, one line naming the file, the file byte-identical, no temporary file left" {
	# fill the tmpfs to the last block
	on_tmpfs 64k 'dd if=/dev/zero of="$dir/.fill" bs=4k 2>/dev/null; true' persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[ "$stderr" = "nicfix: $IF: cannot write: No space left on device" ]
	cmp "$BATS_TEST_TMPDIR/after" "$BATS_TEST_TMPDIR/orig"
	[ "$(cat "$BATS_TEST_TMPDIR/after.ls")" = ".fill interfaces " ]
}

@test "disk full in the middle of the write: the half-written copy is removed, the file intact" {
	# a 40 KB file on a 64 KB tmpfs: the new copy gets part of the way
	local i
	for i in $(seq 1 500); do
		printf '# padding line %04d of a long comment block, to make the file big\n' "$i"
	done >>"$BATS_TEST_TMPDIR/orig"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/orig")" -gt 32768 ]
	on_tmpfs 64k '' persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[ "$stderr" = "nicfix: $IF: cannot write: No space left on device" ]
	cmp "$BATS_TEST_TMPDIR/after" "$BATS_TEST_TMPDIR/orig"
	[ "$(cat "$BATS_TEST_TMPDIR/after.ls")" = "interfaces " ]
}

@test "the backup's file system full: exit 3 before the file is touched, no partial backup" {
	mkdir "$BATS_TEST_TMPDIR/bk"
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr unshare -m --propagation private bash -c '
		mount -t tmpfs -o size=8k nfx-fault "$1" || exit 97
		dd if=/dev/zero of="$1/.fill" bs=4k 2>/dev/null
		NICFIX_BACKUP_DIR="$1/nicfix" "$2" -i "$3" persist vmbr0
		rc=$?
		ls -A "$1/nicfix" | tr "\n" " " >"$4"
		exit "$rc"' bk "$BATS_TEST_TMPDIR/bk" "$NICFIX" "$IF" "$BATS_TEST_TMPDIR/bk.ls"
	[ "$status" -eq 3 ]
	one_line_error
	[[ "$stderr" == "nicfix: $IF: cannot back up to $BATS_TEST_TMPDIR/bk/nicfix: No space left on device" ]]
	unchanged
	[ "$(listing "$DIR")" = "interfaces " ]
	[ "$(cat "$BATS_TEST_TMPDIR/bk.ls")" = "" ]
}

@test "read-only file system: exit 3, one line, byte-identical; --dry-run still works" {
	on_tmpfs 1m 'mount -o remount,ro "$dir"' persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[[ "$stderr" == "nicfix: $IF: cannot write"*"Read-only file system" ]]
	cmp "$BATS_TEST_TMPDIR/after" "$BATS_TEST_TMPDIR/orig"
	[ "$(cat "$BATS_TEST_TMPDIR/after.ls")" = "interfaces " ]
	on_tmpfs 1m 'mount -o remount,ro "$dir"' persist --dry-run vmbr0
	[ "$status" -eq 0 ]
	[[ "$output" == *"+$LINE"* ]]
	cmp "$BATS_TEST_TMPDIR/after" "$BATS_TEST_TMPDIR/orig"
}

@test "read-only, the lines already there: unpersist fails cleanly, persist says unchanged" {
	cp "$BATS_TEST_TMPDIR/persisted" "$BATS_TEST_TMPDIR/orig"
	on_tmpfs 1m 'mount -o remount,ro "$dir"' unpersist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[[ "$stderr" == *"Read-only file system" ]]
	cmp "$BATS_TEST_TMPDIR/after" "$BATS_TEST_TMPDIR/persisted"
	# nothing to write: a read-only file is no obstacle
	on_tmpfs 1m 'mount -o remount,ro "$dir"' persist vmbr0
	[ "$status" -eq 0 ]
	[[ "$output" == *"$IF: unchanged"* ]]
}

@test "a symlinked file in another folder: its target is replaced, the link stays, nothing stray" {
	mkdir "$T/real"
	mv "$IF" "$T/real/interfaces"
	ln -s ../../real/interfaces "$IF"
	run -0 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[ -L "$IF" ]
	[ "$(readlink "$IF")" = ../../real/interfaces ]
	cmp "$T/real/interfaces" "$BATS_TEST_TMPDIR/persisted"
	[ "$(listing "$DIR")" = "interfaces " ]
	[ "$(listing "$T/real")" = "interfaces " ]
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[[ "$output" == *": unchanged" ]]
	run -0 "$NICFIX" -i "$IF" unpersist vmbr0
	[ -L "$IF" ]
	cmp "$T/real/interfaces" "$BATS_TEST_TMPDIR/orig"
}

@test "a dangling symlink, a symlink loop: exit 2 naming the file, nothing created" {
	rm "$IF"
	ln -s "$T/nowhere" "$IF"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	one_line_error
	[ "$stderr" = "nicfix: $IF: No such file or directory" ]
	[ ! -e "$T/nowhere" ]
	[ "$(listing "$DIR")" = "interfaces " ]
	rm "$IF"
	ln -s interfaces "$IF"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	one_line_error
	[ "$stderr" = "nicfix: $IF: Too many levels of symbolic links" ]
	[ -L "$IF" ]
	[ "$(listing "$DIR")" = "interfaces " ]
	[ ! -e "$NICFIX_BACKUP_DIR" ]
}

@test "a directory where the file should be: exit 2, the directory untouched" {
	rm "$IF"
	mkdir "$IF"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	one_line_error
	[ "$stderr" = "nicfix: $IF: is a directory" ]
	[ -z "$(listing "$IF")" ]
	[ "$(listing "$DIR")" = "interfaces " ]
	# and a symlink to a directory is the same
	rmdir "$IF"
	mkdir "$T/adir"
	ln -s "$T/adir" "$IF"
	run -2 --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[ "$stderr" = "nicfix: $IF: is a directory" ]
	[ -z "$(listing "$T/adir")" ]
}

@test "a file where the backup folder should be: exit 3, both files untouched" {
	printf 'not a folder\n' >"$BATS_TEST_TMPDIR/bkfile"
	NICFIX_BACKUP_DIR="$BATS_TEST_TMPDIR/bkfile" run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[ "$stderr" = "nicfix: $IF: cannot back up to $BATS_TEST_TMPDIR/bkfile: Not a directory" ]
	unchanged
	[ "$(cat "$BATS_TEST_TMPDIR/bkfile")" = "not a folder" ]
	[ "$(listing "$DIR")" = "interfaces " ]
}

# as_nobody CMD...: run CMD as nobody, with no capabilities
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"
}

# perm_tree: a tree nobody can reach (BATS_TEST_TMPDIR is private to
# root), with a root-owned file, and a backup folder nobody may write
perm_tree() {
	PRIV=$(mktemp -d /tmp/nfx-perm.XXXXXX)
	chmod 0755 "$PRIV"
	mkdir -p "$PRIV/etc/network" "$PRIV/bk"
	chown nobody:nogroup "$PRIV/bk"
	IF="$PRIV/etc/network/interfaces"
	DIR="$PRIV/etc/network"
	cp "$BATS_TEST_TMPDIR/orig" "$IF"
	chmod 0644 "$IF"
	export NICFIX_ROOT="$PRIV" NICFIX_BACKUP_DIR="$PRIV/bk"
}

@test "no permission: nobody cannot write root's file or folder: exit 3 naming the file" {
	perm_tree
	run --separate-stderr as_nobody "$NICFIX" -i "$IF" persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[[ "$stderr" == "nicfix: $IF: "*"Permission denied" ]]
	[ "$(sum "$IF")" = "$(sum "$BATS_TEST_TMPDIR/orig")" ]
	[ "$(stat -c %u:%a "$IF")" = 0:644 ]
	[ "$(listing "$DIR")" = "interfaces " ]
	# a file nobody may not even read
	chmod 0600 "$IF"
	run --separate-stderr as_nobody "$NICFIX" -i "$IF" persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[ "$stderr" = "nicfix: $IF: Permission denied" ]
	[ "$(sum "$IF")" = "$(sum "$BATS_TEST_TMPDIR/orig")" ]
	# reading is allowed where writing is not: --dry-run works
	chmod 0644 "$IF"
	run -0 as_nobody "$NICFIX" -i "$IF" persist --dry-run vmbr0
	[[ "$output" == *"+$LINE"* ]]
}

@test "no permission to keep the owner: nobody's folder, root's file: exit 3, nothing replaced" {
	perm_tree
	# nobody may create and rename in the folder, but the copy could not
	# be given back to root: it must not replace root's file
	chown nobody:nogroup "$DIR"
	run --separate-stderr as_nobody "$NICFIX" -i "$IF" persist vmbr0
	[ "$status" -eq 3 ]
	one_line_error
	[ "$stderr" = "nicfix: $IF: cannot write: Operation not permitted" ]
	[ "$(sum "$IF")" = "$(sum "$BATS_TEST_TMPDIR/orig")" ]
	[ "$(stat -c %u "$IF")" = 0 ]
	[ "$(listing "$DIR")" = "interfaces " ]
}

@test "SIGKILL at random moments of 200 persists and unpersists: always one of the two versions" {
	local a b i s pid delay killed=0 done_=0 backup
	a=$(sum "$BATS_TEST_TMPDIR/orig")
	b=$(sum "$BATS_TEST_TMPDIR/persisted")
	# A kill that lands in LeakSanitizer's own exit-time scan leaves it
	# "Unable to get registers from thread": a report about the kill, not
	# a leak.  The killed runs look for memory errors only; the clean run
	# at the end, and every other suite, still look for leaks.
	local killed_opts="$ASAN_OPTIONS:detect_leaks=0"
	for i in $(seq 1 200); do
		if [ $((i % 2)) -eq 1 ]; then
			ASAN_OPTIONS=$killed_opts "$NICFIX" -q -i "$IF" persist vmbr0 2>/dev/null &
		else
			ASAN_OPTIONS=$killed_opts "$NICFIX" -q -i "$IF" unpersist vmbr0 2>/dev/null &
		fi
		pid=$!
		# 0 to 0.5 s: from start-up to well past the write
		delay=$(printf '0.%03d' $((RANDOM % 500)))
		sleep "$delay"
		if kill -9 "$pid" 2>/dev/null; then
			killed=$((killed + 1))
		fi
		# braces: bash reports the killed job on the shell's stderr
		{ wait "$pid"; } 2>/dev/null || true
		s=$(sum "$IF")
		if [ "$s" != "$a" ] && [ "$s" != "$b" ]; then
			echo "iteration $i (killed after ${delay}s): a third version" >&2
			diff "$BATS_TEST_TMPDIR/orig" "$IF" >&2 || true
			return 1
		fi
		[ "$s" = "$b" ] && done_=$((done_ + 1))
		# a temporary file left by a kill is removed by the next run
		# (under the lock): at most one is there at any time
		[ "$(stray)" -le 1 ]
	done
	echo "# killed $killed of 200 runs; the file was persisted after $done_" >&3
	# both outcomes happened, or the test did not test anything
	[ "$killed" -gt 20 ]
	[ "$done_" -gt 0 ] && [ "$done_" -lt 200 ]
	# every backup is a whole version too
	for backup in "$NICFIX_BACKUP_DIR"/*; do
		case "$backup" in
		*/.*) continue ;;
		esac
		s=$(sum "$backup")
		if [ "$s" != "$a" ] && [ "$s" != "$b" ]; then
			echo "partial backup $backup ($(stat -c %s "$backup") bytes)" >&2
			return 1
		fi
	done
	# a clean run leaves the folder as it should be
	run -0 "$NICFIX" -q -i "$IF" persist vmbr0
	cmp "$IF" "$BATS_TEST_TMPDIR/persisted"
	[ "$(listing "$DIR")" = "interfaces " ]
}

@test "SIGKILL at each system call of the write (strace injection): a whole file, whole backups, no stray file" {
	# ASan cannot run under ptrace: the plain build, killed by strace
	# exactly when it enters the Nth such call
	local plain="$TOP/build/nicfix" a b s spec backup n=0
	[ -x "$plain" ]
	a=$(sum "$BATS_TEST_TMPDIR/orig")
	b=$(sum "$BATS_TEST_TMPDIR/persisted")
	for spec in write:when=1 write:when=2 fsync:when=1 fsync:when=2 \
		fsync:when=3 fchown:when=1 fchmod:when=1 linkat:when=1 \
		linkat:when=2 rename:when=1; do
		cp "$BATS_TEST_TMPDIR/orig" "$IF"
		run strace -o /dev/null -e trace=write,fsync,fchown,fchmod,linkat,rename \
			-e inject="${spec%%:*}:signal=KILL:${spec#*:}" \
			"$plain" -q -i "$IF" persist vmbr0
		s=$(sum "$IF")
		if [ "$s" != "$a" ] && [ "$s" != "$b" ]; then
			echo "killed at $spec: a third version" >&2
			return 1
		fi
		[ "$status" -ne 0 ] && n=$((n + 1))
		for backup in "$NICFIX_BACKUP_DIR"/*; do
			[ -e "$backup" ] || continue
			s=$(sum "$backup")
			if [ "$s" != "$a" ] && [ "$s" != "$b" ]; then
				echo "killed at $spec: partial backup $backup ($(stat -c %s "$backup") bytes)" >&2
				return 1
			fi
		done
		# killed between naming the new copy and renaming it: the
		# copy may remain (a dot name: ifupdown does not read it)...
		[ "$(stray)" -le 1 ]
		[ "$(listing "$DIR" | sed 's/\.interfaces\.nicfix-[0-9A-Za-z]* //')" = "interfaces " ]
		# ...until the next writer, which holds the lock, removes it
		"$plain" -q -i "$IF" persist vmbr0
		"$plain" -q -i "$IF" unpersist vmbr0
		[ "$(listing "$DIR")" = "interfaces " ]
		unchanged
	done
	# the injection did kill: most calls are reached
	[ "$n" -ge 8 ]
}

@test "50 concurrent persists of different ports, then 50 concurrent unpersists" {
	local i ports="" pids=() bad=0
	for i in $(seq 1 50); do ports+=" p$i"; done
	printf 'auto vmbr0\niface vmbr0 inet manual\n\tbridge-ports%s\n\tbridge-fd 0\n\n# end\n' "$ports" >"$IF"
	cp "$IF" "$BATS_TEST_TMPDIR/orig"
	# 50 ASan runs queue on the lock on two shared cores
	export NICFIX_LOCK_TIMEOUT=300000
	for i in $(seq 1 50); do
		"$NICFIX" -q -i "$IF" persist vmbr0 "p$i" &
		pids+=("$!")
	done
	for i in "${pids[@]}"; do
		wait "$i" || bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ]
	aug_parses "$IF"
	for i in $(seq 1 50); do
		[ "$(grep -cxF $'\tpost-up ethtool -K p'"$i"' tso off gso off gro off || true' "$IF")" -eq 1 ]
	done
	[ "$(grep -c ethtool "$IF")" -eq 50 ]
	[ "$(wc -l <"$IF")" -eq $(($(wc -l <"$BATS_TEST_TMPDIR/orig") + 50)) ]
	# the lines sit in the stanza, between bridge-fd and the comment
	run -0 awk '/bridge-fd/ { on = 1; next } /^$/ { on = 0 } on && !/ethtool/ { print }' "$IF"
	[ -z "$output" ]
	[ "$(listing "$DIR")" = "interfaces " ]
	run -0 "$NICFIX" -i "$IF" persist vmbr0
	[ "$(grep -c ': unchanged' <<<"$output")" -eq 51 ]
	pids=()
	for i in $(seq 1 50); do
		"$NICFIX" -q -i "$IF" unpersist vmbr0 "p$i" &
		pids+=("$!")
	done
	for i in "${pids[@]}"; do
		wait "$i" || bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ]
	unchanged
	[ "$(listing "$DIR")" = "interfaces " ]
}

@test "a lock held by another process: exit 3 after the bounded wait, clear message, file untouched" {
	local start end
	# hold nicfix's own lock (the folder) from this shell
	exec {HOLD_FD}<"$DIR"
	flock -x "$HOLD_FD"
	start=$(date +%s%N)
	NICFIX_LOCK_TIMEOUT=500 run --separate-stderr "$NICFIX" -i "$IF" persist vmbr0
	end=$(date +%s%N)
	[ "$status" -eq 3 ]
	one_line_error
	[ "$stderr" = "nicfix: $DIR: another process holds the lock (waited 500 ms)" ]
	# waited at least the timeout, and not much longer (ASan start-up
	# and a loaded machine included)
	[ $(((end - start) / 1000000)) -ge 500 ]
	[ $(((end - start) / 1000000)) -lt 5000 ]
	unchanged
	[ "$(listing "$DIR")" = "interfaces " ]
	[ ! -e "$NICFIX_BACKUP_DIR" ]
	NICFIX_LOCK_TIMEOUT=500 run -3 --separate-stderr "$NICFIX" -i "$IF" unpersist vmbr0
	unchanged
	# released: the same command goes through
	exec {HOLD_FD}<&-
	HOLD_FD=""
	NICFIX_LOCK_TIMEOUT=500 run -0 "$NICFIX" -i "$IF" persist vmbr0
	cmp "$IF" "$BATS_TEST_TMPDIR/persisted"
}

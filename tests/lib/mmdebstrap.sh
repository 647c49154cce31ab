# shellcheck shell=bash
# mmdebstrap.sh - sourced by tests/lib/mkroot.sh and tests/vm/mkimage.sh:
# what both need to run mmdebstrap the same way on any machine.
#   host_sources SUITE   apt source lines for SUITE, from the host's own
#                        (the CI machine reaches only the Debian archive)
#   closed_run CMD...    CMD with only stdin, stdout and stderr open

# host_sources SUITE: the host's own sources, with bookworm read as the
# suite asked (deb.debian.org when the host lists none)
host_sources() {
	local fmt sources
	# shellcheck disable=SC2016 # apt-get expands $(...) in --format
	fmt='$(REPO_URI) $(RELEASE) $(TARGET_OF)'
	sources=$(apt-get indextargets --format "$fmt" 2>/dev/null |
		awk -v suite="$1" '$3 == "deb" && $2 ~ /^bookworm/ {
			sub(/^bookworm/, suite, $2); print "deb " $1 " " $2 " main" }' |
		sort -u)
	[ -n "$sources" ] || sources="deb http://deb.debian.org/debian $1 main"
	printf '%s\n' "$sources"
}

# closed_run CMD...: run CMD with only stdin, stdout and stderr open.
# mmdebstrap hands apt a pipe by number and apt runs `cat >&N` through
# dash, which reads only one digit: with the caller's descriptors open
# (bats keeps 3 and 4, the caller holds its lock) the pipe lands on 10 or
# more and the download fails with "Bad fd number".  A lock stays held:
# it belongs to the caller's open file, not to the child's copy.
closed_run() {
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec "$@"
	)
}

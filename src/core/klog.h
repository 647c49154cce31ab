/* klog.h - the kernel-log reader's pure parts, for klog.c and the unit tests
 *
 * The public side (records, sources) is in nicfix.h; what is here works on
 * memory only: the line parser and the block scanner that skips the lines
 * no signature can match.
 */
#ifndef NICFIX_KLOG_H
#define NICFIX_KLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "nicfix.h"

/**
 * struct nfx_klog_state - what parsing one line needs from the ones before
 * @now: NFX_CLOCK_WALL time now (NFX_TIME_NONE: year 1970 for syslog dates)
 * @boot: wall-clock time of boot for NFX_CLOCK_BOOT stamps of this boot's
 *	log, NFX_TIME_NONE when they belong to an unknown boot
 * @year: the year given to syslog dates that have none (0: not yet known)
 * @last_mon: month of the previous syslog date, to see a new year come
 * @kmsg: the lines are /dev/kmsg records (their newlines come as \x0a)
 */
struct nfx_klog_state {
	long long now;
	long long boot;
	int year;
	int last_mon;
	bool kmsg;
};

/**
 * nfx_klog_state_init() - start parsing with options @o (may be NULL)
 * @st: the state
 * @o: the reader's options
 */
void nfx_klog_state_init(struct nfx_klog_state *st,
			 const struct nfx_klog_opts *o);

/**
 * nfx_klog_parse() - split one physical line into its prefix and message
 * @st: parser state (the year of syslog dates)
 * @line: the line, without its newline; need not be NUL-terminated
 * @len: its length (a trailing '\r' is dropped)
 * @ret_rec: the record; @ret_rec->text points into @line.  Its @line and
 *	@cont fields are left to the caller when the line has no prefix.
 *
 * Recognises, per line: dmesg "[  12.345678]", dmesg -T "[Tue Apr 16 ...]",
 * dmesg -x "kern  :err   : ", dmesg -r "<3>", /dev/kmsg "3,12,345,-;",
 * journalctl short, short-precise, short-iso(-precise), short-full and
 * short-monotonic, syslog "Apr 16 06:10:00 host kernel: [ 1.2] ", logread
 * "kern.err kernel:", rsyslog "message repeated N times: [ ... ]", and
 * indented continuation lines.  A line with none of these is a message of
 * its own.
 *
 * Return: 1 when @ret_rec holds a record, 0 for a line that carries none
 * (a /dev/kmsg dictionary line " DEVICE=+pci:...").
 */
int nfx_klog_parse(struct nfx_klog_state *st, const char *line, size_t len,
		   struct nfx_klog_rec *ret_rec);

/**
 * nfx_klog_find() - the next line that holds an anchor of a signature
 * @buf: the text
 * @from: offset of a line start
 * @to: end of the text to look at (a line end, or the end of input)
 * @ret_nl: incremented by the number of newlines in [@from, returned)
 *
 * The anchors ("Unit Hang", "NETDEV WATCHDOG", "Reset adapter", "Link is ")
 * are looked for 128 bytes at a time, on two bytes of each at once, with
 * AVX2 where the CPU has it, so the lines that cannot matter cost little
 * more than reading them does.
 *
 * Return: the offset of the start of the first line in [@from, @to) that
 * holds an anchor, or @to.
 */
size_t nfx_klog_find(const char *buf, size_t from, size_t to,
		     unsigned long *ret_nl);

/** nfx_klog_find_isa() - the same with AVX2 (@avx2, if the CPU has it) or
 *	without: the unit tests run both on any machine */
size_t nfx_klog_find_isa(const char *buf, size_t from, size_t to,
			 unsigned long *ret_nl, bool avx2);

/* "#012" and "\x0a" are both this long */
#define NFX_KLOG_SEP_LEN 4

/**
 * nfx_klog_split() - the next piece of a message joined on one line
 * @text: the message (rsyslog's "#012" or /dev/kmsg's "\x0a" separate
 *	its lines)
 * @len: its length
 * @kmsg: split on "\x0a" rather than "#012"
 * Return: the length of the first piece; @len when there is only one.
 */
size_t nfx_klog_split(const char *text, size_t len, bool kmsg);

#endif

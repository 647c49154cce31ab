/* unit_klog.c - table-driven tests of the kernel-log parser and grouping */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "klog.h"
#include "nicfix.h"

#include "check.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-23 12:00:00, the "now" syslog dates get their year from */
#define NOW (nfx_klog_civil(2026, 11, 23, 12, 0, 0))

static void test_parse(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *text;
		const char *time; /* nfx_klog_time_str() */
		int cont, kernel;
	} rows[] = {
		/* journalctl short, and its indented continuation */
		{ "Apr 16 06:10:00 pve01 kernel: e1000e 0000:00:1f.6 eno1: x", 1,
		  "e1000e 0000:00:1f.6 eno1: x", "2026-04-16 06:10:00", 0, 1 },
		{ "                                 TDH                  <f6>", 1,
		  "TDH                  <f6>", "-", 1, 1 },
		/* syslog pads the day with a space */
		{ "Apr  6 06:10:00 pve01 kernel: msg", 1, "msg",
		  "2026-04-06 06:10:00", 0, 1 },
		/* a date after now is last year's */
		{ "Dec 24 18:00:00 pve01 kernel: msg", 1, "msg",
		  "2025-12-24 18:00:00", 0, 1 },
		/* short-precise */
		{ "Apr 16 06:10:00.123456 pve01 kernel: msg", 1, "msg",
		  "2026-04-16 06:10:00", 0, 1 },
		/* short-iso and short-iso-precise */
		{ "2024-04-16T06:10:00+0200 pve01 kernel: msg", 1, "msg",
		  "2024-04-16 06:10:00", 0, 1 },
		{ "2024-04-16T06:10:00.123456+02:00 pve01 kernel: msg", 1, "msg",
		  "2024-04-16 06:10:00", 0, 1 },
		/* dmesg --time-format=iso: no host, no ident */
		{ "2024-04-16T06:10:00,123456+02:00 e1000e: eth0 NIC Link is Down",
		  1, "e1000e: eth0 NIC Link is Down", "2024-04-16 06:10:00", 0, 1 },
		/* short-full */
		{ "Tue 2024-04-16 06:10:00 CEST pve01 kernel: msg", 1, "msg",
		  "2024-04-16 06:10:00", 0, 1 },
		/* short-monotonic and dmesg */
		{ "[  123.456789] pve01 kernel: msg", 1, "msg",
		  "123.456 s after boot", 0, 1 },
		{ "[  123.456789] e1000e 0000:00:1f.6 eno1: x", 1,
		  "e1000e 0000:00:1f.6 eno1: x", "123.456 s after boot", 0, 1 },
		{ "[  123.456789] e1000e: eth0 NIC Link is Down", 1,
		  "e1000e: eth0 NIC Link is Down", "123.456 s after boot", 0, 1 },
		{ "[  123.456789] NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 "
		  "timed out", 1,
		  "NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 timed out",
		  "123.456 s after boot", 0, 1 },
		{ "[    5.1] usb 1-1: new device", 1, "usb 1-1: new device",
		  "5.100 s after boot", 0, 1 },
		/* dmesg -T, -r and -x */
		{ "[Tue Apr 16 06:10:00 2024] e1000e 0000:00:1f.6 eno1: x", 1,
		  "e1000e 0000:00:1f.6 eno1: x", "2024-04-16 06:10:00", 0, 1 },
		{ "<3>[  123.456789] msg", 1, "msg", "123.456 s after boot", 0, 1 },
		{ "kern  :err   : [  123.456789] msg", 1, "msg",
		  "123.456 s after boot", 0, 1 },
		/* kern.log with the dmesg stamp inside, and its indented field */
		{ "Apr 16 06:10:00 pve01 kernel: [12345.678901] msg", 1, "msg",
		  "2026-04-16 06:10:00", 0, 1 },
		{ "Apr 16 06:10:00 pve01 kernel: [12345.678901]   TDH  <f6>", 1,
		  "TDH  <f6>", "2026-04-16 06:10:00", 1, 1 },
		/* logread and busybox */
		{ "Tue Apr 16 06:10:00 2024 kern.err kernel: [  12.3] msg", 1,
		  "msg", "2024-04-16 06:10:00", 0, 1 },
		{ "Apr 16 06:10:00 openwrt kern.info kernel: msg", 1, "msg",
		  "2026-04-16 06:10:00", 0, 1 },
		/* user space is not the kernel */
		{ "Apr 16 06:10:00 pve01 pvedaemon[1234]: Link is Down", 1,
		  "Link is Down", "2026-04-16 06:10:00", 0, 0 },
		{ "[  12.3] pve01 NetworkManager[812]: Link is Down", 1,
		  "Link is Down", "12.300 s after boot", 0, 0 },
		/* /dev/kmsg numbers past long long (issue #7, fuzz_klog) */
		{ "6,99999999999999999999,99999999999999999999,-;msg", 1, "msg",
		  "9223372036854.775 s after boot", 0, 1 },
		/* /dev/kmsg, its dictionary, CRLF, no prefix at all */
		{ "6,1001,4000000,-;e1000e 0000:00:1f.6 eno1: x", 1,
		  "e1000e 0000:00:1f.6 eno1: x", "4.000 s after boot", 0, 1 },
		{ " SUBSYSTEM=pci", 0, NULL, NULL, 0, 0 },
		{ "Apr 16 06:10:00 pve01 kernel: msg\r", 1, "msg",
		  "2026-04-16 06:10:00", 0, 1 },
		{ "e1000e: eth0 NIC Link is Down", 1,
		  "e1000e: eth0 NIC Link is Down", "-", 0, 1 },
		{ "<info> (eth0): carrier now OFF", 1,
		  "<info> (eth0): carrier now OFF", "-", 0, 1 },
		{ "", 1, "", "-", 0, 1 },
		/* rsyslog's repeated-message reduction */
		{ "Apr 16 06:10:00 pve01 kernel: message repeated 3 times: "
		  "[ e1000e 0000:00:1f.6 eno1: NIC Link is Down]", 1,
		  "e1000e 0000:00:1f.6 eno1: NIC Link is Down",
		  "2026-04-16 06:10:00", 0, 1 },
		/* almost prefixes: messages of their own */
		{ "Apr 16 25:10:00 pve01 kernel: msg", 1,
		  "Apr 16 25:10:00 pve01 kernel: msg", "-", 0, 1 },
		{ "[12.3 oops", 1, "[12.3 oops", "-", 0, 1 },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		struct nfx_klog_opts o = { NOW, NFX_TIME_NONE };
		struct nfx_klog_state st;
		struct nfx_klog_rec rec;
		char t[48];
		int rc;

		nfx_klog_state_init(&st, &o);
		rc = nfx_klog_parse(&st, rows[i].line, strlen(rows[i].line), &rec);
		CHECK(rc == rows[i].rc, "parse '%s': rc %d", rows[i].line, rc);
		if (rc != 1 || rows[i].rc != 1)
			continue;
		CHECK(rec.len == strlen(rows[i].text) &&
			      !memcmp(rec.text, rows[i].text, rec.len),
		      "parse '%s': text '%.*s'", rows[i].line, (int)rec.len,
		      rec.text);
		nfx_klog_time_str(rec.time, rec.clock, t, sizeof(t));
		CHECK(!strcmp(t, rows[i].time), "parse '%s': time '%s'",
		      rows[i].line, t);
		CHECK(rec.cont == rows[i].cont, "parse '%s': cont %d",
		      rows[i].line, rec.cont);
		CHECK(rec.kernel == rows[i].kernel, "parse '%s': kernel %d",
		      rows[i].line, rec.kernel);
	}
}

static void test_repeat_and_year(void)
{
	static const char *const lines[] = {
		"Dec 31 23:59:59 h kernel: a",
		"Jan  1 00:00:01 h kernel: b",
		"Apr 16 06:10:00 h kernel: message repeated 3 times: [ x]",
	};
	struct nfx_klog_opts o = { nfx_klog_civil(2027, 1, 2, 0, 0, 0),
				   NFX_TIME_NONE };
	struct nfx_klog_state st;
	struct nfx_klog_rec rec;
	char t[48];

	nfx_klog_state_init(&st, &o);
	nfx_klog_parse(&st, lines[0], strlen(lines[0]), &rec);
	CHECK(!strcmp(nfx_klog_time_str(rec.time, rec.clock, t, sizeof(t)),
		      "2026-12-31 23:59:59"), "new year: %s", t);
	nfx_klog_parse(&st, lines[1], strlen(lines[1]), &rec);
	CHECK(!strcmp(nfx_klog_time_str(rec.time, rec.clock, t, sizeof(t)),
		      "2027-01-01 00:00:01"), "new year: %s", t);
	nfx_klog_parse(&st, lines[2], strlen(lines[2]), &rec);
	CHECK(rec.repeat == 3 && rec.len == 1 && rec.text[0] == 'x',
	      "repeat %u '%.*s'", rec.repeat, (int)rec.len, rec.text);
}

/* nfx_klog_find() against the obvious answer, at every alignment, and
 * past the 63 rounds of 128 bytes after which the scan empties its byte
 * counters of newlines
 */
static void test_find(bool avx2)
{
	static const char *const hits[] = {
		"e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
		"NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 timed out",
		"e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly",
		"r8169 0000:02:00.0 enp2s0: Link is Down",
		"igb 0000:01:00.0: Detected Tx Unit Hang",
	};
	static const char *const misses[] = {
		"vmbr0: port 1(eno1) entered forwarding state",
		"Unit Han", "NETDEV WATCHDO", "Reset adapte", "Link is",
		"U    H Uxxxxxxxx N      W R     a L     s",
	};
	char *buf = malloc(20000);
	size_t pad, h, len, got, want;
	unsigned long nl;
	int bad = 0;

	for (h = 0; h < N(hits); h++) {
		for (pad = 0; pad < 9000; pad += pad < 300 ? 7 : 97) {
			size_t k, lines = 0;

			len = 0;
			for (k = 0; len < pad; k++) {
				const char *m = misses[k % N(misses)];

				len += (size_t)sprintf(buf + len, "%s\n", m);
				lines++;
			}
			want = len;
			len += (size_t)sprintf(buf + len, "[ 1.0] %s\ntail\n",
					       hits[h]);
			nl = 0;
			got = nfx_klog_find_isa(buf, 0, len, &nl, avx2);
			if (got != want || nl != lines) {
				bad++;
				printf("# find %zu/%zu: got %zu nl %lu, want "
				       "%zu nl %zu\n", h, pad, got, nl, want,
				       lines);
			}
			/* nothing in the misses alone */
			nl = 0;
			got = nfx_klog_find_isa(buf, 0, want, &nl, avx2);
			if (got != want || nl != lines)
				bad++;
		}
	}
	CHECK(!bad, "nfx_klog_find (%s): %d bad", avx2 ? "avx2" : "baseline", bad);
	free(buf);
}

static void test_split(void)
{
	static const struct {
		const char *text;
		int kmsg;
		size_t first;
	} rows[] = {
		{ "Hang:#012  TDH <f6>", 0, 5 },
		{ "Hang:\\x0a  TDH <f6>", 1, 5 },
		{ "no separator", 0, 12 },
		{ "#012", 0, 0 },
		{ "Hang:\\x0a", 0, 9 },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		size_t n = nfx_klog_split(rows[i].text, strlen(rows[i].text),
					  rows[i].kmsg);

		CHECK(n == rows[i].first, "split '%s': %zu", rows[i].text, n);
	}
}

static void test_since(void)
{
	static const struct {
		const char *when;
		int rc;
		const char *want;
	} rows[] = {
		{ "2024-04-16", 0, "2024-04-16 00:00:00" },
		{ "2024-04-16 06:10:05", 0, "2024-04-16 06:10:05" },
		{ "2024-04-16T06:10:05", 0, "2024-04-16 06:10:05" },
		{ "2024-04-16 06:10", 0, "2024-04-16 06:10:00" },
		{ "06:10", 0, "2026-11-23 06:10:00" },
		{ "06:10:30", 0, "2026-11-23 06:10:30" },
		{ "today", 0, "2026-11-23 00:00:00" },
		{ "yesterday", 0, "2026-11-22 00:00:00" },
		{ "-2h", 0, "2026-11-23 10:00:00" },
		{ "2h ago", 0, "2026-11-23 10:00:00" },
		{ "30min ago", 0, "2026-11-23 11:30:00" },
		{ "1d ago", 0, "2026-11-22 12:00:00" },
		{ "", -EINVAL, NULL },
		{ "tomorrowish", -EINVAL, NULL },
		{ "2h", -EINVAL, NULL },
		{ "2024-13-01", -EINVAL, NULL },
		{ "-2 parsecs", -EINVAL, NULL },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		struct nfx_err err = { 0 };
		long long t = 0;
		char buf[48];
		int rc = nfx_klog_parse_since(rows[i].when, NOW, &t, &err);

		CHECK(rc == rows[i].rc, "since '%s': rc %d", rows[i].when, rc);
		if (rc == 0 && rows[i].want)
			CHECK(!strcmp(nfx_klog_time_str(t, NFX_CLOCK_WALL, buf,
							sizeof(buf)),
				      rows[i].want),
			      "since '%s': %s", rows[i].when, buf);
		if (rc < 0)
			CHECK(strstr(err.msg, "invalid time"), "since msg '%s'",
			      err.msg);
	}
}

static void test_dev(void)
{
	static const struct {
		const char *text;
		const char *driver, *pci, *ifname, *body;
		enum nfx_diag_what what;
	} rows[] = {
		{ "e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
		  "e1000e", "0000:00:1f.6", "eno1", "Detected Hardware Unit Hang:",
		  NFX_WHAT_HW_HANG },
		{ "igb 0000:01:00.0: Detected Tx Unit Hang", "igb",
		  "0000:01:00.0", "", "Detected Tx Unit Hang", NFX_WHAT_TX_HANG },
		{ "e1000 0000:02:01.0 ens33: Detected Tx Unit Hang", "e1000",
		  "0000:02:01.0", "ens33", "Detected Tx Unit Hang",
		  NFX_WHAT_TX_HANG },
		{ "e1000e 0000:00:1f.6 _p2cf05d501bfb: Reset adapter unexpectedly",
		  "e1000e", "0000:00:1f.6", "_p2cf05d501bfb",
		  "Reset adapter unexpectedly", NFX_WHAT_RESET },
		{ "e1000e: eth0 NIC Link is Down", "e1000e", "", "eth0",
		  "NIC Link is Down", NFX_WHAT_DOWN },
		{ "igb 0000:01:00.0 eno2: igb: eno2 NIC Link is Up 1000 Mbps Full "
		  "Duplex, Flow Control: RX/TX", "igb", "0000:01:00.0", "eno2",
		  "NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX/TX",
		  NFX_WHAT_UP },
		{ "r8169 0000:02:00.0 enp2s0: Link is Up - 1Gbps/Full", "r8169",
		  "0000:02:00.0", "enp2s0", "Link is Up - 1Gbps/Full", NFX_WHAT_UP },
		{ "NETDEV WATCHDOG: enp2s0 (r8169): transmit queue 0 timed out",
		  "r8169", "", "enp2s0",
		  "NETDEV WATCHDOG: enp2s0 (r8169): transmit queue 0 timed out",
		  NFX_WHAT_TIMEOUT },
		{ "NETDEV WATCHDOG: eth0: transmit timed out", "", "", "eth0",
		  "NETDEV WATCHDOG: eth0: transmit timed out", NFX_WHAT_TIMEOUT },
		{ "r8169 0000:02:00.0 enp2s0: NETDEV WATCHDOG: CPU: 3: transmit "
		  "queue 0 timed out 5120 ms", "r8169", "0000:02:00.0", "enp2s0",
		  "NETDEV WATCHDOG: CPU: 3: transmit queue 0 timed out 5120 ms",
		  NFX_WHAT_TIMEOUT },
		{ "e1000e 0000:00:1f.6 0000:00:1f.6 (uninitialized): registered",
		  "", "", "", "e1000e 0000:00:1f.6 0000:00:1f.6 (uninitialized): "
		  "registered", NFX_WHAT_OTHER },
		{ "vmbr0: port 1(eno1) entered forwarding state", "", "", "",
		  "vmbr0: port 1(eno1) entered forwarding state", NFX_WHAT_OTHER },
		{ "e1000e 0000:00:1f.6 eno1: 10/100 speed: disabling TSO", "e1000e",
		  "0000:00:1f.6", "eno1", "10/100 speed: disabling TSO",
		  NFX_WHAT_OTHER },
		{ "x 0000:00:1f.6 a/b: Link is Down", "", "", "",
		  "x 0000:00:1f.6 a/b: Link is Down", NFX_WHAT_OTHER },
		/* kernels that print no driver name (e1000e's old e_printk) */
		{ "0000:00:19.0: eth0: Detected Hardware Unit Hang:", "",
		  "0000:00:19.0", "eth0", "Detected Hardware Unit Hang:",
		  NFX_WHAT_HW_HANG },
		{ "0000:00:19.0: eth0: Reset adapter", "", "0000:00:19.0", "eth0",
		  "Reset adapter", NFX_WHAT_RESET },
		/* a bus address a paste cut or obfuscated marks the prefix,
		 * and is not kept */
		{ "e1000e 0000:00:1f eno1: Detected Hardware Unit Hang:", "e1000e",
		  "", "eno1", "Detected Hardware Unit Hang:", NFX_WHAT_HW_HANG },
		{ "e1000e XXXX:XX:XX.X eno1: Detected Hardware Unit Hang:",
		  "e1000e", "", "eno1", "Detected Hardware Unit Hang:",
		  NFX_WHAT_HW_HANG },
		{ "e1000e 00:1f.6 eno1: Reset adapter unexpectedly", "e1000e", "",
		  "eno1", "Reset adapter unexpectedly", NFX_WHAT_RESET },
		{ "igb 0000:01:00: Detected Tx Unit Hang", "igb", "", "",
		  "Detected Tx Unit Hang", NFX_WHAT_TX_HANG },
		/* blanks widened by a paste */
		{ "e1000e  0000:00:1f.6\t eno1:   Detected  Hardware\tUnit Hang:",
		  "e1000e", "0000:00:1f.6", "eno1",
		  "Detected  Hardware\tUnit Hang:", NFX_WHAT_HW_HANG },
		/* the device name after the address, as dev_err() prints it */
		{ "e1000e 0000:00:19.0: eth0: Detected Hardware Unit Hang:",
		  "e1000e", "0000:00:19.0", "eth0", "Detected Hardware Unit Hang:",
		  NFX_WHAT_HW_HANG },
		/* not an address: an interface name with a colon in it is none */
		{ "e1000e ab:cd eno1: Link is Down", "", "", "",
		  "e1000e ab:cd eno1: Link is Down", NFX_WHAT_OTHER },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		struct nfx_diag_dev d;
		const char *t = rows[i].text;

		nfx_diag_parse_dev(t, strlen(t), &d);
		CHECK(d.driver_len == strlen(rows[i].driver) &&
			      !memcmp(d.driver, rows[i].driver, d.driver_len),
		      "dev '%s': driver '%.*s'", t, (int)d.driver_len, d.driver);
		CHECK(d.pci_len == strlen(rows[i].pci) &&
			      !memcmp(d.pci, rows[i].pci, d.pci_len),
		      "dev '%s': pci '%.*s'", t, (int)d.pci_len, d.pci);
		CHECK(d.ifname_len == strlen(rows[i].ifname) &&
			      !memcmp(d.ifname, rows[i].ifname, d.ifname_len),
		      "dev '%s': ifname '%.*s'", t, (int)d.ifname_len, d.ifname);
		CHECK(d.body_len == strlen(rows[i].body) &&
			      !memcmp(d.body, rows[i].body, d.body_len),
		      "dev '%s': body '%.*s'", t, (int)d.body_len, d.body);
		CHECK(nfx_diag_what(d.body, d.body_len) == rows[i].what,
		      "dev '%s': what %d", t, nfx_diag_what(d.body, d.body_len));
	}
}

/* the message after any prefix, and several fields on one line */
static void test_msg(void)
{
	static const struct {
		const char *text;
		const char *pci, *ifname;
		enum nfx_diag_what what;
	} rows[] = {
		{ "> e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
		  "0000:00:1f.6", "eno1", NFX_WHAT_HW_HANG },
		{ "> > e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly",
		  "0000:00:1f.6", "eno1", NFX_WHAT_RESET },
		{ "12: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
		  "0000:00:1f.6", "eno1", NFX_WHAT_HW_HANG },
		{ "kern: err: [  600.000000]: e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
		  "0000:00:1f.6", "eno1", NFX_WHAT_HW_HANG },
		{ "pve1 kernel: 0000:00:19.0: eth0: Detected Hardware Unit Hang:",
		  "0000:00:19.0", "eth0", NFX_WHAT_HW_HANG },
		{ "| igb 0000:01:00.0 eno2: NIC Link is Down", "0000:01:00.0", "eno2",
		  NFX_WHAT_DOWN },
		{ "[host]e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:",
		  "0000:00:1f.6", "eno1", NFX_WHAT_HW_HANG },
		{ "someone wrote: the Detected Hardware Unit Hang message", "", "",
		  NFX_WHAT_OTHER },
		{ "> TDH <f6>", "", "", NFX_WHAT_OTHER },
	};
	static const struct {
		const char *text;
		int ok;
		unsigned int mask;
		unsigned long long tdh, ntc;
	} fields[] = {
		{ "TDH <f6> TDT <1a> next_to_use <1a> next_to_clean <f6>", 1,
		  0xf, 0xf6, 0xf6 },
		{ "Detected Hardware Unit Hang: TDH <f6> next_to_clean <f5> "
		  "buffer_info[next_to_clean]: jiffies <1000> next_to_watch.status <0>",
		  1, 0x69, 0xf6, 0xf5 },
		{ ">   TDH                  <f6>", 1, 0x1, 0xf6, 0 },
		{ "  2  kern: err: [  600.000000]:   next_to_clean <f6>", 1, 0x8, 0,
		  0xf6 },
		{ "  TDH, TDT             <1d0>, <1e4>  next_to_clean <1d0>", 1,
		  0xb, 0x1d0, 0x1d0 },
		{ "<info> (eth0): carrier now OFF", 0, 0, 0, 0 },
		{ "a bogus name <12> and <13>", 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		struct nfx_diag_dev d;
		const char *t = rows[i].text;

		nfx_diag_parse_msg(t, strlen(t), &d);
		CHECK(nfx_diag_what(d.body, d.body_len) == rows[i].what,
		      "msg '%s': what %d", t, nfx_diag_what(d.body, d.body_len));
		CHECK(d.pci_len == strlen(rows[i].pci) &&
			      !memcmp(d.pci, rows[i].pci, d.pci_len),
		      "msg '%s': pci '%.*s'", t, (int)d.pci_len, d.pci);
		CHECK(d.ifname_len == strlen(rows[i].ifname) &&
			      !memcmp(d.ifname, rows[i].ifname, d.ifname_len),
		      "msg '%s': ifname '%.*s'", t, (int)d.ifname_len, d.ifname);
	}
	for (i = 0; i < N(fields); i++) {
		struct nfx_diag_ring ring = { 0 };
		unsigned int flags = 0;
		const char *t = fields[i].text;
		bool ok = nfx_diag_parse_fields(t, strlen(t), &ring, &flags);

		CHECK(ok == fields[i].ok, "fields '%s': %d", t, ok);
		CHECK(ring.mask == fields[i].mask, "fields '%s': mask %x", t,
		      ring.mask);
		CHECK(!(ring.mask & 1) || ring.v[NFX_RING_TDH] == fields[i].tdh,
		      "fields '%s': TDH %llx", t, ring.v[NFX_RING_TDH]);
		CHECK(!(ring.mask & 8) || ring.v[NFX_RING_NTC] == fields[i].ntc,
		      "fields '%s': next_to_clean %llx", t, ring.v[NFX_RING_NTC]);
	}
}

static void test_field(void)
{
	static const struct {
		const char *text;
		int ok, ring;
		unsigned long long v;
		unsigned int flags;
	} rows[] = {
		{ "  TDH                  <f6>", 1, NFX_RING_TDH, 0xf6, 0 },
		{ "TDH <f6>", 1, NFX_RING_TDH, 0xf6, 0 },
		{ "\tnext_to_clean\t<F6>", 1, NFX_RING_NTC, 0xf6, 0 },
		{ "  next_to_watch.status <0>", 1, NFX_RING_STATUS, 0, 0 },
		{ "  desc.status          <1>", 1, NFX_RING_STATUS, 1,
		  NFX_FIELD_DESC },
		{ "  jiffies              <10002c5e8>", 1, NFX_RING_JIFFIES,
		  0x10002c5e8ULL, 0 },
		{ "  Tx Queue             <2>", 1, NFX_RING_QUEUE, 2, 0 },
		{ "MAC Status             <80083>", 1, -1, 0, NFX_FIELD_PHY },
		{ "PHY 1000BASE-T Status  <3800>", 1, -1, 0, NFX_FIELD_PHY },
		{ "buffer_info[next_to_clean]:", 1, -1, 0, NFX_FIELD_SUBHEAD },
		{ "tx_buffer_info[next_to_clean]", 1, -1, 0, NFX_FIELD_SUBHEAD },
		{ "  TDH, TDT             <1d0>, <1e4>", 1, NFX_RING_TDT, 0x1e4,
		  NFX_FIELD_PAIR },
		{ "  next_to_watch        <00000000d2ab33c1>", 1, NFX_RING_NTW,
		  0xd2ab33c1ULL, 0 },
		{ "  next_to_watch        <(____ptrval____)>", 1, -1, 0, 0 },
		{ "<info> (eth0): carrier now OFF", 0, -1, 0, 0 },
		{ "bogus name <12>", 0, -1, 0, 0 },
		{ "TDH f6", 0, -1, 0, 0 },
		{ "", 0, -1, 0, 0 },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		struct nfx_diag_ring ring = { 0 };
		unsigned int flags = 0;
		bool ok = nfx_diag_parse_field(rows[i].text, strlen(rows[i].text),
					       &ring, &flags);

		CHECK(ok == rows[i].ok, "field '%s': %d", rows[i].text, ok);
		CHECK(flags == rows[i].flags, "field '%s': flags %x",
		      rows[i].text, flags);
		if (rows[i].ring >= 0)
			CHECK(ring.mask & (1u << rows[i].ring) &&
				      ring.v[rows[i].ring] == rows[i].v,
			      "field '%s': mask %x value %llx", rows[i].text,
			      ring.mask, ring.v[rows[i].ring]);
		else if (ok)
			CHECK(!ring.mask, "field '%s': mask %x", rows[i].text,
			      ring.mask);
	}
}

/* A whole log through the reader and the grouping. */
static struct nfx_diag *diagnose(const char *log, long long since)
{
	struct nfx_klog_opts o = { NOW, NFX_TIME_NONE };
	struct nfx_diag_opts dopts = { since };
	struct nfx_klog *kl = NULL;
	struct nfx_diag *d = NULL;
	struct nfx_klog_rec rec;
	bool want = true;

	if (nfx_klog_open_mem(log, strlen(log), &o, &kl, NULL) < 0 ||
	    nfx_diag_new(&dopts, &d, NULL) < 0)
		abort();
	while (nfx_klog_next(kl, want, &rec, NULL) > 0)
		want = nfx_diag_add(d, &rec) > 0;
	nfx_klog_close(kl, NULL);
	nfx_diag_finish(d);
	return d;
}

#define HANG(t, tdh, ntc, jif)                                             \
	"Apr 16 " t " pve kernel: e1000e 0000:00:1f.6 eno1: Detected Hardware " \
	"Unit Hang:\n"                                                      \
	"                    TDH                  <" tdh ">\n"              \
	"                    TDT                  <1a>\n"                   \
	"                    next_to_use          <1a>\n"                   \
	"                    next_to_clean        <" ntc ">\n"              \
	"                  buffer_info[next_to_clean]:\n"                   \
	"                    jiffies              <" jif ">\n"              \
	"                    next_to_watch.status <0>\n"                    \
	"                  MAC Status             <80083>\n"

static void test_grouping(void)
{
	static const struct {
		const char *name;
		const char *log;
		long long since;
		size_t events;
		const char *ifname;
		enum nfx_diag_kind kind;
		enum nfx_diag_match match;
		unsigned long reports, partial, resets, down, up, timeouts;
		long long interval;
	} rows[] = {
		{ "frozen", HANG("06:10:00", "f6", "f6", "100") HANG("06:10:02", "f6", "f6", "300")
		  HANG("06:10:04", "f6", "f6", "500"),
		  NFX_TIME_NONE, 1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_STRONG,
		  3, 0, 0, 0, 0, 0, 2000 },
		{ "moving", HANG("06:10:00", "f6", "f6", "100") HANG("06:10:02", "f8", "f8", "300"),
		  NFX_TIME_NONE, 1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_LIKELY,
		  2, 0, 0, 0, 0, 0, 2000 },
		{ "one report", HANG("06:10:00", "f6", "f6", "100"), NFX_TIME_NONE,
		  1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_LIKELY, 1, 0, 0, 0, 0,
		  0, NFX_TIME_NONE },
		{ "logged twice", HANG("06:10:00", "f6", "f6", "100") HANG("06:10:00", "f6", "f6", "100")
		  HANG("06:10:02", "f6", "f6", "300"),
		  NFX_TIME_NONE, 1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_STRONG,
		  2, 0, 0, 0, 0, 0, 2000 },
		{ "then reset and flap",
		  HANG("06:10:00", "f6", "f6", "100") HANG("06:10:02", "f6", "f6", "300")
		  "Apr 16 06:10:03 pve kernel: e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly\n"
		  "Apr 16 06:10:03 pve kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Down\n"
		  "Apr 16 06:10:07 pve kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps\n",
		  NFX_TIME_NONE, 1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_STRONG,
		  2, 0, 1, 1, 1, 0, 2000 },
		{ "starts inside a report",
		  "                    next_to_clean        <f6>\n"
		  "                  buffer_info[next_to_clean]:\n"
		  "                    next_to_watch.status <0>\n"
		  "                  MAC Status             <80083>\n"
		  HANG("06:10:02", "f6", "f6", "300") HANG("06:10:04", "f6", "f6", "500"),
		  NFX_TIME_NONE, 1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_STRONG,
		  3, 1, 0, 0, 0, 0, 2000 },
		{ "only a cut report",
		  "                    TDH                  <f6>\n"
		  "                    next_to_clean        <f6>\n",
		  NFX_TIME_NONE, 1, "", NFX_DIAG_TX_HANG, NFX_MATCH_WEAK, 1, 1, 0,
		  0, 0, 0, NFX_TIME_NONE },
		{ "link flaps only",
		  "Apr 16 06:10:03 pve kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Down\n"
		  "Apr 16 06:10:07 pve kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps\n",
		  NFX_TIME_NONE, 1, "eno1", NFX_DIAG_LINK, NFX_MATCH_NONE, 0, 0, 0,
		  1, 1, 0, NFX_TIME_NONE },
		{ "link up at boot is no news",
		  "Apr 16 06:10:07 pve kernel: e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps\n",
		  NFX_TIME_NONE, 0, "", NFX_DIAG_LINK, NFX_MATCH_NONE, 0, 0, 0, 0,
		  0, 0, NFX_TIME_NONE },
		{ "old watchdog and new prefix lines merge by name",
		  "[ 10.0] NETDEV WATCHDOG: enp2s0 (r8169): transmit queue 0 timed out\n"
		  "[ 11.0] r8169 0000:02:00.0 enp2s0: Link is Down\n",
		  NFX_TIME_NONE, 1, "enp2s0", NFX_DIAG_TX_TIMEOUT, NFX_MATCH_WEAK, 0,
		  0, 0, 1, 0, 1, NFX_TIME_NONE },
		{ "user space saying Link is Down is not the kernel",
		  "Apr 16 06:10:03 pve NetworkManager[1]: e1000e 0000:00:1f.6 eno1: NIC Link is Down\n",
		  NFX_TIME_NONE, 0, "", NFX_DIAG_LINK, NFX_MATCH_NONE, 0, 0, 0, 0,
		  0, 0, NFX_TIME_NONE },
		{ "since", HANG("06:10:00", "f6", "f6", "100") HANG("06:10:02", "f6", "f6", "300")
		  HANG("06:10:04", "f6", "f6", "500"),
		  1, 1, "eno1", NFX_DIAG_E1000E_HANG, NFX_MATCH_STRONG, 2, 0, 0, 0,
		  0, 0, 2000 },
	};
	size_t i;

	for (i = 0; i < N(rows); i++) {
		long long since = rows[i].since == 1 ?
					  nfx_klog_civil(2026, 4, 16, 6, 10, 1) :
					  rows[i].since;
		struct nfx_diag *d = diagnose(rows[i].log, since);
		const struct nfx_diag_event *e = nfx_diag_event(d, 0);

		CHECK(nfx_diag_count(d) == rows[i].events, "%s: %zu events",
		      rows[i].name, nfx_diag_count(d));
		if (!e || !rows[i].events) {
			nfx_diag_free(d);
			continue;
		}
		CHECK(!strcmp(e->ifname, rows[i].ifname), "%s: ifname '%s'",
		      rows[i].name, e->ifname);
		CHECK(e->kind == rows[i].kind, "%s: kind %s", rows[i].name,
		      nfx_diag_kind_name(e->kind));
		CHECK(e->match == rows[i].match, "%s: match %s", rows[i].name,
		      nfx_diag_match_name(e->match));
		CHECK(e->reports == rows[i].reports && e->partial == rows[i].partial,
		      "%s: reports %lu partial %lu", rows[i].name, e->reports,
		      e->partial);
		CHECK(e->resets == rows[i].resets && e->link_down == rows[i].down &&
			      e->link_up == rows[i].up &&
			      e->timeouts == rows[i].timeouts,
		      "%s: resets %lu down %lu up %lu timeouts %lu", rows[i].name,
		      e->resets, e->link_down, e->link_up, e->timeouts);
		CHECK(e->interval == rows[i].interval, "%s: interval %lld",
		      rows[i].name, e->interval);
		nfx_diag_free(d);
	}
}

static void test_advise(void)
{
	struct nfx_diag *d = diagnose(HANG("06:10:00", "f6", "f6", "100"),
				      NFX_TIME_NONE);
	const struct nfx_diag_event *e = nfx_diag_event(d, 0);
	struct nfx_diag_live live = { 0 };
	struct nfx_diag_advice a;

	nfx_diag_advise(e, NULL, &a);
	CHECK(!strcmp(a.persist, "nicfix persist BRIDGE eno1") &&
		      !a.bridge_known, "advise, not here: '%s'", a.persist);
	CHECK(!strcmp(a.apply, "nicfix apply eno1"), "apply '%s'", a.apply);
	live.present = true;
	strcpy(live.bridge, "vmbr0");
	live.features = true;
	live.state[0] = live.state[1] = NFX_STATE_OFF;
	live.state[2] = NFX_STATE_ON;
	nfx_diag_advise(e, &live, &a);
	CHECK(!strcmp(a.persist, "nicfix persist vmbr0 eno1") && a.bridge_known,
	      "advise, live: '%s'", a.persist);
	CHECK(!a.off, "gro on: not off");
	live.state[2] = NFX_STATE_NONE;
	nfx_diag_advise(e, &live, &a);
	CHECK(a.off, "every feature the device has is off");
	live.bridge[0] = '\0';
	nfx_diag_advise(e, &live, &a);
	CHECK(!a.persist[0] && !a.apply[0], "no bridge: no persist; off: no apply");
	/* advice follows the host: persisted, no persist advice (issue 13) */
	strcpy(live.bridge, "vmbr0");
	live.state[2] = NFX_STATE_ON;
	live.persisted = true;
	nfx_diag_advise(e, &live, &a);
	CHECK(!a.persist[0] && a.persisted && a.apply[0] && !a.off,
	      "persisted, gro on: apply only: '%s' '%s'", a.persist, a.apply);
	nfx_diag_free(d);
}

int main(void)
{
	test_parse();
	test_repeat_and_year();
	test_find(false);
	test_find(true);
	test_split();
	test_since();
	test_dev();
	test_msg();
	test_field();
	test_grouping();
	test_advise();
	printf("unit-klog: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* unit_watch.c - the daemon's pure parts: the /dev/kmsg follower (with
 * reads that fail as the kernel's do: EPIPE, EAGAIN), the record reading,
 * rate limits, the option file, the state file and the metrics text
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nicfix.h"

/* ---- a scripted reader: each step one read()'s result ------------------ */

struct step {
	const char *data; /* NULL: fail with @err */
	int err;
};

struct script {
	const struct step *steps;
	size_t n, i;
};

static long script_read(void *ctx, void *buf, size_t len)
{
	struct script *s = ctx;
	const struct step *st;
	size_t l;

	if (s->i >= s->n)
		return 0;
	st = &s->steps[s->i++];
	if (!st->data) {
		errno = st->err;
		return -1;
	}
	l = strlen(st->data);
	if (l > len)
		l = len;
	memcpy(buf, st->data, l);
	return (long)l;
}

#define HANG "e1000e 0000:00:1f.6 eno1: Detected Hardware Unit Hang:\\x0a  TDH <f6>"

static void test_kmsg_parse(void)
{
	static const char rec[] = "3,1234,5678901,-,caller=T1;" HANG
				  "\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:1f.6\n";
	struct nfx_kmsg_rec r;

	CHECK(nfx_kmsg_parse(rec, strlen(rec), &r) == 0, "parse");
	CHECK(r.facility == 0 && r.level == 3, "pri %u %u", r.facility, r.level);
	CHECK(r.seq == 1234 && r.usec == 5678901, "seq %llu", r.seq);
	CHECK(!strcmp(r.device, "+pci:0000:00:1f.6"), "device '%s'", r.device);
	CHECK(!strcmp(r.subsystem, "pci"), "subsystem '%s'", r.subsystem);
	CHECK(r.len == strlen(HANG) && !memcmp(r.text, HANG, r.len),
	      "text '%.*s'", (int)r.len, r.text);
	CHECK(r.line_len == strlen(rec) - strlen(strchr(rec, '\n')), "line");
	/* user space writing to /dev/kmsg gets LOG_USER */
	CHECK(nfx_kmsg_parse("14,1,2,-;x", 10, &r) == 0 && r.facility == 1 &&
		      r.level == 6,
	      "user facility %u", r.facility);
	CHECK(nfx_kmsg_parse("no record\n", 10, &r) == -EINVAL, "noise");
	CHECK(nfx_kmsg_parse("3,1,2;x", 7, &r) == -EINVAL, "no flags");
	CHECK(nfx_kmsg_parse("3,1,2,-", 7, &r) == -EINVAL, "no ';'");
}

/* one record per read, as the kernel gives them; EPIPE read past */
static void test_follow_epipe(void)
{
	static const struct step steps[] = {
		{ "6,10,100,-;first\n", 0 },
		{ NULL, EPIPE },     /* records 11-14 were overwritten */
		{ "6,15,150,-;after the gap\n", 0 },
		{ NULL, EINTR },
		{ "6,16,160,-;next\n SUBSYSTEM=net\n DEVICE=n2\n", 0 },
		{ NULL, EAGAIN },
		{ NULL, EPIPE },     /* right after a restart: no gap known */
		{ "6,16,170,-;same seq again\n", 0 },
		{ NULL, EIO },
	};
	struct script s = { steps, sizeof(steps) / sizeof(steps[0]), 0 };
	struct nfx_kfollow *kf = NULL;
	struct nfx_kmsg_rec r;
	struct nfx_err err = { 0 };

	CHECK(nfx_kfollow_open_fn(script_read, &s, false, &kf, NULL) == 0,
	      "open");
	CHECK(nfx_kfollow_next(kf, &r, &err) == 1 && r.seq == 10, "first");
	CHECK(nfx_kfollow_next(kf, &r, &err) == 1 && r.seq == 15 &&
		      nfx_kfollow_lost(kf) == 4 && nfx_kfollow_epipe(kf) == 1,
	      "EPIPE: lost %llu", nfx_kfollow_lost(kf));
	CHECK(nfx_kfollow_next(kf, &r, &err) == 1 && r.seq == 16 &&
		      !strcmp(r.device, "n2"),
	      "EINTR read again");
	CHECK(nfx_kfollow_next(kf, &r, &err) == 0, "EAGAIN: none now");
	CHECK(nfx_kfollow_next(kf, &r, &err) == 1 && r.seq == 16 &&
		      nfx_kfollow_lost(kf) == 5 && nfx_kfollow_epipe(kf) == 2,
	      "EPIPE without a gap counts one: %llu", nfx_kfollow_lost(kf));
	CHECK(nfx_kfollow_next(kf, &r, &err) == -EIO && err.code == -EIO,
	      "EIO is an error");
	nfx_kfollow_close(kf);
}

/* a stream (a FIFO stand-in): several records a read, cut anywhere */
static void test_follow_stream(void)
{
	static const struct step steps[] = {
		{ "6,1,1,-;one\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:1f.6\n6,2,2,-;tw",
		  0 },
		{ "o\n DEVICE=+pci:0000:01:00.0\n", 0 },
		{ NULL, EAGAIN },
		{ "noise that is no record\n6,3,3,-;three\n", 0 },
		{ " DEVICE=n3\n", 0 },
		{ NULL, EAGAIN },
		{ NULL, EAGAIN },
		{ "6,4,4,-;no newline yet", 0 },
		{ NULL, EAGAIN }, /* a pause inside a line ends nothing */
		{ "\n", 0 },
		{ NULL, EAGAIN },
		{ "6,9,9,-;last, at the end of the file", 0 },
	};
	struct script s = { steps, sizeof(steps) / sizeof(steps[0]), 0 };
	struct nfx_kfollow *kf = NULL;
	struct nfx_kmsg_rec r;

	CHECK(nfx_kfollow_open_fn(script_read, &s, true, &kf, NULL) == 0,
	      "open");
	CHECK(nfx_kfollow_next(kf, &r, NULL) == 1 && r.seq == 1 &&
		      !strcmp(r.device, "+pci:0000:00:1f.6"),
	      "first of a read: %llu '%s'", r.seq, r.device);
	CHECK(nfx_kfollow_next(kf, &r, NULL) == 1 && r.seq == 2 &&
		      r.len == 3 && !memcmp(r.text, "two", 3) &&
		      !strcmp(r.device, "+pci:0000:01:00.0"),
	      "one cut across reads: '%.*s' '%s'", (int)r.len, r.text,
	      r.device);
	CHECK(nfx_kfollow_next(kf, &r, NULL) == 1 && r.seq == 3 &&
		      !strcmp(r.device, "n3"),
	      "noise skipped, the dictionary in the next read: '%s'",
	      r.device);
	CHECK(nfx_kfollow_next(kf, &r, NULL) == 0, "none now");
	CHECK(nfx_kfollow_next(kf, &r, NULL) == 1 && r.seq == 4 &&
		      r.len == 14,
	      "whole once its line ended: %llu %zu", r.seq, r.len);
	CHECK(nfx_kfollow_next(kf, &r, NULL) == 1 && r.seq == 9 &&
		      nfx_kfollow_lost(kf) == 4,
	      "the end of a file ends the last record; gap %llu",
	      nfx_kfollow_lost(kf));
	CHECK(nfx_kfollow_next(kf, &r, NULL) == -ENODATA, "the end");
	nfx_kfollow_close(kf);
}

static void test_wsig(void)
{
	static const struct {
		const char *rec;
		enum nfx_wsig_what what;
		enum nfx_diag_kind kind;
		const char *pci, *ifname;
	} rows[] = {
		{ "3,1,1,-;" HANG "\n DEVICE=+pci:0000:00:1f.6\n", NFX_WSIG_HANG,
		  NFX_DIAG_E1000E_HANG, "0000:00:1f.6", "eno1" },
		/* the address only in the dictionary */
		{ "3,1,1,-;eth0: Detected Hardware Unit Hang:\\x0a TDH <1>\n DEVICE=+pci:0000:00:19.0\n",
		  NFX_WSIG_HANG, NFX_DIAG_E1000E_HANG, "0000:00:19.0", "eth0" },
		/* the old kernels' form, no driver name */
		{ "3,1,1,-;0000:00:19.0: eth0: Detected Hardware Unit Hang:\n",
		  NFX_WSIG_HANG, NFX_DIAG_E1000E_HANG, "0000:00:19.0", "eth0" },
		{ "3,1,1,-;igb 0000:01:00.0 eno2: Detected Tx Unit Hang\n",
		  NFX_WSIG_HANG, NFX_DIAG_IGB_HANG, "0000:01:00.0", "eno2" },
		{ "4,1,1,-;NETDEV WATCHDOG: enp3s0 (r8169): transmit queue 0 timed out\n",
		  NFX_WSIG_HANG, NFX_DIAG_TX_TIMEOUT, "", "enp3s0" },
		{ "3,1,1,-;e1000e 0000:00:1f.6 eno1: Reset adapter unexpectedly\n",
		  NFX_WSIG_RESET, 0, "0000:00:1f.6", "eno1" },
		{ "6,1,1,-;e1000e 0000:00:1f.6 eno1: NIC Link is Down\n",
		  NFX_WSIG_DOWN, 0, "0000:00:1f.6", "eno1" },
		{ "6,1,1,-;usb 1-1: new high-speed USB device\n", NFX_WSIG_NONE, 0,
		  "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_kmsg_rec r;
		struct nfx_wsig sg;

		nfx_kmsg_parse(rows[i].rec, strlen(rows[i].rec), &r);
		CHECK(nfx_wsig_read(&r, &sg) == rows[i].what, "row %zu what %d",
		      i, sg.what);
		if (rows[i].what == NFX_WSIG_NONE)
			continue;
		CHECK(rows[i].what != NFX_WSIG_HANG || sg.kind == rows[i].kind,
		      "row %zu kind %d", i, sg.kind);
		CHECK(!strcmp(sg.pci, rows[i].pci), "row %zu pci '%s'", i, sg.pci);
		CHECK(!strcmp(sg.ifname, rows[i].ifname), "row %zu ifname '%s'",
		      i, sg.ifname);
	}
}

static void test_kinds(void)
{
	unsigned int m = 0;
	struct nfx_err err = { 0 };

	CHECK(nfx_wsig_kinds_parse("e1000e-hardware-unit-hang", &m, NULL) == 0 &&
		      m == 1u << NFX_DIAG_E1000E_HANG,
	      "one");
	CHECK(nfx_wsig_kinds_parse("igb-tx-unit-hang, tx-timeout", &m, NULL) == 0 &&
		      m == ((1u << NFX_DIAG_IGB_HANG) | (1u << NFX_DIAG_TX_TIMEOUT)),
	      "two");
	CHECK(nfx_wsig_kinds_parse("link-flap", &m, &err) == -EINVAL,
	      "not a hang");
	CHECK(nfx_wsig_kinds_parse("", &m, NULL) == -EINVAL, "empty");
}

static void test_rate(void)
{
	static const struct {
		const char *s;
		int rc;
		size_t n;
		unsigned int c0, s0, c1, s1;
	} rows[] = {
		{ "1/min,5/hour", 0, 2, 1, 60, 5, 3600 },
		{ "1/60 5/3600", 0, 2, 1, 60, 5, 3600 },
		{ "2/10min", 0, 1, 2, 600, 0, 0 },
		{ "3/day", 0, 1, 3, 86400, 0, 0 },
		{ "0/min", -EINVAL, 0, 0, 0, 0, 0 },
		{ "17/min", -EINVAL, 0, 0, 0, 0, 0 },
		{ "1/fortnight", -EINVAL, 0, 0, 0, 0, 0 },
		{ "often", -EINVAL, 0, 0, 0, 0, 0 },
		{ "", -EINVAL, 0, 0, 0, 0, 0 },
		{ "1/s,1/s,1/s,1/s,1/s", -EINVAL, 0, 0, 0, 0, 0 },
	};
	struct nfx_rate lim[NFX_RATE_MAX];
	long long hist[NFX_RATE_HIST] = { 0 };
	size_t i, n;
	int k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = 0;
		CHECK(nfx_rate_parse(rows[i].s, lim, &n, NULL) == rows[i].rc,
		      "'%s'", rows[i].s);
		if (rows[i].rc)
			continue;
		CHECK(n == rows[i].n && lim[0].count == rows[i].c0 &&
			      lim[0].seconds == rows[i].s0,
		      "'%s': %zu %u/%u", rows[i].s, n, lim[0].count,
		      lim[0].seconds);
		CHECK(n < 2 || (lim[1].count == rows[i].c1 &&
				lim[1].seconds == rows[i].s1),
		      "'%s' second", rows[i].s);
	}
	/* one a minute, five an hour: the times alone decide */
	nfx_rate_parse("1/min,5/hour", lim, &n, NULL);
	CHECK(nfx_rate_allow(lim, n, hist, 1000), "nothing done yet");
	nfx_rate_note(hist, 1000);
	CHECK(!nfx_rate_allow(lim, n, hist, 1059), "59 s later");
	CHECK(nfx_rate_allow(lim, n, hist, 1060), "a minute later");
	for (k = 1; k < 5; k++)
		nfx_rate_note(hist, 1000 + 60 * k);
	CHECK(!nfx_rate_allow(lim, n, hist, 1300), "five in the hour");
	CHECK(!nfx_rate_allow(lim, n, hist, 4599), "still in the hour");
	CHECK(nfx_rate_allow(lim, n, hist, 4600), "the first left the hour");
	nfx_rate_note(hist, 0);
	CHECK(hist[0] == 1, "time 0 is kept as 1, not as none");
}

static void test_span(void)
{
	static const struct {
		const char *s;
		int rc;
		unsigned int v;
	} rows[] = {
		{ "90", 0, 90 },     { "90s", 0, 90 },	   { "10min", 0, 600 },
		{ "hour", 0, 3600 }, { "2h", 0, 7200 },	   { "1day", 0, 86400 },
		{ "", -EINVAL, 0 },  { "0", -EINVAL, 0 },  { "soon", -EINVAL, 0 },
		{ "5 min", -EINVAL, 0 }, { "-5", -EINVAL, 0 },
	};
	unsigned int v;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = 0;
		CHECK(nfx_span_parse(rows[i].s, &v, NULL) == rows[i].rc &&
			      (rows[i].rc || v == rows[i].v),
		      "'%s': %u", rows[i].s, v);
	}
}

/* how long a port has stayed hung: the kernel's record times alone */
static void test_hung_for(void)
{
	static const struct {
		unsigned long long s; /* the report's time, s since boot */
		bool off;
		unsigned long long hung;
	} rows[] = {
		{ 100, false, 0 }, /* offloads on: the fix, no hang yet */
		{ 102, true, 0 },  /* the first report with them off */
		{ 120, true, 18 }, { 150, true, 48 }, { 162, true, 60 },
		{ 193, true, 0 },  /* 31 s without a report: a new hang */
		{ 200, true, 7 },  { 210, false, 0 }, /* on again: ended */
		{ 220, true, 0 },  { 250, true, 30 },
		{ 240, true, 0 },  /* a time that goes back: a new hang */
	};
	struct nfx_wport p;
	size_t i;
	unsigned long long h;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		h = nfx_wport_hung_for(&p, rows[i].s * 1000000, rows[i].off);
		CHECK(h == rows[i].hung, "row %zu (%llu s): %llu, not %llu", i,
		      rows[i].s, h, rows[i].hung);
	}
}

struct conf_seen {
	char buf[1024];
};

static int conf_cb(void *ctx, const char *key, const char *val,
		   unsigned int line, struct nfx_err *err)
{
	struct conf_seen *c = ctx;
	size_t l = strlen(c->buf);

	(void)err;
	if (!strcmp(key, "REFUSE"))
		return nfx_err_set(err, -EINVAL, "refused");
	snprintf(c->buf + l, sizeof(c->buf) - l, "%u:%s=[%s];", line, key, val);
	return 0;
}

static void test_conf(void)
{
	static const struct {
		const char *text;
		int rc;
		const char *seen, *why;
	} rows[] = {
		{ "A=1\n", 0, "1:A=[1];", "" },
		{ "# c\n\n  B='x y'\nexport C=\"a\\\"b\"\r\n", 0,
		  "3:B=[x y];4:C=[a\"b];", "" },
		{ "D=plain # comment\n", 0, "1:D=[plain];", "" },
		{ "E=\n", 0, "1:E=[];", "" },
		{ "F=#x\n", 0, "1:F=[#x];", "" },
		{ "G=$(reboot)\n", -EINVAL, "", "1: shell syntax" },
		{ "H=\"$HOME\"\n", -EINVAL, "", "1: no expansion" },
		{ "I=a b\n", -EINVAL, "", "1: blank in an unquoted value" },
		{ "J='open\n", -EINVAL, "", "1: unterminated quote" },
		{ "A=1\nnot an assignment\n", -EINVAL, "1:A=[1];", "2: not KEY=value" },
		{ "1X=2\n", -EINVAL, "", "1: not KEY=value" },
		{ "REFUSE=1\n", -EINVAL, "", "refused" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct conf_seen c = { "" };
		struct nfx_err err = { 0 };
		int rc = nfx_conf_parse(rows[i].text, strlen(rows[i].text),
					conf_cb, &c, &err);

		CHECK(rc == rows[i].rc, "row %zu: rc %d", i, rc);
		CHECK(!strcmp(c.buf, rows[i].seen), "row %zu: seen '%s'", i, c.buf);
		CHECK(!strncmp(err.msg, rows[i].why, strlen(rows[i].why)),
		      "row %zu: '%s'", i, err.msg);
	}
	CHECK(nfx_conf_bool("Yes") == 1 && nfx_conf_bool("off") == 0 &&
		      nfx_conf_bool("maybe") == -EINVAL,
	      "bools");
}

static void test_state(void)
{
	char dir[] = "/tmp/nicfix-unit-XXXXXX", path[64];
	struct nfx_wstate *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct nfx_wport *p, *q;
	FILE *f;

	if (!a || !b || !mkdtemp(dir)) {
		CHECK(0, "set-up");
		free(a);
		free(b);
		return;
	}
	snprintf(path, sizeof(path), "%s/watch.state", dir);
	p = nfx_wstate_port(a, "eno1", "0000:00:1f.6");
	CHECK(p && a->n == 1, "added");
	/* renamed: the bus address finds it, the name follows */
	q = nfx_wstate_port(a, "nic0", "0000:00:1f.6");
	CHECK(q == p && !strcmp(p->name, "nic0") && a->n == 1, "renamed");
	/* the name alone finds it too */
	CHECK(nfx_wstate_port(a, "nic0", "") == p, "by name");
	CHECK(nfx_wstate_port(a, "eno2", "") != p && a->n == 2, "another");
	CHECK(nfx_wstate_port(a, "", "") == NULL, "neither");
	p->hangs = 3;
	p->fixes = 1;
	p->last_hang = 1700000000;
	nfx_rate_note(p->acts, 500);
	nfx_rate_note(p->acts, 560);
	p->escalations = 2;
	nfx_rate_note(p->bounces, 700);
	p->last_report_us = 123456789;
	p->off_since_us = 100000000;
	a->seq = 1234;
	a->seq_known = true;
	a->lost = 7;
	a->records = 99;
	CHECK(nfx_wstate_save(a, path, NULL) == 0, "save");
	CHECK(nfx_wstate_load(b, path, NULL) == 0, "load");
	CHECK(b->n == 2 && b->seq == 1234 && b->seq_known && b->lost == 7 &&
		      b->records == 99,
	      "daemon");
	CHECK(!strcmp(b->port[0].name, "nic0") &&
		      !strcmp(b->port[0].pci, "0000:00:1f.6") &&
		      b->port[0].hangs == 3 && b->port[0].fixes == 1 &&
		      b->port[0].last_hang == 1700000000 &&
		      b->port[0].acts[0] == 560 && b->port[0].acts[1] == 500 &&
		      b->port[0].acts[2] == 0,
	      "port");
	CHECK(b->port[0].escalations == 2 && b->port[0].bounces[0] == 700 &&
		      b->port[0].bounces[1] == 0 &&
		      b->port[0].last_report_us == 123456789 &&
		      b->port[0].off_since_us == 100000000,
	      "escalation");
	CHECK(!strcmp(b->port[1].name, "eno2") && !b->port[1].pci[0], "second");
	f = fopen(path, "w");
	if (f) {
		fputs("something else\n", f);
		fclose(f);
	}
	CHECK(nfx_wstate_load(b, path, NULL) == -EINVAL && b->n == 0,
	      "not a state file");
	unlink(path);
	CHECK(nfx_wstate_load(b, path, NULL) == -ENOENT, "none");
	rmdir(dir);
	free(a);
	free(b);
}

static void test_metrics(void)
{
	struct nfx_wstate *st = calloc(1, sizeof(*st));
	struct nfx_metric_dev d[2];
	size_t len = 0;
	char *t;

	if (!st)
		return;
	memset(d, 0, sizeof(d));
	strcpy(d[0].device, "eno1");
	strcpy(d[0].features, "tso,gso,gro");
	d[0].state[0] = NFX_STATE_OFF;
	d[0].state[1] = NFX_STATE_ON;
	d[0].state[2] = NFX_STATE_NONE;
	d[0].nstate = 3;
	d[0].persisted = 0;
	d[0].port = nfx_wstate_port(st, "eno1", "");
	st->port[0].hangs = 2;
	st->port[0].escalations = 1;
	st->port[0].last_hang = 1700000000;
	strcpy(d[1].device, "we\"ird");
	d[1].persisted = -1;
	st->lost = 5;
	t = nfx_metrics_render(d, 2, st, &len);
	CHECK(t && strlen(t) == len, "rendered");
	if (!t)
		return;
	CHECK(strstr(t, "\nnicfix_offload_enabled{device=\"eno1\",feature=\"tso\"} 0\n") &&
		      strstr(t, "\nnicfix_offload_enabled{device=\"eno1\",feature=\"gso\"} 1\n") &&
		      !strstr(t, "feature=\"gro\""),
	      "features: %s", t);
	CHECK(strstr(t, "\nnicfix_offloads_on{device=\"eno1\"} 1\n") != NULL, "on");
	CHECK(strstr(t, "\nnicfix_hangs_total{device=\"eno1\"} 2\n") != NULL, "hangs");
	CHECK(strstr(t, "# TYPE nicfix_hangs_total counter\n") != NULL, "counter");
	CHECK(strstr(t, "\nnicfix_escalations_total{device=\"eno1\"} 1\n") &&
		      strstr(t, "# TYPE nicfix_escalations_total counter\n"),
	      "escalations");
	CHECK(strstr(t, "\nnicfix_last_hang_timestamp_seconds{device=\"eno1\"} 1700000000\n") != NULL,
	      "last hang");
	CHECK(strstr(t, "\nnicfix_watch_records_lost_total 5\n") != NULL, "lost");
	CHECK(!strstr(t, "we\"ird") && !strstr(t, "nicfix_fix_persisted{device=\"we"),
	      "an unknown fact is left out");
	free(t);
	/* a label value is escaped */
	d[1].persisted = 1;
	t = nfx_metrics_render(d, 2, NULL, &len);
	CHECK(t && strstr(t, "nicfix_fix_persisted{device=\"we\\\"ird\"} 1\n") &&
		      !strstr(t, "nicfix_watch_"),
	      "escaped, no daemon: %s", t ? t : "");
	free(t);
	free(st);
}

int main(void)
{
	test_kmsg_parse();
	test_follow_epipe();
	test_follow_stream();
	test_wsig();
	test_kinds();
	test_rate();
	test_span();
	test_hung_for();
	test_conf();
	test_state();
	test_metrics();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

/* unit.c - table-driven tests of the core's pure modules */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "feat.h"
#include "ifread.h"
#include "nicfix.h"
#include "offline.h"
#include "pin.h"
#include "place.h"

#include "check.h"

static void test_ifname(void)
{
	static const struct {
		int rc;
		const char *name;
	} rows[] = {
		{ 0, "eno1" },
		{ 0, "enp0s31f6" },
		{ 0, "vmbr0" },
		{ 0, "nic0" },
		{ 0, "_p2cf05d501bfb" },
		{ 0, "bond0.100" },
		{ 0, "veth100i0" },
		{ 0, "123456789012345" },
		{ -EINVAL, "" },
		{ -EINVAL, "1234567890123456" },
		{ -EINVAL, "." },
		{ -EINVAL, ".." },
		{ -EINVAL, "eno/1" },
		{ -EINVAL, "eno1:0" },
		{ -EINVAL, "eno 1" },
		{ -EINVAL, "eno1\t" },
		{ -EINVAL, "eno1\n" },
		{ -EINVAL, "eno1;reboot" },
		{ -EINVAL, "$(reboot)" },
		{ -EINVAL, "`id`" },
		{ -EINVAL, "eno1|x" },
		{ -EINVAL, "eno1&" },
		{ -EINVAL, "a>b" },
		{ -EINVAL, "eno\\1" },
		{ -EINVAL, "eno'1" },
		{ -EINVAL, "eno\"1" },
		{ -EINVAL, "eno*" },
		{ -EINVAL, "-eno1" },
		{ -EINVAL, "eno\xc3\xa9" },
		{ -EINVAL, "eno\x7f" },
	};
	struct nfx_err err = { 0 };
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = nfx_ifname_check(rows[i].name, &err);

		CHECK(rc == rows[i].rc, "ifname '%s': got %d, want %d",
		      rows[i].name, rc, rows[i].rc);
		CHECK(rc == 0 || strstr(err.msg, "invalid interface name"),
		      "ifname '%s': message '%s'", rows[i].name, err.msg);
	}
}

static void test_featreq(void)
{
	static const struct {
		int rc;
		const char *list;
		size_t n;
	} rows[] = {
		{ 0, "tso,gso,gro", 3 },
		{ 0, "tso", 1 },
		{ 0, "tso,tso", 1 },
		{ 0, "tx-tcp-segmentation,rx-gro", 2 },
		{ 0, "tcp-segmentation-offload", 1 },
		{ 0, "tx-udp_tnl-segmentation", 1 },
		{ -EINVAL, "", 0 },
		{ -EINVAL, ",", 0 },
		{ -EINVAL, "tso,", 0 },
		{ -EINVAL, "tso,,gro", 0 },
		{ -EINVAL, "TSO", 0 },
		{ -EINVAL, "tso off", 0 },
		{ -EINVAL, "tso;reboot", 0 },
		{ -EINVAL, "a-name-far-too-long-to-be-a-kernel-one", 0 },
		/* ethtool's values: "gro off on off" is no line at all */
		{ -EINVAL, "tso,on", 0 },
		{ -EINVAL, "off", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_featreq *req = NULL;
		struct nfx_err err = { 0 };
		int rc = nfx_featreq_parse(rows[i].list, &req, &err);

		CHECK(rc == rows[i].rc, "featreq '%s': got %d, want %d",
		      rows[i].list, rc, rows[i].rc);
		if (rc == 0)
			CHECK(nfx_featreq_count(req) == rows[i].n,
			      "featreq '%s': %zu names, want %zu", rows[i].list,
			      nfx_featreq_count(req), rows[i].n);
		nfx_featreq_free(req);
	}
}

/* A kernel's name table, as 6.18 reports part of it. */
static const char *const knames[] = {
	"tx-scatter-gather",	      "tx-checksum-ipv4",
	"tx-checksum-ip-generic",     "tx-checksum-ipv6",
	"highdma",		      "tx-scatter-gather-fraglist",
	"tx-generic-segmentation",    "rx-gro",
	"rx-lro",		      "tx-tcp-segmentation",
	"tx-tcp-ecn-segmentation",    "tx-tcp-mangleid-segmentation",
	"tx-tcp6-segmentation",	      "tx-tcp-accecn-segmentation",
	"tx-udp_tnl-segmentation",    "rx-checksum",
	"rx-vlan-hw-parse",	      "tx-vlan-hw-insert",
	"rx-gro-hw",		      "rx-gro-list",
};

#define NK (sizeof(knames) / sizeof(knames[0]))

static void test_expand(void)
{
	static const struct {
		int rc;
		const char *list;
		const char *want; /* the expected names, space separated */
	} rows[] = {
		{ 0, "tso",
		  "tx-tcp-segmentation tx-tcp-ecn-segmentation "
		  "tx-tcp-mangleid-segmentation tx-tcp6-segmentation "
		  "tx-tcp-accecn-segmentation" },
		{ 0, "gso", "tx-generic-segmentation" },
		{ 0, "gro", "rx-gro" },
		{ 0, "generic-receive-offload", "rx-gro" },
		{ 0, "lro", "rx-lro" },
		{ 0, "sg", "tx-scatter-gather tx-scatter-gather-fraglist" },
		{ 0, "tx",
		  "tx-checksum-ipv4 tx-checksum-ip-generic tx-checksum-ipv6" },
		{ 0, "rx", "rx-checksum" },
		{ 0, "rxvlan", "rx-vlan-hw-parse" },
		{ 0, "ufo", "" },
		{ 0, "tx-tcp6-segmentation", "tx-tcp6-segmentation" },
		{ 0, "tso,tx-tcp6-segmentation",
		  "tx-tcp-segmentation tx-tcp-ecn-segmentation "
		  "tx-tcp-mangleid-segmentation tx-tcp6-segmentation "
		  "tx-tcp-accecn-segmentation" },
		{ -EINVAL, "foo", "" },
		{ -EINVAL, "tx-tcp-segmentatio", "" },
		{ -EINVAL, "tso,bogus", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t bits[NFX_BITS_WORDS(NK)] = { 0 };
		struct nfx_featreq *req = NULL;
		struct nfx_err err = { 0 };
		char got[512] = "";
		unsigned int b;
		int rc;

		if (nfx_featreq_parse(rows[i].list, &req, &err) < 0) {
			CHECK(0, "expand '%s': parse failed", rows[i].list);
			continue;
		}
		rc = nfx_feat_expand(req, knames, NK, bits, &err);
		CHECK(rc == rows[i].rc, "expand '%s': got %d, want %d",
		      rows[i].list, rc, rows[i].rc);
		if (rc < 0) {
			CHECK(strstr(err.msg, "unknown feature") &&
				      strstr(err.msg, "tso"),
			      "expand '%s': message '%s'", rows[i].list, err.msg);
		} else {
			for (b = 0; b < NK; b++) {
				if (!nfx_bit_test(bits, b))
					continue;
				if (got[0])
					strcat(got, " ");
				strcat(got, knames[b]);
			}
			/* knames lists tso bits in kernel order */
			CHECK(!strcmp(got, rows[i].want),
			      "expand '%s': got '%s', want '%s'", rows[i].list,
			      got, rows[i].want);
		}
		nfx_featreq_free(req);
	}
}

static void test_err(void)
{
	struct nfx_err err = { 0 };
	char longname[600];

	CHECK(nfx_err_set(&err, -ENODEV, "no such %s", "interface") == -ENODEV,
	      "nfx_err_set returns its code");
	CHECK(!strcmp(err.msg, "no such interface"), "msg '%s'", err.msg);
	nfx_err_prefix(&err, "%s", "eno9");
	CHECK(!strcmp(err.msg, "eno9: no such interface"), "prefixed '%s'",
	      err.msg);
	CHECK(nfx_err_set(NULL, -EIO, "x") == -EIO, "NULL err is fine");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	nfx_err_set(&err, -EIO, "%s", longname);
	nfx_err_prefix(&err, "p");
	CHECK(strlen(err.msg) == sizeof(err.msg) - 1, "truncated, NUL-ended");
}

static void test_offline_parse(void)
{
	static const struct {
		int rc;
		const char *cmd;
		const char *dev;
		const char *feats; /* "name=on name=off ..." */
		bool guarded;
	} rows[] = {
		{ 0, "ethtool -K eno1 tso off gso off gro off || true", "eno1",
		  "tso=off gso=off gro=off", true },
		{ 0, "/sbin/ethtool -K eno1 tso off", "eno1", "tso=off", false },
		{ 0, "/usr/sbin/ethtool --offload eno1 gso off gro off", "eno1",
		  "gso=off gro=off", false },
		{ 0, "ethtool --features enp0s31f6 tcp-segmentation-offload off", "enp0s31f6",
		  "tso=off", false },
		{ 0, "ethtool  -K\teno1  tso  on || :", "eno1", "tso=on", true },
		{ 0, "ethtool -K eno1 tso off \\\n   gso off || /bin/true", "eno1",
		  "tso=off gso=off", true },
		{ 0, "ethtool -K $IFACE tso off", "$IFACE", "tso=off", false },
		{ 0, "ethtool -K eno1 tx-tcp-segmentation off 2>/dev/null || true",
		  "eno1", "tx-tcp-segmentation=off", true },
		{ -ENOENT, "ethtool -s eno1 wol g", NULL, NULL, false },
		{ -ENOENT, "ethtool --set-eee eno1 eee off", NULL, NULL, false },
		{ -ENOENT, "ip link set eno1 up", NULL, NULL, false },
		{ -ENOENT, "echo ethtool -K eno1 tso off", NULL, NULL, false },
		{ -ENOENT, "", NULL, NULL, false },
		{ -EINVAL, "ethtool -K", NULL, NULL, false },
		{ -EINVAL, "ethtool -K eno1", NULL, NULL, false },
		{ -EINVAL, "ethtool -K eno1 tso", NULL, NULL, false },
		{ -EINVAL, "ethtool -K eno1 tso of", NULL, NULL, false },
		/* other commands after ';' or '&&' run too: the status is theirs */
		{ 0, "ethtool -K eno1 tso off; reboot", "eno1", "tso=off", false },
		{ 0, "ethtool -K eno1 tso off && echo hi", "eno1", "tso=off", false },
		{ 0, "ethtool -K eno1 gro off; /sbin/ethtool -s eno1 wol d", "eno1",
		  "gro=off", false },
		{ 0, "ethtool -K eno1 gro off;ethtool -s eno1 wol d || true", "eno1",
		  "gro=off", true },
		{ 0, "ethtool -K eno1 gro off || true; ethtool -s eno1 wol d", "eno1",
		  "gro=off", false },
		/* sh refuses these, so ifup would fail (seen by fuzz_offline) */
		{ -EINVAL, "ethtool -K eno1 tso off &&", NULL, NULL, false },
		{ -EINVAL, "ethtool -K eno1 tso off; && reboot", NULL, NULL, false },
		{ 0, "ethtool -K eno1 tso off;", "eno1", "tso=off", false },
		{ -EINVAL, "ethtool -K eno1 tso off || echo failed", NULL, NULL, false },
		{ -EINVAL, "ethtool -K eno1;x tso off", NULL, NULL, false },
		{ -EINVAL, "ethtool -K eno1 TSO off", NULL, NULL, false },
	};
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_offline line;
		char got[256] = "";
		char cmd[256];
		const char *c = rows[i].cmd;
		size_t o = 0;
		int rc;

		/* the table writes "\\n" for a backslash-newline */
		for (; *c && o < sizeof(cmd) - 1; c++) {
			if (c[0] == '\\' && c[1] == 'n') {
				cmd[o++] = '\n';
				c++;
			} else if (c[0] == '\\' && c[1] == 't') {
				cmd[o++] = '\t';
				c++;
			} else {
				cmd[o++] = *c;
			}
		}
		cmd[o] = '\0';
		rc = nfx_offline_parse(cmd, &line, NULL);
		CHECK(rc == rows[i].rc, "offline '%s': got %d, want %d",
		      rows[i].cmd, rc, rows[i].rc);
		if (rc || rows[i].rc)
			continue;
		for (k = 0; k < line.n; k++) {
			if (got[0])
				strcat(got, " ");
			strcat(got, line.feat[k].name);
			strcat(got, line.feat[k].on ? "=on" : "=off");
		}
		CHECK(!strcmp(line.dev, rows[i].dev), "offline '%s': dev '%s'",
		      rows[i].cmd, line.dev);
		CHECK(!strcmp(got, rows[i].feats), "offline '%s': feats '%s'",
		      rows[i].cmd, got);
		CHECK(line.guarded == rows[i].guarded, "offline '%s': guarded %d",
		      rows[i].cmd, line.guarded);
	}
}

/* A line longer than the tokens kept is refused, not cut (issue #7,
 * seen while writing fuzz_offline: "&& reboot" after it went unseen). */
/* The reason a malformed line gives is the exact one (issue #13). */
static void test_offline_reasons(void)
{
	static const struct {
		const char *cmd;
		const char *msg;
	} rows[] = {
		{ "ethtool -K eno1 tso of", "ethtool -K eno1 tso: 'of' is not on or off" },
		{ "ethtool -K eno1 tso", "ethtool -K eno1: tso without on or off" },
		{ "ethtool -K eno1 tso || true", "ethtool -K eno1: tso without on or off" },
		{ "ethtool -K eno1 off off", "ethtool -K eno1: 'off' where a feature name belongs" },
		{ "ethtool -K", "ethtool -K without a device" },
		{ "ethtool -K eno1", "ethtool -K eno1 without features" },
		{ "ethtool -K eno1 tso off | logger",
		  "ethtool -K eno1: unexpected '|' after the features" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_offline line;
		struct nfx_err err = { 0 };
		int rc = nfx_offline_parse(rows[i].cmd, &line, &err);

		CHECK(rc == -EINVAL && !strcmp(err.msg, rows[i].msg),
		      "offline '%s': %d '%s', want '%s'", rows[i].cmd, rc, err.msg,
		      rows[i].msg);
	}
}

static void test_offline_long(void)
{
	struct nfx_offline line;
	char cmd[1024] = "ethtool -K eno1 tso off";
	int i, rc;

	for (i = 0; i < 50; i++)
		strcat(cmd, " 2>&1");
	rc = nfx_offline_parse(cmd, &line, NULL);
	CHECK(rc == 0, "offline with 50 redirections: got %d", rc);
	for (i = 0; i < 50; i++)
		strcat(cmd, " 2>&1");
	strcat(cmd, " && reboot");
	rc = nfx_offline_parse(cmd, &line, NULL);
	CHECK(rc == -EINVAL, "offline with 100 redirections && reboot: got %d",
	      rc);
}

/* a line the pairs and the guard would take past the words the parser
 * reads is refused, not written for check to call malformed */
static void test_offline_complete_words(const struct nfx_featreq *req)
{
	struct nfx_offline line;
	char cmd[512] = "ethtool -K eno1 tso off", buf[1024];
	size_t i;

	/* 5 words, 89 separators and 2 words: 96, the most the parser reads */
	for (i = 0; i < 89; i++)
		strcat(cmd, ";");
	strcat(cmd, " logger x");
	CHECK(nfx_offline_parse(cmd, &line, NULL) == 0,
	      "offline with 89 ';': not accepted");
	CHECK(nfx_offline_complete(cmd, &line, req, buf, sizeof(buf)) ==
		      -ENAMETOOLONG,
	      "complete past %d words: got '%s'", NFX_OFFLINE_MAX_WORDS, buf);
}

static void test_offline_complete(void)
{
	static const struct {
		const char *cmd;
		const char *want;
	} rows[] = {
		{ "ethtool -K eno1 tso off gso off gro off || true",
		  "ethtool -K eno1 tso off gso off gro off || true" },
		{ "ethtool -K eno1 tso off",
		  "ethtool -K eno1 tso off gso off gro off || true" },
		{ "/sbin/ethtool -K eno1 gro off || true",
		  "/sbin/ethtool -K eno1 gro off tso off gso off || true" },
		{ "ethtool -K eno1 tso on gso off",
		  "ethtool -K eno1 tso off gso off gro off || true" },
		{ "ethtool -K eno1 rx off tso on 2>/dev/null",
		  "ethtool -K eno1 rx off tso off gso off gro off 2>/dev/null || true" },
		/* "|| true" after a final ';' would not parse in sh */
		{ "ethtool -K eno1 tso on gso on;",
		  "ethtool -K eno1 tso off gso off gro off || true" },
		{ "ethtool -K eno1 generic-receive-offload off",
		  "ethtool -K eno1 generic-receive-offload off tso off gso off || true" },
		/* nor after a ';' that ends the value's first line */
		{ "ethtool -K eno1 tso off;\n",
		  "ethtool -K eno1 tso off gso off gro off || true" },
		{ "ethtool -K eno1 tso off ; \\\n",
		  "ethtool -K eno1 tso off gso off gro off || true" },
	};
	struct nfx_featreq *req = NULL;
	char buf[256], canon[256];
	size_t i;

	nfx_featreq_default(&req, NULL);
	CHECK(nfx_offline_format("eno1", req, canon, sizeof(canon)) == 0 &&
		      !strcmp(canon, "ethtool -K eno1 tso off gso off gro off || true"),
	      "canonical line '%s'", canon);
	CHECK(nfx_offline_format("eno1", req, canon, 20) == -ENAMETOOLONG,
	      "format reports a short buffer");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_offline line;

		if (nfx_offline_parse(rows[i].cmd, &line, NULL) < 0) {
			CHECK(0, "complete '%s': parse failed", rows[i].cmd);
			continue;
		}
		CHECK(nfx_offline_complete(rows[i].cmd, &line, req, buf,
					   sizeof(buf)) == 0 &&
			      !strcmp(buf, rows[i].want),
		      "complete '%s': got '%s'", rows[i].cmd, buf);
	}
	test_offline_complete_words(req);
	nfx_featreq_free(req);
}

/* The apply line and the hook's journal line: @r per requested name. */
static void test_summary(const struct nfx_report *r)
{
	const char *want = "gso gro lro off, tso still on (turned off: gso; "
			   "fixed: lro; failed: tso)";
	struct nfx_featreq *req = NULL;
	struct nfx_summary s;
	char buf[128], small[12];

	CHECK(nfx_featreq_parse("tso,gso,gro,lro", &req, NULL) == 0,
	      "summary: request");
	nfx_summarize(r, req, &s);
	nfx_summary_text(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, want), "summary: '%s'", buf);
	CHECK(nfx_summary_on(&s), "summary: tso is still on");
	/* cut to fit, never past the buffer */
	nfx_summary_text(&s, small, sizeof(small));
	CHECK(strlen(small) < sizeof(small) && !strncmp(small, want, strlen(small)),
	      "summary cut: '%s'", small);
	/* tso's failed bit turned off too */
	r->items[3] = (struct nfx_item){ "tx-tcp6-segmentation", NFX_RES_OFF, false };
	nfx_summarize(r, req, &s);
	nfx_summary_text(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "tso gso gro lro off (turned off: tso gso; fixed: lro)"),
	      "summary all off: '%s'", buf);
	CHECK(!nfx_summary_on(&s), "summary: nothing on");
	nfx_featreq_free(req);
}

static void test_report_names(void)
{
	struct nfx_item items[] = {
		{ "tx-tcp-segmentation", NFX_RES_OFF, false },
		{ "rx-gro", NFX_RES_ALREADY_OFF, false },
		{ "rx-lro", NFX_RES_FIXED, false },
		{ "tx-tcp6-segmentation", NFX_RES_FAILED, true },
		{ "tx-generic-segmentation", NFX_RES_OFF, false },
	};
	struct nfx_report r = { "eno1", 5, items };
	static const struct {
		enum nfx_pick pick;
		size_t len;
		size_t count;
		const char *want;
	} rows[] = {
		{ NFX_PICK_ON, 64, 1, "tx-tcp6-segmentation" },
		{ NFX_PICK_TURNED_OFF, 64, 2,
		  "tx-tcp-segmentation tx-generic-segmentation" },
		{ NFX_PICK_ALREADY_OFF, 64, 2, "rx-gro rx-lro" },
		/* cut to fit, but every item still counted */
		{ NFX_PICK_TURNED_OFF, 22, 2, "tx-tcp-segmentation" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[64];
		size_t n = nfx_report_names(&r, rows[i].pick, buf, rows[i].len);

		CHECK(n == rows[i].count && !strcmp(buf, rows[i].want),
		      "report_names row %zu: %zu '%s'", i, n, buf);
	}
	test_summary(&r);
}


/* The words of an option's value, as ifports splits bridge-ports. */
static void test_ifword(void)
{
	static const struct {
		const char *val;
		const char *words; /* joined with '|' */
	} rows[] = {
		{ "eno1 eno2", "eno1|eno2" },
		{ "  eno1\t \\\n eno2  ", "eno1|eno2" },
		/* a stray CR (issue #7, found by fuzz_ifread): it looped */
		{ "eno1\r eno2", "eno1|eno2" },
		{ "\r\reno1\r", "eno1" },
		{ "\r", "" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *p = rows[i].val, *end = p + strlen(p), *w;
		char got[64] = "";
		size_t len, pos = 0, n = 0;

		while (n++ < 8 && (w = nfx_ifword_next(&p, end, &len)))
			pos += (size_t)snprintf(got + pos, sizeof(got) - pos,
						"%s%.*s", pos ? "|" : "",
						(int)len, w);
		CHECK(n <= 8 && !strcmp(got, rows[i].words),
		      "ifword row %zu: '%s'", i, got);
	}
}

/* Lines nfx_iffile_parse() must take as blank. */
static void test_iffile_blank(void)
{
	static const char *const rows[] = {
		/* blanks and a continuation, then a blank line (issue #7,
		 * found by fuzz_ifread: the key was NULL, its length unset) */
		"iface eno1 inet manual\n  \\\n\n\tmtu 1500\n",
		"iface eno1 inet manual\n\tmtu 1500\n \t\\\n",
		"iface eno1 inet manual\n\tmtu 1500\n\\\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_iffile f = { 0 };
		int ret;

		f.path = "t";
		f.buf = strdup(rows[i]);
		f.len = strlen(rows[i]);
		ret = nfx_iffile_parse(&f, NULL);
		CHECK(ret == 0 && f.nst == 1 && f.nopts == 1 &&
			      nfx_ifopt_is(&f.opts[0], "mtu"),
		      "iffile_blank row %zu: %d, %zu stanzas, %zu options", i,
		      ret, f.nst, f.nopts);
		nfx_iffile_done(&f);
		free(f.buf);
	}
}

/* a one-file configuration of @text, for the placement rules */
struct oneconf {
	struct nfx_iffile f;
	struct nfx_iffile *files[1];
	struct nfx_ifref refs[16];
	struct nfx_ifconf conf;
};

static int oneconf_init(struct oneconf *c, const char *text)
{
	size_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	c->f.path = "t";
	c->f.buf = strdup(text);
	c->f.len = strlen(text);
	ret = nfx_iffile_parse(&c->f, NULL);
	if (ret < 0 || c->f.nst > 16)
		return -1;
	for (i = 0; i < c->f.nst; i++) {
		c->refs[i].file = &c->f;
		c->refs[i].st = &c->f.st[i];
	}
	c->files[0] = &c->f;
	c->conf.files = c->files;
	c->conf.nfiles = 1;
	c->conf.refs = c->refs;
	c->conf.nrefs = c->f.nst;
	return 0;
}

static void oneconf_done(struct oneconf *c)
{
	nfx_iffile_done(&c->f);
	free(c->f.buf);
}

/* the index in the file of the option whose key is @key, of stanza @st */
static long opt_of(const struct oneconf *c, size_t st, const char *key)
{
	size_t i;

	for (i = 0; i < c->f.st[st].nopt; i++)
		if (nfx_ifopt_is(&c->f.opts[c->f.st[st].opt + i], key))
			return (long)i;
	return -1;
}

/* DESIGN.md's placement rules, and the lines Proxmox VE's writer loses */
static void test_place(void)
{
	static const struct {
		const char *text;
		long stanza; /* which stanza of vmbr0 gets the line (index in file) */
		long after;  /* after which of its options (-1: the iface line) */
		const char *key; /* an option of that stanza... */
		long key_st;	 /* ...in stanza key_st... */
		enum nfx_risk risk; /* ...at this risk */
	} rows[] = {
		/* the usual file: the one stanza, after its last option */
		{ "auto vmbr0\niface vmbr0 inet static\n\taddress 10.0.0.2/24\n"
		  "\tbridge-ports eno1\n\tbridge-fd 0\n\n# end\n",
		  0, 2, "bridge-fd", 0, NFX_RISK_NONE },
		/* (a) dhcp above static: the last one, with the bridge-ports */
		{ "iface vmbr0 inet dhcp\niface vmbr0 inet static\n"
		  "\taddress 10.0.0.2/24\n\tbridge-ports eno1\n",
		  1, 1, "bridge-ports", 1, NFX_RISK_NONE },
		{ "iface vmbr0 inet dhcp\n\tpost-up true\niface vmbr0 inet static\n"
		  "\tbridge-ports eno1\n",
		  1, 0, "post-up", 0, NFX_RISK_EARLIER },
		/* (b) a blank line inside the stanza: before it */
		{ "iface vmbr0 inet static\n\taddress 10.0.0.2/24\n"
		  "\tbridge-ports eno1\n\n\tbridge-fd 0\n",
		  0, 1, "bridge-fd", 0, NFX_RISK_BLANK },
		{ "iface vmbr0 inet manual\n \t\r\n\tbridge-ports eno1\n",
		  0, -1, "bridge-ports", 0, NFX_RISK_BLANK },
		/* a comment is no blank line; "\" continues a line */
		{ "iface vmbr0 inet manual\n\tbridge-ports eno1 \\\n\teno2\n"
		  "\t# c\n\tbridge-fd 0\n",
		  0, 1, "bridge-fd", 0, NFX_RISK_NONE },
		/* (c) inet6 auto first: the inet stanza */
		{ "iface vmbr0 inet6 auto\n\taccept_ra 2\n"
		  "iface vmbr0 inet static\n\tbridge-ports eno1\n",
		  1, 0, "accept_ra", 0, NFX_RISK_INET6 },
		{ "iface vmbr0 inet static\n\tbridge-ports eno1\n"
		  "iface vmbr0 inet6 static\n\taddress fd00::2/64\n",
		  0, 0, "address", 1, NFX_RISK_NONE },
		/* inet6 only: the last, with its address */
		{ "iface vmbr0 inet6 auto\n\tbridge-ports eno1\n"
		  "iface vmbr0 inet6 static\n\taddress fd00::2/64\n",
		  1, 0, "bridge-ports", 0, NFX_RISK_EARLIER },
		{ "iface vmbr0 inet6 auto\n\tbridge-ports eno1\n", 0, 0,
		  "bridge-ports", 0, NFX_RISK_INET6 },
		/* an ifupdown2 typeless stanza */
		{ "iface vmbr0\n\tbridge-ports eno1\n", 0, 0, "bridge-ports", 0,
		  NFX_RISK_NONE },
		/* a stanza with no option */
		{ "iface eno1 inet manual\niface vmbr0 inet manual\n", 1, -1,
		  NULL, 0, NFX_RISK_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct oneconf c;
		const char *why = NULL;
		long st, after;

		if (oneconf_init(&c, rows[i].text) < 0) {
			CHECK(0, "place row %zu: does not parse", i);
			continue;
		}
		st = nfx_place_stanza(&c.conf, "vmbr0");
		CHECK(st == rows[i].stanza, "place row %zu: stanza %ld, want %ld",
		      i, st, rows[i].stanza);
		if (st >= 0) {
			after = nfx_place_after(&c.f, &c.f.st[st]);
			CHECK(after == rows[i].after,
			      "place row %zu: after %ld, want %ld", i, after,
			      rows[i].after);
		}
		if (rows[i].key) {
			long o = opt_of(&c, (size_t)rows[i].key_st, rows[i].key);
			enum nfx_risk r = o < 0 ? NFX_RISK_NONE :
				nfx_place_risk(&c.conf, (size_t)rows[i].key_st,
					       (size_t)o, &why);

			CHECK(o >= 0 && r == rows[i].risk && why &&
				      (r == NFX_RISK_NONE) == !*why,
			      "place row %zu: %s: risk %d, want %d", i,
			      rows[i].key, r, rows[i].risk);
		}
		oneconf_done(&c);
	}
	CHECK(nfx_place_stanza(&(struct nfx_ifconf){ 0 }, "vmbr0") == -1,
	      "place: no stanza");
}

static void test_offline_rename(void)
{
	static const struct {
		const char *cmd;
		const char *want;
	} rows[] = {
		{ "ethtool -K eno1 tso off gso off gro off || true",
		  "ethtool -K nic0 tso off gso off gro off || true" },
		{ "/usr/sbin/ethtool  --offload\teno1  rx off tx off sg off 2>/dev/null || :",
		  "/usr/sbin/ethtool  --offload\tnic0  rx off tx off sg off 2>/dev/null || :" },
		{ "ethtool -K eno1 \\\n\ttso off", "ethtool -K nic0 \\\n\ttso off" },
		/* only the device word: eno1 elsewhere stays */
		{ "ethtool -K eno1 tso off # eno1", "ethtool -K nic0 tso off # eno1" },
	};
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_offline line;
		int rc = nfx_offline_parse(rows[i].cmd, &line, NULL);

		if (rc < 0) {
			/* a comment after the features is not an offload line:
			 * then the device offset is taken by hand */
			memset(&line, 0, sizeof(line));
			strcpy(line.dev, "eno1");
			line.dev_off = (size_t)(strstr(rows[i].cmd, "eno1") - rows[i].cmd);
		}
		rc = nfx_offline_rename(rows[i].cmd, &line, "nic0", buf, sizeof(buf));
		CHECK(rc == 0 && !strcmp(buf, rows[i].want), "rename row %zu: '%s'", i,
		      buf);
	}
	{
		struct nfx_offline line;

		nfx_offline_parse(rows[0].cmd, &line, NULL);
		CHECK(nfx_offline_rename(rows[0].cmd, &line, "nic0", buf, 20) ==
			      -ENAMETOOLONG,
		      "rename reports a short buffer");
	}
}

static void test_mac_parse(void)
{
	static const struct {
		int rc;
		const char *s;
		unsigned char mac[6];
	} rows[] = {
		{ 0, "00:1b:21:aa:bb:cc", { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc } },
		{ 0, "00:1B:21:AA:BB:CC", { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc } },
		{ 0, "00-1b-21-aa-bb-cc", { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc } },
		{ 0, "001b.21aa.bbcc", { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc } },
		{ 0, "0:1b:2:aa:b:c", { 0x00, 0x1b, 0x02, 0xaa, 0x0b, 0x0c } },
		{ -EINVAL, "", { 0 } },
		{ -EINVAL, "00:1b:21:aa:bb", { 0 } },
		{ -EINVAL, "00:1b:21:aa:bb:cc:dd", { 0 } },
		{ -EINVAL, "00:1b:21:aa:bb:cc:", { 0 } },
		{ -EINVAL, "00:1b-21:aa:bb:cc", { 0 } },
		{ -EINVAL, "001:b2:1a:ab:bc:c0", { 0 } },
		{ -EINVAL, "00:1b:21:aa:bb:cg", { 0 } },
		{ -EINVAL, "001b.21aa.bbcg", { 0 } },
		{ -EINVAL, "001b21aabbcc", { 0 } },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned char mac[6] = { 0 };
		int rc = nfx_mac_parse(rows[i].s, strlen(rows[i].s), mac);

		CHECK(rc == rows[i].rc, "mac '%s': got %d, want %d", rows[i].s,
		      rc, rows[i].rc);
		CHECK(rc < 0 || !memcmp(mac, rows[i].mac, 6), "mac '%s': wrong bytes",
		      rows[i].s);
	}
}

static void test_linkfile_parse(void)
{
	static const struct {
		enum nfx_linkmatch match;
		size_t nmac;
		const char *name;
		bool policy;
		const char *text;
	} rows[] = {
		/* what pve-network-interface-pinning and the installer write */
		{ NFX_LM_MAC, 1, "nic0", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nType=ether\n\n[Link]\nName=nic0\n" },
		{ NFX_LM_MAC, 1, "nic0", false,
		  "# written by the installer\n[Match]\nMACAddress=00:1b:21:aa:bb:cc\n[Link]\nName=nic0\n" },
		{ NFX_LM_MAC, 2, "nic1", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc 00:1b:21:aa:bb:cd\n[Link]\nName=nic1\n" },
		/* several lines add up; an empty one resets */
		{ NFX_LM_MAC, 2, "nic1", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nMACAddress=00:1b:21:aa:bb:cd\n[Link]\nName=nic1\n" },
		{ NFX_LM_MAC, 1, "nic1", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nMACAddress=\nMACAddress=02:00:00:00:00:01\n[Link]\nName=nic1\n" },
		/* blanks, CRLF, ';' comments, a continued line */
		{ NFX_LM_MAC, 2, "nic2", false,
		  "  [Match]  \r\n; a comment\r\n MACAddress = 00:1b:21:aa:bb:cc \\\r\n   00:1b:21:aa:bb:cd\r\n[Link]\r\nName = nic2 \r\n" },
		/* an invalid address is skipped, as udev does */
		{ NFX_LM_MAC, 1, "nic0", false,
		  "[Match]\nMACAddress=zz:1b:21:aa:bb:cc 00:1b:21:aa:bb:cc\n[Link]\nName=nic0\n" },
		/* the last Name= wins; an invalid one is no name */
		{ NFX_LM_MAC, 1, "nic5", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\n[Link]\nName=nic4\nName=nic5\n" },
		{ NFX_LM_MAC, 1, "", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\n[Link]\nName=nic;reboot\n" },
		{ NFX_LM_MAC, 1, "", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\n[Link]\nMTUBytes=9000\n" },
		{ NFX_LM_MAC, 1, "nic0", true,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\n[Link]\nNamePolicy=path\nName=nic0\n" },
		/* keys are case-sensitive, and belong to their section */
		{ NFX_LM_OTHER, 0, "nic0", false,
		  "[Match]\nmacaddress=00:1b:21:aa:bb:cc\n[Link]\nName=nic0\n" },
		{ NFX_LM_IGNORED, 0, "", false,
		  "[Link]\nMACAddress=00:1b:21:aa:bb:cc\nname=nic0\n" },
		/* what nicfix cannot judge */
		{ NFX_LM_OTHER, 1, "nic0", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nDriver=e1000e\n[Link]\nName=nic0\n" },
		{ NFX_LM_OTHER, 1, "nic0", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nType=wlan\n[Link]\nName=nic0\n" },
		{ NFX_LM_OTHER, 1, "nic0", false,
		  "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nType=!ether\n[Link]\nName=nic0\n" },
		{ NFX_LM_OTHER, 0, "", true,
		  "[Match]\nOriginalName=*\n[Link]\nNamePolicy=keep kernel database onboard slot path\n" },
		{ NFX_LM_OTHER, 0, "nic0", false, "[Match]\nType=ether\n[Link]\nName=nic0\n" },
		/* no [Match] setting: udev ignores the file */
		{ NFX_LM_IGNORED, 0, "", false, "" },
		{ NFX_LM_IGNORED, 0, "nic0", false, "[Match]\n[Link]\nName=nic0\n" },
		{ NFX_LM_IGNORED, 0, "nic0", false, "[Match]\nMACAddress=\n[Link]\nName=nic0\n" },
		{ NFX_LM_IGNORED, 0, "", false, "MACAddress=00:1b:21:aa:bb:cc\nName=nic0\n" },
		/* the comment is a comment, not a key */
		{ NFX_LM_MAC, 1, "nic0", false,
		  "[Match]\n#Driver=e1000e\nMACAddress=00:1b:21:aa:bb:cc\n[Link]\nName=nic0\n# Name=nic9\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nfx_linkfile f;

		memset(&f, 0xa5, sizeof(f));
		nfx_linkfile_parse(rows[i].text, strlen(rows[i].text), &f);
		CHECK(f.match == rows[i].match, "link row %zu: match %d, want %d",
		      i, f.match, rows[i].match);
		CHECK(f.nmac == rows[i].nmac, "link row %zu: %zu addresses, want %zu",
		      i, f.nmac, rows[i].nmac);
		CHECK(!strcmp(f.name, rows[i].name), "link row %zu: name '%s', want '%s'",
		      i, f.name, rows[i].name);
		CHECK(f.policy == rows[i].policy, "link row %zu: policy %d", i,
		      f.policy);
		CHECK(f.match != NFX_LM_OTHER || f.why[0], "link row %zu: no reason", i);
	}
}

static void test_linkents_order(void)
{
	struct nfx_linkent v[] = {
		{ "99-default.link", 3 },
		{ "50-pmx-nic1.link", 2 },
		{ "50-pmx-nic0.link", 2 },
		{ "50-pmx-nic0.link", 0 }, /* /etc masks /usr/local/lib */
		{ "10-early.link", 1 },
		{ "50-pmx-nic1.link", 3 },
		{ "73-usb-net-by-mac.link", 3 },
		{ "50-pmx-nic10.link", 2 },
	};
	static const struct {
		const char *name;
		unsigned int dir;
	} want[] = {
		{ "10-early.link", 1 },	    { "50-pmx-nic0.link", 0 },
		{ "50-pmx-nic1.link", 2 },  { "50-pmx-nic10.link", 2 },
		{ "73-usb-net-by-mac.link", 3 }, { "99-default.link", 3 },
	};
	size_t n = nfx_linkents_order(v, sizeof(v) / sizeof(v[0])), i;

	CHECK(n == sizeof(want) / sizeof(want[0]), "order: %zu files", n);
	for (i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(!strcmp(v[i].name, want[i].name) && v[i].dir == want[i].dir,
		      "order %zu: %s in %u, want %s in %u", i, v[i].name, v[i].dir,
		      want[i].name, want[i].dir);
	CHECK(nfx_linkents_order(v, 0) == 0, "order: empty");
}

static void link_of(struct nfx_linkfile *f, const char *text)
{
	nfx_linkfile_parse(text, strlen(text), f);
}

static void test_linkfiles_first(void)
{
	static const unsigned char a[6] = { 0, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
	static const unsigned char b[6] = { 0, 0x1b, 0x21, 0xaa, 0xbb, 0xcd };
	static const unsigned char c[6] = { 2, 0, 0, 0, 0, 9 };
	struct nfx_linkfile v[5];
	size_t i = 99;

	/* 10-b-other: Driver= with b's address; 50-pmx-nic0: a;
	 * 50-pmx-nic1: a and b (a's first match is nic0 all the same);
	 * 60-empty: ignored; 99-default: OriginalName=*
	 */
	link_of(&v[0], "[Match]\nMACAddress=00:1b:21:aa:bb:cd\nDriver=e1000e\n[Link]\nName=lan0\n");
	link_of(&v[1], "[Match]\nMACAddress=00:1b:21:aa:bb:cc\nType=ether\n[Link]\nName=nic0\n");
	link_of(&v[2], "[Match]\nMACAddress=00:1b:21:aa:bb:cc 00:1b:21:aa:bb:cd\n[Link]\nName=nic1\n");
	link_of(&v[3], "");
	link_of(&v[4], "[Match]\nOriginalName=*\n[Link]\nNamePolicy=kernel database onboard slot path\n");

	CHECK(nfx_linkfiles_first(v, 5, a, &i) == 1 && i == 1,
	      "first: a is nic0's (%zu)", i);
	CHECK(nfx_linkfiles_first(v, 5, b, &i) == -EAGAIN && i == 0,
	      "first: b meets the Driver= file first (%zu)", i);
	CHECK(nfx_linkfiles_first(v + 1, 4, b, &i) == 1 && i == 1,
	      "first: without it, b is nic1's (%zu)", i);
	CHECK(nfx_linkfiles_first(v, 5, c, &i) == -EAGAIN && i == 4,
	      "first: c only meets 99-default (%zu)", i);
	CHECK(nfx_linkfiles_first(v, 4, c, &i) == 0, "first: c matches nothing");
	CHECK(nfx_linkfiles_first(v, 0, a, &i) == 0, "first: no files");
}

static void test_udev_prop(void)
{
	static const char rec[] =
		"I:5402718\n"
		"E:ID_NET_NAMING_SCHEME=v257\n"
		"E:ID_NET_NAME_MAC=enx001b21aabbcc\n"
		"E:ID_NET_NAME_ONBOARD=eno1\n"
		"E:ID_NET_NAME_PATH=enp0s31f6\n"
		"E:ID_NET_LINK_FILE=/usr/local/lib/systemd/network/50-pmx-nic0.link\n"
		"E:ID_NET_NAME=nic0\n"
		"G:systemd\n"
		"E:ID_NET_NAME_SLOTX=nope";
	char buf[64];

	CHECK(nfx_udev_prop(rec, "ID_NET_NAME_ONBOARD", buf, sizeof(buf)) &&
	      !strcmp(buf, "eno1"), "udev: onboard '%s'", buf);
	CHECK(nfx_udev_prop(rec, "ID_NET_NAME_PATH", buf, sizeof(buf)) &&
	      !strcmp(buf, "enp0s31f6"), "udev: path '%s'", buf);
	CHECK(nfx_udev_prop(rec, "ID_NET_NAME", buf, sizeof(buf)) &&
	      !strcmp(buf, "nic0"), "udev: name '%s'", buf);
	CHECK(!nfx_udev_prop(rec, "ID_NET_NAME_SLOT", buf, sizeof(buf)),
	      "udev: no slot name");
	CHECK(!nfx_udev_prop(rec, "systemd", buf, sizeof(buf)), "udev: tags are not properties");
	CHECK(!nfx_udev_prop("", "ID_NET_NAME", buf, sizeof(buf)), "udev: empty");
}

int main(void)
{
	test_place();
	test_ifword();
	test_iffile_blank();
	test_report_names();
	test_offline_parse();
	test_offline_reasons();
	test_offline_long();
	test_offline_complete();
	test_ifname();
	test_featreq();
	test_expand();
	test_err();
	test_offline_rename();
	test_mac_parse();
	test_linkfile_parse();
	test_linkents_order();
	test_linkfiles_first();
	test_udev_prop();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* klog.c - read kernel logs in every format hosts write them, fast */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klog.h"

#define BUF_SIZE (1u << 20)
/* a /dev/kmsg read needs room for a whole record */
#define KMSG_ROOM 8192
/* how much of the start of the input the binary check looks at */
#define SNIFF 4096

enum src_kind { SRC_MEM, SRC_FD, SRC_KMSG, SRC_CMD };

/**
 * struct nfx_klog - a reader
 * @kind: where the text comes from
 * @fd: the descriptor (-1 for memory); owned unless SRC_FD
 * @pid: the command's process, 0 when none
 * @cmd: the command's name, for errors
 * @buf: the text; [@pos, @end) are whole lines not yet read, [@end, @len)
 *	the start of a line still being read
 * @own: @buf was allocated here
 * @cut: the rest of an overlong line is still to be dropped
 * @eof: nothing more to read
 * @sniffed: the start of the input was checked for binary data
 * @line: lines consumed before @pos
 * @st: parser state
 * @sub, @sub_len: the rest of a joined message still to hand out
 * @rec: the record @sub belongs to
 */
struct nfx_klog {
	enum src_kind kind;
	int fd;
	pid_t pid;
	const char *cmd;
	char *buf;
	size_t cap, len, pos, end;
	bool own;
	bool cut;
	bool eof;
	bool sniffed;
	unsigned long line;
	struct nfx_klog_state st;
	const char *sub;
	size_t sub_len;
	struct nfx_klog_rec rec;
};

/* ---- time ------------------------------------------------------------- */

long long nfx_klog_civil(int year, int mon, int day, int hour, int min,
			 int sec)
{
	/* days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
	long long y = year - (mon <= 2);
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;

	return ((days * 24 + hour) * 60 + min) * 60000LL + sec * 1000LL;
}

/* The inverse of nfx_klog_civil() for the date part. */
static void civil_split(long long ms, int *year, int *mon, int *day,
			long long *ms_of_day)
{
	long long days = ms / 86400000LL, rem = ms % 86400000LL;
	long long z, era, doe, yoe, doy, mp, y;

	if (rem < 0) {
		rem += 86400000LL;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*mon <= 2));
	*ms_of_day = rem;
}

char *nfx_klog_time_str(long long time, enum nfx_clock clock, char *buf,
			size_t size)
{
	int y, mo, d;
	long long t;

	if (clock == NFX_CLOCK_WALL && time != NFX_TIME_NONE) {
		civil_split(time, &y, &mo, &d, &t);
		snprintf(buf, size, "%04d-%02d-%02d %02lld:%02lld:%02lld", y,
			 mo, d, t / 3600000, t / 60000 % 60, t / 1000 % 60);
	} else if (clock == NFX_CLOCK_BOOT && time != NFX_TIME_NONE) {
		snprintf(buf, size, "%lld.%03lld s after boot", time / 1000,
			 time % 1000);
	} else {
		snprintf(buf, size, "-");
	}
	return buf;
}

/* ---- small scanners: each advances *i only on success ------------------ */

static bool num(const char *s, size_t n, size_t *i, int min_d, int max_d,
		long long *ret)
{
	size_t j = *i;
	long long v = 0;

	while (j < n && j - *i < (size_t)max_d && s[j] >= '0' && s[j] <= '9') {
		int d = s[j++] - '0';

		/* /dev/kmsg's 20-digit numbers do not fit: saturate */
		v = v > (LLONG_MAX - d) / 10 ? LLONG_MAX : v * 10 + d;
	}
	if (j - *i < (size_t)min_d)
		return false;
	*i = j;
	*ret = v;
	return true;
}

static bool ch(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

static bool word3(const char *s, size_t n, size_t *i, const char *list,
		  int *ret)
{
	int k;

	if (*i + 3 > n)
		return false;
	for (k = 0; list[k * 3]; k++) {
		if (!memcmp(s + *i, list + k * 3, 3)) {
			*i += 3;
			*ret = k;
			return true;
		}
	}
	return false;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char wdays[] = "MonTueWedThuFriSatSun";

/* "HH:MM:SS" and an optional ".frac" or ",frac"; @ret_ms within the day */
static bool clock_time(const char *s, size_t n, size_t *i, long long *ret_ms,
		       char *ret_sep)
{
	size_t j = *i;
	long long h, m, sec, frac = 0, k;

	if (!num(s, n, &j, 1, 2, &h) || !ch(s, n, &j, ':') ||
	    !num(s, n, &j, 2, 2, &m) || !ch(s, n, &j, ':') ||
	    !num(s, n, &j, 2, 2, &sec) || h > 23 || m > 59 || sec > 60)
		return false;
	*ret_sep = 0;
	if (j + 1 < n && (s[j] == '.' || s[j] == ',') && s[j + 1] >= '0' &&
	    s[j + 1] <= '9') {
		size_t f;

		*ret_sep = s[j++];
		f = j;
		/* milliseconds: the first three digits */
		for (k = 0; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			if (j - f < 3)
				frac = frac * 10 + (s[j] - '0'), k++;
		for (; k < 3; k++)
			frac *= 10;
	}
	*ret_ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
	*i = j;
	return true;
}

static bool space(const char *s, size_t n, size_t *i)
{
	if (*i >= n || s[*i] != ' ')
		return false;
	while (*i < n && s[*i] == ' ')
		(*i)++;
	return true;
}

/* The year of a syslog date, which has none: the one that puts it in the
 * past, moving on when the months wrap within the log. */
static int syslog_year(struct nfx_klog_state *st, int mon, int day)
{
	int y, m, d;
	long long t;

	if (!st->year) {
		if (st->now == NFX_TIME_NONE) {
			st->year = 1970;
		} else {
			civil_split(st->now, &y, &m, &d, &t);
			st->year = y;
			/* a day of slack for clocks a little apart */
			if (nfx_klog_civil(y, mon, day, 0, 0, 0) >
			    st->now + 86400000LL)
				st->year = y - 1;
		}
	} else if (mon + 6 < st->last_mon) {
		st->year++;
	}
	st->last_mon = mon;
	return st->year;
}

/* "Apr 16 06:10:00[.123456]" (the day may be " 6", "06" or "6") */
static bool syslog_date(struct nfx_klog_state *st, const char *s, size_t n,
			size_t *i, long long *ret)
{
	size_t j = *i;
	long long day, ms;
	int mon;
	char sep;

	if (!word3(s, n, &j, months, &mon) || !ch(s, n, &j, ' '))
		return false;
	if (j < n && s[j] == ' ')
		j++;
	if (!num(s, n, &j, 1, 2, &day) || day < 1 || day > 31 ||
	    !ch(s, n, &j, ' ') || !clock_time(s, n, &j, &ms, &sep))
		return false;
	*ret = nfx_klog_civil(syslog_year(st, mon + 1, (int)day), mon + 1,
			      (int)day, 0, 0, 0) + ms;
	*i = j;
	return true;
}

/* "2024-04-16" */
static bool iso_day(const char *s, size_t n, size_t *i, long long *ret)
{
	size_t j = *i;
	long long y, m, d;

	if (!num(s, n, &j, 4, 4, &y) || !ch(s, n, &j, '-') ||
	    !num(s, n, &j, 2, 2, &m) || !ch(s, n, &j, '-') ||
	    !num(s, n, &j, 2, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*ret = nfx_klog_civil((int)y, (int)m, (int)d, 0, 0, 0);
	*i = j;
	return true;
}

/* "2024-04-16T06:10:00[.123456|,123456][Z|+02:00|+0200]"; @ret_sep is
 * ',' for dmesg's own ISO format, which has no host and no ident. */
static bool iso_date(const char *s, size_t n, size_t *i, long long *ret,
		     char *ret_sep)
{
	size_t j = *i;
	long long day, ms, x;

	if (!iso_day(s, n, &j, &day) || j >= n || (s[j] != 'T' && s[j] != ' '))
		return false;
	j++;
	if (!clock_time(s, n, &j, &ms, ret_sep))
		return false;
	/* the wall clock as written: the offset only says which zone */
	if (j < n && s[j] == 'Z') {
		j++;
	} else if (j < n && (s[j] == '+' || s[j] == '-')) {
		size_t k = j + 1;

		if (num(s, n, &k, 2, 2, &x)) {
			ch(s, n, &k, ':');
			if (num(s, n, &k, 2, 2, &x))
				j = k;
		}
	}
	*ret = day + ms;
	*i = j;
	return true;
}

/* "Tue Apr 16 06:10:00 2024" (dmesg -T, logread) */
static bool ctime_date(const char *s, size_t n, size_t *i, long long *ret)
{
	size_t j = *i;
	long long day, ms, y;
	int wd, mon;
	char sep;

	if (!word3(s, n, &j, wdays, &wd) || !ch(s, n, &j, ' ') ||
	    !word3(s, n, &j, months, &mon) || !space(s, n, &j) ||
	    !num(s, n, &j, 1, 2, &day) || !ch(s, n, &j, ' ') ||
	    !clock_time(s, n, &j, &ms, &sep) || !ch(s, n, &j, ' ') ||
	    !num(s, n, &j, 4, 4, &y))
		return false;
	*ret = nfx_klog_civil((int)y, mon + 1, (int)day, 0, 0, 0) + ms;
	*i = j;
	return true;
}

/* journalctl short-full: "Tue 2024-04-16 06:10:00 CEST " */
static bool short_full(const char *s, size_t n, size_t *i, long long *ret)
{
	size_t j = *i;
	long long day, ms;
	int wd;
	char sep;

	if (!word3(s, n, &j, wdays, &wd) || !ch(s, n, &j, ' ') ||
	    !iso_day(s, n, &j, &day) || !ch(s, n, &j, ' ') ||
	    !clock_time(s, n, &j, &ms, &sep) || !ch(s, n, &j, ' '))
		return false;
	/* the zone's name */
	while (j < n && s[j] != ' ')
		j++;
	if (!ch(s, n, &j, ' '))
		return false;
	*ret = day + ms;
	*i = j;
	return true;
}

/* "[  123.456789]" */
static bool mono_stamp(const char *s, size_t n, size_t *i, long long *ret)
{
	size_t j = *i, f;
	long long sec, frac = 0;

	if (!ch(s, n, &j, '['))
		return false;
	while (j < n && s[j] == ' ')
		j++;
	if (!num(s, n, &j, 1, 12, &sec))
		return false;
	if (ch(s, n, &j, '.')) {
		f = j;
		if (!num(s, n, &j, 1, 9, &frac))
			return false;
		/* the fraction's digits, as milliseconds */
		for (f = j - f; f > 3; f--)
			frac /= 10;
		for (; f < 3; f++)
			frac *= 10;
	}
	if (!ch(s, n, &j, ']'))
		return false;
	*ret = sec * 1000 + frac;
	*i = j;
	return true;
}

/* "kern.err", as logread and busybox print the facility and level */
static bool facility_level(const char *s, size_t len)
{
	static const char *const levels[] = { "emerg", "alert", "crit",
					      "err",   "error", "warn",
					      "warning", "notice", "info",
					      "debug" };
	const char *dot = memchr(s, '.', len);
	size_t k, l;

	if (!dot || dot == s)
		return false;
	for (k = 0; k < (size_t)(dot - s); k++)
		if (s[k] < 'a' || s[k] > 'z')
			if (s[k] < '0' || s[k] > '9')
				return false;
	l = len - (size_t)(dot - s) - 1;
	for (k = 0; k < sizeof(levels) / sizeof(levels[0]); k++)
		if (strlen(levels[k]) == l && !memcmp(dot + 1, levels[k], l))
			return true;
	return false;
}

/* "kernel:", "pvedaemon[1234]:", "systemd-shutdown[1]:"; @ret_pid is set
 * when a "[pid]" is there */
static bool ident_token(const char *s, size_t len, size_t *ret_name_len,
			bool *ret_pid)
{
	size_t k = 0;

	if (len < 2 || s[len - 1] != ':')
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	while (k < len - 1 && s[k] != '[') {
		char c = s[k];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-_.@/", c)))
			return false;
		k++;
	}
	*ret_name_len = k;
	*ret_pid = k < len - 1;
	if (*ret_pid && (len < k + 3 || s[len - 2] != ']'))
		return false;
	/* "NETDEV WATCHDOG: eth0 ..." is a message, not host and ident */
	if (k == 8 && !memcmp(s, "WATCHDOG", 8))
		return false;
	return true;
}

enum tail_mode {
	TAIL_SYSLOG, /* HOST [FACILITY.LEVEL] IDENT: (host always there) */
	TAIL_NOHOST, /* [FACILITY.LEVEL] IDENT: (logread after ctime) */
	TAIL_MONO,   /* journalctl short-monotonic, or plain dmesg */
};

/* After a time stamp: find the message behind host and ident.  Return the
 * offset of the message, and whether it came from the kernel. */
static size_t after_stamp(const char *s, size_t n, size_t i,
			  enum tail_mode mode, bool *ret_kernel)
{
	size_t j = i, tok, tl, name_len;
	bool host = mode == TAIL_NOHOST, fac = false, pid;
	int k;

	*ret_kernel = true;
	for (k = 0; k < 3; k++) {
		tok = j;
		while (j < n && s[j] != ' ')
			j++;
		tl = j - tok;
		if (!tl)
			break;
		if (ident_token(s + tok, tl, &name_len, &pid)) {
			bool kernel = name_len == 6 &&
				      !memcmp(s + tok, "kernel", 6);

			/* dmesg lines: "e1000e: eth0 NIC Link is Down" */
			if (!host && !fac && !kernel)
				break;
			if (mode == TAIL_MONO && !kernel && !pid)
				break;
			*ret_kernel = kernel;
			if (j < n)
				j++;
			return j;
		}
		if (!fac && facility_level(s + tok, tl)) {
			fac = true;
		} else if (!host && !fac && s[tok + tl - 1] != ':') {
			host = true;
		} else {
			break;
		}
		if (!space(s, n, &j))
			break;
	}
	return i;
}

void nfx_klog_state_init(struct nfx_klog_state *st,
			 const struct nfx_klog_opts *o)
{
	memset(st, 0, sizeof(*st));
	st->now = o ? o->now : NFX_TIME_NONE;
	st->boot = o ? o->boot : NFX_TIME_NONE;
}

static void stamp(struct nfx_klog_rec *rec, long long t, enum nfx_clock c)
{
	rec->time = t;
	rec->clock = c;
}

/* A BOOT stamp of this boot's own log becomes a wall-clock time. */
static void boot_stamp(const struct nfx_klog_state *st,
		       struct nfx_klog_rec *rec, long long t)
{
	if (st->boot != NFX_TIME_NONE)
		stamp(rec, st->boot + t, NFX_CLOCK_WALL);
	else
		stamp(rec, t, NFX_CLOCK_BOOT);
}

/* rsyslog: "message repeated 3 times: [ text]" */
static void unwrap_repeated(struct nfx_klog_rec *rec)
{
	static const char pre[] = "message repeated ";
	const char *s = rec->text;
	size_t n = rec->len, i = sizeof(pre) - 1;
	long long times;

	if (n < i || memcmp(s, pre, i) || !num(s, n, &i, 1, 9, &times))
		return;
	if (i + 10 > n || memcmp(s + i, " times: [", 9) || s[n - 1] != ']')
		return;
	i += 9;
	if (i < n && s[i] == ' ')
		i++;
	rec->text = s + i;
	rec->len = n - 1 - i;
	rec->repeat = times > 0 ? (unsigned int)times : 1;
}

/* " SUBSYSTEM=pci": /dev/kmsg's dictionary, not a line of the message */
static bool kmsg_dict(const char *s, size_t n)
{
	size_t k = 1;

	if (n < 3 || s[0] != ' ' || s[1] < 'A' || s[1] > 'Z')
		return false;
	while (k < n && ((s[k] >= 'A' && s[k] <= 'Z') || s[k] == '_'))
		k++;
	return k < n && s[k] == '=';
}

/* "6,1234,5678901,-;message" (/dev/kmsg) */
static bool kmsg_prefix(const char *s, size_t n, size_t *i, long long *ret)
{
	size_t j = *i;
	long long pri, seq, us;

	if (!num(s, n, &j, 1, 4, &pri) || !ch(s, n, &j, ',') ||
	    !num(s, n, &j, 1, 20, &seq) || !ch(s, n, &j, ',') ||
	    !num(s, n, &j, 1, 20, &us) || !ch(s, n, &j, ','))
		return false;
	while (j < n && s[j] != ';' && s[j] != ' ')
		j++;
	if (!ch(s, n, &j, ';'))
		return false;
	*ret = us / 1000;
	*i = j;
	return true;
}

int nfx_klog_parse(struct nfx_klog_state *st, const char *s, size_t n,
		   struct nfx_klog_rec *rec)
{
	size_t i = 0, j;
	long long t;
	char sep = 0;
	bool kernel = true;

	if (n && s[n - 1] == '\r')
		n--;
	rec->time = NFX_TIME_NONE;
	rec->clock = NFX_CLOCK_NONE;
	rec->repeat = 1;
	rec->kernel = true;
	rec->cont = false;
	if (kmsg_dict(s, n))
		return 0;
	if (n && (s[0] == ' ' || s[0] == '\t')) {
		/* an indented line continues the record before it */
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		rec->cont = true;
		rec->text = s + i;
		rec->len = n - i;
		return 1;
	}
	/* dmesg -r "<3>" and syslog "<13>" priorities */
	if (n > 2 && s[0] == '<') {
		j = 1;
		if (num(s, n, &j, 1, 3, &t) && ch(s, n, &j, '>'))
			i = j;
	}
	/* dmesg -x "kern  :err   : " */
	j = i;
	while (j < n && s[j] >= 'a' && s[j] <= 'z')
		j++;
	if (j > i && j < n && (s[j] == ' ' || s[j] == ':')) {
		size_t k = j;

		while (k < n && s[k] == ' ')
			k++;
		if (ch(s, n, &k, ':')) {
			while (k < n && s[k] >= 'a' && s[k] <= 'z')
				k++;
			while (k < n && s[k] == ' ')
				k++;
			if (ch(s, n, &k, ':') && ch(s, n, &k, ' '))
				i = k;
		}
	}
	j = i;
	if (kmsg_prefix(s, n, &j, &t)) {
		st->kmsg = true;
		boot_stamp(st, rec, t);
		i = j;
	} else if (mono_stamp(s, n, &j, &t)) {
		boot_stamp(st, rec, t);
		if (ch(s, n, &j, ' '))
			i = after_stamp(s, n, j, TAIL_MONO, &kernel);
		else
			i = j;
	} else if (ch(s, n, &j, '[') && ctime_date(s, n, &j, &t) &&
		   ch(s, n, &j, ']')) {
		/* dmesg -T */
		stamp(rec, t, NFX_CLOCK_WALL);
		ch(s, n, &j, ' ');
		i = j;
	} else if (j = i, ctime_date(s, n, &j, &t) && ch(s, n, &j, ' ')) {
		/* logread: "Tue Apr 16 06:10:00 2024 kern.err kernel: " */
		stamp(rec, t, NFX_CLOCK_WALL);
		i = after_stamp(s, n, j, TAIL_NOHOST, &kernel);
	} else if (j = i, syslog_date(st, s, n, &j, &t) && ch(s, n, &j, ' ')) {
		stamp(rec, t, NFX_CLOCK_WALL);
		i = after_stamp(s, n, j, TAIL_SYSLOG, &kernel);
	} else if (j = i, iso_date(s, n, &j, &t, &sep) && ch(s, n, &j, ' ')) {
		stamp(rec, t, NFX_CLOCK_WALL);
		i = sep == ',' ? j : after_stamp(s, n, j, TAIL_SYSLOG, &kernel);
	} else if (j = i, short_full(s, n, &j, &t)) {
		stamp(rec, t, NFX_CLOCK_WALL);
		i = after_stamp(s, n, j, TAIL_SYSLOG, &kernel);
	}
	rec->kernel = kernel;
	/* syslog's kernel lines may carry the dmesg stamp too */
	j = i;
	if (rec->clock != NFX_CLOCK_NONE && mono_stamp(s, n, &j, &t)) {
		if (rec->clock == NFX_CLOCK_BOOT)
			boot_stamp(st, rec, t);
		ch(s, n, &j, ' ');
		i = j;
	}
	if (i < n && (s[i] == ' ' || s[i] == '\t') && rec->clock !=
	    NFX_CLOCK_NONE) {
		/* the kernel's own indentation: a line of a longer message */
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		rec->cont = true;
	}
	rec->text = s + i;
	rec->len = n - i;
	unwrap_repeated(rec);
	return 1;
}

/* ---- the anchor scan ---------------------------------------------------- */

/*
 * Every line a signature can start at holds one of these.  Each is looked
 * for on two of its bytes at once (Mula's SIMD-friendly substring search):
 * the first, and one @off bytes on chosen so the pair is rare in logs.
 */
static const struct anchor {
	const char *s;
	size_t len;
	unsigned char off;
} anchors[] = {
	{ "Unit Hang", 9, 5 },	     /* 'U' ... 'H' */
	{ "NETDEV WATCHDOG", 15, 7 }, /* 'N' ... 'W' */
	{ "Reset adapter", 13, 6 },  /* 'R' ... 'a' */
	{ "Link is ", 8, 6 },	     /* 'L' ... 's' */
};

#define N_ANCHORS (sizeof(anchors) / sizeof(anchors[0]))
#define MAX_OFF 7

/* 32 bytes a vector: one AVX2 register where the CPU has AVX2 (see
 * nfx_klog_find()), two SSE2 ones elsewhere
 */
#define VW 32
typedef signed char vec __attribute__((vector_size(VW)));
/* the same, for a load from any address (no alignment, any type) */
typedef signed char uvec __attribute__((vector_size(VW), aligned(1), may_alias));

/* Macros, not functions: a 32-byte vector passed or returned by a
 * function compiled without AVX is an ABI both compilers warn about.
 */
#define LOADV(p) (*(const uvec *)(const void *)(p))
#define SPLAT(c) ((vec){ 0 } + (signed char)(c))

static bool anchor_at(const char *buf, size_t p, size_t to)
{
	size_t k;

	for (k = 0; k < N_ANCHORS; k++)
		if (p + anchors[k].len <= to &&
		    !memcmp(buf + p, anchors[k].s, anchors[k].len))
			return true;
	return false;
}

static unsigned long count_nl(const char *buf, size_t from, size_t to)
{
	unsigned long nl = 0;
	const char *p = buf + from, *e = buf + to;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p)))) {
		nl++;
		p++;
	}
	return nl;
}

static unsigned long hsum(const vec *acc)
{
	unsigned char b[VW];
	unsigned long s = 0;
	int k;

	memcpy(b, acc, sizeof(b));
	for (k = 0; k < VW; k++)
		s += b[k];
	return s;
}

/* The start of the line around @p, which lies in [@from, @p]. */
static size_t line_start(const char *buf, size_t from, size_t p)
{
	const char *nl = memrchr(buf + from, '\n', p - from);

	return nl ? (size_t)(nl - buf) + 1 : from;
}

/* The scan, compiled twice below: for AVX2 and for the baseline. */
static inline __attribute__((always_inline)) size_t
find(const char *buf, size_t from, size_t to, unsigned long *ret_nl)
{
	vec first[N_ANCHORS], other[N_ANCHORS], nlv = SPLAT('\n');
	vec acc = SPLAT(0);
	unsigned long nl = 0;
	unsigned int rounds = 0;
	size_t i = from, k, best, ls;

	for (k = 0; k < N_ANCHORS; k++) {
		first[k] = SPLAT(anchors[k].s[0]);
		other[k] = SPLAT(anchors[k].s[anchors[k].off]);
	}
	for (; i + 4 * VW + MAX_OFF + VW <= to; i += 4 * VW) {
		vec a0 = LOADV(buf + i), a1 = LOADV(buf + i + VW);
		vec a2 = LOADV(buf + i + 2 * VW), a3 = LOADV(buf + i + 3 * VW);
		vec m0 = SPLAT(0), m1 = SPLAT(0), m2 = SPLAT(0), m3 = SPLAT(0);
		uint64_t w[VW / 8];
		int q;

		for (k = 0; k < N_ANCHORS; k++) {
			const char *b = buf + i + anchors[k].off;

			m0 |= (a0 == first[k]) & (LOADV(b) == other[k]);
			m1 |= (a1 == first[k]) & (LOADV(b + VW) == other[k]);
			m2 |= (a2 == first[k]) & (LOADV(b + 2 * VW) == other[k]);
			m3 |= (a3 == first[k]) & (LOADV(b + 3 * VW) == other[k]);
		}
		/* a true lane is -1: subtracting counts the newlines */
		acc -= (a0 == nlv) + (a1 == nlv) + (a2 == nlv) + (a3 == nlv);
		if (++rounds == 63) {
			/* 63 * 4 fits in a byte lane */
			nl += hsum(&acc);
			acc = SPLAT(0);
			rounds = 0;
		}
		{
			vec m = m0 | m1 | m2 | m3;
			uint64_t any = 0;

			memcpy(w, &m, sizeof(w));
			for (q = 0; q < VW / 8; q++)
				any |= w[q];
			if (__builtin_expect(!any, 1))
				continue;
		}
		for (q = 0; q < 4; q++) {
			vec m = q == 0 ? m0 : q == 1 ? m1 : q == 2 ? m2 : m3;
			int h;

			memcpy(w, &m, sizeof(w));
			for (h = 0; h < VW / 8; h++) {
				while (w[h]) {
					int bit = __builtin_ctzll(w[h]) & ~7;
					size_t p = i + q * VW + h * 8 + bit / 8;

					w[h] &= ~(0xffULL << bit);
					if (!anchor_at(buf, p, to))
						continue;
					/* the newlines of this whole chunk
					 * are counted: take back those from
					 * the line's start on */
					ls = line_start(buf, from, p);
					nl += hsum(&acc) -
					      count_nl(buf, ls, i + 4 * VW);
					*ret_nl += nl;
					return ls;
				}
			}
		}
	}
	nl += hsum(&acc);
	/* the tail, shorter than a round */
	best = to;
	for (k = 0; k < N_ANCHORS; k++) {
		const char *p = memmem(buf + i, to - i, anchors[k].s,
				       anchors[k].len);

		if (p && (size_t)(p - buf) < best)
			best = (size_t)(p - buf);
	}
	if (best == to) {
		*ret_nl += nl + count_nl(buf, i, to);
		return to;
	}
	ls = line_start(buf, from, best);
	if (ls > i)
		nl += count_nl(buf, i, ls);
	*ret_nl += nl;
	return ls;
}

__attribute__((target("avx2"))) static size_t
find_avx2(const char *buf, size_t from, size_t to, unsigned long *ret_nl)
{
	return find(buf, from, to, ret_nl);
}

static size_t find_base(const char *buf, size_t from, size_t to,
			unsigned long *ret_nl)
{
	return find(buf, from, to, ret_nl);
}

static bool have_avx2(void)
{
	static int avx2 = -1;

	if (avx2 < 0) {
		__builtin_cpu_init();
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return avx2;
}

size_t nfx_klog_find_isa(const char *buf, size_t from, size_t to,
			 unsigned long *ret_nl, bool avx2)
{
	return avx2 && have_avx2() ? find_avx2(buf, from, to, ret_nl)
				   : find_base(buf, from, to, ret_nl);
}

size_t nfx_klog_find(const char *buf, size_t from, size_t to,
		     unsigned long *ret_nl)
{
	return nfx_klog_find_isa(buf, from, to, ret_nl, true);
}

/* ---- joined messages -------------------------------------------------- */

size_t nfx_klog_split(const char *text, size_t len, bool kmsg)
{
	const char *p = memmem(text, len, kmsg ? "\\x0a" : "#012", 4);

	return p ? (size_t)(p - text) : len;
}

/* ---- readers ---------------------------------------------------------- */

static int klog_new(enum src_kind kind, const struct nfx_klog_opts *o,
		    struct nfx_klog **ret_kl, struct nfx_err *err)
{
	struct nfx_klog *kl = calloc(1, sizeof(*kl));

	if (!kl)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	kl->kind = kind;
	kl->fd = -1;
	nfx_klog_state_init(&kl->st, o);
	if (kind != SRC_MEM) {
		kl->buf = malloc(BUF_SIZE);
		if (!kl->buf) {
			free(kl);
			return nfx_err_set(err, -ENOMEM, "out of memory");
		}
		kl->cap = BUF_SIZE;
		kl->own = true;
	}
	*ret_kl = kl;
	return 0;
}

int nfx_klog_open_fd(int fd, const struct nfx_klog_opts *o,
		     struct nfx_klog **ret_kl, struct nfx_err *err)
{
	int ret = klog_new(SRC_FD, o, ret_kl, err);

	if (ret == 0)
		(*ret_kl)->fd = fd;
	return ret;
}

int nfx_klog_open_mem(const char *buf, size_t len,
		      const struct nfx_klog_opts *o, struct nfx_klog **ret_kl,
		      struct nfx_err *err)
{
	struct nfx_klog *kl = NULL;
	int ret = klog_new(SRC_MEM, o, &kl, err);

	if (ret < 0)
		return ret;
	kl->buf = (char *)buf;
	kl->cap = kl->len = kl->end = len;
	kl->eof = true;
	*ret_kl = kl;
	return 0;
}

static const char *const journalctl_paths[] = { "/usr/bin/journalctl",
						"/bin/journalctl", NULL };
static const char *const dmesg_paths[] = { "/usr/bin/dmesg", "/bin/dmesg",
					   NULL };

static const char *find_exe(const char *const *paths)
{
	for (; *paths; paths++)
		if (access(*paths, X_OK) == 0)
			return *paths;
	return NULL;
}

/* fork and exec @argv with its standard output into a pipe */
static int spawn(struct nfx_klog *kl, char *const argv[], struct nfx_err *err)
{
	static char *const envp[] = { "LC_ALL=C", NULL };
	int fds[2], ret;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		ret = -errno;
		return nfx_err_set(err, ret, "pipe: %s", strerror(-ret));
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return nfx_err_set(err, ret, "fork: %s", strerror(-ret));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(fds[1], 1) < 0 || dup2(null, 0) < 0 ||
		    dup2(null, 2) < 0)
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(fds[1]);
	kl->fd = fds[0];
	kl->pid = pid;
	return 0;
}

const char *nfx_klog_src_name(enum nfx_klog_src src)
{
	switch (src) {
	case NFX_KLOG_JOURNAL:
		return "journalctl -k -b";
	case NFX_KLOG_KMSG:
		return "/dev/kmsg";
	case NFX_KLOG_DMESG:
		return "dmesg";
	}
	return "?";
}

int nfx_klog_open_src(enum nfx_klog_src src, const char *since,
		      const struct nfx_klog_opts *o, struct nfx_klog **ret_kl,
		      struct nfx_err *err)
{
	struct nfx_klog *kl = NULL;
	char since_arg[128];
	char *argv[10];
	const char *exe;
	int ret, n = 0;

	switch (src) {
	case NFX_KLOG_JOURNAL:
		exe = find_exe(journalctl_paths);
		/* journald runs where its socket is */
		if (!exe || access("/run/systemd/journal/socket", F_OK) < 0)
			return nfx_err_set(err, -ENOENT, "no journald");
		ret = klog_new(SRC_CMD, o, &kl, err);
		if (ret < 0)
			return ret;
		argv[n++] = (char *)exe;
		argv[n++] = "-k";
		argv[n++] = "-b";
		argv[n++] = "-q";
		argv[n++] = "--no-pager";
		argv[n++] = "-o";
		argv[n++] = "short-iso-precise";
		if (since) {
			snprintf(since_arg, sizeof(since_arg), "--since=%s",
				 since);
			argv[n++] = since_arg;
		}
		argv[n] = NULL;
		/* its dates have their year: no need to guess one */
		kl->cmd = "journalctl";
		ret = spawn(kl, argv, err);
		break;
	case NFX_KLOG_KMSG:
		ret = klog_new(SRC_KMSG, o, &kl, err);
		if (ret < 0)
			return ret;
		kl->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		ret = kl->fd < 0 ? -errno : 0;
		if (ret < 0)
			nfx_err_set(err, ret, "/dev/kmsg: %s", strerror(-ret));
		break;
	case NFX_KLOG_DMESG:
		exe = find_exe(dmesg_paths);
		if (!exe)
			return nfx_err_set(err, -ENOENT, "no dmesg");
		ret = klog_new(SRC_CMD, o, &kl, err);
		if (ret < 0)
			return ret;
		argv[0] = (char *)exe;
		argv[1] = NULL;
		kl->cmd = "dmesg";
		ret = spawn(kl, argv, err);
		break;
	default:
		return nfx_err_set(err, -EINVAL, "unknown source");
	}
	if (ret < 0) {
		nfx_klog_close(kl, NULL);
		return ret;
	}
	*ret_kl = kl;
	return 0;
}

unsigned long nfx_klog_lines(const struct nfx_klog *kl)
{
	return kl->line;
}

int nfx_klog_close(struct nfx_klog *kl, struct nfx_err *err)
{
	int ret = 0, status;

	if (!kl)
		return 0;
	if (kl->fd >= 0 && kl->kind != SRC_FD)
		close(kl->fd);
	if (kl->pid > 0) {
		while (waitpid(kl->pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (WIFEXITED(status))
				ret = nfx_err_set(err, -EIO,
						  "%s failed (exit status %d)",
						  kl->cmd, WEXITSTATUS(status));
			else
				ret = nfx_err_set(err, -EIO,
						  "%s failed (signal %d)",
						  kl->cmd, WTERMSIG(status));
		}
	}
	if (kl->own)
		free(kl->buf);
	free(kl);
	return ret;
}

/* Refuse what is not a text log, naming what it is when that is known. */
static int sniff(const char *s, size_t n, struct nfx_err *err)
{
	size_t k, bad = 0;

	if (n >= 8 && !memcmp(s, "LPKSHHRH", 8))
		return nfx_err_set(err, -EINVAL,
				   "a binary journal file: read it with "
				   "journalctl --file FILE -k | nicfix "
				   "diagnose --input -");
	if ((n >= 2 && !memcmp(s, "\x1f\x8b", 2)) ||
	    (n >= 6 && !memcmp(s, "\xfd" "7zXZ", 6)) ||
	    (n >= 4 && !memcmp(s, "\x28\xb5\x2f\xfd", 4)) ||
	    (n >= 3 && !memcmp(s, "BZh", 3) && n > 3 && s[3] >= '1' &&
	     s[3] <= '9'))
		return nfx_err_set(err, -EINVAL,
				   "compressed data: decompress it first "
				   "(zcat FILE | nicfix diagnose --input -)");
	for (k = 0; k < n && k < SNIFF; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == 0)
			return nfx_err_set(err, -EINVAL,
					   "binary data, not a text log");
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' &&
		    c != 0x1b)
			bad++;
	}
	if (bad * 8 > (n < SNIFF ? n : SNIFF))
		return nfx_err_set(err, -EINVAL, "binary data, not a text log");
	return 0;
}

/* Read more: keep [@pos, @len), make [@pos, @end) whole lines.
 * Return: 1 when there are lines to look at, 0 at the end, -errno. */
static int refill(struct nfx_klog *kl, struct nfx_err *err)
{
	ssize_t got;
	char *nl;

	if (kl->pos) {
		memmove(kl->buf, kl->buf + kl->pos, kl->len - kl->pos);
		kl->len -= kl->pos;
		kl->end = kl->end > kl->pos ? kl->end - kl->pos : 0;
		kl->pos = 0;
	}
	for (;;) {
		if (kl->eof) {
			/* the last line may have no newline */
			kl->end = kl->len;
			return kl->len > kl->pos;
		}
		/* one line fills the buffer (or leaves no room for a
		 * /dev/kmsg record): cut it there */
		if (kl->len == kl->cap ||
		    (kl->kind == SRC_KMSG && kl->cap - kl->len < KMSG_ROOM)) {
			kl->end = kl->len;
			kl->cut = true;
			return 1;
		}
		got = read(kl->fd, kl->buf + kl->len, kl->cap - kl->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			/* records were overwritten while we read */
			if (kl->kind == SRC_KMSG && errno == EPIPE)
				continue;
			if (kl->kind == SRC_KMSG && errno == EAGAIN) {
				kl->eof = true;
				continue;
			}
			return nfx_err_set(err, -errno, "read: %s",
					   strerror(errno));
		}
		if (got == 0) {
			kl->eof = true;
			continue;
		}
		if (kl->cut) {
			/* drop the rest of a line that was cut */
			nl = memchr(kl->buf + kl->len, '\n', (size_t)got);
			if (!nl)
				continue;
			memmove(kl->buf + kl->len, nl + 1,
				(size_t)got - (size_t)(nl + 1 - (kl->buf + kl->len)));
			got -= nl + 1 - (kl->buf + kl->len);
			kl->cut = false;
		}
		kl->len += (size_t)got;
		nl = memrchr(kl->buf + kl->end, '\n', kl->len - kl->end);
		if (nl) {
			kl->end = (size_t)(nl - kl->buf) + 1;
			return 1;
		}
	}
}

/* Hand out the next piece of a joined message. */
static void next_piece(struct nfx_klog *kl, struct nfx_klog_rec *rec,
		       bool first)
{
	size_t sep = NFX_KLOG_SEP_LEN;
	size_t n = nfx_klog_split(kl->sub, kl->sub_len, kl->st.kmsg);

	*rec = kl->rec;
	rec->text = kl->sub;
	rec->len = n;
	if (!first) {
		rec->cont = true;
		/* the message's own indentation */
		while (rec->len && (*rec->text == ' ' || *rec->text == '\t'))
			rec->text++, rec->len--;
	}
	if (n < kl->sub_len) {
		kl->sub += n + sep;
		kl->sub_len -= n + sep;
	} else {
		kl->sub = NULL;
		kl->sub_len = 0;
	}
}

int nfx_klog_next(struct nfx_klog *kl, bool all, struct nfx_klog_rec *rec,
		  struct nfx_err *err)
{
	size_t start, lend, next;
	const char *eol;
	int ret;

	if (kl->sub) {
		next_piece(kl, rec, false);
		return 1;
	}
	for (;;) {
		if (kl->pos >= kl->end) {
			if (kl->kind == SRC_MEM)
				return 0;
			ret = refill(kl, err);
			if (ret <= 0)
				return ret;
		}
		if (!kl->sniffed) {
			kl->sniffed = true;
			ret = sniff(kl->buf + kl->pos, kl->len - kl->pos, err);
			if (ret < 0)
				return ret;
		}
		start = kl->pos;
		if (!all) {
			unsigned long nl = 0;

			start = nfx_klog_find(kl->buf, kl->pos, kl->end, &nl);
			kl->line += nl;
			if (start >= kl->end) {
				kl->pos = kl->end;
				continue;
			}
		}
		eol = memchr(kl->buf + start, '\n', kl->end - start);
		lend = eol ? (size_t)(eol - kl->buf) : kl->end;
		next = eol ? lend + 1 : kl->end;
		kl->pos = next;
		kl->line++;
		if (!nfx_klog_parse(&kl->st, kl->buf + start, lend - start,
				    &kl->rec))
			continue;
		kl->rec.line = kl->line;
		kl->sub = kl->rec.text;
		kl->sub_len = kl->rec.len;
		next_piece(kl, rec, true);
		return 1;
	}
}

/* ---- --since ---------------------------------------------------------- */

int nfx_klog_parse_since(const char *when, long long now, long long *ret,
			 struct nfx_err *err)
{
	size_t n = strlen(when), i = 0;
	long long day, ms, v, today, unit = 0;
	int y, mo, d;
	char sep;

	civil_split(now, &y, &mo, &d, &ms);
	today = now - ms;
	if (!strcmp(when, "today") || !strcmp(when, "yesterday")) {
		*ret = when[0] == 't' ? today : today - 86400000LL;
		return 0;
	}
	if (!strcmp(when, "now")) {
		*ret = now;
		return 0;
	}
	if (iso_day(when, n, &i, &day)) {
		if (i == n) {
			*ret = day;
			return 0;
		}
		if (when[i] == ' ' || when[i] == 'T') {
			i++;
			if (clock_time(when, n, &i, &ms, &sep) && i == n) {
				*ret = day + ms;
				return 0;
			}
		}
	}
	i = 0;
	if (clock_time(when, n, &i, &ms, &sep) && i == n) {
		*ret = today + ms;
		return 0;
	}
	{
		/* "2024-04-16 06:10" and "06:10" */
		long long h, m;
		size_t j = 0;

		if (iso_day(when, n, &j, &day) && j < n &&
		    (when[j] == ' ' || when[j] == 'T'))
			j++;
		else
			day = today, j = 0;
		if (num(when, n, &j, 1, 2, &h) && ch(when, n, &j, ':') &&
		    num(when, n, &j, 2, 2, &m) && j == n && h < 24 && m < 60) {
			*ret = day + (h * 60 + m) * 60000LL;
			return 0;
		}
	}
	/* "-2h", "2h ago", "30min ago" */
	i = when[0] == '-' ? 1 : 0;
	if (num(when, n, &i, 1, 9, &v)) {
		static const struct {
			const char *name;
			long long ms;
		} units[] = {
			{ "s", 1000 },	   { "sec", 1000 },	{ "min", 60000 },
			{ "m", 60000 },	   { "h", 3600000 },	{ "hour", 3600000 },
			{ "hours", 3600000 }, { "d", 86400000 }, { "days", 86400000 },
			{ "day", 86400000 },
		};
		size_t k, ulen;
		const char *rest = when + i;

		while (*rest == ' ')
			rest++;
		ulen = strcspn(rest, " ");
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].name) == ulen &&
			    !strncmp(rest, units[k].name, ulen))
				unit = units[k].ms;
		rest += ulen;
		while (*rest == ' ')
			rest++;
		if (unit && ((when[0] == '-' && !*rest) ||
			     (when[0] != '-' && !strcmp(rest, "ago")))) {
			*ret = now - v * unit;
			return 0;
		}
	}
	return nfx_err_set(err, -EINVAL,
			   "invalid time '%s' (try 2024-04-16, "
			   "\"2024-04-16 06:10\", today, yesterday or \"2h ago\")",
			   when);
}

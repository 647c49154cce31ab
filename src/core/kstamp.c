/* kstamp.c - the time-stamp and prefix grammar of every kernel-log format */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog.h"

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
static bool kmsg_prefix(const char *s, size_t n, size_t *i, long long *ret,
			long long *ret_pri)
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
	*ret_pri = pri;
	*i = j;
	return true;
}

int nfx_klog_parse(struct nfx_klog_state *st, const char *s, size_t n,
		   struct nfx_klog_rec *rec)
{
	size_t i = 0, j;
	long long t, pri;
	char sep = 0;
	bool kernel = true, user = false;

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
		if (num(s, n, &j, 1, 3, &t) && ch(s, n, &j, '>')) {
			i = j;
			/* a facility other than the kernel's (0): user
			 * space wrote it */
			user = t >> 3 != 0;
		}
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
	if (kmsg_prefix(s, n, &j, &t, &pri)) {
		st->kmsg = true;
		/* user space writing to /dev/kmsg gets LOG_USER: only
		 * facility 0 is the kernel's own */
		user |= pri >> 3 != 0;
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
	rec->kernel = kernel && !user;
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

/* dhost.c - diagnose on this host: the clocks, this boot's log, and what
 * the live system says of an event's interface
 *
 * Shared by the front ends that decide from the kernel log (diagnose,
 * check, and the watch daemon), so that each gets the same facts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nicfix.h"

/* Wall-clock time as the log writes it: local time, read as UTC. */
static long long civil_of(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return NFX_TIME_NONE;
	return nfx_klog_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			      tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void nfx_diag_clocks(struct nfx_klog_opts *ret, bool this_boot)
{
	struct timespec rt, bt;

	ret->now = civil_of(time(NULL));
	ret->boot = NFX_TIME_NONE;
	/* this boot's start dates /dev/kmsg's stamps as dmesg -T does */
	if (this_boot && clock_gettime(CLOCK_REALTIME, &rt) == 0 &&
	    clock_gettime(CLOCK_BOOTTIME, &bt) == 0)
		ret->boot = civil_of(rt.tv_sec - bt.tv_sec) +
			    ((long long)rt.tv_nsec - bt.tv_nsec) / 1000000;
}

int nfx_diag_feed(struct nfx_diag *d, struct nfx_klog *kl,
		  unsigned long *ret_lines, struct nfx_err *err)
{
	struct nfx_klog_rec rec;
	bool want = true;
	int ret;

	while ((ret = nfx_klog_next(kl, want, &rec, err)) > 0)
		want = nfx_diag_add(d, &rec) > 0;
	*ret_lines = nfx_klog_lines(kl);
	return ret;
}

int nfx_diag_read_host(struct nfx_diag *d, const char *since,
		       const struct nfx_klog_opts *ko, const char **ret_src,
		       unsigned long *ret_lines, struct nfx_err *err)
{
	static const enum nfx_klog_src order[] = { NFX_KLOG_JOURNAL,
						   NFX_KLOG_KMSG,
						   NFX_KLOG_DMESG };
	struct nfx_err e = { 0 }, last = { 0 };
	struct nfx_klog *kl;
	unsigned long lines = 0;
	size_t i;
	int ret, fed;

	/* a source that fails before giving a line gives way to the next */
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ret = nfx_klog_open_src(order[i], since, ko, &kl, &e);
		if (ret < 0) {
			if (ret != -ENOENT || !last.code)
				last = e;
			continue;
		}
		*ret_src = nfx_klog_src_name(order[i]);
		fed = nfx_diag_feed(d, kl, &lines, &e);
		*ret_lines = lines;
		ret = nfx_klog_close(kl, fed < 0 ? NULL : &e);
		if (fed < 0) {
			if (err)
				*err = e;
			return fed;
		}
		if (ret == 0)
			return 0;
		last = e;
		if (lines > 0)
			break;
	}
	return nfx_err_set(err, last.code ? last.code : -ENOENT,
			   "cannot read the kernel log: %s",
			   last.msg[0] ? last.msg : "no source");
}

bool nfx_diag_feature_next(const char **p, char *name, size_t size)
{
	size_t k = strcspn(*p, ",");

	if (!**p)
		return false;
	snprintf(name, size, "%.*s", (int)k, *p);
	*p += k + ((*p)[k] == ',');
	return true;
}

int nfx_diag_live_get(struct nfx_live *live, const struct nfx_diag_event *ev,
		      struct nfx_diag_live *ret, struct nfx_err *err)
{
	struct nfx_features *feat = NULL;
	struct nfx_link link;
	const char *p;
	char name[32];
	size_t i = 0;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (!ev->ifname[0])
		return nfx_err_set(err, -ENOENT, "the log names no interface");
	rc = nfx_link_get(live, ev->ifname, &link, err);
	if (rc < 0)
		return rc;
	ret->present = true;
	nfx_link_bridge(live, &link, ret->bridge, NULL);
	memcpy(ret->driver, link.driver, sizeof(ret->driver));
	rc = nfx_features_get(live, ev->ifname, &feat, err);
	if (rc < 0) {
		nfx_err_prefix(err, "cannot read features");
		return rc;
	}
	ret->features = true;
	for (p = ev->features; i < 8 && nfx_diag_feature_next(&p, name, sizeof(name)); i++)
		ret->state[i] = nfx_features_state(feat, name, NULL);
	nfx_features_free(feat);
	return 0;
}

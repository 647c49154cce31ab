/* apply.c - read, diff, clear, re-read, verify: the one use case */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "feat.h"
#include "live.h"

static bool changeable(const struct nfx_features *f, unsigned int bit)
{
	return nfx_bit_test(f->hw, bit) && !nfx_bit_test(f->nochange, bit);
}

static int clear(struct nfx_live *live, const char *ifname,
		 const uint32_t *bits, struct nfx_err *err)
{
	int ret;

	if (live->use_ioctl)
		ret = nfx_ethioctl_clear(live, ifname, bits, err);
	else
		ret = nfx_ethnl_clear(live, ifname, bits, err);
	if (ret == -EPERM)
		return nfx_err_set(err, -EPERM,
				   "permission denied: changing offload features needs root (CAP_NET_ADMIN)");
	if (ret == -ENODEV)
		return nfx_err_set(err, -ENODEV, "no such interface");
	if (ret < 0)
		nfx_err_prefix(err, "cannot change offload features");
	return ret;
}

/* Fill @report from the state before and after. */
static int make_report(const struct nfx_features *before,
		       const struct nfx_features *after, const uint32_t *want,
		       unsigned int flags, struct nfx_report *report,
		       struct nfx_err *err)
{
	const struct nfx_live *live = after->live;
	unsigned int bit;
	size_t n = 0;

	for (bit = 0; bit < after->count; bit++)
		if (nfx_bit_test(want, bit))
			n++;
	report->items = calloc(n ? n : 1, sizeof(*report->items));
	if (!report->items)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	for (bit = 0; bit < after->count; bit++) {
		struct nfx_item *it;
		bool was_on, now_on;

		if (!nfx_bit_test(want, bit))
			continue;
		it = &report->items[report->n++];
		was_on = nfx_bit_test(before->active, bit);
		now_on = nfx_bit_test(after->active, bit);
		it->name = live->fnames[bit];
		it->on = now_on;
		if (!changeable(after, bit))
			it->result = NFX_RES_FIXED;
		else if (flags & NFX_APPLY_VERIFY)
			it->result = now_on ? NFX_RES_DRIFT : NFX_RES_ALREADY_OFF;
		else if (now_on)
			it->result = NFX_RES_FAILED;
		else
			it->result = was_on ? NFX_RES_OFF : NFX_RES_ALREADY_OFF;
	}
	return 0;
}

int nfx_apply(struct nfx_live *live, const char *ifname,
	      const struct nfx_featreq *req, unsigned int flags,
	      struct nfx_report *ret_report, struct nfx_err *err)
{
	struct nfx_features *before = NULL, *after = NULL;
	struct nfx_report report = { 0 };
	uint32_t *want = NULL, *todo = NULL;
	unsigned int words, i;
	bool any = false;
	int ret;

	ret = nfx_features_get(live, ifname, &before, err);
	if (ret < 0)
		return ret;
	words = NFX_BITS_WORDS(live->nfeat);
	want = calloc(2 * words, sizeof(*want));
	if (!want) {
		ret = nfx_err_set(err, -ENOMEM, "out of memory");
		goto out_free;
	}
	todo = want + words;
	ret = nfx_feat_expand(req, (const char *const *)live->fnames,
			      live->nfeat, want, err);
	if (ret < 0)
		goto out_free;
	/* clear what is on, and what is wanted on but held off by another
	 * feature (tso needs sg): it would come back with that feature
	 */
	for (i = 0; i < words; i++) {
		todo[i] = want[i] & before->hw[i] & ~before->nochange[i] &
			  (before->active[i] | before->wanted[i]);
		any |= todo[i] != 0;
	}
	if (any && !(flags & NFX_APPLY_VERIFY)) {
		ret = clear(live, ifname, todo, err);
		if (ret < 0)
			goto out_free;
		ret = nfx_features_get(live, ifname, &after, err);
		if (ret < 0)
			goto out_free;
	}
	snprintf(report.ifname, sizeof(report.ifname), "%s", ifname);
	ret = make_report(before, after ? after : before, want, flags,
			  &report, err);
	if (ret < 0)
		goto out_free;
	*ret_report = report;
	report.items = NULL;
out_free:
	free(report.items);
	free(want);
	nfx_features_free(after);
	nfx_features_free(before);
	return ret;
}

void nfx_report_done(struct nfx_report *report)
{
	if (!report)
		return;
	free(report->items);
	report->items = NULL;
	report->n = 0;
}

bool nfx_report_ok(const struct nfx_report *report)
{
	size_t i;

	for (i = 0; i < report->n; i++)
		if (report->items[i].on)
			return false;
	return true;
}

bool nfx_report_changed(const struct nfx_report *report)
{
	size_t i;

	for (i = 0; i < report->n; i++)
		if (report->items[i].result == NFX_RES_OFF)
			return true;
	return false;
}

static bool picked(const struct nfx_item *it, enum nfx_pick pick)
{
	switch (pick) {
	case NFX_PICK_ON:
		return it->on;
	case NFX_PICK_TURNED_OFF:
		return !it->on && it->result == NFX_RES_OFF;
	default:
		return !it->on && it->result != NFX_RES_OFF;
	}
}

size_t nfx_report_names(const struct nfx_report *report, enum nfx_pick pick,
			char *buf, size_t len)
{
	size_t i, pos = 0, count = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < report->n; i++) {
		int n;

		if (!picked(&report->items[i], pick))
			continue;
		count++;
		if (pos >= len)
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "",
			     report->items[i].name);
		if (n < 0 || (size_t)n >= len - pos) {
			/* cut at a whole name; keep counting, stop writing */
			buf[pos] = '\0';
			pos = len;
		} else {
			pos += (size_t)n;
		}
	}
	return count;
}

const char *nfx_result_name(enum nfx_result result)
{
	static const char *const names[] = {
		[NFX_RES_OFF] = "off",
		[NFX_RES_ALREADY_OFF] = "already off",
		[NFX_RES_FIXED] = "fixed",
		[NFX_RES_FAILED] = "failed",
		[NFX_RES_DRIFT] = "drift",
	};

	return names[result];
}

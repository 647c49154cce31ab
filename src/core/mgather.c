/* mgather.c - the devices the metrics speak of, and their live state:
 * shared by `nicfix metrics` and the watch daemon
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nicfix.h"

bool nfx_persisted_features(const struct nfx_offload *v, int n,
			    const char *port, char *buf, size_t size)
{
	size_t k, o = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].port, port) || !v[i].off || v[i].problem[0])
			continue;
		buf[0] = '\0';
		for (k = 0; k < nfx_featreq_count(v[i].off); k++) {
			int w = snprintf(buf + o, size - o, "%s%s", k ? "," : "",
					 nfx_featreq_name(v[i].off, k));

			if (w < 0 || (size_t)w >= size - o)
				break;
			o += (size_t)w;
		}
		return o > 0;
	}
	return false;
}

static bool hang_driver(const char *d)
{
	return !strcmp(d, "e1000e") || !strcmp(d, "e1000") ||
	       !strcmp(d, "igb") || !strcmp(d, "ixgbe");
}

/* add @name once */
static struct nfx_metric_dev *add(struct nfx_metric_dev *devs, size_t *n,
				  const char *name)
{
	size_t i;

	if (!name[0])
		return NULL;
	for (i = 0; i < *n; i++)
		if (!strcmp(devs[i].device, name))
			return &devs[i];
	memset(&devs[*n], 0, sizeof(devs[*n]));
	snprintf(devs[*n].device, sizeof(devs[*n].device), "%s", name);
	devs[*n].persisted = -1;
	return &devs[(*n)++];
}

int nfx_metrics_gather(struct nfx_live *live, const struct nfx_cfgopts *cfg,
		       const struct nfx_wstate *st, const char *features,
		       struct nfx_metric_dev **ret_devs, size_t *ret_n,
		       struct nfx_err *err)
{
	struct nfx_offload *v = NULL;
	struct nfx_link *links = NULL;
	struct nfx_metric_dev *devs;
	size_t nlinks = 0, n = 0, cap, i, k;
	int nv;

	nv = cfg ? nfx_offloads_read(cfg, NULL, 0, &v, NULL) : -ENOENT;
	if (live && nfx_link_list(live, &links, &nlinks, NULL) < 0)
		nlinks = 0;
	cap = (st ? st->n : 0) + (nv > 0 ? (size_t)nv : 0) + nlinks + 1;
	devs = calloc(cap, sizeof(*devs));
	if (!devs) {
		free(links);
		nfx_offloads_free(v, nv);
		return nfx_err_set(err, -ENOMEM, "out of memory");
	}
	for (i = 0; st && i < st->n; i++) {
		struct nfx_metric_dev *d = add(devs, &n, st->port[i].name);

		if (d)
			d->port = &st->port[i];
	}
	for (i = 0; nv > 0 && i < (size_t)nv; i++)
		add(devs, &n, v[i].port);
	for (i = 0; i < nlinks; i++)
		if (links[i].kind == NFX_LINK_PORT && !links[i].loopback &&
		    hang_driver(links[i].driver))
			add(devs, &n, links[i].name);
	for (i = 0; i < n; i++) {
		struct nfx_metric_dev *d = &devs[i];
		struct nfx_features *feat = NULL;
		const char *p;
		char name[32];

		if (nv >= 0)
			d->persisted = nfx_persisted_features(
				v, nv, d->device, d->features,
				sizeof(d->features));
		if (d->persisted != 1)
			snprintf(d->features, sizeof(d->features), "%s",
				 features);
		if (!live || nfx_features_get(live, d->device, &feat, NULL) < 0)
			continue;
		p = d->features;
		for (k = 0; k < 8 && nfx_diag_feature_next(&p, name, sizeof(name));
		     k++)
			d->state[k] = nfx_features_state(feat, name, NULL);
		d->nstate = k;
		nfx_features_free(feat);
	}
	free(links);
	nfx_offloads_free(v, nv);
	*ret_devs = devs;
	*ret_n = n;
	return 0;
}

/* metrics.c - Prometheus text for node_exporter's textfile collector
 *
 * Names nicfix_*, the label device, counters *_total, and no sample
 * timestamps (the collector skips a whole file that has one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nicfix.h"

/* a label value: backslash, double quote and newline escaped */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void head(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void dev_sample(FILE *f, const char *name, const char *dev,
		       unsigned long long v)
{
	fprintf(f, "%s{device=\"", name);
	label(f, dev);
	fprintf(f, "\"} %llu\n", v);
}

enum counter {
	C_HANGS,
	C_RESETS,
	C_FIXES,
	C_DESPITE,
	C_ESCALATIONS,
	C_LIMITED,
	C_MAILS,
};

static const struct {
	const char *name, *help;
} counters[] = {
	[C_HANGS] = { "nicfix_hangs_total",
		      "Hang reports the kernel logged for the device." },
	[C_RESETS] = { "nicfix_resets_total",
		       "Adapter resets the kernel logged for the device." },
	[C_FIXES] = { "nicfix_fixes_applied_total",
		      "Times nicfix watch turned the device's offloads off." },
	[C_DESPITE] = { "nicfix_hangs_despite_fix_total",
			"Hang reports while the offloads were already off." },
	[C_ESCALATIONS] = { "nicfix_escalations_total",
			    "Times nicfix watch took the device's link down "
			    "and up (WATCH_ESCALATE)." },
	[C_LIMITED] = { "nicfix_actions_rate_limited_total",
			"Actions a rate limit held back." },
	[C_MAILS] = { "nicfix_mails_total",
		      "Mails handed to sendmail about the device." },
};

static unsigned long long counter_of(const struct nfx_wport *p,
				     enum counter c)
{
	switch (c) {
	case C_HANGS:
		return p->hangs;
	case C_RESETS:
		return p->resets;
	case C_FIXES:
		return p->fixes;
	case C_DESPITE:
		return p->despite;
	case C_ESCALATIONS:
		return p->escalations;
	case C_LIMITED:
		return p->limited;
	case C_MAILS:
		return p->mails;
	}
	return 0;
}

char *nfx_metrics_render(const struct nfx_metric_dev *devs, size_t n,
			 const struct nfx_wstate *st, size_t *ret_len)
{
	char *buf = NULL, name[32];
	size_t len = 0, i, k;
	FILE *f = open_memstream(&buf, &len);
	bool any;

	if (!f)
		return NULL;
	head(f, "nicfix_offload_enabled", "gauge",
	     "Whether a feature the fix turns off is on (1) or off (0) now.");
	for (i = 0; i < n; i++) {
		const char *p = devs[i].features;

		for (k = 0; k < devs[i].nstate &&
		     nfx_diag_feature_next(&p, name, sizeof(name)); k++) {
			if (devs[i].state[k] == NFX_STATE_NONE)
				continue;
			fputs("nicfix_offload_enabled{device=\"", f);
			label(f, devs[i].device);
			fprintf(f, "\",feature=\"%s\"} %d\n", name,
				devs[i].state[k] != NFX_STATE_OFF);
		}
	}
	head(f, "nicfix_offloads_on", "gauge",
	     "Whether any feature the fix turns off is still on (1).");
	for (i = 0; i < n; i++) {
		bool on = false, known = false;

		for (k = 0; k < devs[i].nstate; k++) {
			if (devs[i].state[k] == NFX_STATE_NONE)
				continue;
			known = true;
			on |= devs[i].state[k] != NFX_STATE_OFF;
		}
		if (known)
			dev_sample(f, "nicfix_offloads_on", devs[i].device, on);
	}
	head(f, "nicfix_fix_persisted", "gauge",
	     "Whether an offload line in the interfaces file covers the device.");
	for (i = 0; i < n; i++)
		if (devs[i].persisted >= 0)
			dev_sample(f, "nicfix_fix_persisted", devs[i].device,
				   (unsigned long long)devs[i].persisted);
	for (k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
		any = false;
		for (i = 0; i < n; i++) {
			if (!devs[i].port)
				continue;
			if (!any)
				head(f, counters[k].name, "counter",
				     counters[k].help);
			any = true;
			dev_sample(f, counters[k].name, devs[i].device,
				   counter_of(devs[i].port, (enum counter)k));
		}
	}
	any = false;
	for (i = 0; i < n; i++) {
		if (!devs[i].port || !devs[i].port->last_hang)
			continue;
		if (!any)
			head(f, "nicfix_last_hang_timestamp_seconds", "gauge",
			     "When the kernel last logged a hang of the device "
			     "(seconds since 1970).");
		any = true;
		dev_sample(f, "nicfix_last_hang_timestamp_seconds",
			   devs[i].device,
			   (unsigned long long)devs[i].port->last_hang);
	}
	if (st) {
		head(f, "nicfix_watch_records_total", "counter",
		     "Kernel log records nicfix watch read.");
		fprintf(f, "nicfix_watch_records_total %llu\n", st->records);
		head(f, "nicfix_watch_records_lost_total", "counter",
		     "Kernel log records overwritten before nicfix watch read "
		     "them.");
		fprintf(f, "nicfix_watch_records_lost_total %llu\n", st->lost);
		head(f, "nicfix_watch_last_update_timestamp_seconds", "gauge",
		     "When nicfix watch last updated its state (seconds since "
		     "1970).");
		fprintf(f, "nicfix_watch_last_update_timestamp_seconds %lld\n",
			st->updated);
		head(f, "nicfix_watch_start_timestamp_seconds", "gauge",
		     "When nicfix watch started (seconds since 1970).");
		fprintf(f, "nicfix_watch_start_timestamp_seconds %lld\n",
			st->started);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*ret_len = len;
	return buf;
}

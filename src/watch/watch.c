/* watch.c - nicfix watch: the daemon behind nicfix-watch.service
 *
 * One event loop, poll(), no threads.  It follows /dev/kmsg (kernel
 * facility only), reads each record through diagnose's parser, and the
 * first time a hang appears on a port whose offloads are still on it turns
 * them off, reads them back, logs one line, updates the metrics and mails
 * root.  Rate limits are data (the times of past actions per port), not
 * sleeps; an idle daemon wakes only for the systemd watchdog.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "watch.h"

#define CONF_DEFAULT "/etc/default/nicfix"
#define KMSG_DEFAULT "/dev/kmsg"
#define STATE_DEFAULT "/run/nicfix"
#define METRICS_DEFAULT "/var/lib/prometheus/node-exporter/nicfix.prom"
#define SYSFS_DEFAULT "/sys"
/* lazily written counters (records read, lost) at most once a second */
#define FLUSH_MS 1000

/* the optional escalation, a link down/up: at most one per port in 30 min
 * (the bound, not an option), checked as data like every limit */
static const struct nfx_rate escalate_rate = { 1, 30 * 60 };

/**
 * struct wopts - what the daemon is told: /etc/default/nicfix, then flags
 */
struct wopts {
	char kmsg[PATH_MAX];
	char state_dir[PATH_MAX];
	char metrics[PATH_MAX];
	char sendmail[PATH_MAX];
	char sysfs[PATH_MAX];
	char log_socket[PATH_MAX];
	char mailto[128];
	char features[128];
	bool mail;
	bool backlog;
	bool accept_user;
	bool once;
	unsigned int kinds;
	struct nfx_rate rate[NFX_RATE_MAX];
	size_t nrate;
	unsigned int escalate_s;	/* 0: no escalation (the default) */
};

/**
 * struct watch - the daemon
 * @quiet: per port: the rate-limited line was logged already
 * @quiet_bounce: per port: the held-back link down/up was logged already
 * @live_records: the backlog is read: records are new from now on
 */
struct watch {
	struct cli *cli;
	struct wopts o;
	struct nfx_wstate st;
	char state_path[PATH_MAX + 16];
	struct nfx_live *live;
	struct nfx_kfollow *kf;
	struct notify nt;
	struct wlog log;
	int sigfd;
	bool dirty;	/* the state changed since it was last written */
	long long flushed_ms;
	long long ping_ms;
	bool metrics_failed;
	bool metrics_off;	/* node_exporter's directory is not there */
	bool quiet[NFX_WSTATE_PORTS];
	bool quiet_bounce[NFX_WSTATE_PORTS];
	bool live_records;
	char host[128];
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- options ------------------------------------------------------------ */

static void set(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v);
}

static int opt_bool(const char *key, const char *val, bool *dst,
		    struct nfx_err *err)
{
	int b = nfx_conf_bool(val);

	if (b < 0)
		return nfx_err_set(err, -EINVAL, "%s: '%s' is not yes or no",
				   key, val);
	*dst = b;
	return 0;
}

/* WATCH_ESCALATE: "no" (or empty), else a span ("10min") */
static int opt_escalate(const char *val, unsigned int *dst,
			struct nfx_err *err)
{
	if (!val[0] || nfx_conf_bool(val) == 0) {
		*dst = 0;
		return 0;
	}
	return nfx_span_parse(val, dst, err);
}

/* one option, from the file or from a flag */
static int opt_set(struct wopts *o, const char *key, const char *val,
		   struct nfx_err *err)
{
	if (!strcmp(key, "WATCH_KMSG"))
		set(o->kmsg, sizeof(o->kmsg), val);
	else if (!strcmp(key, "WATCH_STATE_DIR"))
		set(o->state_dir, sizeof(o->state_dir), val);
	else if (!strcmp(key, "WATCH_METRICS"))
		set(o->metrics, sizeof(o->metrics), val);
	else if (!strcmp(key, "WATCH_SENDMAIL"))
		set(o->sendmail, sizeof(o->sendmail), val);
	else if (!strcmp(key, "WATCH_MAILTO"))
		set(o->mailto, sizeof(o->mailto), val);
	else if (!strcmp(key, "WATCH_FEATURES")) {
		struct nfx_featreq *req = NULL;
		int ret = nfx_featreq_parse(val, &req, err);

		nfx_featreq_free(req);
		if (ret < 0)
			return ret;
		set(o->features, sizeof(o->features), val);
	} else if (!strcmp(key, "WATCH_MAIL"))
		return opt_bool(key, val, &o->mail, err);
	else if (!strcmp(key, "WATCH_BACKLOG"))
		return opt_bool(key, val, &o->backlog, err);
	else if (!strcmp(key, "WATCH_TEST_ACCEPT_USER_FACILITY"))
		return opt_bool(key, val, &o->accept_user, err);
	else if (!strcmp(key, "WATCH_SIGNATURES"))
		return nfx_wsig_kinds_parse(val, &o->kinds, err);
	else if (!strcmp(key, "WATCH_RATE"))
		return nfx_rate_parse(val, o->rate, &o->nrate, err);
	else if (!strcmp(key, "WATCH_ESCALATE"))
		return opt_escalate(val, &o->escalate_s, err);
	/* other keys are for other programs (or later versions) */
	return 0;
}

static int conf_cb(void *ctx, const char *key, const char *val,
		   unsigned int line, struct nfx_err *err)
{
	int ret = opt_set(ctx, key, val, err);

	if (ret < 0)
		nfx_err_prefix(err, "%u", line);
	return ret;
}

static int read_conf(struct cli *cli, struct wopts *o, const char *path,
		     bool given)
{
	struct nfx_err err = { 0 };
	char buf[65536];
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* the package's conffile may be gone: the defaults hold */
		if (errno == ENOENT && !given)
			return 0;
		return cli_error(cli, errno == ENOENT ? EXIT_USAGE : EXIT_SYSTEM,
				 "%s: %s", path, strerror(errno));
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return cli_error(cli, EXIT_SYSTEM, "%s: %s", path,
				 strerror(errno));
	ret = nfx_conf_parse(buf, (size_t)n, conf_cb, o, &err);
	if (ret < 0)
		return cli_error(cli, EXIT_USAGE, "%s:%s", path, err.msg);
	return 0;
}

static void opts_default(struct wopts *o)
{
	memset(o, 0, sizeof(*o));
	set(o->kmsg, sizeof(o->kmsg), KMSG_DEFAULT);
	set(o->state_dir, sizeof(o->state_dir), STATE_DEFAULT);
	set(o->metrics, sizeof(o->metrics), METRICS_DEFAULT);
	set(o->sysfs, sizeof(o->sysfs), SYSFS_DEFAULT);
	set(o->log_socket, sizeof(o->log_socket), "/dev/log");
	set(o->mailto, sizeof(o->mailto), "root");
	set(o->features, sizeof(o->features), "tso,gso,gro");
	o->mail = true;
	o->backlog = true;
	o->kinds = 1u << NFX_DIAG_E1000E_HANG;
	o->rate[0] = (struct nfx_rate){ 1, 60 };
	o->rate[1] = (struct nfx_rate){ 5, 3600 };
	o->nrate = 2;
}

/* ---- logging, state, metrics ------------------------------------------- */

static void save_state(struct watch *w)
{
	struct nfx_err err = { 0 };

	w->st.updated = (long long)time(NULL);
	if (nfx_wstate_save(&w->st, w->state_path, &err) < 0)
		wlog_line(&w->log, LOG_WARNING, "state not kept: %s", err.msg);
}

/*
 * Is the metrics file's directory there?  Without it (no node_exporter on
 * the node, the usual case on a Proxmox VE host that is not scraped) the
 * metrics are off: said once, not at every update, and on again as soon
 * as the directory appears.
 */
static bool metrics_dir(struct watch *w)
{
	char dir[PATH_MAX];
	char *slash;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s", w->o.metrics);
	slash = strrchr(dir, '/');
	if (!slash)
		return true;
	*slash = '\0';
	if (stat(dir[0] ? dir : "/", &sb) == 0 || errno != ENOENT) {
		if (w->metrics_off)
			wlog_line(&w->log, LOG_INFO,
				  "metrics on: %s is there now", dir);
		w->metrics_off = false;
		return true;
	}
	if (!w->metrics_off)
		wlog_line(&w->log, LOG_INFO,
			  "metrics off: %s does not exist (node_exporter's "
			  "textfile directory); they are written once it does",
			  dir);
	w->metrics_off = true;
	return false;
}

static void write_metrics(struct watch *w)
{
	struct nfx_metric_dev *devs = NULL;
	struct nfx_err err = { 0 };
	size_t n = 0, len = 0;
	char *text;

	if (!w->o.metrics[0] || !metrics_dir(w))
		return;
	if (nfx_metrics_gather(w->live, &w->cli->cfg, &w->st, w->o.features,
			       &devs, &n, &err) < 0)
		goto fail;
	text = nfx_metrics_render(devs, n, &w->st, &len);
	free(devs);
	if (!text) {
		nfx_err_set(&err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (nfx_file_replace(w->o.metrics, text, len, 0644, &err) < 0) {
		free(text);
		goto fail;
	}
	free(text);
	w->metrics_failed = false;
	return;
fail:
	/* once, not at every record: node_exporter may not be installed */
	if (!w->metrics_failed)
		wlog_line(&w->log, LOG_WARNING, "metrics not written: %s",
			  err.msg);
	w->metrics_failed = true;
}

static void status(struct watch *w, const char *what);

static void flush(struct watch *w)
{
	save_state(w);
	write_metrics(w);
	w->dirty = false;
	w->flushed_ms = mono_ms();
	status(w, "");
}

/* ---- acting on a hang -------------------------------------------------- */

/* The interface that has bus address @pci now (a renamed NIC). */
static void name_of_pci(const struct watch *w, const char *pci, char *name)
{
	char path[PATH_MAX + 64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net", w->o.sysfs,
		 pci);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NFX_IFNAMSIZ)
			continue;
		memcpy(name, de->d_name, strlen(de->d_name) + 1);
		break;
	}
	closedir(d);
}

/* The features this port's offload line turns off, else the default. */
static bool port_features(struct watch *w, const char *port, char *buf,
			  size_t size)
{
	struct nfx_offload *v = NULL;
	bool persisted;
	int n;

	n = nfx_offloads_read(&w->cli->cfg, NULL, 0, &v, NULL);
	persisted = n > 0 && nfx_persisted_features(v, n, port, buf, size);
	nfx_offloads_free(v, n);
	if (!persisted)
		snprintf(buf, size, "%s", w->o.features);
	return persisted;
}

static void reap(struct watch *w)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			wlog_line(&w->log, LOG_WARNING,
				  "sendmail (pid %d) failed: %s %d", (int)pid,
				  WIFEXITED(status) ? "exit status" : "signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) :
						      WTERMSIG(status));
}

static void mail(struct watch *w, struct nfx_wport *p, const char *subject,
		 const char *body)
{
	struct nfx_err err = { 0 };
	char found[PATH_MAX];
	const char *sm = w->o.sendmail[0] ? w->o.sendmail :
			 nfx_mail_find(getenv("PATH"), found, sizeof(found));
	int pid = 0;

	if (!w->o.mail)
		return;
	if (!sm) {
		wlog_line(&w->log, LOG_WARNING,
			  "no mail sent: no sendmail on PATH nor "
			  "/usr/sbin/sendmail");
		return;
	}
	if (access(sm, X_OK) < 0) {
		wlog_line(&w->log, LOG_WARNING, "no mail sent: %s: %s", sm,
			  strerror(errno));
		return;
	}
	if (nfx_mail_send(sm, w->o.mailto, subject, body, &pid, &err) < 0) {
		wlog_line(&w->log, LOG_WARNING, "no mail sent: %s", err.msg);
		return;
	}
	p->mails++;
}

/**
 * struct hang - one hang report, as the daemon sees it
 */
struct hang {
	const struct nfx_wsig *sig;
	struct nfx_wport *p;
	size_t idx;
	char name[NFX_IFNAMSIZ];
	char features[128];
	bool persisted;
	struct nfx_diag_event ev;
	struct nfx_diag_live dl;
	struct nfx_diag_advice adv;
	char stamp[32];
};

/* "nicfix persist vmbr0 eno1", or "" when the fix is persisted */
static const char *persist_cmd(struct hang *h, char *buf, size_t size)
{
	buf[0] = '\0';
	if (h->persisted)
		return buf;
	if (h->adv.persist[0])
		snprintf(buf, size, "%s", h->adv.persist);
	else
		snprintf(buf, size, "nicfix persist %s%s%s", h->name,
			 strcmp(h->features, "tso,gso,gro") ? " -f " : "",
			 strcmp(h->features, "tso,gso,gro") ? h->features : "");
	return buf;
}

static void despite(struct watch *w, struct hang *h)
{
	char body[2048], subject[256], cmd[200];
	long long now = mono_ms() / 1000;

	h->p->despite++;
	/* reported, never acted on again: rate-limited like an action */
	if (!nfx_rate_allow(w->o.rate, w->o.nrate, h->p->reports, now))
		return;
	nfx_rate_note(h->p->reports, now);
	persist_cmd(h, cmd, sizeof(cmd));
	wlog_line(&w->log, LOG_WARNING,
		  "%s: %s: hang despite the fix: %s already off; not acted on "
		  "again (%llu hangs with the offloads off)",
		  h->name, nfx_diag_kind_name(h->sig->kind), h->features,
		  h->p->despite);
	snprintf(subject, sizeof(subject),
		 "nicfix: %s on %s hangs despite the fix", h->name, w->host);
	snprintf(body, sizeof(body),
		 "nicfix watch on %s: %s%s%s%s logged another hang (%s) at "
		 "%s, although %s are off already.\n\n"
		 "Turning the offloads off does not cure every hang of this "
		 "NIC (other reports point at EEE, ASPM and the K1 power "
		 "states). nicfix does not act on it again.\n\n"
		 "Hang reports: %llu; with the offloads off: %llu.\n%s%s%s",
		 w->host, h->name, h->sig->pci[0] ? " (" : "", h->sig->pci,
		 h->sig->pci[0] ? ")" : "", nfx_diag_kind_name(h->sig->kind),
		 h->stamp, h->features, h->p->hangs, h->p->despite,
		 cmd[0] ? "\nThe fix is not persisted yet; to keep it:\n\n    " :
			  "",
		 cmd, cmd[0] ? "\n" : "");
	mail(w, h->p, subject, body);
}

static void act(struct watch *w, struct hang *h)
{
	char body[3072], subject[256], cmd[200], done[512], on[512];
	struct nfx_featreq *req = NULL;
	struct nfx_report r = { 0 };
	struct nfx_err err = { 0 };
	long long now = mono_ms() / 1000;
	bool ok;
	int ret;

	if (!nfx_rate_allow(w->o.rate, w->o.nrate, h->p->acts, now)) {
		h->p->limited++;
		if (!w->quiet[h->idx])
			wlog_line(&w->log, LOG_WARNING,
				  "%s: %s: offloads on, but the rate limit "
				  "holds the next apply back",
				  h->name, nfx_diag_kind_name(h->sig->kind));
		w->quiet[h->idx] = true;
		return;
	}
	w->quiet[h->idx] = false;
	nfx_rate_note(h->p->acts, now);
	ret = nfx_featreq_parse(h->features, &req, &err);
	if (ret == 0)
		ret = nfx_apply(w->live, h->name, req, 0, &r, &err);
	nfx_featreq_free(req);
	if (ret < 0) {
		wlog_line(&w->log, LOG_ERR, "%s: %s: cannot turn %s off: %s",
			  h->name, nfx_diag_kind_name(h->sig->kind),
			  h->features, err.msg);
		return;
	}
	ok = nfx_report_ok(&r);
	nfx_report_names(&r, NFX_PICK_TURNED_OFF, done, sizeof(done));
	nfx_report_names(&r, NFX_PICK_ON, on, sizeof(on));
	nfx_report_done(&r);
	if (ok)
		h->p->fixes++;
	persist_cmd(h, cmd, sizeof(cmd));
	wlog_line(&w->log, ok ? LOG_NOTICE : LOG_ERR,
		  "%s: %s%s%s%s: %s %s off, read back %s%s%s%s",
		  h->name, nfx_diag_kind_name(h->sig->kind),
		  h->sig->pci[0] ? " (pci " : "", h->sig->pci,
		  h->sig->pci[0] ? ")" : "", ok ? "turned" : "could not turn",
		  h->features, ok ? "off" : "still on: ", ok ? "" : on,
		  cmd[0] ? "; not persisted: run " : "; persisted", cmd);
	snprintf(subject, sizeof(subject), "nicfix: %s on %s hung: %s", h->name,
		 w->host, ok ? "offloads turned off" : "could not turn the "
						       "offloads off");
	snprintf(body, sizeof(body),
		 "nicfix watch on %s: %s%s%s%s logged a hang (%s) at %s, with "
		 "its offloads on.\n\n"
		 "%s %s off (%s); read back: %s%s.\n%s%s%s\n"
		 "Hang reports: %llu; fixes applied: %llu.\n"
		 "nicfix never reboots; it acts at most as the rate limit "
		 "says, per port.\n",
		 w->host, h->name, h->sig->pci[0] ? " (" : "", h->sig->pci,
		 h->sig->pci[0] ? ")" : "", nfx_diag_kind_name(h->sig->kind),
		 h->stamp, ok ? "Turned" : "Tried to turn", h->features,
		 done[0] ? done : "nothing changed",
		 ok ? "off" : "still on: ", ok ? "" : on,
		 cmd[0] ? "\nThe fix is not persisted yet: the next reboot or "
			  "driver reset turns the offloads on again. To keep "
			  "it:\n\n    " :
			  "\nThe fix is persisted in the interfaces file.\n",
		 cmd, cmd[0] ? "\n" : "", h->p->hangs, h->p->fixes);
	mail(w, h->p, subject, body);
}

/*
 * The optional escalation (WATCH_ESCALATE): the port has stayed hung for
 * @hung seconds with its offloads off.  One link down/up, at most once in
 * 30 min (escalate_rate); never a reboot.  Only for records read live: a
 * hang of the backlog that goes on is acted on at its next report.
 */
static void escalate(struct watch *w, struct hang *h, unsigned long long hung)
{
	char body[2048], subject[256], cmd[200];
	struct nfx_err err = { 0 };
	long long now = mono_ms() / 1000;
	const char *kind = nfx_diag_kind_name(h->sig->kind);
	int ret;

	/* a new hang: its held-back escalation is logged again */
	if (!hung)
		w->quiet_bounce[h->idx] = false;
	if (!w->o.escalate_s || hung < w->o.escalate_s || !w->live_records)
		return;
	if (!nfx_rate_allow(&escalate_rate, 1, h->p->bounces, now)) {
		h->p->limited++;
		if (!w->quiet_bounce[h->idx])
			wlog_line(&w->log, LOG_WARNING,
				  "%s: %s: hung for %llu s with %s off; the "
				  "link down/up is held back (at most one in "
				  "30 min)",
				  h->name, kind, hung, h->features);
		w->quiet_bounce[h->idx] = true;
		return;
	}
	w->quiet_bounce[h->idx] = false;
	nfx_rate_note(h->p->bounces, now);
	/* the next one needs a whole span of hang again */
	h->p->off_since_us = 0;
	ret = nfx_link_set_up(w->live, h->name, false, &err);
	if (ret == 0) {
		ret = nfx_link_set_up(w->live, h->name, true, &err);
		/* a link left down is worse than the hang: try once more */
		if (ret < 0 && nfx_link_set_up(w->live, h->name, true, NULL) == 0)
			ret = 0;
	}
	if (ret < 0) {
		wlog_line(&w->log, LOG_ERR,
			  "%s: %s: hung for %llu s with %s off; link down/up "
			  "failed: %s",
			  h->name, kind, hung, h->features, err.msg);
		return;
	}
	h->p->escalations++;
	persist_cmd(h, cmd, sizeof(cmd));
	wlog_line(&w->log, LOG_WARNING,
		  "%s: %s: hung for %llu s with %s off: took the link down and "
		  "up (WATCH_ESCALATE=%us; at most one in 30 min)",
		  h->name, kind, hung, h->features, w->o.escalate_s);
	snprintf(subject, sizeof(subject),
		 "nicfix: %s on %s still hangs: link taken down and up",
		 h->name, w->host);
	snprintf(body, sizeof(body),
		 "nicfix watch on %s: %s%s%s%s has stayed hung (%s) for %llu s "
		 "with %s off, up to its report at %s.\n\n"
		 "As WATCH_ESCALATE=%us in /etc/default/nicfix asks, nicfix "
		 "took the link down and up once. It does so at most once in "
		 "30 minutes per port, and it never reboots.\n\n"
		 "Hang reports: %llu; with the offloads off: %llu; link "
		 "down/ups: %llu.\n%s%s%s",
		 w->host, h->name, h->sig->pci[0] ? " (" : "", h->sig->pci,
		 h->sig->pci[0] ? ")" : "", kind, hung, h->features, h->stamp,
		 w->o.escalate_s, h->p->hangs, h->p->despite,
		 h->p->escalations,
		 cmd[0] ? "\nThe fix is not persisted yet; to keep it:\n\n    " :
			  "",
		 cmd, cmd[0] ? "\n" : "");
	mail(w, h->p, subject, body);
}

static void on_hang(struct watch *w, const struct nfx_wsig *sig,
		    struct nfx_wport *p, unsigned long long usec)
{
	struct nfx_err err = { 0 };
	struct hang h = { .sig = sig, .p = p };
	time_t t = time(NULL);
	struct tm tm;
	size_t nf;
	const char *f;
	bool any_on = false, any_off = false;
	unsigned long long hung;
	char name[32];

	h.idx = (size_t)(p - w->st.port);
	snprintf(h.name, sizeof(h.name), "%s", p->name);
	p->hangs++;
	p->last_hang = (long long)t;
	localtime_r(&t, &tm);
	strftime(h.stamp, sizeof(h.stamp), "%Y-%m-%d %H:%M:%S", &tm);
	if (!(w->o.kinds & (1u << sig->kind)))
		return;
	if (!h.name[0]) {
		wlog_line(&w->log, LOG_WARNING,
			  "%s: %s: no interface has that bus address here",
			  sig->pci, nfx_diag_kind_name(sig->kind));
		return;
	}
	h.persisted = port_features(w, h.name, h.features, sizeof(h.features));
	memset(&h.ev, 0, sizeof(h.ev));
	snprintf(h.ev.ifname, sizeof(h.ev.ifname), "%s", h.name);
	snprintf(h.ev.pci, sizeof(h.ev.pci), "%s", sig->pci);
	snprintf(h.ev.driver, sizeof(h.ev.driver), "%s", sig->driver);
	h.ev.kind = sig->kind;
	h.ev.match = NFX_MATCH_LIKELY;
	h.ev.features = h.features;
	if (nfx_diag_live_get(w->live, &h.ev, &h.dl, &err) < 0) {
		wlog_line(&w->log, LOG_WARNING, "%s: %s: %s", h.name,
			  nfx_diag_kind_name(sig->kind), err.msg);
		return;
	}
	nfx_diag_advise(&h.ev, &h.dl, &h.adv);
	f = h.features;
	for (nf = 0; nf < 8 && nfx_diag_feature_next(&f, name, sizeof(name));
	     nf++) {
		if (h.dl.state[nf] == NFX_STATE_OFF)
			any_off = true;
		else if (h.dl.state[nf] != NFX_STATE_NONE)
			any_on = true;
	}
	hung = nfx_wport_hung_for(p, usec, !any_on && any_off);
	if (!any_on && any_off) {
		despite(w, &h);
		escalate(w, &h, hung);
	} else if (any_on) {
		act(w, &h);
	}
}

/* One record: count it, and act on what it says. */
static void on_record(struct watch *w, const struct nfx_kmsg_rec *rec)
{
	struct nfx_wport *p;
	struct nfx_wsig sig;
	char name[NFX_IFNAMSIZ] = "";

	/* a restart reads the backlog again: what was handled is skipped */
	if (w->st.seq_known && rec->seq <= w->st.seq)
		return;
	w->st.seq = rec->seq;
	w->st.seq_known = true;
	w->st.records++;
	w->dirty = true;
	/* user space writing to /dev/kmsg gets LOG_USER, never 0 */
	if (rec->facility != 0 &&
	    !(w->o.accept_user && rec->facility == LOG_USER >> 3))
		return;
	if (nfx_wsig_read(rec, &sig) == NFX_WSIG_NONE)
		return;
	snprintf(name, sizeof(name), "%s", sig.ifname);
	if (sig.pci[0])
		name_of_pci(w, sig.pci, name);
	p = nfx_wstate_port(&w->st, name, sig.pci);
	if (!p)
		return;
	switch (sig.what) {
	case NFX_WSIG_HANG:
		on_hang(w, &sig, p, rec->usec);
		flush(w);
		break;
	case NFX_WSIG_RESET:
		p->resets++;
		flush(w);
		break;
	default:
		break;
	}
}

/* Read every record there is now.  Return: 0, or an exit status. */
static int drain(struct watch *w)
{
	struct nfx_kmsg_rec rec;
	struct nfx_err err = { 0 };
	unsigned long long lost0 = nfx_kfollow_lost(w->kf);
	int ret;

	while ((ret = nfx_kfollow_next(w->kf, &rec, &err)) > 0) {
		unsigned long long lost = nfx_kfollow_lost(w->kf);

		if (lost != lost0) {
			w->st.lost += lost - lost0;
			lost0 = lost;
			w->dirty = true;
		}
		on_record(w, &rec);
	}
	if (ret == 0 || ret == -ENODATA)
		return 0;
	wlog_line(&w->log, LOG_ERR, "%s: %s", w->o.kmsg, err.msg);
	return EXIT_SYSTEM;
}

/* ---- the loop ------------------------------------------------------------ */

static int setup_signals(struct watch *w)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	w->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return w->sigfd < 0 ? -errno : 0;
}

/* Return: true to stop. */
static bool on_signal(struct watch *w)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(w);
		else if (si.ssi_signo != SIGHUP)
			stop = true;
	}
	return stop;
}

static void status(struct watch *w, const char *what)
{
	char msg[PATH_MAX + 256];
	unsigned long long hangs = 0, fixes = 0;
	size_t i;

	for (i = 0; i < w->st.n; i++) {
		hangs += w->st.port[i].hangs;
		fixes += w->st.port[i].fixes;
	}
	snprintf(msg, sizeof(msg),
		 "%sSTATUS=following %s: %llu records, %llu hangs, %llu fixes "
		 "applied, %llu lost",
		 what, w->o.kmsg, w->st.records, hangs, fixes, w->st.lost);
	notify_send(&w->nt, msg);
}

static int loop(struct watch *w)
{
	struct pollfd pfd[2];
	long long now, timeout;
	int ret;

	for (;;) {
		now = mono_ms();
		if (w->nt.watchdog_ms && now - w->ping_ms >= w->nt.watchdog_ms) {
			notify_send(&w->nt, "WATCHDOG=1");
			w->ping_ms = now;
		}
		if (w->dirty && now - w->flushed_ms >= FLUSH_MS)
			flush(w);
		/* sleep until the next watchdog ping, or the next flush of
		 * what changed; an idle daemon has no other timer */
		timeout = -1;
		if (w->nt.watchdog_ms)
			timeout = w->ping_ms + w->nt.watchdog_ms - now;
		if (w->dirty) {
			long long t = w->flushed_ms + FLUSH_MS - now;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (timeout > INT_MAX)
			timeout = INT_MAX;
		pfd[0] = (struct pollfd){ .fd = w->sigfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = nfx_kfollow_fd(w->kf),
					  .events = POLLIN };
		ret = poll(pfd, pfd[1].fd >= 0 ? 2 : 1,
			   timeout < 0 ? -1 : (int)timeout);
		if (ret < 0 && errno != EINTR)
			return cli_error(w->cli, EXIT_SYSTEM, "poll: %s",
					 strerror(errno));
		if (ret <= 0)
			continue;
		if (pfd[0].revents && on_signal(w))
			return EXIT_OK;
		if (pfd[1].fd >= 0 && pfd[1].revents) {
			ret = drain(w);
			if (ret)
				return ret;
		}
	}
}

static int watch_run(struct watch *w)
{
	struct nfx_err err = { 0 };
	int ret, status_code = EXIT_OK;

	w->sigfd = -1;
	w->log.fd = -1;
	w->log.sock = w->o.log_socket;
	/* under systemd stderr is the journal already: syslog is enough */
	w->log.to_stderr = !getenv("JOURNAL_STREAM");
	if (gethostname(w->host, sizeof(w->host)) < 0)
		set(w->host, sizeof(w->host), "this host");
	w->host[sizeof(w->host) - 1] = '\0';
	if (mkdir(w->o.state_dir, 0755) < 0 && errno != EEXIST)
		return cli_error(w->cli, EXIT_SYSTEM, "%s: %s", w->o.state_dir,
				 strerror(errno));
	snprintf(w->state_path, sizeof(w->state_path), "%s/watch.state",
		 w->o.state_dir);
	ret = nfx_wstate_load(&w->st, w->state_path, &err);
	if (ret < 0 && ret != -ENOENT)
		wlog_line(&w->log, LOG_WARNING, "%s; starting afresh", err.msg);
	w->st.started = (long long)time(NULL);
	if (notify_open(&w->nt) < 0)
		cli_warn(w->cli, "NOTIFY_SOCKET: cannot be used");
	if (setup_signals(w) < 0)
		return cli_error(w->cli, EXIT_SYSTEM, "signals: %s",
				 strerror(errno));
	ret = nfx_live_open(&w->live, w->cli->live_flags, &err);
	if (ret < 0) {
		status_code = cli_error(w->cli, EXIT_SYSTEM, "%s", err.msg);
		goto out;
	}
	ret = nfx_kfollow_open(w->o.kmsg, w->o.backlog ? 0 : NFX_KF_TAIL,
			       &w->kf, &err);
	if (ret < 0) {
		status_code = cli_error(w->cli, EXIT_SYSTEM, "%s%s", err.msg,
					ret == -EPERM ? " (CAP_SYSLOG is needed)" :
							"");
		goto out;
	}
	/* this boot's backlog first, under the same rules */
	status_code = drain(w);
	if (status_code)
		goto out;
	w->live_records = true;
	save_state(w);
	write_metrics(w);
	w->dirty = false;
	w->flushed_ms = w->ping_ms = mono_ms();
	status(w, "READY=1\n");
	wlog_line(&w->log, LOG_INFO,
		  "watching %s (%llu records, %llu lost so far)", w->o.kmsg,
		  w->st.records, w->st.lost);
	if (!w->o.once)
		status_code = loop(w);
	notify_send(&w->nt, "STOPPING=1");
	flush(w);
	reap(w);
out:
	nfx_kfollow_close(w->kf);
	nfx_live_close(w->live);
	notify_close(&w->nt);
	wlog_close(&w->log);
	if (w->sigfd >= 0)
		close(w->sigfd);
	return status_code;
}

int cmd_watch(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "kmsg", required_argument, NULL, 'k' },
		{ "state", required_argument, NULL, 's' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "no-metrics", no_argument, NULL, 'M' },
		{ "sendmail", required_argument, NULL, 'S' },
		{ "no-mail", no_argument, NULL, 'N' },
		{ "sysfs", required_argument, NULL, 'y' },
		{ "log-socket", required_argument, NULL, 'l' },
		{ "tail", no_argument, NULL, 't' },
		{ "once", no_argument, NULL, 'o' },
		{ "test-accept-user-facility", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *conf = CONF_DEFAULT;
	bool conf_given = false;
	struct watch *w;
	int opt, ret;

	/* the file first, so that the flags win over it */
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'c') {
			conf = optarg;
			conf_given = true;
		} else if (opt == 'h') {
			return cli_usage(cli, false);
		} else if (opt == '?') {
			return cli_usage(cli, true);
		}
	}
	if (optind < argc) {
		cli_error(cli, EXIT_USAGE, "watch: unexpected argument '%s'",
			  argv[optind]);
		return cli_usage(cli, true);
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return cli_error(cli, EXIT_SYSTEM, "out of memory");
	w->cli = cli;
	opts_default(&w->o);
	ret = read_conf(cli, &w->o, conf, conf_given);
	if (ret)
		goto out;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			set(w->o.kmsg, sizeof(w->o.kmsg), optarg);
			break;
		case 's':
			set(w->o.state_dir, sizeof(w->o.state_dir), optarg);
			break;
		case 'm':
			set(w->o.metrics, sizeof(w->o.metrics), optarg);
			break;
		case 'M':
			w->o.metrics[0] = '\0';
			break;
		case 'S':
			set(w->o.sendmail, sizeof(w->o.sendmail), optarg);
			break;
		case 'N':
			w->o.mail = false;
			break;
		case 'y':
			set(w->o.sysfs, sizeof(w->o.sysfs), optarg);
			break;
		case 'l':
			set(w->o.log_socket, sizeof(w->o.log_socket), optarg);
			break;
		case 't':
			w->o.backlog = false;
			break;
		case 'o':
			w->o.once = true;
			break;
		case 'U':
			w->o.accept_user = true;
			break;
		default:
			break;
		}
	}
	ret = watch_run(w);
out:
	free(w);
	return ret;
}

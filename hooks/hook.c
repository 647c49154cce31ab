/* hook.c - main() of nicfix-hook: re-apply a bridge's offload lines at ifup
 *
 * Reached through /etc/network/if-up.d/nicfix and if-post-up.d/nicfix
 * (ifupdown, ifupdown2), and through a udev rule with "--port NAME" when a
 * NIC is added.  It reads the configuration with the fast reader (no
 * Augeas), talks netlink and logs one line per port; it never edits a file
 * and, unless NICFIX_STRICT=1, always exits 0: a hook that fails would keep
 * a bridge down under "run-parts --exit-on-error".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "nicfix.h"

/* the exit statuses of DESIGN.md, used only with NICFIX_STRICT=1 */
enum {
	HOOK_OK = 0,
	HOOK_FINDING = 1,
	HOOK_INVALID = 2,
	HOOK_SYSTEM = 3,
};

struct hook {
	struct nfx_cfgopts cfg;
	char **envp;
	const char *port;	/* udev's --port NAME, or NULL */
	struct nfx_pins *pins;	/* the .link files, read on first need */
	bool pins_tried;
	const char *addrfam; /* ADDRFAM: "inet", "inet6", or ifupdown2's list */
	bool to_stderr;
	bool log_open;
	int status; /* the worst status seen, for NICFIX_STRICT=1 */
};

/* The core never reads environ: main() hands us its envp. */
static const char *env_get(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, len) && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

static bool env_is(char **envp, const char *name, const char *value)
{
	const char *v = env_get(envp, name);

	return v && !strcmp(v, value);
}

static void worse(struct hook *h, int status)
{
	if (status > h->status)
		h->status = status;
}

static int errno_status(int ret)
{
	if (ret == -EINVAL)
		return HOOK_INVALID;
	if (ret == -ENODEV)
		return HOOK_FINDING;
	return HOOK_SYSTEM;
}

/* One line to syslog and, for the tests, the same line to stderr. */
static void hook_log(struct hook *h, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void hook_log(struct hook *h, int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!h->log_open) {
		openlog("nicfix", LOG_PID, LOG_DAEMON);
		h->log_open = true;
	}
	syslog(prio, "%s", line);
	if (h->to_stderr)
		fprintf(stderr, "nicfix: %s%s\n",
			prio <= LOG_WARNING ? "warning: " : "", line);
}

/*
 * Log what nfx_apply() did to one port, as `nicfix apply` says it: in the
 * line's own names (tso gso gro), what is off, what it turned off, what
 * stays on (the device cannot change it, or it refused).
 */
static void log_report(struct hook *h, const char *what, const char *note,
		       const struct nfx_report *r, const struct nfx_featreq *req)
{
	struct nfx_summary s;
	char text[1024];
	bool on;

	nfx_summarize(r, req, &s);
	nfx_summary_text(&s, text, sizeof(text));
	on = nfx_summary_on(&s);
	if (on)
		worse(h, HOOK_FINDING);
	hook_log(h, on ? LOG_WARNING : note ? LOG_NOTICE : LOG_INFO, "%s: %s%s",
		 what, text, note ? note : "");
}

static const char *const udev_names[] = {
	"ID_NET_NAME_ONBOARD", "ID_NET_NAME_SLOT", "ID_NET_NAME_PATH",
	"ID_NET_NAME_MAC",
};

/*
 * Where the NIC of a port that is gone went (Proxmox VE 9 pinning renames
 * eno1 to nic0, and the line still says eno1): in udev's port mode, the
 * event's own ID_NET_NAME_* names the NIC it adds; else udev's record of
 * the NIC that has the old name's identity.  Nothing on a guess.
 */
static bool follow(struct hook *h, struct nfx_live *live, const char *old,
		   char *ret_name, char *ret_why, size_t len)
{
	struct nfx_rename r;
	struct nfx_err err = { 0 };
	size_t k;
	int ret;

	ret_why[0] = '\0';
	if (h->port && env_is(h->envp, "INTERFACE", h->port))
		for (k = 0; k < sizeof(udev_names) / sizeof(udev_names[0]); k++)
			if (env_is(h->envp, udev_names[k], old)) {
				snprintf(ret_name, NFX_IFNAMSIZ, "%s", h->port);
				snprintf(ret_why, len, "udev's %s of %s", udev_names[k],
					 h->port);
				return true;
			}
	if (!h->pins_tried) {
		h->pins_tried = true;
		if (nfx_pins_load(h->cfg.root, &h->pins, &err) < 0) {
			snprintf(ret_why, len, "%s", err.msg);
			return false;
		}
	}
	if (!h->pins)
		return false;
	ret = nfx_pins_follow(h->pins, live, old, &r, &err);
	if (ret < 0) {
		snprintf(ret_why, len, "%s", err.msg);
		return false;
	}
	if (ret == 0 || r.how != NFX_RENAME_DONE) {
		snprintf(ret_why, len, "%s", r.why);
		return false;
	}
	snprintf(ret_name, NFX_IFNAMSIZ, "%s", r.name);
	snprintf(ret_why, len, "udev's %s of %s", r.property, r.name);
	return true;
}

static int live_open(struct hook *h, struct nfx_live **live, const char *what)
{
	struct nfx_err err = { 0 };

	if (*live)
		return 0;
	if (nfx_live_open(live, 0, &err) < 0) {
		worse(h, HOOK_SYSTEM);
		hook_log(h, LOG_WARNING, "%s: netlink: %s", what, err.msg);
		return -1;
	}
	return 0;
}

/*
 * Re-apply one offload line on @dev: its port, or where that port went
 * (@via says how, and the line is stale); @live is opened on first use.
 */
static void apply_line(struct hook *h, struct nfx_live **live,
		       const struct nfx_offload *o, const char *dev,
		       const char *via)
{
	struct nfx_report r = { 0 };
	struct nfx_err err = { 0 };
	char what[2 * NFX_IFNAMSIZ + 2], name[NFX_IFNAMSIZ], why[512];
	char note[640];
	int ret;

	why[0] = '\0';
	snprintf(what, sizeof(what), "%s: %s", o->bridge, dev);
	if (o->problem[0] || !o->off) {
		worse(h, HOOK_INVALID);
		hook_log(h, LOG_WARNING, "%s:%u: %s: %s", o->file, o->lineno,
			 o->bridge, o->problem[0] ? o->problem : "malformed");
		return;
	}
	if (live_open(h, live, what) < 0)
		return;
	ret = nfx_apply(*live, dev, o->off, 0, &r, &err);
	if (ret == -ENODEV && !via && follow(h, *live, dev, name, why, sizeof(why))) {
		apply_line(h, live, o, name, why);
		return;
	}
	if (ret < 0) {
		worse(h, errno_status(ret));
		if (ret == -ENODEV && !via && why[0])
			hook_log(h, LOG_WARNING, "%s: %s; not followed: %s", what,
				 err.msg, why);
		else
			hook_log(h, LOG_WARNING, "%s: %s", what, err.msg);
		return;
	}
	if (via)
		snprintf(note, sizeof(note),
			 "; followed the rename %s -> %s (%s): %s:%u still names %s, run 'nicfix persist %s'",
			 o->port, dev, via, o->file, o->lineno, o->port, o->bridge);
	log_report(h, what, via ? note : NULL, &r, o->off);
	nfx_report_done(&r);
}

/* is @family one of the comma-separated families in @list? */
static bool family_listed(const char *list, const char *family)
{
	size_t len = strlen(family);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, family, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/*
 * Re-apply the lines of @bridge (ifup), or every line whose port is @port
 * (udev, after a NIC re-probe: the driver came back with its defaults).
 */
static void run(struct hook *h, const char *bridge, const char *port)
{
	struct nfx_offload *v = NULL;
	struct nfx_live *live = NULL;
	struct nfx_err err = { 0 };
	int n, i;

	n = nfx_offloads_read(&h->cfg, bridge ? &bridge : NULL, bridge ? 1 : 0,
			      &v, &err);
	if (n < 0) {
		/* not ours to fix: ifup goes on, the admin gets a warning */
		worse(h, errno_status(n));
		hook_log(h, LOG_WARNING, "%s: %s", bridge ? bridge : port,
			 err.msg);
		return;
	}
	/* ifupdown runs the hooks once per address family of the bridge:
	 * act in the run of the stanza that holds the lines, so a bridge
	 * with inet and inet6 stanzas is handled once (ifupdown2 passes
	 * every family at once, "inet,inet6")
	 */
	if (bridge && n > 0 && h->addrfam && *h->addrfam && v[0].family[0] &&
	    !family_listed(h->addrfam, v[0].family))
	{
		nfx_offloads_free(v, n);
		return;
	}
	for (i = 0; i < n; i++) {
		struct nfx_link l;
		char name[NFX_IFNAMSIZ], why[512];

		if (!port || !strcmp(v[i].port, port)) {
			apply_line(h, &live, &v[i], v[i].port, NULL);
			continue;
		}
		/* udev added @port: a line naming the NIC by its old name is
		 * its line too, when that name is gone and certainly this NIC's
		 */
		if (v[i].problem[0] || !v[i].off || live_open(h, &live, port) < 0 ||
		    nfx_link_get(live, v[i].port, &l, NULL) != -ENODEV ||
		    !follow(h, live, v[i].port, name, why, sizeof(why)) ||
		    strcmp(name, port))
			continue;
		apply_line(h, &live, &v[i], name, why);
	}
	nfx_live_close(live);
	nfx_pins_free(h->pins);
	h->pins = NULL;
	h->pins_tried = false;
	nfx_offloads_free(v, n);
}

static int usage(void)
{
	fputs("usage: nicfix-hook            (ifupdown: IFACE, MODE, PHASE, ADDRFAM)\n"
	      "       nicfix-hook --port NAME (udev: a NIC was added)\n",
	      stderr);
	return HOOK_INVALID;
}

int main(int argc, char **argv, char **envp)
{
	struct hook h = { 0 };
	const char *iface, *port = NULL, *v;

	if (argc == 3 && !strcmp(argv[1], "--port"))
		port = argv[2];
	else if (argc != 1)
		return usage();
	if (port && nfx_ifname_check(port, NULL) < 0)
		return usage();

	v = env_get(envp, "NICFIX_INTERFACES");
	h.cfg.path = v && *v ? v : "/etc/network/interfaces";
	v = env_get(envp, "NICFIX_ROOT");
	h.cfg.root = v && *v ? v : "/";
	h.cfg.named_only = true; /* the boot path: read one stanza */
	h.cfg.unknown_ok = true;
	h.to_stderr = env_is(envp, "NICFIX_HOOK_STDERR", "1");
	h.addrfam = env_get(envp, "ADDRFAM");
	h.envp = envp;
	h.port = port;

	if (port) {
		run(&h, NULL, port);
		goto out;
	}
	iface = env_get(envp, "IFACE");
	if (!env_is(envp, "MODE", "start") || !iface || !*iface ||
	    !strcmp(iface, "lo") || !strcmp(iface, "--all"))
		return HOOK_OK;
	/*
	 * Act once per bridge up, after the stanza's post-up lines, under
	 * both ifupdowns.  ifupdown runs if-up.d with PHASE=post-up after
	 * the post-up lines, and has no if-post-up.d.  ifupdown2 runs
	 * if-up.d with PHASE=up *before* the post-up lines (which could
	 * turn a feature back on after us) and if-post-up.d with
	 * PHASE=post-up after them.  So the hook is linked into both
	 * directories and acts only on PHASE=post-up.
	 */
	if (!env_is(envp, "PHASE", "post-up"))
		return HOOK_OK;
	if (nfx_ifname_check(iface, NULL) < 0)
		return HOOK_OK;
	run(&h, iface, NULL);
out:
	if (h.log_open)
		closelog();
	return env_is(envp, "NICFIX_STRICT", "1") ? h.status : HOOK_OK;
}

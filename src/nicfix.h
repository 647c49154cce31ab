/* nicfix.h - the core's public API, the only header the front ends include
 *
 * The core never prints, never exits and never reads the environment:
 * every fallible call returns >= 0 on success or -errno on failure and,
 * when @err is not NULL, leaves a one-line reason in it.
 */
#ifndef NICFIX_H
#define NICFIX_H

#include <stdbool.h>
#include <stddef.h>

#define NFX_IFNAMSIZ 16 /* IFNAMSIZ, with the NUL */

/* ---- errors (err.c) ---------------------------------------------------- */

/**
 * struct nfx_err - why a core call failed
 * @code: the -errno value the call returned (0 when unset)
 * @msg: one line, no trailing newline, no "nicfix:" prefix
 */
struct nfx_err {
	int code;
	char msg[512];
};

/**
 * nfx_err_set() - record a failure and return its code
 * @err: where to record it; may be NULL
 * @code: a negative errno value
 * @fmt: printf-style reason
 *
 * Return: @code, so that callers can write "return nfx_err_set(...)".
 */
int nfx_err_set(struct nfx_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * nfx_err_prefix() - put "@fmt: " in front of the recorded reason
 * @err: may be NULL
 * @fmt: printf-style prefix, e.g. the interface name
 */
void nfx_err_prefix(struct nfx_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- interface names (ifname.c) --------------------------------------- */

/**
 * nfx_ifname_check() - is @name a safe kernel interface name?
 * @name: the candidate
 * @err: may be NULL
 *
 * The kernel's rules (1-15 bytes, not "." or "..", no '/', ':' or white
 * space) plus what nicfix needs to write the name into a shell command
 * line: printable ASCII only, no shell metacharacter, no leading '-'.
 *
 * Return: 0 when valid, -EINVAL otherwise.
 */
int nfx_ifname_check(const char *name, struct nfx_err *err);

/* ---- feature requests (feat.c) ---------------------------------------- */

struct nfx_featreq;

/**
 * nfx_featreq_parse() - parse a comma list of feature names
 * @list: e.g. "tso,gso,gro" or "tx-tcp-segmentation,rx-gro"
 * @ret_req: the parsed request, to free with nfx_featreq_free()
 * @err: may be NULL
 *
 * Only the syntax and the legacy short names are checked here; kernel
 * names are checked against the running kernel's names when expanded.
 *
 * Return: 0, -EINVAL for an empty or malformed list, -ENOMEM.
 */
int nfx_featreq_parse(const char *list, struct nfx_featreq **ret_req,
		      struct nfx_err *err);

/** nfx_featreq_free() - free a request; NULL is fine */
void nfx_featreq_free(struct nfx_featreq *req);

/**
 * nfx_featreq_default() - the request for the default "tso,gso,gro"
 * Return: 0 or -ENOMEM.
 */
int nfx_featreq_default(struct nfx_featreq **ret_req, struct nfx_err *err);

/**
 * nfx_featreq_count() - number of names in @req
 * nfx_featreq_name() - the @i-th name as the user wrote it (owned by @req)
 */
size_t nfx_featreq_count(const struct nfx_featreq *req);
const char *nfx_featreq_name(const struct nfx_featreq *req, size_t i);

/**
 * nfx_feat_short_names() - the legacy short names, for messages
 * Return: a static string "rx, tx, sg, tso, ...".
 */
const char *nfx_feat_short_names(void);

/**
 * nfx_feat_is_short() - is @name one of ethtool's legacy names?
 * Return: true for "tso", "tcp-segmentation-offload", ...
 */
bool nfx_feat_is_short(const char *name);

/* ---- live kernel access (live.c) -------------------------------------- */

struct nfx_live;

enum {
	/* use the SIOCETHTOOL ioctl even when ethtool netlink exists */
	NFX_LIVE_IOCTL = 1 << 0,
};

/**
 * nfx_live_open() - open the netlink sockets nicfix needs
 * @ret_live: the handle, to close with nfx_live_close()
 * @flags: NFX_LIVE_*
 * @err: may be NULL
 *
 * Falls back to the ioctl interface by itself when the kernel has no
 * "ethtool" generic netlink family.
 *
 * Return: 0 or -errno.
 */
int nfx_live_open(struct nfx_live **ret_live, unsigned int flags,
		  struct nfx_err *err);

/** nfx_live_close() - close and free; NULL is fine */
void nfx_live_close(struct nfx_live *live);

/**
 * nfx_live_backend() - "netlink" or "ioctl" (static string)
 */
const char *nfx_live_backend(const struct nfx_live *live);

enum nfx_link_kind {
	NFX_LINK_PORT,	 /* hardware NIC, or veth/dummy standing in for one */
	NFX_LINK_BRIDGE,
	NFX_LINK_BOND,
	NFX_LINK_VLAN,
	NFX_LINK_OTHER,	 /* tunnels, loopback, ... */
};

/**
 * struct nfx_link - what rtnetlink says about one interface
 * @name: interface name
 * @ifindex: its index
 * @kind: coarse kind, from IFLA_INFO_KIND
 * @kind_name: IFLA_INFO_KIND as the kernel says it ("" for hardware)
 * @master: the bridge or bond it is enslaved to ("" if none)
 * @master_kind: kind of @master
 * @parent: lower device of a VLAN ("" otherwise)
 * @driver: driver name from ETHTOOL_GDRVINFO ("" if unknown)
 * @up: IFF_UP is set
 * @loopback: IFF_LOOPBACK is set
 */
struct nfx_link {
	char name[NFX_IFNAMSIZ];
	int ifindex;
	enum nfx_link_kind kind;
	char kind_name[24];
	char master[NFX_IFNAMSIZ];
	enum nfx_link_kind master_kind;
	char parent[NFX_IFNAMSIZ];
	char driver[32];
	bool up;
	bool loopback;
};

/**
 * nfx_link_get() - look up one interface by name
 * Return: 0, -ENODEV ("no such interface"), or -errno.
 */
int nfx_link_get(struct nfx_live *live, const char *name,
		 struct nfx_link *ret_link, struct nfx_err *err);

/**
 * nfx_link_list() - every interface of this network namespace
 * @ret_links: array in ifindex order, to free() by the caller
 * @ret_n: its length
 * Return: 0 or -errno.
 */
int nfx_link_list(struct nfx_live *live, struct nfx_link **ret_links,
		  size_t *ret_n, struct nfx_err *err);

/**
 * nfx_link_kind_name() - "port", "bridge", "bond", "vlan", "other"
 */
const char *nfx_link_kind_name(enum nfx_link_kind kind);

/* ---- features of one device (live.c) ---------------------------------- */

struct nfx_features;

/**
 * nfx_features_get() - read the offload features of @ifname
 * @ret_feat: to free with nfx_features_free(); borrows names from @live,
 *	so it must not outlive it
 * Return: 0, -ENODEV, or -errno.
 */
int nfx_features_get(struct nfx_live *live, const char *ifname,
		     struct nfx_features **ret_feat, struct nfx_err *err);

/** nfx_features_free() - NULL is fine */
void nfx_features_free(struct nfx_features *feat);

enum nfx_state {
	NFX_STATE_OFF,
	NFX_STATE_ON,
	NFX_STATE_PARTIAL, /* a short name whose bits are partly on */
	NFX_STATE_NONE,	   /* the device has no such bit */
};

/**
 * nfx_features_state() - state of a short or kernel name on this device
 * @fixed: if not NULL, set when no bit behind @name can be changed
 */
enum nfx_state nfx_features_state(const struct nfx_features *feat,
				  const char *name, bool *fixed);

/** nfx_state_name() - "off", "on", "partial", "none" */
const char *nfx_state_name(enum nfx_state state);

/* ---- apply and verify (apply.c) --------------------------------------- */

enum nfx_result {
	NFX_RES_OFF,	     /* was on, nicfix turned it off */
	NFX_RES_ALREADY_OFF, /* was off already */
	NFX_RES_FIXED,	     /* the device cannot change it (see @on) */
	NFX_RES_FAILED,	     /* changeable, asked to go off, still on */
	NFX_RES_DRIFT,	     /* verify only: on although asked off */
};

/**
 * struct nfx_item - one kernel feature bit of a report
 * @name: kernel name, borrowed from the struct nfx_live
 * @result: what happened
 * @on: its active state after the operation
 */
struct nfx_item {
	const char *name;
	enum nfx_result result;
	bool on;
};

/**
 * struct nfx_report - result of nfx_apply() for one interface
 * @ifname: the interface
 * @n: number of @items
 * @items: one per kernel feature bit behind the request, kernel order
 */
struct nfx_report {
	char ifname[NFX_IFNAMSIZ];
	size_t n;
	struct nfx_item *items;
};

enum {
	NFX_APPLY_VERIFY = 1 << 0, /* read only: report drift, change nothing */
};

/**
 * nfx_apply() - turn the requested features off and verify them
 * @live: open handle
 * @ifname: the port
 * @req: the features; names are expanded against this kernel's names
 * @flags: NFX_APPLY_*
 * @ret_report: filled on success, free with nfx_report_free(); it borrows
 *	names from @live
 * @err: may be NULL
 *
 * Reads the features, asks the kernel to clear the changeable ones that
 * are on (or wanted on), then reads them back with a fresh FEATURES_GET:
 * the report is what the kernel says, not what was asked.
 *
 * Return: 0 when the report could be made (look at nfx_report_ok()),
 * -EINVAL for an unknown feature name, -ENODEV, -EPERM, or -errno.
 */
int nfx_apply(struct nfx_live *live, const char *ifname,
	      const struct nfx_featreq *req, unsigned int flags,
	      struct nfx_report *ret_report, struct nfx_err *err);

/** nfx_report_done() - free the items of @report; NULL is fine */
void nfx_report_done(struct nfx_report *report);

/**
 * nfx_report_ok() - is every feature of @report off?
 */
bool nfx_report_ok(const struct nfx_report *report);

/**
 * nfx_report_changed() - did the operation turn anything off?
 */
bool nfx_report_changed(const struct nfx_report *report);

/** nfx_result_name() - "off", "already off", "fixed", "failed", "drift" */
const char *nfx_result_name(enum nfx_result result);

/* ---- the interfaces configuration (persist.c, offloads.c) ------------ */

/**
 * struct nfx_cfgopts - where the configuration lives
 * @root: absolute include paths are read under it ("/")
 * @path: the main interfaces file
 * @lensdir: directory of the project's Augeas lens
 * @backup_dir: where previous versions are kept (outside /etc/network)
 * @lock_timeout_ms: how long to wait for another writer
 */
struct nfx_cfgopts {
	const char *root;
	const char *path;
	const char *lensdir;
	const char *backup_dir;
	int lock_timeout_ms;
};

enum nfx_action {
	NFX_ACT_ADDED,	   /* a new line */
	NFX_ACT_COMPLETED, /* an existing line, completed in place */
	NFX_ACT_UNCHANGED, /* an equivalent line was there */
	NFX_ACT_REMOVED,   /* unpersist removed its line(s) */
	NFX_ACT_ABSENT,	   /* unpersist found none */
};

/**
 * struct nfx_persist_port - what persist did for one port
 * @port: the port
 * @action: what was done
 * @line: the option line as it now reads (or was, for REMOVED)
 */
struct nfx_persist_port {
	char port[NFX_IFNAMSIZ];
	enum nfx_action action;
	char line[512];
};

/**
 * struct nfx_persist - result of nfx_persist()
 * @file: the file that holds the stanza (malloc'd)
 * @lineno: line of the stanza's iface line
 * @n: number of @ports
 * @changed: the file's text changed (or would, with a dry run)
 * @diff: unified diff of the change, "" when unchanged (malloc'd)
 * @backup: where the previous version was saved, or NULL (malloc'd)
 */
struct nfx_persist {
	char *file;
	unsigned int lineno;
	size_t n;
	struct nfx_persist_port *ports;
	bool changed;
	char *diff;
	char *backup;
};

enum {
	NFX_PERSIST_REMOVE = 1 << 0,  /* unpersist */
	NFX_PERSIST_DRY_RUN = 1 << 1, /* compute and diff, write nothing */
	NFX_PERSIST_FORCE = 1 << 2,   /* ports not behind the bridge,
				       * conflicts, pending GUI changes */
};

/**
 * nfx_persist() - add (or remove) the offload lines of a bridge stanza
 * @o: the configuration
 * @bridge: the bridge whose first stanza is edited
 * @ports: the ports, or NULL/@nports 0 for the physical ports behind
 *	the bridge (through bonds and VLANs)
 * @req: the features (ignored for NFX_PERSIST_REMOVE)
 * @flags: NFX_PERSIST_*
 * @ret: the result, to release with nfx_persist_done()
 *
 * Takes the lock, re-reads the files, edits the stanza's text through
 * Augeas and the project lens, splices it back and replaces the file
 * atomically, after a backup.  Every refusal leaves every file as it was.
 *
 * Return: 0; -EINVAL for invalid input (unknown bridge, port not behind
 * the bridge, a conflicting line, a parse error "FILE:LINE: ..."),
 * -EEXIST for pending Proxmox changes, -ETIMEDOUT for the lock, -errno.
 */
int nfx_persist(const struct nfx_cfgopts *o, const char *bridge,
		const char *const *ports, size_t nports,
		const struct nfx_featreq *req, unsigned int flags,
		struct nfx_persist *ret, struct nfx_err *err);

/** nfx_persist_done() - free what @p holds; a zeroed one is fine */
void nfx_persist_done(struct nfx_persist *p);

/** nfx_action_name() - "added", "completed", "unchanged", ... */
const char *nfx_action_name(enum nfx_action action);

/**
 * struct nfx_offload - one offload line found in a bridge stanza
 * @bridge: the stanza's interface
 * @port: the device the line changes
 * @file: where it is (borrowed from the list) and @lineno
 * @cmd: the command (malloc'd)
 * @off: the features it turns off, or NULL when it is malformed
 * @guarded: ends in "|| true"
 * @behind: @port is behind @bridge in the configuration
 * @problem: empty, or why the line is wrong (malformed, turns a feature
 *	on, duplicate)
 */
struct nfx_offload {
	char bridge[NFX_IFNAMSIZ];
	char port[NFX_IFNAMSIZ];
	char *file;
	unsigned int lineno;
	char *cmd;
	struct nfx_featreq *off;
	bool guarded;
	bool behind;
	char problem[512];
};

/**
 * nfx_offloads_read() - the offload lines of bridge stanzas
 * @o: the configuration (only @root and @path are used)
 * @bridges: only these bridges, or NULL/@nbridges 0 for every stanza
 *	that has offload lines
 * @ret_v: array to free with nfx_offloads_free(), in file order
 *
 * The fast reader: no Augeas, fit for the boot path.
 * Return: the number of lines, or -errno (-EINVAL for an unknown bridge
 * or a file that cannot be parsed).
 */
int nfx_offloads_read(const struct nfx_cfgopts *o, const char *const *bridges,
		      size_t nbridges, struct nfx_offload **ret_v,
		      struct nfx_err *err);

/** nfx_offloads_free() - NULL is fine */
void nfx_offloads_free(struct nfx_offload *v, int n);

#endif /* NICFIX_H */

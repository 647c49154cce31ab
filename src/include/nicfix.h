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

/**
 * nfx_feat_short() - the short legacy name for @name ("tso" for "tso" and
 *	for "tcp-segmentation-offload"), or NULL for a kernel name
 */
const char *nfx_feat_short(const char *name);

/** nfx_feat_shown() - the short name when @name has one, else @name */
const char *nfx_feat_shown(const char *name);

/**
 * nfx_feat_covers() - is kernel feature @kname behind @name?
 * @name: a short ("tso") or a kernel name
 * @kname: a kernel name ("tx-tcp6-segmentation")
 * Return: true as "ethtool -K DEV @name off" would change @kname.
 */
bool nfx_feat_covers(const char *name, const char *kname);

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

/**
 * nfx_live_feature_known() - does the running kernel have feature @name?
 * @name: a kernel feature name (tx-tcp-segmentation), not a legacy one
 * Return: 1 or 0; -EOPNOTSUPP over the ioctl, whose list belongs to a
 *	device; or -errno.
 */
int nfx_live_feature_known(struct nfx_live *live, const char *name,
			   struct nfx_err *err);

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
 * @mac: the address udev matches a .link file's MACAddress= against at
 *	boot: the permanent one (IFLA_PERM_ADDRESS, or a bond slave's own,
 *	which its IFLA_ADDRESS no longer is) when the kernel knows it, else
 *	IFLA_ADDRESS; only when @has_mac (6-byte Ethernet addresses)
 * @has_mac: @mac is set
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
	unsigned char mac[6];
	bool has_mac;
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
 * nfx_link_bridge() - the bridge @link ends up in
 * @ret_bridge: its master when that is a bridge, or the bridge its bond is
 *	enslaved to; "" when none (NFX_IFNAMSIZ bytes)
 * @ret_bond: the bond in between, "" when none; may be NULL
 */
void nfx_link_bridge(struct nfx_live *live, const struct nfx_link *link,
		     char *ret_bridge, char *ret_bond);

/**
 * nfx_link_kind_name() - "port", "bridge", "bond", "vlan", "other"
 */
const char *nfx_link_kind_name(enum nfx_link_kind kind);

/**
 * nfx_link_set_up() - set or clear IFF_UP of one interface (RTM_NEWLINK
 *	with only IFF_UP in ifi_change): what `ip link set NAME down|up` does
 * @live: the handle (its rtnetlink socket is opened on first use)
 * @name: the interface
 * @up: true for up, false for down
 * @err: may be NULL; gets the kernel's extack message
 * Return: 0 or -errno (-ENODEV: no such interface).
 */
int nfx_link_set_up(struct nfx_live *live, const char *name, bool up,
		    struct nfx_err *err);

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

/**
 * nfx_features_bit() - the @i-th kernel bit behind @name on this device
 * @feat: the device's features
 * @name: a short or kernel name
 * @i: 0 for the first, then 1, 2, ...
 * @ret_on: if not NULL, set to its active state
 * @ret_fixed: if not NULL, set when the device cannot change it
 * Return: its kernel name, borrowed from the struct nfx_live; NULL after
 *	the last.
 */
const char *nfx_features_bit(const struct nfx_features *feat, const char *name,
			     size_t i, bool *ret_on, bool *ret_fixed);

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

enum nfx_pick {
	NFX_PICK_ON,	      /* still on, whatever the reason */
	NFX_PICK_TURNED_OFF,  /* NFX_RES_OFF */
	NFX_PICK_ALREADY_OFF, /* off, and not by this operation */
};

/**
 * nfx_report_names() - the kernel names of one kind of item, for messages
 * @buf: receives them space separated ("" when none), cut to fit @len
 * Return: how many items are of that kind.
 */
size_t nfx_report_names(const struct nfx_report *report, enum nfx_pick pick,
			char *buf, size_t len);

/* what became of one requested name (tso) on one port, of all its bits */
enum nfx_outcome {
	NFX_OUT_TURNED_OFF, /* a bit behind it was on, and is off now */
	NFX_OUT_ALREADY_OFF,
	NFX_OUT_FIXED,	    /* the device cannot change it (on or off) */
	NFX_OUT_FAILED,	    /* changeable, asked off, still on */
	NFX_OUT_NONE,	    /* the device has no bit behind it */
	NFX_OUT_MAX,
};

#define NFX_SUMMARY_MAX 64

/**
 * struct nfx_summary - one port's report in requested names
 * @name: shown name of each requested feature ("tso"; a kernel name as
 *	requested), borrowed from the request or a static table
 * @out: its outcome
 * @on: a bit behind it is still on
 * @n: how many names
 */
struct nfx_summary {
	const char *name[NFX_SUMMARY_MAX];
	enum nfx_outcome out[NFX_SUMMARY_MAX];
	bool on[NFX_SUMMARY_MAX];
	size_t n;
};

/** nfx_summarize() - @r, a report of @req, per requested name */
void nfx_summarize(const struct nfx_report *r, const struct nfx_featreq *req,
		   struct nfx_summary *s);

/** nfx_summary_on() - is any requested name still on? */
bool nfx_summary_on(const struct nfx_summary *s);

/**
 * nfx_summary_text() - "tso gso gro off (turned off: gso gro)", "tso
 * still on (failed: tso)", cut to fit @len: the apply line after "PORT: "
 */
void nfx_summary_text(const struct nfx_summary *s, char *buf, size_t len);

/** nfx_result_name() - "off", "already off", "fixed", "failed", "drift" */
const char *nfx_result_name(enum nfx_result result);

/* ---- the interfaces configuration (persist.c, offloads.c) ------------ */

/**
 * struct nfx_cfgopts - where the configuration lives
 * @root: absolute include paths are read under it ("/")
 * @path: the main interfaces file
 * @lensdir: where the project's Augeas lens may be: a ':'-list of
 *	directories, the first that holds it is used
 * @backup_dir: where previous versions are kept (outside /etc/network)
 * @lock_timeout_ms: how long to wait for another writer
 * @named_only: nfx_offloads_read() of one bridge keeps only its stanzas:
 *	the boot path; "behind" is then not worked out and reads true
 * @unknown_ok: nfx_offloads_read() of a bridge without a stanza finds no
 *	lines instead of failing: the hook, as ifupdown2 also runs it for
 *	the ports it brings up, which have no stanza of their own
 */
struct nfx_cfgopts {
	const char *root;
	const char *path;
	const char *lensdir;
	const char *backup_dir;
	int lock_timeout_ms;
	bool named_only;
	bool unknown_ok;
};

enum nfx_action {
	NFX_ACT_ADDED,	   /* a new line */
	NFX_ACT_COMPLETED, /* an existing line, completed in place */
	NFX_ACT_UNCHANGED, /* an equivalent line was there */
	NFX_ACT_REMOVED,   /* unpersist removed the features (or the line) */
	NFX_ACT_ABSENT,	   /* unpersist found none */
	NFX_ACT_RENAMED,   /* a line naming the port's old name (pinning
			    * renamed the NIC) now names the port */
};

/**
 * struct nfx_persist_port - what persist did for one port
 * @port: the port
 * @action: what was done
 * @line: the option's value as it now reads (or was, for a line removed)
 * @from: RENAMED: the old name the line had ("" otherwise)
 * @file: index in struct nfx_persist's @files of the file holding it
 * @lineno: its line there (0 when there is none)
 * @risk_line: 0, or the line of an existing offload line of this port
 *	that Proxmox VE's writer drops or moves (left as it was)
 * @risk: why, when @risk_line is set (static)
 */
struct nfx_persist_port {
	char port[NFX_IFNAMSIZ];
	enum nfx_action action;
	char line[512];
	char from[NFX_IFNAMSIZ];
	size_t file;
	unsigned int lineno;
	unsigned int risk_line;
	const char *risk;
};

/**
 * struct nfx_persist_file - one file an edit looked at
 * @path: the file (malloc'd)
 * @pending: it is interfaces.new, Proxmox VE's pending GUI changes
 * @changed: its text changed (or would, with a dry run)
 * @diff: unified diff of the change, "" when unchanged (malloc'd)
 * @backup: where its previous version was saved, or NULL (malloc'd)
 */
struct nfx_persist_file {
	char *path;
	bool pending;
	bool changed;
	char *diff;
	char *backup;
};

/**
 * struct nfx_persist - result of nfx_persist()
 * @file: the file that holds the stanza (malloc'd)
 * @lineno: line of the stanza's iface line
 * @n: number of @ports
 * @changed: some file changed (or would, with a dry run)
 * @diff: the unified diffs of every file, "" when unchanged (malloc'd)
 * @backup: where the main file's previous version was saved, or NULL
 * @files: the files edited alike: the one holding the stanza, and
 *	interfaces.new when it exists; @nfiles
 */
struct nfx_persist {
	char *file;
	unsigned int lineno;
	size_t n;
	struct nfx_persist_port *ports;
	bool changed;
	char *diff;
	char *backup;
	struct nfx_persist_file files[2];
	size_t nfiles;
};

enum {
	NFX_PERSIST_REMOVE = 1 << 0,	   /* unpersist */
	NFX_PERSIST_DRY_RUN = 1 << 1,	   /* compute and diff, write nothing */
	NFX_PERSIST_ALLOW_CONFLICT = 1 << 2, /* turn off a feature a line
					      * turns on */
	NFX_PERSIST_ALLOW_NOT_BEHIND = 1 << 3, /* a PORT not behind the bridge */
};

/**
 * nfx_persist() - add (or remove) the offload lines of a bridge stanza
 * @o: the configuration
 * @iface: the bridge, or a NIC in no bridge (its own stanza)
 * @ports: the ports, or NULL/@nports 0 for the physical ports behind
 *	the bridge (through bonds and VLANs)
 * @req: the features
 * @flags: NFX_PERSIST_*
 * @ret: the result, to release with nfx_persist_done()
 *
 * A line of the stanza naming a NIC that is not behind the bridge, and
 * that pinning certainly renamed to one of the ports (nfx_pins_follow(),
 * under @o->root), is rewritten to name that port (NFX_ACT_RENAMED).
 *
 * The stanza and the place in it are nfx_place_stanza()'s and
 * nfx_place_after()'s.  Takes both locks (nicfix's and Proxmox VE's),
 * re-reads the files, edits the stanza's text through Augeas and the
 * project lens, splices it back and replaces the file atomically, after a
 * backup; interfaces.new, when it exists beside the file, gets the same
 * edit.  A dry run takes no lock and writes nothing.  Every refusal leaves
 * every file as it was.
 *
 * Return: 0; -EINVAL for invalid input (unknown interface, port not behind
 * the bridge, a conflicting line, a parse error "FILE:LINE: ..."),
 * -ETIMEDOUT for the lock, -errno.
 */
int nfx_persist(const struct nfx_cfgopts *o, const char *iface,
		const char *const *ports, size_t nports,
		const struct nfx_featreq *req, unsigned int flags,
		struct nfx_persist *ret, struct nfx_err *err);

/** nfx_persist_done() - free what @p holds; a zeroed one is fine */
void nfx_persist_done(struct nfx_persist *p);

/**
 * struct nfx_undo - result of nfx_undo()
 * @files: the files of nicfix's last edit, @nfiles; @diff of each is
 *	what undo changes (the file now -> the version before the edit)
 * @changed: some file differs from its version before the edit
 * @refused: some file changed since nicfix wrote it: nothing restored
 * @nothing: no edit of nicfix's is on record
 * @diff: every file's diff (malloc'd)
 */
struct nfx_undo {
	struct nfx_persist_file files[2];
	size_t nfiles;
	bool changed;
	bool refused;
	bool nothing;
	char *diff;
};

/**
 * nfx_undo() - restore the files of nicfix's last edit
 * @o: the configuration (@path, @backup_dir, @lock_timeout_ms)
 * @flags: NFX_PERSIST_DRY_RUN, or 0
 * @ret: to release with nfx_undo_done(); @refused when a file changed
 *	since the edit (nothing is then restored)
 *
 * Under both locks, each file atomically, after a backup of the version
 * it replaces; the record is then dropped.
 * Return: 0, or -errno.
 */
int nfx_undo(const struct nfx_cfgopts *o, unsigned int flags,
	     struct nfx_undo *ret, struct nfx_err *err);

/** nfx_undo_done() - free what @u holds; a zeroed one is fine */
void nfx_undo_done(struct nfx_undo *u);

/** nfx_action_name() - "added", "completed", "unchanged", ... */
const char *nfx_action_name(enum nfx_action action);

/**
 * struct nfx_offload - one offload line found in a bridge stanza
 * @bridge: the stanza's interface
 * @family: the stanza's address family ("inet", "inet6"; "" if none)
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
	char family[16];
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

/* ---- renamed NICs: pinning .link files and udev's record (pin.c) ---- */

struct nfx_pins;

/**
 * nfx_pins_load() - read the systemd .link files that can rename a NIC
 * @root: the system's root ("/"); every path is taken under it
 * @ret_pins: to free with nfx_pins_free()
 * @err: may be NULL
 *
 * Reads /etc/systemd/network, /run/systemd/network,
 * /usr/local/lib/systemd/network and /usr/lib/systemd/network as udev
 * does: files sorted by name, a name in an earlier directory masking the
 * same name in a later one, an empty file or a link to /dev/null masking
 * without matching.  Missing directories are fine: then no NIC is renamed.
 *
 * Return: 0, or -errno (-ENOMEM; an unreadable directory).
 */
int nfx_pins_load(const char *root, struct nfx_pins **ret_pins,
		  struct nfx_err *err);

/** nfx_pins_free() - NULL is fine */
void nfx_pins_free(struct nfx_pins *pins);

/** nfx_pins_count() - how many .link files apply (after masking) */
size_t nfx_pins_count(const struct nfx_pins *pins);

enum nfx_rename_how {
	NFX_RENAME_NONE,    /* not renamed, or not certainly */
	NFX_RENAME_PENDING, /* the NIC still has its old name; the first
			     * .link file matching its MAC names it anew at
			     * the next boot */
	NFX_RENAME_DONE,    /* the old name is gone: udev's record of a NIC
			     * gives it as one of its ID_NET_NAME_* names */
};

/**
 * struct nfx_rename - where a NIC name went
 * @how: NFX_RENAME_*
 * @old: the name asked about
 * @name: its new name ("" with NFX_RENAME_NONE)
 * @mac: the NIC's address, "00:1b:21:aa:bb:cc" ("" when unknown)
 * @source: what says so: the .link file (PENDING; DONE when udev's record
 *	names it), or ""
 * @property: DONE: the udev property that holds @old ("ID_NET_NAME_ONBOARD")
 * @why: NONE: why a rename that may be is not certain ("" when there is
 *	simply none)
 */
struct nfx_rename {
	enum nfx_rename_how how;
	char old[NFX_IFNAMSIZ];
	char name[NFX_IFNAMSIZ];
	char mac[18];
	char source[256];
	char property[32];
	char why[400];
};

/**
 * nfx_pins_follow() - the name NIC @old has now, or has from the next boot
 * @pins: the .link files (nfx_pins_load()); udev's database
 *	(/run/udev/data/n<IFINDEX>) is read under the same root
 * @live: the netlink handle
 * @old: a NIC name, e.g. one an offload line names
 * @ret: filled (also with NFX_RENAME_NONE)
 * @err: may be NULL
 *
 * Nothing is renamed on a guess.  When @old exists, its address (see
 * struct nfx_link) is matched against the .link files: the first file
 * that matches applies, and a file nicfix cannot judge before it leaves
 * the answer NONE.  When @old does not exist, the NIC whose udev record
 * has ID_NET_NAME_ONBOARD, _SLOT, _PATH or _MAC equal to @old is the one;
 * two such NICs are NONE.  A record counts only when its ID_NET_NAME (the
 * name udev gave) is the NIC's name now.
 *
 * Return: 1 when renamed (PENDING or DONE), 0 when not, or -errno.
 */
int nfx_pins_follow(const struct nfx_pins *pins, struct nfx_live *live,
		    const char *old, struct nfx_rename *ret, struct nfx_err *err);

/** nfx_rename_how_name() - "none", "pending", "done" */
const char *nfx_rename_how_name(enum nfx_rename_how how);

/* ---- kernel log reading (klog.c) ------------------------------------- */

/* a time stamp that is not known */
#define NFX_TIME_NONE (-0x7fffffffffffffffLL - 1)

enum nfx_clock {
	NFX_CLOCK_NONE, /* the line has no time stamp */
	NFX_CLOCK_BOOT, /* milliseconds since boot (dmesg, /dev/kmsg) */
	NFX_CLOCK_WALL, /* local wall-clock time: milliseconds since 1970
			 * of the date and time as written, read as UTC */
};

/**
 * struct nfx_klog_rec - one line of a kernel log, its prefix taken off
 * @text: the message, not NUL-terminated; borrowed from the reader until
 *	its next call
 * @len: length of @text
 * @time: when, in the unit of @clock (NFX_TIME_NONE with NFX_CLOCK_NONE)
 * @clock: what @time counts
 * @line: 1-based number of the physical line it came from
 * @repeat: how many times it was logged (rsyslog "message repeated N
 *	times"), at least 1
 * @cont: a continuation line of the record before it (indented, or a
 *	piece of a message joined with "#012" or "\x0a")
 * @kernel: from the kernel, or from a line that does not say; false for
 *	lines a user-space program logged
 */
struct nfx_klog_rec {
	const char *text;
	size_t len;
	long long time;
	enum nfx_clock clock;
	unsigned long line;
	unsigned int repeat;
	bool cont;
	bool kernel;
};

/**
 * struct nfx_klog_opts - what the reader cannot know by itself
 * @now: NFX_CLOCK_WALL time now; syslog dates have no year, and get the
 *	one that puts them in the past year
 * @boot: NFX_CLOCK_WALL time of this boot, to date the NFX_CLOCK_BOOT
 *	stamps of this boot's log (/dev/kmsg, dmesg); NFX_TIME_NONE otherwise
 */
struct nfx_klog_opts {
	long long now;
	long long boot;
};

enum nfx_klog_src {
	NFX_KLOG_JOURNAL, /* journalctl -k -b, where journald runs */
	NFX_KLOG_KMSG,	  /* /dev/kmsg, read without blocking */
	NFX_KLOG_DMESG,	  /* dmesg */
};

struct nfx_klog;

/**
 * nfx_klog_open_fd() - read a kernel log from a file or a pipe
 * @fd: the descriptor; the reader does not close it
 * @o: options (NULL: none)
 * @ret_kl: the reader, to close with nfx_klog_close()
 * @err: may be NULL
 *
 * Memory stays bounded (one 1 MiB buffer) whatever the size of the log; a
 * line longer than that is cut.
 *
 * Return: 0 or -ENOMEM.
 */
int nfx_klog_open_fd(int fd, const struct nfx_klog_opts *o,
		     struct nfx_klog **ret_kl, struct nfx_err *err);

/**
 * nfx_klog_open_mem() - read a kernel log held in memory
 * @buf: the text, borrowed until nfx_klog_close()
 * @len: its length
 * @o: options (NULL: none)
 * @ret_kl: the reader
 * @err: may be NULL
 * Return: 0 or -ENOMEM.
 */
int nfx_klog_open_mem(const char *buf, size_t len,
		      const struct nfx_klog_opts *o, struct nfx_klog **ret_kl,
		      struct nfx_err *err);

/**
 * nfx_klog_open_src() - read this host's kernel log
 * @src: where from
 * @since: for NFX_KLOG_JOURNAL, passed on as "--since=@since"; may be NULL
 * @o: options; @o->boot dates the stamps of /dev/kmsg and dmesg
 * @ret_kl: the reader
 * @err: may be NULL
 *
 * Commands run by fork and exec, with no shell and an environment of
 * LC_ALL=C only; their standard error goes to /dev/null.
 *
 * Return: 0; -ENOENT when the source is not there (no journald, no
 * journalctl, no /dev/kmsg, no dmesg), -EPERM, or -errno.
 */
int nfx_klog_open_src(enum nfx_klog_src src, const char *since,
		      const struct nfx_klog_opts *o, struct nfx_klog **ret_kl,
		      struct nfx_err *err);

/** nfx_klog_src_name() - "journalctl -k -b", "/dev/kmsg" or "dmesg" */
const char *nfx_klog_src_name(enum nfx_klog_src src);

/**
 * nfx_klog_next() - the next record
 * @kl: the reader
 * @all: every line; false lets the reader skip the lines that hold no
 *	anchor of a signature (see nfx_diag_add()), which is what makes it
 *	fast
 * @ret_rec: the record, valid until the next call
 * @err: may be NULL; the reason names no line: see nfx_klog_lines()
 *
 * Return: 1 with a record, 0 at the end, -EINVAL for input that is not a
 * text log (binary, compressed, a journal file), or -errno of a read.
 */
int nfx_klog_next(struct nfx_klog *kl, bool all, struct nfx_klog_rec *ret_rec,
		  struct nfx_err *err);

/** nfx_klog_lines() - number of lines read so far */
unsigned long nfx_klog_lines(const struct nfx_klog *kl);

/**
 * nfx_klog_close() - free the reader, and reap its command
 * @kl: NULL is fine
 * @err: may be NULL
 * Return: 0, or -EIO when the command failed (the reason in @err).
 */
int nfx_klog_close(struct nfx_klog *kl, struct nfx_err *err);

/**
 * nfx_klog_civil() - NFX_CLOCK_WALL time of a date and time
 * @year: e.g. 2024; @mon: 1-12; @day: 1-31; @hour, @min, @sec
 * Return: milliseconds since 1970-01-01 00:00:00, as if UTC.
 */
long long nfx_klog_civil(int year, int mon, int day, int hour, int min,
			 int sec);

/**
 * nfx_klog_time_str() - a time for people
 * @time: the time; @clock: its clock
 * @buf: where to write; @size: its size (32 is enough)
 * Return: @buf: "2024-04-16 06:10:00", "123.456 s after boot" or "-".
 */
char *nfx_klog_time_str(long long time, enum nfx_clock clock, char *buf,
			size_t size);

/**
 * nfx_klog_parse_since() - parse the WHEN of "--since WHEN"
 * @when: "2024-04-16", "2024-04-16 06:10[:00]", "2024-04-16T06:10:00",
 *	"06:10[:00]" (today), "today", "yesterday", "-2h", "2h ago",
 *	"30min ago" (units s, min, m, h, d)
 * @now: NFX_CLOCK_WALL time now
 * @ret_time: the NFX_CLOCK_WALL time
 * @err: may be NULL
 * Return: 0 or -EINVAL.
 */
int nfx_klog_parse_since(const char *when, long long now, long long *ret_time,
			 struct nfx_err *err);

/* ---- kernel log diagnosis (diag.c) ------------------------------------ */

enum nfx_diag_kind {
	NFX_DIAG_LINK,	       /* link down/up only: not a hang */
	NFX_DIAG_E1000E_HANG,  /* e1000e "Detected Hardware Unit Hang" */
	NFX_DIAG_E1000_HANG,   /* e1000 "Detected Tx Unit Hang" */
	NFX_DIAG_IGB_HANG,     /* igb "Detected Tx Unit Hang" */
	NFX_DIAG_IXGBE_HANG,   /* ixgbe "Detected Tx Unit Hang" */
	NFX_DIAG_TX_HANG,      /* the same words from another driver */
	NFX_DIAG_TX_TIMEOUT,   /* "NETDEV WATCHDOG: ... timed out" */
	NFX_DIAG_RESET,	       /* "Reset adapter unexpectedly" alone */
};

enum nfx_diag_match {
	NFX_MATCH_NONE,	  /* not a hang */
	NFX_MATCH_WEAK,	  /* a hang; turning offloads off helps some */
	NFX_MATCH_LIKELY, /* e1000e, but not every mark of the race */
	NFX_MATCH_STRONG, /* the e1000e offload race signature */
};

/* the fields of a hang report nicfix reads */
enum {
	NFX_RING_TDH,
	NFX_RING_TDT,
	NFX_RING_NTU,	 /* next_to_use */
	NFX_RING_NTC,	 /* next_to_clean */
	NFX_RING_NTW,	 /* next_to_watch */
	NFX_RING_STATUS, /* next_to_watch.status, desc.status */
	NFX_RING_JIFFIES,
	NFX_RING_QUEUE,	 /* Tx Queue */
	NFX_RING_MAX,
};

/**
 * struct nfx_diag_ring - the ring pointers of one hang report
 * @mask: which fields the report had (1 << NFX_RING_*)
 * @v: their values
 */
struct nfx_diag_ring {
	unsigned int mask;
	unsigned long long v[NFX_RING_MAX];
};

/**
 * struct nfx_diag_event - what the log says about one interface
 * @ifname: the interface ("" when the log never names it)
 * @pci: its PCI address ("" when the log never gives it)
 * @driver: the driver that logged it ("" when unknown)
 * @kind: the strongest symptom seen
 * @match: how well it matches the offload race
 * @reports: hang reports (blocks), duplicates left out
 * @partial: how many of @reports were cut (the log starts or ends inside
 *	one, or lines are missing)
 * @timeouts: "NETDEV WATCHDOG" transmit timeouts
 * @resets: adapter resets; @link_down, @link_up: link changes
 * @resets_after, @down_after, @up_after: those after the first hang
 * @first, @last: first and last hang report (of any record when there is
 *	none), in the unit of @clock; @first_line: the line of @first
 * @clock: the clock of @first and @last
 * @interval: typical milliseconds between reports, NFX_TIME_NONE
 * @ring_first, @ring_last: the ring pointers of the first and last report
 * @frozen: the ring pointers were the same in every report (two or more)
 * @stuck: TDH == next_to_clean in every report that had both
 * @status_zero: next_to_watch.status 0 in every report that had it
 * @first_up: time of the first link up (NFX_TIME_NONE), when a persisted
 *	fix takes effect; @reports_after_up: hang reports after it
 * @features: what to turn off ("tso,gso,gro"); static
 * @symptom: the log's words ("Detected Hardware Unit Hang"); static
 * @why: one line: why this @match; static
 * @note: one line: what else to know; static
 */
struct nfx_diag_event {
	char ifname[NFX_IFNAMSIZ];
	char pci[16];
	char driver[32];
	enum nfx_diag_kind kind;
	enum nfx_diag_match match;
	unsigned long reports;
	unsigned long partial;
	unsigned long timeouts;
	unsigned long resets;
	unsigned long link_down;
	unsigned long link_up;
	unsigned long resets_after;
	unsigned long down_after;
	unsigned long up_after;
	long long first;
	long long last;
	unsigned long first_line;
	enum nfx_clock clock;
	long long interval;
	struct nfx_diag_ring ring_first;
	struct nfx_diag_ring ring_last;
	bool frozen;
	bool stuck;
	bool status_zero;
	long long first_up;
	unsigned long reports_after_up;
	const char *features;
	const char *symptom;
	const char *why;
	const char *note;
};

/**
 * struct nfx_diag_opts - how to diagnose
 * @since: NFX_CLOCK_WALL time; records before it are left out
 *	(NFX_TIME_NONE: none are)
 */
struct nfx_diag_opts {
	long long since;
};

struct nfx_diag;

/**
 * nfx_diag_new() - start a diagnosis
 * @o: options (NULL: none)
 * @ret_d: to free with nfx_diag_free()
 * @err: may be NULL
 * Return: 0 or -ENOMEM.
 */
int nfx_diag_new(const struct nfx_diag_opts *o, struct nfx_diag **ret_d,
		 struct nfx_err *err);

/** nfx_diag_free() - NULL is fine */
void nfx_diag_free(struct nfx_diag *d);

/**
 * nfx_diag_add() - take one record
 * @d: the diagnosis
 * @rec: from nfx_klog_next()
 *
 * Pure: no I/O.  Memory is bounded: at most 256 interfaces are followed.
 *
 * Return: 1 when the next line is wanted whatever it holds (inside a hang
 * report, and at the start of the log, which may begin in the middle of
 * one): pass it as @all to nfx_klog_next(); 0 otherwise.
 */
int nfx_diag_add(struct nfx_diag *d, const struct nfx_klog_rec *rec);

/**
 * nfx_diag_finish() - end of the log: close the last report, merge what the
 *	log said of one interface by name and by PCI address, and judge
 * @d: the diagnosis
 */
void nfx_diag_finish(struct nfx_diag *d);

/** nfx_diag_count() - number of events, after nfx_diag_finish() */
size_t nfx_diag_count(const struct nfx_diag *d);

/**
 * nfx_diag_event() - the @i-th event, hangs first, strongest first
 * Return: owned by @d.
 */
const struct nfx_diag_event *nfx_diag_event(const struct nfx_diag *d,
					    size_t i);

/**
 * nfx_diag_undated() - records --since could not apply to (no date); they
 *	were kept
 */
unsigned long nfx_diag_undated(const struct nfx_diag *d);

/** nfx_diag_is_hang() - is @ev a hang (exit status 1)? */
bool nfx_diag_is_hang(const struct nfx_diag_event *ev);

/** nfx_diag_kind_name() - "e1000e-hardware-unit-hang", ..., "link-flap" */
const char *nfx_diag_kind_name(enum nfx_diag_kind kind);

/** nfx_diag_match_name() - "none", "weak", "likely", "strong" */
const char *nfx_diag_match_name(enum nfx_diag_match match);

/**
 * struct nfx_diag_live - what this host says of the event's interface
 * @present: the interface exists here; the rest is unset otherwise
 * @bridge: the bridge it is a port of (through a bond), "" for none
 * @driver: its driver ("" when unknown)
 * @features: its features could be read; then @state holds each of
 *	the event's features (in the order of @ev->features) up to 8
 * @persisted: the configuration turns every one of them off at ifup (set
 *	by the caller, from nfx_check_config())
 */
struct nfx_diag_live {
	bool persisted;
	bool present;
	char bridge[NFX_IFNAMSIZ];
	char driver[32];
	bool features;
	enum nfx_state state[8];
};

/**
 * struct nfx_diag_advice - what to run
 * @persist: "nicfix persist vmbr0 eno1"; with "BRIDGE" (and @bridge_known
 *	false) when the bridge is not known here; "" when the interface is
 *	here but in no bridge
 * @apply: "nicfix apply eno1", for now ("" when the log names no interface)
 * @bridge_known: @persist names a real bridge
 * @off: every feature is already off (live); then @apply is ""
 * @persisted: the fix is in the configuration; then @persist is ""
 */
struct nfx_diag_advice {
	char persist[160];
	char apply[160];
	bool bridge_known;
	bool off;
	bool persisted;
};

/**
 * nfx_diag_advise() - the commands for @ev, given what this host says
 * @ev: a hang event
 * @live: may be NULL (not on this host)
 * @ret: the advice
 */
void nfx_diag_advise(const struct nfx_diag_event *ev,
		     const struct nfx_diag_live *live,
		     struct nfx_diag_advice *ret);

/* ---- diagnose on this host (dhost.c) -------------------------------- */

/**
 * nfx_diag_clocks() - the times the log reader cannot know by itself
 * @ret: filled: now, and this boot's start when @this_boot
 * @this_boot: the log is this boot's (not a file from elsewhere)
 */
void nfx_diag_clocks(struct nfx_klog_opts *ret, bool this_boot);

/**
 * nfx_diag_feed() - give every record of @kl to @d
 * @d: the diagnosis
 * @kl: the reader (still to be closed by the caller)
 * @ret_lines: lines read, also on failure (the failing line is the next)
 * @err: may be NULL
 * Return: 0 at the end of the log; a negative errno from the reader
 *	(-EINVAL: not a log, e.g. binary data).
 */
int nfx_diag_feed(struct nfx_diag *d, struct nfx_klog *kl,
		  unsigned long *ret_lines, struct nfx_err *err);

/**
 * nfx_diag_read_host() - feed this boot's kernel log to @d
 * @d: the diagnosis
 * @since: journalctl's --since (NULL: the whole boot)
 * @ko: the clocks (nfx_diag_clocks())
 * @ret_src: the source used ("journalctl", "/dev/kmsg", "dmesg"); static
 * @ret_lines: how many lines it gave
 * @err: may be NULL
 *
 * Tries journalctl, /dev/kmsg and dmesg in that order; a source that fails
 * before giving a line gives way to the next.
 *
 * Return: 0, or a negative errno when no source could be read.
 */
int nfx_diag_read_host(struct nfx_diag *d, const char *since,
		       const struct nfx_klog_opts *ko, const char **ret_src,
		       unsigned long *ret_lines, struct nfx_err *err);

/**
 * nfx_diag_feature_next() - walk an event's comma list of features
 * @p: the position in the list (start: the event's @features); advanced
 * @name: where the next name goes
 * @size: its size
 * Return: false at the end of the list.
 */
bool nfx_diag_feature_next(const char **p, char *name, size_t size);

/**
 * nfx_diag_live_get() - what this host says of @ev's interface
 * @live: the netlink sockets
 * @ev: the event
 * @ret: zeroed, then filled as far as the facts go
 * @err: may be NULL; -ENODEV when the interface is not on this host
 * Return: 0 or a negative errno.
 */
int nfx_diag_live_get(struct nfx_live *live, const struct nfx_diag_event *ev,
		      struct nfx_diag_live *ret, struct nfx_err *err);

/* ---- following /dev/kmsg (kfollow.c) ---------------------------------- */

/**
 * struct nfx_kmsg_rec - one /dev/kmsg record
 * @facility: PRI >> 3 (0: the kernel; user space writing to /dev/kmsg
 *	gets 1, LOG_USER, and cannot get 0)
 * @level: PRI & 7
 * @seq: the record's sequence number
 * @usec: microseconds since boot
 * @line: the header line "PRI,SEQ,USEC,FLAGS;message" (no newline), the
 *	form nfx_klog_parse() reads; borrowed until the next call
 * @line_len: its length
 * @text: the message, behind the ';' (its newlines come as "\x0a");
 *	points into @line; @len: its length
 * @device: the DEVICE= value ("+pci:0000:00:1f.6", "n3"), "" when none
 * @subsystem: the SUBSYSTEM= value ("pci"), "" when none
 */
struct nfx_kmsg_rec {
	unsigned int facility;
	unsigned int level;
	unsigned long long seq;
	unsigned long long usec;
	const char *line;
	size_t line_len;
	const char *text;
	size_t len;
	char device[64];
	char subsystem[32];
};

/**
 * nfx_kmsg_parse() - read one record, as /dev/kmsg gives it to a read()
 * @buf: the record: its header line, then " KEY=value" lines
 * @len: its length (a trailing newline is fine)
 * @ret: the record; its pointers point into @buf
 * Return: 0, or -EINVAL for text that is no record (no "PRI,SEQ,USEC,").
 */
int nfx_kmsg_parse(const char *buf, size_t len, struct nfx_kmsg_rec *ret);

struct nfx_kfollow;

/* how to follow */
enum {
	NFX_KF_TAIL = 1 << 0,	/* start after the last record (SEEK_END);
				 * else read the backlog (this boot's log
				 * still in the buffer) first */
};

/**
 * typedef nfx_kfollow_read_fn - where the records come from, for the unit
 *	tests: read(2)'s contract (-1 and errno on failure)
 */
typedef long (*nfx_kfollow_read_fn)(void *ctx, void *buf, size_t len);

/**
 * nfx_kfollow_open() - follow a /dev/kmsg, or a stand-in for it
 * @path: "/dev/kmsg"; a FIFO or a file for tests.  A character device
 *	gives one record per read(), as the kernel's does; a FIFO or a file
 *	is a stream, split into records here (a read may hold several, and
 *	a record ends where the next header line starts, or where the
 *	stream pauses).  A FIFO is opened read-write, so that it never ends
 *	when a writer closes it.
 * @flags: NFX_KF_*
 * @ret_kf: the follower, to close with nfx_kfollow_close()
 * @err: may be NULL
 * Return: 0 or -errno (-EPERM: CAP_SYSLOG is needed).
 */
int nfx_kfollow_open(const char *path, unsigned int flags,
		     struct nfx_kfollow **ret_kf, struct nfx_err *err);

/**
 * nfx_kfollow_open_fn() - follow what @fn reads (unit tests)
 * @fn: the reader; @ctx: its argument
 * @stream: split a stream into records, rather than one per read
 * @ret_kf: the follower
 * @err: may be NULL
 * Return: 0 or -ENOMEM.
 */
int nfx_kfollow_open_fn(nfx_kfollow_read_fn fn, void *ctx, bool stream,
			struct nfx_kfollow **ret_kf, struct nfx_err *err);

/** nfx_kfollow_fd() - the descriptor to poll(), -1 once a file ended */
int nfx_kfollow_fd(const struct nfx_kfollow *kf);

/**
 * nfx_kfollow_next() - the next record
 * @kf: the follower
 * @ret: the record, valid until the next call
 * @err: may be NULL
 *
 * EPIPE (the kernel overwrote records before they were read) is counted
 * and read past: the lost records are the gap in the sequence numbers.
 * A record too long for the buffer (at least 8 KiB, more than the kernel
 * writes) is cut.
 *
 * Return: 1 with a record, 0 when there is none now (poll() again), or
 * -errno of a read; -ENODATA once a file (not a device or FIFO) ended.
 */
int nfx_kfollow_next(struct nfx_kfollow *kf, struct nfx_kmsg_rec *ret,
		     struct nfx_err *err);

/**
 * nfx_kfollow_lost() - records lost so far: the gaps in the sequence
 *	numbers, at least one for each EPIPE
 */
unsigned long long nfx_kfollow_lost(const struct nfx_kfollow *kf);

/** nfx_kfollow_epipe() - how many reads failed with EPIPE */
unsigned long nfx_kfollow_epipe(const struct nfx_kfollow *kf);

/** nfx_kfollow_close() - close and free; NULL is fine */
void nfx_kfollow_close(struct nfx_kfollow *kf);

/* ---- what a record means to the daemon (wsig.c) ----------------------- */

enum nfx_wsig_what {
	NFX_WSIG_NONE,	/* nothing the daemon acts on or counts */
	NFX_WSIG_HANG,	/* a hang report (of any kind) */
	NFX_WSIG_RESET, /* "Reset adapter" */
	NFX_WSIG_DOWN,	/* link down */
	NFX_WSIG_UP,	/* link up */
};

/**
 * struct nfx_wsig - one record read through diagnose's message parser
 * @what: what it says
 * @kind: for NFX_WSIG_HANG: which hang (nfx_diag_kind_name())
 * @driver: the driver, "" when the message names none
 * @pci: the bus address: from the message, else from the record's
 *	DEVICE=+pci:...; "" when neither gives one
 * @ifname: the interface the message names, "" when none
 */
struct nfx_wsig {
	enum nfx_wsig_what what;
	enum nfx_diag_kind kind;
	char driver[32];
	char pci[16];
	char ifname[NFX_IFNAMSIZ];
};

/**
 * nfx_wsig_read() - what a kernel record says, for the daemon
 * @rec: the record
 * @ret: the reading
 * Return: @ret->what.
 */
enum nfx_wsig_what nfx_wsig_read(const struct nfx_kmsg_rec *rec,
				 struct nfx_wsig *ret);

/**
 * nfx_wsig_kinds_parse() - a list of hang kinds the daemon acts on
 * @list: names of nfx_diag_kind_name(), separated by commas or blanks
 *	("e1000e-hardware-unit-hang,igb-tx-unit-hang")
 * @ret_mask: 1 << kind for each
 * @err: may be NULL
 * Return: 0, or -EINVAL naming the unknown kind.
 */
int nfx_wsig_kinds_parse(const char *list, unsigned int *ret_mask,
			 struct nfx_err *err);

/* ---- rate limits as data (wrate.c) ------------------------------------ */

/* how many past actions a port remembers: the largest count a limit has */
#define NFX_RATE_HIST 16
#define NFX_RATE_MAX 4

/**
 * struct nfx_rate - at most @count actions in any @seconds
 */
struct nfx_rate {
	unsigned int count;
	unsigned int seconds;
};

/**
 * nfx_rate_parse() - "1/min,5/hour" (also "1/60 5/3600", units s, min,
 *	hour, day)
 * @s: the text
 * @ret: up to NFX_RATE_MAX limits
 * @ret_n: how many
 * @err: may be NULL
 * Return: 0 or -EINVAL (a count of 1 to NFX_RATE_HIST is needed).
 */
int nfx_rate_parse(const char *s, struct nfx_rate *ret, size_t *ret_n,
		   struct nfx_err *err);

/**
 * nfx_rate_allow() - may one more action happen at @now?
 * @lim: the limits; @n: how many
 * @hist: the times of past actions, newest first, 0 for none
 *	(NFX_RATE_HIST of them)
 * @now: the time now (any clock that does not go back; seconds)
 * Return: true when every limit leaves room.
 */
bool nfx_rate_allow(const struct nfx_rate *lim, size_t n,
		    const long long *hist, long long now);

/** nfx_rate_note() - remember an action at @now in @hist */
void nfx_rate_note(long long *hist, long long now);

/**
 * nfx_span_parse() - a span of time: "90", "90s", "10min", "hour", "2h"
 * @s: the text (units s, min, hour, day, as nfx_rate_parse())
 * @ret_seconds: the span
 * @err: may be NULL
 * Return: 0 or -EINVAL (a span of at least one second is needed).
 */
int nfx_span_parse(const char *s, unsigned int *ret_seconds,
		   struct nfx_err *err);

/*
 * A hang "stays" while its reports keep coming, each within this many
 * seconds of the one before (the kernel's record times): e1000e repeats
 * the report every 2 s or so while the ring stays frozen.
 */
#define NFX_HANG_GAP_S 30

/* ---- the daemon's state, kept in /run/nicfix (wstate.c) --------------- */

#define NFX_WSTATE_PORTS 64

/**
 * struct nfx_wport - what the daemon knows of one port
 * @name: its interface name (the latest the log or sysfs gave)
 * @pci: its bus address ("" unknown): a renamed NIC is the same port
 * @hangs: hang reports; @resets: adapter resets; @fixes: times the
 *	daemon turned the features off; @despite: hangs with the offloads
 *	already off; @limited: actions a rate limit held back; @mails: mails
 *	handed to sendmail
 * @last_hang: wall-clock time of the last hang report (s since 1970, 0
 *	none)
 * @acts: when the daemon acted (CLOCK_BOOTTIME s), newest first
 * @reports: when it reported a hang despite the fix, newest first
 * @escalations: times the daemon took the link down and up (the optional
 *	escalation, WATCH_ESCALATE)
 * @bounces: when it did (CLOCK_BOOTTIME s), newest first
 * @last_report_us: the kernel's time of the port's last hang report (us
 *	since boot, 0 none)
 * @off_since_us: the kernel's time of the first report of the hang that
 *	goes on now with the offloads already off (0: none goes on)
 */
struct nfx_wport {
	char name[NFX_IFNAMSIZ];
	char pci[16];
	unsigned long long hangs;
	unsigned long long resets;
	unsigned long long fixes;
	unsigned long long despite;
	unsigned long long limited;
	unsigned long long mails;
	long long last_hang;
	long long acts[NFX_RATE_HIST];
	long long reports[NFX_RATE_HIST];
	unsigned long long escalations;
	long long bounces[NFX_RATE_HIST];
	unsigned long long last_report_us;
	unsigned long long off_since_us;
};

/**
 * nfx_wport_hung_for() - note a hang report of @p, and say how long the
 *	port has stayed hung with its offloads off
 * @p: the port
 * @usec: the report's time (the kernel's, us since boot)
 * @off: the offloads the fix turns off were all off at this report
 *
 * A report more than NFX_HANG_GAP_S after the one before starts a new
 * hang; a report with the offloads on ends the one with them off.
 *
 * Return: the seconds from the first report of this hang with the
 * offloads off to this one (0 for the first, or when @off is false).
 */
unsigned long long nfx_wport_hung_for(struct nfx_wport *p,
				      unsigned long long usec, bool off);

/**
 * struct nfx_wstate - the daemon's state
 * @n: ports in @port
 * @seq: the sequence number of the last record handled; @seq_known
 * @records: records read; @lost: records the kernel overwrote unread
 * @updated: wall-clock time of the last update (s since 1970)
 * @started: wall-clock time the daemon started
 */
struct nfx_wstate {
	size_t n;
	struct nfx_wport port[NFX_WSTATE_PORTS];
	unsigned long long seq;
	bool seq_known;
	unsigned long long records;
	unsigned long long lost;
	long long updated;
	long long started;
};

/**
 * nfx_wstate_port() - the port with bus address @pci (when given), else
 *	name @name; added when new
 * @st: the state
 * @name: its name now ("" when not known)
 * @pci: its bus address ("" when not known)
 * Return: the port, its name updated to @name; NULL when the table is
 *	full or neither is given.
 */
struct nfx_wport *nfx_wstate_port(struct nfx_wstate *st, const char *name,
				  const char *pci);

/**
 * nfx_wstate_load() - read a state file written by nfx_wstate_save()
 * @st: zeroed, then filled
 * @path: the file
 * @err: may be NULL
 * Return: 0; -ENOENT when there is none (@st stays empty); -EINVAL for a
 *	file that is not one (@st stays empty); -errno.
 */
int nfx_wstate_load(struct nfx_wstate *st, const char *path,
		    struct nfx_err *err);

/**
 * nfx_wstate_save() - write @st to @path, atomically (nfx_file_replace())
 * Return: 0 or -errno.
 */
int nfx_wstate_save(const struct nfx_wstate *st, const char *path,
		    struct nfx_err *err);

/**
 * nfx_file_replace() - write @path whole or not at all: a temporary file
 *	in the same directory, renamed over it
 * @path: the file
 * @data: the contents; @len: their length
 * @mode: the new file's mode (0644)
 * @err: may be NULL
 * Return: 0 or -errno; on failure @path is as it was.
 */
int nfx_file_replace(const char *path, const char *data, size_t len,
		     unsigned int mode, struct nfx_err *err);

/* ---- Prometheus text (metrics.c) -------------------------------------- */

/**
 * struct nfx_metric_dev - what the metrics say of one device
 * @device: the interface
 * @features: the features looked at ("tso,gso,gro"); @state: each one's
 *	live state, in that order (up to 8); @nstate: how many were read
 *	(0: the live state is not known)
 * @persisted: 1 when an offload line covers it, 0 when not, -1 unknown
 * @port: the daemon's counters for it, NULL when it has none
 */
struct nfx_metric_dev {
	char device[NFX_IFNAMSIZ];
	char features[64];
	enum nfx_state state[8];
	size_t nstate;
	int persisted;
	const struct nfx_wport *port;
};

/**
 * nfx_metrics_render() - the Prometheus text exposition of the devices
 * @devs: the devices; @n: how many
 * @st: the daemon's state, NULL when none was found (no daemon metrics)
 * @ret_len: its length
 *
 * Names nicfix_*, one label device (and feature), counters *_total, no
 * sample timestamps: node_exporter's textfile collector skips a file
 * that has any.
 *
 * Return: the text (malloc'd), or NULL when out of memory.
 */
char *nfx_metrics_render(const struct nfx_metric_dev *devs, size_t n,
			 const struct nfx_wstate *st, size_t *ret_len);

/**
 * nfx_metrics_gather() - the devices the metrics speak of, with their live
 *	state (mgather.c)
 * @live: the netlink sockets
 * @cfg: the interfaces configuration (for the persisted lines)
 * @st: the daemon's state, may be NULL
 * @features: the features of a device no offload line covers
 *	("tso,gso,gro")
 * @ret_devs: array to free(); @ret_n: its length
 * @err: may be NULL
 *
 * The devices: the daemon's ports, the ports of offload lines, and the
 * NICs of the drivers that hang (e1000e, e1000, igb, ixgbe).  A device's
 * features are those its offload line turns off, else @features.
 *
 * Return: 0 or -ENOMEM; what cannot be read is left unknown.
 */
int nfx_metrics_gather(struct nfx_live *live, const struct nfx_cfgopts *cfg,
		       const struct nfx_wstate *st, const char *features,
		       struct nfx_metric_dev **ret_devs, size_t *ret_n,
		       struct nfx_err *err);

/**
 * nfx_persisted_features() - the features the offload line of @port turns
 *	off, as a comma list (mgather.c)
 * @v: the lines (nfx_offloads_read()); @n: how many
 * @port: the port
 * @buf: where the list goes; @size: its size
 * Return: true when a sound line covers @port (@buf filled).
 */
bool nfx_persisted_features(const struct nfx_offload *v, int n,
			    const char *port, char *buf, size_t size);

/* ---- mail through sendmail (mail.c) ----------------------------------- */

/**
 * nfx_mail_find() - the sendmail program
 * @path: the PATH to search (the front end's environment), may be NULL
 * @buf: where the path goes; @size: its size
 * Return: @buf, with the first "sendmail" on @path, else
 *	/usr/sbin/sendmail; NULL when there is none.
 */
const char *nfx_mail_find(const char *path, char *buf, size_t size);

/**
 * nfx_mail_send() - hand a mail to sendmail, without waiting for it
 * @sendmail: the program
 * @to: the recipient ("root")
 * @subject: one line
 * @body: the text
 * @ret_pid: the sendmail process, to reap (waitpid) when it ends
 * @err: may be NULL
 *
 * Runs "@sendmail -oi -- @to" with no shell, its standard input the
 * message (headers To, Subject, Auto-Submitted), its standard output and
 * error /dev/null.
 *
 * Return: 0, or -errno of the pipe, fork or write.
 */
int nfx_mail_send(const char *sendmail, const char *to, const char *subject,
		  const char *body, int *ret_pid, struct nfx_err *err);

/* ---- KEY=value option files (wconf.c) --------------------------------- */

/**
 * typedef nfx_conf_fn - called for each KEY=value of a file
 * @ctx: the caller's
 * @key, @val: NUL-terminated, quotes taken off
 * @line: 1-based line number
 * @err: for the reason when the value is refused
 * Return: 0 to go on, -errno to stop (the file fails with it).
 */
typedef int (*nfx_conf_fn)(void *ctx, const char *key, const char *val,
			   unsigned int line, struct nfx_err *err);

/**
 * nfx_conf_parse() - read an /etc/default style file without a shell
 * @text: the contents; @len: their length
 * @fn: called for every assignment; @ctx: its argument
 * @err: may be NULL; "LINE: reason" when a line is no assignment
 *
 * Lines are "KEY=value", "KEY='value'" or "KEY=\"value\"" (with \" \\ \$
 * \` inside double quotes), optionally behind "export "; blank lines and
 * "#" comments are skipped.  Nothing is expanded.
 *
 * Return: 0, -EINVAL for a malformed line, or what @fn returned.
 */
int nfx_conf_parse(const char *text, size_t len, nfx_conf_fn fn, void *ctx,
		   struct nfx_err *err);

/**
 * nfx_conf_bool() - "yes"/"no", "true"/"false", "1"/"0", "on"/"off"
 * Return: 1, 0, or -EINVAL.
 */
int nfx_conf_bool(const char *val);

/* ---- check: is every NIC of a bridge covered (cover.c, coverlive.c) --- */

enum nfx_ifupdown {
	NFX_IFUPDOWN_UNKNOWN, /* none found: ifupdown's stricter rules apply */
	NFX_IFUPDOWN_1,	      /* Debian's ifupdown */
	NFX_IFUPDOWN_2,	      /* ifupdown2 (Proxmox VE's default) */
};

/**
 * nfx_ifupdown_detect() - which ifupdown is installed under @root
 * @root: the system ("/" or --root)
 *
 * From ROOT's ifup (usr/sbin, then sbin): a symlink into ifupdown2's tree
 * is ifupdown2, a regular file ifupdown.
 *
 * Return: which, NFX_IFUPDOWN_UNKNOWN when none is found.
 */
enum nfx_ifupdown nfx_ifupdown_detect(const char *root);

/** nfx_ifupdown_name() - "ifupdown", "ifupdown2", "unknown" */
const char *nfx_ifupdown_name(enum nfx_ifupdown which);

/* what check finds; each a finding with a file, a line and a fix */
enum nfx_find_kind {
	NFX_FIND_MISSING,      /* features of a NIC no line that runs covers */
	NFX_FIND_NOT_RUN,      /* a line that never runs (stanza not brought
				* up; ifupdown2's option under ifupdown) */
	NFX_FIND_STALE,	       /* its port is not behind the bridge, or is
				* renamed (@new_name) */
	NFX_FIND_NOT_NIC,      /* its device has no NIC (vxlan, bond, ...) */
	NFX_FIND_DUPLICATE,    /* turns off again what another line does */
	NFX_FIND_CONFLICT,     /* turns a requested feature on */
	NFX_FIND_MALFORMED,    /* not a command ethtool takes */
	NFX_FIND_UNGUARDED,    /* can fail ifup: no "|| true" */
	NFX_FIND_PLACEMENT,    /* where the Proxmox GUI's writer drops or
				* moves it */
	NFX_FIND_DRIFT,	       /* live: on although the lines turn it off */
	NFX_FIND_NO_DEVICE,    /* live: the NIC is not on this host */
	NFX_FIND_LIVE_ERROR,   /* live: its state could not be read or set */
};

/** nfx_find_kind_name() - "missing", "not-run", "stale", ... */
const char *nfx_find_kind_name(enum nfx_find_kind kind);

#define NFX_CHECK_NAMES 160 /* a space-separated list of short names */

/**
 * struct nfx_check_finding - one problem
 * @kind: what
 * @critical: a NIC that hung this boot with its offloads still on (or
 *	not known to be off); warning otherwise
 * @bridge: the bridge (or the plain NIC) concerned, "" when none
 * @port: the NIC or device, "" when none
 * @features: the features concerned, space separated short names
 * @file: where (borrowed from the struct nfx_check), NULL when nowhere
 * @line: its line, 0 with @file NULL
 * @message: one line, without file, line, bridge or port
 * @fix: the exact command to run, "" when it takes a hand edit (the
 *	message says which)
 * @new_name: for NFX_FIND_STALE by a rename: the port's name now
 * @hangs: hang reports of @port this boot
 */
struct nfx_check_finding {
	enum nfx_find_kind kind;
	bool critical;
	char bridge[NFX_IFNAMSIZ];
	char port[NFX_IFNAMSIZ];
	char features[NFX_CHECK_NAMES];
	const char *file;
	unsigned int line;
	char message[512];
	char fix[256];
	char new_name[NFX_IFNAMSIZ];
	unsigned long hangs;
};

/**
 * struct nfx_check_port - one NIC of a checked bridge
 * @name: the NIC
 * @bridge: the bridge (or, for a NIC in no bridge, the NIC itself)
 * @covered, @missing: bit i is feature i of the request: turned off by
 *	a line that runs, or by none
 * @live: its live state was read; then @drift (covered, yet on) and
 *	@reapplied (was on, --apply turned it off) are meaningful, and
 *	@on holds what is on now (covered or not)
 * @absent: live: no such interface on this host
 * @not_nic: live: the link kind that says it is no NIC ("vxlan", "bond",
 *	...; a veth or dummy stands in for a NIC), "" otherwise; then
 *	nothing is missing
 * @hangs: hang reports this boot
 */
struct nfx_check_port {
	char name[NFX_IFNAMSIZ];
	char bridge[NFX_IFNAMSIZ];
	unsigned int covered;
	unsigned int missing;
	bool live;
	bool absent;
	char not_nic[24];
	unsigned int drift;
	unsigned int reapplied;
	unsigned int on;
	unsigned long hangs;
};

enum {
	NFX_CHECK_BY_LINES = 1 << 0, /* it has offload lines */
	NFX_CHECK_BY_NAME = 1 << 1,  /* named on the command line */
	NFX_CHECK_BY_HANG = 1 << 2,  /* a NIC of it hung this boot */
	NFX_CHECK_BY_NONE = 1 << 3,  /* no line anywhere: every bridge */
};

/**
 * struct nfx_check_bridge - one checked bridge, or a NIC in no bridge
 * @name: its name
 * @plain: a NIC in no bridge, checked in its own stanza
 * @by: NFX_CHECK_BY_*: why it is checked
 * @file, @line: its stanza (the one that carries bridge-ports)
 * @port: index of its first NIC in the check's @ports; @nports of them
 */
struct nfx_check_bridge {
	char name[NFX_IFNAMSIZ];
	bool plain;
	unsigned int by;
	const char *file;
	unsigned int line;
	size_t port;
	size_t nports;
};

/**
 * struct nfx_check_line - an offload line (or ifupdown2 option) found
 * @file, @line: where
 * @stanza: the interface of the stanza it is in
 * @port: the device it changes ("" when malformed before the device)
 * @text: the option line's value, "post-up" left out (owned)
 * @features: the features it turns off, space separated
 * @runs: it runs when the stanza's interface is brought up
 * @native: ifupdown2's "tso-offload off" and the like
 */
struct nfx_check_line {
	const char *file;
	unsigned int line;
	char stanza[NFX_IFNAMSIZ];
	char port[NFX_IFNAMSIZ];
	char *text;
	char features[NFX_CHECK_NAMES];
	bool runs;
	bool native;
};

/**
 * struct nfx_check_hang - a NIC that hung this boot (from diagnose)
 * @ifname: the NIC
 * @reports: how many hang reports
 * @bridge: the bridge it is in live, "" when unknown
 */
struct nfx_check_hang {
	char ifname[NFX_IFNAMSIZ];
	unsigned long reports;
	char bridge[NFX_IFNAMSIZ];
};

/**
 * struct nfx_check_opts - what to check
 * @bridges: the bridges (or plain NICs) named, @nbridges of them; none:
 *	those with offload lines and those with a NIC that hung
 * @req: the features every NIC must have off
 * @hangs: the NICs that hung this boot, @nhangs of them
 * @ifupdown: NFX_IFUPDOWN_UNKNOWN: nfx_ifupdown_detect() under the root
 */
struct nfx_check_opts {
	const char *const *bridges;
	size_t nbridges;
	const struct nfx_featreq *req;
	const struct nfx_check_hang *hangs;
	size_t nhangs;
	enum nfx_ifupdown ifupdown;
};

/**
 * struct nfx_check - the result: data first, rendered by the front ends
 * @ifupdown: the rules used; @ifupdown_found: it was found installed
 * @req: the request (borrowed from the options)
 * @bridges, @ports, @findings, @lines: what was checked and found
 * @files: the paths @file fields point into (owned)
 */
struct nfx_check {
	enum nfx_ifupdown ifupdown;
	bool ifupdown_found;
	const struct nfx_featreq *req;
	struct nfx_check_bridge *bridges;
	size_t nbridges;
	struct nfx_check_port *ports;
	size_t nports;
	struct nfx_check_finding *findings;
	size_t nfindings;
	struct nfx_check_line *lines;
	size_t nlines;
	char **files;
	size_t nfiles;
};

/**
 * nfx_check_config() - check the configuration against @co
 * @o: the configuration (@root and @path)
 * @co: what to check
 * @ret: zeroed, then filled; release with nfx_check_done() (also on
 *	failure)
 * @err: may be NULL
 *
 * Return: 0 (look at @ret->nfindings); -EINVAL for a named interface with
 * no stanza or a file that cannot be parsed, -ENOMEM, -errno.
 */
int nfx_check_config(const struct nfx_cfgopts *o,
		     const struct nfx_check_opts *co, struct nfx_check *ret,
		     struct nfx_err *err);

/**
 * nfx_check_live() - add the live state of every checked NIC
 * @c: from nfx_check_config()
 * @live: the netlink sockets
 * @apply: turn off again what drifted (covered features found on), with
 *	no bounce, and read it back
 * @err: may be NULL
 *
 * A NIC missing here or whose features cannot be read is a finding, not
 * a failure.  Return: 0 or -ENOMEM.
 */
int nfx_check_live(struct nfx_check *c, struct nfx_live *live, bool apply,
		   struct nfx_err *err);

/**
 * nfx_check_renames() - follow check's stale lines and missing NICs
 *	through pinning renames (checkpin.c)
 * @c: from nfx_check_config() (and nfx_check_live())
 * @pins: the .link files (nfx_pins_load())
 * @live: the netlink sockets
 * @err: may be NULL
 *
 * A NFX_FIND_STALE line whose NIC nfx_pins_follow() certainly renames gets
 * @new_name and says so; its fix is persist when the new name is a NIC of
 * the bridge (persist rewrites the line).  A NFX_FIND_NO_DEVICE NIC that
 * udev's record shows under a new name gets it too (the file is to be
 * edited by hand).
 *
 * Return: 0 or -errno.
 */
int nfx_check_renames(struct nfx_check *c, const struct nfx_pins *pins,
		      struct nfx_live *live, struct nfx_err *err);

/**
 * nfx_rename_why() - "eno1 is nic0 now (udev's ID_NET_NAME_ONBOARD of
 *	nic0)" or "eno1 becomes nic0 at the next boot (FILE matches its MAC
 *	M)", for people
 * @rn: a rename that nfx_pins_follow() found (PENDING or DONE)
 * @buf: receives it, cut to @len
 */
void nfx_rename_why(const struct nfx_rename *rn, char *buf, size_t len);

/** nfx_check_done() - free what @c holds; a zeroed one is fine */
void nfx_check_done(struct nfx_check *c);

/**
 * nfx_check_names() - the short names of the request's features in @mask
 * @buf: receives them space separated ("" for none)
 * Return: @buf.
 */
char *nfx_check_names(const struct nfx_check *c, unsigned int mask, char *buf,
		      size_t len);

/** nfx_check_critical() - is any finding critical? */
bool nfx_check_critical(const struct nfx_check *c);

#endif /* NICFIX_H */

/* diag.c - hang signatures, the events per interface, and the verdict */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

#define MAX_EVENTS 256
/* report intervals are counted in whole seconds up to this */
#define HIST 121

/* ---- the signature table ------------------------------------------------ */

/**
 * struct sig - what is known of one symptom of one driver
 * @kind: the symptom
 * @driver: the driver, NULL for any
 * @match: how well it matches the offload race, when the ring does not
 *	make it stronger (e1000e)
 * @features: what to turn off
 * @symptom: the log's words
 * @why: why this match
 * @note: what else to know
 */
static const struct sig {
	enum nfx_diag_kind kind;
	const char *driver;
	enum nfx_diag_match match;
	const char *features;
	const char *symptom;
	const char *why;
	const char *note;
} sigs[] = {
	{ NFX_DIAG_E1000E_HANG, NULL, NFX_MATCH_LIKELY, "tso,gso,gro",
	  "Detected Hardware Unit Hang",
	  "an e1000e hardware unit hang, but the ring does not show every "
	  "mark of the offload race (TDH == next_to_clean, frozen across "
	  "reports, next_to_watch.status 0)",
	  "turning offloads off does not cure every I219/I217 hang: if hangs "
	  "continue after the fix, look at the NIC's firmware, ASPM and EEE" },
	{ NFX_DIAG_E1000_HANG, NULL, NFX_MATCH_WEAK, "tso,gso,gro",
	  "Detected Tx Unit Hang",
	  "e1000 (not e1000e): a weaker match; turning tso, gso and gro off "
	  "is reported to help",
	  "e1000 is mostly the NIC a hypervisor emulates: in a VM, virtio-net "
	  "is the cure" },
	{ NFX_DIAG_IGB_HANG, NULL, NFX_MATCH_WEAK, "tso,gso,gro",
	  "Detected Tx Unit Hang",
	  "igb: a weaker match; turning tso, gso and gro off helps some",
	  "igb hangs also come from PCIe ASPM, EEE and old firmware" },
	{ NFX_DIAG_IXGBE_HANG, NULL, NFX_MATCH_WEAK, "tso,gso,gro",
	  "Detected Tx Unit Hang",
	  "ixgbe: a weaker match; turning tso, gso and gro off helps some",
	  "ixgbe hangs also come from PCIe errors and firmware: see the "
	  "adapter's other messages" },
	{ NFX_DIAG_TX_HANG, NULL, NFX_MATCH_WEAK, "tso,gso,gro",
	  "Detected Tx Unit Hang",
	  "a transmit unit hang: a weaker match; turning offloads off helps "
	  "some", "" },
	{ NFX_DIAG_TX_TIMEOUT, "e1000e", NFX_MATCH_LIKELY, "tso,gso,gro",
	  "NETDEV WATCHDOG: transmit queue timed out",
	  "e1000e transmit timeouts: the offload race often shows this way",
	  "turning offloads off does not cure every I219/I217 hang: if hangs "
	  "continue after the fix, look at the NIC's firmware, ASPM and EEE" },
	{ NFX_DIAG_TX_TIMEOUT, "r8169", NFX_MATCH_WEAK, "tso,gso",
	  "NETDEV WATCHDOG: transmit queue timed out",
	  "r8169 transmit timeouts: a weaker match; turning tso and gso off "
	  "helps some",
	  "PCIe ASPM is the usual cause on Realtek NICs (pcie_aspm=off, or "
	  "the r8168 driver)" },
	{ NFX_DIAG_TX_TIMEOUT, "r8168", NFX_MATCH_WEAK, "tso,gso",
	  "NETDEV WATCHDOG: transmit queue timed out",
	  "r8168 transmit timeouts: a weaker match; turning tso and gso off "
	  "helps some",
	  "PCIe ASPM is the usual cause on Realtek NICs (pcie_aspm=off)" },
	{ NFX_DIAG_TX_TIMEOUT, NULL, NFX_MATCH_WEAK, "tso,gso,gro",
	  "NETDEV WATCHDOG: transmit queue timed out",
	  "transmit timeouts: a weaker match; turning offloads off helps some",
	  "" },
	{ NFX_DIAG_RESET, "e1000e", NFX_MATCH_LIKELY, "tso,gso,gro",
	  "Reset adapter unexpectedly",
	  "e1000e resets with no hang report in this log (cut, or "
	  "rate-limited?): the offload race is the common cause",
	  "turning offloads off does not cure every I219/I217 hang: if hangs "
	  "continue after the fix, look at the NIC's firmware, ASPM and EEE" },
	{ NFX_DIAG_RESET, NULL, NFX_MATCH_WEAK, "tso,gso,gro", "Reset adapter",
	  "adapter resets with no hang report: a weaker match", "" },
	{ NFX_DIAG_LINK, NULL, NFX_MATCH_NONE, "", "NIC Link is Down/Up",
	  "link down/up only: not a hang",
	  "flaps with no hang point at the cable, the switch port or power "
	  "saving, not at offloads" },
};

#define N_SIGS (sizeof(sigs) / sizeof(sigs[0]))

static const char strong_why[] =
	"TDH == next_to_clean, frozen across reports, next_to_watch.status 0: "
	"the e1000e offload (TSO) race";

static const struct sig *sig_find(enum nfx_diag_kind kind, const char *drv)
{
	size_t i;

	for (i = 0; i < N_SIGS; i++)
		if (sigs[i].kind == kind &&
		    (!sigs[i].driver || !strcmp(sigs[i].driver, drv)))
			return &sigs[i];
	return &sigs[N_SIGS - 1];
}

const char *nfx_diag_kind_name(enum nfx_diag_kind kind)
{
	static const char *const names[] = {
		[NFX_DIAG_LINK] = "link-flap",
		[NFX_DIAG_E1000E_HANG] = "e1000e-hardware-unit-hang",
		[NFX_DIAG_E1000_HANG] = "e1000-tx-unit-hang",
		[NFX_DIAG_IGB_HANG] = "igb-tx-unit-hang",
		[NFX_DIAG_IXGBE_HANG] = "ixgbe-tx-unit-hang",
		[NFX_DIAG_TX_HANG] = "tx-unit-hang",
		[NFX_DIAG_TX_TIMEOUT] = "tx-timeout",
		[NFX_DIAG_RESET] = "adapter-reset",
	};

	return (unsigned int)kind < sizeof(names) / sizeof(names[0]) ?
		       names[kind] : "?";
}

const char *nfx_diag_match_name(enum nfx_diag_match match)
{
	static const char *const names[] = { "none", "weak", "likely",
					     "strong" };

	return (unsigned int)match < 4 ? names[match] : "?";
}

bool nfx_diag_is_hang(const struct nfx_diag_event *ev)
{
	return ev->kind != NFX_DIAG_LINK;
}

/* ---- events ------------------------------------------------------------- */

enum { RING_PTRS = 1u << NFX_RING_TDH | 1u << NFX_RING_TDT |
		   1u << NFX_RING_NTU | 1u << NFX_RING_NTC };

/**
 * struct block - the hang report being read
 * @open: lines of it are still coming
 * @header: its first line was seen (false: the log starts inside it)
 * @what: NFX_WHAT_HW_HANG or NFX_WHAT_TX_HANG
 * @ev: its event (when @header)
 * @ring: what its lines said; @flags: NFX_FIELD_*
 * @time, @clock, @line: of its first line
 * @repeat: how many times it was logged
 */
struct block {
	bool open;
	bool header;
	enum nfx_diag_what what;
	size_t ev;
	struct nfx_diag_ring ring;
	unsigned int flags;
	long long time;
	enum nfx_clock clock;
	unsigned long line;
	unsigned int repeat;
};

/* a report seen lately, to drop the same report logged twice */
struct seen {
	unsigned int mask;
	unsigned long long jiffies, tdh, ntc;
	long long time;
};

/**
 * struct ev - an event and what judging it needs
 * @pub: what the front end sees
 * @hw, @tx: reports under each header; @flags: NFX_FIELD_* of them all
 * @prev, @prev_time: the previous report's ring and time
 * @bad_frozen, @bad_stuck, @bad_status: a report broke that mark
 * @n_frozen, @n_stuck, @n_status: reports that had the fields for it
 * @hist_n, @hist_sum: report intervals in whole seconds
 * @seen, @n_seen: the last reports
 * @last_what, @last_time: the last record, to drop a message logged twice
 * @any_first, @any_last, @any_clock, @any_line: of any record
 * @unexpected: "Reset adapter unexpectedly" was among the resets
 */
struct ev {
	struct nfx_diag_event pub;
	unsigned long hw, tx;
	unsigned int flags;
	struct nfx_diag_ring prev;
	long long prev_time;
	bool bad_frozen, bad_stuck, bad_status;
	unsigned long n_frozen, n_stuck, n_status;
	unsigned long hist_n[HIST];
	long long hist_sum[HIST];
	struct seen seen[4];
	unsigned int n_seen;
	enum nfx_diag_what last_what;
	long long last_time;
	long long any_first, any_last;
	enum nfx_clock any_clock;
	unsigned long any_line;
	bool unexpected;
};

/**
 * struct nfx_diag - a diagnosis under way
 * @o: options
 * @ev: the events; @n of them, room for @cap
 * @order: their order after nfx_diag_finish()
 * @dropped: records of interfaces past MAX_EVENTS
 * @undated: records --since could not apply to
 * @started: a record that is no part of a hang report was seen
 * @blk: the report being read
 * @pending: a report the log started inside, not yet given an event
 */
struct nfx_diag {
	struct nfx_diag_opts o;
	struct ev *ev;
	size_t n, cap;
	size_t *order;
	unsigned long dropped;
	unsigned long undated;
	bool started;
	bool finished;
	struct block blk;
	struct block pending;
};

int nfx_diag_new(const struct nfx_diag_opts *o, struct nfx_diag **ret_d,
		 struct nfx_err *err)
{
	struct nfx_diag *d = calloc(1, sizeof(*d));

	if (!d)
		return nfx_err_set(err, -ENOMEM, "out of memory");
	d->o.since = o ? o->since : NFX_TIME_NONE;
	*ret_d = d;
	return 0;
}

void nfx_diag_free(struct nfx_diag *d)
{
	if (!d)
		return;
	free(d->ev);
	free(d->order);
	free(d);
}

static void copy_name(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static bool same(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && !memcmp(name, s, n);
}

static struct ev *ev_new(struct nfx_diag *d)
{
	struct ev *e;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;

		if (d->n >= MAX_EVENTS) {
			d->dropped++;
			return NULL;
		}
		e = realloc(d->ev, cap * sizeof(*e));
		if (!e) {
			d->dropped++;
			return NULL;
		}
		d->ev = e;
		d->cap = cap;
	}
	e = &d->ev[d->n++];
	memset(e, 0, sizeof(*e));
	e->pub.first = e->pub.last = e->pub.first_up = NFX_TIME_NONE;
	e->pub.interval = NFX_TIME_NONE;
	e->prev_time = e->last_time = NFX_TIME_NONE;
	e->any_first = e->any_last = NFX_TIME_NONE;
	return e;
}

/* The event of the device @dv names: by PCI address first, which a rename
 * does not change, then by interface name. */
static struct ev *ev_find(struct nfx_diag *d, const struct nfx_diag_dev *dv)
{
	struct ev *e = NULL;
	size_t i;

	for (i = 0; i < d->n && !e; i++) {
		struct ev *x = &d->ev[i];

		if (dv->pci_len) {
			if (same(x->pub.pci, dv->pci, dv->pci_len) ||
			    (!x->pub.pci[0] && dv->ifname_len &&
			     same(x->pub.ifname, dv->ifname, dv->ifname_len)))
				e = x;
		} else if (dv->ifname_len) {
			if (same(x->pub.ifname, dv->ifname, dv->ifname_len))
				e = x;
		} else if (!x->pub.pci[0] && !x->pub.ifname[0]) {
			e = x;
		}
	}
	if (!e && !(e = ev_new(d)))
		return NULL;
	if (dv->pci_len && !e->pub.pci[0])
		copy_name(e->pub.pci, sizeof(e->pub.pci), dv->pci, dv->pci_len);
	/* the latest name: interfaces get renamed at boot */
	if (dv->ifname_len)
		copy_name(e->pub.ifname, sizeof(e->pub.ifname), dv->ifname,
			  dv->ifname_len);
	if (dv->driver_len && !e->pub.driver[0])
		copy_name(e->pub.driver, sizeof(e->pub.driver), dv->driver,
			  dv->driver_len);
	return e;
}

static bool after(long long t, enum nfx_clock c, long long ref,
		  enum nfx_clock rc)
{
	return t != NFX_TIME_NONE && ref != NFX_TIME_NONE && c == rc &&
	       t > ref;
}

static void note_time(struct ev *e, const struct nfx_klog_rec *rec)
{
	if (rec->time == NFX_TIME_NONE)
		return;
	if (e->any_first == NFX_TIME_NONE) {
		e->any_first = rec->time;
		e->any_clock = rec->clock;
		e->any_line = rec->line;
	}
	if (rec->clock == e->any_clock)
		e->any_last = rec->time;
}

/* The same report logged twice (rsyslog from the journal and from the
 * kernel) has the same jiffies; without them, the same time and ring. */
static bool dup_report(struct ev *e, const struct block *b)
{
	struct seen s = { b->ring.mask, b->ring.v[NFX_RING_JIFFIES],
			  b->ring.v[NFX_RING_TDH], b->ring.v[NFX_RING_NTC],
			  b->time };
	unsigned int k;

	for (k = 0; k < e->n_seen && k < 4; k++) {
		const struct seen *x = &e->seen[k];

		if (x->mask != s.mask || x->tdh != s.tdh || x->ntc != s.ntc)
			continue;
		if (s.mask & (1u << NFX_RING_JIFFIES) ? x->jiffies == s.jiffies :
		    s.time != NFX_TIME_NONE && x->time == s.time)
			return true;
	}
	e->seen[e->n_seen++ % 4] = s;
	return false;
}

static void add_report(struct ev *e, const struct block *b)
{
	const struct nfx_diag_ring *r = &b->ring;
	struct nfx_diag_event *p = &e->pub;
	unsigned int need = 1u << NFX_RING_TDH | 1u << NFX_RING_NTC;
	unsigned int both;

	if (b->header && dup_report(e, b))
		return;
	if (b->what == NFX_WHAT_HW_HANG)
		e->hw += b->repeat;
	else
		e->tx += b->repeat;
	e->flags |= b->flags;
	if (!b->header || (r->mask & need) != need)
		p->partial += b->repeat;
	/* show whole reports rather than cut ones */
	if (!p->reports || !(p->ring_first.mask & need))
		p->ring_first = *r;
	if (!p->reports || (r->mask & need) == need)
		p->ring_last = *r;
	if (!p->reports)
		p->first_line = b->line;
	p->reports += b->repeat;
	if (b->time != NFX_TIME_NONE) {
		if (p->first == NFX_TIME_NONE) {
			p->first = b->time;
			p->clock = b->clock;
		}
		if (b->clock == p->clock)
			p->last = b->time;
		if (e->prev_time != NFX_TIME_NONE && b->clock == p->clock &&
		    b->time >= e->prev_time) {
			long long dt = b->time - e->prev_time;
			long long s = dt / 1000 < HIST - 1 ? dt / 1000 : HIST - 1;

			e->hist_n[s]++;
			e->hist_sum[s] += dt;
		}
		e->prev_time = b->time;
	}
	/* the marks of the race: pointers that do not move, the head stuck
	 * at next_to_clean, a descriptor the NIC never wrote back */
	both = e->prev.mask & r->mask & RING_PTRS;
	if (both) {
		unsigned int k;

		e->n_frozen++;
		for (k = 0; k < NFX_RING_MAX; k++)
			if (both & (1u << k) && e->prev.v[k] != r->v[k])
				e->bad_frozen = true;
	}
	if (r->mask & RING_PTRS)
		e->prev = *r;
	if ((r->mask & need) == need) {
		e->n_stuck++;
		if (r->v[NFX_RING_TDH] != r->v[NFX_RING_NTC])
			e->bad_stuck = true;
	}
	if (r->mask & (1u << NFX_RING_STATUS)) {
		e->n_status++;
		if (r->v[NFX_RING_STATUS])
			e->bad_status = true;
	}
	if (after(b->time, b->clock, p->first_up, p->clock))
		p->reports_after_up += b->repeat;
}

/* Does the report the log started inside belong to @what's driver? */
static bool pending_fits(const struct block *pend, enum nfx_diag_what what)
{
	if (pend->flags & NFX_FIELD_PHY)
		return what == NFX_WHAT_HW_HANG;
	return true;
}

static void close_block(struct nfx_diag *d)
{
	struct block *b = &d->blk;

	if (!b->open)
		return;
	b->open = false;
	if (!b->header) {
		/* the log starts inside it: keep it for the first header */
		d->pending = *b;
		d->pending.open = true;
		return;
	}
	if (d->pending.open && pending_fits(&d->pending, b->what)) {
		d->pending.what = b->what;
		add_report(&d->ev[b->ev], &d->pending);
		d->pending.open = false;
	}
	add_report(&d->ev[b->ev], b);
}

static void open_block(struct nfx_diag *d, struct ev *e, enum nfx_diag_what what,
		       const struct nfx_klog_rec *rec)
{
	struct block *b = &d->blk;

	memset(b, 0, sizeof(*b));
	b->open = true;
	b->header = e != NULL;
	b->what = what;
	b->ev = e ? (size_t)(e - d->ev) : 0;
	b->time = rec->time;
	b->clock = rec->clock;
	b->line = rec->line;
	b->repeat = rec->repeat ? rec->repeat : 1;
}

/* A message seen twice in a row at the same time was logged twice. */
/* count @n events in @total, and in @after once a hang was reported */
static void count(const struct ev *e, unsigned long *total,
		  unsigned long *after, unsigned long n)
{
	*total += n;
	if (e->pub.reports)
		*after += n;
}

static bool dup_record(struct ev *e, enum nfx_diag_what what,
		       const struct nfx_klog_rec *rec)
{
	bool dup = e->last_what == what && rec->time != NFX_TIME_NONE &&
		   e->last_time == rec->time;

	e->last_what = what;
	e->last_time = rec->time;
	return dup;
}

/* A line of a hang report, or of the one the log starts inside. */
static bool block_line(struct nfx_diag *d, const struct nfx_klog_rec *rec)
{
	struct nfx_diag_dev dv;
	struct block *b = &d->blk;
	enum nfx_diag_what w;

	nfx_diag_parse_msg(rec->text, rec->len, &dv);
	w = nfx_diag_what(dv.body, dv.body_len);
	/* a new message (its fields may be run together with it), or the
	 * header logged twice, before any field */
	if (w != NFX_WHAT_OTHER)
		return b->header && w == b->what && !b->ring.mask &&
		       rec->time == b->time;
	if (nfx_diag_parse_fields(rec->text, rec->len, &b->ring, &b->flags))
		return true;
	if (!b->header || (!dv.pci_len && !dv.ifname_len))
		return false;
	/* ixgbe logs the second half with its prefix again */
	return nfx_diag_parse_fields(dv.body, dv.body_len, &b->ring, &b->flags);
}

int nfx_diag_add(struct nfx_diag *d, const struct nfx_klog_rec *rec)
{
	struct nfx_diag_dev dv;
	enum nfx_diag_what what;
	struct ev *e;
	unsigned int n = rec->repeat ? rec->repeat : 1;

	if (d->blk.open) {
		if (rec->len && block_line(d, rec))
			return 1;
		close_block(d);
	}
	nfx_diag_parse_msg(rec->text, rec->len, &dv);
	what = nfx_diag_what(dv.body, dv.body_len);
	if (!d->started && what == NFX_WHAT_OTHER) {
		struct nfx_diag_ring ring = { 0 };
		unsigned int flags = 0;

		/* the log may start inside a report */
		if (rec->len && nfx_diag_parse_fields(rec->text, rec->len,
						      &ring, &flags)) {
			open_block(d, NULL, NFX_WHAT_TX_HANG, rec);
			d->blk.ring = ring;
			d->blk.flags = flags;
			return 1;
		}
		/* blank lines and journalctl's "-- Journal begins ..." */
		if (rec->len && !(rec->len > 3 && !memcmp(rec->text, "-- ", 3)))
			d->started = true;
	}
	if (!d->started && what != NFX_WHAT_OTHER)
		d->started = true;
	/* an indented line is a message of its own only when it names its
	 * device (a pasted log, its lines numbered or indented) */
	if (!rec->kernel || what == NFX_WHAT_OTHER ||
	    (rec->cont && !dv.pci_len && !dv.ifname_len))
		return !d->started;
	if (d->o.since != NFX_TIME_NONE) {
		if (rec->clock != NFX_CLOCK_WALL)
			d->undated++;
		else if (rec->time < d->o.since)
			return 0;
	}
	e = ev_find(d, &dv);
	if (!e)
		return 0;
	note_time(e, rec);
	switch (what) {
	case NFX_WHAT_HW_HANG:
	case NFX_WHAT_TX_HANG:
		e->last_what = what;
		open_block(d, e, what, rec);
		/* fields a paste ran together with the header */
		nfx_diag_parse_fields(dv.body, dv.body_len, &d->blk.ring,
				      &d->blk.flags);
		return 1;
	case NFX_WHAT_TIMEOUT:
		if (!dup_record(e, what, rec))
			e->pub.timeouts += n;
		break;
	case NFX_WHAT_RESET:
		if (dup_record(e, what, rec))
			break;
		count(e, &e->pub.resets, &e->pub.resets_after, n);
		if (memmem(dv.body, dv.body_len, "unexpectedly", 12))
			e->unexpected = true;
		break;
	case NFX_WHAT_DOWN:
		if (dup_record(e, what, rec))
			break;
		count(e, &e->pub.link_down, &e->pub.down_after, n);
		break;
	case NFX_WHAT_UP:
		if (dup_record(e, what, rec))
			break;
		count(e, &e->pub.link_up, &e->pub.up_after, n);
		if (e->pub.first_up == NFX_TIME_NONE && rec->time != NFX_TIME_NONE) {
			e->pub.first_up = rec->time;
			/* hang reports are compared on the same clock */
			if (!e->pub.reports)
				e->pub.clock = rec->clock;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Add the counts of @from to @to. */
static void add_counts(struct ev *to, const struct ev *from)
{
	struct nfx_diag_event *a = &to->pub;
	const struct nfx_diag_event *b = &from->pub;

	a->timeouts += b->timeouts;
	a->resets += b->resets;
	a->link_down += b->link_down;
	a->link_up += b->link_up;
	a->resets_after += b->resets_after;
	a->down_after += b->down_after;
	a->up_after += b->up_after;
	to->unexpected |= from->unexpected;
	if (!a->driver[0])
		memcpy(a->driver, b->driver, sizeof(a->driver));
	if (to->any_first == NFX_TIME_NONE ||
	    (from->any_first != NFX_TIME_NONE &&
	     from->any_clock == to->any_clock &&
	     from->any_first < to->any_first)) {
		to->any_first = from->any_first;
		to->any_clock = from->any_clock;
		to->any_line = from->any_line;
	}
	if (from->any_last != NFX_TIME_NONE && from->any_clock == to->any_clock &&
	    (to->any_last == NFX_TIME_NONE || from->any_last > to->any_last))
		to->any_last = from->any_last;
}

/* Fold @src, which the log named only by interface, into @dst. */
static void ev_merge(struct ev *dst, const struct ev *src)
{
	struct ev old;

	if (dst->pub.reports || !src->pub.reports) {
		dst->pub.reports += src->pub.reports;
		dst->pub.partial += src->pub.partial;
		dst->hw += src->hw;
		dst->tx += src->tx;
		add_counts(dst, src);
		return;
	}
	/* the reports all came under the name: take them whole */
	old = *dst;
	*dst = *src;
	memcpy(dst->pub.pci, old.pub.pci, sizeof(old.pub.pci));
	if (old.pub.driver[0])
		memcpy(dst->pub.driver, old.pub.driver, sizeof(old.pub.driver));
	add_counts(dst, &old);
}

static enum nfx_diag_kind kind_of(const struct ev *e)
{
	const char *drv = e->pub.driver;

	if (e->pub.reports) {
		if (!strcmp(drv, "e1000e") ||
		    (!drv[0] && (e->hw || e->flags & NFX_FIELD_PHY)))
			return NFX_DIAG_E1000E_HANG;
		if (!strcmp(drv, "e1000") ||
		    (!drv[0] && !(e->flags & (NFX_FIELD_DESC | NFX_FIELD_PAIR)) &&
		     e->pub.ring_last.mask & (1u << NFX_RING_STATUS)))
			return NFX_DIAG_E1000_HANG;
		if (!strcmp(drv, "igb") || (!drv[0] && e->flags & NFX_FIELD_DESC))
			return NFX_DIAG_IGB_HANG;
		if (!strcmp(drv, "ixgbe") || (!drv[0] && e->flags & NFX_FIELD_PAIR))
			return NFX_DIAG_IXGBE_HANG;
		return NFX_DIAG_TX_HANG;
	}
	if (e->pub.timeouts)
		return NFX_DIAG_TX_TIMEOUT;
	if (e->pub.resets)
		return NFX_DIAG_RESET;
	return NFX_DIAG_LINK;
}

/* The typical interval: the commonest whole second, averaged within. */
static long long typical_interval(const struct ev *e)
{
	size_t k, best = HIST;

	for (k = 0; k < HIST; k++)
		if (e->hist_n[k] && (best == HIST || e->hist_n[k] > e->hist_n[best]))
			best = k;
	if (best == HIST)
		return NFX_TIME_NONE;
	return e->hist_sum[best] / (long long)e->hist_n[best];
}

static void judge(struct ev *e)
{
	struct nfx_diag_event *p = &e->pub;
	const struct sig *s;

	p->kind = kind_of(e);
	s = sig_find(p->kind, p->driver);
	p->match = s->match;
	p->features = s->features;
	p->symptom = s->symptom;
	p->why = s->why;
	p->note = s->note;
	if (p->kind == NFX_DIAG_RESET && e->unexpected)
		p->symptom = "Reset adapter unexpectedly";
	if (p->kind == NFX_DIAG_TX_HANG && e->hw)
		p->symptom = "Detected Hardware Unit Hang";
	p->interval = typical_interval(e);
	p->frozen = e->n_frozen && !e->bad_frozen;
	p->stuck = e->n_stuck && !e->bad_stuck;
	p->status_zero = e->n_status && !e->bad_status;
	if (p->kind == NFX_DIAG_E1000E_HANG && p->frozen && p->stuck &&
	    p->status_zero) {
		p->match = NFX_MATCH_STRONG;
		p->why = strong_why;
	}
	if (!p->reports) {
		p->first = e->any_first;
		p->last = e->any_last;
		p->clock = e->any_clock;
		p->first_line = e->any_line;
	}
}

static int ev_cmp(const void *a, const void *b, void *arg)
{
	const struct ev *ev = arg;
	const struct nfx_diag_event *x = &ev[*(const size_t *)a].pub;
	const struct nfx_diag_event *y = &ev[*(const size_t *)b].pub;

	if (nfx_diag_is_hang(x) != nfx_diag_is_hang(y))
		return nfx_diag_is_hang(x) ? -1 : 1;
	if (x->match != y->match)
		return x->match > y->match ? -1 : 1;
	if (x->reports != y->reports)
		return x->reports > y->reports ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

void nfx_diag_finish(struct nfx_diag *d)
{
	size_t i, j, n = 0;

	if (d->finished)
		return;
	d->finished = true;
	close_block(d);
	if (d->pending.open) {
		/* a report the log starts inside, with nothing after it to
		 * say whose it was */
		struct nfx_diag_dev none = { 0 };
		struct ev *e;

		none.driver = none.pci = none.ifname = "";
		e = ev_find(d, &none);
		if (e) {
			d->pending.what = d->pending.flags & NFX_FIELD_PHY ?
						  NFX_WHAT_HW_HANG :
						  NFX_WHAT_TX_HANG;
			add_report(e, &d->pending);
		}
		d->pending.open = false;
	}
	/* what the log named only by interface joins what it named by PCI */
	for (i = 0; i < d->n; i++) {
		struct ev *src = &d->ev[i];

		if (src->pub.pci[0] || !src->pub.ifname[0])
			continue;
		for (j = 0; j < d->n; j++) {
			if (j == i || !d->ev[j].pub.pci[0] ||
			    strcmp(d->ev[j].pub.ifname, src->pub.ifname))
				continue;
			ev_merge(&d->ev[j], src);
			src->pub.ifname[0] = '\0';
			src->pub.reports = 0;
			src->any_first = NFX_TIME_NONE;
			src->pub.link_down = src->pub.timeouts = 0;
			src->pub.resets = src->pub.link_up = 0;
			break;
		}
	}
	d->order = calloc(d->n ? d->n : 1, sizeof(*d->order));
	for (i = 0; i < d->n; i++) {
		struct ev *e = &d->ev[i];

		judge(e);
		/* a link that only came up (at boot) is no news */
		if (!nfx_diag_is_hang(&e->pub) && !e->pub.link_down)
			continue;
		if (d->order)
			d->order[n++] = i;
	}
	d->n = d->order ? n : 0;
	if (d->order)
		qsort_r(d->order, n, sizeof(*d->order), ev_cmp, d->ev);
}

size_t nfx_diag_count(const struct nfx_diag *d)
{
	return d->finished ? d->n : 0;
}

const struct nfx_diag_event *nfx_diag_event(const struct nfx_diag *d,
					    size_t i)
{
	return i < nfx_diag_count(d) ? &d->ev[d->order[i]].pub : NULL;
}

unsigned long nfx_diag_undated(const struct nfx_diag *d)
{
	return d->undated;
}

/* ---- advice ----------------------------------------------------------- */

void nfx_diag_advise(const struct nfx_diag_event *ev,
		     const struct nfx_diag_live *live,
		     struct nfx_diag_advice *ret)
{
	char fopt[64] = "";
	const char *port = ev->ifname;
	size_t k, nfeat = 0;
	const char *f;
	bool any_off = false;

	memset(ret, 0, sizeof(*ret));
	if (!port[0] || !nfx_diag_is_hang(ev))
		return;
	if (strcmp(ev->features, "tso,gso,gro"))
		snprintf(fopt, sizeof(fopt), " -f %s", ev->features);
	snprintf(ret->apply, sizeof(ret->apply), "nicfix apply %s%s", port,
		 fopt);
	if (!live || !live->present) {
		snprintf(ret->persist, sizeof(ret->persist),
			 "nicfix persist BRIDGE %s%s", port, fopt);
	} else if (live->bridge[0]) {
		ret->bridge_known = true;
		snprintf(ret->persist, sizeof(ret->persist),
			 "nicfix persist %s %s%s", live->bridge, port, fopt);
	}
	if (live && live->persisted) {
		ret->persisted = true;
		ret->persist[0] = '\0';
	}
	if (!live || !live->present || !live->features)
		return;
	ret->off = true;
	for (f = ev->features; *f && nfeat < 8; nfeat++) {
		k = strcspn(f, ",");
		if (live->state[nfeat] == NFX_STATE_OFF)
			any_off = true;
		else if (live->state[nfeat] != NFX_STATE_NONE)
			ret->off = false;
		f += k + (f[k] == ',');
	}
	ret->off = ret->off && any_off;
	/* no advice to do what is already done */
	if (ret->off)
		ret->apply[0] = '\0';
}

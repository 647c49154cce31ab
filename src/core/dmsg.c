/* dmsg.c - read one kernel message: who logged it, what it says, and the
 * fields of a hang report; the one parser behind diagnose and watch
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* ---- reading messages --------------------------------------------------- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* "0000:00:1f.6": the kernel's PCI device name */
static bool pci_name(const char *s, size_t n)
{
	static const char shape[] = "xxxx:xx:xx.x";
	size_t k;

	if (n != sizeof(shape) - 1)
		return false;
	for (k = 0; k < n; k++)
		if (shape[k] == 'x' ? !is_hex(s[k]) : s[k] != shape[k])
			return false;
	return true;
}

/* a driver's name: "e1000e", "r8169", "mlx5_core" */
static bool driver_name(const char *s, size_t n)
{
	size_t k;

	if (!n || n > 31)
		return false;
	for (k = 0; k < n; k++)
		if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') ||
		      s[k] == '_' || s[k] == '-'))
			return false;
	return true;
}

/* the kernel's rules for an interface name: 1-15 bytes, no '/', ':' or
 * white space */
static bool if_name(const char *s, size_t n)
{
	size_t k;

	if (!n || n >= NFX_IFNAMSIZ)
		return false;
	for (k = 0; k < n; k++)
		if (s[k] == '/' || s[k] == ':' || s[k] == ' ' || s[k] == '\t' ||
		    (unsigned char)s[k] < 0x21 || s[k] == 0x7f)
			return false;
	return !(n == 1 && s[0] == '.') && !(n == 2 && !memcmp(s, "..", 2));
}

static size_t token(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

static bool starts(const char *s, size_t n, const char *pre)
{
	size_t l = strlen(pre);

	return n >= l && !memcmp(s, pre, l);
}

/* "igb: eno1 " (or "e1000e: eth0 ") before "NIC Link is" */
static void driver_ifname(struct nfx_diag_dev *d, const char *s, size_t n)
{
	size_t a = token(s, n, 0), b;

	if (a < 2 || s[a - 1] != ':' || !driver_name(s, a - 1) || a + 1 >= n)
		return;
	b = token(s, n, a + 1);
	if (!if_name(s + a + 1, b - a - 1) || b + 1 >= n ||
	    !starts(s + b + 1, n - b - 1, "NIC Link is"))
		return;
	if (!d->driver_len) {
		d->driver = s;
		d->driver_len = a - 1;
	}
	if (!d->ifname_len) {
		d->ifname = s + a + 1;
		d->ifname_len = b - a - 1;
	}
	d->body = s + b + 1;
	d->body_len = n - b - 1;
}

/* "NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 timed out" */
static void watchdog_old(struct nfx_diag_dev *d)
{
	const char *s = d->body;
	size_t n = d->body_len, i = 17, e, c;

	if (!starts(s, n, "NETDEV WATCHDOG: ") || starts(s, n, "NETDEV WATCHDOG: CPU: "))
		return;
	e = i;
	while (e < n && s[e] != ' ' && s[e] != ':')
		e++;
	if (!if_name(s + i, e - i))
		return;
	if (!d->ifname_len) {
		d->ifname = s + i;
		d->ifname_len = e - i;
	}
	if (e + 2 < n && s[e] == ' ' && s[e + 1] == '(') {
		c = e + 2;
		while (c < n && s[c] != ')')
			c++;
		if (c < n && driver_name(s + e + 2, c - e - 2) &&
		    !d->driver_len) {
			d->driver = s + e + 2;
			d->driver_len = c - e - 2;
		}
	}
}

void nfx_diag_parse_dev(const char *s, size_t n, struct nfx_diag_dev *d)
{
	size_t a, b, c;

	memset(d, 0, sizeof(*d));
	d->driver = d->pci = d->ifname = "";
	d->body = s;
	d->body_len = n;
	a = token(s, n, 0);
	if (driver_name(s, a) && a + 1 < n) {
		b = token(s, n, a + 1);
		if (b - a - 1 == 13 && s[b - 1] == ':' &&
		    pci_name(s + a + 1, 12)) {
			/* dev_err(): "igb 0000:01:00.0: " */
			d->driver = s;
			d->driver_len = a;
			d->pci = s + a + 1;
			d->pci_len = 12;
			d->body = s + b + (b < n);
			d->body_len = n - b - (b < n);
		} else if (pci_name(s + a + 1, b - a - 1) && b + 1 < n) {
			/* netdev_err(): "e1000e 0000:00:1f.6 eno1: " */
			c = b + 1;
			while (c < n && s[c] != ':' && s[c] != ' ')
				c++;
			if (c < n && s[c] == ':' && (c + 1 == n || s[c + 1] == ' ') &&
			    if_name(s + b + 1, c - b - 1)) {
				d->driver = s;
				d->driver_len = a;
				d->pci = s + a + 1;
				d->pci_len = b - a - 1;
				d->ifname = s + b + 1;
				d->ifname_len = c - b - 1;
				c++;
				if (c < n && s[c] == ' ')
					c++;
				d->body = s + c;
				d->body_len = n - c;
			}
		}
	}
	driver_ifname(d, d->body, d->body_len);
	watchdog_old(d);
}

static bool contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

enum nfx_diag_what nfx_diag_what(const char *s, size_t n)
{
	if (starts(s, n, "Detected Hardware Unit Hang"))
		return NFX_WHAT_HW_HANG;
	if (starts(s, n, "Detected Tx Unit Hang"))
		return NFX_WHAT_TX_HANG;
	if (starts(s, n, "NETDEV WATCHDOG:") &&
	    (contains(s, n, " timed out") || contains(s, n, "transmit timed")))
		return NFX_WHAT_TIMEOUT;
	if (starts(s, n, "Reset adapter"))
		return NFX_WHAT_RESET;
	if (starts(s, n, "NIC Link is Down") || starts(s, n, "Link is Down"))
		return NFX_WHAT_DOWN;
	if (starts(s, n, "NIC Link is Up") || starts(s, n, "Link is Up"))
		return NFX_WHAT_UP;
	return NFX_WHAT_OTHER;
}

/* ---- the fields of a hang report ---------------------------------------- */

static const struct field {
	const char *name;
	int ring; /* NFX_RING_*, or -1 for one that is only recognised */
	unsigned int flags;
} fields[] = {
	{ "TDH", NFX_RING_TDH, 0 },
	{ "TDT", NFX_RING_TDT, 0 },
	{ "next_to_use", NFX_RING_NTU, 0 },
	{ "next_to_clean", NFX_RING_NTC, 0 },
	{ "next_to_watch", NFX_RING_NTW, 0 },
	{ "next_to_watch.status", NFX_RING_STATUS, 0 },
	{ "desc.status", NFX_RING_STATUS, NFX_FIELD_DESC },
	{ "eop_desc->wb.status", NFX_RING_STATUS, NFX_FIELD_DESC },
	{ "jiffies", NFX_RING_JIFFIES, 0 },
	{ "Tx Queue", NFX_RING_QUEUE, 0 },
	{ "time_stamp", -1, 0 },
	{ "MAC Status", -1, NFX_FIELD_PHY },
	{ "PHY Status", -1, NFX_FIELD_PHY },
	{ "PHY 1000BASE-T Status", -1, NFX_FIELD_PHY },
	{ "PHY Extended Status", -1, NFX_FIELD_PHY },
	{ "PCI Status", -1, NFX_FIELD_PHY },
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* @name with its white space runs folded to one space */
static const struct field *field_find(const char *s, size_t n)
{
	char name[32];
	size_t k, l = 0;

	for (k = 0; k < n && l < sizeof(name) - 1; k++) {
		if (s[k] == ' ' || s[k] == '\t') {
			if (l && name[l - 1] != ' ')
				name[l++] = ' ';
		} else {
			name[l++] = s[k];
		}
	}
	while (l && name[l - 1] == ' ')
		l--;
	if (k < n)
		return NULL;
	for (k = 0; k < N_FIELDS; k++)
		if (strlen(fields[k].name) == l && !memcmp(fields[k].name, name, l))
			return &fields[k];
	return NULL;
}

/* "<f6>": a hex value; "<(____ptrval____)>" is no value */
static bool hex_value(const char *s, size_t n, unsigned long long *ret)
{
	unsigned long long v = 0;
	size_t k = 0;

	if (n > 2 && s[0] == '0' && s[1] == 'x')
		k = 2;
	if (k >= n || n - k > 16)
		return false;
	for (; k < n; k++) {
		char c = s[k] >= 'A' && s[k] <= 'F' ? s[k] - 'A' + 'a' : s[k];

		if (!is_hex(c))
			return false;
		v = v * 16 + (unsigned long long)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	*ret = v;
	return true;
}

static void set_ring(struct nfx_diag_ring *ring, const struct field *f,
		     const char *v, size_t vl)
{
	unsigned long long x;

	if (f->ring >= 0 && hex_value(v, vl, &x)) {
		ring->mask |= 1u << f->ring;
		ring->v[f->ring] = x;
	}
}

bool nfx_diag_parse_field(const char *s, size_t n, struct nfx_diag_ring *ring,
			  unsigned int *flags)
{
	const struct field *f, *f2 = NULL;
	const char *lt, *gt, *comma;
	size_t nl;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (starts(s, n, "buffer_info[next_to_clean]") ||
	    starts(s, n, "tx_buffer_info[next_to_clean]")) {
		*flags |= NFX_FIELD_SUBHEAD;
		return true;
	}
	lt = memchr(s, '<', n);
	if (!lt || lt == s)
		return false;
	nl = (size_t)(lt - s);
	f = field_find(s, nl);
	if (!f) {
		/* ixgbe: "TDH, TDT             <0>, <5>" */
		comma = memchr(s, ',', nl);
		if (!comma)
			return false;
		f = field_find(s, (size_t)(comma - s));
		f2 = field_find(comma + 1, nl - (size_t)(comma + 1 - s));
		if (!f || !f2)
			return false;
		*flags |= NFX_FIELD_PAIR;
	}
	gt = memchr(lt, '>', n - nl);
	if (!gt)
		return false;
	*flags |= f->flags;
	set_ring(ring, f, lt + 1, (size_t)(gt - lt - 1));
	if (f2) {
		const char *lt2 = memchr(gt, '<', (size_t)(s + n - gt));
		const char *gt2 = lt2 ? memchr(lt2, '>', (size_t)(s + n - lt2)) :
					NULL;

		if (gt2)
			set_ring(ring, f2, lt2 + 1, (size_t)(gt2 - lt2 - 1));
	}
	return true;
}


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

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t token(const char *s, size_t n, size_t i)
{
	while (i < n && !blank(s[i]))
		i++;
	return i;
}

/* past a run of blanks: pastes and other tools collapse or widen them */
static size_t skip(const char *s, size_t n, size_t i)
{
	while (i < n && blank(s[i]))
		i++;
	return i;
}

/*
 * What a bus address may look like after a paste: whole ("0000:00:1f.6"),
 * cut ("0000:00:1f", "00:1f.6") or obfuscated ("XXXX:XX:XX.X").
 */
static bool pci_like(const char *s, size_t n)
{
	size_t k, colons = 0, dots = 0, digits = 0;

	if (n < 4 || n > 16 || s[0] == ':' || s[0] == '.')
		return false;
	for (k = 0; k < n; k++) {
		char c = s[k];

		if (c == ':')
			colons++;
		else if (c == '.')
			dots++;
		else if (is_hex(c) || (c >= 'A' && c <= 'F') || c == 'x' ||
			 c == 'X' || c == '*' || c == '#' || c == '?')
			digits++;
		else
			return false;
	}
	return digits >= 2 && dots <= 1 && colons <= 2 &&
	       (colons == 2 || (colons == 1 && dots == 1));
}

static bool starts(const char *s, size_t n, const char *pre)
{
	size_t l = strlen(pre);

	return n >= l && !memcmp(s, pre, l);
}

/* "igb: eno1 " (or "e1000e: eth0 ") before "NIC Link is" */
static void driver_ifname(struct nfx_diag_dev *d, const char *s, size_t n)
{
	size_t a = token(s, n, 0), i, b, c;

	if (a < 2 || s[a - 1] != ':' || !driver_name(s, a - 1) || a + 1 >= n)
		return;
	i = skip(s, n, a);
	b = token(s, n, i);
	c = skip(s, n, b);
	if (!if_name(s + i, b - i) || c >= n ||
	    !starts(s + c, n - c, "NIC Link is"))
		return;
	if (!d->driver_len) {
		d->driver = s;
		d->driver_len = a - 1;
	}
	if (!d->ifname_len) {
		d->ifname = s + i;
		d->ifname_len = b - i;
	}
	d->body = s + c;
	d->body_len = n - c;
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

/* set the bus address only when it is whole: a cut one names nothing */
static void set_pci(struct nfx_diag_dev *d, const char *s, size_t n)
{
	if (pci_name(s, n)) {
		d->pci = s;
		d->pci_len = n;
	}
}

/* "IFNAME: " at @i, the interface's name: end of the name, or 0 */
static size_t ifname_colon(const char *s, size_t n, size_t i)
{
	size_t e = i;

	while (e < n && s[e] != ':' && !blank(s[e]))
		e++;
	if (e < n && s[e] == ':' && (e + 1 == n || blank(s[e + 1])) &&
	    if_name(s + i, e - i))
		return e;
	return 0;
}

void nfx_diag_parse_dev(const char *s, size_t n, struct nfx_diag_dev *d)
{
	size_t a, b, p, c;

	memset(d, 0, sizeof(*d));
	d->driver = d->pci = d->ifname = "";
	d->body = s;
	d->body_len = n;
	a = token(s, n, 0);
	p = skip(s, n, a);
	b = token(s, n, p);
	if (driver_name(s, a) && p < n) {
		if (b - p >= 5 && s[b - 1] == ':' && pci_like(s + p, b - p - 1)) {
			/* dev_err(): "igb 0000:01:00.0: " */
			d->driver = s;
			d->driver_len = a;
			set_pci(d, s + p, b - p - 1);
			p = skip(s, n, b);
			d->body = s + p;
			d->body_len = n - p;
		} else if (pci_like(s + p, b - p) && b < n) {
			/* netdev_err(): "e1000e 0000:00:1f.6 eno1: " */
			c = skip(s, n, b);
			b = ifname_colon(s, n, c);
			if (b) {
				d->driver = s;
				d->driver_len = a;
				set_pci(d, s + p, token(s, n, p) - p);
				d->ifname = s + c;
				d->ifname_len = b - c;
				c = skip(s, n, b + 1);
				d->body = s + c;
				d->body_len = n - c;
			}
		}
	} else if (a >= 5 && s[a - 1] == ':' && pci_like(s, a - 1)) {
		/* kernels that print no driver name: "0000:00:19.0: eth0: "
		 * (e1000e's old e_printk), the message names the driver */
		set_pci(d, s, a - 1);
		d->body = s + p;
		d->body_len = n - p;
	}
	/* "eth0: " behind the bus address (or alone: netdev_*() of a device
	 * with no parent), before a message we know */
	if (!d->ifname_len) {
		b = ifname_colon(d->body, d->body_len, 0);
		c = b ? skip(d->body, d->body_len, b + 1) : 0;
		if (b && nfx_diag_what(d->body + c, d->body_len - c) !=
				 NFX_WHAT_OTHER) {
			d->ifname = d->body;
			d->ifname_len = b;
			d->body += c;
			d->body_len -= c;
		}
	}
	driver_ifname(d, d->body, d->body_len);
	watchdog_old(d);
}

void nfx_diag_parse_msg(const char *s, size_t n, struct nfx_diag_dev *d)
{
	struct nfx_diag_dev at;
	size_t t;

	nfx_diag_parse_dev(s, n, d);
	if (nfx_diag_what(d->body, d->body_len) != NFX_WHAT_OTHER)
		return;
	/* the message after a prefix no reader knows: mail quoting, line
	 * numbers, another tool's "kern: err: [stamp]:", a host name */
	for (t = 1; t < n; t++) {
		char c = s[t - 1];

		if (blank(s[t]) || !(blank(c) || c == ']' || c == '>' ||
				     c == '|' || c == ':' || c == ')'))
			continue;
		nfx_diag_parse_dev(s + t, n - t, &at);
		/* behind a prefix only a message that names its driver or
		 * bus address: prose that quotes the words is no report */
		if ((at.pci_len || at.driver_len) &&
		    nfx_diag_what(at.body, at.body_len) != NFX_WHAT_OTHER) {
			*d = at;
			return;
		}
	}
}

static bool contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* @pre at the start of @s, a run of blanks in @s matching each of its
 * spaces (a paste may widen or collapse them) */
static bool starts_ws(const char *s, size_t n, const char *pre)
{
	size_t i = 0;

	for (; *pre; pre++) {
		if (*pre == ' ') {
			if (i >= n || !blank(s[i]))
				return false;
			i = skip(s, n, i);
		} else if (i >= n || s[i++] != *pre) {
			return false;
		}
	}
	return true;
}

enum nfx_diag_what nfx_diag_what(const char *s, size_t n)
{
	if (starts_ws(s, n, "Detected Hardware Unit Hang"))
		return NFX_WHAT_HW_HANG;
	if (starts_ws(s, n, "Detected Tx Unit Hang"))
		return NFX_WHAT_TX_HANG;
	if (starts_ws(s, n, "NETDEV WATCHDOG:") &&
	    (contains(s, n, " timed out") || contains(s, n, "transmit timed")))
		return NFX_WHAT_TIMEOUT;
	if (starts_ws(s, n, "Reset adapter"))
		return NFX_WHAT_RESET;
	if (starts_ws(s, n, "NIC Link is Down") || starts_ws(s, n, "Link is Down"))
		return NFX_WHAT_DOWN;
	if (starts_ws(s, n, "NIC Link is Up") || starts_ws(s, n, "Link is Up"))
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
	size_t nl, k;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (starts(s, n, "buffer_info[next_to_clean]") ||
	    starts(s, n, "tx_buffer_info[next_to_clean]")) {
		*flags |= NFX_FIELD_SUBHEAD;
		/* a field a paste ran together with it */
		k = token(s, n, 0);
		if (memchr(s + k, '<', n - k))
			nfx_diag_parse_field(s + k, n - k, ring, flags);
		return true;
	}
	lt = memchr(s, '<', n);
	if (!lt || lt == s)
		return false;
	nl = (size_t)(lt - s);
	f = field_find(s, nl);
	comma = f ? NULL : memchr(s, ',', nl);
	if (comma) {
		/* ixgbe: "TDH, TDT             <0>, <5>" */
		f = field_find(s, (size_t)(comma - s));
		f2 = field_find(comma + 1, nl - (size_t)(comma + 1 - s));
		if (f && f2)
			*flags |= NFX_FIELD_PAIR;
		else
			f = f2 = NULL;
	}
	/* a prefix before the name ("> ", "kernel: ", a header run
	 * together with its fields): the name is the end of the text */
	for (k = 1; !f && k < nl; k++)
		if (!blank(s[k]) && (blank(s[k - 1]) || s[k - 1] == '>' ||
				     s[k - 1] == ':'))
			f = field_find(s + k, nl - k);
	if (!f)
		return false;
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


bool nfx_diag_parse_fields(const char *s, size_t n, struct nfx_diag_ring *ring,
			   unsigned int *flags)
{
	size_t i = 0, j, k, end;
	bool any = false;

	while (i < n) {
		/* a field ends at a '>' that blanks and a name follow */
		end = n;
		for (j = i; j < n; j++) {
			if (s[j] != '>')
				continue;
			k = skip(s, n, j + 1);
			if (k > j + 1 && k < n &&
			    ((s[k] >= 'a' && s[k] <= 'z') ||
			     (s[k] >= 'A' && s[k] <= 'Z'))) {
				end = j + 1;
				break;
			}
		}
		if (nfx_diag_parse_field(s + i, end - i, ring, flags))
			any = true;
		i = end;
	}
	return any;
}

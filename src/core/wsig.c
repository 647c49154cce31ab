/* wsig.c - what one /dev/kmsg record means to the daemon, read through
 * diagnose's own message parser (dmsg.c): one parser, two front ends
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "klog.h"

static void copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The hang kind a header names: only e1000e says "Hardware Unit Hang" */
static enum nfx_diag_kind hang_kind(enum nfx_diag_what what,
				    const char *driver)
{
	if (what == NFX_WHAT_HW_HANG)
		return NFX_DIAG_E1000E_HANG;
	if (what == NFX_WHAT_TIMEOUT)
		return NFX_DIAG_TX_TIMEOUT;
	if (!strcmp(driver, "e1000"))
		return NFX_DIAG_E1000_HANG;
	if (!strcmp(driver, "igb"))
		return NFX_DIAG_IGB_HANG;
	if (!strcmp(driver, "ixgbe"))
		return NFX_DIAG_IXGBE_HANG;
	return NFX_DIAG_TX_HANG;
}

enum nfx_wsig_what nfx_wsig_read(const struct nfx_kmsg_rec *rec,
				 struct nfx_wsig *ret)
{
	struct nfx_klog_state st;
	struct nfx_klog_rec kr;
	struct nfx_diag_dev dv;
	enum nfx_diag_what what;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	nfx_klog_state_init(&st, NULL);
	/* the header through the log parser, as diagnose reads it */
	if (!nfx_klog_parse(&st, rec->line, rec->line_len, &kr))
		return NFX_WSIG_NONE;
	/* the first line of the message ("\x0a" separates them) */
	n = nfx_klog_split(kr.text, kr.len, true);
	nfx_diag_parse_msg(kr.text, n, &dv);
	what = nfx_diag_what(dv.body, dv.body_len);
	switch (what) {
	case NFX_WHAT_HW_HANG:
	case NFX_WHAT_TX_HANG:
	case NFX_WHAT_TIMEOUT:
		ret->what = NFX_WSIG_HANG;
		break;
	case NFX_WHAT_RESET:
		ret->what = NFX_WSIG_RESET;
		break;
	case NFX_WHAT_DOWN:
		ret->what = NFX_WSIG_DOWN;
		break;
	case NFX_WHAT_UP:
		ret->what = NFX_WSIG_UP;
		break;
	default:
		return NFX_WSIG_NONE;
	}
	copy(ret->driver, sizeof(ret->driver), dv.driver, dv.driver_len);
	copy(ret->pci, sizeof(ret->pci), dv.pci, dv.pci_len);
	copy(ret->ifname, sizeof(ret->ifname), dv.ifname, dv.ifname_len);
	/* the record says whose it is even when the message does not */
	if (!ret->pci[0] && !strncmp(rec->device, "+pci:", 5))
		copy(ret->pci, sizeof(ret->pci), rec->device + 5,
		     strlen(rec->device + 5));
	if (ret->what == NFX_WSIG_HANG)
		ret->kind = hang_kind(what, ret->driver);
	return ret->what;
}

int nfx_wsig_kinds_parse(const char *list, unsigned int *ret_mask,
			 struct nfx_err *err)
{
	unsigned int mask = 0;
	const char *p = list;
	int k;

	while (*p) {
		size_t n = strcspn(p, ", \t");
		bool found = false;

		for (k = NFX_DIAG_LINK; n && k <= NFX_DIAG_RESET; k++) {
			const char *name = nfx_diag_kind_name((enum nfx_diag_kind)k);

			if (k != NFX_DIAG_LINK && k != NFX_DIAG_RESET &&
			    strlen(name) == n && !memcmp(name, p, n)) {
				mask |= 1u << k;
				found = true;
			}
		}
		if (n && !found)
			return nfx_err_set(err, -EINVAL,
					   "unknown hang kind '%.*s' (known: "
					   "e1000e-hardware-unit-hang, "
					   "e1000-tx-unit-hang, igb-tx-unit-hang, "
					   "ixgbe-tx-unit-hang, tx-unit-hang, "
					   "tx-timeout)",
					   (int)n, p);
		p += n;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
	}
	if (!mask)
		return nfx_err_set(err, -EINVAL, "no hang kind given");
	*ret_mask = mask;
	return 0;
}

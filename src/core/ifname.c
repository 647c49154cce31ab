/* ifname.c - is a string a safe interface name? */
#include <errno.h>
#include <string.h>

#include "nicfix.h"

/* Characters that a POSIX shell gives a meaning to, somewhere.  The name
 * ends up in a post-up line that ifupdown hands to /bin/sh, so a name
 * that the kernel would accept but a shell would interpret is refused.
 */
static const char shell_meta[] = ";&|<>$`\\\"'(){}[]*?!~#";

int nfx_ifname_check(const char *name, struct nfx_err *err)
{
	size_t len = strlen(name);
	const unsigned char *p;

	if (len == 0)
		return nfx_err_set(err, -EINVAL, "invalid interface name: empty");
	if (len >= NFX_IFNAMSIZ)
		return nfx_err_set(err, -EINVAL,
				   "invalid interface name: %zu bytes, the kernel allows at most %d",
				   len, NFX_IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return nfx_err_set(err, -EINVAL, "invalid interface name: '%s'", name);
	if (name[0] == '-')
		return nfx_err_set(err, -EINVAL,
				   "invalid interface name: it starts with '-'");
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p == '/' || *p == ':')
			return nfx_err_set(err, -EINVAL,
					   "invalid interface name: '%c' is not allowed", *p);
		if (*p <= ' ' || *p >= 0x7f)
			return nfx_err_set(err, -EINVAL,
					   "invalid interface name: white space, control or non-ASCII byte 0x%02x",
					   *p);
		if (strchr(shell_meta, *p))
			return nfx_err_set(err, -EINVAL,
					   "invalid interface name: '%c' is a shell metacharacter", *p);
	}
	return 0;
}

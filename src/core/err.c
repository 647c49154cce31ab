/* err.c - error detail carried out of the core */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nicfix.h"

int nfx_err_set(struct nfx_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void nfx_err_prefix(struct nfx_err *err, const char *fmt, ...)
{
	char buf[2 * sizeof(err->msg)];
	size_t len;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(buf);
	/* the prefix fits in half the buffer, the old text in the rest */
	snprintf(buf + len, sizeof(buf) - len, ": %s", err->msg);
	memcpy(err->msg, buf, sizeof(err->msg) - 1);
	err->msg[sizeof(err->msg) - 1] = '\0';
}

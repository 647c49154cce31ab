/* fuzz.h - what the libFuzzer targets share
 *
 * A target defines FUZZ_NAME before including this.  A broken promise is
 * reported like a sanitizer's: a line on stderr, then abort(), which
 * libFuzzer takes as a crash and saves the input of.
 */
#ifndef NICFIX_FUZZ_H
#define NICFIX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FAIL(...)                                                     \
	do {                                                          \
		fprintf(stderr, FUZZ_NAME ": " __VA_ARGS__);          \
		fputc('\n', stderr);                                  \
		abort();                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

/* check.h - the assertion the table-driven unit tests share */
#ifndef NICFIX_TEST_CHECK_H
#define NICFIX_TEST_CHECK_H

#include <stdio.h>

/* each test program defines these and prints them at the end */
static int passed, failed;

/* CHECK(cond, fmt, ...) - count a result; on failure say where and why */
#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (cond) {                                                 \
			passed++;                                           \
		} else {                                                    \
			failed++;                                           \
			printf("not ok: %s:%d: ", __FILE__, __LINE__);      \
			printf(__VA_ARGS__);                                \
			putchar('\n');                                      \
		}                                                           \
	} while (0)

#endif

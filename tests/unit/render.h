/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For the renderers' unit tests (include after cmocka.h). */
#ifndef TCPTUNE_TEST_RENDER_H
#define TCPTUNE_TEST_RENDER_H

#include <stdio.h>

/* Runs a renderer into a heap string. */
#define RENDER(call, ret)                             \
	do {                                          \
		size_t _len;                          \
		FILE *f = open_memstream(ret, &_len); \
		assert_non_null(f);                   \
		assert_int_equal((call), 0);          \
		assert_int_equal(fclose(f), 0);       \
	} while (0)

#endif

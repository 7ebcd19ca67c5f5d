/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_FUZZ_H
#define TCPTUNE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "observation.h"

/*
 * What every target in tests/fuzz provides: libFuzzer calls it with each
 * input, replay.c with each file named on its command line. A target
 * returns 0 and calls abort() when a contract of the code under test is
 * broken, so that a wrong answer is reported like a crash.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message naming the broken expectation: for the targets only. */
#define fuzz_assert(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* The input as a NUL-terminated string (it ends at its first NUL). Aborts on ENOMEM. */
char *fuzz_strdup(const uint8_t *data, size_t size);

/*
 * A directory of this process's own under $TMPDIR, created on first use and
 * removed with everything in it at exit.
 */
const char *fuzz_tmpdir(void);

/* Writes the input to "<fuzz_tmpdir()>/<name>", mode 0600; returns that path (heap). */
char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

/*
 * A snapshot with a value for every kind of metric (states, counters with
 * rates, sysctls: number, vector, text and absent, top ports with owners,
 * listeners, peers, the kernel release), built once, so that expressions
 * and templates can be evaluated; and an empty one, where nearly every
 * metric is unavailable.
 */
const struct observation *fuzz_snapshot(void);
const struct observation *fuzz_empty_snapshot(void);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libfuzzer.c - libFuzzer entry point: the input bytes go through the same
 * decoder as vcm-fuzz's seeded runs; any divergence from the model aborts
 * (libFuzzer then saves the input; `vcm-fuzz --bytes FILE -v` replays it
 * and prints its operations).
 */
#include <stdlib.h>

#include "fuzz.h"

#define MAX_OPS 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_config cfg = { .sweep = 16 };
	struct fz_harness *h = fz_create(&cfg);
	enum fz_fail f = FZ_OK;
	struct fz_op op;
	unsigned steps = 0;
	size_t n;

	if (!h)
		abort();
	while (!f && steps++ < MAX_OPS && (n = fz_decode(data, size, &op))) {
		data += n;
		size -= n;
		f = fz_step(h, &op);
	}
	if (!f)
		f = fz_finish(h);
	if (f) {
		fprintf(stderr, "vcm-fuzz: divergence (%s) at operation %lu: %s\n",
			fz_fail_name(f), fz_steps(h), fz_message(h));
		abort();
	}
	fz_destroy(h);
	return 0;
}

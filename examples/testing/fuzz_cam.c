/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_cam.c - a fuzz harness for the example camera driver (cam.c), the
 * way a driver author fuzzes their own code against libvcm: each input is
 * a sequence of driver operations (queue a buffer of some pages at some
 * offset, dequeue, capture a frame, fail the next operation's N-th
 * allocation, turn guard pages on); after every step vcm_verify() must find
 * the camera's tables consistent, and at the end the driver must have
 * given everything back.  Any finding aborts, so the fuzzer keeps the
 * input.
 *
 * With libFuzzer (clang):
 *   clang -g -fsanitize=fuzzer,address cam.c fuzz_cam.c $(pkg-config --cflags --libs vcm)
 *   ./a.out -max_len=256
 * Without (any compiler), -DCAM_FUZZ_MAIN gives a main() that runs
 * pseudo-random inputs from a seed, or the files named:
 *   cc -DCAM_FUZZ_MAIN cam.c fuzz_cam.c $(pkg-config --cflags --libs vcm)
 *   ./a.out --seed 1 --runs 200        ./a.out crash-1234
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cam.h"

#define PAGE		4096
#define UBUF_PAGES	32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *ubuf;		/* the application's memory */

static void check(struct cam *cam, const char *after)
{
	struct vcm_mismatch m;

	if (vcm_verify(cam->ctx, &m, 1) || vcm_sysmmu_verify(cam->mmu, &m, 1)) {
		fprintf(stderr, "fuzz_cam: after %s: %s\n", after, m.what);
		abort();
	}
}

/* One operation from 3 bytes. */
static void step(struct cam *cam, const uint8_t *op)
{
	unsigned i = op[1] % CAM_MAX_BUFS;
	static unsigned char frame[4 * PAGE];

	switch (op[0] % 5) {
	case 0: {	/* qbuf: 1..4 pages, at an offset, somewhere in ubuf */
		size_t len = (size_t)(op[2] % 4 + 1) * PAGE - (op[2] & 0x3f);
		size_t off = (size_t)(op[1] / CAM_MAX_BUFS) * 613 % ((UBUF_PAGES - 5) * PAGE);

		cam_qbuf(cam, i, ubuf + off, len);
		check(cam, "qbuf");
		break;
	}
	case 1:
		if (cam->buf[i].res)
			cam_dqbuf(cam, i);
		check(cam, "dqbuf");
		break;
	case 2:		/* capture: may overrun the buffer, the MMU must contain it */
		cam_capture(cam, i, frame, (size_t)op[2] * 64);
		check(cam, "capture");
		break;
	case 3:		/* the next operation's N-th allocation fails */
		vcm_fail_nth(op[2] % 16 + 1);
		break;
	default:
		vcm_set_guard(cam->ctx, (vcm_size_t)(op[2] % 3) * PAGE);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vcm_test *t;
	struct cam cam;
	size_t k;

	if (!ubuf) {
		ubuf = mmap(NULL, UBUF_PAGES * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ubuf == MAP_FAILED)
			abort();
		vcm_set_warn_handler(NULL, NULL);
	}
	memset(&cam, 0, sizeof(cam));
	t = vcm_test_begin(0, 0);
	if (vcm_is_err(t) || cam_probe(&cam, vcm_test_soc(t)))
		abort();
	for (k = 0; k + 3 <= size; k += 3)
		step(&cam, data + k);
	vcm_fail_nth(0);
	cam_remove(&cam);
	if (vcm_test_end(t, stderr))
		abort();		/* the driver leaked */
	return 0;
}

#ifdef CAM_FUZZ_MAIN
static int run_file(const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return LLVMFuzzerTestOneInput(buf, n);
}

int main(int argc, char **argv)
{
	unsigned long seed = 1, runs = 100, r;
	uint8_t input[240];
	size_t k;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = strtoul(argv[++i], NULL, 0);
		else
			return run_file(argv[i]);
	}
	srand((unsigned)seed);
	for (r = 0; r < runs; r++) {
		for (k = 0; k < sizeof(input); k++)
			input[k] = (uint8_t)rand();
		LLVMFuzzerTestOneInput(input, sizeof(input));
	}
	printf("fuzz_cam: %lu inputs, seed %lu, no finding\n", runs, seed);
	return 0;
}
#endif

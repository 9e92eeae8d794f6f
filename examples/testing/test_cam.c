/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_cam.c - a CMocka suite for the example camera driver (cam.c), using
 * libvcm's testing kit: a fresh SoC per test (vcm_test_begin()), the check
 * that everything was given back (vcm_test_leftovers()), vcm_verify() after
 * every step, fault injection (every allocation of cam_qbuf() fails in
 * turn), warning and fault capture, guard pages.  The last tests plant the
 * bugs drivers typically have and check the kit reports each.
 *
 * Build (installed library):
 *   cc cam.c test_cam.c $(pkg-config --cflags --libs vcm cmocka)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "cam.h"

#define PAGE 4096

struct fx {
	struct vcm_test *t;
	struct cam cam;
	unsigned char *ubuf;		/* the application's memory: 8 pages */
};

static int setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.t = vcm_test_begin(0, 0);
	assert_false(vcm_is_err(f.t));
	assert_int_equal(cam_probe(&f.cam, vcm_test_soc(f.t)), 0);
	assert_int_equal(vcm_test_watch(f.t, f.cam.ctx), 0);
	assert_int_equal(vcm_test_mark(f.t), 0);	/* the probed driver's state */
	f.ubuf = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f.ubuf != MAP_FAILED);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vcm_test_unwatch(f->t, f->cam.ctx);
	cam_remove(&f->cam);
	munmap(f->ubuf, 8 * PAGE);
	/* the driver gave everything back: pages, pins, page tables */
	assert_int_equal(vcm_test_end(f->t, stderr), 0);
	return 0;
}

/* vcm_verify() finds the camera's tables exactly as its bindings say. */
static void assert_consistent(struct fx *f)
{
	struct vcm_mismatch m[4];
	int n = vcm_verify(f->cam.ctx, m, 4), i;

	for (i = 0; i < n && i < 4; i++)
		print_error("%s\n", m[i].what);
	assert_int_equal(n, 0);
	assert_int_equal(vcm_sysmmu_verify(f->cam.mmu, m, 4), 0);
}

/* A frame lands in the application's buffer, and nothing is left after. */
static void test_streaming(void **state)
{
	struct fx *f = *state;
	unsigned char frame[3 * PAGE];

	memset(frame, 0x5a, sizeof(frame));
	assert_int_equal(cam_qbuf(&f->cam, 0, f->ubuf + 100, sizeof(frame)), 0);
	assert_consistent(f);
	assert_int_equal(cam_capture(&f->cam, 0, frame, sizeof(frame)), 0);
	assert_memory_equal(f->ubuf + 100, frame, sizeof(frame));
	cam_dqbuf(&f->cam, 0);
	assert_consistent(f);
	assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
}

/*
 * Every allocation cam_qbuf() makes fails in turn: each failure must give
 * a clean -ENOMEM or -ENOSPC, leave nothing behind and the tables intact.
 */
static void test_qbuf_fails_cleanly(void **state)
{
	struct fx *f = *state;
	unsigned long n, left;
	int ret;

	for (n = 1;; n++) {
		vcm_fail_nth(n);
		ret = cam_qbuf(&f->cam, 0, f->ubuf + 100, 3 * PAGE);
		left = vcm_fail_nth_left();
		vcm_fail_nth(0);
		if (left) {		/* fewer than n allocations: all were tried */
			assert_int_equal(ret, 0);
			cam_dqbuf(&f->cam, 0);
			break;
		}
		if (ret == 0) {		/* the library fell back: fine */
			cam_dqbuf(&f->cam, 0);
			continue;
		}
		assert_true(ret == -ENOMEM || ret == -ENOSPC);
		assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
		assert_consistent(f);
	}
	assert_true(n > 3);
	assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
}

/* Guard pages: a device overrunning its buffer faults, and is caught. */
static void test_overrun_faults(void **state)
{
	struct fx *f = *state;
	unsigned char frame[2 * PAGE] = { 0 };
	struct vcm_fault_capture *fc = vcm_fault_capture_start(f->cam.mmu);
	struct vcm_captured_fault cf;

	assert_false(vcm_is_err(fc));
	assert_int_equal(vcm_set_guard(f->cam.ctx, PAGE), 0);
	assert_int_equal(cam_qbuf(&f->cam, 0, f->ubuf, PAGE), 0);
	assert_int_equal(cam_qbuf(&f->cam, 1, f->ubuf + 4 * PAGE, PAGE), 0);
	/* two pages into a one-page buffer: the second page faults */
	assert_int_equal(cam_capture(&f->cam, 0, frame, sizeof(frame)), -EFAULT);
	assert_int_equal(vcm_fault_captured(fc, f->cam.buf[0].res->start + PAGE, PAGE,
					    VCM_FAULT_PAGE), 1);
	assert_int_equal(vcm_fault_capture_get(fc, 0, &cf), 0);
	assert_string_equal(cf.device, "cam");
	assert_int_equal(cf.fault.access, VCM_ACCESS_WRITE);
	assert_consistent(f);
	cam_dqbuf(&f->cam, 0);
	cam_dqbuf(&f->cam, 1);
	vcm_fault_capture_stop(fc);
}

/* ---- planted bugs: the kit must report each ---- */

/* The leftover report as a string. */
static const char *leftovers_text(struct fx *f, long *n)
{
	static char text[4096];
	FILE *out;

	memset(text, 0, sizeof(text));
	out = fmemopen(text, sizeof(text) - 1, "w");
	assert_non_null(out);
	*n = vcm_test_leftovers(f->t, out);
	fclose(out);
	return text;
}

static void test_bug_missing_unpin(void **state)
{
	struct fx *f = *state;
	struct vcm_phys *phys;
	long n;

	f->cam.bugs = CAM_BUG_NO_UNPIN;
	assert_int_equal(cam_qbuf(&f->cam, 0, f->ubuf, 2 * PAGE), 0);
	phys = f->cam.buf[0].phys;
	cam_dqbuf(&f->cam, 0);
	assert_non_null(strstr(leftovers_text(f, &n), "still pinned"));
	assert_true(n >= 2);			/* two pinned pages (and their RAM) */
	vcm_free(phys);				/* what the driver should have done */
	assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
	f->cam.bugs = 0;
}

static void test_bug_missing_unmap(void **state)
{
	struct fx *f = *state;
	struct vcm_warn_capture *wc = vcm_warn_capture_start();
	struct vcm_phys *phys;
	struct vcm_res *res;
	long n;

	assert_false(vcm_is_err(wc));
	f->cam.bugs = CAM_BUG_NO_UNMAP;
	assert_int_equal(cam_qbuf(&f->cam, 0, f->ubuf, PAGE), 0);
	phys = f->cam.buf[0].phys;
	res = f->cam.buf[0].res;
	cam_dqbuf(&f->cam, 0);
	/* libvcm refused to free memory a device still maps, and said so */
	assert_int_equal(vcm_warn_expect(wc, 1, "still bound", stderr), 0);
	assert_non_null(strstr(leftovers_text(f, &n), "reservation"));
	assert_true(n >= 2);			/* the reservation and the pin */
	vcm_unmap(res);
	vcm_free(phys);
	assert_int_equal(vcm_warn_expect(wc, 0, NULL, stderr), 0);
	vcm_warn_capture_stop(wc);
	assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
	f->cam.bugs = 0;
}

/* The leak shows only when an allocation fails: found by failing each. */
static void test_bug_leak_on_enomem(void **state)
{
	struct fx *f = *state;
	unsigned long n, leaky = 0;
	long left;
	int ret;

	f->cam.bugs = CAM_BUG_LEAK_ON_ENOMEM;
	for (n = 1;; n++) {
		vcm_fail_nth(n);
		ret = cam_qbuf(&f->cam, 0, f->ubuf, PAGE);
		left = (long)vcm_fail_nth_left();
		vcm_fail_nth(0);
		if (!ret) {
			cam_dqbuf(&f->cam, 0);
			if (left)
				break;
			continue;
		}
		if (vcm_test_leftovers(f->t, NULL)) {
			leaky++;
			/* what the buggy path left behind: the pinned page */
			vcm_free(f->cam.buf[0].phys);
			f->cam.buf[0].phys = NULL;
		}
	}
	assert_true(leaky > 0);		/* the kit caught the leaking path */
	assert_int_equal(vcm_test_leftovers(f->t, stderr), 0);
	f->cam.bugs = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_streaming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qbuf_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overrun_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bug_missing_unpin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bug_missing_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bug_leak_on_enomem, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

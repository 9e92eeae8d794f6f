// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_examples.c - run the USERPTR examples and check what they print:
 * exit status 0, the key lines of each step, no "FAILED", and for the main
 * demo that the PAs of the pinned pages are the ones the page-table entries
 * lead to.  Usage: test-examples EXAMPLES_BUILD_DIR.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define READ_CHUNK	4096
#define MAX_PAGES	64

static const char *examples_dir;

struct run {
	char *out;
	size_t len;
	int status;
};

static void read_all(int fd, struct run *r)
{
	size_t cap = 0;
	ssize_t n;

	do {
		if (r->len + READ_CHUNK + 1 > cap) {
			cap = (r->len + READ_CHUNK + 1) * 2;
			r->out = realloc(r->out, cap);
			assert_non_null(r->out);
		}
		n = read(fd, r->out + r->len, READ_CHUNK);
		if (n > 0)
			r->len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	r->out[r->len] = '\0';
}

/* Run an example with stdout (and stderr) captured. */
static struct run run_example(const char *name)
{
	struct run r = { 0 };
	char path[4096];
	int fds[2], status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", examples_dir, name);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	read_all(fds[0], &r);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r.status = status;
	return r;
}

static void expect(const struct run *r, const char *line)
{
	if (!strstr(r->out, line))
		fail_msg("missing from the output: \"%s\"\n--- output ---\n%s", line, r->out);
}

static void expect_clean(const struct run *r, const char *name)
{
	char last[256];

	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status))
		fail_msg("%s exited with status %#x\n%s", name, r->status, r->out);
	if (strstr(r->out, "FAILED") || strstr(r->out, "WARNING"))
		fail_msg("%s reported a failure or a warning\n%s", name, r->out);
	snprintf(last, sizeof(last), "%s: ok\n", name);
	expect(r, last);
}

/* The PAs listed after @key on successive lines, e.g. "-> PA 0x40004000". */
static unsigned collect_pas(const char *out, const char *key, uint64_t *pas)
{
	const char *p = out;
	unsigned n = 0;

	while (n < MAX_PAGES && (p = strstr(p, key))) {
		p += strlen(key);
		pas[n++] = strtoull(p, NULL, 16);
	}
	return n;
}

static void test_userptr_zero_copy(void **state)
{
	struct run r = run_example("userptr-zero-copy");
	uint64_t pinned[MAX_PAGES], walked[MAX_PAGES];
	unsigned n, i;

	(void)state;
	expect_clean(&r, "userptr-zero-copy");
	expect(&r, "1. the application's frame: UVA 0x");
	expect(&r, "offset 0x2a5 in its first page");
	expect(&r, "   page 0: UVA 0x");
	expect(&r, "   page 2: UVA 0x");
	expect(&r, "each PA's memory is the application's own page");
	expect(&r, "+ offset 0x2a5 = 0x200002a5");
	expect(&r, "link to L2 at 0x");
	expect(&r, "L2[0x02]");
	expect(&r, "every entry leads to the pinned page's PA");
	expect(&r, "vcm_dma_write(fimc0, DVA 0x200002a5)");
	expect(&r, "3 translations, 3 page-table walks, 0 faults");
	expect(&r, "the frame is in the application's buffer, no copy made");
	expect(&r, "the bytes around it in the same pages are untouched");
	expect(&r, "every pinned page and level-2 table is back in the SoC");
	/* The path is consistent: page i's PA is what the table maps DVA i to. */
	n = collect_pas(r.out, "-> PA ", pinned);
	assert_int_equal(n, 6); /* three pinned pages, then three walks */
	assert_int_equal(collect_pas(r.out, "4 KiB page -> PA ", walked), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(pinned[i], walked[i]);
	free(r.out);
}

static void test_shared_buffer(void **state)
{
	struct run r = run_example("shared-buffer");

	(void)state;
	expect_clean(&r, "shared-buffer");
	expect(&r, "page 3: fimc0 DVA 0x20003000 -> PA 0x");
	expect(&r, "both System MMUs lead to the same PA for each page");
	expect(&r, "mfc reads the same frame through its DVA (vcm_dma_read)");
	expect(&r, "round 1 teardown: the producer lets go first");
	expect(&r, "[fimc0 System MMU] page fault: write at DVA 0x20000123");
	expect(&r, "round 2 teardown: the consumer lets go first");
	expect(&r, "[mfc System MMU] page fault: write at DVA 0x60000123");
	expect(&r, "the other device still reaches the buffer");
	expect(&r, "last put: the pages are unpinned, their PAs free again");
	free(r.out);
}

static void test_onetoone(void **state)
{
	struct run r = run_example("onetoone");

	(void)state;
	expect_clean(&r, "onetoone");
	expect(&r, "scattered pages: vcm_map() is -EINVAL, the driver refuses");
	expect(&r, "vcm_free() unpinned every page");
	expect(&r, "the device address is the physical address");
	expect(&r, "the pattern is there, no copy made");
	expect(&r, "every page is back");
	free(r.out);
}

static void test_kernel_style_driver(void **state)
{
	struct run r = run_example("kernel-style-driver");

	(void)state;
	expect_clean(&r, "kernel-style-driver");
	expect(&r, "[fimc] probe: s5p-fimc.2, DVA window 0x");
	expect(&r, "[fimc] buf 0: UVA 0x");
	expect(&r, "[fimc] buf 1: UVA 0x");
	expect(&r, "pages pinned");
	expect(&r, "capture (vcm_dma_copy, pattern -> DVA)");
	expect(&r, "VIDIOC_DQBUF: the frame is in the malloc()ed buffer");
	expect(&r, "buf_prepare returns -EFAULT (VIDIOC_QBUF fails with EFAULT)");
	expect(&r, "[fimc] remove: done");
	expect(&r, "every page (pins, pattern, page tables) is back in the SoC");
	free(r.out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_userptr_zero_copy),
		cmocka_unit_test(test_shared_buffer),
		cmocka_unit_test(test_onetoone),
		cmocka_unit_test(test_kernel_style_driver),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s EXAMPLES_BUILD_DIR\n", argv[0]);
		return 2;
	}
	examples_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

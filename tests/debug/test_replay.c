/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_replay.c - call traces (VCM_TRACE) and their replay: a recorded
 * example replays as recorded; a planted divergence (one recorded result
 * edited) is found at its line and shrunk to a few calls; a trace that
 * ends in a fault shrinks to the calls that make it; calls that cannot be
 * replayed are refused with the reason; malformed traces get a clear error
 * with the line, never a crash; the format reads back what it writes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vcm.h>

#include "replay.h"

static int load_str(const char *text, struct vcm_rp_trace *t, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	ret = vcm_rp_load(f, "t", t, err, errlen);
	fclose(f);
	return ret;
}

static char *read_file(const char *name)
{
	const char *dir = getenv("VCM_TEST_SRCDIR");
	char path[1024];
	char *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/debug/traces/%s", dir ? dir : "tests", name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	return buf;
}

/* @text with the first @from after @after replaced by @to. */
static char *plant(const char *text, const char *after, const char *from, const char *to)
{
	const char *a = strstr(text, after), *p;
	char *out = malloc(strlen(text) + strlen(to) + 1);

	assert_non_null(a);
	p = strstr(a, from);
	assert_non_null(p);
	memcpy(out, text, p - text);
	strcpy(out + (p - text), to);
	strcat(out, p + strlen(from));
	return out;
}

static bool under_valgrind(void)
{
	return getenv("VCM_UNDER_VALGRIND") != NULL;
}

/* A recorded example (examples/quick-start.c) replays as recorded. */
static void test_example_replays(void **state)
{
	char *text = read_file("quick-start.trace"), err[256];
	struct vcm_rp_result r;
	struct vcm_rp_trace t;

	(void)state;
	assert_int_equal(load_str(text, &t, err, sizeof(err)), 0);
	vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
	assert_int_equal(r.status, VCM_RP_OK);
	assert_int_equal(r.calls, 12);
	vcm_rp_free(&t);
	free(text);
}

/* One recorded result edited: found at its line, shrunk to what makes it. */
static void test_planted_divergence(void **state)
{
	char *text = read_file("quick-start.trace"), err[256], *saved;
	char *bad = plant(text, "T1 vcm_dma_write", "=> 0", "=> -14");
	struct vcm_rp_result r, r2;
	struct vcm_rp_trace t, t2;
	size_t idx[64], n = 0, len;
	unsigned long runs;
	FILE *mem;

	(void)state;
	assert_int_equal(load_str(bad, &t, err, sizeof(err)), 0);
	vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
	assert_int_equal(r.status, VCM_RP_DIVERGED);
	assert_int_equal(r.line, 11);
	assert_non_null(strstr(r.expected, "vcm_dma_write"));
	assert_non_null(strstr(r.expected, "=> -14"));
	assert_non_null(strstr(r.got, "=> 0"));
	if (under_valgrind()) {	/* shrinking forks: children's memory is the parent's */
		vcm_rp_free(&t);
		free(bad);
		free(text);
		skip();
	}
	assert_int_equal(vcm_rp_shrink(&t, &r, idx, &n, &runs), 0);
	/* create the SoC, RAM, System MMU, context, the buffer, activate, write */
	assert_true(n < t.nev);
	assert_true(n <= 9);
	assert_int_equal(t.ev[idx[n - 1]].line, 11);
	/* written out and read back, it still diverges, at its last call */
	mem = open_memstream(&saved, &len);
	assert_int_equal(vcm_rp_save(mem, &t, idx, n), 0);
	fclose(mem);
	assert_int_equal(load_str(saved, &t2, err, sizeof(err)), 0);
	vcm_rp_run(&t2, NULL, t2.nev, false, NULL, &r2);
	assert_int_equal(r2.status, VCM_RP_DIVERGED);
	assert_int_equal(r2.event, t2.nev - 1);
	assert_string_equal(r2.expected, r.expected);
	vcm_rp_free(&t2);
	free(saved);
	vcm_rp_free(&t);
	free(bad);
	free(text);
}

/* Append to @buf the line the recorder would write for a call. */
static void emit(char *buf, size_t len, unsigned warns, enum vcm_trace_call call, ...)
{
	struct vcm_tr_call c;
	char line[1024];
	va_list ap;

	va_start(ap, call);
	vcm_trace_vcollect(&c, call, ap);
	va_end(ap);
	c.warns = warns;
	vcm_trace_format(&c, line, sizeof(line));
	snprintf(buf + strlen(buf), len - strlen(buf), "T1 %s\n", line);
}

static void quiet(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
}

/*
 * A trace made here, as the recorder writes it: noise, then a device read
 * of a DVA nothing maps, which faults (a fault report: one warning).
 */
static char *fault_trace(void)
{
	static char buf[8192];
	struct vcm_soc *soc = vcm_soc_create();
	struct vcm_sysmmu *mmu, *other;
	struct vcm *vcm;
	char data[16];
	unsigned long w;
	int ret;

	vcm_set_warn_handler(quiet, NULL);
	snprintf(buf, sizeof(buf), "%s %d\n# made by test_replay.c\n", VCM_TRACE_MAGIC,
		 VCM_TRACE_VERSION);
	emit(buf, sizeof(buf), 0, VCM_TR_SOC_CREATE, (const void *)soc);
	ret = vcm_soc_add_ram(soc, 0x40000000, 16 << 20);
	emit(buf, sizeof(buf), 0, VCM_TR_SOC_ADD_RAM, (const void *)soc, (uint64_t)0x40000000,
	     (uint64_t)(16 << 20), ret);
	other = vcm_sysmmu_create(soc, "noise");
	emit(buf, sizeof(buf), 0, VCM_TR_SYSMMU_CREATE, (const void *)soc, "noise",
	     (const void *)other);
	emit(buf, sizeof(buf), 0, VCM_TR_SOC_FREE_BYTES, (const void *)soc,
	     (uint64_t)vcm_soc_free_bytes(soc));
	mmu = vcm_sysmmu_create(soc, "fimc 0");
	emit(buf, sizeof(buf), 0, VCM_TR_SYSMMU_CREATE, (const void *)soc, "fimc 0",
	     (const void *)mmu);
	vcm = vcm_iommu_create(mmu, 0x20000000, 1 << 20);
	emit(buf, sizeof(buf), 0, VCM_TR_IOMMU_CREATE, (const void *)mmu, (uint64_t)0x20000000,
	     (uint64_t)(1 << 20), (const void *)vcm);
	ret = vcm_activate(vcm);
	emit(buf, sizeof(buf), 0, VCM_TR_ACTIVATE, (const void *)vcm, ret);
	vcm_sysmmu_destroy(other);
	emit(buf, sizeof(buf), 0, VCM_TR_SYSMMU_DESTROY, (const void *)other);
	w = vcm_warn_count();
	ret = vcm_dma_read(mmu, 0x20004000, data, sizeof(data));
	assert_int_equal(ret, -EFAULT);
	emit(buf, sizeof(buf), (unsigned)(vcm_warn_count() - w), VCM_TR_DMA_READ, (const void *)mmu,
	     (uint64_t)0x20004000, (uint64_t)sizeof(data), ret, (const void *)data, (uint64_t)0);
	vcm_deactivate(vcm);
	vcm_destroy(vcm);
	vcm_sysmmu_destroy(mmu);
	vcm_soc_destroy(soc);
	vcm_set_warn_handler(NULL, NULL);
	return buf;
}

/* A trace that ends in a fault replays; --shrink keeps what makes the fault. */
static void test_fault_shrinks(void **state)
{
	const char *text = fault_trace();
	struct vcm_rp_result r;
	struct vcm_rp_trace t;
	size_t idx[32], n = 0, i;
	unsigned long runs;
	char err[256];

	(void)state;
	assert_non_null(strstr(text, "name=\"fimc\\x200\""));
	assert_non_null(strstr(text, "warn=1"));
	assert_int_equal(load_str(text, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nev, 9);
	vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
	assert_int_equal(r.status, VCM_RP_OK);
	if (under_valgrind()) {
		vcm_rp_free(&t);
		skip();
	}
	assert_int_equal(vcm_rp_shrink(&t, &r, idx, &n, &runs), 0);
	/* the noise (another System MMU, a query) is gone; the read still
	 * faults (with the MMU off too: its DVA is no RAM) */
	assert_true(n >= 2 && n <= 5);
	for (i = 0; i < n; i++)
		assert_true(t.ev[idx[i]].c.call != VCM_TR_SOC_FREE_BYTES &&
			    t.ev[idx[i]].c.call != VCM_TR_SYSMMU_DESTROY);
	assert_int_equal(t.ev[idx[n - 1]].c.call, VCM_TR_DMA_READ);
	vcm_rp_free(&t);
}

/* A trace with no divergence, warning or fault: nothing to shrink to. */
static void test_nothing_to_shrink(void **state)
{
	const char *text = "vcm-trace 1\nT1 vcm_soc_create => #1\nT1 vcm_soc_destroy soc=#1 => -\n";
	struct vcm_rp_result r;
	struct vcm_rp_trace t;
	size_t idx[4], n;
	unsigned long runs;
	char err[256];

	(void)state;
	assert_int_equal(load_str(text, &t, err, sizeof(err)), 0);
	vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
	assert_int_equal(r.status, VCM_RP_OK);
	assert_int_equal(vcm_rp_shrink(&t, &r, idx, &n, &runs), -EINVAL);
	vcm_rp_free(&t);
}

/* A handle seen again must be the same object. */
static void test_handle_identity(void **state)
{
	const char *text = "vcm-trace 1\n"
		"T1 vcm_soc_create => #1\n"
		"T1 vcm_soc_create => #1\n";
	struct vcm_rp_result r;
	struct vcm_rp_trace t;
	char err[256];

	(void)state;
	assert_int_equal(load_str(text, &t, err, sizeof(err)), 0);
	vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
	assert_int_equal(r.status, VCM_RP_DIVERGED);
	assert_int_equal(r.line, 3);
	vcm_rp_free(&t);
}

/* Calls that cannot be made again: stopped with the reason and the line. */
static void test_refused(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *why;
	} cases[] = {
		{ "vcm-trace 1\nT1 vcm_soc_add_ram soc=#5 base=0x0 size=0x1000 => 0\n", 2,
		  "no earlier call returned" },
		{ "vcm-trace 1\nT1 vcm_init start=0x0 size=0x1000 ops=1 => #1 start=0x0 size=0x1000\n",
		  2, "user code" },
		{ "vcm-trace 1\nT1 vcm_o2o_init start=0x0 size=0x1000 ops=1 => #1\n", 2, "user code" },
		{ "vcm-trace 1\n# a comment\n@user 0x10000 0x1000 00000000000000aa\n", 3, "@data" },
		{ "vcm-trace 1\nT1 vcm_soc_create => #1\n"
		  "T1 vcm_soc_phys_write soc=#1 pa=0x0 data=d:0x4:1234567812345678 => 0\n", 3,
		  "no @data" },
	};
	struct vcm_rp_result r;
	struct vcm_rp_trace t;
	char err[256];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_str(cases[i].text, &t, err, sizeof(err)), 0);
		vcm_rp_run(&t, NULL, t.nev, false, NULL, &r);
		assert_int_equal(r.status, VCM_RP_REFUSED);
		assert_int_equal(r.line, cases[i].line);
		if (!strstr(r.got, cases[i].why))
			fail_msg("case %u: \"%s\" does not say \"%s\"", i, r.got, cases[i].why);
		vcm_rp_free(&t);
	}
}

/* Malformed traces: a clear error naming the line; nothing crashes. */
static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
		{ "", "t:0: empty file" },
		{ "hello\n", "t:1: not a libvcm trace" },
		{ "vcm-trace 2\n", "t:1: trace format version 2" },
		{ "vcm-trace 1\nT1 vcm_nothing => 0\n", "t:2: unknown call \"vcm_nothing\"" },
		{ "vcm-trace 1\nT1 vcm_soc_create #1\n", "t:2: no \"=> RESULT\"" },
		{ "vcm-trace 1\nT1 vcm_soc_create =>\n", "t:2: no \"=> RESULT\"" },
		{ "vcm-trace 1\nT1 vcm_soc_destroy => -\n", "t:2: vcm_soc_destroy takes 1 arguments, not 0" },
		{ "vcm-trace 1\nT1 vcm_soc_destroy mmu=#1 => -\n", "t:2: no argument \"mmu\"" },
		{ "vcm-trace 1\nT1 vcm_soc_add_ram base=0x0 soc=#1 size=0x1000 => 0\n",
		  "t:2: argument 1 of vcm_soc_add_ram is not \"base\"" },
		{ "vcm-trace 1\nT1 vcm_soc_destroy soc=#x => -\n", "t:2: cannot read argument \"soc=#x\"" },
		{ "vcm-trace 1\nT1 vcm_soc_destroy soc=#0 => -\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_soc_destroy soc=#99999999999 => -\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_soc_destroy soc=0x10 => -\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_soc_add_ram soc=#1 base=0xZZ size=0x1000 => 0\n",
		  "t:2: cannot read argument \"base=0xZZ\"" },
		{ "vcm-trace 1\nT1 vcm_soc_add_ram soc=#1 base=99999999999999999999999 size=1 => 0\n",
		  "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_soc_create => 0x1\n", "t:2: cannot read result \"0x1\"" },
		{ "vcm-trace 1\nT1 vcm_soc_create => #1 warn=x\n", "t:2: cannot read \"warn=x\"" },
		{ "vcm-trace 1\nT1 vcm_soc_create => #1 start\n", "t:2: \"start\" is not name=value" },
		{ "vcm-trace 1\nT1 vcm_sysmmu_create soc=#1 name=\"abc => #2\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_sysmmu_create soc=#1 name=\"a\\x0\" => #2\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_sysmmu_create soc=#1 name=\"a\\x00\" => #2\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_dma_write mmu=#1 dva=0x0 data=h:0x4:00 => 0\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_dma_write mmu=#1 dva=0x0 data=d:0x4 => 0\n", "t:2: cannot read argument" },
		{ "vcm-trace 1\nTx vcm_soc_create => #1\n", "t:2: expected \"Tn NAME ARGS => RESULTS\"" },
		{ "vcm-trace 1\nvcm_soc_create => #1\n", "t:2: not a call, @data, @user, @static or # comment" },
		{ "vcm-trace 1\n@data 12\n", "t:2: expected \"@data HASH HEX\"" },
		{ "vcm-trace 1\n@data 1234 abc\n", "t:2: expected \"@data HASH HEX\"" },
		{ "vcm-trace 1\n@data 1234 zz\n", "t:2: @data: not hex" },
		{ "vcm-trace 1\n@data 1234 00\n", "t:2: @data 0000000000001234: the bytes do not have that hash" },
		{ "vcm-trace 1\n@user 0x1000 0x1000\n", "t:2: expected \"@user ADDR LEN HASH\"" },
		{ "vcm-trace 1\n@static 7\n", "t:2: expected \"@static #ID\"" },
		{ "vcm-trace 1\n@static #0\n", "t:2: expected \"@static #ID\"" },
		{ "vcm-trace 1\n@user 0x1000 0x1000000000000 00\n", "t:2: expected \"@user ADDR LEN HASH\"" },
		{ "vcm-trace 1\nT1 vcm_soc_create => #1 a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=10\n",
		  "t:2: too many results" },
		{ "vcm-trace 1\nT1 vcm_soc_create => #1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22\n",
		  "t:2: too many items" },
		{ "vcm-trace 1\nT1 vcm_soc_create\0 => #1\n", "t:2: a NUL byte" },
		{ "vcm-trace 1\nT1 vcm_phys_alloc size=0x1000 flags=0 orders=8.x => #1\n",
		  "t:2: cannot read argument" },
		{ "vcm-trace 1\nT1 vcm_soc_set_noncoherent soc=#1 cfg=64/0 => 0\n",
		  "t:2: cannot read argument" },
	};
	struct vcm_rp_trace t;
	char err[256];
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].text);
		FILE *f;
		int ret;

		/* the NUL case: the text goes on after the NUL */
		if (strstr(cases[i].err, "NUL"))
			len += 1 + strlen(cases[i].text + len + 1);
		f = fmemopen((void *)cases[i].text, len ? len : 1, "r");
		assert_non_null(f);
		if (!len)
			fgetc(f);
		ret = vcm_rp_load(f, "t", &t, err, sizeof(err));
		fclose(f);
		if (ret != -EINVAL || !strstr(err, cases[i].err))
			fail_msg("case %u: %d \"%s\", want \"%s\"", i, ret, err, cases[i].err);
	}
}

/* A very long line (a big @data) reads back. */
static void test_long_line(void **state)
{
	size_t n = 1 << 20, i;
	unsigned char *bytes = malloc(n);
	char *text = malloc(2 * n + 64);
	struct vcm_rp_trace t;
	char err[256];
	int o;

	(void)state;
	for (i = 0; i < n; i++)
		bytes[i] = (unsigned char)(i * 7);
	o = sprintf(text, "vcm-trace 1\n@data %016llx ",
		    (unsigned long long)vcm_trace_hash(bytes, n));
	for (i = 0; i < n; i++)
		o += sprintf(text + o, "%02x", bytes[i]);
	strcpy(text + o, "\n");
	assert_int_equal(load_str(text, &t, err, sizeof(err)), 0);
	assert_int_equal(t.ndata, 1);
	assert_int_equal(t.data[0].len, n);
	assert_memory_equal(t.data[0].bytes, bytes, n);
	vcm_rp_free(&t);
	free(text);
	free(bytes);
}

/* What the recorder writes, the reader reads back to the same line. */
static void test_round_trip(void **state)
{
	static const unsigned char orders[] = { 8, 4, 0 };
	struct vcm_cache_config cfg = { 64, 5, 0x1234 };
	struct vcm_rp_trace t;
	char buf[4096] = "vcm-trace 1\n", line[1024], err[256];
	size_t i;

	(void)state;
	emit(buf, sizeof(buf), 0, VCM_TR_SYSMMU_CREATE, (const void *)NULL, "a b\"c\\d=e",
	     vcm_err_ptr(-ENOMEM));
	emit(buf, sizeof(buf), 2, VCM_TR_PHYS_ALLOC, (uint64_t)0x3000, 0u, orders, (const void *)NULL);
	emit(buf, sizeof(buf), 0, VCM_TR_SOC_SET_NONCOHERENT, (const void *)buf, &cfg, -EBUSY);
	emit(buf, sizeof(buf), 0, VCM_TR_SOC_PHYS_TO_HOST, (const void *)NULL, (uint64_t)0x40000000,
	     (const void *)buf);
	emit(buf, sizeof(buf), 0, VCM_TR_CACHE_MAINT_HOST, (const void *)NULL, (const void *)buf,
	     (uint64_t)16, 3, -EINVAL);
	emit(buf, sizeof(buf), 0, VCM_TR_SOC_PHYS_READ, (const void *)NULL, (uint64_t)0x40000000,
	     (uint64_t)4, 0, (const void *)"abcd", (uint64_t)4);
	assert_non_null(strstr(buf, "name=\"a\\x20b\\x22c\\x5cd\\x3de\" => err:-12"));
	assert_non_null(strstr(buf, "orders=8.4.0 => null warn=2"));
	assert_non_null(strstr(buf, "soc=#? cfg=64/5/0x1234 => -16"));
	assert_non_null(strstr(buf, "=> ~0x"));
	assert_int_equal(load_str(buf, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nev, 6);
	for (i = 0; i < t.nev; i++) {
		const char *p = buf;
		unsigned l;

		vcm_trace_format(&t.ev[i].c, line, sizeof(line));
		for (l = 1; l < t.ev[i].line; l++)
			p = strchr(p, '\n') + 1;
		assert_int_equal(strncmp(p + 3, line, strlen(line)), 0);
	}
	vcm_rp_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_replays),
		cmocka_unit_test(test_planted_divergence),
		cmocka_unit_test(test_fault_shrinks),
		cmocka_unit_test(test_nothing_to_shrink),
		cmocka_unit_test(test_handle_identity),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

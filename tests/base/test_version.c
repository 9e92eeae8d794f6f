/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_version.c - <vcm/version.h>: the macros agree with the project's
 * version, VCM_CHECK_VERSION() orders versions, vcm_version() is the
 * library's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <vcm.h>

static void test_macros_match_string(void **state)
{
	char s[32];

	(void)state;
	snprintf(s, sizeof(s), "%d.%d.%d", VCM_VERSION_MAJOR, VCM_VERSION_MINOR,
		 VCM_VERSION_MICRO);
	assert_string_equal(s, VCM_VERSION_STRING);
	assert_int_equal(VCM_VERSION, VCM_VERSION_ENCODE(VCM_VERSION_MAJOR, VCM_VERSION_MINOR,
							 VCM_VERSION_MICRO));
}

static void test_check_version_orders(void **state)
{
	(void)state;
	assert_true(VCM_CHECK_VERSION(0, 0, 0));
	assert_true(VCM_CHECK_VERSION(VCM_VERSION_MAJOR, VCM_VERSION_MINOR, VCM_VERSION_MICRO));
	assert_false(VCM_CHECK_VERSION(VCM_VERSION_MAJOR, VCM_VERSION_MINOR,
				       VCM_VERSION_MICRO + 1));
	assert_false(VCM_CHECK_VERSION(VCM_VERSION_MAJOR, VCM_VERSION_MINOR + 1, 0));
	assert_false(VCM_CHECK_VERSION(VCM_VERSION_MAJOR + 1, 0, 0));
#if !VCM_CHECK_VERSION(0, 1, 0)
	fail_msg("VCM_CHECK_VERSION() does not work in #if");
#endif
	/* The encoding orders versions like the macro does. */
	assert_true(VCM_VERSION_ENCODE(0, 2, 0) > VCM_VERSION_ENCODE(0, 1, 9));
	assert_true(VCM_VERSION_ENCODE(1, 0, 0) > VCM_VERSION_ENCODE(0, 255, 255));
}

static void test_runtime_version(void **state)
{
	(void)state;
	assert_int_equal(vcm_version(), VCM_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macros_match_string),
		cmocka_unit_test(test_check_version_orders),
		cmocka_unit_test(test_runtime_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

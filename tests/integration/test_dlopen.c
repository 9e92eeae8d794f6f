/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_dlopen.c - libvcm.so loaded at run time (dlopen(), as Python's
 * ctypes or a plugin host does) rather than linked: with the room for its
 * static TLS that README's "Using the library" asks for
 * (GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384, set by meson), it
 * loads, makes and destroys a SoC, and unloads.  This program does not
 * link libvcm; the library's path is its first argument.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static const char *lib_path;

typedef void *(*soc_create_fn)(void);
typedef int (*soc_add_ram_fn)(void *soc, uint64_t base, uint64_t size);
typedef uint64_t (*soc_free_bytes_fn)(void *soc);
typedef void (*soc_destroy_fn)(void *soc);

static void test_dlopen_soc(void **state)
{
	void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
	soc_create_fn create;
	soc_add_ram_fn add_ram;
	soc_free_bytes_fn free_bytes;
	soc_destroy_fn destroy;
	void *soc;

	(void)state;
	if (!lib)
		fail_msg("dlopen(%s): %s", lib_path, dlerror());
	create = (soc_create_fn)(uintptr_t)dlsym(lib, "vcm_soc_create");
	add_ram = (soc_add_ram_fn)(uintptr_t)dlsym(lib, "vcm_soc_add_ram");
	free_bytes = (soc_free_bytes_fn)(uintptr_t)dlsym(lib, "vcm_soc_free_bytes");
	destroy = (soc_destroy_fn)(uintptr_t)dlsym(lib, "vcm_soc_destroy");
	assert_non_null(create);
	assert_non_null(add_ram);
	assert_non_null(free_bytes);
	assert_non_null(destroy);
	soc = create();
	assert_true((uintptr_t)soc < (uintptr_t)-4095);
	assert_int_equal(add_ram(soc, 0x40000000, 1 << 20), 0);
	assert_int_equal(free_bytes(soc), 1 << 20);
	destroy(soc);
	assert_int_equal(dlclose(lib), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlopen_soc),
	};

	if (argc < 2)
		return 2;
	lib_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

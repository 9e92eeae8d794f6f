/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_dlopen.c - libvcm.so loaded at run time (dlopen(), as Python's
 * ctypes or a plugin host does) rather than linked: it loads as is (no
 * tunable: meson runs this with glibc's defaults), makes and destroys a
 * SoC, and unloads.  Its static TLS stays under TLS_MAX bytes: glibc lends
 * a library opened this way static TLS only from a small reserve (about
 * 1.5 KiB with the defaults, shared with whatever else the program
 * opened), and a library that needs more fails to load with "cannot
 * allocate memory in static TLS block".  This program does not link
 * libvcm; the library's path is its first argument.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define TLS_MAX		1024

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

/* The TLS segment of the loaded object named @arg's path (-1: none seen). */
struct tls_probe {
	const char *path;
	long memsz;
};

static int find_tls(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct tls_probe *p = arg;
	unsigned i;

	(void)size;
	if (!info->dlpi_name || strcmp(info->dlpi_name, p->path))
		return 0;
	p->memsz = 0;
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_TLS)
			p->memsz = (long)info->dlpi_phdr[i].p_memsz;
	return 1;
}

static void test_static_tls_small(void **state)
{
	void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
	struct tls_probe p = { .path = lib_path, .memsz = -1 };

	(void)state;
	if (!lib)
		fail_msg("dlopen(%s): %s", lib_path, dlerror());
	dl_iterate_phdr(find_tls, &p);
	assert_true(p.memsz >= 0);	/* found */
	if (p.memsz > TLS_MAX)
		fail_msg("libvcm.so has %ld bytes of TLS (at most %d leave dlopen() room)",
			 p.memsz, TLS_MAX);
	assert_int_equal(dlclose(lib), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlopen_soc),
		cmocka_unit_test(test_static_tls_small),
	};

	if (argc < 2)
		return 2;
	lib_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

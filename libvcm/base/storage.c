/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage.c - is an object in static storage?  True when its address lies
 * in a writable segment (.data, .bss) of the program or of a shared object
 * loaded into it, as a driver's `static struct vcm my = { ... }` does; the
 * heap, the stacks and mmap()ed memory are not.  Slow (it walks the loaded
 * objects' program headers): for the rare path of a handle the registry
 * does not know.
 */
#include <link.h>
#include <stdint.h>

#include "internal.h"

struct find {
	uintptr_t lo, hi;	/* the object's bytes, [lo, hi) */
	bool found;
};

static int in_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find *f = arg;
	ElfW(Half) i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		if (f->lo >= start && f->hi <= start + ph->p_memsz) {
			f->found = true;
			return 1;
		}
	}
	return 0;
}

bool vcm_is_static_storage(const void *p, size_t size)
{
	struct find f = { (uintptr_t)p, (uintptr_t)p + size, false };

	if (!p || f.hi < f.lo)
		return false;
	dl_iterate_phdr(in_object, &f);
	return f.found;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parent.c - a program of a parent project that gets libvcm as a subproject.
 */
#include <stdio.h>
#include <vcm.h>

#if !VCM_CHECK_VERSION(0, 1, 0)
#error "libvcm 0.1.0 or later is needed"
#endif

int main(void)
{
	struct vcm_phys *phys = vcm_phys_alloc(VCM_PAGE_SIZE, 0, NULL);

	if (vcm_is_err(phys))
		return 1;
	printf("parent: libvcm %s (run time 0x%06x), one page at PA 0x%llx\n", VCM_VERSION_STRING,
	       vcm_version(), (unsigned long long)phys->parts[0].start);
	vcm_free(phys);
	return vcm_version() >= VCM_VERSION ? 0 : 1;
}

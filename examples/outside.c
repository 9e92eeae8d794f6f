/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * outside.c - a program built from outside the source tree against the
 * installed library: cc outside.c $(pkg-config --cflags --libs vcm)
 */
#include <stdio.h>
#include <string.h>
#include <vcm.h>
#include <vcm/kernel.h>

int main(void)
{
	static const unsigned char orders[] = { 8, 4, 0 };
	struct vcm_phys *phys = vcm_phys_alloc(SZ_1M + SZ_64K, 0, orders);
	char text[] = "hello, physical memory", back[sizeof(text)];

	if (IS_ERR(phys))
		return 1;
	if (vcm_soc_phys_write(vcm_soc_current(), phys->parts[0].start, text, sizeof(text)) ||
	    vcm_soc_phys_read(vcm_soc_current(), phys->parts[0].start, back, sizeof(back)) ||
	    strcmp(text, back))
		return 1;
	printf("outside: %u parts, read back \"%s\"\n", phys->count, back);
	vcm_free(phys);
	return 0;
}

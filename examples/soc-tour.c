/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * soc-tour.c - the simulated machine in a few steps: make a SoC with RAM,
 * allocate physical memory the way a driver would (largest pages first),
 * write and read it back by physical address, and watch the buddy
 * allocator's free lists before and after.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vcm.h>

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (64ULL << 20)

static int check(int ok, const char *what)
{
	printf("  %-52s %s\n", what, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

int main(void)
{
	static const unsigned char orders[] = { 8, 4, 0 }; /* 1 MiB, 64 KiB, 4 KiB */
	struct vcm_soc *soc = vcm_soc_create();
	const char msg[] = "bytes at a physical address";
	char back[sizeof(msg)];
	struct vcm_phys *phys;
	vcm_size_t free_at_start;
	vcm_addr_t last;
	unsigned i;
	int bad = 0;

	printf("1. a SoC with %llu MiB of RAM at %#llx (backed lazily by host memory)\n",
	       RAM_SIZE >> 20, RAM_BASE);
	if (vcm_is_err(soc) || vcm_soc_add_ram(soc, RAM_BASE, RAM_SIZE))
		return 1;
	vcm_soc_set_current(soc);
	free_at_start = vcm_soc_free_bytes(soc);
	vcm_soc_dump_buddyinfo(soc, stdout);

	printf("2. vcm_phys_alloc(2 MiB + 68 KiB, orders {8, 4, 0})\n");
	phys = vcm_phys_alloc((2ULL << 20) + (68ULL << 10), 0, orders);
	if (vcm_is_err(phys))
		return 1;
	for (i = 0; i < phys->count; i++)
		printf("   part %u: PA %#010llx, %4llu KiB\n", i,
		       (unsigned long long)phys->parts[i].start,
		       (unsigned long long)phys->parts[i].size >> 10);
	vcm_soc_dump_buddyinfo(soc, stdout);

	last = phys->parts[phys->count - 1].start;
	printf("3. the CPU writes \"%s\" at PA %#llx and reads it back\n", msg,
	       (unsigned long long)last);
	bad |= check(!vcm_soc_phys_write(soc, last, msg, sizeof(msg)), "vcm_soc_phys_write");
	bad |= check(!vcm_soc_phys_read(soc, last, back, sizeof(back)) && !strcmp(back, msg),
		     "vcm_soc_phys_read gives the same bytes");
	bad |= check(vcm_soc_phys_read(soc, 0x1000, back, 1) == -EFAULT,
		     "a read outside RAM is -EFAULT");

	printf("4. free it: the buddies coalesce\n");
	vcm_free(phys);
	vcm_soc_dump_buddyinfo(soc, stdout);
	bad |= check(vcm_soc_free_bytes(soc) == free_at_start, "free bytes back to the start");

	vcm_soc_set_current(NULL);
	vcm_soc_destroy(soc);
	return bad;
}

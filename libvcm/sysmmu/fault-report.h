/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fault-report.h - the report of a fault no handler resolved (internal):
 * what the System MMU model collects under its lock, and the text made from
 * it without the lock.
 */
#ifndef LIBVCM_FAULT_REPORT_H
#define LIBVCM_FAULT_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <vcm/sysmmu.h>

#include "tlb.h"

/*
 * struct vcm_fault_scene - the System MMU's state at the fault.
 * @name: the System MMU's name (lives as long as it).
 * @ctrl: CTRL.
 * @pt_base: PT_BASE_ADDR.
 * @tlb_hits: TLB entries holding the DVA.
 * @tlb: the first of them.
 * @tlb_stale: it no longer matches the table (or the base).
 * @describe: the context's describer, and @describe_priv for it.
 * @suppressed: reports suppressed by the rate limit since the last one.
 */
struct vcm_fault_scene {
	const char *name;
	uint32_t ctrl;
	uint32_t pt_base;
	unsigned tlb_hits;
	struct vcm_tlb_entry tlb;
	bool tlb_stale;
	vcm_dva_describe_fn describe;
	void *describe_priv;
	unsigned long suppressed;
};

/* The raw entries of one DVA read from a table in RAM. */
struct vcm_fault_entries {
	bool lv1_ram;		/* the level-1 entry's address is RAM */
	uint64_t lv1_pa;
	uint32_t lv1;
	bool has_lv2;		/* @lv1 links to a level-2 table */
	bool lv2_ram;
	uint64_t lv2_pa;
	uint32_t lv2;
};

/* Read the entries that translate @dva in the table at @base. */
void vcm_fault_read_entries(struct vcm_soc *soc, uint64_t base, uint64_t dva,
			    struct vcm_fault_entries *e);

/* The cause of a fault in words (one line), from the scene, entries, context. */
const char *vcm_fault_cause(struct vcm_soc *soc, const struct vcm_fault *f,
			    const struct vcm_fault_scene *s, const struct vcm_fault_entries *e,
			    const struct vcm_dva_desc *d, char *buf, size_t len);

/* Write the report of @f (several lines) into @buf; calls the describer. */
void vcm_fault_report_format(struct vcm_soc *soc, const struct vcm_fault *f,
			     const struct vcm_fault_scene *s, char *buf, size_t len);

/* Name of a fault type: "page fault", "bus error", ... */
const char *vcm_fault_type_name(enum vcm_fault_type t);

#endif /* LIBVCM_FAULT_REPORT_H */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay-calls.c - make one recorded call again (vcm-replay): its
 * arguments from the trace, the call itself, and its results collected
 * exactly as the recorder's hook collects them (trace-calls.h).
 *
 * Arguments that were user code cannot be made again: a fault handler is
 * replaced by none (the library's default: the fault is reported), the
 * S5P platform callbacks by the library's own (as with a NULL driver), an
 * MMU driver (vcm_mmu_init()) by one that accepts every page mapping;
 * contexts on the program's own raw or one-to-one driver ops (vcm_init(),
 * vcm_o2o_init()) are refused.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <vcm.h>
#include <vcm/testing.h>

#include "replay.h"

#define ARG(i)		(&rec->args[i])
#define NUM(i)		(rec->args[i].v)
#define HANDLE(i, var) do {						\
	if (!vcm_rp_arg_handle(s, ARG(i), (void **)&(var)))		\
		return -1;						\
} while (0)
#define COLLECT(...)	vcm_trace_collect(got, rec->call, __VA_ARGS__)

/* Orders "8.4.0" back into a list (at most 16). */
static const unsigned char *orders(const struct vcm_tr_val *v, unsigned char *buf)
{
	const char *p = v->str;
	unsigned i = 0;

	if (v->form != VCM_TRV_ORDERS)
		return NULL;
	memset(buf, 0, 17);
	while (*p && i < 16) {
		buf[i++] = (unsigned char)strtoul(p, (char **)&p, 10);
		if (*p == '.')
			p++;
	}
	return buf;
}

static int call_machine(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			 struct vcm_tr_call *got)
{
	struct vcm_soc *soc = NULL;
	vcm_addr_t pa = 0;
	int ret;

	if (rec->call > VCM_TR_CACHE_FLUSH_ALL)
		return 0;
	if (rec->nargs && rec->args[0].type == 's')
		HANDLE(0, soc);
	switch (rec->call) {
	case VCM_TR_SOC_CREATE:
		COLLECT(vcm_soc_create());
		break;
	case VCM_TR_SOC_ADD_RAM:
		ret = vcm_soc_add_ram(soc, NUM(1), NUM(2));
		COLLECT(soc, NUM(1), NUM(2), ret);
		break;
	case VCM_TR_SOC_DESTROY:
		vcm_soc_destroy(soc);
		COLLECT(soc);
		break;
	case VCM_TR_SOC_CURRENT:
		COLLECT(vcm_soc_current());
		break;
	case VCM_TR_SOC_SET_CURRENT:
		vcm_soc_set_current(soc);
		COLLECT(soc);
		break;
	case VCM_TR_SOC_ALLOC_PAGES:
		ret = vcm_soc_alloc_pages(soc, (unsigned)NUM(1), &pa);
		COLLECT(soc, (unsigned)NUM(1), ret, (uint64_t)(ret ? 0 : pa));
		break;
	case VCM_TR_SOC_FREE_PAGES:
		vcm_soc_free_pages(soc, NUM(1), (unsigned)NUM(2));
		COLLECT(soc, NUM(1), (unsigned)NUM(2));
		break;
	case VCM_TR_SOC_FREE_BYTES:
		COLLECT(soc, (uint64_t)vcm_soc_free_bytes(soc));
		break;
	case VCM_TR_SOC_TOTAL_BYTES:
		COLLECT(soc, (uint64_t)vcm_soc_total_bytes(soc));
		break;
	case VCM_TR_SOC_PHYS_TO_HOST:
		COLLECT(soc, NUM(1), (const void *)vcm_soc_phys_to_host(soc, NUM(1)));
		break;
	case VCM_TR_SOC_PHYS_READ: {
		void *buf = vcm_rp_out_buf(s, NUM(2));

		ret = vcm_soc_phys_read(soc, NUM(1), buf, NUM(2));
		COLLECT(soc, NUM(1), NUM(2), ret, (const void *)buf, (uint64_t)(ret ? 0 : NUM(2)));
		break;
	}
	case VCM_TR_SOC_PHYS_WRITE: {
		const void *src = vcm_rp_arg_data(s, ARG(2));

		ret = vcm_soc_phys_write(soc, NUM(1), src, ARG(2)->v);
		COLLECT(soc, NUM(1), src, (uint64_t)(src ? ARG(2)->v : 0), ret);
		break;
	}
	case VCM_TR_SOC_SET_NONCOHERENT: {
		struct vcm_cache_config cfg = { (unsigned)ARG(1)->v, (unsigned)ARG(1)->v2, ARG(1)->v3 };
		const struct vcm_cache_config *c = ARG(1)->form == VCM_TRV_CACHE ? &cfg : NULL;

		ret = vcm_soc_set_noncoherent(soc, c);
		COLLECT(soc, c, ret);
		break;
	}
	case VCM_TR_SOC_CACHE_LINE:
		COLLECT(soc, vcm_soc_cache_line(soc));
		break;
	case VCM_TR_CACHE_MAINT:
		ret = vcm_cache_maint(soc, NUM(1), NUM(2), (enum vcm_cache_op)NUM(3));
		COLLECT(soc, NUM(1), NUM(2), (int)NUM(3), ret);
		break;
	case VCM_TR_CACHE_SYNC_FOR_DEVICE:
		ret = vcm_cache_sync_for_device(soc, NUM(1), NUM(2), (enum vcm_dma_dir)NUM(3));
		COLLECT(soc, NUM(1), NUM(2), (int)NUM(3), ret);
		break;
	case VCM_TR_CACHE_SYNC_FOR_CPU:
		ret = vcm_cache_sync_for_cpu(soc, NUM(1), NUM(2), (enum vcm_dma_dir)NUM(3));
		COLLECT(soc, NUM(1), NUM(2), (int)NUM(3), ret);
		break;
	case VCM_TR_CACHE_FLUSH_ALL:
		ret = vcm_cache_flush_all(soc);
		COLLECT(soc, ret);
		break;
	default:
		return 0;
	}
	return 1;
}

static int call_pgtable(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			 struct vcm_tr_call *got)
{
	struct vcm_pgtable *pt = NULL;
	struct vcm_soc *soc = NULL;
	vcm_addr_t pa = 0;
	int ret;

	if (rec->call < VCM_TR_PGTABLE_CREATE || rec->call > VCM_TR_PGTABLE_DVA_TO_PHYS)
		return 0;
	if (rec->call == VCM_TR_PGTABLE_CREATE) {
		HANDLE(0, soc);
		COLLECT(soc, vcm_pgtable_create(soc));
		return 1;
	}
	HANDLE(0, pt);
	switch (rec->call) {
	case VCM_TR_PGTABLE_DESTROY:
		vcm_pgtable_destroy(pt);
		COLLECT(pt);
		break;
	case VCM_TR_PGTABLE_BASE:
		COLLECT(pt, (uint64_t)vcm_pgtable_base(pt));
		break;
	case VCM_TR_PGTABLE_MAP:
		ret = vcm_pgtable_map(pt, NUM(1), NUM(2), NUM(3), (unsigned)NUM(4));
		COLLECT(pt, NUM(1), NUM(2), NUM(3), (unsigned)NUM(4), ret);
		break;
	case VCM_TR_PGTABLE_UNMAP:
		COLLECT(pt, NUM(1), NUM(2), (uint64_t)vcm_pgtable_unmap(pt, NUM(1), NUM(2)));
		break;
	case VCM_TR_PGTABLE_DVA_TO_PHYS:
		ret = vcm_pgtable_dva_to_phys(pt, NUM(1), &pa);
		COLLECT(pt, NUM(1), ret, (uint64_t)(ret ? 0 : pa));
		break;
	default:
		return 0;
	}
	return 1;
}

static int call_sysmmu(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			struct vcm_tr_call *got)
{
	struct vcm_sysmmu *mmu = NULL, *src = NULL;
	struct vcm_soc *soc = NULL;
	vcm_addr_t pa = 0;
	int ret;

	if (rec->call < VCM_TR_SYSMMU_CREATE || rec->call > VCM_TR_DMA_COPY)
		return 0;
	if (rec->call == VCM_TR_SYSMMU_CREATE) {
		HANDLE(0, soc);
		COLLECT(soc, ARG(1)->form == VCM_TRV_STR ? ARG(1)->str : NULL,
			vcm_sysmmu_create(soc, ARG(1)->form == VCM_TRV_STR ? ARG(1)->str : NULL));
		return 1;
	}
	HANDLE(0, mmu);
	switch (rec->call) {
	case VCM_TR_SYSMMU_DESTROY:
		vcm_sysmmu_destroy(mmu);
		COLLECT(mmu);
		break;
	case VCM_TR_SYSMMU_ENABLE:
		vcm_sysmmu_enable(mmu);
		COLLECT(mmu);
		break;
	case VCM_TR_SYSMMU_DISABLE:
		vcm_sysmmu_disable(mmu);
		COLLECT(mmu);
		break;
	case VCM_TR_SYSMMU_SET_PGTABLE_BASE:
		vcm_sysmmu_set_pgtable_base(mmu, NUM(1));
		COLLECT(mmu, NUM(1));
		break;
	case VCM_TR_SYSMMU_PGTABLE_BASE:
		COLLECT(mmu, (uint64_t)vcm_sysmmu_pgtable_base(mmu));
		break;
	case VCM_TR_SYSMMU_TLB_INVALIDATE:
		vcm_sysmmu_tlb_invalidate(mmu);
		COLLECT(mmu);
		break;
	case VCM_TR_SYSMMU_TLB_INVALIDATE_ENTRY:
		vcm_sysmmu_tlb_invalidate_entry(mmu, NUM(1));
		COLLECT(mmu, NUM(1));
		break;
	case VCM_TR_SYSMMU_TRANSLATE:
		ret = vcm_sysmmu_translate(mmu, NUM(1), (unsigned)NUM(2), &pa);
		COLLECT(mmu, NUM(1), (unsigned)NUM(2), ret, (uint64_t)(ret ? 0 : pa));
		break;
	case VCM_TR_SYSMMU_SET_FAULT_HANDLER:
		/* the program's handler is user code: replayed as none */
		vcm_sysmmu_set_fault_handler(mmu, NULL, NULL);
		COLLECT(mmu, (int)NUM(1));
		break;
	case VCM_TR_SYSMMU_SET_FAULT_REPORTS:
		vcm_sysmmu_set_fault_reports(mmu, NUM(1) != 0);
		COLLECT(mmu, (int)NUM(1));
		break;
	case VCM_TR_SYSMMU_SET_FAULT_HOLD:
		vcm_sysmmu_set_fault_hold(mmu, NUM(1) != 0);
		COLLECT(mmu, (int)NUM(1));
		break;
	case VCM_TR_SYSMMU_SET_TLB_ENTRIES:
		ret = vcm_sysmmu_set_tlb_entries(mmu, (unsigned)NUM(1));
		COLLECT(mmu, (unsigned)NUM(1), ret);
		break;
	case VCM_TR_SYSMMU_READL:
		COLLECT(mmu, NUM(1), (uint64_t)vcm_sysmmu_readl(mmu, (unsigned)NUM(1)));
		break;
	case VCM_TR_SYSMMU_WRITEL:
		vcm_sysmmu_writel(mmu, (unsigned)NUM(1), (uint32_t)NUM(2));
		COLLECT(mmu, NUM(1), NUM(2));
		break;
	case VCM_TR_DMA_READ: {
		void *buf = vcm_rp_out_buf(s, NUM(2));

		ret = vcm_dma_read(mmu, NUM(1), buf, NUM(2));
		COLLECT(mmu, NUM(1), NUM(2), ret, (const void *)buf, (uint64_t)(ret ? 0 : NUM(2)));
		break;
	}
	case VCM_TR_DMA_WRITE: {
		const void *data = vcm_rp_arg_data(s, ARG(2));

		ret = vcm_dma_write(mmu, NUM(1), data, ARG(2)->v);
		COLLECT(mmu, NUM(1), data, (uint64_t)(data ? ARG(2)->v : 0), ret);
		break;
	}
	case VCM_TR_DMA_COPY:
		HANDLE(2, src);
		ret = vcm_dma_copy(mmu, NUM(1), src, NUM(3), NUM(4));
		COLLECT(mmu, NUM(1), src, NUM(3), NUM(4), ret);
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * The stand-in for a program's MMU driver: the recorded window and orders,
 * every page mapping accepted.  The library's results are the program's
 * unless its driver failed a mapping.
 */
struct standin_mmu {
	struct vcm_mmu mmu;
	struct vcm_mmu_driver drv;
	unsigned char orders[17];
};

static int standin_page(vcm_addr_t vaddr, vcm_addr_t paddr, unsigned order, void *vcm)
{
	(void)vaddr;
	(void)paddr;
	(void)order;
	(void)vcm;
	return 0;
}

static void standin_cleanup(struct vcm *vcm)
{
	free((char *)vcm - offsetof(struct standin_mmu, mmu.vcm));
}

static struct vcm *standin_mmu(vcm_addr_t start, vcm_size_t size, const struct vcm_tr_val *ord)
{
	struct standin_mmu *m = calloc(1, sizeof(*m));
	struct vcm *vcm;

	if (!m)
		return vcm_err_ptr(-ENOMEM);
	m->mmu.vcm.start = start;
	m->mmu.vcm.size = size;
	m->drv.orders = orders(ord, m->orders);
	m->drv.cleanup = standin_cleanup;
	m->drv.activate_page = standin_page;
	m->drv.deactivate_page = standin_page;
	m->mmu.driver = &m->drv;
	vcm = vcm_mmu_init(&m->mmu);
	if (vcm_is_err(vcm))
		free(m);
	return vcm;
}

static int call_framework(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			   struct vcm_tr_call *got)
{
	unsigned char ord[17];
	struct vcm_phys *phys = NULL;
	struct vcm_res *res = NULL;
	struct vcm_soc *soc = NULL;
	struct vcm *vcm = NULL;
	int ret;

	switch (rec->call) {
	case VCM_TR_DESTROY:
		HANDLE(0, vcm);
		vcm_destroy(vcm);
		COLLECT(vcm);
		break;
	case VCM_TR_MAKE_BINDING:
		HANDLE(0, vcm);
		COLLECT(vcm, NUM(1), (unsigned)NUM(2), (unsigned)NUM(3),
			vcm_make_binding(vcm, NUM(1), (unsigned)NUM(2), (unsigned)NUM(3)));
		break;
	case VCM_TR_DESTROY_BINDING:
		HANDLE(0, res);
		vcm_destroy_binding(res);
		COLLECT(res);
		break;
	case VCM_TR_ALLOC:
		HANDLE(0, vcm);
		COLLECT(vcm, NUM(1), (unsigned)NUM(2), vcm_alloc(vcm, NUM(1), (unsigned)NUM(2)));
		break;
	case VCM_TR_FREE:
		HANDLE(0, phys);
		vcm_free(phys);
		COLLECT(phys);
		break;
	case VCM_TR_RESERVE:
		HANDLE(0, vcm);
		COLLECT(vcm, NUM(1), (unsigned)NUM(2), vcm_reserve(vcm, NUM(1), (unsigned)NUM(2)));
		break;
	case VCM_TR_UNRESERVE:
		HANDLE(0, res);
		vcm_unreserve(res);
		COLLECT(res);
		break;
	case VCM_TR_REF_RESERVE:
		HANDLE(0, res);
		ret = vcm_ref_reserve(res);
		COLLECT(res, ret);
		break;
	case VCM_TR_BIND:
		HANDLE(0, res);
		HANDLE(1, phys);
		ret = vcm_bind(res, phys);
		COLLECT(res, phys, ret);
		break;
	case VCM_TR_UNBIND:
		HANDLE(0, res);
		COLLECT(res, vcm_unbind(res));
		break;
	case VCM_TR_MAP:
		HANDLE(0, vcm);
		HANDLE(1, phys);
		COLLECT(vcm, phys, (unsigned)NUM(2), vcm_map(vcm, phys, (unsigned)NUM(2)));
		break;
	case VCM_TR_UNMAP:
		HANDLE(0, res);
		vcm_unmap(res);
		COLLECT(res);
		break;
	case VCM_TR_ACTIVATE:
		HANDLE(0, vcm);
		ret = vcm_activate(vcm);
		COLLECT(vcm, ret);
		break;
	case VCM_TR_DEACTIVATE:
		HANDLE(0, vcm);
		vcm_deactivate(vcm);
		COLLECT(vcm);
		break;
	case VCM_TR_PHYS_ALLOC:
		COLLECT(NUM(0), (unsigned)NUM(1), orders(ARG(2), ord),
			vcm_phys_alloc(NUM(0), (unsigned)NUM(1), orders(ARG(2), ord)));
		break;
	case VCM_TR_PHYS_ALLOC_SOC:
		HANDLE(0, soc);
		COLLECT(soc, NUM(1), (unsigned)NUM(2), orders(ARG(3), ord),
			vcm_phys_alloc_soc(soc, NUM(1), (unsigned)NUM(2), orders(ARG(3), ord)));
		break;
	case VCM_TR_MMU_INIT:
		vcm = standin_mmu(NUM(0), NUM(1), ARG(2));
		COLLECT(NUM(0), NUM(1), orders(ARG(2), ord), (int)NUM(3), vcm);
		break;
	case VCM_TR_INIT:
	case VCM_TR_O2O_INIT:
		vcm_rp_refuse(s, "%s: a context on the program's own driver ops (user code) "
			      "cannot be replayed", vcm_trace_call_name(rec->call));
		return -1;
	case VCM_TR_ONETOONE_CREATE:
		HANDLE(0, soc);
		COLLECT(soc, vcm_onetoone_create(soc));
		break;
	case VCM_TR_VMM_CREATE:
		HANDLE(0, soc);
		COLLECT(soc, vcm_vmm_create(soc));
		break;
	case VCM_TR_SET_GUARD:
		HANDLE(0, vcm);
		ret = vcm_set_guard(vcm, NUM(1));
		COLLECT(vcm, NUM(1), ret);
		break;
	default:
		return 0;
	}
	return 1;
}

static int call_platform(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			  struct vcm_tr_call *got)
{
	struct vcm_sysmmu *mmu = NULL;
	struct vcm_res *res = NULL;
	struct vcm *vcm = NULL;
	int ret;

	switch (rec->call) {
	case VCM_TR_IOMMU_CREATE:
		HANDLE(0, mmu);
		COLLECT(mmu, NUM(1), NUM(2), vcm_iommu_create(mmu, NUM(1), NUM(2)));
		break;
	case VCM_TR_CREATE_UNIFIED:
		/* the program's platform callbacks are user code: the library's own */
		COLLECT(NUM(0), (int)NUM(1), (int)NUM(2),
			vcm_create_unified(NUM(0), (enum vcm_dev_id)(int)NUM(1), NULL));
		break;
	case VCM_TR_FIND_VCM:
		COLLECT((int)NUM(0), vcm_find_vcm((enum vcm_dev_id)(int)NUM(0)));
		break;
	case VCM_TR_RESERVATION_IN_VCM:
		HANDLE(0, vcm);
		HANDLE(1, res);
		ret = (int)vcm_reservation_in_vcm(vcm, res);
		COLLECT(vcm, res, ret);
		break;
	case VCM_TR_SET_PGTABLE_BASE:
		vcm_set_pgtable_base((enum vcm_dev_id)(int)NUM(0));
		COLLECT((int)NUM(0));
		break;
	case VCM_TR_S5P_TURN_ON:
		HANDLE(0, vcm);
		s5p_vcm_turn_on(vcm);
		COLLECT(vcm);
		break;
	case VCM_TR_S5P_TURN_OFF:
		HANDLE(0, vcm);
		s5p_vcm_turn_off(vcm);
		COLLECT(vcm);
		break;
	case VCM_TR_S5P_SYSMMU_GET:
		COLLECT((int)NUM(0), s5p_sysmmu_get((enum vcm_dev_id)(int)NUM(0)));
		break;
	case VCM_TR_S5P_SYSMMU_IP:
		COLLECT((int)NUM(0), s5p_sysmmu_ip((sysmmu_ips)(int)NUM(0)));
		break;
	case VCM_TR_S5P_SYSMMU_ON:
		ret = s5p_sysmmu_on((sysmmu_ips)(int)NUM(0));
		COLLECT((int)NUM(0), ret);
		break;
	case VCM_TR_S5P_SYSMMU_OFF:
		ret = s5p_sysmmu_off((sysmmu_ips)(int)NUM(0));
		COLLECT((int)NUM(0), ret);
		break;
	case VCM_TR_S5P_SYSMMU_SET_TABLEBASE_PGD:
		ret = s5p_sysmmu_set_tablebase_pgd((sysmmu_ips)(int)NUM(0), (unsigned long)NUM(1));
		COLLECT((int)NUM(0), NUM(1), ret);
		break;
	case VCM_TR_S5P_SYSMMU_TLB_INVALIDATE:
		ret = s5p_sysmmu_tlb_invalidate((sysmmu_ips)(int)NUM(0));
		COLLECT((int)NUM(0), ret);
		break;
	default:
		return 0;
	}
	return 1;
}

/* Did the call fail on the program's memory (not there, no access)? */
static bool efault(const struct vcm_tr_call *rec)
{
	return (rec->res[0].form == VCM_TRV_ERR || rec->res[0].form == VCM_TRV_NUM) &&
		(int64_t)rec->res[0].v == -EFAULT;
}

static int call_usermem(struct vcm_rp_state *s, const struct vcm_tr_call *rec,
			 struct vcm_tr_call *got)
{
	struct vcm_userptr *up = NULL;
	struct vcm_phys *phys = NULL;
	struct vcm_res *res = NULL;
	struct vcm_soc *soc = NULL;
	struct vcm *vcm = NULL;
	void *user;
	int ret;

	switch (rec->call) {
	case VCM_TR_PHYS_FROM_USER:
		HANDLE(0, soc);
		user = vcm_rp_arg_user(s, ARG(1)->v, ARG(1)->v2, efault(rec));
		COLLECT(soc, (const void *)user, ARG(1)->v2, (unsigned)NUM(2),
			vcm_phys_from_user(soc, user, ARG(1)->v2, (unsigned)NUM(2)));
		break;
	case VCM_TR_USERPTR_GET:
		HANDLE(0, vcm);
		user = vcm_rp_arg_user(s, ARG(1)->v, ARG(1)->v2, efault(rec));
		COLLECT(vcm, (const void *)user, ARG(1)->v2, (unsigned)NUM(2),
			vcm_userptr_get(vcm, user, ARG(1)->v2, (unsigned)NUM(2)));
		break;
	case VCM_TR_USERPTR_PUT:
		HANDLE(0, up);
		vcm_userptr_put(up);
		COLLECT(up);
		break;
	case VCM_TR_USERPTR_SYNC_FOR_DEVICE:
		HANDLE(0, up);
		ret = vcm_userptr_sync_for_device(up, (enum vcm_dma_dir)NUM(1));
		COLLECT(up, (int)NUM(1), ret);
		break;
	case VCM_TR_USERPTR_SYNC_FOR_CPU:
		HANDLE(0, up);
		ret = vcm_userptr_sync_for_cpu(up, (enum vcm_dma_dir)NUM(1));
		COLLECT(up, (int)NUM(1), ret);
		break;
	case VCM_TR_PHYS_SYNC_FOR_DEVICE:
		HANDLE(0, soc);
		HANDLE(1, phys);
		ret = vcm_phys_sync_for_device(soc, phys, (enum vcm_dma_dir)NUM(2));
		COLLECT(soc, phys, (int)NUM(2), ret);
		break;
	case VCM_TR_PHYS_SYNC_FOR_CPU:
		HANDLE(0, soc);
		HANDLE(1, phys);
		ret = vcm_phys_sync_for_cpu(soc, phys, (enum vcm_dma_dir)NUM(2));
		COLLECT(soc, phys, (int)NUM(2), ret);
		break;
	case VCM_TR_RES_SYNC_FOR_DEVICE:
		HANDLE(0, res);
		ret = vcm_res_sync_for_device(res, (enum vcm_dma_dir)NUM(1));
		COLLECT(res, (int)NUM(1), ret);
		break;
	case VCM_TR_RES_SYNC_FOR_CPU:
		HANDLE(0, res);
		ret = vcm_res_sync_for_cpu(res, (enum vcm_dma_dir)NUM(1));
		COLLECT(res, (int)NUM(1), ret);
		break;
	case VCM_TR_CACHE_MAINT_HOST:
		HANDLE(0, soc);
		user = vcm_rp_arg_user(s, ARG(1)->v, NUM(2), false);
		ret = vcm_cache_maint_host(soc, user, NUM(2), (enum vcm_cache_op)NUM(3));
		COLLECT(soc, (const void *)user, NUM(2), (int)NUM(3), ret);
		break;
	default:
		return 0;
	}
	(void)vcm;
	return 1;
}

bool vcm_rp_call(struct vcm_rp_state *s, const struct vcm_tr_call *rec, struct vcm_tr_call *got)
{
	static int (*const layers[])(struct vcm_rp_state *, const struct vcm_tr_call *,
				     struct vcm_tr_call *) = {
		call_machine, call_pgtable, call_sysmmu, call_framework, call_platform,
		call_usermem,
	};
	unsigned i;

	for (i = 0; i < sizeof(layers) / sizeof(layers[0]); i++) {
		int ret = layers[i](s, rec, got);

		if (ret)
			return ret > 0;
	}
	vcm_rp_refuse(s, "%s cannot be replayed", vcm_trace_call_name(rec->call));
	return false;
}

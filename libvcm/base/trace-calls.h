/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace-calls.h - the signature of every public call the recorder writes
 * (VCM_TRACE, base/trace.c) and the replayer reads (debug/replay.c): one
 * table, so the two cannot disagree.
 *
 * VCM_TRACE_CALL(ID, "function", "arguments > results"): each item is
 * name=T, T one type letter; the first result is the return value and has
 * no name.  The letters, with the C type the hook passes (in this order):
 *
 *   s m t c r p q  a handle (const void *): SoC, System MMU, page table,
 *                  context, reservation, phys, userptr
 *   x  uint64_t, written in hex       u  unsigned      d  int
 *   b  int (a bool)                   S  const char * (a name)
 *   P  const void *: a host pointer (only NULL or not is checked)
 *   f  int: a user callback given (1) or not (0)
 *   a  const void *: a user address
 *   U  const void *, uint64_t: user memory (address and length) whose
 *      contents the call reads (written to the trace)
 *   i  const void *, uint64_t: an input buffer (contents written)
 *   o  const void *, uint64_t: an output buffer (its hash written)
 *   O  const unsigned char *: a zero-terminated list of page orders
 *   K  const struct vcm_cache_config *
 *   v  (result only, nothing passed): the function returns nothing
 *
 * The list is in the order of the public headers.  Appending is fine;
 * the trace names calls by their function name, not by number.
 */
VCM_TRACE_CALL(SOC_CREATE, "vcm_soc_create", "> s")
VCM_TRACE_CALL(SOC_ADD_RAM, "vcm_soc_add_ram", "soc=s base=x size=x > d")
VCM_TRACE_CALL(SOC_DESTROY, "vcm_soc_destroy", "soc=s > v")
VCM_TRACE_CALL(SOC_CURRENT, "vcm_soc_current", "> s")
VCM_TRACE_CALL(SOC_SET_CURRENT, "vcm_soc_set_current", "soc=s > v")
VCM_TRACE_CALL(SOC_ALLOC_PAGES, "vcm_soc_alloc_pages", "soc=s order=u > d pa=x")
VCM_TRACE_CALL(SOC_FREE_PAGES, "vcm_soc_free_pages", "soc=s pa=x order=u > v")
VCM_TRACE_CALL(SOC_FREE_BYTES, "vcm_soc_free_bytes", "soc=s > x")
VCM_TRACE_CALL(SOC_TOTAL_BYTES, "vcm_soc_total_bytes", "soc=s > x")
VCM_TRACE_CALL(SOC_PHYS_TO_HOST, "vcm_soc_phys_to_host", "soc=s pa=x > P")
VCM_TRACE_CALL(SOC_PHYS_READ, "vcm_soc_phys_read", "soc=s pa=x len=x > d data=o")
VCM_TRACE_CALL(SOC_PHYS_WRITE, "vcm_soc_phys_write", "soc=s pa=x data=i > d")
VCM_TRACE_CALL(SOC_SET_NONCOHERENT, "vcm_soc_set_noncoherent", "soc=s cfg=K > d")
VCM_TRACE_CALL(SOC_CACHE_LINE, "vcm_soc_cache_line", "soc=s > u")
VCM_TRACE_CALL(CACHE_MAINT, "vcm_cache_maint", "soc=s pa=x size=x op=d > d")
VCM_TRACE_CALL(CACHE_SYNC_FOR_DEVICE, "vcm_cache_sync_for_device", "soc=s pa=x size=x dir=d > d")
VCM_TRACE_CALL(CACHE_SYNC_FOR_CPU, "vcm_cache_sync_for_cpu", "soc=s pa=x size=x dir=d > d")
VCM_TRACE_CALL(PGTABLE_CREATE, "vcm_pgtable_create", "soc=s > t")
VCM_TRACE_CALL(PGTABLE_DESTROY, "vcm_pgtable_destroy", "pt=t > v")
VCM_TRACE_CALL(PGTABLE_BASE, "vcm_pgtable_base", "pt=t > x")
VCM_TRACE_CALL(PGTABLE_MAP, "vcm_pgtable_map", "pt=t dva=x pa=x size=x prot=u > d")
VCM_TRACE_CALL(PGTABLE_UNMAP, "vcm_pgtable_unmap", "pt=t dva=x size=x > x")
VCM_TRACE_CALL(PGTABLE_DVA_TO_PHYS, "vcm_pgtable_dva_to_phys", "pt=t dva=x > d pa=x")
VCM_TRACE_CALL(SYSMMU_CREATE, "vcm_sysmmu_create", "soc=s name=S > m")
VCM_TRACE_CALL(SYSMMU_DESTROY, "vcm_sysmmu_destroy", "mmu=m > v")
VCM_TRACE_CALL(SYSMMU_ENABLE, "vcm_sysmmu_enable", "mmu=m > v")
VCM_TRACE_CALL(SYSMMU_DISABLE, "vcm_sysmmu_disable", "mmu=m > v")
VCM_TRACE_CALL(SYSMMU_SET_PGTABLE_BASE, "vcm_sysmmu_set_pgtable_base", "mmu=m base=x > v")
VCM_TRACE_CALL(SYSMMU_PGTABLE_BASE, "vcm_sysmmu_pgtable_base", "mmu=m > x")
VCM_TRACE_CALL(SYSMMU_TLB_INVALIDATE, "vcm_sysmmu_tlb_invalidate", "mmu=m > v")
VCM_TRACE_CALL(SYSMMU_TLB_INVALIDATE_ENTRY, "vcm_sysmmu_tlb_invalidate_entry", "mmu=m dva=x > v")
VCM_TRACE_CALL(SYSMMU_TRANSLATE, "vcm_sysmmu_translate", "mmu=m dva=x access=u > d pa=x")
VCM_TRACE_CALL(SYSMMU_SET_FAULT_HANDLER, "vcm_sysmmu_set_fault_handler", "mmu=m fn=f > v")
VCM_TRACE_CALL(SYSMMU_SET_FAULT_REPORTS, "vcm_sysmmu_set_fault_reports", "mmu=m on=b > v")
VCM_TRACE_CALL(SYSMMU_SET_FAULT_HOLD, "vcm_sysmmu_set_fault_hold", "mmu=m on=b > v")
VCM_TRACE_CALL(SYSMMU_SET_TLB_ENTRIES, "vcm_sysmmu_set_tlb_entries", "mmu=m entries=u > d")
VCM_TRACE_CALL(SYSMMU_READL, "vcm_sysmmu_readl", "mmu=m offset=x > x")
VCM_TRACE_CALL(SYSMMU_WRITEL, "vcm_sysmmu_writel", "mmu=m offset=x val=x > v")
VCM_TRACE_CALL(DMA_READ, "vcm_dma_read", "mmu=m dva=x len=x > d data=o")
VCM_TRACE_CALL(DMA_WRITE, "vcm_dma_write", "mmu=m dva=x data=i > d")
VCM_TRACE_CALL(DMA_COPY, "vcm_dma_copy", "dst=m dst_dva=x src=m src_dva=x len=x > d")
VCM_TRACE_CALL(DESTROY, "vcm_destroy", "vcm=c > v")
VCM_TRACE_CALL(MAKE_BINDING, "vcm_make_binding", "vcm=c size=x alloc_flags=u res_flags=u > r")
VCM_TRACE_CALL(DESTROY_BINDING, "vcm_destroy_binding", "res=r > v")
VCM_TRACE_CALL(ALLOC, "vcm_alloc", "vcm=c size=x flags=u > p")
VCM_TRACE_CALL(FREE, "vcm_free", "phys=p > v")
VCM_TRACE_CALL(RESERVE, "vcm_reserve", "vcm=c size=x flags=u > r")
VCM_TRACE_CALL(UNRESERVE, "vcm_unreserve", "res=r > v")
VCM_TRACE_CALL(REF_RESERVE, "vcm_ref_reserve", "res=r > d")
VCM_TRACE_CALL(BIND, "vcm_bind", "res=r phys=p > d")
VCM_TRACE_CALL(UNBIND, "vcm_unbind", "res=r > p")
VCM_TRACE_CALL(MAP, "vcm_map", "vcm=c phys=p flags=u > r")
VCM_TRACE_CALL(UNMAP, "vcm_unmap", "res=r > v")
VCM_TRACE_CALL(ACTIVATE, "vcm_activate", "vcm=c > d")
VCM_TRACE_CALL(DEACTIVATE, "vcm_deactivate", "vcm=c > v")
VCM_TRACE_CALL(INIT, "vcm_init", "start=x size=x ops=f > c")
VCM_TRACE_CALL(PHYS_ALLOC, "vcm_phys_alloc", "size=x flags=u orders=O > p")
VCM_TRACE_CALL(PHYS_ALLOC_SOC, "vcm_phys_alloc_soc", "soc=s size=x flags=u orders=O > p")
VCM_TRACE_CALL(MMU_INIT, "vcm_mmu_init", "start=x size=x orders=O ops=f > c")
VCM_TRACE_CALL(O2O_INIT, "vcm_o2o_init", "start=x size=x ops=f > c")
VCM_TRACE_CALL(ONETOONE_CREATE, "vcm_onetoone_create", "soc=s > c")
VCM_TRACE_CALL(VMM_CREATE, "vcm_vmm_create", "soc=s > c")
VCM_TRACE_CALL(IOMMU_CREATE, "vcm_iommu_create", "mmu=m start=x size=x > c")
VCM_TRACE_CALL(CREATE_UNIFIED, "vcm_create_unified", "size=x id=d driver=f > c")
VCM_TRACE_CALL(FIND_VCM, "vcm_find_vcm", "id=d > c")
VCM_TRACE_CALL(RESERVATION_IN_VCM, "vcm_reservation_in_vcm", "vcm=c res=r > d")
VCM_TRACE_CALL(SET_PGTABLE_BASE, "vcm_set_pgtable_base", "id=d > v")
VCM_TRACE_CALL(S5P_TURN_ON, "s5p_vcm_turn_on", "vcm=c > v")
VCM_TRACE_CALL(S5P_TURN_OFF, "s5p_vcm_turn_off", "vcm=c > v")
VCM_TRACE_CALL(S5P_SYSMMU_GET, "s5p_sysmmu_get", "id=d > m")
VCM_TRACE_CALL(S5P_SYSMMU_IP, "s5p_sysmmu_ip", "ips=d > m")
VCM_TRACE_CALL(S5P_SYSMMU_ON, "s5p_sysmmu_on", "ips=d > d")
VCM_TRACE_CALL(S5P_SYSMMU_OFF, "s5p_sysmmu_off", "ips=d > d")
VCM_TRACE_CALL(S5P_SYSMMU_SET_TABLEBASE_PGD, "s5p_sysmmu_set_tablebase_pgd", "ips=d pgd=x > d")
VCM_TRACE_CALL(S5P_SYSMMU_TLB_INVALIDATE, "s5p_sysmmu_tlb_invalidate", "ips=d > d")
VCM_TRACE_CALL(PHYS_FROM_USER, "vcm_phys_from_user", "soc=s user=U flags=u > p")
VCM_TRACE_CALL(USERPTR_GET, "vcm_userptr_get", "vcm=c user=U flags=u > q")
VCM_TRACE_CALL(USERPTR_PUT, "vcm_userptr_put", "up=q > v")
VCM_TRACE_CALL(USERPTR_SYNC_FOR_DEVICE, "vcm_userptr_sync_for_device", "up=q dir=d > d")
VCM_TRACE_CALL(USERPTR_SYNC_FOR_CPU, "vcm_userptr_sync_for_cpu", "up=q dir=d > d")
VCM_TRACE_CALL(PHYS_SYNC_FOR_DEVICE, "vcm_phys_sync_for_device", "soc=s phys=p dir=d > d")
VCM_TRACE_CALL(PHYS_SYNC_FOR_CPU, "vcm_phys_sync_for_cpu", "soc=s phys=p dir=d > d")
VCM_TRACE_CALL(RES_SYNC_FOR_DEVICE, "vcm_res_sync_for_device", "res=r dir=d > d")
VCM_TRACE_CALL(RES_SYNC_FOR_CPU, "vcm_res_sync_for_cpu", "res=r dir=d > d")
VCM_TRACE_CALL(CACHE_MAINT_HOST, "vcm_cache_maint_host", "soc=s addr=a size=x op=d > d")
VCM_TRACE_CALL(SET_GUARD, "vcm_set_guard", "vcm=c size=x > d")

/* hostile.h - what main.c and hole.c of the hostile guest share. */
#ifndef PVGUEST_TESTS_HOSTILE_H
#define PVGUEST_TESTS_HOSTILE_H
#include "pvguest/lib/pvguest.h"

extern const xen_start_info_t *si;
extern xen_mmu_update_t reqs[8];               /* a batch for mmu_update */

/* Scratch VA i (0..7), mapped to mfn with flags unless flags is 0. */
uint32_t scratch(unsigned i, uint32_t mfn, uint64_t flags);
/* A multicall entry for op(a0, a1, a2, DOMID_SELF), its result 0xdeadbeef. */
void mc_set(xen_multicall_entry_t *e, unsigned op, uint32_t a0, uint32_t a1, uint32_t a2);

/* A command number and its name, for the cases that try every command of a call. */
struct named_cmd { unsigned cmd; const char *name; };

/* main.c's tools: the boot tables (0 L3, 1-4 L2s, 5.. L1s), fresh frames, a table from tmpl */
extern uint64_t tmpl[512];
uint32_t table_va(unsigned k);
uint32_t table_mfn(unsigned k);
const volatile uint64_t *boot_l2(unsigned slot);
uint32_t zmfn(void);                         /* a zeroed frame nothing maps */
void free_frame(uint32_t mfn);
uint32_t table_from_tmpl(void);              /* a fresh frame holding tmpl, which is cleared */
unsigned free_l2_index(void);                /* an empty entry of the slot-3 L2 we own */
uint64_t l2e_ma(unsigned slot3_index);
unsigned own_domid(void);

/* hole.c */
void case_hole(void);
void case_log_storm(void);
void case_foreign_domids(void);

/* memory.c */
void case_fast_path_rw(void);
void case_superpage(void);
void case_pae_l3_bits(void);
void case_partial_l2(void);
void case_partial_l3(void);
void case_pin_twice(void);
void case_pin_and_hook(void);
void case_bad_baseptr(void);
void case_mmuext_commands(void);
void case_vcpumask(void);
void case_invlpg_hole(void);
void case_lists_in_hole(void);
void case_m2p_readonly(void);
void case_m2p_lie(void);
void case_extents_in_hole(void);
void case_memop_not_offered(void);
void case_memop_answers_in_hole(void);
void case_give_back_not_ours(void);
void case_multicall_bad_ops(void);
void case_multicall_hole_args(void);
void case_start_info(void);
void case_list_into_hole(void);
void case_mmu_update_plain(void);
void case_pt_owner(void);

/* grants.c */
void case_gnt_refs(void);
void case_gnt_readonly(void);
void case_gnt_map_flags(void);
void case_gnt_foreign(void);
void case_gnt_host_addr(void);
void case_gnt_copy_args(void);
void case_gnt_copy_frames(void);
void case_gnt_setup(void);
void case_gnt_not_offered(void);
void case_gnt_batches(void);
void case_gnt_unmap_handles(void);
#endif

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

/* hole.c */
void case_hole(void);
void case_log_storm(void);
void case_foreign_domids(void);
#endif

/* m2p.h - the machine-to-phys table every guest can read at 0xF5800000. */
#ifndef HV_M2P_H
#define HV_M2P_H
#include "hypervisor/types.h"
#define M2P_INVALID 0xffffffffu     /* Xen's INVALID_M2P_ENTRY */
void m2p_init(uint32_t max_mfn);
void m2p_set(mfn_t mfn, uint32_t pfn);
uint32_t m2p_get(mfn_t mfn);
uint32_t m2p_frame_count(void);
uint32_t m2p_max_mfn(void);         /* one past the highest RAM frame */    /* frames the table itself uses */
#endif

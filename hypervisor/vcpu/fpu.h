/* fpu.h - the guests' FPU/SSE state, switched lazily, and the virtual CR0.TS. */
#ifndef HV_FPU_H
#define HV_FPU_H
#include "hypervisor/types.h"

struct domain;
struct cpu_regs;

/* Boot, after cpu_init(): CR0.MP/NE on, EM off, CR4.OSFXSR/OSXMMEXCPT as the CPU allows. */
void fpu_init(void);

/* The scheduler is about to run next: arm CR0.TS unless its state is already live. */
void fpu_switch_to(struct domain *next);

/*
 * #NM from ring 1 or 3.  Makes d's state live (saving the previous owner's)
 * and clears the real CR0.TS.  Returns true when that was all (the guest
 * retries its instruction); false when d had set its virtual TS: the #NM
 * is the guest's own, its virtual TS is now clear, and the caller bounces
 * vector 7 to the guest, as Xen does.
 */
bool fpu_nm(struct domain *d, struct cpu_regs *r);

/* Set or clear d's virtual CR0.TS (fpu_taskswitch, mov to CR0); d is current. */
void fpu_set_ts(struct domain *d, bool set);

/* The guest's clts, emulated: clear its virtual TS. */
void fpu_clts(struct domain *d);

/* A checked copy of a guest's 512-byte FPU image becomes the loaded vCPU's (not running). */
void fpu_set_image(struct domain *d, const uint8_t *image);
/* The loaded vCPU of d is about to be parked: its registers go to its image (vcpu_load.c). */
void fpu_release(struct domain *d);
/* d is being destroyed: if its state is live, forget it (nothing to save). */
void fpu_domain_dies(struct domain *d);
#endif

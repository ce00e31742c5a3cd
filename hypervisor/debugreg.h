/* debugreg.h - the guests' debug registers: checked, kept per vCPU, loaded on switch. */
#ifndef HV_DEBUGREG_H
#define HV_DEBUGREG_H
#include "hypervisor/types.h"

struct domain;
struct cpu_regs;

/* DR6: bits 4-11 and 16-31 read as 1, bit 12 as 0; the rest report why #DB came. */
#define DR6_DEFAULT     0xffff0ff0u
#define DR6_RESERVED_0  0x00001000u
#define DR6_HITS        0x0000e00fu     /* B0-B3, BD, BS, BT */
/* DR7: bit 10 reads as 1; bits 11, 12, 14 and 15 as 0. */
#define DR7_RESERVED_1  0x00000400u
#define DR7_RESERVED_0  0x0000d800u
#define DR7_GD          0x00002000u     /* general detect: a guest may not have it */
#define DR7_ENABLES     0x000000ffu     /* L0 G0 L1 G1 ... L3 G3 */
#define DR7_RW_IO       2u              /* R/Wn = 10b: an I/O breakpoint (needs CR4.DE) */
#define DR7_LEN_BAD     2u              /* LENn = 10b: undefined on 32-bit processors */

/*
 * Pure checks (debugreg_check.c; built on the host for tests/unit).
 * reg and value are guest-controlled and arrive here unchecked.
 */
/* The register a guest's DRn means: 0-3, 6, 7; DR4/DR5 are DR6/DR7 (CR4.DE clear); else -EINVAL. */
int debugreg_index(int reg);
/* Can a breakpoint at addr (any length) cover only guest addresses? */
bool debugreg_addr_ok(uint32_t addr);
/* The reserved bits of DR6 / DR7 forced to their fixed values. */
uint32_t debugreg_dr6_value(uint32_t v);
uint32_t debugreg_dr7_value(uint32_t v);
/* Bit n set when DR7 enables breakpoint n (locally or globally). */
unsigned debugreg_enabled(uint32_t dr7);
/*
 * May a guest write value to DRreg, given its other registers dr[8]?
 * Returns the register index to store into (0-3, 6, 7) with *out the value
 * to store, or -EINVAL (no such register) or -EPERM (refused).
 */
int debugreg_check(int reg, uint32_t value, const uint32_t dr[8], uint32_t *out);

/* The hypervisor side (debugreg.c). */
/* set_debugreg and the emulated "mov %reg,%drN": check, store, load if d runs. */
int debugreg_write(struct domain *d, int reg, uint32_t value);
/* get_debugreg and the emulated "mov %drN,%reg"; reg must be 0..7. */
uint32_t debugreg_read(const struct domain *d, int reg);
/* The scheduler is about to run next: arm its breakpoints, or disarm DR7. */
void debugreg_switch_to(struct domain *next);
/* #DB from ring 1/3, before it is bounced: record DR6's news in d's DR6. */
void debugreg_guest_db(struct domain *d);
/*
 * #DB in ring 0: true if it was one of current's data breakpoints, hit by
 * the hypervisor's own access to guest memory (copy_to/from_guest); it is
 * ignored, as in Xen.  False means a hypervisor bug (panic).
 */
bool debugreg_hypervisor_db(struct cpu_regs *r);
#endif

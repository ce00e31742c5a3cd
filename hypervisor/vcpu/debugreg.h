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
#define CR4_DE          (1u << 3)       /* the guest's virtual CR4.DE (emulate.c) */
#define DR7_LEN_BAD     2u              /* LENn = 10b: undefined on 32-bit processors */

/*
 * Pure checks (debugreg_check.c; built on the host for tests/unit).
 * reg and value are guest-controlled and arrive here unchecked.
 */
/* The register a guest's DRn means: 0-3, 6, 7; DR4/DR5 are DR6/DR7 while the
 * guest's CR4.DE (de) is clear, -ENODEV while it is set; else -EINVAL. */
int debugreg_index(int reg, bool de);
/* Can a breakpoint at addr (any length) cover only guest addresses? */
bool debugreg_addr_ok(uint32_t addr);
/* The reserved bits of DR6 / DR7 forced to their fixed values. */
uint32_t debugreg_dr6_value(uint32_t v);
uint32_t debugreg_dr7_value(uint32_t v);
/* Bit n set when DR7 enables breakpoint n (locally or globally). */
unsigned debugreg_enabled(uint32_t dr7);
/* The DR7 the CPU is given: the guest's without its I/O breakpoints. */
uint32_t debugreg_hw_dr7(uint32_t dr7);
/* B0-B3 of the enabled I/O breakpoints in dr[] that cover ports [port, port+len). */
unsigned debugreg_io_match(const uint32_t dr[8], uint32_t port, unsigned len);
/*
 * May a guest write value to DRreg, given its other registers dr[8] and its
 * CR4.DE?  Returns the register index to store into (0-3, 6, 7) with *out
 * the value to store, or -EINVAL (no such register), -ENODEV (DR4/DR5 with
 * DE) or -EPERM (refused).
 */
int debugreg_check(int reg, uint32_t value, const uint32_t dr[8], bool de, uint32_t *out);

/* The hypervisor side (debugreg.c). */
/* set_debugreg and the emulated "mov %reg,%drN": check, store, load if d runs. */
int debugreg_write(struct domain *d, int reg, uint32_t value);
/* get_debugreg and the emulated "mov %drN,%reg": register index i from debugreg_index(). */
uint32_t debugreg_read(const struct domain *d, int i);
/* Is the guest's virtual CR4.DE set? */
bool debugreg_de(const struct domain *d);
/*
 * Emulated port I/O of len bytes at port (emulate_io.c): note which of d's
 * I/O breakpoints it hits (only while CR4.DE is set); then, once EIP is past
 * the instruction, raise them as Xen does: DR6.Bn set and #DB delivered.
 */
void debugreg_io_access(struct domain *d, uint32_t port, unsigned len);
void debugreg_io_deliver(struct domain *d, struct cpu_regs *r, const char *insn);
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

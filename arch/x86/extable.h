/*
 * extable.h - exception fixups: "if this instruction faults, go there".
 *
 * The hypervisor touches guest memory with a handful of instructions
 * (arch/x86/usercopy.S).  Each one that may fault has an entry in the
 * __ex_table section.  When a #PF or #GP hits ring 0 at one of these
 * addresses, the trap handler resumes at the fixup instead of panicking,
 * and the copy returns -EFAULT.  This is how a wild guest pointer becomes
 * an error code rather than a crashed hypervisor.
 */
#ifndef ARCH_X86_EXTABLE_H
#define ARCH_X86_EXTABLE_H
#include "hypervisor/types.h"
struct extable_entry { uint32_t insn, fixup; };
/* The fixup address for a faulting EIP, or 0. */
uint32_t extable_search(uint32_t eip);
#endif

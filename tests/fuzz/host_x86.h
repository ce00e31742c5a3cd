/*
 * host_x86.h - stands in for arch/x86/x86.h when a fuzz target is built for
 * the host (tools/fuzz passes it with -include): the CR3 reload that
 * flushes the TLB is an instruction only ring 0 of a 32-bit CPU can run.
 */
#define ARCH_X86_H
#include <stdint.h>
static inline uint32_t read_cr3(void) { return 0; }
static inline void write_cr3(uint32_t v) { (void)v; }

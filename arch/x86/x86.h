/*
 * x86.h - one static inline wrapper per special instruction.
 *
 * This is the only file with inline assembly (xv6's x86.h is the model).
 * Everything else in the hypervisor calls these by name, so a reader can
 * grep for every place that touches a control register or an I/O port.
 * No policy lives here: each function is exactly one instruction or a
 * fixed short sequence of them.
 */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include "hypervisor/types.h"

/* Port I/O. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0,%1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0,%1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(port)); return v; }

/* Control registers. */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_TSD  (1u << 2)
#define CR4_PSE  (1u << 4)
#define CR4_PAE  (1u << 5)
#define CR4_PGE  (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0,%0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2,%0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3,%0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4,%0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v) { __asm__ volatile("mov %0,%%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0,%%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint32_t v) { __asm__ volatile("mov %0,%%cr4" :: "r"(v) : "memory"); }
static inline void clts(void) { __asm__ volatile("clts"); }
static inline void stts(void) { write_cr0(read_cr0() | CR0_TS); }

/*
 * FPU state.  fxsave/fxrstor move the whole x87+SSE state to or from a
 * 512-byte, 16-byte-aligned area; fnsave/frstor the 108-byte x87 state on
 * CPUs without FXSR (fnsave also re-initialises the FPU, as fninit does).
 */
static inline void fxsave(void *area) { __asm__ volatile("fxsave %0" : "=m"(*(uint8_t (*)[512])area)); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor %0" :: "m"(*(const uint8_t (*)[512])area)); }
static inline void fnsave(void *area) { __asm__ volatile("fnsave %0" : "=m"(*(uint8_t (*)[108])area)); }
static inline void frstor(const void *area) { __asm__ volatile("frstor %0" :: "m"(*(const uint8_t (*)[108])area)); }

/* Debug registers.  The register number is part of the instruction, hence
 * the switch; n is a constant at every call, so it folds away.  DR4/DR5
 * are not used (they alias DR6/DR7 with CR4.DE clear). */
static inline uint32_t read_dr(unsigned n)
{
    uint32_t v = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%db0,%0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%db1,%0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%db2,%0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%db3,%0" : "=r"(v)); break;
    case 6: __asm__ volatile("mov %%db6,%0" : "=r"(v)); break;
    case 7: __asm__ volatile("mov %%db7,%0" : "=r"(v)); break;
    }
    return v;
}
static inline void write_dr(unsigned n, uint32_t v)
{
    switch (n) {
    case 0: __asm__ volatile("mov %0,%%db0" :: "r"(v)); break;
    case 1: __asm__ volatile("mov %0,%%db1" :: "r"(v)); break;
    case 2: __asm__ volatile("mov %0,%%db2" :: "r"(v)); break;
    case 3: __asm__ volatile("mov %0,%%db3" :: "r"(v)); break;
    case 6: __asm__ volatile("mov %0,%%db6" :: "r"(v)); break;
    case 7: __asm__ volatile("mov %0,%%db7" :: "r"(v)); break;
    }
}

/*
 * Atomic updates of words a guest may write at the same time (grant
 * entries): lock cmpxchg returns what *p held, and wrote `val` only if
 * that was `old`; lock and clears `bits` of a 16-bit word in one step.
 */
static inline uint32_t cmpxchg32(volatile uint32_t *p, uint32_t old, uint32_t val)
{
    uint32_t prev;
    __asm__ volatile("lock cmpxchgl %2,%1" : "=a"(prev), "+m"(*p) : "r"(val), "0"(old) : "memory");
    return prev;
}
static inline void clear_bits16(volatile uint16_t *p, uint16_t bits)
{
    __asm__ volatile("lock andw %1,%0" : "+m"(*p) : "ir"((uint16_t)~bits) : "memory");
}

/* TLB. */
static inline void invlpg(const void *va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

/* Descriptor tables.  The pseudo-descriptor is 6 bytes: limit then base. */
struct desc_ptr { uint16_t limit; uint32_t base; } __packed;
static inline void lgdt(const struct desc_ptr *p) { __asm__ volatile("lgdt %0" :: "m"(*p)); }
static inline void lidt(const struct desc_ptr *p) { __asm__ volatile("lidt %0" :: "m"(*p)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" :: "r"(sel)); }
static inline void lldt(uint16_t sel) { __asm__ volatile("lldt %0" :: "r"(sel)); }

/*
 * Reload every segment register after lgdt: the hidden descriptor caches
 * still hold the boot loader's segments until each register is written.
 */
static inline void load_segments(uint16_t cs, uint16_t ds)
{
    __asm__ volatile(
        "mov %1,%%ds; mov %1,%%es; mov %1,%%ss; mov %1,%%fs; mov %1,%%gs\n\t"
        "pushl %0; pushl $1f; lret; 1:"
        :: "r"((uint32_t)cs), "r"((uint32_t)ds) : "memory");
}

/* CPU identification and counters. */
struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline uint64_t rdmsr(uint32_t msr) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
/*
 * rdmsr/wrmsr of an MSR that may not exist: a #GP resumes after the
 * instruction through the exception table (trap.c) and the call returns
 * false.  For probing features, never for guest-chosen MSR numbers.
 */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *v)
{
    uint32_t lo = 0, hi = 0, fault = 0;
    __asm__ volatile("1: rdmsr\n\tjmp 3f\n2: movl $1,%2\n3:\n\t"
                     ".pushsection __ex_table,\"a\"\n\t.long 1b, 2b\n\t.popsection"
                     : "=a"(lo), "=d"(hi), "+r"(fault) : "c"(msr));
    *v = ((uint64_t)hi << 32) | lo;
    return !fault;
}
static inline bool wrmsr_safe(uint32_t msr, uint64_t v)
{
    uint32_t fault = 0;
    __asm__ volatile("1: wrmsr\n\tjmp 3f\n2: movl $1,%0\n3:\n\t"
                     ".pushsection __ex_table,\"a\"\n\t.long 1b, 2b\n\t.popsection"
                     : "+r"(fault) : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
    return !fault;
}
/*
 * One 32-bit load that may fault (a guest page that is not present): the
 * exception table sends the fault straight to the `fault` label and the
 * call returns false, so a load that works costs the load alone.  Only
 * guest_access.h uses it, after its range check.
 */
static inline bool load32_safe(const void *p, uint32_t *v)
{
    uint32_t val;
    __asm__ goto("1: movl (%1),%0\n\t"
                 ".pushsection __ex_table,\"a\"\n\t.long 1b, %l2\n\t.popsection"
                 : "=r"(val) : "r"(p) : "memory" : fault);
    *v = val;
    return true;
fault:
    return false;
}
#define MSR_PLATFORM_INFO 0x000000ceu
#define PLATFORM_INFO_CPUID_FAULTING (1ull << 31)
#define MSR_MISC_FEATURES_ENABLES 0x00000140u
#define MISC_FEATURES_CPUID_FAULTING (1ull << 0)
#define MSR_EFER 0xc0000080u
#define EFER_NXE (1u << 11)
#define EFER_SCE (1u << 0)
#define MSR_SYSENTER_CS 0x174u

/* Interrupt flag and halting. */
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause"); }
static inline uint32_t read_eflags(void) { uint32_t v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }

/* Compiler barrier: no memory access moves across it (x86 keeps stores in order). */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

/* The frame pointer, for backtraces (the build keeps frame pointers). */
static inline uint32_t read_ebp(void) { uint32_t v; __asm__ volatile("mov %%ebp,%0" : "=r"(v)); return v; }

/* rep movsb / outsb, used by the guest-copy and power-off paths. */
static inline void outsb(uint16_t port, const void *buf, uint32_t n)
{
    __asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

#endif

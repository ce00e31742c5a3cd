/*
 * scan.h - the load-time scan for sensitive instructions this CPU will not
 * trap (scan.c).  Pure: it reads the byte buffers it is given and nothing
 * else, so it also runs on the host (tests/unit/test_scan.c, tools/scan-measure).
 */
#ifndef HV_SCAN_H
#define HV_SCAN_H
#include "hypervisor/types.h"
#include "hypervisor/vcpu/decode.h"
#include "hypervisor/domain/elf_symbols.h"

/* What this CPU traps outside ring 0 (arch/x86/cpu.h: cpu.umip_on, cpu.cpuid_faulting_on). */
struct scan_env { bool umip_on, cpuid_faulting_on; };

/* One stretch of code: the image's bytes that load at guest address vaddr. */
struct scan_seg { uint32_t vaddr, len; const uint8_t *bytes; };

/* How the scan came to decode an instruction. */
enum scan_how { SCAN_FROM_ENTRY, SCAN_FROM_SYMBOL, SCAN_FROM_SWEEP };

struct scan_finding {
    uint32_t addr;
    struct insn insn;
    const char *why;              /* "no UMIP", "no CPUID faulting" */
    enum scan_how how;
};

struct scan {
    /* The caller's, set before scan_begin(): */
    const struct scan_seg *seg;   /* not overlapping */
    unsigned nseg;
    struct scan_env env;
    struct scan_finding *found;   /* the found_max lowest-addressed findings, in order */
    unsigned found_max;
    /* The results, complete after scan_finish(): */
    uint32_t code, descent, sweep;    /* bytes; code - descent - sweep did not decode */
    unsigned nfound, dropped;         /* all findings; branch targets left to the sweep */
    /* scan.c's own: */
    uint8_t *seen, *start;            /* a bit per byte: decoded; an instruction starts here */
    uint32_t *stack;
    unsigned depth, stack_max;
    enum scan_how how;
};

/* The bytes of (4-byte aligned) work memory scan_begin() needs for these segments. */
uint64_t scan_work_size(const struct scan_seg *seg, unsigned nseg);
/* Start a scan of s->seg[] in work[0..size); false if size is too small. */
bool scan_begin(struct scan *s, void *work, size_t size);
/* Decode from addr (an entry point) and all it reaches; ignored outside the code. */
void scan_seed(struct scan *s, uint32_t addr, enum scan_how how);
/* elf_symbols_code()'s callback, arg a struct scan: scan_seed() from a symbol. */
elf_symbol_fn scan_seed_symbol;
/* The linear sweep over every byte the seeds did not reach. */
void scan_finish(struct scan *s);

/* Why `in` runs untrapped in ring 1 and matters, or NULL; prev is the instruction before it. */
const char *scan_untrappable(const struct insn *in, enum insn_kind prev, const struct scan_env *env);
/* "reached from entry", "reached from a symbol", "sweep". */
const char *scan_how_name(enum scan_how how);
#endif

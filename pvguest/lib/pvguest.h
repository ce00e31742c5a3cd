/*
 * pvguest.h - everything a pvguest test kernel can call.
 *
 * pvguest is a tiny 32-bit PAE paravirtualized kernel: it runs in ring 1,
 * owns no hardware and reaches the outside world only through hypercalls.
 * This header is its whole library interface: the start-of-day state the
 * domain builder handed us, console output, an XTF-style verdict, command
 * line words, string helpers and a read-only walk of our own page tables.
 * It must never include a hypervisor header: a guest knows only the public
 * ABI (hypercalls/public/) and the generated hypercall stubs, exactly like
 * a kernel built for real Xen.
 */
#ifndef PVGUEST_H
#define PVGUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "gen/pvguest_hypercalls.h"

#define PAGE_SIZE 4096u
#define ALIGN_UP(x, a)  (((x) + ((a) - 1)) & ~((a) - 1))
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define __printf(f, a)  __attribute__((format(printf, f, a)))
#define __noreturn      __attribute__((noreturn))

/* ---- start of day (head.S) ------------------------------------------- */

/* The test's entry point: called once, with ESI as the builder set it. */
void pvguest_main(const xen_start_info_t *si);

/* What head.S saved from the entry registers before touching anything. */
extern const xen_start_info_t *pvguest_start_info;   /* ESI at entry */
extern uint32_t pvguest_boot_esp;                      /* ESP at entry */

/* Layout symbols from guest.ld: where this image was linked. */
extern char __pv_virt_base[], _start[], _end[], _etext[];
#define PV_VIRT_BASE ((uint32_t)(uintptr_t)__pv_virt_base)

/* ---- console (console.c, format.c) ----------------------------------- */

/*
 * printf() collects a line and hands it to console_io when it sees '\n'
 * (or fills 256 bytes), so each write the hypervisor sees is whole and
 * prints as one "(dN) ..." line however many printf calls built it.
 * Conversions: %d %i %u %x %X %p %s %c %%, flags '-' '0', a width, a
 * precision for %s, and the 'l'/'ll' length modifiers (ll: 64-bit values).
 */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void console_write(const char *s, size_t n);   /* raw, unbuffered */
void console_flush(void);
/*
 * A domU's console_write() (and so printf) goes through its PV console
 * ring from the first console_use_ring() on; false, and console_io still,
 * for the initial domain, which has no ring.  Input then arrives in the
 * ring too (consring_read, on the port consring_port() names).
 */
bool console_use_ring(void);

/* ---- verdicts (test.c), after XTF ----------------------------------- */

/*
 * A test reports as it goes; the worst report wins, in the order
 * SUCCESS < SKIP < ERROR < FAILURE.  test_fail() means the hypervisor did
 * something wrong; test_error() means the test itself could not run
 * properly; test_skip() means the test does not apply.  xtf_exit() prints
 * exactly one "Test result: ..." line and powers the domain off.
 */
void test_pass(void);
void test_fail(const char *fmt, ...) __printf(1, 2);
void test_error(const char *fmt, ...) __printf(1, 2);
void test_skip(const char *fmt, ...) __printf(1, 2);
void __noreturn xtf_exit(void);

/*
 * One line "check <what>: got <rc> want <rc>"; a mismatch is a failure.
 * Returns true when they matched, so a test can stop early if it must.
 */
bool check_rc(const char *what, long got, long want);
bool check_hex(const char *what, uint32_t got, uint32_t want);   /* 0x%08x */
bool check_u64(const char *what, uint64_t got, uint64_t want);   /* 0x%016llx */
bool check_str(const char *what, const char *got, const char *want);
/* check_rc() named by a format (up to 119 characters of it). */
bool check(long got, long want, const char *fmt, ...) __printf(3, 4);
/* Checks made so far, and in *failed how many of them failed (for one verdict per case). */
unsigned test_checks(unsigned *failed);

/* SCHEDOP_shutdown with a SHUTDOWN_* reason; returns only if refused. */
long shutdown(unsigned int reason);

/* ---- command line (cmdline.c) ----------------------------------------- */

/*
 * start_info.cmd_line holds the words after "--" on the module line.
 * cmdline_get("reason", buf, n) finds the word "reason=VALUE" and copies
 * VALUE; cmdline_uint() does the same for a number (decimal or 0x hex).
 */
bool cmdline_get(const char *key, char *buf, size_t size);
unsigned long cmdline_uint(const char *key, unsigned long dflt);
bool parse_uint(const char *s, unsigned long *out);

/* ---- our own page tables, read-only (pagetable.c) --------------------- */

/*
 * The builder gives us PAE page tables mapped read-only at start_info's
 * pt_base, holding machine frame numbers, and the pfn->mfn list at
 * mfn_list.  pt_lookup() walks them for va and returns true with the L1
 * entry (a 2 MiB L2 entry is turned into the equivalent 4 KiB one) if va
 * is present.  It returns false if va is not mapped - or if a table on the
 * way is not one of our own frames, which the builder should never do.
 * pt_mapped_end() is the first unmapped page at or above va, scanning at
 * most to the hypervisor hole.
 */
#define PTE_PRESENT 0x1ull
#define PTE_RW      0x2ull
#define PTE_USER    0x4ull
#define PTE_PSE     0x80ull                /* in an L2 entry: a 2 MiB page */
#define PTE_MFN(e)  ((uint32_t)(((e) >> 12) & 0xffffffull))
bool pt_lookup(uint32_t va, uint64_t *pte);
uint32_t pt_mapped_end(uint32_t va);

/* ---- CPUID through the forced-emulation prefix (cpuid.c) ------------- */

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };
void xen_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

/* ---- exceptions, shared_info, user pages, ring 3 (traps.c, entry.S) -- */

/*
 * A PV kernel has no IDT of its own: it hands the hypervisor a virtual one
 * (set_trap_table) and the hypervisor "bounces" each exception to it by
 * writing Xen's frame on the kernel stack, lowest address first:
 *
 *     [error code]   only for #DF #TS #NP #SS #GP #PF #AC
 *     EIP
 *     CS             bits 16-23: the event mask before entry (saved_mask)
 *     EFLAGS         IF = !saved_mask: the virtual interrupt flag
 *     [ESP, SS]      only from ring 3, whose frame goes on the stack_switch stack
 *
 * traps_init() maps shared_info, installs an entry stub (entry.S) for
 * vectors 0-31 (DPL 0, but 3 for #BP and #OF) and 0x80 (DPL 3: the system
 * call, and the way back from ring 3), and sets the ring-3 trap stack.
 * Each stub records what it saw in `exinfo` and then, as in XTF:
 *  - a hook registered for the vector may take it (trap_set_hook);
 *  - else an exception-table entry for the faulting EIP says where to
 *    resume (a "do the forbidden thing and expect this fault" test);
 *  - else the exception was unexpected: the test fails and ends.
 * It returns with the iret hypercall, which restores the event mask from
 * the frame's IF.  Events (set_callbacks) and the failsafe callback enter
 * through the same code as pseudo-vectors TRAP_EVENT and TRAP_FAILSAFE.
 */
#define TRAP_EVENT    256
#define TRAP_FAILSAFE 257
#define TRAP_NR       258
#define TI_MASK_EVENTS 4        /* trap_info flags bit 2: mask events on entry */
#define EFLAGS_TF 0x100u
#define EFLAGS_IF 0x200u

/* What the last exception's frame said (vector TRAP_EVENT for an upcall). */
typedef struct exinfo {
    unsigned count;             /* exceptions recorded since exinfo_clear() */
    unsigned vector;
    uint32_t error;             /* 0 when the vector has no error code */
    uint32_t eip;               /* as the frame said, before any fixup */
    uint16_t cs;                /* the frame's CS without the saved mask */
    uint8_t saved_mask;         /* the frame's CS bits 16-23 */
    uint8_t mask_at_entry;      /* vcpu_info's event mask when the stub ran */
    uint32_t eflags;
    uint32_t cr2;               /* vcpu_info.arch.cr2 when the stub ran */
    uint32_t frame;             /* where the frame's first word is */
    uint32_t esp, ss;           /* the interrupted stack: from ring 3 only */
    uint32_t segs[4];           /* TRAP_FAILSAFE only: DS ES FS GS */
} exinfo_t;
extern volatile exinfo_t exinfo;
void exinfo_clear(void);
const char *trap_name(unsigned vector);      /* "#PF", "event", "int $n"... */

/* The frame a stub hands to C: its own pushes, then the hypervisor's. */
struct trap_frame {
    uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;  /* pushal */
    uint32_t es, ds;
    uint32_t vector;
    uint32_t error;             /* the stub pushes 0 where there is none */
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;           /* from ring 3 only */
};

/*
 * _ASM_EXTABLE(fault, fixup) inside inline asm: if an exception's frame
 * names EIP `fault`, resume at `fixup`.  For a trap (#DB #BP #OF, int $n)
 * the frame names the instruction after, so list that address too.
 */
#define _ASM_EXTABLE(fault, fixup)                                 \
    ".pushsection ex_table, \"a\"\n\t.balign 4\n\t"                \
    ".long " #fault ", " #fixup "\n\t.popsection\n\t"

/*
 * PROBE(name, before, insn, operands...) defines `static void name(void)`
 * that records ESP in probe_at.sp, runs `before`, then `insn` at local
 * label 1 with exception-table entries from 1 (a fault) and from 2, just
 * after it (a trap), to 2; probe_at.at and .next get the addresses of 1
 * and 2.  `operands` continues the asm after its outputs (": inputs :
 * clobbers"), so `insn` spells registers %%eax.  A probe may run in ring 3
 * (run_probe): probe_at is in our image, which ring 3 can then reach.
 */
struct probe_at { uint32_t at, next, sp; };
extern struct probe_at probe_at;
#define PROBE(name, before, insn, ...) PROBE_(name, before, insn, "", __VA_ARGS__)
/*
 * PROBE_STACK is PROBE for an instruction that leaves ESP elsewhere: one
 * that faults after `before` pushed its operands (iret, lret, pop of a
 * segment register), or that lands on a stack of its own.  ESP is kept in
 * EDX and put back at label 2, so `operands` must name "edx" clobbered.
 */
#define PROBE_STACK(name, before, insn, ...)                                 \
    PROBE_(name, "movl %%esp, %%edx\n\t" before, insn, "movl %%edx, %%esp", __VA_ARGS__)
#define PROBE_(name, before, insn, after, ...)                               \
    static void name(void)                                                   \
    {                                                                        \
        __asm__ __volatile__("movl %%esp, %[sp]\n\t" before "\n"             \
                             "1:\t" insn "\n"                                \
                             "2:\t" after "\n\t"                             \
                             _ASM_EXTABLE(1b, 2b) _ASM_EXTABLE(2b, 2b)       \
                             "movl $1b, %[at]\n\t"                           \
                             "movl $2b, %[next]\n\t"                         \
                             : [at] "=m"(probe_at.at), [next] "=m"(probe_at.next), \
                               [sp] "=m"(probe_at.sp) __VA_ARGS__);          \
    }
/* Run a probe in ring 1 or 3, with exinfo cleared first. */
void run_probe(unsigned ring, void (*probe)(void));

/* A hook sees the frame first; true means "handled, resume as the frame says". */
typedef bool (*trap_hook_t)(struct trap_frame *f);
void trap_set_hook(unsigned vector, trap_hook_t hook);

void traps_init(void);
uint32_t trap_stub(unsigned vector);          /* entry.S's stub for vector */
/* Install one virtual IDT entry (the other entries stay): rc of set_trap_table. */
long trap_set(unsigned vector, unsigned flags, uint16_t cs, uint32_t address);
long trap_install(unsigned vector, unsigned flags);   /* our stub, FLAT_RING1_CS */
long trap_set_callbacks(void);   /* event and failsafe -> our stubs (set_callbacks) */
extern char trap_event_entry[], trap_failsafe_entry[];   /* entry.S */
extern uint32_t trap_stack_top;  /* the stack_switch stack: ring-3 frames land here */

/*
 * shared_info: start_info gives its machine address; map_shared_info()
 * maps it with update_va_mapping at spare_page(0) and remembers it.
 * spare_page(n) is the n-th page counted down from the end of the initial
 * mapping: mapped, ours, and used by nothing else (n < 64).
 */
extern volatile xen_shared_info_t *shared_info;
volatile xen_shared_info_t *map_shared_info(void);
uint32_t spare_page(unsigned n);
/*
 * vCPU 0's vcpu_info: shared_info's slot, until vcpu_info_move() has moved
 * it (VCPUOP_register_vcpu_info) to the 64 bytes at `where`, in a page of
 * ours: the rc of vcpu_op.  Everything here follows it.
 */
volatile xen_vcpu_info_t *vcpu_info0(void);
long vcpu_info_move(volatile void *where);
uint8_t event_mask(void);                     /* vcpu_info0()->evtchn_upcall_mask */
void set_event_mask(uint8_t mask);            /* a plain store: nothing is delivered */

/* Make the page holding va reachable from ring 3 (_PAGE_USER): rc. */
long set_user_page(uint32_t va);

/*
 * Run fn(arg) in ring 3 and return its result.  The first call makes our
 * whole image user-accessible.  We iret (the hypercall) to CS 0xe02b on a
 * user stack; fn returns into return_to_ring1(), whose int $0x80 comes
 * back to ring 1, where the 0x80 stub resumes run_in_ring3's caller.  The
 * event mask is the same in ring 3 and afterwards as before.  The frame of
 * that last int $0x80 is kept in ring3_exit.
 */
uint32_t run_in_ring3(uint32_t (*fn)(uint32_t), uint32_t arg);
void __noreturn return_to_ring1(uint32_t result);   /* ring 3 only */
extern volatile exinfo_t ring3_exit;
#define RING3_EXIT 0x52335852u              /* EAX of the int $0x80 going home */

/*
 * An iret inside a multicall, made as XTF's XSA-213 test makes it: by int
 * $0x82 with an iret frame [EAX, EIP, CS, EFLAGS (, ESP, SS)] at ESP, the
 * only place Xen looks for one.  Xen ends the batch at the iret entry and
 * the guest resumes where the frame says, never after the int.
 * multicall_iret() puts EIP just after the int, in ring 1 with `eflags`,
 * and returns EAX; *landed says whether we came back through the frame or
 * by an ordinary return from the multicall (which then returns its own
 * result).  multicall_iret_ring3() lands in ring 3 instead, events masked,
 * where the frame's EAX goes straight home by int $0x80: ring3_exit (cleared
 * first) records that frame, and EAX is the result.
 */
long multicall_iret(xen_multicall_entry_t *calls, unsigned n, uint32_t eax, uint32_t eflags,
                    bool *landed);
uint32_t multicall_iret_ring3(xen_multicall_entry_t *calls, unsigned n, uint32_t eax);

/* ---- building page tables under direct paging (mm.c) ------------------ */

/*
 * Our page tables hold machine frame numbers and are ours to build, but
 * only the hypervisor writes them: every entry goes through mmu_update or
 * update_va_mapping, which check it.  These helpers do the bookkeeping a
 * PV kernel needs for that:
 *  - frame numbers: pfn -> mfn through our P2M list (start_info.mfn_list),
 *    mfn -> pfn through the hypervisor's read-only M2P at 0xF5800000;
 *    pfn N of the initial mapping is at VA VIRT_BASE + N*4096;
 *  - the machine address of an entry, which is what mmu_update names;
 *  - a queue of mmu_update requests sent as one hypercall (mmu_queue,
 *    mmu_flush): a batch stops at its first bad request, and `done` says
 *    how many were applied before it;
 *  - one-op mmuext_op wrappers: pin, unpin, new_baseptr, flushes, clear
 *    and copy of a frame;
 *  - a pool of spare frames: our pfns past the end of the initial mapping
 *    (owned, never mapped) and the spare pages above the boot stack, whose
 *    mapping is dropped before they are handed out, because a frame mapped
 *    writable anywhere cannot become a page table.  mm_va_slot() gives a
 *    VA whose bootstrap L1 entry is empty, for scratch mappings.
 */
#define PTE_PWT      0x8ull
#define PTE_PCD      0x10ull
#define PTE_ACCESSED 0x20ull
#define PTE_DIRTY    0x40ull
#define PTE_GLOBAL   0x100ull
#define PTE_NX       (1ull << 63)
#define MFN_NONE     0xffffffffu          /* Xen's INVALID_M2P_ENTRY, and "none" */
#define M2P          ((const volatile uint32_t *)MACH2PHYS_VIRT_START)

static inline uint64_t mm_pte(uint32_t mfn, uint64_t flags)
{
    return ((uint64_t)mfn << 12) | flags;
}
/* The machine address of entry index of the table in frame table_mfn. */
static inline uint64_t mm_entry_ma(uint32_t table_mfn, unsigned index)
{
    return ((uint64_t)table_mfn << 12) + index * 8u;
}

uint32_t mm_pfn_to_mfn(uint32_t pfn);     /* MFN_NONE past nr_pages */
uint32_t mm_m2p(uint32_t mfn);            /* M2P[mfn]; MFN_NONE past the end of RAM */
uint32_t mm_mfn_to_pfn(uint32_t mfn);     /* MFN_NONE unless the P2M agrees: ours */
uint32_t mm_va_to_mfn(uint32_t va);       /* a VA of the initial mapping */
uint64_t mm_ma_of(const void *p);         /* the machine address of a byte of it */
uint32_t mm_mfn_to_va(uint32_t mfn);      /* 0 unless ours and in the initial mapping */
void mm_set_p2m(uint32_t pfn, uint32_t mfn);   /* our P2M list only (not the M2P) */
uint32_t mm_map_end(void);                /* the end of the initial mapping */
/* Machine address of the bootstrap L1 entry mapping va (0 if none); reading it: pt_lookup(). */
uint64_t mm_l1e_ma(uint32_t va);
uint32_t mm_bootstrap_l3(void);           /* the mfn of start_info.pt_base */
uint32_t mm_cr3(void);                    /* the L3 we last switched to */
uint32_t mm_read_cr3(void);               /* the emulated mov from CR3: xen_pfn_to_cr3(mfn) */

/* Queue one request (ptr's low 2 bits: MMU_*); a full queue is flushed. */
void mmu_queue(uint64_t ptr, uint64_t val);
/* Send what is queued as one mmu_update: its rc; *done (may be NULL) = applied. */
long mmu_flush(unsigned *done);
long mm_update(uint64_t ptr, uint64_t val);          /* one request, now */
extern unsigned mm_mmu_update_calls;                 /* mmu_update hypercalls made by the two */

long mm_ext(unsigned cmd, uint32_t arg1, uint32_t arg2);   /* one mmuext_op */
long mm_pin(unsigned level, uint32_t mfn);           /* level 1, 2 or 3 */
long mm_unpin(uint32_t mfn);
long mm_new_baseptr(uint32_t mfn);
long mm_clear_page(uint32_t mfn);
long mm_copy_page(uint32_t dst_mfn, uint32_t src_mfn);
long mm_tlb_flush(void);
long mm_invlpg(uint32_t va);
long mm_map(uint32_t va, uint64_t pte);              /* update_va_mapping + invlpg */
/* Our own mapping of the page holding p, made writable or read-only: rc (-EFAULT: unmapped). */
long mm_map_rw(const void *p, bool rw);

/* Spare frames, by pfn: unmapped, contents unknown (or zeroed); MFN_NONE when out. */
uint32_t mm_frame_alloc(void);
uint32_t mm_frame_alloc_zeroed(void);                /* MMUEXT_CLEAR_PAGE first */
void mm_frame_free(uint32_t pfn);                    /* unmapped and no longer a table */
unsigned mm_frames_free(void);
uint32_t mm_va_slot(void);                           /* 0 when out */

/* memory_op for ourselves: current/maximum reservation; decrease/increase: extents done. */
long mm_reservation(unsigned cmd);
long mm_decrease(const uint32_t *mfns, unsigned n);
long mm_increase(uint32_t *mfns, unsigned n);
/* pfn's frame was given back: a new one from increase_reservation, in the P2M and M2P, pfn to the pool. */
long mm_refill(uint32_t pfn);

/* ---- segment descriptors (desc.c) -------------------------------------- */

/*
 * Descriptors for a GDT or LDT of our own.  desc_seg() packs base, limit
 * (20 bits) and an access byte (P | DPL | S | type) with the flags nibble
 * (G: the limit counts 4 KiB pages; DB: 32-bit); desc_flat() is the flat
 * 4 GiB segment with that access; desc_gate() a gate to sel:offset.  The
 * hypervisor cuts a flat segment off at 0xF6800000, so lsl of one reads
 * DESC_TOP_LIMIT.  desc_lsl() and desc_lar() are what the CPU says of a
 * selector: its limit, its access rights (bits 8-15), or 0 when it shows
 * us none.  desc_call_gate() far-calls desc_gate_target through sel: a
 * call gate, which must lead there, or a code segment, which lands there.
 * desc_gate_target returns the CS it ran with, and so does desc_call_gate().
 * get_cs(), get_ss() and get_fs() read a selector (RPL included); set_fs()
 * loads %fs; read_fs_at(off) reads the 32 bits at %fs:off.
 */
#define DESC_TOP_LIMIT     0xF67FFFFFu
#define DESC_CODE(dpl)     (0x9a | (dpl) << 5)
#define DESC_DATA(dpl)     (0x92 | (dpl) << 5)
#define DESC_TSS32         0x89
#define DESC_LDT           0x82
#define DESC_INTGATE       0x8e
#define DESC_CALLGATE(dpl) (0x8c | (dpl) << 5)
#define DESC_G             0x8
#define DESC_DB            0x4
uint64_t desc_seg(uint32_t base, uint32_t limit, unsigned access, unsigned flags);
uint64_t desc_flat(unsigned access);
uint64_t desc_gate(unsigned sel, uint32_t offset, unsigned access);
uint32_t desc_lsl(uint32_t sel);
uint32_t desc_lar(uint32_t sel);
uint32_t desc_gate_target(void);          /* a call gate's target, never called directly */
uint32_t desc_call_gate(uint32_t sel);
uint32_t get_cs(void);
uint32_t get_ss(void);
uint32_t get_fs(void);
void set_fs(uint32_t sel);
uint32_t read_fs_at(uint32_t off);

/* ---- event channels (evtchn.c) ---------------------------------------- */

/*
 * Ports are the guest's interrupt lines: pending and mask bits in
 * shared_info, one upcall for all of them.  evtchn_do_upcall() is the
 * demultiplexer: it clears the pending bits of unmasked ports and calls
 * each one's handler, with events masked.  A guest built on this library
 * alone calls evtchn_init() (the upcall hook and set_callbacks), then
 * binds; a kernel with its own event hook calls evtchn_do_upcall() from it.
 * The bind and alloc calls return a port (>= 0) or -errno, and unmask the
 * port they bind.  Handlers are kept for every port of the 2-level ABI:
 * the builder takes the ports it sets up (console ring, store) from the
 * top, 1023 down (docs/sharing.md), so a handler there must be kept too.
 */
#define EVTCHN_PORTS NR_EVENT_CHANNELS
typedef void (*evtchn_handler_t)(unsigned port, void *arg);
long evtchn_init(void);
unsigned evtchn_do_upcall(void);            /* handlers called */
void evtchn_set_handler(unsigned port, evtchn_handler_t fn, void *arg);
long evtchn_bind_virq(unsigned virq, evtchn_handler_t fn, void *arg);
long evtchn_alloc_unbound(unsigned remote_dom);
long evtchn_bind_interdomain(unsigned remote_dom, unsigned remote_port);
long evtchn_send(unsigned port);
long evtchn_close(unsigned port);
void evtchn_mask(unsigned port);
long evtchn_unmask(unsigned port);
bool evtchn_pending(unsigned port);
extern unsigned evtchn_spurious;            /* pending ports with no handler */

/* ---- grant tables (grant.c) ------------------------------------------- */

/*
 * gnttab_setup(n, frames): setup_table for n frames of our own table
 * (their MFNs into frames[n]), each mapped writable once, consecutively:
 * 0, the status (GNTST_*) or -errno.  gnttab_entry(ref) is our entry (NULL
 * past the table).  gnttab_grant() publishes one (flags last);
 * gnttab_revoke() takes it back unless the hypervisor's GTF_reading or
 * GTF_writing is set: 0, or those flags.  gnttab_map() / gnttab_unmap() /
 * gnttab_copy() issue one record: its GNTST_* status, or the hypercall's
 * -errno; map's *handle and *bus (may be NULL) are what it wrote back.
 */
long gnttab_setup(unsigned nr_frames, uint32_t *frames);
volatile xen_grant_entry_v1_t *gnttab_entry(xen_grant_ref_t ref);
void gnttab_grant(xen_grant_ref_t ref, unsigned domid, uint32_t mfn, bool readonly);
uint16_t gnttab_revoke(xen_grant_ref_t ref);
int16_t gnttab_map(unsigned dom, xen_grant_ref_t ref, uint32_t va, uint32_t flags,
                   xen_grant_handle_t *handle, uint64_t *bus);
int16_t gnttab_unmap(uint32_t va, xen_grant_handle_t handle, uint64_t bus);
int16_t gnttab_copy(const struct xen_gnttab_copy *c);
/* ---- the console ring (consring.c) ---------------------------------- */

/*
 * A domU's console ring (start_info.console.domU): consring_open() is false
 * for an initial domain, or when the builder gave none.  Writes wait for
 * room; consring_read() takes what has arrived (0: nothing yet), and
 * consring_read_wait() blocks until something has.  consring_wait() only
 * clears the port's event, before a last look and a block.
 */
bool consring_open(void);
void consring_write(const char *s, size_t n);
int consring_printf(const char *fmt, ...) __printf(1, 2);
size_t consring_read(char *buf, size_t n);
size_t consring_read_wait(char *buf, size_t n);
void consring_wait(void);
unsigned consring_port(void);               /* its event channel; 0 if not open */

/*
 * A test guest that needs the service domains (a xenstored) says so at
 * file scope with PVGUEST_WANTS_SERVICES(): an ELF note owned by "ringone"
 * (type 1, "xenstore") beside the Xen notes.  tools/run reads it and then
 * starts the services by default; the hypervisor's builder ignores notes
 * that are not Xen's, as Xen's libelf does.
 */
#define PVGUEST_WANTS_SERVICES()                                            \
    __asm__(".pushsection .note.Xen, \"a\", @note\n.balign 4\n"             \
            ".long 8, 9, 1\n.asciz \"ringone\"\n.balign 4\n"                \
            ".asciz \"xenstore\"\n.balign 4\n.popsection")

/* ---- time (time.c) ------------------------------------------------------ */

/*
 * time_now_ns() is system time, ns since the hypervisor booted, computed
 * from vcpu_info.time and our own TSC (no hypercall); time_ticking() says
 * whether the hypervisor publishes a clock at all.  time_wallclock_ns() is
 * ns since 1970.  time_set_timer() is set_timer_op: VIRQ_TIMER at that
 * system time (0 cancels).  time_block_until() blocks the domain
 * (set_timer_op + SCHEDOP_block) until the clock passes the deadline,
 * returning how many times it blocked; VIRQ_TIMER must be bound, or
 * nothing will wake us.
 */
#define NS_PER_SEC 1000000000ull
#define NS_PER_MS  1000000ull
uint64_t time_now_ns(void);
bool time_ticking(void);
/*
 * The parts: rdtsc() is the instruction (it does not trap under the
 * default dom.tsc=native); time_record() copies vcpu_info.time under its
 * version; time_tsc_to_ns() scales a TSC difference by that record.
 */
uint64_t rdtsc(void);
void time_record(xen_vcpu_time_info_t *out);
uint64_t time_tsc_to_ns(uint64_t delta);
uint64_t time_wallclock_ns(void);
long time_set_timer(uint64_t deadline_ns);
unsigned time_block_until(uint64_t deadline_ns);
unsigned time_sleep_ns(uint64_t ns);

/* ---- strings (string.c) --------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);

#endif

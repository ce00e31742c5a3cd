/*
 * hypercall.h - the hypercall dispatch table and its one entry point.
 *
 * This file owns the shape of a row in the dispatch table and the call
 * that the trap entry makes for "int $0x82".  The rows themselves are
 * generated from hypercalls/hypercalls.tbl into build/gen/hypercall_table.c
 * (see tools/gen-abi), so the list of hypercalls exists in one place only.
 * It must never contain a handler: those are the do_<name> functions in
 * hypercalls/, declared in gen/hypercall_handlers.h.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hypervisor/types.h"
#include "arch/x86/regs.h"
#include "hypercalls/public/errno.h"

/*
 * Numbers the dispatcher looks up; anything at or above is -ENOSYS.  Xen
 * uses the same bound, although the hypercall page has room for 128 stubs.
 */
#define NR_HYPERCALLS 64

/*
 * One row of the table.  call takes the five argument registers in order
 * (EBX, ECX, EDX, ESI, EDI) and converts them to do_<name>'s typed
 * parameters; for a hypercall this hypervisor does not implement it is
 * hc_not_implemented (-ENOSYS), never NULL, so dispatch needs no test.
 * name is NULL only for numbers Xen never assigned, so a trace can say
 * "memory_op (not implemented)" rather than "unknown 12".
 */
struct hypercall_entry {
    const char *name;
    uint8_t nargs;                 /* argument registers used, for traces */
    const char *argnames[5];       /* their names, for traces */
    long (*call)(const uint32_t args[5]);
};

extern const struct hypercall_entry hypercall_table[NR_HYPERCALLS];
long hc_not_implemented(const uint32_t args[5]);

/*
 * Run hypercall nr with the guest's argument registers.  nr and args are
 * guest-controlled: nr is bounds-checked here, args are checked by each
 * handler.  Returns the value for the guest's EAX: a result, or -Exxx;
 * -ENOSYS for an unknown or unimplemented number.  Inline: every
 * hypercall passes here (docs/performance.md).
 */
static inline long hypercall_dispatch(uint32_t nr, const uint32_t args[5])
{
    if (nr >= NR_HYPERCALLS)     /* nr comes straight from the guest's EAX */
        return -ENOSYS;
    return hypercall_table[nr].call(args);
}

/* The multicall entry a continuation rewrites, or NULL (hypercall_continue.c). */
extern uint32_t *hypercall_mc_args;

/*
 * "int $0x82" from the guest whose frame is r: EAX = nr, EBX..EDI the
 * arguments.  Those five sit in the frame in argument order, so the frame
 * itself is the argument array: no copy.  (Each trampoline reads all of
 * them before its handler runs, so a handler that edits the frame, as
 * iret and continuations do, cannot change its own arguments.)
 */
_Static_assert(__builtin_offsetof(struct cpu_regs, ebx) == 0 &&
               __builtin_offsetof(struct cpu_regs, edi) == 16, "arguments in order");
static inline void hypercall_trap(struct cpu_regs *r)
{
    hypercall_mc_args = NULL;    /* a multicall whose domain died may have left it set */
    r->eax = (uint32_t)hypercall_dispatch(r->eax, (const uint32_t *)r);
}

/* The hypercall's name for traces: never NULL. */
const char *hypercall_name(uint32_t nr);

/*
 * Continuations (Xen's hypercall_create_continuation; hypercall_continue.c).  A handler whose
 * work grows with a guest-chosen count calls hypercall_preempt_check()
 * between items (never before its first, so every call makes progress)
 * and, when it says so, returns hypercall_continue(op, args) with the
 * arguments that ask for the rest.  The guest's EIP goes back onto its
 * "int $0x82", EAX becomes op again and the argument registers become
 * args: on the way out the pending tick or event is handled, and when the
 * guest runs again it re-issues the call.  Inside a multicall the frame is
 * the multicall's, so the new arguments go into the entry instead
 * (hypercall_mc_begin/end).  Returns op, for the dispatcher to put in EAX.
 * The argument encodings (Xen's, per hypercall) are continuation.h's;
 * grant_table_op's is shown there.
 */
bool hypercall_preempt_check(void);
long hypercall_continue(uint32_t op, const uint32_t args[5]);

/*
 * multicall.c runs each entry between these: a continuation made by the
 * entry writes args (the entry's own copy) and end() returns true, so the
 * multicall can store the entry back and continue from it.
 */
void hypercall_mc_begin(uint32_t args[5]);
bool hypercall_mc_end(void);

#endif

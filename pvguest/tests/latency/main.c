/*
 * latency - how long can another domain's hypercall keep us off the CPU?
 *
 * One image, two kinds of domain (cmdline role=):
 *  - role=victim spins reading system time (shared_info, no hypercall) and
 *    records the longest gap between two readings: the time it was off
 *    the CPU.  It runs until every domain booted after it has ended, then
 *    prints "latency: longest gap N us" and checks N against gap_ms=
 *    (default 50).  With linger_ms= it spins that much longer after they
 *    have ended (to measure their teardown).  The gap includes the
 *    attackers' scheduler slices, so they should run with a small dom.weight.
 *  - role=console|text|mmu|pin|memop is an attacker: it makes the worst long
 *    hypercall of its kind rounds= times (issue 14, Xen's XSA-45 class)
 *    and checks that each one completes or is refused as Xen would:
 *      console  console_io write of mib= MiB of "\r" (one page, mapped
 *               over and over by one L1 hooked at many L2 entries);
 *      text     console_io write of kib= KiB of text, 64-byte lines
 *               "latency: text line N ..." (the CRs above print nothing,
 *               this does: on a UART that takes real time per byte, the
 *               serial line falls behind and console_io waits for it);
 *      mmu      a multicall of batches= mmu_update batches, each hooking
 *               and unhooking a full L1 pairs= times;
 *      pin      mmuext_op pin and unpin of an L2 holding l1s= distinct
 *               full L1s, ops= operations in one batch;
 *      memop    decrease_reservation of frames= spare frames, and
 *               increase_reservation of as many again;
 *      argo     (booted with argo=1, dom.mem=64M) argo sendv of a message
 *               of almost 16 MiB (one page, mapped over and over) into a
 *               ring of 4096 of its own pages (below the spare-frame pool);
 *      big      (one round) pins tables= full L1s and ends: a big
 *               domain (dom.mem=256M) torn down beside the victim.
 * Each attacker prints how long its rounds took, for comparison.
 * role=spin is the harmless neighbour the attacks are compared with
 * (tools/bench): it burns ms= of CPU (default 100) with no hypercall, so
 * beside it the victim's gap is one fair slice of the same dom.weight plus
 * a tick.
 * role=regs checks, under preempt-every=1, that a continued call leaves
 * the argument registers it does not use alone.
 */
#include "pvguest/lib/pvguest.h"

#define BASE_VA   0x40000000u       /* L3 slot 1: nothing of ours lives there */
#define MAX_L1S   64
#define RO        (PTE_PRESENT | PTE_ACCESSED)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static uint64_t tmpl[512] __attribute__((aligned(PAGE_SIZE)));
static char cr_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint32_t mfns[4096];
static const xen_start_info_t *si;

static uint32_t mfn_of(const void *p) { return mm_va_to_mfn((uint32_t)(uintptr_t)p); }

/* Our boot L2 for L3 slot `slot` (the builder gives every slot one). */
static uint32_t boot_l2_mfn(unsigned slot)
{
    const volatile uint64_t *l3 = (const volatile uint64_t *)si->pt_base;
    return PTE_MFN(l3[slot]);
}

/* A spare frame holding 512 read-only entries for `target`: an L1 once hooked or pinned. */
static uint32_t full_l1(uint32_t target)
{
    uint32_t pfn = mm_frame_alloc();
    if (pfn == MFN_NONE) {
        test_error("out of spare frames");
        xtf_exit();
    }
    for (unsigned i = 0; i < 512; i++)
        tmpl[i] = mm_pte(target, RO);
    check_rc("copy a full L1 into a spare frame", mm_copy_page(mm_pfn_to_mfn(pfn), mfn_of(tmpl)), 0);
    return mm_pfn_to_mfn(pfn);
}

/* ---- the victim ---------------------------------------------------------- */

static long status_of(unsigned dom)
{
    struct xen_evtchn_status st = { .dom = (xen_domid_t)dom, .port = 0 };
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
}

/* Our id: the first whose status is neither another live domain's (-EPERM) nor none's. */
static unsigned self_id(void)
{
    static unsigned self = ~0u;
    long rc;
    if (self == ~0u)
        for (self = 0; self < 128 && ((rc = status_of(self)) == -EPERM || rc == -ESRCH); self++)
            ;
    return self;
}

/* Is any domain with a higher id than ours alive? */
static bool later_alive(void)
{
    for (unsigned d = self_id() + 1; d < 128; d++)
        if (status_of(d) == -EPERM)
            return true;
    return false;
}

static uint64_t worst, last;
static unsigned polls;

static void spin(void)
{
    for (unsigned k = 0; k < 100000; k++) {     /* spin, no hypercall */
        uint64_t now = time_now_ns();
        if (now - last > worst)
            worst = now - last;
        last = now;
    }
    polls++;
}

static void victim(void)
{
    uint64_t bound = cmdline_uint("gap_ms", 50) * NS_PER_MS, start = time_now_ns();
    uint64_t linger = cmdline_uint("linger_ms", 0) * NS_PER_MS, gone;
    for (last = start; later_alive(); last = time_now_ns())   /* the polls' hypercalls do not count */
        spin();
    for (gone = last; last - gone < linger;)
        spin();
    printf("latency: longest gap %llu us over %llu ms (%u polls)\n", worst / 1000,
           (time_now_ns() - start) / NS_PER_MS, polls);
    check_rc("the victim ran beside the attackers", polls > 0, 1);
    check_rc("longest gap within the bound (gap_ms)", worst <= bound, 1);
}

/* ---- the attackers -------------------------------------------------------- */

/* Hook (or with val 0 unhook) entries [0, n) of our slot-`slot` L2. */
static long hook_all(unsigned slot, unsigned n, uint64_t val)
{
    unsigned done = 0;
    for (unsigned i = 0; i < n; i++)
        mmu_queue(mm_entry_ma(boot_l2_mfn(slot), i), val);
    long rc = mmu_flush(&done);
    return rc ? rc : (long)done;
}

static void attack_console(unsigned rounds)
{
    unsigned mib = cmdline_uint("mib", 64), l2es = (mib + 1) / 2;
    memset(cr_page, '\r', sizeof(cr_page));
    check_rc("our CR page read-only", mm_map_rw(cr_page, false), 0);
    uint32_t l1 = full_l1(mfn_of(cr_page));
    check_rc("hook the CR L1 at every L2 entry", hook_all(1, l2es, mm_pte(l1, RO)), l2es);
    for (unsigned r = 0; r < rounds; r++)
        check_rc("console_io write of the CR range",
                 HYPERVISOR_console_io(CONSOLEIO_write, mib << 20, (char *)BASE_VA), 0);
    check_rc("unhook it", hook_all(1, l2es, 0), l2es);
    mm_frame_free(mm_mfn_to_pfn(l1));
}

static char text[64 << 10];

static void attack_text(unsigned rounds)
{
    unsigned n = MIN(cmdline_uint("kib", 16), 64u) << 10;
    for (unsigned i = 0; i < n; i += 64) {
        memset(text + i, '.', 63);
        text[i + snprintf(text + i, 64, "latency: text line %u ", i / 64)] = '.';
        text[i + 63] = '\n';
    }
    for (unsigned r = 0; r < rounds; r++)
        check_rc("console_io write of the text", HYPERVISOR_console_io(CONSOLEIO_write, n, text), 0);
}

static xen_mmu_update_t batch[16][256];
static xen_multicall_entry_t mc[16];
static unsigned batch_done[16];

static void attack_mmu(unsigned rounds)
{
    unsigned nb = MIN(cmdline_uint("batches", 16), 16u), pairs = MIN(cmdline_uint("pairs", 8), 128u);
    uint32_t l1 = full_l1(mfn_of(cr_page));
    uint64_t l2e = mm_entry_ma(boot_l2_mfn(1), 0);
    for (unsigned b = 0; b < nb; b++)
        for (unsigned p = 0; p < pairs; p++) {
            batch[b][2 * p] = (xen_mmu_update_t){ l2e, mm_pte(l1, RO) };
            batch[b][2 * p + 1] = (xen_mmu_update_t){ l2e, 0 };
        }
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned b = 0; b < nb; b++) {          /* refilled: continuations rewrite entries */
            mc[b] = (xen_multicall_entry_t){ .op = __HYPERVISOR_mmu_update };
            mc[b].args[0] = (uint32_t)(uintptr_t)batch[b];
            mc[b].args[1] = 2 * pairs;
            mc[b].args[2] = (uint32_t)(uintptr_t)&batch_done[b];
            mc[b].args[3] = DOMID_SELF;
            batch_done[b] = 0;
        }
        check_rc("multicall of mmu_update batches", HYPERVISOR_multicall(mc, nb), 0);
        for (unsigned b = 0; b < nb; b++)
            if (mc[b].result || batch_done[b] != 2 * pairs) {
                check_rc("an mmu_update batch's result", (long)mc[b].result, 0);
                check_rc("... its done count", batch_done[b], 2 * pairs);
            }
    }
    mm_frame_free(mm_mfn_to_pfn(l1));
}

static xen_mmuext_op_t ops[4096];

static void attack_pin(unsigned rounds)
{
    unsigned nl1 = MIN(cmdline_uint("l1s", 32), (unsigned long)MAX_L1S);
    unsigned nops = MIN(cmdline_uint("ops", 64), 4096u) & ~1u, done = 0;
    uint32_t l1[MAX_L1S];
    for (unsigned i = 0; i < nl1; i++)
        l1[i] = full_l1(mfn_of(cr_page));
    uint32_t l2pfn = mm_frame_alloc();
    for (unsigned i = 0; i < 512; i++)
        tmpl[i] = i < nl1 ? mm_pte(l1[i], PTE_PRESENT) : 0;
    uint32_t l2 = mm_pfn_to_mfn(l2pfn);
    check_rc("copy the L2", mm_copy_page(l2, mfn_of(tmpl)), 0);
    for (unsigned i = 0; i < nops; i += 2) {
        ops[i] = (xen_mmuext_op_t){ .cmd = MMUEXT_PIN_L2_TABLE, .arg1.mfn = l2 };
        ops[i + 1] = (xen_mmuext_op_t){ .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = l2 };
    }
    for (unsigned r = 0; r < rounds; r++) {
        long rc = HYPERVISOR_mmuext_op(ops, nops, &done, DOMID_SELF);
        check_rc("pin/unpin storm", rc, 0);
        check_rc("... every op done", done, nops);
        done = 0;
    }
    mm_frame_free(l2pfn);
    for (unsigned i = 0; i < nl1; i++)
        mm_frame_free(mm_mfn_to_pfn(l1[i]));
}

static void attack_memop(unsigned rounds)
{
    unsigned want = MIN(cmdline_uint("frames", 2048), 4096u), n = 0;
    static uint32_t pool[4096];
    while (n < want && (pool[n] = mm_frame_alloc()) != MFN_NONE)
        n++;
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < n; i++) {
            mfns[i] = mm_pfn_to_mfn(pool[i]);
            mm_set_p2m(pool[i], MFN_NONE);
        }
        check_rc("decrease_reservation of every spare frame", mm_decrease(mfns, n), n);
        check_rc("increase_reservation of as many", mm_increase(mfns, n), n);
        for (unsigned i = 0; i < n; i++) {
            mmu_queue(((uint64_t)mfns[i] << 12) | MMU_MACHPHYS_UPDATE, pool[i]);
            mm_set_p2m(pool[i], mfns[i]);
        }
        check_rc("their M2P entries", mmu_flush(NULL), 0);
    }
    for (unsigned i = 0; i < n; i++)
        mm_frame_free(pool[i]);
}

static xen_argo_gfn_t ring_gfns[4096];

static void attack_argo(unsigned rounds)
{
    const uint32_t len = XEN_ARGO_MAX_RING_SIZE - 64, msg = len - 64;
    xen_argo_register_ring_t reg = { .aport = 1, .partner_id = (xen_domid_t)self_id(), .len = len };
    xen_argo_send_addr_t a = { .src = { .domain_id = XEN_ARGO_DOMID_ANY },
                               .dst = { .aport = 1, .domain_id = (xen_domid_t)self_id() } };
    xen_argo_iov_t iov = { .iov_len = msg };
    uint32_t l1 = full_l1(mfn_of(cr_page)), head = mm_va_slot(), top = si->nr_pages - 1024;
    for (unsigned i = 0; i < 4096; i++)
        ring_gfns[i] = mm_pfn_to_mfn(top - 4096 + i);    /* never the pool's (the top 1024) */
    check_rc("map the ring's first page", mm_map(head, mm_pte(ring_gfns[0], PTE_PRESENT | PTE_RW)), 0);
    check_rc("hook the CR L1 at 8 L2 entries (16 MiB)", hook_all(1, 8, mm_pte(l1, RO)), 8);
    check_rc("register a ring of 4096 pages",
             HYPERVISOR_argo_op(XEN_ARGO_OP_register_ring, &reg, ring_gfns, 4096, 0), 0);
    set_xen_guest_handle(iov.iov_hnd, (void *)BASE_VA);
    for (unsigned r = 0; r < rounds; r++) {
        check_rc("sendv of almost 16 MiB to ourselves", HYPERVISOR_argo_op(XEN_ARGO_OP_sendv, &a, &iov, 1, 0), msg);
        volatile xen_argo_ring_t *h = (volatile xen_argo_ring_t *)head;
        h->rx_ptr = h->tx_ptr;                          /* read: the ring is empty again */
    }
}

static void attack_big(unsigned rounds)
{
    unsigned n = MIN(cmdline_uint("tables", 256), 16384u), pinned = 0;
    (void)rounds;
    for (unsigned i = 0; i < n; i++)
        pinned += mm_pin(1, full_l1(mfn_of(cr_page))) == 0;
    check_rc("every full L1 pinned", pinned, n);
}

/* The baseline: CPU-bound for ms= with no hypercall (rounds is always one). */
static void spin_only(unsigned rounds)
{
    uint64_t end = time_now_ns() + cmdline_uint("ms", 100) * NS_PER_MS;
    (void)rounds;
    while (time_now_ns() < end)
        ;
}

/* ---- role=regs: a continued call changes only its own argument registers ---- */

#define CANARY 0xca4a12e5u
/* Hypercall nr with all five argument registers given, and all five read back. */
#define CALL5(nr, r, ret)                                                         \
    __asm__ __volatile__("call hypercall_page + %c[off]"                          \
                         : "=a"(ret), "+b"((r)[0]), "+c"((r)[1]), "+d"((r)[2]),   \
                           "+S"((r)[3]), "+D"((r)[4])                             \
                         : [off] "i"((nr) * 32) : "memory", "cc")

static void unused_unchanged(const char *call, const uint32_t r[5], unsigned nargs)
{
    for (unsigned i = nargs; i < 5; i++)
        check_hex(call, r[i], CANARY);
}

/*
 * Run with preempt-every=1, each call below continues after every item.
 * The hypervisor may rewrite the registers of the call's own arguments,
 * never the others: a guest stub tells its compiler only about those
 * (issue 14: a continuation that zeroed EDI broke the aspace guest).
 */
static void regs(void)
{
    static xen_mmuext_op_t flush[8];
    static xen_multicall_entry_t calls[4];
    static char crs[1024];
    unsigned done = 0;
    long ret;
    for (unsigned i = 0; i < ARRAY_SIZE(flush); i++)
        flush[i].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    uint32_t r[5] = { (uint32_t)(uintptr_t)flush, ARRAY_SIZE(flush), (uint32_t)(uintptr_t)&done,
                      DOMID_SELF, CANARY };
    CALL5(__HYPERVISOR_mmuext_op, r, ret);
    check_rc("mmuext_op of 8 flushes", ret, 0);
    check_rc("... done", done, 8);
    unused_unchanged("mmuext_op: EDI (not an argument) after the call", r, 4);

    memset(crs, '\r', sizeof(crs));
    uint32_t c[5] = { CONSOLEIO_write, sizeof(crs), (uint32_t)(uintptr_t)crs, CANARY, CANARY };
    CALL5(__HYPERVISOR_console_io, c, ret);
    check_rc("console_io write of 1 KiB", ret, 0);
    unused_unchanged("console_io: ESI and EDI (not arguments) after the call", c, 3);

    for (unsigned i = 0; i < ARRAY_SIZE(calls); i++)
        calls[i] = (xen_multicall_entry_t){ .op = __HYPERVISOR_xen_version, .result = 0xdead };
    calls[2] = (xen_multicall_entry_t){ .op = __HYPERVISOR_console_io, .args = { CONSOLEIO_write,
                                        sizeof(crs), (uint32_t)(uintptr_t)crs } };
    uint32_t m[5] = { (uint32_t)(uintptr_t)calls, ARRAY_SIZE(calls), CANARY, CANARY, CANARY };
    CALL5(__HYPERVISOR_multicall, m, ret);
    check_rc("multicall [version, version, console_io, version]", ret, 0);
    check_rc("... the console_io entry's result", (long)calls[2].result, 0);
    check_rc("... the last entry's result (a version, not 0xdead)", calls[3].result != 0xdead, 1);
    unused_unchanged("multicall: EDX, ESI and EDI (not arguments) after the call", m, 2);
}

void pvguest_main(const xen_start_info_t *start)
{
    static const struct { const char *name; void (*run)(unsigned rounds); } attacks[] = {
        { "console", attack_console }, { "text", attack_text }, { "mmu", attack_mmu },
        { "pin", attack_pin }, { "memop", attack_memop }, { "big", attack_big },
        { "argo", attack_argo }, { "spin", spin_only },
    };
    char role[16] = "victim";
    si = start;
    cmdline_get("role", role, sizeof(role));
    if (!strcmp(role, "regs")) {
        regs();
        test_pass();
        xtf_exit();
    }
    if (!strcmp(role, "victim")) {
        victim();
        test_pass();
        xtf_exit();
    }
    memset(cr_page, '\r', sizeof(cr_page));
    for (unsigned i = 0; i < ARRAY_SIZE(attacks); i++)
        if (!strcmp(role, attacks[i].name)) {
            unsigned rounds = cmdline_uint("rounds", 3);
            uint64_t t0 = time_now_ns();
            attacks[i].run(rounds);
            printf("latency: attack %s, %u rounds in %llu ms\n", role, rounds,
                   (time_now_ns() - t0) / NS_PER_MS);
            test_pass();
            xtf_exit();
        }
    test_error("unknown role '%s'", role);
    xtf_exit();
}

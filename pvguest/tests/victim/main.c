/*
 * victim - the domain an attacker must not touch: is its memory unchanged?
 *
 * It fills every spare page of its initial mapping with a pattern that
 * depends on the page and the word, takes checksums of the pattern, of its
 * page tables (read-only to it; only the hypervisor writes them) and of its
 * P2M list, then yields the CPU many times, so that the domains booted with
 * it - the hostile ones - run their attacks while it waits.  It does not
 * end while any domain booted after it still runs: an attacker checks that
 * the M2P entries of our frames never change, and they would if we ended
 * first, however long our yields had lasted.  Afterwards every word must
 * still be what it wrote and every checksum the same.  It prints its first
 * frame numbers so a log shows which frames an attacker would have had to
 * reach.  Each yield is made with known values in every register the
 * hypercall does not return in (this hypervisor, as Xen's release builds,
 * preserves all but EAX), the segment registers and an x87 register: all
 * must come back unchanged, whoever ran meanwhile.  Its CPU time, from
 * VCPUOP_get_runstate_info, must show it ran and waited.
 *
 * Its time off the CPU: it reads system time (shared_info, no hypercall)
 * after every yield and every hypercall of its own, so the gap between two
 * readings is the time it waited - the other domains' turns, and anything
 * of theirs that held the CPU past a due tick - plus one short hypercall
 * of ours.  It prints the longest gap and when it began.  Given
 * gap_us=B, every gap over B is a line "victim: off the CPU for G us from
 * T us" (T in system time, the clock every domain reads, so a test can
 * find which attack was running) and the victim fails; tests/victim_gaps.py
 * derives B from the other domains' slices (docs/attacks.md).  Gaps over
 * show_us=S (default B) and within B get the same line, for evidence; 64
 * lines of each kind at most, the rest are only counted.
 * cmdline: yields=N (default 300), gap_us=B, show_us=S (default none:
 * the longest gap is reported, not judged).
 */
#include "pvguest/lib/pvguest.h"

#define DOMAINS_MAX 128             /* hypervisor/domain/domain.h: domain ids are 0..127 */

#define SEED 0x7a11c0deu
#define AD   0x60u                  /* Accessed, Dirty: the CPU sets them as it walks */

#define PT_COPY 8                   /* page-table frames kept to name a changed entry */

static uint32_t lo, hi;             /* the patterned pages [lo, hi) */
static unsigned reg_changes, returned; /* registers found changed after a yield; yields that returned */
static uint64_t pt_copy[PT_COPY][512];

#define GAP_LINES 64                /* of each kind: gaps over the bound, and below it over show_us */

static uint64_t gap_bound = ~0ull, gap_show = ~0ull, gap_last, gap_worst, gap_worst_at;
static unsigned gaps_over, gaps_shown;

/* A reading of system time: the gap since the last one is time we did not run. */
static void gap_note(void)
{
    uint64_t now = time_now_ns(), gap = now - gap_last;
    if (gap > gap_worst) {
        gap_worst = gap;
        gap_worst_at = gap_last;
    }
    if (gap > gap_bound ? gaps_over++ < GAP_LINES : gap > gap_show && gaps_shown++ < GAP_LINES) {
        printf("victim: off the CPU for %llu us from %llu us\n", gap / 1000, gap_last / 1000);
        now = time_now_ns();        /* the line took our own time, not a wait */
    }
    gap_last = now;
}

static uint32_t pattern(uint32_t va, unsigned w)
{
    return (va * 0x9e3779b1u) ^ (w * 0x85ebca6bu) ^ SEED;
}

/* FNV-style; `ignore` masks bits of each word (the CPU's Accessed and Dirty bits in PTEs). */
static uint32_t checksum(uint32_t va, uint32_t len, uint32_t ignore)
{
    const volatile uint32_t *p = (const volatile uint32_t *)va;
    uint32_t sum = 0x12345678u;

    for (uint32_t i = 0; i < len / 4; i++)
        sum = (sum ^ (p[i] & ~ignore)) * 0x01000193u;
    return sum;
}

static void fill(void)
{
    for (uint32_t va = lo; va < hi; va += PAGE_SIZE)
        for (unsigned w = 0; w < PAGE_SIZE / 4; w++)
            ((volatile uint32_t *)va)[w] = pattern(va, w);
}

/* Words that differ from the pattern; the first bad page in *first. */
static unsigned verify(uint32_t *first)
{
    unsigned bad = 0;

    *first = 0;
    for (uint32_t va = lo; va < hi; va += PAGE_SIZE)
        for (unsigned w = 0; w < PAGE_SIZE / 4; w++)
            if (((volatile uint32_t *)va)[w] != pattern(va, w)) {
                if (!bad++)
                    *first = va;
            }
    return bad;
}

/*
 * One SCHEDOP_yield with a pattern in EDX, ESI, EDI and EBP (EBX and ECX
 * hold the arguments): which of the six came back changed, as bits.
 * EBP is the frame pointer, so it is saved and restored around it.
 */
static uint32_t yield_with_pattern(void)
{
    uint32_t changed;
    __asm__ volatile("push %%ebp\n\t"
                     "mov $0x5eed0001, %%edx\n\t"
                     "mov $0x5eed0002, %%esi\n\t"
                     "mov $0x5eed0003, %%edi\n\t"
                     "mov $0x5eed0004, %%ebp\n\t"
                     "xor %%ebx, %%ebx\n\t"                    /* SCHEDOP_yield */
                     "xor %%ecx, %%ecx\n\t"
                     "call hypercall_page + (29 * 32)\n\t"    /* sched_op */
                     "xor %%eax, %%eax\n\t"
                     "cmp $0x5eed0001, %%edx\n\tje 1f\n\tor $1, %%eax\n1:\t"
                     "cmp $0x5eed0002, %%esi\n\tje 2f\n\tor $2, %%eax\n2:\t"
                     "cmp $0x5eed0003, %%edi\n\tje 3f\n\tor $4, %%eax\n3:\t"
                     "cmp $0x5eed0004, %%ebp\n\tje 4f\n\tor $8, %%eax\n4:\t"
                     "test %%ebx, %%ebx\n\tje 5f\n\tor $16, %%eax\n5:\t"
                     "test %%ecx, %%ecx\n\tje 6f\n\tor $32, %%eax\n6:\t"
                     "pop %%ebp"
                     : "=a"(changed) : : "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
    return changed;
}

static uint32_t segs(void)          /* DS, ES, FS, GS: one byte each (RPL and index low bits) */
{
    uint32_t ds, es, fs, gs;
    __asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    return (ds & 0xff) | (es & 0xff) << 8 | (fs & 0xff) << 16 | (gs & 0xff) << 24;
}

/* A yield that checks the registers it can see; x87 is checked once, after all of them. */
static void yield(void)
{
    uint32_t before = segs(), changed = yield_with_pattern();
    if (segs() != before)
        changed |= 64;
    if (changed && !reg_changes++)
        printf("victim: registers changed across a yield: mask 0x%x (edx esi edi ebp ebx ecx segs)\n", changed);
    returned++;
    gap_note();
}

/*
 * EVTCHNOP_status of port 0 in domain dom: of another domain it is -EPERM
 * while that domain lives and -ESRCH once it has ended (or never was); of
 * ours it is an answer (hypercalls/evtchn.c, as Xen).
 */
static long status_of(unsigned dom)
{
    struct xen_evtchn_status st = { .dom = (xen_domid_t)dom, .port = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    gap_note();                     /* 128 of these between two yields */
    return rc;
}

static bool lives(unsigned dom) { return status_of(dom) == -EPERM; }     /* another domain */
static bool is_us(unsigned dom) { long rc = status_of(dom); return rc != -EPERM && rc != -ESRCH; }

/* Yield until every domain booted after us (a higher id) has ended. */
static void outlive_later_domains(void)
{
    static bool waiting[DOMAINS_MAX];
    unsigned self = 0, later = 0, left, yields = 0;

    while (self < DOMAINS_MAX && !is_us(self))
        self++;
    for (unsigned d = self + 1; d < DOMAINS_MAX; d++)
        later += waiting[d] = lives(d);
    if (!later)
        return;
    printf("victim: waiting for the %u domains booted after us to end\n", later);
    do {
        left = 0;
        for (unsigned d = self + 1; d < DOMAINS_MAX; d++)
            left += waiting[d] = waiting[d] && lives(d);
        if (left) {
            yield();
            yields++;
        }
    } while (left);
    printf("victim: they have ended (%u more yields)\n", yields);
}

static void report_gaps(void)
{
    printf("victim: longest gap %llu us from %llu us\n", gap_worst / 1000, gap_worst_at / 1000);
    if (gap_bound == ~0ull)
        return;
    printf("victim: %u gaps over the bound of %llu us\n", gaps_over, gap_bound / 1000);
    check_rc("gaps over the bound (gap_us)", gaps_over, 0);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned yields = cmdline_uint("yields", 300), bad, i;
    unsigned long bound_us = cmdline_uint("gap_us", ~0ul), show_us = cmdline_uint("show_us", bound_us);
    if (bound_us != ~0ul)
        gap_bound = bound_us * 1000ull;
    if (show_us != ~0ul)
        gap_show = show_us * 1000ull;
    uint32_t pt_len = si->nr_pt_frames * PAGE_SIZE, p2m_len = si->nr_pages * 4, first;

    gap_last = time_now_ns();       /* its first call maps shared_info: before the checksums */
    lo = ALIGN_UP(pvguest_boot_esp, PAGE_SIZE);
    hi = mm_map_end() - 64 * PAGE_SIZE;          /* the top pages are spare_page()'s */
    fill();
    uint32_t sum_data = checksum(lo, hi - lo, 0), sum_pt = checksum(si->pt_base, pt_len, AD);
    uint32_t sum_p2m = checksum(si->mfn_list, p2m_len, 0);
    for (unsigned k = 0; k < si->nr_pt_frames && k < PT_COPY; k++)
        memcpy(pt_copy[k], (const void *)(si->pt_base + k * PAGE_SIZE), PAGE_SIZE);
    printf("victim: %u pages patterned at 0x%08x-0x%08x (mfn 0x%x..), L3 mfn 0x%x, "
           "checksums %08x %08x %08x\n", (hi - lo) / PAGE_SIZE, lo, hi, mm_va_to_mfn(lo),
           mm_bootstrap_l3(), sum_data, sum_pt, sum_p2m);

    static const uint64_t x87_in = 0x40934a4000000000ull;   /* the double 1234.5625 */
    uint64_t x87_out;
    __asm__ volatile("fldl %0" : : "m"(x87_in));         /* held in st(0) across every yield */
    gap_last = time_now_ns();
    for (i = 0; i < yields; i++) {
        yield();
        if (i == yields / 2) {
            if ((bad = verify(&first)))
                printf("after %u yields: %u words changed, first in page 0x%08x\n", i, bad, first);
            gap_last = time_now_ns();                   /* verify() was our own time */
        }
    }
    outlive_later_domains();
    report_gaps();
    __asm__ volatile("fstpl %0" : "=m"(x87_out));
    if (x87_out != x87_in && !reg_changes++)
        printf("victim: st(0) changed across the yields\n");
    printf("victim: registers kept across %u yields: %s\n", returned, reg_changes ? "no" : "yes");
    if (reg_changes)
        test_fail("registers changed across %u of %u yields", reg_changes, returned);
    struct xen_vcpu_runstate_info rs;
    long rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs);
    printf("victim: CPU time: running %llu us, runnable %llu us\n", rs.time[RUNSTATE_running] / 1000,
           rs.time[RUNSTATE_runnable] / 1000);
    if (rc || !rs.time[RUNSTATE_running] || returned < yields)
        test_fail("runstate: rc %ld, running %llu ns, %u of %u yields returned", rc, rs.time[RUNSTATE_running],
                  returned, yields);
    for (unsigned k = 0, shown = 0; k < si->nr_pt_frames && k < PT_COPY; k++)
        for (unsigned e = 0; e < 512; e++) {
            uint64_t now = ((const volatile uint64_t *)(si->pt_base + k * PAGE_SIZE))[e];
            if (((now ^ pt_copy[k][e]) & ~(uint64_t)AD) && shown++ < 8)
                printf("page-table frame %u (mfn 0x%x) entry %u: 0x%llx, was 0x%llx\n", k,
                       mm_va_to_mfn(si->pt_base + k * PAGE_SIZE), e, now, pt_copy[k][e]);
        }
    bad = verify(&first);
    if (bad)
        printf("first changed page 0x%08x: word 0 is 0x%08x, was 0x%08x\n", first,
               *(volatile uint32_t *)first, pattern(first, 0));
    check_rc("words changed in the patterned pages", bad, 0);
    check_hex("checksum of the patterned pages", checksum(lo, hi - lo, 0), sum_data);
    check_hex("checksum of our page tables", checksum(si->pt_base, pt_len, AD), sum_pt);
    check_hex("checksum of our P2M list", checksum(si->mfn_list, p2m_len, 0), sum_p2m);
    printf("victim: %u yields, memory unchanged: %s\n", yields, bad ? "no" : "yes");
    test_pass();
    xtf_exit();
}

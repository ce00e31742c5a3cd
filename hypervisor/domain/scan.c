/*
 * scan.c - find the sensitive instructions this CPU will not trap, before a
 * domain first runs.
 *
 * Popek and Goldberg's condition fails on x86: a few instructions read
 * privileged state without faulting in ring 1.  Where the CPU has UMIP and
 * CPUID faulting they trap; where it has not, this scan decodes the guest's
 * code at load time and names each one (docs/untrappable.md).  It owns the
 * decision of which instructions matter (scan_untrappable(), the one place
 * that says so) and the walk over the code: recursive descent from the
 * entry point and the symbols, then a linear sweep over what descent did
 * not reach, which resynchronises one byte on after anything undecodable.
 * The bytes are the guest's and may be anything: every decode is bounded
 * by its segment's end, each byte starts at most one decode in descent and
 * one in the sweep, and the worklist has a fixed size (targets it cannot
 * hold are left to the sweep).  It never reads guest memory, allocates, or
 * decides what to do about a finding; the builder does (builder_scan.c).
 */
#include "hypervisor/domain/scan.h"
#include "hypervisor/lib.h"

#define STACK_ENTRIES(code) ((code) / 32 + 256)
#define MAP_BYTES(code) ALIGN_UP(((code) + 7) / 8, 4)

/*
 * The classification.  Reported: what reads privileged state untrapped on
 * this CPU - sgdt, sidt, sldt, smsw and str without UMIP, and cpuid without
 * CPUID faulting, unless Xen's forced-emulation prefix (ud2; .ascii "xen")
 * is right before it, which makes it trap with #UD and be emulated.  Not
 * reported: what always traps in ring 1 (the privileged instructions,
 * rdpmc with CR4.PCE clear, sysenter and syscall), and what is harmless for
 * a paravirtual guest, which knows it is not in ring 0: pushf/popf/iret
 * (its interrupt flag lives in shared_info, not in EFLAGS.IF), lar, lsl,
 * verr, verw and segment register reads (they show ring 1, as it expects),
 * far transfers and int n (the CPU checks them against descriptors the
 * hypervisor validated), and rdtsc under the default dom.tsc=native, as
 * on Xen.
 */
const char *scan_untrappable(const struct insn *in, enum insn_kind prev, const struct scan_env *env)
{
    switch (in->kind) {
    case INSN_SGDT: case INSN_SIDT: case INSN_SLDT: case INSN_SMSW: case INSN_STR:
        return env->umip_on ? NULL : "no UMIP";
    case INSN_CPUID:
        return env->cpuid_faulting_on || prev == INSN_FORCED_EMUL ? NULL : "no CPUID faulting";
    default:
        return NULL;
    }
}

const char *scan_how_name(enum scan_how how)
{
    return how == SCAN_FROM_ENTRY ? "reached from entry" : how == SCAN_FROM_SYMBOL ?
           "reached from a symbol" : "sweep";
}

static bool test(const uint8_t *map, uint32_t i) { return map[i / 8] >> (i % 8) & 1; }
static void set(uint8_t *map, uint32_t i) { map[i / 8] |= (uint8_t)(1u << (i % 8)); }

/* How many of the n bytes from bit i were not yet decoded; marks them if mark. */
static unsigned cover(struct scan *s, uint32_t i, unsigned n, bool mark)
{
    unsigned fresh = 0;
    for (unsigned k = 0; k < n; k++) {
        fresh += !test(s->seen, i + k);
        if (mark)
            set(s->seen, i + k);
    }
    return fresh;
}

/* Guest address addr's segment, offset and bit; false outside every segment. */
struct where { const struct scan_seg *seg; uint32_t off, bit; };
static bool locate(const struct scan *s, uint32_t addr, struct where *w)
{
    uint32_t base = 0;
    for (unsigned i = 0; i < s->nseg; base += s->seg[i++].len)
        if (addr - s->seg[i].vaddr < s->seg[i].len) {
            *w = (struct where){ &s->seg[i], addr - s->seg[i].vaddr, base + addr - s->seg[i].vaddr };
            return true;
        }
    return false;
}

/* Record a finding, keeping the found_max lowest addresses in order. */
static void note(struct scan *s, const struct insn *in, uint32_t addr, enum insn_kind prev,
                 enum scan_how how)
{
    const char *why = scan_untrappable(in, prev, &s->env);
    unsigned i, n = MIN(s->nfound, s->found_max);

    if (!why)
        return;
    s->nfound++;
    for (i = n; i > 0 && s->found[i - 1].addr > addr; i--)
        ;
    if (i == s->found_max)
        return;
    memmove(&s->found[i + 1], &s->found[i], (MIN(n, s->found_max - 1) - i) * sizeof(*s->found));
    s->found[i] = (struct scan_finding){ addr, *in, why, how };
}

/* The target of a relative jmp, jcc, loop or call at addr; false for other instructions. */
static bool branch_target(const struct insn *in, uint32_t addr, uint32_t *target)
{
    unsigned op = in->op;
    bool one = in->map == MAP_ONE_BYTE;

    if (!(in->map == MAP_0F && op >> 4 == 8) &&
        !(one && (op >> 4 == 7 || (op >= 0xe0 && op <= 0xe3) || (op >= 0xe8 && op <= 0xeb && op != 0xea))))
        return false;
    *target = insn_branch_target(in, addr);
    return true;
}

/* Does execution never fall through to the next instruction (ret, jmp, ud2...)? */
static bool ends_flow(const struct insn *in)
{
    unsigned op = in->op;
    return in->kind == INSN_UD2 || in->kind == INSN_IRET || in->kind == INSN_FAR_JMP ||
           in->kind == INSN_FAR_RET || (in->map == MAP_ONE_BYTE && (op == 0xc2 || op == 0xc3 ||
           op == 0xe9 || op == 0xeb || (op == 0xff && in->reg == 4)));
}

/* Put a guest address on the worklist unless it is outside the code or known. */
static void queue(struct scan *s, uint32_t addr)
{
    struct where w;

    if (!locate(s, addr, &w) || test(s->start, w.bit))
        return;
    if (s->depth == s->stack_max) {
        s->dropped++;
        return;
    }
    set(s->start, w.bit);
    s->stack[s->depth++] = addr;
}

/*
 * Decode from addr, already marked a start, until the flow ends, the code
 * stops decoding (junk, or an instruction running off its segment) or it
 * meets an instruction start already known.  Each step marks a new start,
 * so descent as a whole decodes at most one instruction per byte.
 */
static void walk(struct scan *s, uint32_t addr)
{
    enum insn_kind prev = INSN_NORMAL;
    struct where w;
    struct insn in;
    uint32_t target;

    for (bool first = true; locate(s, addr, &w) && (first || !test(s->start, w.bit));
         first = false) {
        if (decode_insn(w.seg->bytes + w.off, w.seg->len - w.off, &in) < 0)
            return;                             /* left to the sweep */
        set(s->start, w.bit);
        s->descent += cover(s, w.bit, in.len, true);
        note(s, &in, addr, prev, s->how);
        if (branch_target(&in, addr, &target))
            queue(s, target);
        if (ends_flow(&in))
            return;
        prev = in.kind;
        addr += in.len;
    }
}

static uint64_t code_bytes(const struct scan_seg *seg, unsigned nseg)
{
    uint64_t code = 0;
    for (unsigned i = 0; i < nseg; i++)
        code += seg[i].len;
    return code;
}

uint64_t scan_work_size(const struct scan_seg *seg, unsigned nseg)
{
    uint64_t code = code_bytes(seg, nseg);
    return 2 * MAP_BYTES(code) + STACK_ENTRIES(code) * sizeof(uint32_t);
}

bool scan_begin(struct scan *s, void *work, size_t size)
{
    uint64_t code = code_bytes(s->seg, s->nseg);

    if (code > UINT32_MAX || scan_work_size(s->seg, s->nseg) > size)
        return false;
    memset(work, 0, 2 * MAP_BYTES(code));
    s->seen = work;
    s->start = s->seen + MAP_BYTES(code);
    s->stack = (uint32_t *)(void *)(s->start + MAP_BYTES(code));
    s->stack_max = STACK_ENTRIES(code);
    s->code = (uint32_t)code;
    s->descent = s->sweep = s->nfound = s->dropped = s->depth = 0;
    return true;
}

void scan_seed(struct scan *s, uint32_t addr, enum scan_how how)
{
    s->how = how;
    queue(s, addr);
    while (s->depth)
        walk(s, s->stack[--s->depth]);
}

void scan_seed_symbol(void *arg, uint32_t addr)
{
    scan_seed(arg, addr, SCAN_FROM_SYMBOL);
}

/*
 * Every byte no seed reached, in address order: an instruction that decodes
 * wholly inside the gap counts (it may be code only a pointer reaches, or
 * data that happens to decode); a byte that does not is skipped, and the
 * sweep tries again at the next one.
 */
void scan_finish(struct scan *s)
{
    uint32_t base = 0;
    struct insn in;

    for (unsigned i = 0; i < s->nseg; base += s->seg[i++].len) {
        const struct scan_seg *g = &s->seg[i];
        enum insn_kind prev = INSN_NORMAL;
        for (uint32_t off = 0; off < g->len;) {
            int n = test(s->seen, base + off) ? -1 : decode_insn(g->bytes + off, g->len - off, &in);
            if (n > 0 && cover(s, base + off, (unsigned)n, false) == (unsigned)n) {
                s->sweep += cover(s, base + off, (unsigned)n, true);
                note(s, &in, g->vaddr + off, prev, SCAN_FROM_SWEEP);
                prev = in.kind;
                off += (uint32_t)n;
            } else {
                prev = INSN_NORMAL;
                off++;
            }
        }
    }
}

/*
 * harmless - the untrappable instructions left untrapped hurt only their guest.
 *
 * Some x86 instructions read or change privileged state without faulting
 * outside ring 0 (Robin and Irvine, USENIX Security 2000).  Hardware makes
 * a few of them trap here (UMIP, CPUID faulting, CR4.TSD, CR4.PCE); the
 * rest run in ring 1 unseen.  They are harmless by design: what they
 * reveal is the guest's own, what they change is dropped or is the
 * guest's own, and every transfer they make obeys descriptors the
 * hypervisor checked.  So at worst they break the guest that ran them.
 * Each group below runs them in ring 1 (some in ring 3 too) and prints
 * what it saw as check lines; a victim domain runs beside us untouched.
 *
 *  - pushf/popf/iret: the real IF and IOPL are the hypervisor's.  In ring
 *    1 with IOPL 0 the CPU ignores popf's and iret's IF and IOPL bits
 *    (and iret's VM) without a fault, so pushf shows IF=1, IOPL=0
 *    whatever the guest did.  The guest's interrupt flag is virtual: its
 *    vcpu_info's evtchn_upcall_mask, which neither instruction touches;
 *    events still arrive after "popf IF=0".  iret to a ring-0 CS is #GP;
 *    with NT set it is a task return through the hypervisor's TSS, whose
 *    back link is 0, so #TS.  popf may set DF, AC and NT, but every entry
 *    to the hypervisor clears NT and TF (gates do) and DF (cld), so a
 *    hypercall made with them set still works.
 *  - lar/lsl/verr/verw: they show what our selectors are, the limits the
 *    hypervisor gave them (0xF67FFFFF, DESC_TOP_LIMIT: the end of the M2P,
 *    below the hypervisor) and DPL 1; on every DPL-0 selector of the
 *    hypervisor and on selectors naming nothing they say "no" (ZF=0).
 *  - segment registers: mov and push from them show RPL 1 (0xe019); a load
 *    of a DPL-0 selector by mov, pop or lfs is #GP(selector), as is a
 *    ring-3 stack selector into SS from ring 1.
 *  - far call/jmp/ret: into the hypervisor's code, its TSSs (a task
 *    switch) or its LDT descriptor is #GP, since they are DPL 0; a far
 *    jump into ring 3 code is #GP too (only gates change ring).  Our own
 *    code selector works.  Gates: the descriptor checks refuse a gate to
 *    any hypervisor selector, and raise DPL 0 to 1, so the gate we may
 *    install leads to ring 1 at most: from ring 3 it enters our own
 *    kernel's code, and a conforming segment runs at the caller's CPL.
 *  - int n: every real IDT gate but 0x82, #BP and #OF is DPL 0, so
 *    "int $8" (the hypervisor's double-fault task gate), "int $2" (NMI) and
 *    "int $0x20" (the PIT's IRQ 0) are #GP(n*8+2) for us, never the
 *    hypervisor's handler; icebp is a #DB of our own (QEMU's TCG makes it
 *    #UD, ours too).  pvguest/tests/softint shows the virtual IDT's DPL.
 *  - sysenter/syscall: SYSENTER_CS is 0 (#GP) and EFER.SCE clear (#UD), so
 *    both fault to our own handler, never into ring 0.
 *  - mov to SS defers a #DB over the next instruction; if that is a
 *    hypercall the #DB may arrive in ring 0 (CVE-2018-8897): the
 *    hypervisor must ignore it.  Printed as "outcome ..." because
 *    emulators differ; checked: the hypercall's result, and that we live.
 *  - rdtsc (dom.tsc=native): the real TSC, the same counter the hypervisor
 *    stamps vcpu_time_info with, monotonic, and 10 ms of the hypervisor's
 *    timer is 10 ms of it by the published mul/shift (loosely: never
 *    less, under 10 s however loaded the host).  Time is no secret here:
 *    the guest computes it from the same numbers.
 * With "vm86=1" an iret with VM=1 is tried too (see iret_vm()): a CPU
 * ignores VM outside ring 0, QEMU's TCG does not, and the hypervisor must
 * then halt this domain alone.  A "check" line per fact; "Test result:"
 * last.
 */
#include "pvguest/lib/pvguest.h"

/* The hypervisor's own selectors (arch/x86/layout.h, desc.c), every one DPL 0. */
#define HV_CS     0xe008u               /* its code */
#define HV_DS     0xe010u               /* its data */
#define HV_TSS    0xe038u               /* its TSS, busy: TR names it */
#define HV_DF_TSS 0xe040u               /* the double-fault task's TSS */
#define HV_LDT    0xe048u               /* the running domain's LDT descriptor */
#define HV_TEXT   0xFC100000u           /* where its code is */
static const uint32_t hv_sels[] = { HV_CS, HV_DS, HV_TSS, HV_DF_TSS, HV_LDT };
/* Selectors naming nothing: null, the null entry opening the hypervisor's page, the last entry. */
static const uint32_t no_sels[] = { 0x0000, 0xe000, 0xfff8 };

#define EFLAGS_IOPL 0x3000u
#define EFLAGS_NT   0x4000u
#define EFLAGS_DF   0x400u
#define EFLAGS_AC   0x40000u
#define EFLAGS_VM   0x20000u
#define GP 13
#define TS 10
#define UD 6
#define MS NS_PER_MS

/* ---- probes: one instruction each, with what it reads in globals ------- */

static uint32_t probe_sel, probe_value, flags_seen;
static struct { uint32_t off; uint16_t sel; } __attribute__((packed)) probe_far;

PROBE(p_pushf, "", "pushfl\n\tpopl (%[o])", : [o] "r"(&flags_seen) : "memory")
PROBE(p_popf, "pushl %[v]", "popfl\n\tpushfl\n\tpopl (%[o])",
      : [v] "m"(probe_value), [o] "r"(&flags_seen) : "memory", "cc")
PROBE_STACK(p_iret, "pushl %[fl]\n\tpushl %[cs]\n\tpushl $2f", "iret",
            : [fl] "m"(probe_value), [cs] "m"(probe_sel) : "edx", "memory", "cc")
PROBE_STACK(p_iret_nt, "pushfl\n\torl $0x4000, (%%esp)\n\tpopfl\n\t"
            "pushfl\n\tpushl %%cs\n\tpushl $2f", "iret", : : "edx", "memory", "cc")
PROBE(p_mov_es, "movl %[s], %%eax", "movl %%eax, %%es", : [s] "m"(probe_sel) : "eax")
PROBE(p_mov_fs, "movl %[s], %%eax", "movl %%eax, %%fs", : [s] "m"(probe_sel) : "eax")
PROBE(p_mov_gs, "movl %[s], %%eax", "movl %%eax, %%gs", : [s] "m"(probe_sel) : "eax")
PROBE(p_mov_ss, "movl %[s], %%eax", "movl %%eax, %%ss", : [s] "m"(probe_sel) : "eax")
PROBE_STACK(p_pop_es, "pushl %[s]", "popl %%es", : [s] "m"(probe_sel) : "edx")
PROBE(p_lfs, "", "lfs %[f], %%eax", : [f] "m"(probe_far) : "eax")
PROBE(p_ljmp, "", "ljmp *%[f]", : [f] "m"(probe_far))
PROBE(p_lcall, "", "lcall *%[f]", : [f] "m"(probe_far) : "eax", "ecx", "edx", "memory")
PROBE(p_ljmp_here, "movl $2f, (%[p])\n\tmovw %%cs, 4(%[p])", "ljmp *(%[p])",
      : [p] "r"(&probe_far) : "memory")
PROBE_STACK(p_lret, "pushl %[s]\n\tpushl $2f", "lret", : [s] "m"(probe_sel) : "edx", "memory")
PROBE(p_int2, "", "int $2")
PROBE(p_int8, "", "int $8")
PROBE(p_int20, "", "int $0x20")
PROBE(p_icebp, "", ".byte 0xf1\t/* icebp, int1 */")
PROBE(p_sysenter, "", "sysenter", : : "ecx", "edx")
PROBE(p_syscall, "", "syscall", : : "ecx", "edx")

/* What pushf says now, in ring 1. */
static uint32_t pushf(void)
{
    run_probe(1, p_pushf);
    return flags_seen;
}

static uint32_t push_cs(void)
{
    uint32_t v;
    __asm__ __volatile__("pushl %%cs\n\tpopl %0" : "=r"(v));
    return v & 0xffff;
}

/* ZF from verr/verw: may we read (write) through sel? */
static uint32_t verr(uint32_t sel)
{
    uint8_t ok;
    __asm__ __volatile__("verr %w1; setz %0" : "=q"(ok) : "r"(sel) : "cc");
    return ok;
}

static uint32_t verw(uint32_t sel)
{
    uint8_t ok;
    __asm__ __volatile__("verw %w1; setz %0" : "=q"(ok) : "r"(sel) : "cc");
    return ok;
}

/*
 * Run probe in ring and check: exactly one exception, `vector` with
 * `error`, at the instruction (or, for a trap, after it).
 */
static void expect(const char *what, unsigned ring, void (*probe)(void), unsigned vector,
                   uint32_t error, bool trap)
{
    run_probe(ring, probe);
    printf("ring %u %s: %s error 0x%x at %04x:%08x\n", ring, what, trap_name(exinfo.vector),
           exinfo.error, exinfo.cs, exinfo.eip);
    check(exinfo.count << 8 | exinfo.vector, 1 << 8 | vector, "ring %u %s: one %s", ring, what,
          trap_name(vector));
    check_hex("  its error code", exinfo.error, error);
    check_hex(trap ? "  eip after the instruction" : "  eip at the instruction", exinfo.eip,
              trap ? probe_at.next : probe_at.at);
}

/* Run probe in ring and check that nothing faulted. */
static void lands(const char *what, unsigned ring, void (*probe)(void))
{
    run_probe(ring, probe);
    check(exinfo.count, 0, "ring %u %s: no exception", ring, what);
}

/* ---- pushf, popf and the virtual interrupt flag ----------------------- */

static void flags_are_the_hypervisors(const char *what, uint32_t fl)
{
    printf("%s: eflags 0x%08x\n", what, fl);
    check_hex(what, fl & (EFLAGS_IF | EFLAGS_IOPL), EFLAGS_IF);
}

static volatile unsigned timer_events;
static void on_timer(unsigned port, void *arg)
{
    (void)port, (void)arg;
    timer_events++;
}

/* After popf cleared IF, with events unmasked: does a timer event still arrive? */
static void events_still_arrive(void)
{
    uint64_t deadline;

    set_event_mask(0);
    probe_value = 0x2;                          /* IF=0 */
    run_probe(1, p_popf);
    timer_events = 0;
    deadline = time_now_ns() + 1 * MS;
    check_rc("set_timer_op 1 ms ahead", time_set_timer(deadline), 0);
    while (!timer_events && time_now_ns() < deadline + 5000 * MS)
        ;
    set_event_mask(1);
    check(timer_events > 0, 1, "after popf IF=0 the timer's upcall still arrives");
    flags_are_the_hypervisors("pushf after the upcall: IF=1, IOPL=0", pushf());
}

static void virtual_if(void)
{
    set_event_mask(1);
    flags_are_the_hypervisors("pushf, events masked: IF=1, IOPL=0", pushf());
    set_event_mask(0);
    flags_are_the_hypervisors("pushf, events unmasked: IF=1, IOPL=0", pushf());

    probe_value = EFLAGS_IOPL | 0x2;            /* IOPL=3, IF=0 */
    run_probe(1, p_popf);
    flags_are_the_hypervisors("popf IOPL=3 IF=0, then pushf: IF=1, IOPL=0", flags_seen);
    check_rc("popf IF=0 leaves the virtual IF (upcall mask 0)", event_mask(), 0);
    set_event_mask(1);
    probe_value = EFLAGS_IF | 0x2;
    run_probe(1, p_popf);
    check_rc("popf IF=1 leaves the virtual IF (upcall mask 1)", event_mask(), 1);

    probe_value = EFLAGS_IOPL | 0x2;
    run_probe(3, p_pushf);
    flags_are_the_hypervisors("ring 3 pushf: IF=1, IOPL=0", flags_seen);
    run_probe(3, p_popf);
    flags_are_the_hypervisors("ring 3 popf IOPL=3 IF=0, then pushf: IF=1, IOPL=0", flags_seen);
    check_rc("ring 3 popf leaves the virtual IF (upcall mask 1)", event_mask(), 1);
    events_still_arrive();
}

/* popf DF, AC and NT, then a hypercall: they are ours, and the hypervisor runs without them. */
static void flags_into_a_hypercall(void)
{
    static const char msg[] = "console_io under DF, AC and NT: this line reads forwards\n";
    uint32_t fl = 0x2 | EFLAGS_DF | EFLAGS_AC | EFLAGS_NT, after;
    long rc;

    console_flush();
    __asm__ __volatile__("pushl %[fl]\n\tpopfl\n\t"
                         "int $0x82\n\t"
                         "pushfl\n\tpopl %[after]\n\t"
                         "pushl $2\n\tpopfl"
                         : "=a"(rc), [after] "=r"(after)
                         : "a"(__HYPERVISOR_console_io), "b"(CONSOLEIO_write),
                           "c"(sizeof(msg) - 1), "d"(msg), [fl] "r"(fl)
                         : "memory", "cc");
    check_rc("console_io under DF, AC and NT", rc, 0);
    check_hex("DF, AC and NT still ours after it", after & (EFLAGS_DF | EFLAGS_AC | EFLAGS_NT),
              EFLAGS_DF | EFLAGS_AC | EFLAGS_NT);
}

/* ---- the iret instruction ------------------------------------------------ */

static void iret_instruction(void)
{
    set_event_mask(0);
    probe_sel = FLAT_RING1_CS;
    probe_value = EFLAGS_IOPL | 0x2;            /* IOPL=3, IF=0 */
    lands("iret to 0xe019 with IOPL=3 IF=0", 1, p_iret);
    flags_are_the_hypervisors("iret IOPL=3 IF=0, then pushf: IF=1, IOPL=0", pushf());
    check_rc("iret IF=0 leaves the virtual IF (upcall mask 0)", event_mask(), 0);
    set_event_mask(1);
    probe_value = EFLAGS_IF | 0x2;
    lands("iret to 0xe019 with IF=1", 1, p_iret);
    check_rc("iret IF=1 leaves the virtual IF (upcall mask 1)", event_mask(), 1);

    probe_sel = HV_CS;
    probe_value = 0x2;
    expect("iret to the hypervisor's cs 0xe008", 1, p_iret, GP, HV_CS, false);
    run_probe(1, p_iret_nt);
    printf("ring 1 iret with NT set (a task return): %s error 0x%x\n", trap_name(exinfo.vector),
           exinfo.error);
    check(exinfo.count << 8 | exinfo.vector, 1 << 8 | TS,
          "ring 1 iret with NT set: one #TS (the hypervisor's TSS links to no task)");
    check_hex("  eip at the iret", exinfo.eip, probe_at.at);
    check_hex("  NT is gone after our handler's return", pushf() & EFLAGS_NT, 0);
}

/* ---- lar, lsl, verr, verw -------------------------------------------------- */

static void visible(uint32_t sel, unsigned dpl, bool writable)
{
    uint32_t ar = desc_lar(sel);

    printf("selector %04x: lsl 0x%08x lar 0x%08x verr %u verw %u\n", sel, desc_lsl(sel), ar,
           verr(sel), verw(sel));
    check_hex("  lsl: the limit below the hypervisor", desc_lsl(sel), DESC_TOP_LIMIT);
    check(ar >> 13, 4 | dpl, "lar %04x: present, DPL %u", sel, dpl);
    check(verr(sel) << 1 | verw(sel), 2 | writable, "verr, verw %04x: readable, %s", sel,
          writable ? "writable" : "not writable");
}

/* What lsl, lar, verr and verw show of sel together: 0 when none of them sees it. */
static uint32_t seen(uint32_t sel)
{
    return desc_lsl(sel) | desc_lar(sel) | verr(sel) | verw(sel);
}

static void descriptors(void)
{
    visible(FLAT_RING1_CS, 1, false);
    visible(FLAT_RING1_DS, 1, true);
    visible(FLAT_RING3_CS, 3, false);
    visible(FLAT_RING3_DS, 3, true);
    for (unsigned i = 0; i < ARRAY_SIZE(hv_sels); i++)
        check(seen(hv_sels[i]), 0, "ring 1 lsl, lar, verr, verw %04x: nothing (ZF=0)", hv_sels[i]);
    for (unsigned i = 0; i < ARRAY_SIZE(no_sels); i++)
        check(seen(no_sels[i]), 0, "ring 1 lsl, lar, verr, verw %04x: nothing (ZF=0)", no_sels[i]);
    check_hex("ring 3 lsl 0xe033", run_in_ring3(desc_lsl, FLAT_RING3_DS), DESC_TOP_LIMIT);
    check_rc("ring 3 verw 0xe033: writable", run_in_ring3(verw, FLAT_RING3_DS), 1);
    check(run_in_ring3(seen, FLAT_RING1_DS), 0,
          "ring 3 lsl, lar, verr, verw e021 (DPL 1): nothing (ZF=0)");
    check(run_in_ring3(seen, HV_CS), 0, "ring 3 lsl, lar, verr, verw e008: nothing (ZF=0)");
}

/* ---- segment registers ----------------------------------------------------- */

/* A load that faulted changed nothing; one that did not, we undo. */
static void reload_segments(void)
{
    __asm__ __volatile__("movl %0, %%es\n\tmovl %1, %%fs\n\tmovl %1, %%gs"
                         : : "r"(FLAT_RING1_DS), "r"(0) : "memory");
}

static void load_faults(const char *what, unsigned ring, void (*probe)(void), uint32_t sel)
{
    probe_sel = sel;
    probe_far.sel = sel;
    expect(what, ring, probe, GP, sel & ~3u, false);
    if (ring == 1)
        reload_segments();
}

static uint32_t ring3_cs(uint32_t unused)
{
    (void)unused;
    return get_cs() << 16 | get_ss();
}

static void segment_registers(void)
{
    check_hex("mov %cs: RPL 1", get_cs(), FLAT_RING1_CS);
    check_hex("push %cs: RPL 1", push_cs(), FLAT_RING1_CS);
    check_hex("mov %ss: RPL 1", get_ss(), FLAT_RING1_SS);
    check_hex("ring 3 mov %cs, %ss: RPL 3", run_in_ring3(ring3_cs, 0),
              FLAT_RING3_CS << 16 | FLAT_RING3_SS);
    load_faults("mov 0xe010 to %es", 1, p_mov_es, HV_DS);
    load_faults("mov 0xe010 to %fs", 1, p_mov_fs, HV_DS);
    load_faults("mov 0xe011 (RPL 1) to %gs", 1, p_mov_gs, HV_DS | 1);
    load_faults("mov 0xe010 to %ss", 1, p_mov_ss, HV_DS);
    load_faults("mov 0xe008 to %es", 1, p_mov_es, HV_CS);
    load_faults("mov 0xe038 (its TSS) to %fs", 1, p_mov_fs, HV_TSS);
    load_faults("pop 0xe010 to %es", 1, p_pop_es, HV_DS);
    load_faults("lfs of 0xe010:0", 1, p_lfs, HV_DS);
    load_faults("mov 0xe033 (ring 3) to %ss", 1, p_mov_ss, FLAT_RING3_SS);
    load_faults("mov 0xe010 to %es", 3, p_mov_es, HV_DS);
    check_hex("after all that, %ss is still 0xe021", get_ss(), FLAT_RING1_SS);
}

/* ---- far call, jmp, ret ---------------------------------------------------- */

static void far_faults(const char *what, unsigned ring, void (*probe)(void), uint32_t sel,
                       uint32_t off)
{
    probe_far.sel = sel;
    probe_far.off = off;
    probe_sel = sel;
    expect(what, ring, probe, GP, sel & ~3u, false);
}

static void far_transfers(void)
{
    far_faults("ljmp to the hypervisor's code 0xe008", 1, p_ljmp, HV_CS, HV_TEXT);
    far_faults("lcall to the hypervisor's code 0xe008", 1, p_lcall, HV_CS, HV_TEXT);
    far_faults("ljmp to its TSS 0xe038 (a task switch)", 1, p_ljmp, HV_TSS, 0);
    far_faults("lcall to the double-fault TSS 0xe040", 1, p_lcall, HV_DF_TSS, 0);
    far_faults("ljmp to its LDT descriptor 0xe048", 1, p_ljmp, HV_LDT, 0);
    far_faults("ljmp to ring 3 code 0xe02b", 1, p_ljmp, FLAT_RING3_CS, HV_TEXT);
    far_faults("lret to the hypervisor's code 0xe008", 1, p_lret, HV_CS, 0);
    far_faults("ljmp to the hypervisor's code 0xe008", 3, p_ljmp, HV_CS, HV_TEXT);
    far_faults("lcall to ring 1 code 0xe019", 3, p_lcall, FLAT_RING1_CS, HV_TEXT);
    lands("ljmp to our own 0xe019", 1, p_ljmp_here);
    check_hex("lcall to our own 0xe019 runs there", desc_call_gate(FLAT_RING1_CS), FLAT_RING1_CS);
    probe_sel = FLAT_RING1_CS;
    lands("lret to our own 0xe019", 1, p_lret);
}

/*
 * Our LDT: a flat code segment and a conforming one written with DPL 0
 * (raised to 1), a DPL 3 gate to the first, and a spare slot.
 */
enum { L_CODE0, L_CONF0, L_GATE, L_SPARE, NR_SLOTS };
#define LSEL(slot, rpl) ((slot) * 8 + 4 + (rpl))
#define DESC_CONFORMING 0x4
static uint64_t ldt[512] __attribute__((aligned(4096)));

static void gates(void)
{
    uint32_t target = (uint32_t)(uintptr_t)desc_gate_target;
    uint64_t ma = mm_ma_of(&ldt[L_SPARE]);

    ldt[L_CODE0] = desc_flat(DESC_CODE(0));
    ldt[L_CONF0] = desc_flat(DESC_CODE(0) | DESC_CONFORMING);
    ldt[L_GATE] = desc_gate(LSEL(L_CODE0, 0), target, DESC_CALLGATE(3));
    check_rc("map our LDT page read-only", mm_map_rw(ldt, false), 0);
    check_rc("SET_LDT: DPL 0 code, DPL 0 conforming code, a gate to the first",
             mm_ext(MMUEXT_SET_LDT, (uint32_t)(uintptr_t)ldt, NR_SLOTS), 0);
    check(desc_lar(LSEL(L_CODE0, 1)) >> 13, 4 | 1, "lar %04x: our DPL 0 code is DPL 1",
          LSEL(L_CODE0, 1));
    check(desc_lar(LSEL(L_CONF0, 1)) >> 13, 4 | 1, "lar %04x: our DPL 0 conforming code is DPL 1",
          LSEL(L_CONF0, 1));
    check_rc("update_descriptor: a call gate to 0xe008",
             HYPERVISOR_update_descriptor(ma, desc_gate(HV_CS, HV_TEXT, DESC_CALLGATE(3))), -EINVAL);
    check_rc("update_descriptor: a call gate to the TSS 0xe038",
             HYPERVISOR_update_descriptor(ma, desc_gate(HV_TSS, 0, DESC_CALLGATE(3))), -EINVAL);
    check_rc("update_descriptor: a DPL 0 call gate to 0xe010",
             HYPERVISOR_update_descriptor(ma, desc_gate(HV_DS, 0, DESC_CALLGATE(0))), -EINVAL);
    check_hex("so the spare slot is still empty", desc_lar(LSEL(L_SPARE, 1)), 0);
    check_hex("ring 1 lcall through our gate: our code, ring 1",
              desc_call_gate(LSEL(L_GATE, 1)), LSEL(L_CODE0, 1));
    check_hex("ring 3 lcall through our gate: our own kernel's code, ring 1",
              run_in_ring3(desc_call_gate, LSEL(L_GATE, 3)), LSEL(L_CODE0, 1));
    check_hex("ring 3 lcall to our conforming code: it runs in ring 3",
              run_in_ring3(desc_call_gate, LSEL(L_CONF0, 3)), LSEL(L_CONF0, 3));
}

/* ---- int n, sysenter, syscall ---------------------------------------------- */

static void software_interrupts(void)
{
    expect("int $8 (the hypervisor's #DF task gate)", 1, p_int8, GP, 8 * 8 + 2, false);
    expect("int $2 (NMI)", 1, p_int2, GP, 2 * 8 + 2, false);
    expect("int $0x20 (the PIT's IRQ 0)", 1, p_int20, GP, 0x20 * 8 + 2, false);
    expect("int $0x20 (the PIT's IRQ 0)", 3, p_int20, GP, 0x20 * 8 + 2, false);
    run_probe(1, p_icebp);
    printf("ring 1 icebp: %s at %04x:%08x\n", trap_name(exinfo.vector), exinfo.cs, exinfo.eip);
    check(exinfo.count == 1 && ((exinfo.vector == 1 && exinfo.eip == probe_at.next) ||
                                (exinfo.vector == UD && exinfo.eip == probe_at.at)), 1,
          "ring 1 icebp: one #DB after it (or #UD at it, on QEMU), to our handler");
}

static void fast_system_calls(void)
{
    struct cpuid_regs r;
    bool sep;

    xen_cpuid(1, 0, &r);
    sep = r.edx & (1u << 11);
    printf("cpuid: %s\n", sep ? "SEP (sysenter): SYSENTER_CS 0 makes it #GP(0)" :
                                "no SEP: sysenter is #UD");
    expect("sysenter", 1, p_sysenter, sep ? GP : UD, 0, false);
    expect("sysenter", 3, p_sysenter, sep ? GP : UD, 0, false);
    expect("syscall", 1, p_syscall, UD, 0, false);
    expect("syscall", 3, p_syscall, UD, 0, false);
}

/* ---- mov to %ss, then a hypercall --------------------------------------------- */

static uint16_t ss_sel = FLAT_RING1_SS;

/* tf: set TF first.  The #DB that mov %ss defers lands after the hypercall, or in ring 0. */
static long movss_hypercall(uint32_t tf)
{
    long rc;

    __asm__ __volatile__("testl %[tf], %[tf]\n\t"
                         "jz 1f\n\t"
                         "pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n"
                         "1:\tmovw %[ss], %%ss\n\t"
                         "int $0x82\n\t"
                         "nop"
                         : "=a"(rc)
                         : "a"(__HYPERVISOR_xen_version), "b"(XENVER_version), "c"(0),
                           [tf] "r"(tf), [ss] "m"(ss_sel)
                         : "memory", "cc");
    return rc;
}

static bool on_db(struct trap_frame *f)
{
    (void)f;
    return true;                                /* trap_handle cleared TF */
}

static void movss_case(const char *what, uint32_t tf)
{
    long want = HYPERVISOR_xen_version(XENVER_version, NULL), rc;

    exinfo_clear();
    rc = movss_hypercall(tf);
    printf("outcome mov %%ss then int $0x82, %s: %u #DB%s", what, exinfo.count,
           exinfo.count ? "" : "\n");
    if (exinfo.count)
        printf(", the last at %04x:%08x\n", exinfo.cs, exinfo.eip);
    check(rc, want, "mov %%ss then xen_version, %s: its result", what);
    check_hex("  TF clear again", pushf() & EFLAGS_TF, 0);
}

static void movss_deferred_db(void)
{
    trap_set_hook(1, on_db);
    movss_case("TF set", 1);
    check_rc("set_debugreg 0: a watchpoint on the selector mov %ss reads",
             HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)&ss_sel), 0);
    check_rc("set_debugreg 7: enable it (read/write, 2 bytes)",
             HYPERVISOR_set_debugreg(7, 0x1 | 3u << 16 | 1u << 18), 0);
    movss_case("watchpoint", 0);
    check_rc("set_debugreg 7: off", HYPERVISOR_set_debugreg(7, 0), 0);
    trap_set_hook(1, NULL);
}

/* ---- rdtsc ------------------------------------------------------------------- */

static uint64_t tsc3;
static uint32_t ring3_rdtsc(uint32_t unused)
{
    (void)unused;
    tsc3 = rdtsc();
    return 0;
}

static void tsc(void)
{
    xen_vcpu_time_info_t a, b;
    uint64_t r0, r1, prev, now, ns;
    unsigned back = 0, blocks;
    int64_t skew;

    time_record(&a);
    r0 = rdtsc();
    blocks = time_sleep_ns(10 * MS);            /* the hypervisor's timer decides */
    time_record(&b);
    r1 = rdtsc();
    ns = time_tsc_to_ns(r1 - r0);
    printf("rdtsc: 0x%llx, then 0x%llx after %u block(s) for 10 ms: %llu us by mul/shift; "
           "records at 0x%llx and 0x%llx\n", r0, r1, blocks, ns / 1000, a.tsc_timestamp,
           b.tsc_timestamp);
    check(a.tsc_timestamp <= r0 && r0 <= b.tsc_timestamp && b.tsc_timestamp <= r1, 1,
          "rdtsc and the hypervisor's stamps read one counter, in order");
    check(ns >= 10 * MS && ns < 10000 * MS, 1, "10 ms of its timer is 10 ms (to 10 s) of our TSC");
    skew = (int64_t)(b.system_time - a.system_time) -
           (int64_t)time_tsc_to_ns(b.tsc_timestamp - a.tsc_timestamp);
    check(skew >= -1000 && skew <= 1000, 1,
          "the records' system times differ by their stamps' TSC difference (to 1 us)");
    prev = rdtsc();
    for (unsigned i = 0; i < 100000; i++, prev = now)
        back += (now = rdtsc()) < prev;
    check_rc("100000 rdtsc: steps backwards", back, 0);
    run_in_ring3(ring3_rdtsc, 0);
    check(prev <= tsc3 && tsc3 <= rdtsc(), 1, "ring 3 rdtsc reads the same counter");
}

/*
 * With "vm86=1": iret with VM=1.  A CPU loads VM from an iret frame only
 * in ring 0, so in ring 1 it returns to protected mode as the frame says:
 * to CS 0 that is #GP(0), to 0xe019 it lands with VM clear.  QEMU's TCG
 * loads VM in any ring and enters virtual-8086 mode at 0000:(the low 16
 * bits of EIP) instead, where the first fault enters the hypervisor with
 * a frame whose CS is 0, as if from ring 0; it must halt us, and only us.
 */
static void iret_vm(void)
{
    printf("iret to cs 0 with VM=1\n");
    console_flush();
    probe_sel = 0;
    probe_value = EFLAGS_VM | 0x2;
    expect("iret to cs 0 with VM=1", 1, p_iret, GP, 0, false);
    probe_sel = FLAT_RING1_CS;
    lands("iret to 0xe019 with VM=1", 1, p_iret);
    check_hex("iret VM=1: VM ignored, still protected mode, cs 0xe019", get_cs(), FLAT_RING1_CS);
    check_hex("  and VM clear", pushf() & EFLAGS_VM, 0);
}

void pvguest_main(const xen_start_info_t *si)
{
    long port;

    (void)si;
    traps_init();
    if ((port = evtchn_init()) < 0 || (port = evtchn_bind_virq(VIRQ_TIMER, on_timer, NULL)) < 0) {
        test_error("VIRQ_TIMER: %ld", port);
        xtf_exit();
    }
    virtual_if();
    flags_into_a_hypercall();
    iret_instruction();
    if (cmdline_uint("vm86", 0))
        iret_vm();
    descriptors();
    segment_registers();
    far_transfers();
    gates();
    software_interrupts();
    fast_system_calls();
    movss_deferred_db();
    tsc();
    printf("harmless: every instruction ran; we are alive\n");
    test_pass();
    xtf_exit();
}

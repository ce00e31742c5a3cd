/*
 * traps.c - the hostile-cpu guest's cases on the trap table, callbacks
 * and the kernel stack, iret's flags, debug registers, the FPU switch,
 * the failsafe callback and the CPU's largest push (cases 15-24, 47 and
 * 60 of main.c's list).  Each refusal expects Xen's error value;
 * hypercalls/differences.md lists where we refuse more on purpose.
 */
#include "pvguest/tests/hostile-cpu/hostile_cpu.h"

/* ---- 15-19: the trap table, callbacks and the kernel stack ------------------- */

PROBE(p_int3, "", "int3", :)
static const char ring3_text[] = "RING3 HYPERCALL RAN\n";
PROBE(p_int82_r3, "", "int $0x82", : "a"(__HYPERVISOR_console_io), "b"(CONSOLEIO_write),
      "c"(sizeof(ring3_text) - 1), "d"(ring3_text) : "memory")
PROBE(p_int0e, "", "int $0x0e", :)
/* The iret hypercall made from ring 3, with a frame that would return to ring 1. */
PROBE_STACK(p_iret_r3, "pushl $0x202\n\tpushl %[cs]\n\tpushl $2f\n\tpushl $0", "int $0x82",
            : [cs] "i"(FLAT_RING1_CS), "a"(__HYPERVISOR_iret) : "edx", "memory")
PROBE(p_int0d, "", "int $0x0d", :)
PROBE(p_int80, "xorl %%eax, %%eax", "int $0x80", : : "eax")

bool int3_reaches_us(void)
{
    run_probe(1, p_int3);
    return exinfo.count == 1 && exinfo.vector == 3;
}

void case_trap_selectors(void)
{
    static const struct { uint16_t cs; long rc; const char *what; } sel[] = {
        { 0xe008, -EPERM, "the hypervisor's code 0xe008" }, { 0xe018, -EPERM, "0xe018 (ring 1's code, RPL 0)" },
        { SEL(S_CODE1, 0), -EPERM, "our GDT's code, RPL 0" }, { 0, -EINVAL, "the null selector" },
        { 3, -EINVAL, "null with RPL 3" }, { FLAT_RING1_DS, -EINVAL, "a data selector (0xe021)" },
        { 0xfffb, -EINVAL, "0xfffb (the hypervisor's part of the GDT)" },
        { LDT_SEL(1, 1), -EINVAL, "an LDT selector, with no LDT" },
    };
    uint32_t stub = trap_stub(3);
    for (unsigned i = 0; i < ARRAY_SIZE(sel); i++)
        ck(trap_set(3, 3, sel[i].cs, stub), sel[i].rc, "set_trap_table: #BP handler at %s", sel[i].what);
    ck(trap_set(3, 3, FLAT_RING1_CS, HOLE), -EINVAL, "set_trap_table: #BP handler at 0x%08x", HOLE);
    ck(trap_set(3, 3, FLAT_RING1_CS, HYPERVISOR_VIRT_START), -EINVAL, "set_trap_table: #BP handler at 0x%08x",
       HYPERVISOR_VIRT_START);
    ck(int3_reaches_us(), 1, "int3 still reaches our handler");
    ck(exinfo.cs, FLAT_RING1_CS, "... from ring 1");
}

static struct xen_trap_info many[1100];

void case_trap_table_memory(void)
{
    uint32_t page = spare_page(12), next = spare_page(11);
    uint64_t pte;
    struct xen_trap_info *t = (struct xen_trap_info *)(page + PAGE_SIZE - 2 * sizeof(*t));

    ck(HYPERVISOR_set_trap_table((struct xen_trap_info *)HOLE), -EFAULT, "set_trap_table from the hole");
    ck(HYPERVISOR_set_trap_table((struct xen_trap_info *)unmapped_va()), -EFAULT, "set_trap_table from an unmapped page");
    pt_lookup(next, &pte);
    ck(HYPERVISOR_update_va_mapping(next, 0, UVMF_INVLPG), 0, "unmap the page after a table's first 2 entries");
    t[0] = (struct xen_trap_info){ 3, 3, FLAT_RING1_CS, trap_stub(3) };
    t[1] = (struct xen_trap_info){ 4, 3, FLAT_RING1_CS, trap_stub(4) };
    ck(HYPERVISOR_set_trap_table(t), -EFAULT, "set_trap_table running into the unmapped page");
    ck(HYPERVISOR_update_va_mapping(next, pte, UVMF_INVLPG), 0, "map it back");
    for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
        many[i] = (struct xen_trap_info){ 3, 3, FLAT_RING1_CS, trap_stub(3) };
    ck(HYPERVISOR_set_trap_table(many), -E2BIG, "set_trap_table of %u entries", (unsigned)ARRAY_SIZE(many));
    ck(int3_reaches_us(), 1, "int3 still reaches our handler");
}

/* XSA-106 class: int $n honours the DPL of the guest's own entry; int $0x82 is ring 1's only. */
void case_soft_interrupts(void)
{
    run_probe(3, p_int82_r3);
    ck(exinfo.vector, 13, "int $0x82 from ring 3: #GP");
    ck(exinfo.error, 0x82 * 8 + 2, "... naming gate 0x82");
    run_probe(3, p_iret_r3);
    ck(exinfo.vector, 13, "the iret hypercall from ring 3, a frame for ring 1: #GP");
    ck(exinfo.cs & 3, 3, "... and we are still in ring 3 when it comes");
    run_probe(3, p_int0e);
    ck(exinfo.vector, 13, "int $0x0e from ring 3 (a DPL-0 entry): #GP");
    ck(exinfo.error, 0x0e * 8 + 2, "... naming gate 0x0e");
    run_probe(1, p_int0d);
    ck(exinfo.vector, 13, "int $0x0d from ring 1 (a DPL-0 entry): #GP");
    ck(exinfo.error, 0x0d * 8 + 2, "... naming gate 0x0d");
    ck(exinfo.count, 1, "... one exception, not a second #GP");
    run_probe(3, p_int3);
    ck(exinfo.vector, 3, "int3 from ring 3 (DPL 3): #BP");
    set_event_mask(0);
    run_probe(3, p_int80);
    set_event_mask(1);
    ck(exinfo.vector, 0x80, "int $0x80 from ring 3 (DPL 3): delivered");
}

void case_callbacks(void)
{
    uint32_t ev = (uint32_t)(uintptr_t)trap_event_entry, fs = (uint32_t)(uintptr_t)trap_failsafe_entry;
    struct xen_callback_register reg = { .type = CALLBACKTYPE_nmi, .address = { FLAT_RING1_CS, ev } };
    struct xen_callback_unregister un = { .type = 99 };

    ck(HYPERVISOR_set_callbacks(0xe008, ev, FLAT_RING1_CS, fs), -EPERM, "set_callbacks: event at 0xe008");
    ck(HYPERVISOR_set_callbacks(FLAT_RING1_CS, ev, 0, fs), -EINVAL, "set_callbacks: failsafe at the null selector");
    ck(HYPERVISOR_set_callbacks(FLAT_RING1_DS, ev, FLAT_RING1_CS, fs), -EINVAL, "set_callbacks: event at a data selector");
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: an NMI callback");
    reg.type = 99;
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: type 99");
    reg.type = CALLBACKTYPE_event, reg.address.cs = 0xe008;
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EPERM, "callback_op: event at 0xe008");
    reg.address.cs = 0x10000 | FLAT_RING1_CS;
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: event at 0x1e019 (past 16 bits)");
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, (void *)HOLE), -EFAULT, "callback_op: the record in the hole");
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), -EINVAL, "callback_op: unregister type 99");
    un.type = CALLBACKTYPE_event;
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), 0, "callback_op: unregister the event callback (none)");
}

void case_stack_selectors(void)
{
    static const uint32_t ss[] = { 0xe010, 0xe011, FLAT_RING3_DS, FLAT_RING1_CS, SEL(S_DATA1, 1), 0x1e021, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(ss); i++)
        ck(HYPERVISOR_stack_switch(ss[i], trap_stack_top), -EPERM, "stack_switch with ss 0x%x", ss[i]);
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 8), -EINVAL, "stack_switch to esp 8 (the frame wraps below 0)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 0), -EINVAL, "stack_switch to esp 0");
    set_event_mask(0);
    run_probe(3, p_int80);
    set_event_mask(1);
    ck(exinfo.vector, 0x80, "ring-3 int $0x80 still delivered");
    ck(exinfo.frame, trap_stack_top - 20, "... at the top of our last good stack");
}

/* ---- 20: iret's flags --------------------------------------------------------- */

/* iret (the hypercall) to the next instruction with `fl`; returns EAX as it came back. */
uint32_t iret_here(uint32_t fl, uint32_t eax, uint32_t cs)
{
    __asm__ __volatile__("pushl %[fl]\n\tpushl %[cs]\n\tpushl $1f\n\t"
                         "jmp hypercall_page + %c[slot]\n1:"
                         : "+a"(eax) : [fl] "r"(fl), [cs] "r"(cs), [slot] "i"(__HYPERVISOR_iret * 32)
                         : "memory", "cc");
    return eax;
}

/* XSA-136 class: IOPL, NT and VM never reach the CPU; IF only moves the event mask. */
void case_iret_flags(void)
{
    static const struct { uint32_t fl; const char *what; } fl[] = {
        { EFLAGS_IOPL, "IOPL 3" }, { EFLAGS_NT, "NT" }, { EFLAGS_VM, "VM (virtual-8086)" },
        { 0xffffffffu & ~(EFLAGS_IF | EFLAGS_TF), "every bit but IF and TF" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(fl); i++) {
        ck(iret_here(fl[i].fl | 2, 0x5a5a0000u + i, FLAT_RING1_CS), 0x5a5a0000u + i, "iret with %s: EAX comes back", fl[i].what);
        uint32_t now = eflags();
        __asm__ __volatile__("cld");
        ck(now & (EFLAGS_IOPL | EFLAGS_NT | EFLAGS_VM), 0, "... the CPU's IOPL, NT and VM are clear");
        ck(event_mask(), 1, "... IF clear: events masked");
    }
    ck(iret_here(2 | EFLAGS_IF, 1, FLAT_RING1_CS | 0x10000), 1, "iret with CS bits above 16 set");
    ck(event_mask(), 0, "... IF set: events unmasked");
    set_event_mask(1);
    ck(sreg(0), FLAT_RING1_CS, "... CS is ring 1's");
}

/* ---- 21-24: debug registers and the FPU --------------------------------------- */

#define DR7_L0  0x1u
#define DR7_L1  0x4u
#define DR7_GD  0x2000u
#define DR7_RW(n, v)  ((v) << (16 + 4 * (n)))
#define DR7_LEN(n, v) ((v) << (18 + 4 * (n)))

void case_dr_addresses(void)
{
    static const uint32_t bad[] = { HYPERVISOR_VIRT_START - 3, HYPERVISOR_VIRT_START, HOLE, 0xffffffffu };
    for (unsigned r = 0; r < 4; r++)
        for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
            ck(HYPERVISOR_set_debugreg(r, bad[i]), -EPERM, "DR%u = 0x%08x", r, bad[i]);
    ck(HYPERVISOR_set_debugreg(0, HYPERVISOR_VIRT_START - 4), 0, "DR0 = 0x%08x (the last 4 bytes below)",
       HYPERVISOR_VIRT_START - 4);
    ck(HYPERVISOR_get_debugreg(0), (long)(HYPERVISOR_VIRT_START - 4), "DR0 reads it back");
    ck(HYPERVISOR_set_debugreg(0, 0), 0, "DR0 = 0");
    for (unsigned r = 0; r < 4; r++)
        ck(HYPERVISOR_get_debugreg(r), 0, "DR%u is 0", r);
}

void case_dr7_rules(void)
{
    ck(HYPERVISOR_set_debugreg(7, DR7_GD | 0x400), -EPERM, "DR7 with GD (general detect)");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_LEN(0, 2)), -EPERM, "DR7 with LEN 10b");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW(0, 2)), -EPERM, "DR7: an I/O breakpoint without CR4.DE");
    ck(HYPERVISOR_set_debugreg(8, 0), -EINVAL, "set_debugreg 8");
    ck(HYPERVISOR_set_debugreg(-1, 0), -EINVAL, "set_debugreg -1");
    ck(HYPERVISOR_set_debugreg(0x10007, 0), -EINVAL, "set_debugreg 0x10007");
    ck(HYPERVISOR_get_debugreg(8), -EINVAL, "get_debugreg 8");
    ck(HYPERVISOR_get_debugreg(-1), -EINVAL, "get_debugreg -1");
    ck(HYPERVISOR_get_debugreg(7) & 0xff, 0, "DR7 enables nothing");
}

static uint8_t bp_stack[4096] __attribute__((aligned(16)));
static uint32_t bp_top;
static volatile uint16_t ss_word __attribute__((aligned(4))) = FLAT_RING1_SS;
PROBE_STACK(p_int3_on, "movl %[t], %%esp", "int3", : [t] "m"(bp_top) : "edx", "memory")
PROBE(p_movss, "movl %[n], %%eax", "movw %[w], %%ss\n\tint $0x82",
      : [n] "i"(__HYPERVISOR_xen_version), [w] "m"(ss_word), "b"(XENVER_version) : "eax", "memory")

/* A #DB that reaches us (QEMU delivers MOV SS's at the int, in ring 1): carry on. */
static bool db_hook(struct trap_frame *f)
{
    (void)f;
    return true;
}

/*
 * XSA-156/XSA-260 class: the hypervisor's own writes to guest memory (a
 * bounce frame, the event mask) hit a data breakpoint the guest set there,
 * and a MOV SS that hits one defers its #DB into the hypercall entry.
 * Ring 0 must take each such #DB and carry on, neither looping nor dying.
 */
void case_breakpoints_in_ring0(void)
{
    bp_top = (uint32_t)(uintptr_t)(bp_stack + sizeof(bp_stack));
    ck(HYPERVISOR_set_debugreg(0, bp_top - 4), 0, "DR0 = the word a bounce frame's EFLAGS goes to");
    ck(HYPERVISOR_set_debugreg(1, (uint32_t)(uintptr_t)&vcpu_info0()->evtchn_upcall_mask), 0,
       "DR1 = our event mask in vcpu_info");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW(0, 1) | DR7_LEN(0, 3) | DR7_L1 | DR7_RW(1, 1)), 0,
       "DR7: write breakpoints on both");
    run_probe(1, p_int3_on);
    ck(exinfo.vector, 3, "int3 on that stack: #BP delivered");
    ck(exinfo.count, 1, "... once");
    ck(exinfo.frame, bp_top - 12, "... its frame where the breakpoint is");
    ck(iret_here(2, 7, FLAT_RING1_CS), 7, "an iret (the hypervisor writes our event mask)");
    ck(HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)&ss_word), 0, "DR0 = a word we load into SS");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW(0, 3) | DR7_LEN(0, 3)), 0, "DR7: read/write breakpoint on it");
    trap_set_hook(1, db_hook);
    run_probe(1, p_movss);
    trap_set_hook(1, NULL);
    ck(exinfo.count <= 1, 1, "mov to SS, then int $0x82: at most the one #DB reaches us (%u)", exinfo.count);
    ck(HYPERVISOR_set_debugreg(7, 0), 0, "DR7 = 0");
    ck(HYPERVISOR_set_debugreg(0, 0) | HYPERVISOR_set_debugreg(1, 0), 0, "DR0 = DR1 = 0");
}

PROBE(p_fnop, "", "fnop", :)

/* The virtual CR0.TS: any nonzero value sets it, and the next FPU instruction is #NM. */
void case_fpu_taskswitch(void)
{
    static const int vals[] = { 1, 2, -1, 0x7fffffff };
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        ck(HYPERVISOR_fpu_taskswitch(vals[i]), 0, "fpu_taskswitch(%d)", vals[i]);
        run_probe(1, p_fnop);
        ck(exinfo.vector, 7, "... fnop: #NM");
    }
    ck(HYPERVISOR_fpu_taskswitch(0), 0, "fpu_taskswitch(0)");
    run_probe(1, p_fnop);
    ck(exinfo.count, 0, "... fnop runs");
}


/* ---- 47: a segment pulled from under %fs -------------------------------------- */

#define DESC_PRESENT (1ull << 47)

static bool on_failsafe(struct trap_frame *f)
{
    (void)f;
    return true;                            /* entry.S reloaded DS and ES; FS stays null */
}

/*
 * XSA-215 class: the return from a hypercall reloads a selector whose
 * descriptor the guest just made not present; the failsafe callback gets
 * the four selectors on the guest's own stack, nowhere else.
 */
void case_failsafe(void)
{
    uint64_t data = desc_flat(DESC_DATA(1));
    struct xen_callback_unregister un = { .type = CALLBACKTYPE_event };

    trap_set_hook(TRAP_FAILSAFE, on_failsafe);
    ck(trap_set_callbacks(), 0, "our event and failsafe callbacks");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt_page()[S_SPARE]), data), 0, "a flat data segment in the spare slot");
    set_fs(SEL(S_SPARE, 1));
    exinfo_clear();
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt_page()[S_SPARE]), data & ~DESC_PRESENT), 0,
       "make it not present while %%fs holds it: the hypercall's result");
    ck(exinfo.vector, TRAP_FAILSAFE, "... the return entered the failsafe callback");
    ck(exinfo.segs[2], SEL(S_SPARE, 1), "... with FS in its frame");
    ck(exinfo.frame > (uint32_t)(uintptr_t)&un - PAGE_SIZE && exinfo.frame < (uint32_t)(uintptr_t)&un, 1,
       "... just below our own stack frame");
    ck(get_fs(), 0, "%%fs is null afterwards");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt_page()[S_SPARE]), 0), 0, "clear the spare slot");
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), 0, "unregister the event callback");
    un.type = CALLBACKTYPE_failsafe;
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), 0, "unregister the failsafe callback");
    trap_set_hook(TRAP_FAILSAFE, NULL);
    gdt_unchanged();
}

/* ---- 60: the largest frame the CPU pushes on the ring-1 stack ------------------ */

/* A call gate's target that takes 31 parameters: where its frame began, and its CS. */
uint32_t gate31_esp;
uint32_t gate31_target(void);
__asm__(".text\n.globl gate31_target\ngate31_target:\n"
        "    movl %esp, gate31_esp\n"
        "    mov %cs, %eax\n"
        "    lret $124\n");

static uint32_t lcall_from_ring3(uint32_t sel)
{
    struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) far = { 0, (uint16_t)sel };
    uint32_t cs;
    __asm__ __volatile__("lcall *%1" : "=a"(cs) : "m"(far) : "memory", "ecx", "edx");
    return cs & 0xffff;
}

/*
 * A call gate from ring 3 with 31 parameters makes the CPU push 140 bytes
 * (SS, ESP, the 31 parameters, CS, EIP) at the stack_switch stack, with
 * no hypervisor on the path: stack_switch must leave room for all of it
 * below the hole and above 0, or on QEMU the push wraps into the hole.
 */
void case_call_gate_frame(void)
{
    uint64_t gate = desc_gate(SEL(S_CODE1, 1), (uint32_t)(uintptr_t)gate31_target, DESC_CALLGATE(3)) | (31ull << 32);

    ck(HYPERVISOR_update_descriptor(ma_of(&gdt_page()[S_SPARE]), gate), 0, "a DPL-3 call gate with 31 parameters (as Xen)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 24), -EINVAL, "stack_switch to esp 24 (a 140-byte frame would wrap)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 139), -EINVAL, "stack_switch to esp 139");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, HYPERVISOR_VIRT_START + 100), -EINVAL,
       "stack_switch to 100 bytes into the hole");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 140), 0, "stack_switch to esp 140 (just room)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, trap_stack_top), 0, "stack_switch back to our stack");
    ck(run_in_ring3(lcall_from_ring3, SEL(S_SPARE, 3)), SEL(S_CODE1, 1), "lcall through it from ring 3: ring 1");
    ck(gate31_esp, trap_stack_top - 140, "... its frame is 140 bytes below our stack_switch stack");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt_page()[S_SPARE]), 0), 0, "clear the spare slot");
    gdt_unchanged();
}

/* ---- 61: NT, sysenter and syscall (XSA-44, XSA-339) ------------------------------ */

PROBE(p_nt_iret, "pushfl\n\torl $0x4000, (%%esp)\n\tpopfl", "iret", : : "memory")
PROBE(p_sysenter, "movl %%esp, %%ecx\n\tmovl $2f, %%edx", "sysenter", : : "ecx", "edx", "memory")
PROBE(p_syscall, "", "syscall", : : "ecx", "memory")

/*
 * A ring-1 guest may set NT with popf; the iret instruction then makes a
 * task return, which must fault to the guest, never to the hypervisor's
 * own TSS.  sysenter and syscall have no gate here: each is a fault for
 * the guest, from ring 1 or 3, and the CPU's NT is clear afterwards.
 */
void case_nt_sysenter(void)
{
    run_probe(1, p_nt_iret);
    ck(exinfo.count, 1, "popf NT=1, then the iret instruction in ring 1: one fault");
    ck(exinfo.vector == 10 || exinfo.vector == 13, 1, "... #TS or #GP (vector %u), to our handler", exinfo.vector);
    ck(eflags() & EFLAGS_NT, 0, "... NT is clear after our handler's iret");
    for (unsigned ring = 1; ring <= 3; ring += 2) {
        run_probe(ring, p_sysenter);
        ck(exinfo.vector, 13, "sysenter in ring %u: #GP", ring);
        ck(exinfo.count, 1, "... once");
        run_probe(ring, p_syscall);
        ck(exinfo.vector, 6, "syscall in ring %u: #UD", ring);
    }
}

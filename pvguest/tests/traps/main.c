/*
 * traps - every exception a guest can cause, bounced with Xen's frame.
 *
 * A PV kernel owns no IDT: it registers handlers with set_trap_table and
 * the hypervisor, which takes every exception itself, writes the frame the
 * CPU would have written onto the guest kernel's stack and resumes the
 * handler.  Each probe below executes one faulting instruction, first in
 * ring 1 and then in ring 3, and checks what the handler received:
 *  - the vector, and the error code exactly where the CPU gives one
 *    (#GP: the selector; #PF: the P/W/U bits, and vcpu_info.arch.cr2 =
 *    the address);
 *  - EIP: the instruction itself for a fault, the next one for a trap
 *    (#DB after a single step, #BP, #OF);
 *  - CS 0xe019 or 0xe02b, and in CS bits 16-23 the event mask from before
 *    the exception, which EFLAGS.IF mirrors;
 *  - where the frame is: just below the interrupted ESP in ring 1, at the
 *    top of the stack_switch stack (with ESP and SS) from ring 3.
 * Then the trap_info flag "mask events on entry": the handler runs with
 * the mask set, and the iret back restores it.  Privileged instructions
 * are only reflected as #GP under the domain option policy=reflect; the
 * test runs that probe when its command line says reflect=1.  #NM needs
 * the fpu_taskswitch hypercall and runs only when it is there.  #AC needs
 * CR0.AM, which a PV guest cannot set, so it is not tried.
 */
#include "pvguest/lib/pvguest.h"

#define NOERR (-1)

static uint32_t probe_addr;                 /* the #PF probes' address */
static uint32_t probe_sel;                  /* the #GP probe's selector */
static uint32_t bounds[2] = { 0, 1 };       /* #BR: 5 is outside [0, 1] */

PROBE(p_de, "xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx", "divl %%ecx",
      : : "eax", "ecx", "edx")
PROBE(p_db, "pushfl; orl $0x100, (%%esp); popfl", "nop")
PROBE(p_bp, "", "int3")
PROBE(p_of, "movl $0x7fffffff, %%eax; addl $1, %%eax", "into", : : "eax")
PROBE(p_br, "movl $5, %%eax", "boundl %%eax, %[b]", : [b] "m"(bounds) : "eax")
PROBE(p_ud, "", "ud2")
PROBE(p_gp, "movl %[sel], %%eax", "movl %%eax, %%ds", : [sel] "m"(probe_sel) : "eax")
PROBE(p_priv, "", "wrmsr", : "c"(0x12345678), "a"(0), "d"(0))
PROBE(p_read, "", "movl (%[a]), %%eax", : [a] "c"(probe_addr) : "eax")
PROBE(p_write, "", "movl %%eax, (%[a])", : [a] "c"(probe_addr), "a"(0))
PROBE(p_nm, "", "fninit")

static uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__ __volatile__("pushfl; popl %0" : "=r"(v));
    return v;
}

/*
 * Run probe `run` in `ring` and check the frame its handler got: one
 * exception, `vector`, `error` (NOERR: the vector has none), EIP at the
 * instruction (or after it, for a trap), CS, the saved mask, IF, and
 * where the frame is.
 */
static void expect(const char *what, unsigned ring, void (*run)(void), unsigned vector,
                   long error, bool trap)
{
    uint8_t mask = event_mask();
    uint32_t words = (error == NOERR ? 3 : 4) + (ring == 3 ? 2 : 0);
    char name[96];

    run_probe(ring, run);
    printf("ring %u %s: %s error 0x%x at %04x:%08x eflags 0x%08x, saved mask %u, "
           "frame 0x%08x, cr2 0x%08x\n", ring, what, trap_name(exinfo.vector), exinfo.error,
           exinfo.cs, exinfo.eip, exinfo.eflags, exinfo.saved_mask, exinfo.frame, exinfo.cr2);
#define CHECK(fn, label, got, want)                                           \
    (snprintf(name, sizeof(name), "ring %u %s: %s", ring, what, label), fn(name, got, want))
    CHECK(check_rc, "one exception", exinfo.count, 1);
    CHECK(check_rc, "vector", exinfo.vector, vector);
    CHECK(check_hex, "error code", exinfo.error, error == NOERR ? 0 : (uint32_t)error);
    CHECK(check_hex, trap ? "eip after the instruction" : "eip at the instruction",
          exinfo.eip, trap ? probe_at.next : probe_at.at);
    CHECK(check_hex, "cs", exinfo.cs, ring == 3 ? FLAT_RING3_CS : FLAT_RING1_CS);
    CHECK(check_rc, "saved mask in cs bits 16-23", exinfo.saved_mask, mask);
    CHECK(check_rc, "eflags.IF = !saved mask", !!(exinfo.eflags & EFLAGS_IF), !mask);
    if (ring == 3) {
        CHECK(check_hex, "frame at the top of the stack_switch stack", exinfo.frame,
              trap_stack_top - words * 4);
        CHECK(check_hex, "frame esp", exinfo.esp, probe_at.sp);
        CHECK(check_hex, "frame ss", exinfo.ss, FLAT_RING3_SS);
    } else {
        CHECK(check_hex, "frame just below the interrupted esp", exinfo.frame,
              probe_at.sp - words * 4);
    }
    CHECK(check_rc, "event mask after the iret", event_mask(), mask);
#undef CHECK
}

static void expect_gp(const char *what, unsigned ring, uint32_t sel, uint32_t error)
{
    probe_sel = sel;
    expect(what, ring, p_gp, 13, error, false);
}

static void expect_pf(const char *what, unsigned ring, void (*run)(void), uint32_t addr,
                      uint32_t error)
{
    char name[96];

    probe_addr = addr;
    expect(what, ring, run, 14, error, false);
    snprintf(name, sizeof(name), "ring %u %s: vcpu_info.arch.cr2", ring, what);
    check_hex(name, exinfo.cr2, addr);
}

/* Everything that works the same from both rings. */
static void common_exceptions(unsigned ring)
{
    expect("#DE divl by 0", ring, p_de, 0, NOERR, false);
    expect("#DB single step (popf sets TF; nop)", ring, p_db, 1, NOERR, true);
    check_rc("#DB frame eflags has TF", !!(exinfo.eflags & EFLAGS_TF), 1);
    expect("#BP int3", ring, p_bp, 3, NOERR, true);
    expect("#OF into with OF set", ring, p_of, 4, NOERR, true);
    expect("#BR bound out of range", ring, p_br, 5, NOERR, false);
    expect("#UD ud2", ring, p_ud, 6, NOERR, false);
    expect_gp("#GP mov to ds of LDT selector 0x1234 (no LDT)", ring, 0x1234, 0x1234);
}

static void ring1_exceptions(const xen_start_info_t *si, uint32_t unmapped, bool reflect)
{
    common_exceptions(1);
    check_rc("no TF left after #DB", !!(read_eflags() & EFLAGS_TF), 0);
    expect_gp("#GP mov to ds of the hypervisor's 0xe010 (DPL 0)", 1, 0xe010, 0xe010);
    expect_pf("#PF read of an unmapped page", 1, p_read, unmapped, 0x0);
    expect_pf("#PF write of an unmapped page", 1, p_write, unmapped, 0x2);
    expect_pf("#PF write of our read-only L3", 1, p_write, si->pt_base + 0x20, 0x3);
    if (reflect)
        expect("#GP wrmsr 0x12345678 (policy=reflect)", 1, p_priv, 13, 0, false);
}

static void ring3_exceptions(const xen_start_info_t *si, uint32_t unmapped, bool reflect)
{
    common_exceptions(3);
    expect_gp("#GP mov to ds of ring 1's 0xe021 (DPL 1)", 3, FLAT_RING1_DS, 0xe020);
    expect_pf("#PF read of an unmapped page", 3, p_read, unmapped, 0x4);
    expect_pf("#PF write of an unmapped page", 3, p_write, unmapped, 0x6);
    expect_pf("#PF read of a kernel page (our L3)", 3, p_read, si->pt_base + 0x20, 0x5);
    expect_pf("#PF write of a kernel page (our L3)", 3, p_write, si->pt_base + 0x20, 0x7);
    if (reflect)
        expect("#GP wrmsr (policy=reflect)", 3, p_priv, 13, 0, false);
}

/* trap_info flags bit 2: the handler runs with events masked; iret restores. */
static void mask_on_entry(void)
{
    set_event_mask(0);
    check_rc("install #BP with mask-events", trap_install(3, 3 | TI_MASK_EVENTS), 0);
    expect("#BP int3, mask-events handler", 1, p_bp, 3, NOERR, true);
    check_rc("mask-events: handler entered with events masked", exinfo.mask_at_entry, 1);
    check_rc("install #BP without mask-events", trap_install(3, 3), 0);
    expect("#BP int3, plain handler", 1, p_bp, 3, NOERR, true);
    check_rc("plain: handler entered with events unmasked", exinfo.mask_at_entry, 0);
    set_event_mask(1);
    expect("#BP int3 from ring 3 with events masked", 3, p_bp, 3, NOERR, true);
}

static void device_not_available(void)
{
    long rc = HYPERVISOR_fpu_taskswitch(1);

    if (rc == -ENOSYS) {
        printf("note: fpu_taskswitch is not implemented (-ENOSYS): #NM not tried\n");
        return;
    }
    check_rc("fpu_taskswitch(1)", rc, 0);
    expect("#NM fninit with the virtual TS set", 1, p_nm, 7, NOERR, false);
    check_rc("fpu_taskswitch(0)", HYPERVISOR_fpu_taskswitch(0), 0);
}

/*
 * The hypervisor peeks at the four bytes at a #UD's EIP for Xen's
 * forced-emulation prefix (ud2a; .ascii "xen") before it bounces the
 * #UD.  A ud2 in the last two bytes before an unmapped page makes that
 * peek fault inside the hypervisor: the #UD must still reach us, at the
 * ud2 itself.  The hook sends the handler's iret back to our label.
 */
static uint32_t ud_edge_back;
static bool ud_edge_hook(struct trap_frame *f)
{
    f->eip = ud_edge_back;
    return true;
}

static void ud_before_a_hole(void)
{
    uint32_t code = spare_page(2), hole = spare_page(1), at = code + PAGE_SIZE - 2;

    check_rc("unmap the page after the ud2", HYPERVISOR_update_va_mapping(hole, 0, UVMF_INVLPG), 0);
    *(volatile uint16_t *)at = 0x0b0f;                   /* ud2 */
    trap_set_hook(6, ud_edge_hook);
    exinfo_clear();
    __asm__ __volatile__("movl $1f, %0\n\tjmp *%1\n1:" : "=m"(ud_edge_back) : "r"(at) : "memory");
    trap_set_hook(6, NULL);
    printf("ud2 at 0x%08x before the hole at 0x%08x: %s at 0x%08x\n", at, hole,
           trap_name(exinfo.vector), exinfo.eip);
    check_rc("ud2 before an unmapped page: one exception", exinfo.count, 1);
    check_rc("ud2 before an unmapped page: #UD", exinfo.vector, 6);
    check_hex("ud2 before an unmapped page: eip at the ud2", exinfo.eip, at);
}

void pvguest_main(const xen_start_info_t *si)
{
    bool reflect = cmdline_uint("reflect", 0);
    uint32_t unmapped = pt_mapped_end(PV_VIRT_BASE) + 0x10;

    traps_init();
    printf("unmapped probe address 0x%08x, read-only L3 at 0x%08lx, %s\n", unmapped,
           (unsigned long)si->pt_base, reflect ? "policy reflect" : "policy halt");
    check_rc("events start masked", event_mask(), 1);
    ring1_exceptions(si, unmapped, reflect);
    set_event_mask(0);
    ring3_exceptions(si, unmapped, reflect);
    mask_on_entry();
    set_event_mask(1);
    device_not_available();
    ud_before_a_hole();
    printf("note: #AC needs CR0.AM, which a PV guest cannot set: not tried\n");
    test_pass();
    xtf_exit();
}

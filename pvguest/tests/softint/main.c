/*
 * softint - "int $n": the virtual IDT's DPL decides who may raise a vector.
 *
 * Every real IDT gate but the hypercall's is the hypervisor's, with DPL 0,
 * so a guest's "int $n" raises #GP with error code n*8+2.  The hypervisor
 * then looks at the guest's trap table: if entry n's DPL admits the
 * caller's ring, it delivers vector n (no error code, EIP after the 2-byte
 * instruction), as a real DPL would; otherwise the #GP stands and goes to
 * the guest's #GP handler.  Checked here:
 *  - DPL 1 admits ring 1 but not ring 3, DPL 3 both, DPL 0 neither;
 *  - int $0x82, the hypercall gate, is ring 1 only: #GP(0x412) from ring 3;
 *  - "int $3" (CD 03) is #BP like int3, and int $13 is not a #GP;
 *  - int $0x80 with DPL 3 and without "mask events" is Xen's fast trap:
 *    the CPU enters the handler directly, on the stack_switch stack, and
 *    it returns with iret.  With "mask events" it is bounced instead
 *    (the handler finds events masked), and with DPL 1 ring 3 gets #GP:
 *    the real gate follows every change to entry 0x80;
 *  - set_trap_table: one entry at a time replaces only that vector;
 *    entries before a bad one stay; a ring-0 selector is -EPERM, a null
 *    or hypervisor-data one -EINVAL; a bad pointer -EFAULT; NULL clears
 *    the whole table.
 */
#include "pvguest/lib/pvguest.h"

PROBE(p_int40, "", "int $0x40")
PROBE(p_int41, "", "int $0x41")
PROBE(p_int80, "xorl %%eax, %%eax", "int $0x80", : : "eax")
PROBE(p_int82, "", "int $0x82")
PROBE(p_int3, "", ".byte 0xcd, 0x03	/* int $3: GAS would write int3 */")
PROBE(p_int13, "", "int $13")

#define GP 13
#define DELIVERED true
#define REFUSED false

/*
 * Run `probe` in `ring` and check: delivered as `vector` after the
 * instruction, or refused as #GP(vector*8+2) at it.
 */
static void expect(const char *what, unsigned ring, void (*probe)(void), unsigned vector,
                   bool delivered)
{
    char name[100];

    run_probe(ring, probe);
    printf("ring %u %s: %s (vector %u) error 0x%x at %04x:%08x, frame 0x%08x\n", ring,
           what, trap_name(exinfo.vector), exinfo.vector, exinfo.error, exinfo.cs,
           exinfo.eip, exinfo.frame);
    snprintf(name, sizeof(name), "ring %u %s: %s", ring, what,
             delivered ? "delivered as its vector" : "refused: #GP");
    check_rc(name, exinfo.vector, delivered ? vector : GP);
    snprintf(name, sizeof(name), "ring %u %s: error code", ring, what);
    check_hex(name, exinfo.error, delivered ? 0 : vector * 8 + 2);
    snprintf(name, sizeof(name), "ring %u %s: eip %s", ring, what,
             delivered ? "after the int" : "at the int");
    check_hex(name, exinfo.eip, delivered ? probe_at.next : probe_at.at);
    snprintf(name, sizeof(name), "ring %u %s: one exception, cs", ring, what);
    check_hex(name, exinfo.count << 16 | exinfo.cs,
              1 << 16 | (ring == 3 ? FLAT_RING3_CS : FLAT_RING1_CS));
}

static void dpl_rules(void)
{
    check_rc("vector 0x40 DPL 1", trap_install(0x40, 1), 0);
    expect("int $0x40, DPL 1", 1, p_int40, 0x40, DELIVERED);
    check_hex("ring 1 frame: 12 bytes below esp", exinfo.frame, probe_at.sp - 12);
    expect("int $0x40, DPL 1", 3, p_int40, 0x40, REFUSED);
    check_rc("vector 0x40 DPL 0", trap_install(0x40, 0), 0);
    expect("int $0x40, DPL 0", 1, p_int40, 0x40, REFUSED);
    expect("int $0x40, DPL 0", 3, p_int40, 0x40, REFUSED);
    check_rc("vector 0x40 DPL 3", trap_install(0x40, 3), 0);
    expect("int $0x40, DPL 3", 1, p_int40, 0x40, DELIVERED);
    expect("int $0x40, DPL 3", 3, p_int40, 0x40, DELIVERED);
    check_hex("ring 3 frame: top of the stack_switch stack", exinfo.frame,
              trap_stack_top - 20);
    expect("int $0x82 (the hypercall gate)", 3, p_int82, 0x82, REFUSED);
    expect("int $3 (CD 03)", 3, p_int3, 3, DELIVERED);
    expect("int $13 (#GP's vector, DPL 0)", 1, p_int13, 13, REFUSED);
}

static void fast_trap(void)
{
    set_event_mask(0);
    expect("int $0x80, DPL 3 (the fast trap)", 3, p_int80, 0x80, DELIVERED);
    check_hex("fast trap: frame at the top of the stack_switch stack", exinfo.frame,
              trap_stack_top - 20);
    check_hex("fast trap: frame esp", exinfo.esp, probe_at.sp);
    check_hex("fast trap: frame ss", exinfo.ss, FLAT_RING3_SS);
    check_rc("fast trap: events not masked on entry", exinfo.mask_at_entry, 0);
    check_rc("vector 0x80 DPL 3, mask events", trap_install(0x80, 3 | TI_MASK_EVENTS), 0);
    expect("int $0x80, DPL 3, mask events (bounced)", 3, p_int80, 0x80, DELIVERED);
    check_hex("bounced: frame at the top of the stack_switch stack", exinfo.frame,
              trap_stack_top - 20);
    check_rc("bounced: events masked on entry", exinfo.mask_at_entry, 1);
    check_rc("bounced: saved mask 0", exinfo.saved_mask, 0);
    check_rc("vector 0x80 DPL 1", trap_install(0x80, 1), 0);
    expect("int $0x80, DPL 1 (the gate is gone)", 3, p_int80, 0x80, REFUSED);
    check_rc("vector 0x80 DPL 3 again", trap_install(0x80, 3), 0);
    expect("int $0x80, DPL 3 again", 3, p_int80, 0x80, DELIVERED);
    set_event_mask(1);
}

static void table_rules(void)
{
    struct xen_trap_info two[3] = {
        { 0x41, 1, FLAT_RING1_CS, trap_stub(0x41) },
        { 0x42, 1, 0xe008, trap_stub(0x42) },
    };

    check_rc("set_trap_table, cs 0xe008 (ring 0)", trap_set(0x42, 1, 0xe008, trap_stub(0x42)),
             -EPERM);
    check_rc("set_trap_table, cs 0 (null)", trap_set(0x42, 1, 0, trap_stub(0x42)), -EINVAL);
    check_rc("set_trap_table, cs 0xe011 (hypervisor data, RPL 1)",
             trap_set(0x42, 1, 0xe011, trap_stub(0x42)), -EINVAL);
    check_rc("set_trap_table, cs 0x0018 (a guest GDT selector, RPL 0)",
             trap_set(0x42, 1, 0x0018, trap_stub(0x42)), -EPERM);
    check_rc("set_trap_table, table in the hypervisor",
             HYPERVISOR_set_trap_table((void *)0xF5800000u), -EFAULT);
    check_rc("set_trap_table, [0x41 ok, 0x42 cs 0xe008]", HYPERVISOR_set_trap_table(two), -EPERM);
    expect("int $0x41, installed before the bad entry", 1, p_int41, 0x41, DELIVERED);

    /* Vector 0x40 gets 0x41's stub: the handler then reports 0x41. */
    check_rc("vector 0x40 -> the 0x41 stub", trap_set(0x40, 1, FLAT_RING1_CS, trap_stub(0x41)), 0);
    run_probe(1, p_int40);
    check_rc("int $0x40 ran the replacement handler", exinfo.vector, 0x41);
    check_rc("vector 0x42 alone", trap_install(0x42, 1), 0);
    run_probe(1, p_int40);
    check_rc("int $0x40 still runs the replacement", exinfo.vector, 0x41);

    check_rc("set_trap_table(NULL)", HYPERVISOR_set_trap_table(NULL), 0);
    check_rc("then only #GP", trap_install(GP, 0), 0);
    expect("int $0x41 after NULL", 1, p_int41, 0x41, REFUSED);
    traps_init();
}

void pvguest_main(const xen_start_info_t *si)
{
    (void)si;
    traps_init();
    dpl_rules();
    fast_trap();
    table_rules();
    expect("int $0x40 after traps_init again (DPL 0)", 1, p_int40, 0x40, REFUSED);
    test_pass();
    xtf_exit();
}

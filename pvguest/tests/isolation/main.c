/*
 * isolation - ring 1 cannot reach the hypervisor: segment limits, read-only M2P.
 *
 * Paging treats ring 1 as supervisor, so the hypervisor's pages above
 * 0xF5800000 are as open to a guest kernel as its own.  What keeps it out
 * is the limit of every guest segment: 0xF67FFFFF, the end of the M2P.
 * Checked here, on any emulator:
 *  - lsl of 0xe019/0xe021/0xe02b/0xe033 is 0xF67FFFFF, and lar shows the
 *    DPL (1 or 3) and type (code or data) of each; the hypervisor's own
 *    0xe008 and 0xe010 (DPL 0) are invisible to lsl from ring 1;
 *  - the M2P at 0xF5800000 is readable, and a write faults with #PF
 *    (present, write: error 0x3) at 0xF5800000;
 *  - from ring 3 a read of the hypervisor image at 0xFC100000 faults.
 * And, printed as "outcome <access>: <what happened>" for the test to
 * judge per emulator (Bochs enforces data-segment limits, QEMU's TCG does
 * not): a read and a write (orl $0, which stores the value it read) of
 * 0xFC100000 through DS from ring 1, and a read of 0xF6800000, the first
 * byte past the limit.  On Bochs each must be #GP(0); on QEMU the accesses
 * to 0xFC100000 succeed, which is why isolation is tested on Bochs.
 */
#include "pvguest/lib/pvguest.h"

#define HV_IMAGE 0xFC100000u

static uint32_t probe_addr, value;

PROBE(p_read, "", "movl (%[a]), %%eax\n\tmovl %%eax, %[v]", : [a] "c"(probe_addr),
      [v] "m"(value) : "eax")
PROBE(p_write, "", "orl $0, (%[a])", : [a] "c"(probe_addr) : "memory")

/* lsl/lar: the limit and the access rights of sel, with ZF (visible to us). */
static bool lsl(uint32_t sel, uint32_t *limit)
{
    uint8_t ok;
    __asm__ __volatile__("lsl %2, %0; setz %1" : "=r"(*limit), "=q"(ok) : "r"(sel) : "cc");
    return ok;
}

static bool lar(uint32_t sel, uint32_t *ar)
{
    uint8_t ok;
    __asm__ __volatile__("lar %2, %0; setz %1" : "=r"(*ar), "=q"(ok) : "r"(sel) : "cc");
    return ok;
}

static void selector(uint32_t sel, unsigned dpl, bool code)
{
    uint32_t limit = 0, ar = 0;
    char name[64];
    bool visible = lsl(sel, &limit);

    lar(sel, &ar);
    printf("selector %04x: lsl 0x%08x, lar 0x%08x\n", sel, limit, ar);
    snprintf(name, sizeof(name), "lsl %04x visible from ring 1", sel);
    check_rc(name, visible, 1);
    snprintf(name, sizeof(name), "lsl %04x: limit", sel);
    check_hex(name, limit, 0xF67FFFFFu);
    snprintf(name, sizeof(name), "lar %04x: present, DPL %u, %s", sel, dpl,
             code ? "code" : "data");
    check_hex(name, ar & 0xf800, 0x9000 | dpl << 13 | (code ? 0x800 : 0));
    snprintf(name, sizeof(name), "lar %04x: 4 KiB granular, 32-bit", sel);
    check_hex(name, ar & 0x00c00000, 0x00c00000);
}

static void hidden(uint32_t sel)
{
    uint32_t limit;
    char name[64];

    snprintf(name, sizeof(name), "lsl %04x (DPL 0) hidden from ring 1", sel);
    check_rc(name, lsl(sel, &limit), 0);
}

/* One access whose result depends on the emulator: say what happened. */
static void outcome(const char *what, void (*probe)(void), uint32_t addr)
{
    probe_addr = addr;
    run_probe(1, probe);
    if (exinfo.count == 1 && exinfo.vector == 14)
        printf("outcome %s 0x%08x: #PF error 0x%x cr2 0x%08x\n", what, addr, exinfo.error,
               exinfo.cr2);
    else if (exinfo.count)
        printf("outcome %s 0x%08x: %s error 0x%x\n", what, addr, trap_name(exinfo.vector),
               exinfo.error);
    else if (probe == p_read)
        printf("outcome %s 0x%08x: succeeded (0x%08x)\n", what, addr, value);
    else
        printf("outcome %s 0x%08x: succeeded\n", what, addr);
}

void pvguest_main(const xen_start_info_t *si)
{
    (void)si;
    traps_init();
    selector(FLAT_RING1_CS, 1, true);
    selector(FLAT_RING1_DS, 1, false);
    selector(FLAT_RING3_CS, 3, true);
    selector(FLAT_RING3_DS, 3, false);
    hidden(0xe008);
    hidden(0xe010);

    probe_addr = MACH2PHYS_VIRT_START;
    run_probe(1, p_read);
    check_rc("read of the M2P at 0xf5800000: no exception", exinfo.count, 0);
    run_probe(1, p_write);
    check_rc("write of the M2P: #PF", exinfo.vector, 14);
    check_hex("write of the M2P: error (present, write)", exinfo.error, 0x3);
    check_hex("write of the M2P: cr2", exinfo.cr2, MACH2PHYS_VIRT_START);

    probe_addr = HV_IMAGE;
    run_probe(3, p_read);
    printf("ring 3 read of 0x%08x: %s error 0x%x\n", HV_IMAGE, trap_name(exinfo.vector),
           exinfo.error);
    check_rc("ring 3 read of the hypervisor image faults (#GP or #PF)",
             exinfo.count == 1 && (exinfo.vector == 13 || exinfo.vector == 14), 1);

    outcome("read", p_read, HV_IMAGE);
    outcome("write", p_write, HV_IMAGE);
    outcome("read", p_read, MACH2PHYS_VIRT_END);
    test_pass();
    xtf_exit();
}

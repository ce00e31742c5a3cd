/*
 * failsafe - a data selector that went bad while we were in the hypervisor.
 *
 * The hypervisor saves our DS/ES/FS/GS on every entry and reloads them on
 * the way back.  If we changed the descriptor behind a loaded selector in
 * the meantime (update_descriptor marking it not present), that reload
 * faults in ring 0.  Xen's answer, which we follow, is the failsafe
 * callback: the four selectors go on our stack below an ordinary frame
 * (DS, ES, FS, GS, EIP, CS, EFLAGS), all four registers are made null, and
 * the kernel reloads what it can.  Here %fs holds our own GDT's data
 * selector 0x09; update_descriptor then makes entry 1 not present, and the
 * very return from that hypercall must enter the failsafe callback with
 * FS 0x0009 in its frame, its EIP at the return from update_descriptor,
 * and the hypercall's result intact; afterwards FS reads 0.  A failsafe
 * callback registered with callback_op and CALLBACKF_mask_events runs with
 * events masked.  With "case=none" no failsafe callback is registered and
 * the domain must be halted naming the selectors instead.
 */
#include "pvguest/lib/pvguest.h"

#define DATA_DPL1    0x00cfb3000000ffffull   /* flat data, DPL 1, accessed, present */
#define NOT_PRESENT  (1ull << 47)
#define FS_SEL       0x09                    /* GDT entry 1, RPL 1 */

static uint64_t gdt[512] __attribute__((aligned(4096)));
static uint32_t through_fs = 0x5afe5afe;

static uint32_t mfn_of(const void *p)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)pvguest_start_info->mfn_list;
    return p2m[((uint32_t)(uintptr_t)p - PV_VIRT_BASE) / PAGE_SIZE];
}

/* The failsafe callback's work: DS and ES are reloaded (entry.S); FS stays null. */
static bool on_failsafe(struct trap_frame *f)
{
    (void)f;
    return true;
}

static uint32_t read_fs(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%fs, %0" : "=r"(v));
    return v & 0xffff;
}

/* Make entry 1 present, load it into %fs and read through it. */
static void load_fs(void)
{
    uint64_t ma = (uint64_t)mfn_of(gdt) << 12 | 8;
    uint32_t v;

    check_rc("update_descriptor: entry 1 present", HYPERVISOR_update_descriptor(ma, DATA_DPL1), 0);
    __asm__ __volatile__("mov %1, %%fs\n\tmovl %%fs:%2, %0"
                         : "=r"(v) : "r"(FS_SEL), "m"(through_fs));
    check_hex("read through %fs = 0x09", v, through_fs);
}

/* Entry 1 not present while %fs holds it: the return from this call faults. */
static long pull_the_descriptor(void)
{
    uint64_t ma = (uint64_t)mfn_of(gdt) << 12 | 8;
    return HYPERVISOR_update_descriptor(ma, DATA_DPL1 & ~NOT_PRESENT);
}

static void expect_failsafe(const char *how, uint8_t mask_at_entry)
{
    uint32_t ret_eip = (uint32_t)(uintptr_t)hypercall_page + __HYPERVISOR_update_descriptor * 32 + 7;
    char name[100];

    set_event_mask(0);
    exinfo_clear();
    snprintf(name, sizeof(name), "%s: update_descriptor's result survives", how);
    check_rc(name, pull_the_descriptor(), 0);
    printf("%s: %u call(s), vector %u, ds %04x es %04x fs %04x gs %04x, eip 0x%08x\n", how,
           exinfo.count, exinfo.vector, exinfo.segs[0], exinfo.segs[1], exinfo.segs[2],
           exinfo.segs[3], exinfo.eip);
#define CHECK(fn, label, got, want) \
    (snprintf(name, sizeof(name), "%s: %s", how, label), fn(name, got, want))
    CHECK(check_rc, "the failsafe callback ran once", exinfo.count, 1);
    CHECK(check_rc, "as the failsafe callback", exinfo.vector, TRAP_FAILSAFE);
    CHECK(check_hex, "fs in its frame", exinfo.segs[2], FS_SEL);
    CHECK(check_hex, "ds in its frame", exinfo.segs[0], FLAT_RING1_DS);
    CHECK(check_hex, "eip: the return from update_descriptor", exinfo.eip, ret_eip);
    CHECK(check_hex, "cs", exinfo.cs, FLAT_RING1_CS);
    CHECK(check_rc, "events masked on entry", exinfo.mask_at_entry, mask_at_entry);
    CHECK(check_hex, "fs is null afterwards", read_fs(), 0);
#undef CHECK
    set_event_mask(1);
}

void pvguest_main(const xen_start_info_t *si)
{
    xen_pfn_t frame = mfn_of(gdt);
    char name[8] = "";

    (void)si;
    traps_init();
    trap_set_hook(TRAP_FAILSAFE, on_failsafe);
    uint64_t pte = 0;
    pt_lookup((uint32_t)(uintptr_t)gdt, &pte);
    check_rc("map our GDT frame read-only (set_gdt refuses a writable one)",
             HYPERVISOR_update_va_mapping((uint32_t)(uintptr_t)gdt, pte & ~PTE_RW, UVMF_INVLPG), 0);
    check_rc("set_gdt, 16 entries", HYPERVISOR_set_gdt(&frame, 16), 0);
    if (cmdline_get("case", name, sizeof(name))) {
        if (strcmp(name, "none")) {
            test_error("no such case '%s' (none)", name);
            xtf_exit();
        }
        load_fs();
        printf("fs 0x%04x; its descriptor goes, no failsafe callback\n", read_fs());
        console_flush();
        pull_the_descriptor();
        test_fail("still alive: the bad %%fs was reloaded, or ignored");
        xtf_exit();
    }
    check_rc("set_callbacks", trap_set_callbacks(), 0);
    load_fs();
    expect_failsafe("set_callbacks", 0);

    struct xen_callback_register r = {
        .type = CALLBACKTYPE_failsafe, .flags = CALLBACKF_mask_events,
        .address = { FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_failsafe_entry },
    };
    check_rc("callback_op: failsafe with mask_events",
             HYPERVISOR_callback_op(CALLBACKOP_register, &r), 0);
    load_fs();
    expect_failsafe("callback_op, mask_events", 1);
    test_pass();
    xtf_exit();
}

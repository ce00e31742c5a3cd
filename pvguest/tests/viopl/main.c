/*
 * viopl - the virtual I/O privilege level: cli/sti and port I/O from ring 1.
 *
 * A PV kernel runs with the real IOPL 0, so cli, sti, in, out, ins and outs
 * all trap.  It asks for I/O privilege with physdev_op(PHYSDEVOP_set_iopl),
 * and the hypervisor then emulates them when the virtual IOPL is at least
 * the kernel's ring (1), or at any IOPL once the kernel has enabled
 * vm_assist(VMASST_TYPE_architectural_iopl), which makes it "ring 0" for
 * this check, as on Xen.  No device is ever reached: reads give all ones,
 * writes vanish.  A disallowed one halts the domain, so each halting case
 * is its own boot, steered by the command line:
 *   iopl=N     set the virtual IOPL first (absent: leave it at 0)
 *   assist=1   enable VMASST_TYPE_architectural_iopl first
 *   op=NAME    cli, sti, in, out, ins, outs: print "executing <insn> at
 *              0x<addr>", run it once and check its result; all: every
 *              form below, with its checks
 * Every run first checks the hypercalls' own answers (and puts them back):
 * set_iopl 4 is -EINVAL, a bad pointer -EFAULT, another PHYSDEVOP -ENOSYS;
 * vm_assist accepts architectural_iopl and pae_extended_cr3, refuses
 * other types with -EINVAL and an unknown command with -ENOSYS.
 */
#include "pvguest/lib/pvguest.h"

#define EFLAGS_DF (1u << 10)

/* Each operation's instruction sits at a global label, to print its address. */
extern char insn_cli[], insn_sti[], insn_in[], insn_out[], insn_ins[], insn_outs[];
#define NOINLINE __attribute__((noinline, noclone))

static NOINLINE void do_cli(void) { __asm__ volatile(".globl insn_cli\ninsn_cli: cli" ::: "memory"); }
static NOINLINE void do_sti(void) { __asm__ volatile(".globl insn_sti\ninsn_sti: sti" ::: "memory"); }

static NOINLINE uint32_t do_in(uint32_t eax)
{
    __asm__ volatile(".globl insn_in\ninsn_in: in $0x71,%%al" : "+a"(eax));
    return eax;
}

static NOINLINE void do_out(void)
{
    __asm__ volatile(".globl insn_out\ninsn_out: out %%al,$0x80" :: "a"(0) : "memory");
}

/* rep insb of n bytes to buf; returns EDI after, *ecx gets ECX after. */
static NOINLINE uint32_t do_ins(uint8_t *buf, uint32_t n, uint32_t *ecx)
{
    uint32_t edi = (uint32_t)(uintptr_t)buf;
    __asm__ volatile(".globl insn_ins\ninsn_ins: rep insb (%%dx),%%es:(%%edi)"
                     : "+D"(edi), "+c"(n) : "d"(0x60) : "memory");
    *ecx = n;
    return edi;
}

/* rep outsw of n words from buf; returns ESI after, *ecx gets ECX after. */
static NOINLINE uint32_t do_outs(const uint16_t *buf, uint32_t n, uint32_t *ecx)
{
    uint32_t esi = (uint32_t)(uintptr_t)buf;
    __asm__ volatile(".globl insn_outs\ninsn_outs: rep outsw %%ds:(%%esi),(%%dx)"
                     : "+S"(esi), "+c"(n) : "d"(0x80) : "memory");
    *ecx = n;
    return esi;
}

static uint8_t buf[4096];

/* The other forms, for op=all: every size, both port encodings, DF=1. */
static void check_more_forms(void)
{
    uint32_t eax = 0x12345678, edi, ecx;

    __asm__ volatile("in (%%dx),%%ax" : "+a"(eax) : "d"(0x3f8));
    check_hex("in (%dx),%ax gives 0xffff, upper half kept", eax, 0x1234ffff);
    __asm__ volatile("in (%%dx),%%eax" : "+a"(eax) : "d"(0xcfc));
    check_hex("in (%dx),%eax gives all ones", eax, 0xffffffff);
    __asm__ volatile("in $0x40,%%ax" : "+a"(eax));
    __asm__ volatile("out %%eax,(%%dx)\n\tout %%ax,$0x80\n\tout %%al,(%%dx)"
                     :: "a"(0), "d"(0xf4) : "memory");
    check_rc("out to QEMU's exit port and others did nothing", 1, 1);

    memset(buf, 0, sizeof(buf));
    edi = (uint32_t)(uintptr_t)&buf[64 + 12];
    ecx = 4;                                  /* std; rep insl: downwards */
    __asm__ volatile("std\n\trep insl (%%dx),%%es:(%%edi)\n\tcld"
                     : "+D"(edi), "+c"(ecx) : "d"(0x60) : "memory");
    check_hex("rep insl with DF=1: EDI went down 16", edi, (uint32_t)(uintptr_t)&buf[64 - 4]);
    check_rc("rep insl with DF=1: buf[64..80) all ones, buf[63] untouched",
             buf[64] == 0xff && buf[79] == 0xff && buf[63] == 0 && buf[80] == 0, 1);

    memset(buf, 0, sizeof(buf));              /* longer than one trap's chunk */
    edi = do_ins(buf, 3000, &ecx);
    check_hex("rep insb of 3000: EDI at the end", edi, (uint32_t)(uintptr_t)&buf[3000]);
    check_rc("rep insb of 3000: ECX 0, all ones, buf[3000] untouched",
             ecx == 0 && buf[0] == 0xff && buf[2999] == 0xff && buf[3000] == 0, 1);
    edi = (uint32_t)(uintptr_t)buf;
    __asm__ volatile("outsb (%%esi),(%%dx)" : "+S"(edi) : "d"(0x80) : "memory");
    check_hex("outsb without rep: ESI + 1", edi, (uint32_t)(uintptr_t)buf + 1);
}

/* op=NAME: run one operation (announced first) and check its result. */
static void run_op(const char *op)
{
    static const struct { const char *name, *text; char *at; } ops[] = {
        { "cli", "cli", insn_cli }, { "sti", "sti", insn_sti },
        { "in", "in $0x71,%al", insn_in }, { "out", "out %al,$0x80", insn_out },
        { "ins", "rep insb (%dx),%es:(%edi)", insn_ins },
        { "outs", "rep outsw %ds:(%esi),(%dx)", insn_outs },
    };
    uint32_t ecx, end;
    bool all = !strcmp(op, "all"), found = all || !strcmp(op, "none");

    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        if (!all && strcmp(op, ops[i].name))
            continue;
        found = true;
        printf("executing %s at 0x%08x\n", ops[i].text, (uint32_t)(uintptr_t)ops[i].at);
        console_flush();
        switch (i) {
        case 0: do_cli(); break;
        case 1: do_sti(); break;
        case 2: check_hex("in $0x71,%al reads 0xff", do_in(0x12345600), 0x123456ff); break;
        case 3: do_out(); break;
        case 4:
            memset(buf, 0, 16);
            end = do_ins(buf, 8, &ecx);
            check_rc("rep insb: 8 bytes of 0xff, ECX 0, EDI + 8",
                     buf[0] == 0xff && buf[7] == 0xff && buf[8] == 0 && ecx == 0 &&
                     end == (uint32_t)(uintptr_t)buf + 8, 1);
            break;
        case 5:
            end = do_outs((const uint16_t *)buf, 5, &ecx);
            check_rc("rep outsw: ECX 0, ESI + 10", ecx == 0 && end == (uint32_t)(uintptr_t)buf + 10, 1);
            break;
        }
        printf("survived %s\n", ops[i].text);
    }
    if (all)
        check_more_forms();
    if (!found)
        test_error("unknown op=%s", op);
}

/* The hypercalls' answers; leaves IOPL 0 and no assist, as at boot. */
static void check_hypercalls(void)
{
    struct xen_physdev_set_iopl io = { .iopl = 4 };

    check_rc("set_iopl 4", HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), -EINVAL);
    check_rc("set_iopl with a pointer into the hypervisor",
             HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, (void *)0xfc000000), -EFAULT);
    io.iopl = 0;
    check_rc("set_iopl 0", HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), 0);
    check_rc("physdev_op PHYSDEVOP_eoi", HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &io), -ENOSYS);
    check_rc("vm_assist enable architectural_iopl",
             HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl), 0);
    check_rc("vm_assist disable architectural_iopl",
             HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl), 0);
    check_rc("vm_assist enable pae_extended_cr3",
             HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3), 0);
    check_rc("vm_assist enable 4gb_segments",
             HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_4gb_segments), -EINVAL);
    check_rc("vm_assist enable writable_pagetables",
             HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), -EINVAL);
    check_rc("vm_assist enable type 99", HYPERVISOR_vm_assist(VMASST_CMD_enable, 99), -EINVAL);
    check_rc("vm_assist command 7", HYPERVISOR_vm_assist(7, VMASST_TYPE_architectural_iopl),
             -ENOSYS);
}

void pvguest_main(const xen_start_info_t *si)
{
    char op[16] = "none";
    unsigned long iopl = cmdline_uint("iopl", ~0ul);

    (void)si;
    check_hypercalls();
    if (iopl != ~0ul) {
        struct xen_physdev_set_iopl io = { .iopl = (uint32_t)iopl };
        check_rc("set_iopl from the command line", HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), 0);
    }
    if (cmdline_uint("assist", 0))
        check_rc("vm_assist enable architectural_iopl",
                 HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl), 0);
    cmdline_get("op", op, sizeof(op));
    printf("iopl %lu, architectural_iopl %lu, op %s\n", iopl == ~0ul ? 0 : iopl,
           cmdline_uint("assist", 0), op);
    run_op(op);
    test_pass();
    xtf_exit();
}

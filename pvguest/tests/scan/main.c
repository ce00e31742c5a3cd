/*
 * scan - the instructions a CPU without UMIP or CPUID faulting runs
 * untrapped in ring 1, for the builder's load-time scan to find.
 *
 * The image holds one small function for each: sgdt, sidt, sldt, smsw, str
 * and a plain cpuid, each starting with the instruction itself, so its
 * symbol is the address the scan must name.  The scan must not name the
 * library's cpuid behind Xen's forced-emulation prefix (xen_cpuid), and
 * must count the junk bytes at scan_junk (in .text, but not code) as
 * undecodable.  tests/test_scan.py reads the symbols with nm and matches
 * them to the builder's "(hv) d0 scan:" lines.
 *
 * Without a command line the guest calls none of them: it only asks for
 * leaf 0 the way a PV kernel should, through xen_cpuid(), and passes.  With
 * "run" it calls the five UMIP instructions (never the cpuid, which only
 * its symbol reaches) and prints what ring 1 learnt: on a CPU without UMIP
 * sgdt and sidt hand it the hypervisor's own table addresses, above
 * HYPERVISOR_VIRT_START - the leak the scan is there to report.  On a CPU
 * with UMIP the first of them faults, so "run" is for one without.
 */
#include "pvguest/lib/pvguest.h"

#define HV_VIRT_START 0xF5800000u

/* Each takes its operand in %eax and returns there; nothing else is touched. */
__asm__(".pushsection .text.untrapped, \"ax\"\n"
        ".globl untrapped_sgdt, untrapped_sidt, untrapped_sldt, untrapped_smsw\n"
        ".globl untrapped_str, untrapped_cpuid\n"
        ".type untrapped_sgdt, @function\n"
        "untrapped_sgdt:  sgdtl (%eax); ret\n"
        ".type untrapped_sidt, @function\n"
        "untrapped_sidt:  sidtl (%eax); ret\n"
        ".type untrapped_sldt, @function\n"
        "untrapped_sldt:  sldt %eax; ret\n"
        ".type untrapped_smsw, @function\n"
        "untrapped_smsw:  smsw %eax; ret\n"
        ".type untrapped_str, @function\n"
        "untrapped_str:   str %eax; ret\n"
        ".type untrapped_cpuid, @function\n"
        "untrapped_cpuid: cpuid; ret\n"
        ".globl scan_junk\n"
        ".type scan_junk, @object\n"
        "scan_junk: .fill 32, 1, 0xd6\n"          /* d6: no instruction */
        ".size scan_junk, 32\n"
        ".popsection");

struct __attribute__((packed)) desc_ptr { uint16_t limit; uint32_t base; };

static void run_them(void)
{
    struct desc_ptr gdt = { 0 }, idt = { 0 };
    uint32_t ldt, msw, tr;

    __asm__ volatile("call untrapped_sgdt" :: "a"(&gdt) : "memory");
    __asm__ volatile("call untrapped_sidt" :: "a"(&idt) : "memory");
    __asm__ volatile("call untrapped_sldt" : "=a"(ldt));
    __asm__ volatile("call untrapped_smsw" : "=a"(msw));
    __asm__ volatile("call untrapped_str" : "=a"(tr));
    printf("untrapped in ring 1: sgdt base 0x%08x limit 0x%x, sidt base 0x%08x limit 0x%x\n",
           gdt.base, gdt.limit, idt.base, idt.limit);
    printf("untrapped in ring 1: sldt 0x%x, smsw 0x%x, str 0x%x\n", ldt & 0xffff,
           msw & 0xffff, tr & 0xffff);
    check_rc("sgdt shows a hypervisor address", gdt.base >= HV_VIRT_START, 1);
    check_rc("sidt shows a hypervisor address", idt.base >= HV_VIRT_START, 1);
}

void pvguest_main(const xen_start_info_t *si)
{
    struct cpuid_regs r;

    printf("scan: cmdline \"%s\"\n", (const char *)si->cmd_line);
    xen_cpuid(0, 0, &r);
    check_rc("forced-emulation cpuid leaf 0: max basic leaf >= 1", r.eax >= 1, 1);
    if (!strcmp((const char *)si->cmd_line, "run"))
        run_them();
    test_pass();
    xtf_exit();
}

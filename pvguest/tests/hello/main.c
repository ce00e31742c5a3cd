/*
 * hello - the first guest: say hello, show what the builder gave us, check it.
 *
 * The smoke test of the whole path from multiboot module to ring 1: if this
 * prints, the image was loaded, the hypercall page filled, the entry
 * registers set and console_io works.  It then checks the start-of-day
 * layout against Xen's rules (xen.h, "start of day"): after the image come
 * the p2m list, start_info, the page tables and the boot stack, each page
 * aligned and in that order; pfn N is mapped at VIRT_BASE + N*4096 (checked
 * against our own page tables and the p2m list); the page tables are
 * mapped read-only and the rest writable; and the mapping ends on a 4 MiB
 * boundary at least 512 KiB past the boot stack.  Built twice: hello.elf
 * (VIRT_BASE 0xC0000000) and hello-low.elf (VIRT_BASE 0, image at 1 MiB).
 */
#include "pvguest/lib/pvguest.h"

#define MB(x) ((uint32_t)(x) << 20)

static void check_true(const char *what, bool ok)
{
    check_rc(what, ok, 1);
}

/* Is pfn N where Xen says, at VIRT_BASE + N*4096, with the right access? */
static void check_page(const char *what, uint32_t va, bool writable)
{
    const xen_start_info_t *si = pvguest_start_info;
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
    uint32_t pfn = (va - PV_VIRT_BASE) / PAGE_SIZE;
    uint64_t pte = 0;
    bool mapped = pt_lookup(va, &pte);
    char buf[64];

    printf("%s: va 0x%08x pfn 0x%x mfn 0x%x pte 0x%llx\n", what, va, pfn,
           pfn < si->nr_pages ? p2m[pfn] : ~0u, pte);
    snprintf(buf, sizeof(buf), "%s is mapped", what);
    check_true(buf, mapped);
    snprintf(buf, sizeof(buf), "%s maps pfn's frame", what);
    check_true(buf, mapped && pfn < si->nr_pages && PTE_MFN(pte) == p2m[pfn]);
    snprintf(buf, sizeof(buf), "%s %s", what, writable ? "writable" : "read-only");
    check_true(buf, mapped && !!(pte & PTE_RW) == writable);
}

static void check_layout(const xen_start_info_t *si)
{
    uint32_t end = (uint32_t)(uintptr_t)_end, sva = (uint32_t)(uintptr_t)si;
    uint32_t pt_end = si->pt_base + si->nr_pt_frames * PAGE_SIZE;
    uint32_t esp = pvguest_boot_esp, map_end, want_end;

    printf("virt_base 0x%08x image [0x%08x,0x%08x)\n", PV_VIRT_BASE,
           (uint32_t)(uintptr_t)_start, end);
    printf("mfn_list 0x%08lx start_info 0x%08x pt_base 0x%08lx nr_pt_frames %lu"
           " boot esp 0x%08x\n", (unsigned long)si->mfn_list, sva,
           (unsigned long)si->pt_base, (unsigned long)si->nr_pt_frames, esp);
    check_true("image end <= mfn_list", end <= si->mfn_list);
    check_true("mfn_list + nr_pages*4 <= start_info",
               si->mfn_list + si->nr_pages * 4 <= sva);
    check_true("start_info page aligned", !(sva & (PAGE_SIZE - 1)));
    check_true("start_info < pt_base", sva < si->pt_base);
    check_true("pt_base page aligned", !(si->pt_base & (PAGE_SIZE - 1)));
    check_true("page tables end <= boot esp", pt_end <= esp);
    check_true("boot esp page aligned", !(esp & (PAGE_SIZE - 1)));

    check_page("pfn 0", PV_VIRT_BASE, true);
    check_page("image start", (uint32_t)(uintptr_t)_start, true);
    check_page("start_info", sva, true);
    check_page("pt_base", si->pt_base, false);
    check_page("boot stack", esp - 4, true);

    map_end = pt_mapped_end(PV_VIRT_BASE);
    want_end = ALIGN_UP(esp + 512 * 1024, MB(4));
    printf("initial mapping [0x%08x,0x%08x)\n", PV_VIRT_BASE, map_end);
    check_hex("mapping end (4 MiB-rounded, >= 512 KiB past the stack)",
              map_end, want_end);
    check_true("mapping within nr_pages",
               map_end - PV_VIRT_BASE <= si->nr_pages * PAGE_SIZE);
}

void pvguest_main(const xen_start_info_t *si)
{
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

    printf("Hello from pvguest\n");
    printf("magic \"%.32s\" nr_pages %lu flags 0x%x\n", si->magic,
           (unsigned long)si->nr_pages, si->flags);
    printf("cmdline \"%s\"\n", si->cmd_line);
    printf("xen_version %ld.%ld\n", ver >> 16, ver & 0xffff);

    check_rc("magic is xen-3.0-x86_32p",
             !strncmp(si->magic, "xen-3.0-x86_32p", sizeof(si->magic)), 1);
    check_true("nr_pages > 0", si->nr_pages > 0);
    check_layout(si);
    test_pass();
    xtf_exit();
}

/*
 * bootinfo.c - read the multiboot information and protect what it names.
 *
 * The boot loader leaves a structure in memory that tells us the command
 * line, the memory map and where it put each module (each guest image).
 * We copy what we need into our own variables at once, because the frames
 * it occupies are about to become allocatable, and we check every module
 * against the memory map and against everything else that must survive
 * (our own image, the information block, the BIOS area, other modules): a
 * module that overlaps one of those is reported and not used, rather than
 * being silently overwritten by the first page we allocate.
 */
#include "hypervisor/bootinfo.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/console/console.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"
#include "arch/x86/paging.h"

#define MB_BOOTLOADER_MAGIC 0x2BADB002u
#define MBI_MEM      (1u << 0)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER   (1u << 9)

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};
struct mb_module { uint32_t start, end, string, reserved; };

static struct mb_info mbi;

/* Copy a NUL-terminated string from a machine address, truncating. */
static void read_string(char *dst, size_t max, uint32_t pa)
{
    size_t i = 0;
    for (; i + 1 < max; i++) {
        phys_read(&dst[i], pa + i, 1);
        if (!dst[i])
            return;
    }
    dst[i] = '\0';
}

static void warn(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    hvlog("warning: %s\n", buf);
}

bool bootinfo_read(uint32_t magic, uint32_t mbi_pa, struct boot_info *bi)
{
    if (magic != MB_BOOTLOADER_MAGIC) {
        hvlog("error: not started by a multiboot loader (magic 0x%08x)\n", magic);
        return false;
    }
    phys_read(&mbi, mbi_pa, sizeof(mbi));
    bi->mbi_start = mbi_pa;
    bi->mbi_end = mbi_pa + sizeof(mbi);
    if (mbi.flags & MBI_CMDLINE)
        read_string(bi->cmdline, sizeof(bi->cmdline), mbi.cmdline);
    if (mbi.flags & MBI_LOADER)
        read_string(bi->loader, sizeof(bi->loader), mbi.boot_loader_name);
    unsigned n = (mbi.flags & MBI_MODS) ? mbi.mods_count : 0;
    if (n > BOOT_MAX_MODULES) {
        hvlog("warning: %u modules given; only the first %u are used\n", n, BOOT_MAX_MODULES);
        n = BOOT_MAX_MODULES;
    }
    for (unsigned i = 0; i < n; i++) {
        struct mb_module m;
        phys_read(&m, mbi.mods_addr + i * sizeof(m), sizeof(m));
        bi->mod[i] = (struct boot_module){ .start = m.start, .end = m.end, .usable = true };
        read_string(bi->mod[i].cmdline, sizeof(bi->mod[i].cmdline), m.string);
        hvlog("module %u: 0x%08x-0x%08x '%s'\n", i, m.start, m.end, bi->mod[i].cmdline);
    }
    bi->nmod = n;
    return true;
}

static void apply_mem_limit(struct memmap *m, uint32_t mib)
{
    uint64_t left = (uint64_t)mib << 20;
    m->total = 0;
    for (unsigned i = 0; i < m->nram; i++) {
        uint64_t len = MIN(m->ram[i].end - m->ram[i].start, left);
        m->ignored += m->ram[i].end - m->ram[i].start - len;
        m->ram[i].end = m->ram[i].start + len;
        left -= len;
        m->total += len;
    }
}

bool bootinfo_memory(struct boot_info *bi)
{
    static uint8_t buf[4096];
    if ((mbi.flags & MBI_MMAP) && !hv_opts.ignore_mmap) {
        uint32_t len = MIN(mbi.mmap_length, (uint32_t)sizeof(buf));
        if (len < mbi.mmap_length)
            warn("memory map longer than %u bytes; the rest is ignored", len);
        phys_read(buf, mbi.mmap_addr, len);
        bi->have_mmap = memmap_from_multiboot(&bi->mem, buf, len, warn) > 0;
        bi->mbi_end = MAX(bi->mbi_end, (paddr_t)mbi.mmap_addr + len);
        if (!bi->have_mmap)
            warn("the boot loader's memory map lists no usable RAM");
    } else {
        warn("no memory map from the boot loader%s; using mem_lower/mem_upper",
             hv_opts.ignore_mmap ? " (ignore-mmap)" : "");
    }
    if (!bi->have_mmap) {
        if (!(mbi.flags & MBI_MEM)) {
            hvlog("error: the boot loader gave no memory information at all\n");
            return false;
        }
        memmap_from_basic(&bi->mem, mbi.mem_lower, mbi.mem_upper);
    }
    if (hv_opts.mem_limit_mib)
        apply_mem_limit(&bi->mem, hv_opts.mem_limit_mib);
    return true;
}

void bootinfo_reserve(struct boot_info *bi)
{
    extern char _image_end[];
    static struct boot_region keep[BOOT_MAX_MODULES + 3];
    keep[0] = (struct boot_region){ 0, 1u << 20, "the BIOS area below 1 MiB" };
    keep[1] = (struct boot_region){ HV_LOAD_PHYS, directmap_pa(_image_end), "the hypervisor image" };
    keep[2] = (struct boot_region){ bi->mbi_start & PAGE_MASK, ALIGN_UP(bi->mbi_end, PAGE_SIZE), "the multiboot information" };
    unsigned nkeep = 3;
    for (unsigned i = 0; i < bi->mem.nram; i++)
        frame_add_ram(bi->mem.ram[i].start, bi->mem.ram[i].end);
    for (unsigned i = 0; i < nkeep; i++)
        frame_reserve(keep[i].start, keep[i].end);
    for (unsigned i = 0; i < bi->nmod; i++) {
        struct boot_module *m = &bi->mod[i];
        const char *other = memmap_find_overlap(keep, nkeep, m->start, m->end);
        /* Reported once, by the builder, with the domain it would have been. */
        if (m->end <= m->start)
            snprintf(m->why, sizeof(m->why), "the module is empty [0x%llx-0x%llx)",
                     (unsigned long long)m->start, (unsigned long long)m->end);
        else if (other)
            snprintf(m->why, sizeof(m->why), "the module [0x%llx-0x%llx) overlaps %s",
                     (unsigned long long)m->start, (unsigned long long)m->end, other);
        else if (!memmap_contains(&bi->mem, m->start & PAGE_MASK, m->end))
            snprintf(m->why, sizeof(m->why), "the module [0x%llx-0x%llx) is not in usable RAM",
                     (unsigned long long)m->start, (unsigned long long)m->end);
        m->usable = !m->why[0];
        if (!m->usable)
            continue;
        keep[nkeep++] = (struct boot_region){ m->start & PAGE_MASK, ALIGN_UP(m->end, PAGE_SIZE), "another module" };
        frame_reserve(m->start, m->end);
    }
}

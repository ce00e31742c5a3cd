/*
 * builder_scan.c - the builder's load-time scan: run it, time it, report it.
 *
 * The builder calls builder_scan() once the image is parsed and before the
 * domain has any memory, so refusing a domain under dom.scan=refuse costs
 * nothing.  This file owns the hypervisor's side of the scan: which bytes
 * are code (the executable PT_LOADs), the frames borrowed for its bitmaps
 * (given back before it returns), the timing, the console lines and the
 * policy.  Deciding what an instruction is and which ones matter is
 * scan.c's; this file never decodes.
 */
#include "hypervisor/domain/builder_scan.h"
#include "hypervisor/domain/scan.h"
#include "hypervisor/domain/elf_format.h"
#include "hypervisor/console/console.h"
#include "hypervisor/event/time.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"

#define SHOWN 16                    /* finding lines per domain, then "... N more" */
#define MAX_WORK_PAGES 1024         /* 4 MiB of bitmaps and worklist: ~11 MiB of code */

static void print_finding(unsigned id, const struct scan_finding *f)
{
    char bytes[INSN_MAX_LEN * 3] = "", text[80];

    for (unsigned i = 0; i < f->insn.len; i++)
        snprintf(bytes + 3 * i, 4, "%02x%s", f->insn.bytes[i], i + 1 < f->insn.len ? " " : "");
    insn_format(&f->insn, f->addr, text, sizeof(text));
    hvlog("d%u scan: 0x%08x: %s  %s  (%s; %s)\n", id, f->addr, bytes, text, f->why,
          scan_how_name(f->how));
}

/* Run the scan in `pages` borrowed frames; the time it took in microseconds. */
static uint32_t run(unsigned id, struct scan *s, mfn_t work, uint32_t pages,
                    const struct elf_image *img, const void *image, size_t size)
{
    uint64_t t0 = time_now_ns();

    BUG_ON(!scan_begin(s, directmap_va((paddr_t)mfn_x(work) << PAGE_SHIFT), pages * PAGE_SIZE));
    scan_seed(s, img->entry, SCAN_FROM_ENTRY);
    if (elf_symbols_code(image, size, scan_seed_symbol, s) < 0)
        hvlog("d%u scan: the symbol table lies outside the image; scanning without it\n", id);
    scan_finish(s);
    return (uint32_t)((time_now_ns() - t0) / 1000);
}

bool builder_scan(unsigned id, const struct elf_image *img, const void *image, size_t size,
                  enum scan_mode mode, char *err, size_t errlen)
{
    static struct scan_seg seg[ELF_MAX_SEGS];
    static struct scan_finding found[SHOWN];
    static struct scan s;

    if (mode == SCAN_OFF)
        return true;
    s = (struct scan){ .seg = seg, .env = { cpu.umip_on, cpu.cpuid_faulting_on },
                       .found = found, .found_max = SHOWN };
    for (unsigned i = 0; i < img->nseg; i++)
        if (img->seg[i].flags & PF_X)
            seg[s.nseg++] = (struct scan_seg){ img->seg[i].vaddr, img->seg[i].filesz,
                                               (const uint8_t *)image + img->seg[i].offset };
    uint64_t pages = (scan_work_size(seg, s.nseg) + PAGE_SIZE - 1) >> PAGE_SHIFT;
    mfn_t work = pages <= MAX_WORK_PAGES ? frame_alloc_low_range((uint32_t)pages) : INVALID_MFN;
    if (mfn_eq(work, INVALID_MFN)) {
        snprintf(err, errlen, "no memory to scan the code (%u KiB of bitmaps)",
                 (uint32_t)pages * 4);
        hvlog("d%u scan: not done: %s\n", id, err);
        return mode != SCAN_REFUSE;
    }
    uint32_t us = run(id, &s, work, (uint32_t)pages, img, image, size);
    for (uint32_t i = 0; i < pages; i++)
        frame_free(_mfn(mfn_x(work) + i));
    hvlog("d%u scan: %u untrappable instruction%s in %u bytes of code (descent %u, sweep %u, "
          "%u undecodable) in %u.%03u ms\n", id, s.nfound, s.nfound == 1 ? "" : "s", s.code,
          s.descent, s.sweep, s.code - s.descent - s.sweep, us / 1000, us % 1000);
    for (unsigned i = 0; i < MIN(s.nfound, SHOWN); i++)
        print_finding(id, &found[i]);
    if (s.nfound > SHOWN)
        hvlog("d%u scan: ... %u more\n", id, s.nfound - SHOWN);
    if (mode != SCAN_REFUSE || !s.nfound)
        return true;
    snprintf(err, errlen, "dom.scan=refuse and the scan found %u untrappable instruction%s "
             "(the first at 0x%08x)", s.nfound, s.nfound == 1 ? "" : "s", found[0].addr);
    return false;
}

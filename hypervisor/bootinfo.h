/* bootinfo.h - what the boot loader told us, copied into our own memory. */
#ifndef HV_BOOTINFO_H
#define HV_BOOTINFO_H
#include "hypervisor/types.h"
#include "hypervisor/mm/memmap.h"

#define BOOT_MAX_MODULES 128
#define BOOT_CMDLINE_MAX 256

struct boot_module {
    paddr_t start, end;               /* machine addresses [start, end) */
    char cmdline[BOOT_CMDLINE_MAX];   /* "path args..." as the loader gave it */
    bool usable;                      /* false: see why */
    char why[96];                     /* why it cannot be used */
};

struct boot_info {
    char cmdline[BOOT_CMDLINE_MAX];
    char loader[48];
    struct memmap mem;
    bool have_mmap;                   /* false: mem_lower/mem_upper fallback */
    struct boot_module mod[BOOT_MAX_MODULES];
    unsigned nmod;
    paddr_t mbi_start, mbi_end;       /* the multiboot info block itself */
};

/* Copy the multiboot information at mbi_pa.  Returns false if unusable. */
bool bootinfo_read(uint32_t magic, uint32_t mbi_pa, struct boot_info *bi);
/* Parse the memory map (after the command line: ignore-mmap, mem=). */
bool bootinfo_memory(struct boot_info *bi);
/* Give the allocator all RAM except the image, BIOS area, MBI and modules. */
void bootinfo_reserve(struct boot_info *bi);
#endif

/*
 * elf.h - parse and validate a guest kernel image (ELF32 with Xen notes).
 *
 * A guest kernel reaches us as a multiboot module: a byte buffer that may be
 * anything - truncated, corrupt or built to attack us.  elf_parse() turns it
 * into a struct elf_image whose every number has been checked, so the domain
 * builder can copy segments without doing any arithmetic on file contents.
 * The rules follow Xen's libelf (xen/common/libelf/libelf-dominfo.c) so that
 * unmodified 32-bit PV kernels (XTF pv32pae, Mini-OS, GRUB's Xen build)
 * load; the note numbers are in hypercalls/public/elfnote.h.  Where libelf
 * reads past a problem (marks the image "broken", or reads a value as 0)
 * we refuse with a reason instead.  The parser is elf.c, with the FEATURES
 * names in elf_features.c and the BSD_SYMTAB plan in elf_symtab.c.  It only
 * reads the buffer: it never copies segments, allocates, or touches guest
 * memory.
 *
 * Errors are negative Xen errno values plus a one-line reason in `err`:
 *   -ENOEXEC  not an image we can run: not ELF, wrong class/machine/type,
 *             no PT_LOAD, missing or wrong notes, non-PAE, missing features
 *   -EINVAL   an inconsistent image: truncated tables or segments, malformed
 *             notes, overlapping segments, the hypervisor hole, bad entry
 *             point or hypercall page
 *   -E2BIG    more PT_LOAD segments or notes than we are willing to walk
 *   -ENOMEM   (elf_check_fits only) the image does not fit the domain
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include "hypervisor/types.h"
#include "hypercalls/public/version.h"   /* XENFEAT_* */

/* The guest may use no virtual address at or above this: it is ours. */
#define ELF_HYPERVISOR_VIRT_START 0xF5800000u

#define ELF_MAX_SEGS  8      /* PT_LOADs we accept (Linux has 3-5, XTF 1) */
#define ELF_MAX_NOTES 1024   /* notes we walk before calling it hostile */
#define ELF_MAX_STRING 4096  /* longest string note (libelf's, too) */

/*
 * The features this hypervisor gives every PV guest; a guest that marks any
 * other feature required ("!name") is refused.  XTF and Linux both require
 * writable_page_tables, so the memory manager must honour guest writes to
 * its own page tables (VMASST_TYPE_writable_pagetables).  With all guest
 * memory below 4 GiB, pae_pgdir_above_4gb costs nothing.
 */
#define ELF_XENFEATS_OFFERED ((1u << XENFEAT_writable_page_tables) | \
                              (1u << XENFEAT_pae_pgdir_above_4gb))

/*
 * One PT_LOAD segment.  `vaddr` is where the builder copies it: as libelf
 * does, p_paddr + (virt_base - paddr_offset).  For every modern image that
 * equals p_vaddr; it differs only for old kernels that put VIRT_BASE into
 * p_paddr and said so with PADDR_OFFSET.  File bytes [offset, offset+filesz)
 * go to vaddr, and [vaddr+filesz, vaddr+memsz) is zero-filled.
 */
struct elf_segment {
    uint32_t vaddr, paddr, filesz, memsz, offset;
    uint32_t flags;                          /* PF_X=1, PF_W=2, PF_R=4 */
};

/*
 * The BSD_SYMTAB area (elf_symtab.c): for a guest whose BSD_SYMTAB note says
 * "yes", the image's symbol and string tables after its end, laid out as
 * Xen's libelf does (elf_load_bsdsyms).  At va = virt_kend rounded up to 4:
 * a 4-byte size, the ELF header in a 64-byte slot, three 40-byte section
 * headers (null, symtab, strtab), zeroes to byte 260, the symbol table, and
 * the string table at str_at (4-aligned).  `head` is the first 260 bytes,
 * every byte that holds no field zero; the builder copies head and the two
 * checked file ranges, and nothing else is written in [va, end).
 */
#define ELF_SYMTAB_HEAD 260
struct elf_symtab {
    bool loaded;
    uint32_t va, end;                    /* [va, end) once loaded */
    uint32_t sym_off, sym_len;           /* the SHT_SYMTAB's bytes in file */
    uint32_t str_off, str_len, str_at;   /* the SHT_STRTAB's; str_at from va */
    uint8_t head[ELF_SYMTAB_HEAD];
    char what[96];                       /* where it went, or why none did */
};

struct elf_image {
    uint32_t entry;            /* ENTRY note, else e_entry */
    uint32_t virt_base;        /* VIRT_BASE note, else 0 */
    uint32_t paddr_offset;     /* PADDR_OFFSET note, else 0 (libelf, notes) */
    uint32_t hypercall_page;   /* HYPERCALL_PAGE note, page aligned, or 0 */
    bool has_hypercall_page;
    uint32_t virt_kstart;      /* lowest vaddr of all PT_LOADs */
    uint32_t virt_kend;        /* highest vaddr+memsz of all PT_LOADs */
    uint32_t hv_start_low;     /* HV_START_LOW note; 0 if none */
    bool has_hv_start_low;

    struct elf_segment seg[ELF_MAX_SEGS];
    unsigned nseg;

    /* String notes, NUL-terminated, cut to fit; "" when absent. */
    char guest_os[32], guest_version[16], loader[16], xen_version[16];
    char pae_mode[24], features[128];
    bool pae_yes;              /* PAE_MODE "yes", "yes[...]" or "...bimodal" */
    uint32_t feat_supported;   /* XENFEAT_* bits the guest can use */
    uint32_t feat_required;    /* XENFEAT_* bits the guest cannot run without */
    bool notes_from_sections;  /* notes came from SHT_NOTE, not PT_NOTE */
    bool bsd_symtab;           /* BSD_SYMTAB note is "yes" */
    struct elf_symtab symtab;  /* what was planned for it */
    uint32_t load_end;         /* the symtab's end, else virt_kend: the
                                  start-of-day data starts at the next page */
};

/*
 * Parse and validate `size` bytes at `image` (untrusted).  Returns 0 and
 * fills *out, or a negative errno with a reason in err[errlen] (err may be
 * NULL); *out is then only partly filled and must not be used.
 *
 * After a 0 return the builder may rely on, without further checks:
 * 1 <= nseg <= ELF_MAX_SEGS; each [offset, offset+filesz) is inside the
 * buffer and filesz <= memsz; each [vaddr, vaddr+memsz) ends at or below
 * ELF_HYPERVISOR_VIRT_START and no two overlap (they may share a page and
 * are in file order, not sorted); virt_base is page aligned and
 * <= virt_kstart; virt_kstart <= entry < virt_kend; a hypercall page is page
 * aligned and wholly inside [virt_kstart, virt_kend); pae_yes is true; and
 * feat_required is a subset of ELF_XENFEATS_OFFERED; virt_kend <= load_end
 * <= ELF_HYPERVISOR_VIRT_START, and a loaded symtab's ranges are inside
 * the buffer and [va, end) inside [virt_kend, load_end).
 */
int elf_parse(const void *image, size_t size, struct elf_image *out,
              char *err, size_t errlen);

/*
 * Refuse an image that cannot fit a domain of `mem_bytes` bytes: its span
 * (load_end - virt_base) plus the least the builder needs after it
 * (start_info, console and store pages, p2m list, page tables, stack).
 * A lower bound: the builder's exact layout may still run out.  -ENOMEM.
 */
int elf_check_fits(const struct elf_image *img, uint32_t mem_bytes,
                   char *err, size_t errlen);

/*
 * Plan the BSD_SYMTAB area for a parsed image (elf_parse calls it when the
 * note says "yes").  The section headers are untrusted: the table and both
 * tables must lie inside the buffer and the area below the hole, or -EINVAL.
 * An image with no usable symbol table gets none, as on Xen, with the
 * reason in symtab.what; then load_end stays virt_kend.
 */
int elf_symtab_plan(const void *image, size_t size, struct elf_image *img,
                    char *err, size_t errlen);

/* The name of XENFEAT_ bit `bit`, for error lines ("?" if none). */
const char *elf_feature_name(unsigned bit);

/*
 * Parse a FEATURES string ("name|!name|...", at most `len` bytes, stops at
 * NUL) into XENFEAT_* bitmaps; both are ORed into, not cleared.  Unknown
 * names are ignored unless required ('!'): then -ENOEXEC.
 */
int elf_parse_features(const char *s, size_t len, uint32_t *supported,
                       uint32_t *required, char *err, size_t errlen);

#endif

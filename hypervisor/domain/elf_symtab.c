/*
 * elf_symtab.c - the BSD_SYMTAB area: a guest's own symbols after its image.
 *
 * A kernel whose BSD_SYMTAB note says "yes" (NetBSD's, for its debugger)
 * gets its symbol and string tables loaded after its image, wrapped in a
 * small ELF file of their own.  This file plans that area from the image's
 * untrusted section headers, byte for byte as Xen's libelf lays it out
 * (elf_parse_bsdsyms and elf_load_bsdsyms in libelf-loader.c):
 *
 *   va = virt_kend rounded up to 4
 *   +0    u32   size: bytes from the ELF header to the end of the strings
 *   +4    ELF header, copied from the image, then made to describe three
 *         section headers at e_shoff 64 and no program headers; its 52
 *         bytes sit in a 64-byte slot (libelf's union of the 32- and 64-bit
 *         headers), and the 12 bytes after it are zero
 *   +68   section header 0 (all zero), 1 (the image's SHT_SYMTAB, sh_offset
 *         256, sh_link 2), 2 (its SHT_STRTAB); 40 bytes each, then zero up
 *         to +260, the end of libelf's three 64-byte slots
 *   +260  the symbol table; then the string table, 4-aligned
 *
 * Every byte here that is not a field or a table is zero.  XSA-194 was
 * exactly those bytes: libelf once filled them from its own stack, leaking
 * host memory to the guest; here the header is built in a zeroed buffer and
 * the builder's frames start zeroed.  One difference on purpose: libelf's
 * parse step reserves a 192-byte header (it counts 40-byte section
 * headers) while its load step writes the tables after 260, so Xen's next
 * page can start inside the last 68 bytes of the strings; we reserve what
 * is written (load_end), which differs only when the strings end that
 * close to a page boundary.  This file reads the image and writes only
 * struct elf_symtab; the builder does the copying.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/elf.h"
#include "hypervisor/domain/elf_format.h"
#include "hypercalls/public/errno.h"

#define EHDR_SLOT 64                    /* libelf's elf_ehdr union */
#define SHDR_AT   (4 + EHDR_SLOT)       /* the section headers, from va */
_Static_assert(ELF_SYMTAB_HEAD == 4 + EHDR_SLOT + 3 * 64, "libelf's header");

/* No area, as Xen would load none; the reason goes to the log. */
#define NONE(...) \
    (snprintf(st->what, sizeof(st->what), "none loaded: " __VA_ARGS__), 0)
#define TRUNCATED(what, off, len) elf_truncated(err, errlen, size, what, off, len)

/* The header: the image's ELF header and two section headers, re-aimed. */
static void fill_head(struct elf_symtab *st, const struct elf32_ehdr *image_eh,
                      struct elf32_shdr sym, struct elf32_shdr str)
{
    struct elf32_ehdr eh = *image_eh;
    uint32_t size = st->str_at - 4 + st->str_len;

    memset(st->head, 0, sizeof(st->head));
    memcpy(st->head, &size, 4);
    eh.e_version = EV_CURRENT;
    eh.e_phoff = 0, eh.e_phentsize = 0, eh.e_phnum = 0;
    eh.e_shoff = EHDR_SLOT, eh.e_shentsize = sizeof(sym), eh.e_shnum = 3;
    eh.e_ehsize = sizeof(eh), eh.e_shstrndx = 0;
    memcpy(st->head + 4, &eh, sizeof(eh));
    sym.sh_offset = ELF_SYMTAB_HEAD - 4, sym.sh_link = 2;
    str.sh_offset = st->str_at - 4;
    memcpy(st->head + SHDR_AT + sizeof(sym), &sym, sizeof(sym));
    memcpy(st->head + SHDR_AT + 2 * sizeof(sym), &str, sizeof(str));
}

/*
 * Hostile inputs: e_shoff, e_shnum, e_shentsize, and the sh_link, sh_type,
 * sh_offset and sh_size of the first SHT_SYMTAB and the section it links
 * to.  As libelf's elf_init, the first SHT_SYMTAB counts, and a bad link
 * means no table; every range is checked inside the buffer before a byte
 * is read, and the area's end in 64 bits against the hypervisor hole.
 */
int elf_symtab_plan(const void *image, size_t size, struct elf_image *img,
                    char *err, size_t errlen)
{
    const uint8_t *p = image;
    struct elf_symtab *st = &img->symtab;
    struct elf32_ehdr eh;
    struct elf32_shdr sym = { 0 }, str;         /* = 0: gcc cannot tell the loop below ran */
    unsigned i;
    int rc;

    memcpy(&eh, p, sizeof(eh));                 /* elf_parse checked 52 bytes */
    if (eh.e_shoff == 0 || eh.e_shnum == 0)
        return NONE("the image has no section headers");
    if ((rc = elf_section_table(&eh, size, err, errlen)))
        return rc;
    for (i = 1; i < eh.e_shnum; i++) {
        memcpy(&sym, p + eh.e_shoff + i * sizeof(sym), sizeof(sym));
        if (sym.sh_type == SHT_SYMTAB)
            break;
    }
    if (i == eh.e_shnum)
        return NONE("the image has no SHT_SYMTAB section");
    if (sym.sh_link == 0 || sym.sh_link >= eh.e_shnum)
        return NONE("SHT_SYMTAB %u links to section %u, which is not there",
                    i, sym.sh_link);
    memcpy(&str, p + eh.e_shoff + sym.sh_link * sizeof(str), sizeof(str));
    if (str.sh_type != SHT_STRTAB)
        return NONE("SHT_SYMTAB %u links to section %u, not a SHT_STRTAB",
                    i, sym.sh_link);
    if (!elf_in_file(size, sym.sh_offset, sym.sh_size))
        return TRUNCATED("SHT_SYMTAB section", sym.sh_offset, sym.sh_size);
    if (!elf_in_file(size, str.sh_offset, str.sh_size))
        return TRUNCATED("SHT_STRTAB section", str.sh_offset, str.sh_size);

    uint64_t va = ALIGN_UP((uint64_t)img->virt_kend, 4);
    uint64_t str_at = ALIGN_UP(ELF_SYMTAB_HEAD + (uint64_t)sym.sh_size, 4);
    uint64_t end = va + str_at + str.sh_size;
    if (end > ELF_HYPERVISOR_VIRT_START)
        return elf_errf(err, errlen, -EINVAL, "symbol table of 0x%llx bytes "
                        "at 0x%x reaches into the hypervisor hole at 0x%x",
                        (unsigned long long)(end - va), (unsigned)va,
                        ELF_HYPERVISOR_VIRT_START);
    *st = (struct elf_symtab){ .loaded = true, .va = va, .end = end,
        .sym_off = sym.sh_offset, .sym_len = sym.sh_size,
        .str_off = str.sh_offset, .str_len = str.sh_size, .str_at = str_at };
    fill_head(st, &eh, sym, str);
    snprintf(st->what, sizeof(st->what), "symbol table at 0x%08x-0x%08x "
             "(%u symbols, %u bytes of names)", st->va, st->end,
             st->sym_len / 16, st->str_len);
    img->load_end = st->end;
    return 0;
}

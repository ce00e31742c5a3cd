/*
 * elf_symbols.c - read the symbol table of an untrusted guest image.
 *
 * An unstripped image names its functions in an SHT_SYMTAB section, and
 * the load-time scan (scan.c) starts decoding at each of them.  This file
 * owns reading that table out of the multiboot module.  It trusts no number
 * in it: the section header table and the symbol table are checked to lie
 * inside the buffer, with arithmetic that cannot wrap, before a byte is
 * read, and the work is bounded by the buffer's size (at most 65535
 * section headers, at most size / 16 symbols).  It only reads.
 */
#include "hypervisor/domain/elf_symbols.h"
#include "hypervisor/domain/elf_format.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"

/* Is [off, off+len) inside size bytes?  Cannot wrap. */
static bool in_file(size_t size, uint32_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

/* Section header i, which the caller checked is inside the image. */
static struct elf32_shdr section(const uint8_t *img, const struct elf32_ehdr *eh, unsigned i)
{
    struct elf32_shdr sh;
    memcpy(&sh, img + eh->e_shoff + i * sizeof(sh), sizeof(sh));
    return sh;
}

/* Does sym name code: a function, or a label inside (not just at the end of) code? */
static bool is_code(const uint8_t *img, const struct elf32_ehdr *eh, const struct elf32_sym *sym)
{
    if ((sym->st_info & 15) == STT_FUNC)
        return true;
    if ((sym->st_info & 15) != STT_NOTYPE || sym->st_shndx == 0 || sym->st_shndx >= eh->e_shnum)
        return false;                           /* data, or undefined, absolute, common... */
    struct elf32_shdr sh = section(img, eh, sym->st_shndx);
    return (sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) == (SHF_ALLOC | SHF_EXECINSTR) &&
           sym->st_value - sh.sh_addr < sh.sh_size;
}

int elf_symbols_code(const void *image, size_t size, elf_symbol_fn *fn, void *arg)
{
    const uint8_t *img = image;
    struct elf32_ehdr eh;
    struct elf32_shdr tab;
    unsigned i;

    if (size < sizeof(eh))
        return -EINVAL;
    memcpy(&eh, img, sizeof(eh));
    if (eh.e_shnum == 0)
        return 0;
    if (eh.e_shentsize != sizeof(tab) ||
        !in_file(size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(tab)))
        return -EINVAL;
    for (i = 0; i < eh.e_shnum && section(img, &eh, i).sh_type != SHT_SYMTAB; i++)
        ;
    if (i == eh.e_shnum)
        return 0;                               /* stripped */
    tab = section(img, &eh, i);
    if (tab.sh_entsize != sizeof(struct elf32_sym) || !in_file(size, tab.sh_offset, tab.sh_size))
        return -EINVAL;
    for (i = 0; i < tab.sh_size / sizeof(struct elf32_sym); i++) {
        struct elf32_sym sym;
        memcpy(&sym, img + tab.sh_offset + i * sizeof(sym), sizeof(sym));
        if (is_code(img, &eh, &sym))
            fn(arg, sym.st_value);
    }
    return (int)i;
}

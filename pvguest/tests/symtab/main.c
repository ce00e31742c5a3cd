/*
 * symtab - a BSD_SYMTAB guest finds its own symbol table after its image.
 *
 * Our notes say BSD_SYMTAB "yes", so the builder loads this image's symbol
 * and string tables after its end, as Xen's libelf does (elf_load_bsdsyms):
 * at _end rounded up to 4, a size word, then a small ELF file of their own
 * (an ELF header in a 64-byte slot, section headers null, symtab, strtab,
 * zeroes to byte 260, the symbols, then the names 4-aligned).  The start of
 * day (p2m list, start_info...) begins on the next page.  We check every
 * field a debugger relies on, look our own symbols up by name and compare
 * their values with their addresses, and check that every byte between the
 * fields and tables, up to the p2m list, is zero: anything else would be
 * hypervisor memory leaking to us, as XSA-194's 12 bytes once did on Xen.
 */
#include "pvguest/lib/pvguest.h"
#include "hypercalls/public/elfnote.h"

#define STR_(x) #x
#define STR(x) STR_(x)
asm(".pushsection .note.Xen, \"a\", @note\n\t.balign 4\n\t"
    ".long 4, 4, " STR(XEN_ELFNOTE_BSD_SYMTAB) "\n\t"
    ".asciz \"Xen\"\n\t.asciz \"yes\"\n\t.popsection");

struct ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct shdr { uint32_t name, type, flags, addr, offset, size, link, info, align, entsize; };
struct sym { uint32_t name, value, size; uint8_t info, other; uint16_t shndx; };

const uint32_t symtab_marker = 0x5eb0105;   /* an object to look up */
extern char hypercall_page[];

/* Are [from, to) all zero?  Names the first byte that is not. */
static void check_zero(const char *what, uint32_t from, uint32_t to)
{
    uint32_t bad = 0;

    for (uint32_t a = from; a < to && !bad; a++)
        if (*(const uint8_t *)(uintptr_t)a)
            bad = a;
    printf("padding %s: [0x%08x,0x%08x)%s\n", what, from, to, bad ? " NOT ZERO" : "");
    check_hex(what, bad, 0);
}

/* The value of the symbol called `name`, or ~0. */
static uint32_t lookup(const struct sym *syms, uint32_t n, const char *names,
                       uint32_t names_size, const char *name)
{
    for (uint32_t i = 1; i < n; i++)
        if (syms[i].name < names_size &&
            !strncmp(names + syms[i].name, name, names_size - syms[i].name))
            return syms[i].value;
    return ~0u;
}

void pvguest_main(const xen_start_info_t *si)
{
    uint32_t area = ALIGN_UP((uint32_t)(uintptr_t)_end, 4);
    uint32_t size = *(const uint32_t *)(uintptr_t)area;
    const struct ehdr *eh = (const void *)(uintptr_t)(area + 4);
    const struct shdr *sh = (const void *)(uintptr_t)(area + 4 + 64);
    uint32_t end = area + 4 + size;

    printf("cmdline \"%s\"\n", si->cmd_line);
    printf("symbol table area at 0x%08x, size word %u, p2m list at 0x%08lx\n",
           area, size, (unsigned long)si->mfn_list);
    if (!check_rc("ELF magic", !memcmp(eh->ident, "\177ELF\1\1\1", 7), 1))
        xtf_exit();                     /* nothing loaded: read no further */
    check_rc("e_type ET_EXEC", eh->type, 2);
    check_rc("e_machine EM_386", eh->machine, 3);
    check_rc("e_version", eh->version, 1);
    check_hex("e_entry is _start", eh->entry, (uint32_t)(uintptr_t)_start);
    check_rc("e_phoff", eh->phoff, 0);
    check_rc("e_phentsize", eh->phentsize, 0);
    check_rc("e_phnum", eh->phnum, 0);
    check_rc("e_shoff (a 64-byte header slot)", eh->shoff, 64);
    check_rc("e_ehsize", eh->ehsize, 52);
    check_rc("e_shentsize", eh->shentsize, 40);
    check_rc("e_shnum", eh->shnum, 3);
    check_rc("e_shstrndx", eh->shstrndx, 0);
    check_zero("after the ELF header", area + 4 + 52, area + 4 + 64);
    check_zero("section header 0", area + 68, area + 108);
    check_rc("section 1 is SHT_SYMTAB", sh[1].type, 2);
    check_rc("its sh_offset", sh[1].offset, 256);
    check_rc("its sh_link", sh[1].link, 2);
    check_rc("its sh_entsize", sh[1].entsize, 16);
    check_rc("section 2 is SHT_STRTAB", sh[2].type, 3);
    check_rc("its sh_offset", sh[2].offset, ALIGN_UP(260 + sh[1].size, 4) - 4);
    check_rc("size word counts to the last name", size, sh[2].offset + sh[2].size);
    check_zero("after the section headers", area + 188, area + 260);
    check_zero("between symbols and names", area + 260 + sh[1].size,
               area + 4 + sh[2].offset);
    check_hex("p2m list on the next page", si->mfn_list, ALIGN_UP(end, PAGE_SIZE));
    check_zero("after the names", end, si->mfn_list);

    const struct sym *syms = (const void *)(uintptr_t)(area + 4 + sh[1].offset);
    const char *names = (const char *)(uintptr_t)(area + 4 + sh[2].offset);
    uint32_t n = sh[1].size / 16;
    printf("%u symbols, %u bytes of names\n", n, sh[2].size);
#define LOOKUP(sym) check_hex("symbol " #sym, \
        lookup(syms, n, names, sh[2].size, #sym), (uint32_t)(uintptr_t)&sym)
    LOOKUP(pvguest_main);
    LOOKUP(symtab_marker);
    LOOKUP(hypercall_page);
    LOOKUP(_start);
    LOOKUP(_end);
    test_pass();
    xtf_exit();
}

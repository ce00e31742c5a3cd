/*
 * elf_format.h - the on-disk ELF32 structures the image parser reads.
 *
 * Shared by the parser's files: elf.c (headers, segments, notes),
 * elf_features.c and elf_symtab.c (the symbol table a BSD_SYMTAB guest gets
 * loaded), with the one error helper they all report through.  Only
 * little-endian images are accepted, and the hypervisor and the unit-test
 * hosts are little-endian, so a byte copy of a checked range gives the
 * right values.  Declarations only: nothing here reads a byte.
 */
#ifndef HV_ELF_FORMAT_H
#define HV_ELF_FORMAT_H

#include "hypervisor/types.h"

struct elf32_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf32_phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
    uint32_t p_flags, p_align;
};
struct elf32_shdr {
    uint32_t sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info, sh_addralign, sh_entsize;
};
struct elf32_note { uint32_t namesz, descsz, type; };   /* then name, desc */
struct elf32_sym {
    uint32_t st_name, st_value, st_size;
    uint8_t st_info, st_other;                  /* type: st_info & 15; binding: >> 4 */
    uint16_t st_shndx;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header layout");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 phdr layout");
_Static_assert(sizeof(struct elf32_shdr) == 40, "ELF32 shdr layout");
_Static_assert(sizeof(struct elf32_note) == 12, "ELF note header layout");
_Static_assert(sizeof(struct elf32_sym) == 16, "ELF32 symbol layout");

enum { ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1,
       ET_EXEC = 2, EM_386 = 3, PT_LOAD = 1, PT_NOTE = 4, SHT_SYMTAB = 2,
       SHT_STRTAB = 3, SHT_NOTE = 7, SHF_ALLOC = 2, SHF_EXECINSTR = 4,
       PF_X = 1, PF_RWX = 7, STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2 };

/* Write the one-line reason to err (may be NULL) and return rc (elf.c). */
int elf_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
    __printf(4, 5);
/* Is [off, off+len) inside a file of size bytes?  Cannot wrap (elf.c). */
bool elf_in_file(size_t size, uint32_t off, uint32_t len);
/* -EINVAL with "truncated: WHAT ends at 0x... past end 0x..." (elf.c). */
int elf_truncated(char *err, size_t errlen, size_t size, const char *what, uint32_t off,
                  uint32_t len);
/* 0 if the section header table has 40-byte entries, all inside the file; else the error. */
int elf_section_table(const struct elf32_ehdr *eh, size_t size, char *err, size_t errlen);

#endif

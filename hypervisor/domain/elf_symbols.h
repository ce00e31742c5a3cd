/* elf_symbols.h - the code symbols of an untrusted ELF32 image (elf_symbols.c). */
#ifndef HV_ELF_SYMBOLS_H
#define HV_ELF_SYMBOLS_H
#include "hypervisor/types.h"

typedef void elf_symbol_fn(void *arg, uint32_t addr);

/*
 * Call fn(arg, address) for each symbol of the image's first SHT_SYMTAB
 * section that names code: every function (STT_FUNC), and every plain
 * label (STT_NOTYPE) inside an allocated, executable section, as assembly
 * entry points are.  image[0..size) is untrusted: the section headers and
 * the table must lie wholly inside it, or nothing is called and -EINVAL
 * returned.  Returns the number of symbols, or 0 with no symbol table.
 */
int elf_symbols_code(const void *image, size_t size, elf_symbol_fn *fn, void *arg);
#endif

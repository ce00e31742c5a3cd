/*
 * symbols.c - look up a text address in the hypervisor's symbol table.
 *
 * The table is generated from the linked image itself (tools/gen-symbols)
 * and linked back in, so a panic can name functions without any debugger:
 * the first link has an empty table, the second the real one, and the text
 * does not move between them because the table sits after all code.
 */
#include "hypervisor/symbols.h"

struct hv_symbol { uint32_t addr, name; };
extern const struct hv_symbol hv_symtab[];
extern const uint32_t hv_symtab_count;
extern const char hv_symnames[];
extern const char _text[], _etext[];

const char *symbols_lookup(uint32_t addr, uint32_t *offset)
{
    if (addr < (uint32_t)_text || addr >= (uint32_t)_etext || !hv_symtab_count)
        return NULL;
    /* Binary search for the last symbol at or below addr. */
    uint32_t lo = 0, hi = hv_symtab_count;
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (hv_symtab[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (hv_symtab[lo].addr > addr)
        return NULL;
    *offset = addr - hv_symtab[lo].addr;
    return hv_symnames + hv_symtab[lo].name;
}

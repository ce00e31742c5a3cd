/* extable.c - find the fixup for a faulting instruction (see extable.h). */
#include "arch/x86/extable.h"

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

uint32_t extable_search(uint32_t eip)
{
    for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == eip)
            return e->fixup;
    return 0;
}

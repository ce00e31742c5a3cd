/* symbols_empty.S - the empty symbol table of the first link (see symbols.c). */
        .section .hv_symbols, "a"
        .balign 4
        .globl hv_symtab_count, hv_symtab, hv_symnames
hv_symtab_count: .long 0
hv_symtab:
hv_symnames: .byte 0

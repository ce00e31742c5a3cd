/* vga.h - the VGA text screen: rows of cells (attribute << 8 | character) and the cursor. */
#ifndef ARCH_X86_VGA_H
#define ARCH_X86_VGA_H
#include "hypervisor/types.h"

#define VGA_COLS 80
#define VGA_ROWS 25

void vga_init(void);
/* Show one row of cells on screen row y. */
void vga_row(unsigned y, const uint16_t cells[VGA_COLS]);
/* The blinking cursor at column x of row y; y >= VGA_ROWS hides it. */
void vga_cursor(unsigned x, unsigned y);
#endif

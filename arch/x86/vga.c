/*
 * vga.c - mirror the console onto the 80x25 VGA text screen.
 *
 * A real PC without a serial port still shows what happened.  The text
 * buffer at machine address 0xB8000 is reached through the directmap.  We
 * only append and scroll; there is no cursor to manage beyond our column.
 */
#include "arch/x86/vga.h"
#include "arch/x86/layout.h"
#include "hypervisor/lib.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x0700   /* light grey on black */

static uint16_t *const screen = (uint16_t *)(DIRECTMAP_VIRT_START + 0xB8000);
static unsigned col, row;

void vga_init(void)
{
    for (unsigned i = 0; i < COLS * ROWS; i++)
        screen[i] = ATTR | ' ';
    col = row = 0;
}

static void vga_newline(void)
{
    col = 0;
    if (++row < ROWS)
        return;
    memmove(screen, screen + COLS, (ROWS - 1) * COLS * sizeof(*screen));
    for (unsigned i = 0; i < COLS; i++)
        screen[(ROWS - 1) * COLS + i] = ATTR | ' ';
    row = ROWS - 1;
}

void vga_putc(char c)
{
    if (c == '\n') {
        vga_newline();
        return;
    }
    if (c == '\r')
        return;
    if (col == COLS)
        vga_newline();
    screen[row * COLS + col++] = ATTR | (uint8_t)c;
}

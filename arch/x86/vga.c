/*
 * vga.c - the 80x25 VGA text screen: cells and the hardware cursor.
 *
 * A real PC without a serial port still shows what happened.  The text
 * buffer at machine address 0xB8000 is reached through the directmap: each
 * cell is a character byte and an attribute byte (background colour in the
 * high nibble, foreground in the low).  The blinking cursor is the CRT
 * controller's, set through its index/data ports 0x3D4/0x3D5.  What to show
 * where, and in which colour, is hypervisor/console/screen.c's business.
 */
#include "arch/x86/vga.h"
#include "arch/x86/layout.h"
#include "arch/x86/x86.h"
#include "hypervisor/lib.h"

#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5
#define CUR_START  0x0a             /* cursor shape: first scan line (bit 5 hides it) */
#define CUR_END    0x0b             /* ... last scan line */
#define CUR_HIGH   0x0e             /* cursor position, a cell index, high byte */
#define CUR_LOW    0x0f

static uint16_t *const screen = (uint16_t *)(DIRECTMAP_VIRT_START + 0xB8000);
/* What the screen holds.  Video memory is slow to write (on an emulator each
 * write is a trip through the device model), so only changed cells are. */
static uint16_t shown[VGA_ROWS][VGA_COLS];

static void crtc(uint8_t reg, uint8_t val)
{
    outb(CRTC_INDEX, reg);
    outb(CRTC_DATA, val);
}

/* An underline cursor (scan lines 14-15 of 16), as a PC's text mode has. */
void vga_init(void)
{
    memset(shown, 0xff, sizeof(shown));     /* no cell of ours: the first draw writes all */
    crtc(CUR_START, 14);
    crtc(CUR_END, 15);
}

void vga_row(unsigned y, const uint16_t cells[VGA_COLS])
{
    for (unsigned x = 0; x < VGA_COLS; x++)
        if (shown[y][x] != cells[x])
            screen[y * VGA_COLS + x] = shown[y][x] = cells[x];
}

/* Move the cursor to (x, y); y >= VGA_ROWS hides it. */
void vga_cursor(unsigned x, unsigned y)
{
    crtc(CUR_START, y < VGA_ROWS ? 14 : 0x20);
    unsigned pos = y < VGA_ROWS ? y * VGA_COLS + x : 0;
    crtc(CUR_HIGH, (uint8_t)(pos >> 8));
    crtc(CUR_LOW, (uint8_t)pos);
}

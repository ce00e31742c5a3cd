/*
 * screen.c - the console as a person at a PC sees it, on the VGA text screen.
 *
 * The serial line gets plain bytes; the screen gets more help, because a
 * person reads it and no program parses it.  Each line is coloured by its
 * source: "(hv)" lines one colour, "(dN)" lines one per domain, and a
 * halt or panic white on red.  Long lines break between words, with
 * continuation rows indented past the prefix.  The last HISTORY rows are
 * kept, so Shift+PgUp/PgDn (console_input.c) can page back to a halt
 * line that scrolled away.  The bottom row is a status line: who has the
 * input and each domain's id, name and state, redrawn with every write,
 * since every change worth showing prints a line.  The blinking cursor
 * sits where the next character will go.
 *
 * Everything here runs with interrupts off (ring 0 always is, and input
 * arrives in interrupt context), so output and scrolling never interleave.
 */
#include "hypervisor/console/screen.h"
#include "hypervisor/console/console_input.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/lib.h"
#include "arch/x86/vga.h"

#define TEXT_ROWS (VGA_ROWS - 1)    /* the last row is the status line */
#define HISTORY   256               /* rows kept for scrolling back */
#define PAGE      (TEXT_ROWS - 1)   /* Shift+PgUp keeps one row of context */
#define PLAIN     0x07              /* light grey on black */
#define HV        0x0b              /* light cyan */
#define HALT      0x4f              /* white on red */
#define STATUS    0x70              /* black on light grey */
#define HEAD      20                /* characters that decide a line's colour */

static uint16_t hist[HISTORY][VGA_COLS];
static const uint16_t blank[VGA_COLS];
static unsigned rows = 1;           /* rows started (free-running); the last is being written */
static unsigned col, back;          /* back: rows scrolled back from the newest */
static unsigned line_row;           /* the row where the current line began */
static char head[HEAD];
static unsigned head_len;
static uint8_t attr = PLAIN;

static uint16_t *row_at(unsigned r)
{
    return hist[r % HISTORY];
}

static void fill(uint16_t *cells, unsigned from, uint8_t a)
{
    for (unsigned x = from; x < VGA_COLS; x++)
        cells[x] = (uint16_t)(a << 8 | ' ');
}

/* "(dN) " or "(hv) " is 5 or more characters: how many, or 0 if the line has no prefix. */
static unsigned prefix_len(void)
{
    for (unsigned i = 1; i + 1 < head_len && i < 8; i++)
        if (head[i] == ')')
            return head[0] == '(' && head[i + 1] == ' ' ? i + 2 : 0;
    return 0;
}

/* A line's colour from its first characters (they may not all have come yet). */
static uint8_t colour(void)
{
    static const uint8_t domain_colour[] = { 0x0a, 0x0e, 0x0d, 0x09, 0x0f, 0x06 };
    unsigned n = prefix_len(), id = 0, i = 2;
    if (n == 5 && !memcmp(head, "(hv) ", 5)) {
        for (i = 6; i < head_len && head[i] >= '0' && head[i] <= '9'; i++)
            ;
        bool panic = head_len >= 10 && !memcmp(head + 5, "PANIC", 5);
        bool halt = head[5] == 'd' && i > 6 && i + 7 <= head_len && !memcmp(head + i, " halted", 7);
        return panic || halt ? HALT : HV;
    }
    if (n < 5 || head[1] != 'd')
        return PLAIN;
    for (; head[i] != ')'; i++)
        id = id * 10 + (unsigned)(head[i] - '0');
    return domain_colour[id % sizeof(domain_colour)];
}

static void new_row(void)
{
    fill(row_at(rows++), 0, attr);
    unsigned kept = MIN(rows, HISTORY);
    if (back && back < kept - TEXT_ROWS)
        back++;                     /* scrolled back: the view stays on its text */
}

/* The row is full: move its last, unfinished word to an indented new row. */
static void wrap(void)
{
    const uint16_t *old = row_at(rows - 1);
    unsigned indent = prefix_len() ? prefix_len() + 2 : 2;
    unsigned cut = VGA_COLS;
    while (cut > indent && (old[cut - 1] & 0xff) != ' ')
        cut--;
    if (cut <= indent)
        cut = VGA_COLS;             /* one word longer than a row: break it */
    new_row();
    uint16_t *cells = row_at(rows - 1);
    memcpy(cells + indent, old + cut, (VGA_COLS - cut) * sizeof(*cells));
    fill(row_at(rows - 2), cut, attr);
    col = indent + VGA_COLS - cut;
}

static void status_line(void)
{
    static const char *const state[] = { "up", "shut down", "halted", "not built" };
    char s[VGA_COLS * 2];
    int who = console_input_owner();
    unsigned n = 0;
    if (back)
        n += (unsigned)snprintf(s, sizeof(s), " back %u rows (Shift+PgDn) |", back);
    if (who >= 0)
        n += (unsigned)snprintf(s + n, sizeof(s) - n, " input d%d |", who);
    else
        n += (unsigned)snprintf(s + n, sizeof(s) - n, " input hv keys |");
    for (unsigned i = 0; i < nr_domains && n < VGA_COLS; i++)
        n += (unsigned)snprintf(s + n, sizeof(s) - n, " d%u %s %s |", i, domains[i]->name,
                                state[domains[i]->state]);
    uint16_t cells[VGA_COLS];
    for (unsigned x = 0; x < VGA_COLS; x++)
        cells[x] = (uint16_t)(STATUS << 8 | (uint8_t)(x < n ? s[x] : ' '));
    vga_row(TEXT_ROWS, cells);
}

static void draw(void)
{
    unsigned last = rows - back;    /* one past the newest row shown */
    unsigned first = last > TEXT_ROWS ? last - TEXT_ROWS : 0;
    for (unsigned y = 0; y < TEXT_ROWS; y++)
        vga_row(y, first + y < last ? row_at(first + y) : blank);
    status_line();
    if (back)
        vga_cursor(0, VGA_ROWS);    /* hidden: it would point into the past */
    else
        vga_cursor(MIN(col, VGA_COLS - 1), rows - 1 - first);
}

void screen_init(void)
{
    vga_init();
    fill(row_at(0), 0, PLAIN);
    draw();
}

static void put(char c)
{
    if (c == '\n') {
        attr = PLAIN;
        new_row();
        line_row = rows - 1;
        col = head_len = 0;
        return;
    }
    if (c == '\r')
        return;
    if (col == VGA_COLS)
        wrap();
    row_at(rows - 1)[col++] = (uint16_t)(attr << 8 | (uint8_t)c);
    if (head_len == HEAD)
        return;
    head[head_len++] = c;
    uint8_t a = colour();
    for (unsigned r = line_row; a != attr && r < rows; r++)
        for (unsigned x = 0; x < VGA_COLS; x++)
            row_at(r)[x] = (uint16_t)(a << 8 | (row_at(r)[x] & 0xff));
    attr = a;
}

void screen_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(s[i]);
    draw();
}

void screen_scroll(int pages)
{
    unsigned kept = MIN(rows, HISTORY);
    int most = kept > TEXT_ROWS ? (int)(kept - TEXT_ROWS) : 0;
    int to = (int)back + pages * PAGE;
    back = (unsigned)(to < 0 ? 0 : to > most ? most : to);
    draw();
}

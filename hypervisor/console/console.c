/*
 * console.c - one stream of text lines, to every output we have.
 *
 * The console is how the hypervisor explains itself: to a person at a
 * screen, to a test reading the serial port, to a student.  Each output
 * device gets the same bytes.  Guest output is collected per domain and
 * released a whole line at a time with a "(dN) " prefix, so lines from
 * different domains never interleave mid-line and a test can always tell
 * who said what.
 *
 * The serial port takes real time per byte, so its bytes wait in a ring
 * (arch/x86/uart.c) and leave by interrupt; 0xE9 and the screen are
 * written at once.  Guests may fill only half of that ring: console_io
 * waits for room (console_guest_room), in the guest's own time, so a
 * guest's flood never makes the hypervisor wait and nothing is dropped.
 */
#include "hypervisor/console/console.h"
#include "hypervisor/console/screen.h"
#include "hypervisor/lib.h"
#include "arch/x86/uart.h"
#include "arch/x86/debugcon.h"

static bool have_debugcon;

void console_init(void)
{
    uart_init();
    screen_init();
    have_debugcon = debugcon_present();
}

void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n')
            uart_putc('\r');        /* terminals want CR LF */
        uart_putc(c);
        if (have_debugcon)
            debugcon_putc(c);
    }
    uart_kick();
    screen_write(s, n);
}

/*
 * May a guest print another chunk?  Only while half the serial ring is
 * free.  A chunk of 128 bytes becomes at most about 1.5 KiB (a prefix and
 * CR LF per newline, plus a held line), so the other half, 8 KiB, is
 * always there for the hypervisor's own lines.
 */
bool console_guest_room(void)
{
    uart_kick();
    return uart_room() >= UART_TX_SIZE / 2;
}

void printk(const char *fmt, ...)
{
    char buf[384];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

/*
 * Per-domain line buffers.  A guest controls every byte it writes, so
 * non-printable bytes are shown as '?' (a guest must not be able to move
 * the cursor, clear a terminal or forge a "(hv)" line by writing "\n(hv)"),
 * and a line longer than the buffer is broken rather than dropped.
 */
#define LINE_MAX 160
#define CONSOLE_DOMAINS 256

static struct { char buf[LINE_MAX]; unsigned len; } line[CONSOLE_DOMAINS];

void console_domain_flush(unsigned domid)
{
    unsigned slot = domid % CONSOLE_DOMAINS;
    if (!line[slot].len)
        return;
    printk("(d%u) %.*s\n", domid, (int)line[slot].len, line[slot].buf);
    line[slot].len = 0;
}

void console_domain_write(unsigned domid, const char *s, size_t n)
{
    unsigned slot = domid % CONSOLE_DOMAINS;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            /* An empty line still shows, as a bare prefix. */
            if (!line[slot].len)
                printk("(d%u)\n", domid);
            console_domain_flush(domid);
            continue;
        }
        if (c == '\r')
            continue;
        if (c == '\t')
            c = ' ';
        if ((uint8_t)c < 0x20 || (uint8_t)c >= 0x7f)
            c = '?';
        line[slot].buf[line[slot].len++] = c;
        if (line[slot].len == LINE_MAX)
            console_domain_flush(domid);
    }
}

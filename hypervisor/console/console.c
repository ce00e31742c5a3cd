/*
 * console.c - one stream of text lines, to every output we have.
 *
 * The console is how the hypervisor explains itself: to a person at a
 * screen, to a test reading the serial port, to a student.  Each output
 * device gets the same bytes.  Guest output is collected per domain and
 * released a whole line at a time with a "(dN) " prefix, so lines from
 * different domains never interleave mid-line and a test can always tell
 * who said what.
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
    screen_write(s, n);
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

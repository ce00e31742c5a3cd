/*
 * console.c - pvguest's console: text out through the console_io hypercall.
 *
 * A PV guest owns no UART.  The hypervisor lends it a line on its own
 * console instead: CONSOLEIO_write copies `count` bytes from the guest and
 * prints them prefixed "(dN) ", so lines from different domains can be told
 * apart on one serial port.  We hand over whole lines: printf() collects
 * text in a line buffer and writes it at each '\n' (or when 256 bytes have
 * piled up), so one logical line is one hypercall whatever the hypervisor
 * does with a partial line, and a guest cannot split another's line.  The
 * buffer is flushed before a shutdown (test.c) so nothing is lost.
 *
 * A domU may move its console to its PV console ring instead, as a Xen
 * domU kernel does (console_use_ring(), consring.c): the same bytes then
 * go into the ring's out[], and the backend prints them as the same
 * "(dN) " lines.  The initial domain has no ring and keeps console_io.
 */
#include "pvguest/lib/pvguest.h"

static char line[256];
static size_t line_len;
static bool to_ring;

/* Write n bytes straight to the hypervisor console, no buffering. */
void console_write(const char *s, size_t n)
{
    if (n && to_ring)
        consring_write(s, n);
    else if (n)
        (void)HYPERVISOR_console_io(CONSOLEIO_write, n, (char *)s);
}

/* From now on through the console ring, if we have one (not initial). */
bool console_use_ring(void)
{
    if (!to_ring && consring_open()) {
        console_flush();                    /* what is buffered leaves the old way */
        to_ring = true;
    }
    return to_ring;
}

void console_flush(void)
{
    console_write(line, line_len);
    line_len = 0;
}

static void console_putc(char c)
{
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof(line))
        console_flush();
}

/* One printf call formats at most 255 bytes; a longer one is cut there. */
int vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

    for (size_t i = 0; i < len; i++)
        console_putc(buf[i]);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

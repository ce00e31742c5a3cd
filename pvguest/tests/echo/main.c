/*
 * echo - read the console input, say each line back, stop at "quit".
 *
 * Text typed on the serial line reaches whichever domain has the console
 * input (d0 first; Ctrl-A three times moves it on).  This guest fetches its
 * share with CONSOLEIO_read and prints each line as "echo: <line>"; the
 * line "quit" ends it with SUCCESS.  A line ends at '\n' or '\r' ("\r\n"
 * counts once); a line longer than LINE_MAX is said back in pieces.
 *
 * Between reads it sleeps the way a Xen kernel does: it binds VIRQ_CONSOLE
 * and blocks (SCHEDOP_block) until that event is pending.  The pending
 * bits are cleared before reading, so input that arrives after the last
 * read leaves the event pending and the block returns at once: nothing is
 * missed.  Events stay without a callback, so they are only ever seen as
 * bits.  Without event channels (bind fails) it polls, yielding between
 * reads.  It also binds VIRQ_DEBUG and says "echo: VIRQ_DEBUG" when the
 * hypervisor's debug key 'd' raises it.  The first line says how it waits.
 */
#include "pvguest/lib/pvguest.h"

#define LINE_MAX 120

static uint32_t console_port, debug_port;       /* 0: not bound */
static char line[LINE_MAX + 1];
static unsigned line_len;
static char last;

static uint32_t bind_virq(uint32_t virq)
{
    struct xen_evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    return HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b) ? 0 : b.port;
}

/* Test and clear one pending bit; lock'd, as the hypervisor may set others meanwhile. */
static bool take_event(uint32_t port)
{
    volatile xen_ulong_t *word = &shared_info->evtchn_pending[port / 32];
    xen_ulong_t bit = 1u << (port % 32);
    return port && (__atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit);
}

static void take_events(void)
{
    if (!console_port)
        return;
    shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
    __atomic_store_n(&shared_info->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    take_event(console_port);
    if (take_event(debug_port))
        printf("echo: VIRQ_DEBUG\n");
}

/* Sleep until input may have come: block on the event, or yield when we cannot. */
static void wait_for_input(void)
{
    if (console_port && HYPERVISOR_sched_op(SCHEDOP_block, NULL) == 0)
        return;
    console_port = 0;                       /* no block after all: poll from now on */
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/* One line is complete: say it back; true when it was "quit". */
static bool end_line(void)
{
    line[line_len] = '\0';
    printf("echo: %s\n", line);
    line_len = 0;
    return !strcmp(line, "quit");
}

/* Feed one byte; true when a "quit" line ended. */
static bool take_byte(char c)
{
    bool newline = c == '\n' || c == '\r';
    bool crlf = c == '\n' && last == '\r';
    last = c;
    if (crlf)
        return false;
    if (newline)
        return end_line();
    line[line_len++] = c;
    if (line_len == LINE_MAX)
        end_line();
    return false;
}

void pvguest_main(const xen_start_info_t *si)
{
    char buf[64];

    (void)si;
    map_shared_info();
    console_port = bind_virq(VIRQ_CONSOLE);
    debug_port = bind_virq(VIRQ_DEBUG);
    if (console_port)
        printf("ready: blocking on VIRQ_CONSOLE (port %u)\n", console_port);
    else
        printf("ready: polling (no VIRQ_CONSOLE)\n");
    for (;;) {
        take_events();
        long n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);
        if (n < 0) {
            test_fail("CONSOLEIO_read returned %ld", n);
            xtf_exit();
        }
        for (long i = 0; i < n; i++) {
            if (take_byte(buf[i])) {
                test_pass();
                xtf_exit();
            }
        }
        if (n <= 0)
            wait_for_input();
    }
}

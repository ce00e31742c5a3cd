/*
 * console_input.c - who gets what is typed, on the serial line or the keyboard.
 *
 * Input goes to one place at a time, as in Xen: a domain (the "console
 * owner": at first the first domain built, d0 unless its module failed)
 * or the hypervisor itself, whose debug keys (keys.c) print its tables.
 * Ctrl-A typed three times in a row moves input on to the next live
 * domain, and after the last one to the hypervisor, then round again;
 * each move is announced as "(hv) console input: ...".
 * One or two Ctrl-As followed by anything else are passed on as typed.
 *
 * Bytes for a domain wait in that domain's own small ring until it asks
 * for them with CONSOLEIO_read; each arrival raises VIRQ_CONSOLE (if the
 * domain bound it) and wakes the domain if it blocked.  A domain that
 * drives a console ring (every one but the initial domain has one) gets
 * them through its ring instead: console_ring.c moves them into its
 * page's in[] and notifies it.  A full ring drops
 * what comes next, with one warning, as Xen's serial ring does.  Input
 * never goes to a domain that has ended: if the owner has shut down or
 * halted, the next byte first moves input on, with a line saying so.
 *
 * The PS/2 keyboard (arch/x86/kbd.c) feeds the same routing, byte for
 * byte, so Ctrl-A x3 works there too.  Its arrow keys become the ANSI
 * sequences a serial terminal would send, and Shift+PgUp/PgDn page the
 * screen's scrollback (screen.c) instead of being input.
 *
 * This runs in interrupt context (IRQ 4 or 1), which in this hypervisor is only
 * ever between two guest instructions or in the idle loop: interrupts are
 * off everywhere else in ring 0, so nothing here races with a hypercall.
 * It never touches a domain's memory itself: the guest fetches its bytes,
 * or console_ring.c writes them into the ring page it holds.
 */
#include "hypervisor/console/console_input.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/console_ring.h"
#include "hypervisor/event/event.h"
#include "hypervisor/console/keys.h"
#include "hypervisor/lib.h"
#include "hypervisor/event/sched.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/pic.h"
#include "arch/x86/uart.h"
#include "arch/x86/kbd.h"
#include "hypervisor/console/screen.h"

#define RX_SIZE     128             /* bytes per domain, as Xen's serial_rx_ring */
#define SWITCH_CODE 0x01            /* Ctrl-A, Xen's default switch character */
#define SWITCH_HV   (-1)            /* the owner when input goes to the debug keys */

static struct rx_ring {
    uint8_t buf[RX_SIZE];
    uint32_t prod, cons;            /* free-running; prod - cons bytes wait */
    bool warned;                    /* said once that this ring overflowed */
} rx[MAX_DOMAINS];

static int owner = SWITCH_HV;       /* a domain id, or SWITCH_HV */
static unsigned switch_count;       /* Ctrl-As in a row so far */

static bool live(unsigned id)
{
    return id < nr_domains && domains[id]->state == DOMAIN_RUNNABLE;
}

static void announce(void)
{
    if (owner == SWITCH_HV)
        hvlog("console input: hypervisor (debug keys; type h for help)\n");
    else
        hvlog("console input: d%d\n", owner);
}

/* The next live domain after the owner, or the hypervisor between the last and d0. */
static void switch_input(void)
{
    unsigned slots = nr_domains + 1;            /* slot nr_domains is the hypervisor */
    unsigned at = owner == SWITCH_HV ? nr_domains : (unsigned)owner;
    for (unsigned i = 1; i <= slots; i++) {
        unsigned next = (at + i) % slots;
        if (next == nr_domains || live(next)) {
            owner = next == nr_domains ? SWITCH_HV : (int)next;
            break;
        }
    }
    announce();
}

static void deliver(struct domain *d, uint8_t c)
{
    struct rx_ring *q = &rx[d->id];
    if (q->prod - q->cons == RX_SIZE) {
        if (!q->warned)
            hvlog("console input: d%u reads too slowly; dropping input\n", d->id);
        q->warned = true;
        return;
    }
    q->buf[q->prod++ % RX_SIZE] = c;
    if (console_ring_has(d))
        console_ring_input(d);
    else
        event_send_virq(d, VIRQ_CONSOLE);
    /*
     * A domain in SCHEDOP_block wakes even if it did not bind VIRQ_CONSOLE,
     * so a guest without event channels can still sleep between reads.  One
     * in SCHEDOP_poll waits for its own ports only: event_send_virq() woke
     * it if VIRQ_CONSOLE's port is one of them.
     */
    if (d->blocked && !d->poll_nr)
        sched_wake(d);
}

static void to_owner(uint8_t c)
{
    if (owner == SWITCH_HV)
        keys_handle((char)c);
    else
        deliver(domains[owner], c);
}

/* One typed byte, after Xen's serial_rx(): Ctrl-A x3 switches, the rest is input. */
static void input_byte(uint8_t c)
{
    if (c == SWITCH_CODE) {
        if (++switch_count == 3) {
            switch_count = 0;
            switch_input();
        }
        return;
    }
    if (owner != SWITCH_HV && !live((unsigned)owner)) {
        hvlog("console input: d%d has ended\n", owner);
        switch_input();
    }
    for (; switch_count; switch_count--)        /* one or two Ctrl-As: pass them on */
        to_owner(SWITCH_CODE);
    to_owner(c);
}

/* A key from the keyboard: paging, or the bytes a serial terminal would send. */
static void input_key(int key)
{
    if (key == KEY_SHIFT_PGUP || key == KEY_SHIFT_PGDN) {
        screen_scroll(key == KEY_SHIFT_PGUP ? 1 : -1);
    } else if (key >= KEY_UP && key <= KEY_RIGHT) {
        input_byte(0x1b);                       /* ESC [ A, B, D, C: up, down, left, right */
        input_byte('[');
        input_byte((uint8_t)"ABDC"[key - KEY_UP]);
    } else if (key <= 0xff) {
        input_byte((uint8_t)key);
    }                                           /* plain PgUp/PgDn: nothing */
}

void console_input_init(void)
{
    bool serial = uart_irq_enable(), keyboard = kbd_init();
    hvlog("keyboard: %s\n", keyboard ? "PS/2 (i8042), US layout" : "none");
    if (!serial && !keyboard) {
        hvlog("console input: none (no serial port, no keyboard)\n");
        return;
    }
    /* The first domain that runs: d0 unless its module failed to build. */
    owner = SWITCH_HV;
    for (unsigned id = 0; id < nr_domains && owner == SWITCH_HV; id++)
        if (live(id))
            owner = (int)id;
    if (owner == SWITCH_HV)
        announce();
    else
        hvlog("console input: d%d (type Ctrl-A three times to switch)\n", owner);
    if (serial)
        pic_unmask(UART_IRQ);
    if (keyboard)
        pic_unmask(KBD_IRQ);
}

/*
 * The UART's line is edge-triggered at the PIC: it must fall before the
 * next interrupt can be seen, so we serve input and output until the
 * UART asserts nothing (as Xen's ns16550_interrupt does).
 */
void console_irq(void)
{
    do {
        for (int c; (c = uart_getc()) >= 0;)
            input_byte((uint8_t)c);
        for (int key; (key = kbd_getkey()) >= 0;)
            input_key(key);
        uart_kick();
    } while (uart_irq_pending());
}

int console_input_owner(void)
{
    return owner;
}

size_t console_input_peek(const struct domain *d, char *buf, size_t n)
{
    const struct rx_ring *q = &rx[d->id];
    size_t have = MIN(n, (size_t)(q->prod - q->cons));
    for (size_t i = 0; i < have; i++)
        buf[i] = (char)q->buf[(q->cons + i) % RX_SIZE];
    return have;
}

void console_input_consume(const struct domain *d, size_t n)
{
    struct rx_ring *q = &rx[d->id];
    BUG_ON(n > q->prod - q->cons);
    q->cons += n;
    q->warned = false;
}

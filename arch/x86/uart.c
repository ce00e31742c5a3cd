/*
 * uart.c - the 16550 serial port on COM1, 115200 8N1.
 *
 * The serial line is the hypervisor's main console: QEMU and Bochs connect
 * it to a file or pipe, tests read it, and a real PC with a serial port (or
 * a USB adapter on the other end) shows it.
 *
 * A byte takes 87 us on the wire at 115200 baud (10 bits), on a real PC
 * and on Bochs, which times its UART the same way.  Written polled, one
 * 57-byte log line would hold the CPU 5 ms, with interrupts off.  So
 * output goes, as in Xen's serial.c, into a ring (tx[]) and the UART is
 * fed from it: as much as it takes at once (16 bytes into an empty FIFO,
 * one byte without one), and again on each THRE interrupt ("transmit
 * holding register empty", IRQ 4, shared with input), while whoever
 * printed goes on.  QEMU's UART sends at once, so there the ring never
 * holds anything for long.  If the ring is full, uart_putc waits for the
 * UART, polled: the ring is 16 KiB and guests may fill only half of it
 * (console_io, hypercalls/console.c), so that is the hypervisor's own
 * flood.  uart_drain() sends everything, polled: before power-off, and
 * from a panic on (uart_sync), as Xen's console_start_sync does, so no
 * line is lost however the machine ends.  Input raises IRQ 4 too; what
 * its bytes mean is console_input.c's business.
 */
#include "arch/x86/uart.h"
#include "arch/x86/x86.h"

#define COM1 0x3f8
#define IER_RX   (1u << 0)   /* interrupt when received data is available */
#define IER_THRE (1u << 1)   /* interrupt when the transmitter wants more */
#define IIR_NONE (1u << 0)   /* no interrupt is pending */
#define MCR_OUT2 (1u << 3)   /* on a PC, gates the UART's interrupt onto IRQ 4 */
#define LSR_DR   (1u << 0)   /* data ready: a received byte waits in RBR */
#define LSR_THRE (1u << 5)   /* transmit holding register (and FIFO) empty */
#define LSR_TEMT (1u << 6)   /* transmitter completely empty */

static bool uart_present, tx_sync;
static unsigned fifo = 1;    /* bytes the UART takes when THRE: 16 with a FIFO */
static char tx[UART_TX_SIZE];
static unsigned tx_prod, tx_cons;

void uart_init(void)
{
    outb(COM1 + 1, 0x00);          /* no interrupts (until uart_irq_enable) */
    outb(COM1 + 3, 0x80);          /* DLAB on: next two are the divisor */
    outb(COM1 + 0, 1);             /* 115200 / 1 */
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);          /* 8 data bits, no parity, 1 stop */
    outb(COM1 + 2, 0x07);          /* FIFOs on and cleared; RX interrupt at 1 byte */
    outb(COM1 + 4, 0x03 | MCR_OUT2);   /* DTR, RTS, and the IRQ line */
    /* A missing UART reads back 0xff; do not spin on it forever. */
    uart_present = inb(COM1 + 5) != 0xff;
    /* IIR's top bits read 11 once the FIFOs are on: a 16550A (a 16450 has none). */
    if ((inb(COM1 + 2) & 0xc0) == 0xc0)
        fifo = 16;
}

/*
 * Give the UART what it takes now: nothing before THRE, then up to a FIFO.
 * With wait, spin for THRE, bounded: a broken UART must not hang us.
 */
static bool tx_push(bool wait)
{
    for (unsigned spin = 0; !(inb(COM1 + 5) & LSR_THRE) && spin < 100000; spin++) {
        if (!wait)
            return false;
        pause();
    }
    for (unsigned i = 0; i < fifo && tx_cons != tx_prod; i++)
        outb(COM1, (uint8_t)tx[tx_cons++ % UART_TX_SIZE]);
    return true;
}

void uart_putc(char c)
{
    if (!uart_present)
        return;
    if (tx_prod - tx_cons == UART_TX_SIZE)
        tx_push(true);
    tx[tx_prod++ % UART_TX_SIZE] = c;
}

void uart_kick(void)
{
    if (tx_sync)
        uart_drain();
    while (uart_present && tx_cons != tx_prod && tx_push(false))
        ;
}

unsigned uart_room(void)
{
    return UART_TX_SIZE - (tx_prod - tx_cons);
}

/* Send everything, and wait until the last bit has left the wire. */
void uart_drain(void)
{
    if (!uart_present)
        return;
    while (tx_cons != tx_prod)
        tx_push(true);
    for (unsigned spin = 0; !(inb(COM1 + 5) & LSR_TEMT) && spin < 1000000; spin++)
        pause();
}

void uart_sync(void)
{
    tx_sync = true;
    uart_drain();
}

/* Interrupt on each received byte and when the transmitter wants more;
 * the caller unmasks UART_IRQ at the PIC. */
bool uart_irq_enable(void)
{
    if (uart_present)
        outb(COM1 + 1, IER_RX | IER_THRE);
    return uart_present;
}

bool uart_irq_pending(void)
{
    return uart_present && !(inb(COM1 + 2) & IIR_NONE);
}

/* One received byte, or -1 when none waits.  Reading RBR clears the interrupt. */
int uart_getc(void)
{
    if (!uart_present || !(inb(COM1 + 5) & LSR_DR))
        return -1;
    return inb(COM1);
}

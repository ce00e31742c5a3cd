/*
 * uart.c - the 16550 serial port on COM1, 115200 8N1.
 *
 * The serial line is the hypervisor's main console: QEMU and Bochs connect
 * it to a file or pipe, tests read it, and a real PC with a serial port (or
 * a USB adapter on the other end) shows it.  Output is polled, with no
 * interrupts: the hypervisor must be able to print from any state,
 * including a panic.  Input raises IRQ 4 once uart_rx_enable() has run;
 * what the bytes mean is console_input.c's business, not this file's.
 */
#include "arch/x86/uart.h"
#include "arch/x86/x86.h"

#define COM1 0x3f8
#define IER_RX   (1u << 0)   /* interrupt when received data is available */
#define MCR_OUT2 (1u << 3)   /* on a PC, gates the UART's interrupt onto IRQ 4 */
#define LSR_DR   (1u << 0)   /* data ready: a received byte waits in RBR */
#define LSR_THRE (1u << 5)   /* transmit holding register empty */
#define LSR_TEMT (1u << 6)   /* transmitter completely empty */

static bool uart_present;

void uart_init(void)
{
    outb(COM1 + 1, 0x00);          /* no interrupts (until uart_rx_enable) */
    outb(COM1 + 3, 0x80);          /* DLAB on: next two are the divisor */
    outb(COM1 + 0, 1);             /* 115200 / 1 */
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);          /* 8 data bits, no parity, 1 stop */
    outb(COM1 + 2, 0x07);          /* FIFOs on and cleared; RX interrupt at 1 byte */
    outb(COM1 + 4, 0x03 | MCR_OUT2);   /* DTR, RTS, and the IRQ line */
    /* A missing UART reads back 0xff; do not spin on it forever. */
    uart_present = inb(COM1 + 5) != 0xff;
}

void uart_putc(char c)
{
    if (!uart_present)
        return;
    for (unsigned spin = 0; !(inb(COM1 + 5) & LSR_THRE) && spin < 100000; spin++)
        pause();
    outb(COM1, (uint8_t)c);
}

/* Wait until the last bit has left the wire, so power-off loses nothing. */
void uart_drain(void)
{
    if (!uart_present)
        return;
    for (unsigned spin = 0; !(inb(COM1 + 5) & LSR_TEMT) && spin < 1000000; spin++)
        pause();
}

/* Interrupt on each received byte; the caller unmasks UART_IRQ at the PIC. */
bool uart_rx_enable(void)
{
    if (uart_present)
        outb(COM1 + 1, IER_RX);
    return uart_present;
}

/* One received byte, or -1 when none waits.  Reading RBR clears the interrupt. */
int uart_getc(void)
{
    if (!uart_present || !(inb(COM1 + 5) & LSR_DR))
        return -1;
    return inb(COM1);
}

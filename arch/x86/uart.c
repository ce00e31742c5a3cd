/*
 * uart.c - the 16550 serial port on COM1, 115200 8N1.
 *
 * The serial line is the hypervisor's main console: QEMU and Bochs connect
 * it to a file or pipe, tests read it, and a real PC with a serial port (or
 * a USB adapter on the other end) shows it.  Output only, polled, no
 * interrupts: the hypervisor must be able to print from any state,
 * including a panic.
 */
#include "arch/x86/uart.h"
#include "arch/x86/x86.h"

#define COM1 0x3f8
#define LSR_THRE (1u << 5)   /* transmit holding register empty */
#define LSR_TEMT (1u << 6)   /* transmitter completely empty */

static bool uart_present;

void uart_init(void)
{
    outb(COM1 + 1, 0x00);          /* no interrupts */
    outb(COM1 + 3, 0x80);          /* DLAB on: next two are the divisor */
    outb(COM1 + 0, 1);             /* 115200 / 1 */
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);          /* 8 data bits, no parity, 1 stop */
    outb(COM1 + 2, 0xc7);          /* FIFOs on and cleared */
    outb(COM1 + 4, 0x03);          /* DTR, RTS */
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

/* uart.h - the COM1 16550 serial console: polled output, input by IRQ 4. */
#ifndef ARCH_X86_UART_H
#define ARCH_X86_UART_H
#include "hypervisor/types.h"

#define UART_IRQ 4                /* COM1's line on the master PIC */

void uart_init(void);
void uart_putc(char c);
void uart_drain(void);
/* Raise UART_IRQ for each received byte; false if there is no UART. */
bool uart_rx_enable(void);
/* The next received byte, or -1 if none is waiting. */
int uart_getc(void);
#endif

/* uart.h - the COM1 16550 serial console: output through a ring fed by IRQ 4, input by IRQ 4. */
#ifndef ARCH_X86_UART_H
#define ARCH_X86_UART_H
#include "hypervisor/types.h"

#define UART_IRQ 4                /* COM1's line on the master PIC */

void uart_init(void);
/* Queue a byte (waiting, polled, only if the ring is full); uart_kick sends. */
void uart_putc(char c);
/* Hand the UART what it takes now; on THRE, after printing, and while a guest waits. */
void uart_kick(void);
/* Bytes the ring (of UART_TX_SIZE) has free. */
#define UART_TX_SIZE 16384u       /* a power of two: the indices run freely */
unsigned uart_room(void);
/* Send everything, polled, and wait until it has left the wire. */
void uart_drain(void);
/* From now on every kick drains: the panic path (Xen's console_start_sync). */
void uart_sync(void);
/* Raise UART_IRQ for each received byte and THRE; false if there is no UART. */
bool uart_irq_enable(void);
/* Does the UART still assert an interrupt (IIR)?  Reading IIR clears a THRE one. */
bool uart_irq_pending(void);
/* The next received byte, or -1 if none is waiting. */
int uart_getc(void);
#endif

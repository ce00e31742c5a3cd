/* console_input.h - serial and keyboard input, routed to one domain at a time or to the debug keys. */
#ifndef HV_CONSOLE_INPUT_H
#define HV_CONSOLE_INPUT_H
#include "hypervisor/domain/domain.h"

/* Start taking input (IRQ 4 and 1), for d0 first; call once the domains are built. */
void console_input_init(void);

/* UART_IRQ or KBD_IRQ arrived: take every byte the UART and the keyboard hold,
 * and feed the UART the console output that waits (uart.c). */
void console_irq(void);

/*
 * CONSOLEIO_read's two halves: copy up to n of d's pending bytes into buf
 * (they stay pending), then, once they reached the guest, drop the first n.
 */
size_t console_input_peek(const struct domain *d, char *buf, size_t n);
void console_input_consume(const struct domain *d, size_t n);
/* Who gets typed input: a domain id, or -1 for the hypervisor's debug keys. */
int console_input_owner(void);
#endif

/* console_input.h - serial input, routed to one domain at a time or to the debug keys. */
#ifndef HV_CONSOLE_INPUT_H
#define HV_CONSOLE_INPUT_H
#include "hypervisor/domain/domain.h"

/* Start taking input (IRQ 4), for d0 first; call once the domains are built. */
void console_input_init(void);

/* UART_IRQ arrived: take every byte the UART holds. */
void console_irq(void);
/* The same without an interrupt: a tick may call it as a polled fallback. */
void console_input_poll(void);

/*
 * CONSOLEIO_read's two halves: copy up to n of d's pending bytes into buf
 * (they stay pending), then, once they reached the guest, drop the first n.
 */
size_t console_input_peek(const struct domain *d, char *buf, size_t n);
void console_input_consume(const struct domain *d, size_t n);
#endif

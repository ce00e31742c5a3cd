/* uart.h - the COM1 16550 serial console (output only, polled). */
#ifndef ARCH_X86_UART_H
#define ARCH_X86_UART_H
void uart_init(void);
void uart_putc(char c);
void uart_drain(void);
#endif

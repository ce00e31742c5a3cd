/*
 * debugcon.h - the emulators' debug port 0xE9.
 *
 * Bochs (port_e9_hack) and QEMU (-debugcon) print every byte written to
 * port 0xE9, far faster than an emulated UART.  Both answer 0xE9 when the
 * port is read, which is how we know it is safe to use: on a real PC the
 * port is unassigned and reads 0xFF.
 */
#ifndef ARCH_X86_DEBUGCON_H
#define ARCH_X86_DEBUGCON_H
#include "arch/x86/x86.h"
#define DEBUGCON_PORT 0xe9
static inline bool debugcon_present(void) { return inb(DEBUGCON_PORT) == DEBUGCON_PORT; }
static inline void debugcon_putc(char c) { outb(DEBUGCON_PORT, (uint8_t)c); }
#endif

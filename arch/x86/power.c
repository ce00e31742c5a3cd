/*
 * power.c - turn the machine off and say how it went.
 *
 * Three kinds of machine, three ways out, tried in order:
 *  - QEMU with `-device isa-debug-exit,iobase=0xf4`: a write to port 0xf4
 *    ends QEMU with exit code (status << 1) | 1, so a test sees the status;
 *  - Bochs: the string "Shutdown" written to port 0x8900 powers it off;
 *  - a real PC: neither port does anything, so we stop the CPU with
 *    interrupts off, after the final console line.
 * The UART is drained first, its ring of waiting output and then its last
 * bit: emulators stop instantly and would cut off the last lines otherwise.
 */
#include "arch/x86/power.h"
#include "arch/x86/uart.h"
#include "arch/x86/x86.h"

void arch_power_off(unsigned status)
{
    static const char bochs_shutdown[] = "Shutdown";
    cli();
    uart_drain();
    outl(0xf4, status);
    outsb(0x8900, bochs_shutdown, sizeof(bochs_shutdown) - 1);
    for (;;)
        hlt();
}

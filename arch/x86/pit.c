/*
 * pit.c - the 8254 programmable interval timer, channels 0 and 2.
 *
 * Every PC has one, clocked at 1.193182 MHz whatever the CPU's speed, which
 * makes it the reference the TSC is measured against.  Channel 0 is wired
 * to IRQ 0 and becomes the scheduler's tick.  Channel 2 normally drives the
 * speaker; its gate and its output are reachable through port 0x61, so it
 * can be started and watched by polling, with interrupts off, which is what
 * calibration needs.  No policy here: the rate and the use of both are
 * hypervisor/event/time.c's.
 */
#include "arch/x86/pit.h"
#include "arch/x86/x86.h"

#define PIT_CH0     0x40
#define PIT_CH2     0x42
#define PIT_MODE    0x43
#define PORT_B      0x61          /* bit 0: channel 2 gate, 1: speaker on, 5: channel 2 output */
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20

/* Bound on the polling loop: far more than any count takes on real hardware. */
#define MAX_POLLS (1u << 24)

void pit_start_periodic(unsigned hz)
{
    uint32_t divisor = (PIT_HZ + hz / 2) / hz;
    if (divisor > 0xffff)
        divisor = 0;                        /* 0 means 65536: the slowest rate */
    outb(PIT_MODE, 0x34);                   /* channel 0, low then high byte, mode 2 (rate) */
    outb(PIT_CH0, divisor & 0xff);
    outb(PIT_CH0, divisor >> 8);
}

/*
 * Mode 0 ("interrupt on terminal count"): the output goes low when the
 * count is written and high when it reaches zero.  The gate is raised and
 * the speaker kept off before the count is loaded, as Linux does.
 */
uint64_t pit_measure_tsc(uint16_t count)
{
    outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
    outb(PIT_MODE, 0xb0);                   /* channel 2, low then high byte, mode 0 */
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
    uint64_t start = rdtsc();
    for (uint32_t polls = 0; polls < MAX_POLLS; polls++)
        if (inb(PORT_B) & PORT_B_OUT2)
            return rdtsc() - start;
    return 0;
}

/*
 * pic.c - move the 8259 PICs out of the way, and keep them quiet.
 *
 * The BIOS leaves IRQ 0-7 on vectors 8-15, the same numbers as CPU
 * exceptions: the first timer tick would look like a double fault.  So we
 * reprogram both controllers to deliver IRQs at 0x20-0x2f and mask every
 * line; devices are enabled one by one when a driver wants them.  Guests
 * run with the real EFLAGS.IF set, so a masked PIC is what keeps a stray
 * interrupt from arriving while no handler expects it.
 */
#include "arch/x86/pic.h"
#include "arch/x86/x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_init(void)
{
    outb(PIC1_CMD, 0x11);                  /* ICW1: init, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, PIC_VECTOR_BASE);      /* ICW2: vector base */
    outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC1_DATA, 0x04);                 /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01);                 /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff);                 /* mask everything */
    outb(PIC2_DATA, 0xff);
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

void pic_unmask(unsigned irq)
{
    if (irq >= 8) {
        outb(PIC2_DATA, inb(PIC2_DATA) & ~(1u << (irq - 8)));
        irq = 2;                           /* the slave is wired to IRQ 2 */
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << irq));
}

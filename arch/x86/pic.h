/* pic.h - the legacy 8259 interrupt controllers. */
#ifndef ARCH_X86_PIC_H
#define ARCH_X86_PIC_H
#include "hypervisor/types.h"
#define PIC_VECTOR_BASE 0x20      /* IRQ n arrives as vector 0x20 + n */
#define PIC_NR_IRQS     16
void pic_init(void);
void pic_eoi(unsigned irq);
/* Let IRQ irq through (and the cascade line, for irq >= 8). */
void pic_unmask(unsigned irq);
#endif

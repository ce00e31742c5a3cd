/*
 * desc.c - segment descriptors of our own, and what the CPU makes of them.
 *
 * A PV guest may install its own GDT (set_gdt, by machine frame) and LDT
 * (MMUEXT_SET_LDT, by linear address) and change single entries with
 * update_descriptor; the hypervisor checks every descriptor first, as
 * Xen's check_descriptor() does.  This file builds the 8-byte descriptors
 * (desc_seg, desc_gate) and reads back what the CPU then holds without
 * faulting: lsl and lar answer "nothing" (ZF clear) for a selector we
 * cannot see.  It also loads and reads through %fs, and far-calls through
 * a call gate (or straight into a code segment) into desc_gate_target,
 * which returns the CS it ran with.
 * It decides no verdict: the tests compare what these return.
 */
#include "pvguest/lib/pvguest.h"

uint64_t desc_seg(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (access << 8) | (limit & 0xf0000) |
                  (flags << 20) | (base & 0xff000000u);
    return (uint64_t)hi << 32 | lo;
}

uint64_t desc_flat(unsigned access)
{
    return desc_seg(0, 0xfffff, access, DESC_G | DESC_DB);
}

uint64_t desc_gate(unsigned sel, uint32_t offset, unsigned access)
{
    return (uint64_t)((offset & 0xffff0000u) | access << 8) << 32 | (offset & 0xffff) | sel << 16;
}

uint32_t desc_lsl(uint32_t sel)
{
    uint32_t limit = 0;
    uint8_t ok;
    __asm__ volatile("lsl %2, %0; setz %1" : "+r"(limit), "=q"(ok) : "r"(sel) : "cc");
    return ok ? limit : 0;
}

uint32_t desc_lar(uint32_t sel)
{
    uint32_t ar = 0;
    uint8_t ok;
    __asm__ volatile("lar %2, %0; setz %1" : "+r"(ar), "=q"(ok) : "r"(sel) : "cc");
    return ok ? ar & 0xff00 : 0;
}

/* The selector in a segment register, as mov from it shows it (RPL included). */
#define GET_SEG(fn, reg)                                    \
    uint32_t fn(void)                                       \
    {                                                       \
        uint32_t v;                                         \
        __asm__ volatile("mov %%" reg ", %0" : "=r"(v));    \
        return v & 0xffff;                                  \
    }
GET_SEG(get_cs, "cs")
GET_SEG(get_ss, "ss")
GET_SEG(get_fs, "fs")

void set_fs(uint32_t sel)
{
    __asm__ volatile("mov %0, %%fs" :: "r"(sel) : "memory");
}

uint32_t read_fs_at(uint32_t off)
{
    uint32_t v;
    __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

__asm__(".text\n.globl desc_gate_target\ndesc_gate_target:\n"
        "    mov %cs, %eax\n"           /* the CS the gate loaded */
        "    lret\n");

/* The offset is desc_gate_target's: a call gate ignores it, a code segment needs it. */
uint32_t desc_call_gate(uint32_t sel)
{
    uint32_t cs;
    struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) far = {
        (uint32_t)(uintptr_t)desc_gate_target, (uint16_t)sel };
    __asm__ volatile("lcall *%1" : "=a"(cs) : "m"(far) : "memory", "ecx", "edx");
    return cs & 0xffff;
}

/*
 * shell.h - what the shell's kernel (main.c) and its ring-3 program
 * (user.c) agree on: which part each task plays, the shell's own system
 * calls, and the table of forbidden operations, declared once for both.
 */
#ifndef PVGUEST_TESTS_SHELL_H
#define PVGUEST_TESTS_SHELL_H

#include <stdint.h>

enum shell_task {
    SHELL,          /* the command loop on the console (the leader) */
    CLOCK,          /* sleeps a second at a time, for ever: "sleeping" in ps */
    SPIN,           /* counts and never yields (the tick preempts it) for SPIN_BURST_S
                       seconds after each command, then sleeps: an idle demo is idle */
};

#define SYS_forbidden 1100      /* forbidden(index): the kernel does it in ring 1; never returns */
#define SYS_ping      1101      /* ping(dom, n, uint32_t rtt_us[n]): pongs; -errno */
#define SYS_untrappable 1102   /* untrappable(index): the kernel runs it in ring 1 and says what it saw */
#define SYS_runstate  1103      /* runstate(uint32_t ms[3]): the domain's running, runnable and
                                   blocked time (Xen's runstate); -ENOSYS without the area */
#define SYS_spin_rest 1104      /* spin_rest(): the spinner sleeps until the next command */
#define SYS_spin_wake 1105      /* spin_wake(): the shell got a command; wake the spinner */
#define SPIN_BURST_S  5         /* seconds the spinner spins after each command */
#define SYS_disk      1106      /* disk(op, sector, uint8_t buf[512]): DISK_*; -errno */
#define DISK_INFO     0         /* returns the disk's sectors (connecting on first use) */
#define DISK_READ     1         /* one sector into buf: 0 or the BLKIF_RSP_* status */
#define DISK_WRITE    2         /* one sector from buf */
#define PING_MAX      8
#define PING_LOST     0xffffffffu   /* rtt_us of a ping that got no pong within a second */

/*
 * The user's name for the prompt: the kernel writes it into each task's
 * copy of the user image when it creates the task (aspace_copy_to), as
 * exec fills in a program's data.
 */
#define USER_MAX 16
extern char shell_user[USER_MAX];

/*
 * X(id, command, instruction as objdump and the halt line spell it, setup)
 * Each runs in ring 1 with events masked; setup loads the registers as
 * pvguest/tests/priv does (a pseudo-descriptor, our own cr3, the APIC base
 * MSR's usual value; rdmsr reads TEST_CTRL, an MSR Xen does not offer), so
 * even a hypervisor that let one through would do little harm.  The command int3-without-handler is separate: it first
 * clears the whole trap table.
 */
#define FORBIDDEN_LIST(X)                                                       \
    X(cli, "cli", "cli", "")                                                    \
    X(sti, "sti", "sti", "")                                                    \
    X(hlt, "hlt", "hlt", "")                                                    \
    X(lgdt, "lgdt", "lgdtl (%eax)", "movl $forbidden_desc, %eax\n\t")           \
    X(lidt, "lidt", "lidtl (%eax)", "movl $forbidden_desc, %eax\n\t")           \
    X(ltr, "ltr", "ltr %ax", "movl $0x28, %eax\n\t")                            \
    X(cr0, "cr0", "mov %eax,%cr0", "movl $0x80050033, %eax\n\t")                \
    X(cr3, "cr3", "mov %eax,%cr3", "mov %cr3, %eax\n\t")                        \
    X(in, "in", "in $0x60,%al", "")                                             \
    X(out, "out", "out %al,$0x80", "xorl %eax, %eax\n\t")                       \
    X(rdmsr, "rdmsr", "rdmsr", "movl $0x33, %ecx\n\t")                          \
    X(wrmsr, "wrmsr", "wrmsr",                                                  \
      "movl $0x1b, %ecx\n\tmovl $0xfee00900, %eax\n\txorl %edx, %edx\n\t")      \
    X(invlpg, "invlpg", "invlpg (%eax)", "movl $forbidden_desc, %eax\n\t")      \
    X(wbinvd, "wbinvd", "wbinvd", "")
#define FORBIDDEN_INT3 "int3-without-handler"

/*
 * X(id, command): the sensitive instructions that ring 1 can run without a
 * trap on a plain x86 (docs/untrappable.md).  The kernel runs each and
 * prints what it saw; where UMIP or CR4.PCE makes it trap, this domain's
 * policy decides (halt it, or with dom.policy=emulate, show our own view).
 */
#define UNTRAPPABLE_LIST(X)                                                     \
    X(sgdt, "sgdt") X(sidt, "sidt") X(sldt, "sldt") X(str, "str") X(smsw, "smsw") \
    X(cpuid, "cpuid") X(rdtsc, "rdtsc") X(rdpmc, "rdpmc") X(pushf, "pushf")      \
    X(popf, "popf") X(lar, "lar") X(lsl, "lsl") X(verr, "verr") X(movcs, "mov-cs")

/* The ring-3 program's entry point (user.c): never returns. */
void task_main(uint32_t kind, uint32_t arg);

#endif

/*
 * user.h - the system call ABI of the pvguest kernel, as ring-3 code sees it.
 *
 * This is the one place the system call numbers are written down: the
 * kernel's dispatcher (syscall.c) and every user program include it.  The
 * numbers and registers are Linux's i386 ones, because they are the
 * convention `int $0x80` has meant for thirty years: the number in EAX,
 * arguments in EBX, ECX, EDX, the result (or -errno) back in EAX.
 *
 * A user program is built from its own object file, whose sections are
 * renamed .user.* so that the link puts it in the user image (see
 * pvguest/pvguest.mk): it may call nothing outside itself, only these
 * inline stubs, and the build checks that it references no other symbol.
 */
#ifndef PVGUEST_KERNEL_USER_H
#define PVGUEST_KERNEL_USER_H

#include <stdint.h>

#define SYS_exit        1       /* exit(code): never returns */
#define SYS_write       4       /* write(fd 1 or 2, buf, len): bytes written */
#define SYS_getpid      20      /* getpid(): the task's pid, from 1 */
#define SYS_sched_yield 158     /* sched_yield(): let the next task run; 0 */

static inline long syscall3(long nr, long a, long b, long c)
{
    long ret;

    __asm__ __volatile__("int $0x80"
                         : "=a"(ret) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory", "cc");
    return ret;
}

static inline long sys_write(int fd, const void *buf, unsigned long len)
{
    return syscall3(SYS_write, fd, (long)(uintptr_t)buf, (long)len);
}

static inline long sys_getpid(void)
{
    return syscall3(SYS_getpid, 0, 0, 0);
}

static inline long sys_sched_yield(void)
{
    return syscall3(SYS_sched_yield, 0, 0, 0);
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
    syscall3(SYS_exit, code, 0, 0);
    __builtin_unreachable();
}

#endif

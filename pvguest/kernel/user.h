/*
 * user.h - the system call ABI of the pvguest kernel, as ring-3 code sees it.
 *
 * This is the one place the system call numbers are written down: the
 * kernel's dispatcher (syscall.c) and every user program include it.  The
 * numbers and registers are Linux's i386 ones, because they are the
 * convention `int $0x80` has meant for thirty years: the number in EAX,
 * arguments in EBX, ECX, EDX, the result (or -errno) back in EAX.
 *
 * A user program is built from its own object file, linked alone at
 * USER_BASE (pvguest/kernel/user.ld) and carried in the kernel as a blob
 * that every task gets a copy of (see pvguest/pvguest.mk): it may call
 * nothing outside itself, only these inline stubs, and the build checks
 * that it references no other symbol.
 */
#ifndef PVGUEST_KERNEL_USER_H
#define PVGUEST_KERNEL_USER_H

#include <stdint.h>

#define SYS_exit          1     /* exit(code): never returns */
#define SYS_read          3     /* read(0, buf, len): console input; blocks until
                                 * at least one byte came; bytes read */
#define SYS_write         4     /* write(fd 1 or 2, buf, len): bytes written */
#define SYS_getpid        20    /* getpid(): the task's pid, from 1 */
#define SYS_sched_yield   158   /* sched_yield(): let the next task run; 0 */
#define SYS_nanosleep     162   /* nanosleep(const struct timespec *, NULL): 0 */
#define SYS_clock_gettime 265   /* clock_gettime(CLOCK_*, struct timespec *): 0 */
/* pvguest's own, above Linux's numbers: */
#define SYS_task_info     1000  /* task_info(slot, struct task_info *): 0; -ESRCH
                                 * past the last slot, -ENOENT for a free one */
#define SYS_spawn         1001  /* spawn(kind, arg): a child running the program's
                                 * task_main(kind, arg) in an address space of its
                                 * own; its pid, or -EAGAIN with no slot or frames */
#define SYS_wait          1002  /* wait(pid): sleep until that child exits; its
                                 * exit code (its slot is free again); -ECHILD */

/*
 * Where a task's memory is, in the address space each task has to itself.
 * The image is the program, linked at USER_BASE (pvguest/kernel/user.ld);
 * the heap's pages are zeroed on first touch; the stack is one page, with
 * an unmapped guard page below it.  Everything else faults.
 */
#define USER_BASE         0x00400000u
#define USER_HEAP         0x00500000u
#define USER_HEAP_PAGES   2
#define USER_STACK_TOP    0x00600000u

#define CLOCK_REALTIME    0     /* the wall clock: seconds since 1970 */
#define CLOCK_MONOTONIC   1     /* system time: since the hypervisor booted */

/* 32-bit fields, as i386 Linux's: ring 3 does no 64-bit division (no libgcc). */
struct timespec {
    int32_t tv_sec;
    int32_t tv_nsec;
};

/* One task, for ps. */
struct task_info {
    uint32_t pid;
    char name[16];
    char state[12];             /* "running", "runnable", "sleeping", "exited" */
    uint32_t runs;              /* times the scheduler switched to it */
    uint32_t preempted;         /* ... of which ended by preemption (tick, wake-up) */
    uint32_t cpu_ms;            /* time it has run: the domain's running time (cputime.c) */
    uint32_t stolen_ms;         /* time other domains had the CPU while it was current */
};

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

static inline long sys_read(int fd, void *buf, unsigned long len)
{
    return syscall3(SYS_read, fd, (long)(uintptr_t)buf, (long)len);
}

static inline long sys_nanosleep(const struct timespec *req)
{
    return syscall3(SYS_nanosleep, (long)(uintptr_t)req, 0, 0);
}

static inline long sys_clock_gettime(int clock, struct timespec *ts)
{
    return syscall3(SYS_clock_gettime, clock, (long)(uintptr_t)ts, 0);
}

static inline long sys_task_info(unsigned slot, struct task_info *ti)
{
    return syscall3(SYS_task_info, (long)slot, (long)(uintptr_t)ti, 0);
}

static inline long sys_spawn(uint32_t kind, uint32_t arg)
{
    return syscall3(SYS_spawn, (long)kind, (long)arg, 0);
}

static inline long sys_wait(long pid)
{
    return syscall3(SYS_wait, pid, 0, 0);
}

static inline __attribute__((noreturn)) void sys_exit(int code)
{
    syscall3(SYS_exit, code, 0, 0);
    __builtin_unreachable();
}

#endif

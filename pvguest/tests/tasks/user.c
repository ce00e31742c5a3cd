/*
 * user.c - the program the tasks test's tasks run, in ring 3.
 *
 * It is linked into the user image (its sections become .user.*), so it
 * can reach only itself and the kernel through int $0x80: it calls no
 * library function (the build checks it references no outside symbol).
 * Every task runs a private copy of this image, so `lines` below is
 * each task's own: a task's exit code says how many lines it wrote, and
 * the kernel compares that with its own count.  Which part a task plays
 * is its first argument (tasks.h).
 */
#include <stdbool.h>
#include "pvguest/kernel/user.h"
#include "pvguest/tests/tasks/tasks.h"

static unsigned lines;              /* private to each task */

static const char *const names[] = { "alpha", "beta", "gamma", "intruder", "probe",
                                     "forker", "child" };
static volatile uint32_t pristine = 0x0516a1; /* as linked: every child must see this */

static unsigned put(char *buf, unsigned at, const char *s)
{
    while (*s)
        buf[at++] = *s++;
    return at;
}

static unsigned put_uint(char *buf, unsigned at, uint32_t v, unsigned base)
{
    char digits[12];
    unsigned n = 0;

    do
        digits[n++] = "0123456789abcdef"[v % base];
    while ((v /= base));
    while (n)
        buf[at++] = digits[--n];
    return at;
}

/* "<name> (pid N): line L of 3<tail>" through the write system call. */
static void say(uint32_t kind, const char *tail, uint32_t hex)
{
    char buf[120];
    unsigned at = put(buf, 0, names[kind]);

    at = put(buf, at, " (pid ");
    at = put_uint(buf, at, (uint32_t)sys_getpid(), 10);
    at = put(buf, at, "): line ");
    at = put_uint(buf, at, ++lines, 10);
    at = put(buf, at, " of 3");
    at = put(buf, at, tail);
    if (hex) {
        at = put(buf, at, "0x");
        at = put_uint(buf, at, hex, 16);
    }
    buf[at++] = '\n';
    sys_write(1, buf, at);
}

/* Gamma's heap: both pages must read as zero at first touch, then keep data. */
static const char *touch_heap(volatile uint32_t *heap, uint32_t seed)
{
    const unsigned words = 2 * 4096 / 4;
    bool zero = heap[HEAP_READ_OFF / 4] == 0;           /* fault 1: a read */

    for (unsigned i = 0; i < words / 2; i++)
        zero = zero && heap[i] == 0;
    heap[HEAP_WRITE_OFF / 4] = seed;                    /* fault 2: a write */
    for (unsigned i = words / 2; i < words; i++)
        zero = zero && (i == HEAP_WRITE_OFF / 4 || heap[i] == 0);
    for (unsigned i = 0; i < words; i++)
        heap[i] = i * 2654435761u ^ seed;
    for (unsigned i = 0; i < words; i++)
        if (heap[i] != (i * 2654435761u ^ seed))
            return ": heap pages LOST what was written";
    return zero ? ": heap pages came zeroed and keep what was written"
                : ": heap pages were NOT zero at first touch";
}

/* A short life in a space of its own: is it fresh?  Then dirty it for the next. */
static __attribute__((noreturn)) void child(uint32_t i, volatile uint32_t *heap)
{
    bool fresh = pristine == 0x0516a1 && lines == 0 && heap[0] == 0;   /* heap[0]: demand-zero */

    pristine = 0xd1e7u ^ i;
    lines = 1000 + i;
    heap[0] = 0xc0ffee00u | i;
    sys_exit(fresh && heap[0] == (0xc0ffee00u | i) ? CHILD_CODE(i) : 255);
}

/* Fork-style: a child at a time, each waited for, so each space is built and torn down. */
static __attribute__((noreturn)) void forker(uint32_t n)
{
    uint32_t ok = 0;

    say(FORKER, ": spawning children, one at a time, each in its own address space", 0);
    for (uint32_t i = 0; i < n; i++) {
        long pid = sys_spawn(CHILD, i);
        if (pid < 0 || sys_wait(pid) != (long)CHILD_CODE(i))
            break;
        ok++;
    }
    sys_exit((int)ok);
}

void task_main(uint32_t kind, uint32_t arg)
{
    switch (kind) {
    case ALPHA:
    case GAMMA:
        say(kind, "", 0);
        sys_sched_yield();
        say(kind, kind == GAMMA ? touch_heap((volatile uint32_t *)arg, 0x5eed) : "", 0);
        sys_sched_yield();
        say(kind, "", 0);
        sys_sched_yield();
        sys_exit((int)lines);
    case BETA:
        say(kind, "", 0);
        sys_sched_yield();
        sys_exit(0);                                    /* early: 2 lines unsaid */
    case INTRUDER:
        say(kind, "; next, a read of kernel memory at ", arg);
        sys_sched_yield();
        say(kind, ": the kernel let me read it: ", *(volatile uint32_t *)arg);
        sys_exit(99);
    case FORKER:
        forker(arg);
    case CHILD:
        child(arg, (volatile uint32_t *)USER_HEAP);
    default:
        sys_getpid();                                   /* the probe's one call */
        sys_exit(0);
    }
}

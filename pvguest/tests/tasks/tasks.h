/*
 * tasks.h - what the tasks test's kernel (main.c) and its ring-3 program
 * (user.c) agree on: which part each task plays, and how much it says.
 */
#ifndef PVGUEST_TESTS_TASKS_H
#define PVGUEST_TESTS_TASKS_H

#include <stdint.h>

enum task_kind {
    ALPHA,          /* 3 lines, yielding after each; exit(lines written) */
    BETA,           /* 1 line, yields, then exit(0) early */
    GAMMA,          /* like alpha, and touches its two demand-zero heap pages */
    INTRUDER,       /* 1 line, yields, then reads kernel memory: killed */
    PROBE,          /* getpid, exit(0): run with events masked (fast-trap evidence) */
    FORKER,         /* spawn(CHILD, i) and wait for it, arg times; exit(children that
                     * ended as expected) */
    CHILD,          /* checks its image is pristine and a heap page zero, scribbles
                     * on both; exit(CHILD_CODE(arg)), or 255 if a check failed */
};

#define LINES           3
#define HEAP_READ_OFF   0x10u       /* gamma's first touch: a read, heap page 0 */
#define HEAP_WRITE_OFF  0x1020u     /* its second: a write, heap page 1 */
#define CHILD_CODE(i)   (((i) * 7 + 1) & 0x7f)

/* The ring-3 program's entry point (user.c): never returns. */
void task_main(uint32_t kind, uint32_t arg);

#endif

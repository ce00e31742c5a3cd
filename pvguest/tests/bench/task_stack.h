/*
 * task_stack.h - a first stack for a task that bench_switch/native_switch
 * (the same 12 instructions in pvguest/tests/bench and pvguest/native) will
 * switch to: the four callee-saved registers they pop, then the address
 * their ret lands on.  Shared by the PV bench guest and the native kernel,
 * so both switch between exactly the same two tasks.  Standalone: stdint only.
 */
#ifndef BENCH_TASK_STACK_H
#define BENCH_TASK_STACK_H
#include <stdint.h>

static inline uint32_t task_stack_init(uint8_t *stack, uint32_t size, void (*entry)(void))
{
    uint32_t *sp = (uint32_t *)(stack + size);

    *--sp = 0;                          /* the task never returns */
    *--sp = (uint32_t)entry;            /* where the switch's ret lands */
    for (unsigned k = 0; k < 4; k++)
        *--sp = 0;                      /* ebp ebx esi edi */
    return (uint32_t)sp;
}

#endif

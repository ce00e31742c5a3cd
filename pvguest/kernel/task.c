/*
 * task.c - ring-3 tasks and the scheduler that switches between them.
 *
 * Each task has a kernel stack of its own inside its struct task.  A trap
 * from ring 3 (the int $0x80 fast trap, or a fault the hypervisor bounces)
 * lands at the top of the stack named by stack_switch, the virtual TSS, so
 * the scheduler names the next task's stack before running it: its traps
 * then build their frames where its kernel context lives, and yielding is
 * a plain switch of kernel stacks (swtch) in ring 1, with no hypervisor
 * involved beyond the stack_switch and the window's remapping.
 *
 * The scheduler is xv6's: it runs in the kernel's own context (the boot
 * stack) and picks tasks round-robin; a task gives up the CPU only by
 * yielding or exiting, which switches back to it.  The virtual interrupt
 * flag is set across every switch: each side saves its own flags before
 * swtch and restores them after, so the mask follows the code, not the
 * stack.  After each switch the scheduler also yields the (virtual) CPU
 * to other domains, so two kernels' tasks interleave on one machine.
 */
#include "pvguest/kernel/kernel.h"

struct task tasks[NTASKS];
unsigned sched_switches;
static struct task *current_task;
static uint32_t sched_esp;                 /* the scheduler's context, while a task runs */
static unsigned last = NTASKS - 1;          /* round-robin: the slot that ran last */

/*
 * A task enters entry(arg0, arg1) as if called: ESP points at a return
 * address (0: entry must exit, not return) with the arguments above it,
 * and ESP + 4 is 16-byte aligned, as the i386 ABI expects at a call.
 */
#define ENTRY_SP (PAGE_SIZE - 20)

struct task *task_current(void)
{
    return current_task;
}

/*
 * The new task's kernel stack, from the top: the trap frame
 * return_to_user pops to iret into ring 3, then swtch's saved registers,
 * whose return address is return_to_user.
 */
static void build_kstack(struct task *t, uint32_t entry, uint32_t eflags)
{
    struct trap_frame *f = (struct trap_frame *)(t->kstack + KSTACK_SIZE) - 1;
    uint32_t *sw = (uint32_t *)f - 5;

    memset(f, 0, sizeof(*f));
    f->ds = f->es = FLAT_RING3_DS;
    f->eip = entry;
    f->cs = FLAT_RING3_CS;
    f->eflags = eflags;
    f->esp = window_stack_top() - PAGE_SIZE + ENTRY_SP;
    f->ss = FLAT_RING3_SS;
    sw[0] = sw[1] = sw[2] = sw[3] = 0;      /* edi esi ebx ebp */
    sw[4] = (uint32_t)(uintptr_t)return_to_user;
    t->ksp = (uint32_t)(uintptr_t)sw;
    t->kstack_top = (uint32_t)(uintptr_t)(t->kstack + KSTACK_SIZE);
}

struct task *task_create(const char *name, void (*entry)(uint32_t, uint32_t),
                         uint32_t arg0, uint32_t arg1, bool events_masked)
{
    struct task *t = NULL;
    uint32_t *ustack;

    for (unsigned i = 0; i < NTASKS && !t; i++)
        if (tasks[i].state == TASK_FREE)
            t = &tasks[i];
    if (!t || window_populate(t))
        return NULL;
    t->pid = (unsigned)(t - tasks) + 1;
    for (unsigned k = 0; k < sizeof(t->name) - 1 && name[k]; k++)
        t->name[k] = name[k];
    /* The initial user stack, written through its frame's kernel address. */
    ustack = (uint32_t *)(pte_to_kernel_va(t->pte[window_index(window_stack_top() - 1)]) +
                          ENTRY_SP);
    ustack[0] = 0;
    ustack[1] = arg0;
    ustack[2] = arg1;
    build_kstack(t, (uint32_t)(uintptr_t)entry, events_masked ? 0x2 : 0x2 | EFLAGS_IF);
    t->state = TASK_RUNNABLE;
    return t;
}

static struct task *pick_next(void)
{
    for (unsigned k = 1; k <= NTASKS; k++) {
        unsigned i = (last + k) % NTASKS;
        if (tasks[i].state == TASK_RUNNABLE) {
            last = i;
            return &tasks[i];
        }
    }
    return NULL;
}

void sched_run(void)
{
    unsigned long flags = local_irq_save();
    struct task *t;
    long rc;

    while ((t = pick_next())) {
        window_switch(t);
        if ((rc = HYPERVISOR_stack_switch(FLAT_RING1_SS, t->kstack_top)))
            kernel_panic("stack_switch", rc);
        t->state = TASK_RUNNING;
        current_task = t;
        sched_switches++;
        irq_assert_masked("the switch to a task");
        swtch(&sched_esp, t->ksp);
        irq_assert_masked("the switch back to the scheduler");
        current_task = NULL;
        if (t->state == TASK_EXITED)
            window_release(t);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);   /* let other domains run */
    }
    window_switch(NULL);
    if ((rc = HYPERVISOR_stack_switch(FLAT_RING1_SS, trap_stack_top)))
        kernel_panic("stack_switch", rc);
    local_irq_restore(flags);
}

/* Called from a task's kernel code (a system call): back to the scheduler. */
void task_yield(void)
{
    unsigned long flags = local_irq_save();
    struct task *t = current_task;

    t->state = TASK_RUNNABLE;
    swtch(&t->ksp, sched_esp);
    local_irq_restore(flags);
}

void task_exit(int code, bool killed)
{
    struct task *t = current_task;
    uint32_t dead;

    local_irq_save();                       /* the scheduler restores its own */
    t->state = TASK_EXITED;
    t->exit_code = code;
    t->killed = killed;
    printf("kernel: task %u (%s) %s %d\n", t->pid, t->name,
           killed ? "killed, exit code" : "exited with code", code);
    swtch(&dead, sched_esp);                /* its frames go in sched_run */
    __builtin_unreachable();
}

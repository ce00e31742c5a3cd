/*
 * task.c - ring-3 tasks and the scheduler that switches between them.
 *
 * Each task has a kernel stack of its own inside its struct task.  A trap
 * from ring 3 (the int $0x80 fast trap, or a fault the hypervisor bounces)
 * lands at the top of the stack named by stack_switch, the virtual TSS, so
 * the scheduler names the next task's stack before running it: its traps
 * then build their frames where its kernel context lives, and yielding is
 * a plain switch of kernel stacks (swtch) in ring 1.  Each task also has
 * its own address space (aspace.c), so the one hypercall of a switch is a
 * multicall of two: MMUEXT_NEW_BASEPTR to the task's L3 and stack_switch.
 * The scheduler runs on in the space of the task that switched back (the
 * kernel is mapped alike in all of them) and returns to the boot L3 only
 * to tear down a space that ended, or when no task is left.
 *
 * The scheduler is xv6's: it runs in the kernel's own context (the boot
 * stack) and picks tasks round-robin.  A task gives up the CPU by
 * yielding, sleeping (task_sleep_until) or exiting, which switch back to
 * it, or is preempted: when the timer's tick (timer.c) finds it running in
 * ring 3, the event upcall calls task_preempt(), which is a yield made on
 * the task's behalf, from the upcall's frame on its kernel stack.  A task
 * woken by an event (task_wake) preempts the running one the same way, so
 * the shell answers a key at once rather than at the next tick.  The
 * virtual interrupt flag is set across every switch: each side saves its
 * own flags before swtch and restores them after, so the mask follows the
 * code, not the stack.  After each switch the scheduler also yields the
 * (virtual) CPU to other domains, so two kernels' tasks interleave on one
 * machine (only after a voluntary yield or an exit: a task the tick
 * preempted, or one that went to sleep, has not offered the CPU to anyone
 * else); when every task sleeps it blocks the domain (SCHEDOP_block)
 * until an event - a sleeper's timer, console input - makes one runnable.
 * A task marked leader ends the others when it exits: they are killed.
 * A task may spawn children, each in a fresh space, and wait for one: the
 * wait returns its exit code and frees its slot for the next spawn.
 */
#include "pvguest/kernel/kernel.h"

struct task tasks[NTASKS];
unsigned sched_switches, sched_idle_blocks;
static struct task *current_task;
static uint32_t sched_esp;                 /* the scheduler's context, while a task runs */
static unsigned last = NTASKS - 1;          /* round-robin: the slot that ran last */
static unsigned next_pid = 1;
void (*task_spawn_entry)(uint32_t, uint32_t);

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
    f->esp = USER_STACK_TOP - PAGE_SIZE + ENTRY_SP;
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
    if (!t)
        return NULL;
    memset(t, 0, sizeof(*t));
    if (aspace_build(&t->as))
        return NULL;
    t->pid = next_pid++;
    t->st.l3_mfn = aspace_l3_mfn(&t->as);
    t->st.space_entries = t->as.entries;
    t->st.space_mmu_updates = t->as.mmu_updates;
    for (unsigned k = 0; k < sizeof(t->name) - 1 && name[k]; k++)
        t->name[k] = name[k];
    /* The initial user stack, written through its frame's kernel address. */
    ustack = (uint32_t *)(t->as.page[USER_STACK_SLOT] + ENTRY_SP);
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

static bool any(enum task_state state)
{
    for (unsigned i = 0; i < NTASKS; i++)
        if (tasks[i].state == state)
            return true;
    return false;
}

bool task_can_run(void)
{
    return current_task || any(TASK_RUNNABLE);
}

/* A task that exited as leader takes the others with it (exit code -9). */
static void kill_the_rest(const struct task *leader)
{
    for (unsigned i = 0; i < NTASKS; i++) {
        struct task *t = &tasks[i];
        if (t->state == TASK_FREE || t->state == TASK_EXITED)
            continue;
        t->state = TASK_EXITED;
        t->exit_code = -9;
        t->killed = true;
        aspace_destroy(&t->as);
        printf("kernel: task %u (%s) killed: its leader %s exited\n", t->pid, t->name,
               leader->name);
    }
}

/*
 * Load l3_mfn's space and name the kernel stack for traps from ring 3:
 * one multicall, so one trap into the hypervisor per switch.
 */
static void switch_space(uint32_t l3_mfn, uint32_t kstack_top)
{
    xen_mmuext_op_t op = { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = l3_mfn };
    xen_multicall_entry_t mc[2] = {
        { .op = __HYPERVISOR_mmuext_op,
          .args = { (uint32_t)(uintptr_t)&op, 1, 0, DOMID_SELF } },
        { .op = __HYPERVISOR_stack_switch, .args = { FLAT_RING1_SS, kstack_top } },
    };
    long rc = HYPERVISOR_multicall(mc, 2);

    if (rc || mc[0].result || mc[1].result)
        kernel_panic(rc || mc[0].result ? "multicall: new_baseptr" : "multicall: stack_switch",
                     rc ? rc : (long)(mc[0].result ? mc[0].result : mc[1].result));
}

/* A task ended: back to the boot space, tear its own down, tell a waiting parent. */
static void reap(struct task *t)
{
    long rc;

    if ((rc = mm_new_baseptr(mm_bootstrap_l3())))
        kernel_panic("new_baseptr to the boot L3", rc);
    aspace_destroy(&t->as);
    if (t->parent && t->waited)
        task_wake(t->parent);
    if (t->leader)
        kill_the_rest(t);
}

/*
 * Run t until it switches back; account its time; reap it if it ended.
 * True if it gave the CPU up of its own accord (sched_yield, exit).
 */
static bool run(struct task *t)
{
    unsigned preempted = t->preempted;

    switch_space(aspace_l3_mfn(&t->as), t->kstack_top);
    t->state = TASK_RUNNING;
    t->runs++;
    current_task = t;
    sched_switches++;
    need_resched = false;                   /* a fresh slice */
    timer_arm();                            /* the tick runs while a task does */
    cputime_now(&t->ran_at);                /* running time, not the clock: cputime.c */
    irq_assert_masked("the switch to a task");
    swtch(&sched_esp, t->ksp);
    irq_assert_masked("the switch back to the scheduler");
    struct cputime now;
    cputime_now(&now);
    t->cpu_ns += now.running_ns - t->ran_at.running_ns;
    t->stolen_ns += now.stolen_ns - t->ran_at.stolen_ns;
    current_task = NULL;
    if (t->state == TASK_EXITED)
        reap(t);
    return t->state != TASK_SLEEPING && t->preempted == preempted;
}

/*
 * Nothing can run but a task sleeps: block the domain until an event.
 * SCHEDOP_block unmasks events as it blocks (so one that came since we
 * looked is not lost) and the upcall runs on its way back, on this stack;
 * its handlers wake tasks.  Then we mask again and look.
 */
static void idle(void)
{
    long rc;

    sched_idle_blocks++;
    timer_arm();                            /* the next sleeper only: no tick */
    if ((rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL)))
        kernel_panic("SCHEDOP_block", rc);
    local_irq_save();
}

void sched_run(void)
{
    unsigned long flags = local_irq_save();
    struct task *t;

    for (;;) {
        if ((t = pick_next())) {
            if (run(t))
                HYPERVISOR_sched_op(SCHEDOP_yield, NULL);   /* a yield is for everyone */
        } else if (any(TASK_SLEEPING)) {
            idle();
        } else {
            break;
        }
    }
    switch_space(mm_bootstrap_l3(), trap_stack_top);
    if (timer_stats.port)
        timer_arm();                        /* nothing runs or sleeps: cancel */
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

/* From the event upcall, which interrupted t in ring 3: a yield on its behalf. */
void task_preempt(void)
{
    current_task->preempted++;
    task_yield();
}

/*
 * Sleep until system time deadline (0: no deadline) or task_wake().  The
 * caller may test its condition and call this inside one critical
 * section: a wake-up can only come from an upcall, which waits for it.
 */
void task_sleep_until(uint64_t deadline)
{
    unsigned long flags = local_irq_save();
    struct task *t = current_task;

    t->wake_at = deadline;
    t->state = TASK_SLEEPING;
    swtch(&t->ksp, sched_esp);
    local_irq_restore(flags);
}

/* From an upcall: if it interrupted a task, that task makes way (need_resched). */
void task_wake(struct task *t)
{
    if (t->state == TASK_SLEEPING) {
        t->state = TASK_RUNNABLE;
        t->wake_at = 0;
        if (current_task)
            need_resched = true;
    }
}

unsigned task_wake_due(uint64_t now)
{
    unsigned n = 0;

    for (unsigned i = 0; i < NTASKS; i++)
        if (tasks[i].state == TASK_SLEEPING && tasks[i].wake_at && tasks[i].wake_at <= now) {
            task_wake(&tasks[i]);
            n++;
        }
    return n;
}

uint64_t task_next_wake(void)
{
    uint64_t next = 0;

    for (unsigned i = 0; i < NTASKS; i++)
        if (tasks[i].state == TASK_SLEEPING && tasks[i].wake_at &&
            (!next || tasks[i].wake_at < next))
            next = tasks[i].wake_at;
    return next;
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

/* SYS_spawn: a child of t running task_spawn_entry(kind, arg) in a new space. */
long task_spawn(struct task *t, uint32_t kind, uint32_t arg)
{
    struct task *c;

    if (!task_spawn_entry)
        return -ENOSYS;
    if (!(c = task_create("child", task_spawn_entry, kind, arg, false)))
        return -EAGAIN;
    c->parent = t;
    return c->pid;
}

/* SYS_wait: sleep until t's child pid exits; its exit code, and its slot is free. */
long task_wait(struct task *t, uint32_t pid)
{
    struct task *c = NULL;
    unsigned long flags;
    int code;

    for (unsigned i = 0; i < NTASKS && !c; i++)
        if (tasks[i].state != TASK_FREE && tasks[i].pid == pid && tasks[i].parent == t)
            c = &tasks[i];
    if (!c)
        return -ECHILD;
    flags = local_irq_save();
    c->waited = true;
    while (c->state != TASK_EXITED)
        task_sleep_until(0);                /* reap() wakes us */
    code = c->exit_code;
    c->state = TASK_FREE;
    local_irq_restore(flags);
    return code;
}

const char *task_state_name(enum task_state s)
{
    static const char *const names[] = { "free", "runnable", "running", "sleeping", "exited" };

    return s < ARRAY_SIZE(names) ? names[s] : "?";
}

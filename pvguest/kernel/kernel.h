/*
 * kernel.h - the pvguest kernel: ring-3 tasks on a paravirtual CPU.
 *
 * The kernel runs in ring 1 and its tasks in ring 3.  It owns no IDT, no
 * TSS and no interrupt flag: it registers a virtual IDT (set_trap_table,
 * through pvguest/lib/traps.c), names each task's kernel stack with
 * stack_switch, and blocks events with the mask in shared_info instead of
 * cli.  The pieces, one file each:
 *   irqflags.c  local_irq_save/restore on the virtual mask; the event upcall
 *   frame.c     a pool of page frames, each known by its MFN
 *   window.c    the user window: the VAs every task sees, remapped per task
 *   task.c      tasks: creation, exit, the scheduler, yield, sleep, preemption
 *   timer.c     the one-shot timer multiplexed: the preemption tick, sleepers
 *   tty.c       console input for tasks (CONSOLEIO_read, VIRQ_CONSOLE)
 *   switch.S    swtch() between kernel stacks; return_to_user via iret
 *   syscall.c   int $0x80 (the fast trap) and its dispatch
 *   pf.c        the page-fault handler: demand-zero, or kill the task
 *   kernel.c    kernel_init(): the order everything is set up in
 * It must never execute cli, sti or any other privileged instruction:
 * the build checks the image for cli and sti (pvguest/pvguest.mk).
 */
#ifndef PVGUEST_KERNEL_H
#define PVGUEST_KERNEL_H

#include "pvguest/lib/pvguest.h"

#define NTASKS       8          /* slots are used once: a test's tasks stay inspectable */
#define KSTACK_SIZE  8192
#define WINDOW_MAX   8          /* user-window pages */
#define POOL_PAGES   40         /* frames for task memory and demand-zero pages */
#define PF_LOG_MAX   8

/* ---- the virtual interrupt flag (irqflags.c) ------------------------- */

/*
 * local_irq_save() sets vcpu_info.evtchn_upcall_mask and returns its old
 * value; local_irq_restore() puts it back and, if that unmasks while an
 * upcall is pending, makes a hypercall so the hypervisor delivers it now.
 */
unsigned long local_irq_save(void);
void local_irq_restore(unsigned long flags);
bool irqs_disabled(void);

struct irq_stats {
    unsigned sections;          /* local_irq_save() calls that masked events */
    unsigned unmasked_inside;   /* irq_assert_masked() found the mask clear */
    unsigned forced;            /* restores that found an upcall pending */
    unsigned upcalls;           /* event upcalls received */
};
extern struct irq_stats irq_stats;
void irq_assert_masked(const char *where);
void irq_init(void);            /* the event upcall's hook */

/* ---- frames (frame.c) ------------------------------------------------ */

/* A zeroed page of our own: its kernel VA (supervisor only); 0 when out. */
uint32_t frame_alloc(void);
void frame_free(uint32_t va);
unsigned frame_free_count(void);
/* The PTE that maps the frame at kernel VA va for ring 3, read-write. */
uint64_t frame_user_pte(uint32_t va);
uint32_t pte_to_kernel_va(uint64_t pte);

/* ---- the user window (window.c) -------------------------------------- */

enum window_kind { W_IMAGE, W_STACK, W_HEAP };

struct window {
    unsigned pages;
    uint32_t va[WINDOW_MAX];
    enum window_kind kind[WINDOW_MAX];
    uint64_t now[WINDOW_MAX];   /* what each page maps at the moment */
};
extern struct window window;
extern char __user_start[], __user_end[];   /* the user image (pvguest/kernel/user.ld) */

void window_init(void);
int window_index(uint32_t va);              /* -1 if va is outside the window */
uint32_t window_stack_top(void);
uint32_t window_heap(void);                 /* the first demand-zero page */

struct task;
/* Give t its own memory (a copy of the user image, a stack); 0 or -errno. */
long window_populate(struct task *t);
void window_release(struct task *t);
/* Map t's pages (NULL: none) at the window's VAs: one hypercall per change. */
void window_switch(const struct task *t);
/* Is [va, va+len) mapped for the running task?  (pointer check for syscalls) */
bool window_user_range(const struct task *t, uint32_t va, uint32_t len);

/* ---- tasks and the scheduler (task.c, switch.S) ---------------------- */

enum task_state { TASK_FREE, TASK_RUNNABLE, TASK_RUNNING, TASK_SLEEPING, TASK_EXITED };

/* Evidence about a task's traps, for the test to judge. */
struct task_stats {
    unsigned syscalls;          /* int $0x80 entries */
    unsigned from_ring3;        /* ... whose frame said CS 0xe02b */
    unsigned on_kstack;         /* ... whose frame ended at this task's stack_switch top */
    unsigned if_set;            /* ... whose frame had EFLAGS.IF set */
    unsigned entered_masked;    /* ... whose handler started with events masked */
    unsigned writes, faults;
    bool first_seen;            /* the first syscall's frame, as the handler saw it: */
    uint32_t first_cs;          /*   CS with bits 16-31 */
    uint32_t first_eflags;
    uint8_t first_mask;         /*   vcpu_info's mask when the handler ran */
};

struct task {
    unsigned pid;
    char name[16];
    enum task_state state;
    int exit_code;
    bool killed;                /* ended by the kernel (a bad page fault, its leader exited) */
    bool leader;                /* when it exits, the other tasks are killed */
    uint64_t wake_at;           /* TASK_SLEEPING: system time to wake at; 0: on task_wake */
    uint64_t cpu_ns, ran_at;    /* time run in all; when its current run began */
    unsigned runs, preempted;   /* times switched to; ... of which ended by preemption */
    uint32_t ksp;               /* saved ESP while switched out (swtch) */
    uint32_t kstack_top;        /* handed to stack_switch while it runs */
    uint64_t pte[WINDOW_MAX];   /* its mapping of each window page; 0: none */
    struct task_stats st;
    uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));
};
extern struct task tasks[NTASKS];

/*
 * A ring-3 task entering entry(arg0, arg1) (a function in the user image)
 * on its own stack; with events_masked it starts with the virtual IF
 * clear.  NULL when out of slots or frames.
 */
struct task *task_create(const char *name, void (*entry)(uint32_t, uint32_t),
                         uint32_t arg0, uint32_t arg1, bool events_masked);
struct task *task_current(void);
/* Run tasks until none is runnable or sleeping; block the domain while all sleep. */
void sched_run(void);
void task_yield(void);                      /* from a task's kernel code */
void task_preempt(void);                    /* on need_resched: upcall over ring 3, syscall exit */
void __noreturn task_exit(int code, bool killed);
/* Sleep until system time deadline (0: none) or task_wake(); events masked inside. */
void task_sleep_until(uint64_t deadline);
void task_wake(struct task *t);             /* a sleeping t becomes runnable */
unsigned task_wake_due(uint64_t now);       /* wake sleepers whose deadline passed */
uint64_t task_next_wake(void);              /* the earliest sleeper's deadline; 0: none */
bool task_can_run(void);                    /* a task runs or is runnable */
const char *task_state_name(enum task_state s);
extern unsigned sched_switches, sched_idle_blocks;

void swtch(uint32_t *save_esp, uint32_t new_esp);     /* switch.S */
void return_to_user(void);                  /* switch.S: pops a trap_frame, irets */

/* ---- time: the tick and sleeping tasks (timer.c) -------------------- */

/*
 * timer_init() binds VIRQ_TIMER and starts a tick every tick_ns (0: no
 * preemption, sleeps only) while a task can run.  timer_arm() programs
 * set_timer_op for the earlier of the next tick and the next sleeper; the
 * scheduler calls it at each switch and before it blocks.  The tick sets
 * need_resched; the upcall preempts a task it interrupted in ring 3, and
 * a system call gives the CPU up on its way out.
 */
struct timer_stats {
    unsigned port;              /* VIRQ_TIMER's port; 0 until timer_init() */
    unsigned events, ticks, wakeups, armed;
};
extern struct timer_stats timer_stats;
extern bool need_resched;
void timer_init(uint64_t tick_ns);
void timer_arm(void);

/* ---- console input (tty.c) --------------------------------------------- */

/*
 * tty_init() binds VIRQ_CONSOLE.  tty_read() gives task t what was typed
 * for this domain (CONSOLEIO_read), copied to its buffer; with nothing
 * there it sleeps until VIRQ_CONSOLE (or, if the hypervisor would not
 * bind it, polls every TTY_POLL_NS).  At least one byte, or -errno.
 */
#define TTY_POLL_NS (100 * NS_PER_MS)
void tty_init(void);
long tty_read(struct task *t, uint32_t buf, uint32_t len);

/* ---- system calls and page faults (syscall.c, pf.c) ------------------ */

/* int $0x80 as the fast trap, or (fast false) with "mask events": bounced. */
void syscall_init(bool fast);
/*
 * A guest's own system calls: a number syscall.c does not know goes to
 * this hook, which sets f->eax and returns true, or false for -ENOSYS.
 */
typedef bool (*syscall_ext_t)(struct task *t, struct trap_frame *f);
void syscall_set_ext(syscall_ext_t ext);
extern uint8_t write_log[64];               /* pid of each write, in order */
extern unsigned write_log_len;

struct pf_record {
    unsigned pid;
    uint32_t cr2, error, eip;
    bool demand_zero;                       /* false: the task was killed */
};
extern struct pf_record pf_log[PF_LOG_MAX];
extern unsigned pf_log_len;
void pf_init(void);

/* ---- kernel.c -------------------------------------------------------- */

void kernel_init(bool fast_syscalls);
/* Something the kernel cannot do without (a hypercall refused): ERROR, end. */
void __noreturn kernel_panic(const char *what, long rc);

#endif

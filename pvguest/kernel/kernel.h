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
 *   aspace.c    each task's own address space: built, pinned, torn down
 *   task.c      tasks: creation, exit, the scheduler, yield, sleep, preemption
 *   cputime.c   a task's CPU time from Xen's runstate: running, and stolen
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
#include "pvguest/kernel/user.h"

#define NTASKS       10         /* a slot is reused only once its task was waited for */
#define KSTACK_SIZE  8192
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

/* ---- address spaces (aspace.c) --------------------------------------- */

/*
 * Every task has its own: the user image, heap and stack at the VAs
 * below (user.ld links the program at USER_BASE), and the kernel's
 * mappings shared through the kernel L2's entries.  The slots of a space
 * are its user pages: image pages 0..USER_IMAGE_MAX-1, then the heap
 * pages, then the stack page.
 */
#define USER_IMAGE_MAX   8                   /* USER_BASE etc.: user.h */
#define USER_STACK_SLOT  (USER_IMAGE_MAX + USER_HEAP_PAGES)
#define USER_SLOTS       (USER_STACK_SLOT + 1)

struct aspace {
    uint32_t l3, l2[2], l1;     /* pfns: the L3, the L2s of slots 0 and 3, the user L1 */
    bool pinned;
    uint32_t page[USER_SLOTS];  /* each user page's frame (its kernel VA); 0: unmapped */
    unsigned entries;           /* entries the building mmu_update wrote */
    unsigned mmu_updates;       /* mmu_update hypercalls the building took (1) */
};
struct aspace_stats { unsigned built, destroyed; };
extern struct aspace_stats aspace_stats;
extern const char user_image_start[], user_image_end[];   /* the program (user_image.S) */

void aspace_init(void);
long aspace_build(struct aspace *as);       /* 0, or -errno with nothing kept */
void aspace_destroy(struct aspace *as);     /* never the space CR3 holds */
uint32_t aspace_l3_mfn(const struct aspace *as);
uint32_t aspace_slot_va(unsigned slot);
int aspace_slot(uint32_t va);               /* -1 outside every slot */
bool aspace_is_heap(int slot);
bool aspace_demand_zero(struct aspace *as, int slot);     /* one mmu_update */
/* Is [va, va+len) mapped in the space?  (pointer check for syscalls) */
bool aspace_user_range(const struct aspace *as, uint32_t va, uint32_t len);
/* Copy into a space that need not be loaded (through kernel VAs): 0 or -EFAULT. */
long aspace_copy_to(struct aspace *as, uint32_t va, const void *src, uint32_t len);

/* ---- CPU time (cputime.c) ------------------------------------------- */

/* The domain's running and runnable (stolen) totals, in ns, at one moment. */
struct cputime {
    uint64_t running_ns, stolen_ns;
};
void cputime_init(void);                    /* register the runstate area */
void cputime_now(struct cputime *c);
/* The whole runstate up to now; false without the area. */
bool cputime_runstate(struct xen_vcpu_runstate_info *rs);

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
    uint32_t cr3;               /* CR3 (the emulated mov) in its first system call */
    uint32_t l3_mfn;            /* its space, as built: the L3, */
    unsigned space_entries;     /*   the entries the one mmu_update wrote, */
    unsigned space_mmu_updates; /*   and how many mmu_updates that took (1) */
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
    uint64_t cpu_ns, stolen_ns; /* time run in all; time other domains took meanwhile */
    struct cputime ran_at;      /* the domain's totals when its current run began */
    unsigned runs, preempted;   /* times switched to; ... of which ended by preemption */
    uint32_t ksp;               /* saved ESP while switched out (swtch) */
    uint32_t kstack_top;        /* handed to stack_switch while it runs */
    struct aspace as;           /* its address space */
    struct task *parent;        /* spawned by a task: the one that may wait for it */
    bool waited;                /* its parent is asleep in wait() for it */
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
/* Spawn and wait (SYS_spawn, SYS_wait): a child of t; its exit code, freeing its slot. */
long task_spawn(struct task *t, uint32_t kind, uint32_t arg);
long task_wait(struct task *t, uint32_t pid);
extern void (*task_spawn_entry)(uint32_t, uint32_t);      /* what children run */
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

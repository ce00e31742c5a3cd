/*
 * tasks - pvguest as a kernel: ring-3 tasks, system calls, page faults.
 *
 * The kernel (pvguest/kernel/) registers its trap table and callbacks and
 * runs four ring-3 tasks that share the CPU by yielding (tasks.h says what
 * each does): their lines interleave, one exits early, one has its heap
 * pages demand-zeroed, one reads kernel memory and is killed.  Then the
 * kernel checks the evidence the traps left:
 *  - every system call came from ring 3 (CS 0xe02b in its frame), with the
 *    frame at the top of that task's own stack_switch stack;
 *  - each task's exit code is the number of lines its private copy of the
 *    user image counted, and the writes came in round-robin order;
 *  - the page faults: the two heap touches with CR2 (vcpu_info.arch.cr2)
 *    and the error codes the CPU gives, and the intruder's;
 *  - the virtual mask: an event made pending inside a critical section is
 *    not delivered until local_irq_restore, and the scheduler never ran a
 *    switch unmasked;
 *  - the fast trap: a task started with events masked makes one system
 *    call.  Through the real gate the CPU writes the frame, with the real
 *    EFLAGS.IF (set: the hypervisor keeps it on in guests).  Installed
 *    instead as "mask events on entry", int $0x80 must be bounced by the
 *    hypervisor, whose frame says IF = 0 and the saved mask in CS bits
 *    16-23.  Both runs are made, so the evidence is shown to tell them apart.
 * With "-- int80=bounced" the kernel registers int $0x80 as "mask events
 * on entry" throughout, so every system call is bounced by the hypervisor
 * and its handler starts masked; by default none is.  Two instances, one
 * of each, check that the hypervisor switches the gate per domain.
 * The frames every task used go back to the pool, and the domain's to the
 * hypervisor ("0 leaked", checked by the pytest).
 */
#include "pvguest/kernel/kernel.h"
#include "pvguest/tests/tasks/tasks.h"

static volatile uint32_t kernel_secret = 0x5ec2e7;  /* the intruder's target */
static bool fast = true;                            /* "-- int80=bounced": false */

static void check_true(const char *what, bool ok)
{
    check_rc(what, ok, 1);
}

static void check_mask_defers_an_event(void)
{
    unsigned before = irq_stats.upcalls, inside;
    unsigned long flags = local_irq_save();

    shared_info->vcpu_info[0].evtchn_upcall_pending = 1;   /* as if an event came */
    HYPERVISOR_xen_version(XENVER_version, NULL);          /* a return from the hypervisor */
    inside = irq_stats.upcalls - before;
    local_irq_restore(flags);
    check_rc("upcalls while masked, with one pending", inside, 0);
    check_rc("upcalls once local_irq_restore unmasked", irq_stats.upcalls - before, 1);
}

static struct task *spawn(const char *name, enum task_kind kind, uint32_t arg, bool masked)
{
    struct task *t = task_create(name, task_main, kind, arg, masked);

    if (!t)
        kernel_panic("task_create", -ENOMEM);
    return t;
}

/* What a task's system calls looked like, and how it ended. */
static void check_task(const struct task *t, int code, bool killed, unsigned writes)
{
    const struct task_stats *s = &t->st;
    char what[80];

    printf("kernel: task %u %s: %u syscalls (%u with CS 0xe02b, %u on its own stack_switch "
           "stack, %u with IF set), %u writes, %u page faults, exit %d%s\n", t->pid, t->name,
           s->syscalls, s->from_ring3, s->on_kstack, s->if_set, s->writes, s->faults,
           t->exit_code, t->killed ? " (killed)" : "");
#define CHECK(fn, label, got, want) \
    (snprintf(what, sizeof(what), "%s %s", t->name, label), fn(what, got, want))
    CHECK(check_rc, "made system calls", s->syscalls > 0, 1);
    CHECK(check_rc, "system calls from ring 3", s->from_ring3, s->syscalls);
    CHECK(check_rc, "frames at its stack_switch top", s->on_kstack, s->syscalls);
    CHECK(check_rc, fast ? "handlers entered unmasked (fast trap)" :
                           "handlers entered masked (bounced)",
          s->entered_masked, fast ? 0 : s->syscalls);
    CHECK(check_rc, "exited", t->state, TASK_EXITED);
    CHECK(check_rc, "exit code", t->exit_code, code);
    CHECK(check_rc, "killed", t->killed, killed);
    CHECK(check_rc, "writes", s->writes, writes);
#undef CHECK
}

static void check_fault(unsigned n, unsigned pid, uint32_t cr2, uint32_t error, bool dz)
{
    const struct pf_record *r = &pf_log[n];
    char what[64];

    printf("kernel: page fault %u: pid %u cr2 0x%08x error 0x%x eip 0x%08x: %s\n", n,
           r->pid, r->cr2, r->error, r->eip, r->demand_zero ? "demand-zero" : "task killed");
    snprintf(what, sizeof(what), "fault %u pid", n);
    check_rc(what, r->pid, pid);
    snprintf(what, sizeof(what), "fault %u cr2 (vcpu_info.arch.cr2)", n);
    check_hex(what, r->cr2, cr2);
    snprintf(what, sizeof(what), "fault %u error code", n);
    check_hex(what, r->error, error);
    snprintf(what, sizeof(what), "fault %u demand-zero", n);
    check_rc(what, r->demand_zero, dz);
}

/*
 * Each task ran in a space of its own: CR3, read by the kernel (the
 * emulated mov) in the task's first system call, is that task's L3 and
 * nobody else's; each space took one mmu_update to build; and now the
 * kernel is back on its boot L3.
 */
static void check_spaces(const struct task *const *t, unsigned n)
{
    uint32_t boot = xen_pfn_to_cr3(mm_bootstrap_l3());
    unsigned distinct = 0;
    char what[80];

    for (unsigned k = 0; k < n; k++) {
        const struct task_stats *s = &t[k]->st;
        bool unique = s->cr3 != boot;

        for (unsigned j = 0; j < k; j++)
            unique = unique && t[j]->st.cr3 != s->cr3;
        distinct += unique;
        printf("kernel: task %u (%s) ran with cr3 0x%08x (its L3, mfn 0x%x), built by %u "
               "mmu_update of %u entries\n", t[k]->pid, t[k]->name, s->cr3, s->l3_mfn,
               s->space_mmu_updates, s->space_entries);
        snprintf(what, sizeof(what), "%s cr3 is its own L3", t[k]->name);
        check_hex(what, s->cr3, xen_pfn_to_cr3(s->l3_mfn));
        snprintf(what, sizeof(what), "%s space built by one mmu_update", t[k]->name);
        check_rc(what, s->space_mmu_updates, 1);
    }
    check_rc("tasks with a cr3 of their own (not the kernel's, not another's)", distinct, n);
    check_hex("cr3 after the scheduler: the boot L3", mm_read_cr3(), boot);
}

static void run_tasks(void)
{
    uint32_t heap = USER_HEAP, secret = (uint32_t)(uintptr_t)&kernel_secret;
    struct task *a = spawn("alpha", ALPHA, 0, false), *b = spawn("beta", BETA, 0, false);
    struct task *g = spawn("gamma", GAMMA, heap, false);
    struct task *i = spawn("intruder", INTRUDER, secret, false);
    char order[40] = "";

    sched_run();
    check_task(a, LINES, false, LINES);
    check_task(b, 0, false, 1);
    check_task(g, LINES, false, LINES);
    check_task(i, -14, true, 1);
    for (unsigned n = 0; n < write_log_len && n < 16; n++)
        snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%u", n ? " " : "",
                 write_log[n]);
    printf("kernel: writes by pid, in order: %s\n", order);
    check_rc("writes in round-robin order 1 2 3 4 1 3 1 3", !strcmp(order, "1 2 3 4 1 3 1 3"), 1);
    check_rc("page faults", pf_log_len, 3);
    if (pf_log_len == 3) {
        check_fault(0, g->pid, heap + HEAP_READ_OFF, 0x4, true);     /* user, read, not present */
        check_fault(1, g->pid, heap + HEAP_WRITE_OFF, 0x6, true);    /* user, write, not present */
        check_fault(2, i->pid, secret, 0x5, false);                  /* user, read, supervisor page */
    }
    check_hex("kernel_secret unchanged", kernel_secret, 0x5ec2e7);
    check_spaces((const struct task *[]){ a, b, g, i }, 4);
}

/* One system call from a task whose virtual IF is clear: who wrote its frame? */
static const struct task *probe(const char *name)
{
    struct task *t = spawn(name, PROBE, 0, true);

    sched_run();
    printf("kernel: %s: first syscall frame cs 0x%08x eflags 0x%08x, mask at entry %u\n",
           t->name, t->st.first_cs, t->st.first_eflags, t->st.first_mask);
    return t;
}

static void check_fast_trap(void)
{
    const struct task *quick, *slow;

    syscall_init(true);
    quick = probe("probe-fast");
    check_rc("fast: the mask was set in ring 3", quick->st.first_mask, 1);
    check_rc("fast: frame IF is the CPU's real IF (1)", !!(quick->st.first_eflags & EFLAGS_IF), 1);
    check_rc("fast: frame on the task's stack_switch stack", quick->st.on_kstack,
             quick->st.syscalls);
    syscall_init(false);
    slow = probe("probe-bounced");
    syscall_init(fast);                             /* as the command line said */
    check_rc("bounced: frame IF = !mask (0)", !!(slow->st.first_eflags & EFLAGS_IF), 0);
    check_rc("bounced: saved mask in cs bits 16-23", (slow->st.first_cs >> 16) & 0xff, 1);
    check_rc("bounced: frame on the task's stack_switch stack", slow->st.on_kstack,
             slow->st.syscalls);
}

/*
 * Fork-style: a ring-3 task spawns children one at a time and waits for
 * each, so every child's space is built, used (a demand-zero fault, its
 * private image dirtied) and torn down before the next.  Afterwards both
 * frame pools and the domain's reservation are as they were: whole.
 */
static void check_spawn_loop(unsigned n)
{
    unsigned frames = frame_free_count(), spares = mm_frames_free();
    unsigned built = aspace_stats.built, destroyed = aspace_stats.destroyed;
    unsigned updates = mm_mmu_update_calls, faults = pf_log_len;
    long reserved = mm_reservation(XENMEM_current_reservation);
    struct task *f = spawn("forker", FORKER, n, false);

    task_spawn_entry = task_main;
    sched_run();
    built = aspace_stats.built - built;
    destroyed = aspace_stats.destroyed - destroyed;
    updates = mm_mmu_update_calls - updates;
    printf("kernel: spawn loop: %u children; %u address spaces built and %u torn down with "
           "%u mmu_updates; pool frames %u -> %u, spare frames %u -> %u\n", n, built,
           destroyed, updates, frames, frame_free_count(), spares, mm_frames_free());
    check_rc("children that exited as expected", f->exit_code, n);
    check_rc("address spaces built (forker and children)", built, n + 1);
    check_rc("address spaces torn down", destroyed, n + 1);
    check_rc("mmu_updates: one per space, one per demand-zero fault", updates, 2 * n + 1);
    check_rc("page faults logged: none but the children's", pf_log_len - faults,
             n < PF_LOG_MAX - faults ? n : PF_LOG_MAX - faults);
    check_rc("task pool frames after the spawn loop", frame_free_count(), frames);
    check_rc("spare (table) frames after the spawn loop", mm_frames_free(), spares);
    check_rc("current_reservation after the spawn loop",
             mm_reservation(XENMEM_current_reservation), reserved);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned spares;
    char int80[16] = "fast";

    (void)si;
    cmdline_get("int80", int80, sizeof(int80));
    fast = strcmp(int80, "bounced") != 0;
    kernel_init(fast);
    spares = mm_frames_free();
    check_mask_defers_an_event();
    run_tasks();
    check_fast_trap();
    check_spawn_loop(cmdline_uint("spawns", 20));
    printf("kernel: %u task switches, %u critical sections on the virtual mask, %u upcalls, "
           "%u pool frames free of %u\n", sched_switches, irq_stats.sections, irq_stats.upcalls,
           frame_free_count(), POOL_PAGES);
    check_true("critical sections used the virtual mask", irq_stats.sections > 0);
    check_rc("critical sections found unmasked", irq_stats.unmasked_inside, 0);
    check_rc("events unmasked after the scheduler", event_mask(), 0);
    check_rc("pool frames back", frame_free_count(), POOL_PAGES);
    check_rc("spare frames back", mm_frames_free(), spares);
    test_pass();
    xtf_exit();
}

/*
 * syscall.c - int $0x80: system calls on Xen's fast-trap path.
 *
 * The kernel's trap_info for vector 0x80 has DPL 3 (ring 3 may raise it)
 * and no "mask events" bit.  That is the one combination the hypervisor
 * can hand to the CPU directly: it installs a real DPL-3 trap gate whose
 * target is our ring-1 handler (hypervisor desc_set_fast_trap), so a
 * system call goes from ring 3 to ring 1 through the IDT and the TSS's
 * ring-1 stack, which stack_switch set, without entering the hypervisor.
 * A handler that wants events masked on entry needs the hypervisor to set
 * the mask, so it is bounced in software instead: the hypervisor takes the
 * #GP that the DPL-0 gate raises and writes the frame itself.  The kernel
 * can be told to work that way (syscall_init(false)), to compare.
 *
 * The handler records, per task, what each frame looked like (test
 * evidence: ring 3, on that task's stack, IF), then dispatches.  It
 * returns through the lib's exit path, the iret hypercall, which puts
 * the virtual IF back from the frame's EFLAGS.
 */
#include "pvguest/kernel/kernel.h"

uint8_t write_log[64];
unsigned write_log_len;
static syscall_ext_t ext;

static long do_write(struct task *t, uint32_t fd, uint32_t buf, uint32_t len)
{
    char copy[160];

    if (fd != 1 && fd != 2)
        return -EBADF;
    if (len > sizeof(copy))
        len = sizeof(copy);
    if (!aspace_user_range(&t->as, buf, len))
        return -EFAULT;                     /* not the task's memory */
    memcpy(copy, (const void *)buf, len);   /* once: the task cannot change it under us */
    console_flush();
    console_write(copy, len);
    t->st.writes++;
    if (write_log_len < sizeof(write_log))
        write_log[write_log_len++] = (uint8_t)t->pid;
    return len;
}

static long do_nanosleep(struct task *t, uint32_t req)
{
    struct timespec ts;
    uint64_t deadline;

    if (!aspace_user_range(&t->as, req, sizeof(ts)))
        return -EFAULT;
    memcpy(&ts, (const void *)req, sizeof(ts));
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int32_t)NS_PER_SEC)
        return -EINVAL;
    deadline = time_now_ns() + ts.tv_sec * NS_PER_SEC + (uint32_t)ts.tv_nsec;
    while (time_now_ns() < deadline)
        task_sleep_until(deadline);
    return 0;
}

static long do_clock_gettime(struct task *t, uint32_t clock, uint32_t out)
{
    uint64_t ns;
    struct timespec ts;

    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
        return -EINVAL;
    if (!aspace_user_range(&t->as, out, sizeof(ts)))
        return -EFAULT;
    ns = clock == CLOCK_REALTIME ? time_wallclock_ns() : time_now_ns();
    ts.tv_sec = (int32_t)(ns / NS_PER_SEC);
    ts.tv_nsec = (int32_t)(ns % NS_PER_SEC);
    memcpy((void *)out, &ts, sizeof(ts));
    return 0;
}

static long do_task_info(struct task *t, uint32_t slot, uint32_t out)
{
    struct task_info ti;
    const struct task *s;
    const char *st;

    if (slot >= NTASKS)
        return -ESRCH;
    if (!aspace_user_range(&t->as, out, sizeof(ti)))
        return -EFAULT;
    s = &tasks[slot];
    if (s->state == TASK_FREE)
        return -ENOENT;
    memset(&ti, 0, sizeof(ti));
    ti.pid = s->pid;
    memcpy(ti.name, s->name, sizeof(ti.name));
    st = task_state_name(s->state);
    for (unsigned i = 0; st[i] && i < sizeof(ti.state) - 1; i++)
        ti.state[i] = st[i];
    ti.runs = s->runs;
    ti.preempted = s->preempted;
    uint64_t cpu = s->cpu_ns, stolen = s->stolen_ns;
    if (s == t) {                           /* its run so far, too */
        struct cputime now;
        cputime_now(&now);
        cpu += now.running_ns - s->ran_at.running_ns;
        stolen += now.stolen_ns - s->ran_at.stolen_ns;
    }
    ti.cpu_ms = (uint32_t)(cpu / NS_PER_MS);
    ti.stolen_ms = (uint32_t)(stolen / NS_PER_MS);
    memcpy((void *)out, &ti, sizeof(ti));
    return 0;
}

static void record(struct task *t, const struct trap_frame *f)
{
    struct task_stats *s = &t->st;

    s->syscalls++;
    s->from_ring3 += (f->cs & 0xffff) == FLAT_RING3_CS;
    s->on_kstack += (uint32_t)(uintptr_t)(&f->ss + 1) == t->kstack_top;
    s->if_set += !!(f->eflags & EFLAGS_IF);
    s->entered_masked += event_mask() != 0;
    if (!s->first_seen) {
        s->first_seen = true;
        s->first_cs = f->cs;
        s->first_eflags = f->eflags;
        s->first_mask = event_mask();
        s->cr3 = mm_read_cr3();             /* the emulated mov: which space runs */
    }
}

/* The hook for vector 0x80 (pvguest/lib/traps.c calls it with the frame). */
static bool syscall_entry(struct trap_frame *f)
{
    struct task *t = task_current();

    if (!t || (f->cs & 3) != 3)
        return false;                       /* not a task: unexpected, the lib fails */
    record(t, f);
    switch (f->eax) {
    case SYS_write:
        f->eax = do_write(t, f->ebx, f->ecx, f->edx);
        break;
    case SYS_getpid:
        f->eax = t->pid;
        break;
    case SYS_sched_yield:
        task_yield();
        f->eax = 0;
        break;
    case SYS_read:
        f->eax = f->ebx == 0 ? tty_read(t, f->ecx, f->edx) : -EBADF;
        break;
    case SYS_nanosleep:
        f->eax = do_nanosleep(t, f->ebx);
        break;
    case SYS_clock_gettime:
        f->eax = do_clock_gettime(t, f->ebx, f->ecx);
        break;
    case SYS_task_info:
        f->eax = do_task_info(t, f->ebx, f->ecx);
        break;
    case SYS_spawn:
        f->eax = task_spawn(t, f->ebx, f->ecx);
        break;
    case SYS_wait:
        f->eax = task_wait(t, f->ebx);
        break;
    case SYS_exit:
        task_exit((int)f->ebx, false);
    default:
        if (!ext || !ext(t, f))
            f->eax = -ENOSYS;
    }
    if (need_resched)
        task_preempt();                     /* the tick came while we were in ring 1 */
    return true;
}

void syscall_set_ext(syscall_ext_t hook)
{
    ext = hook;
}

void syscall_init(bool fast)
{
    long rc = trap_install(0x80, fast ? 3 : 3 | TI_MASK_EVENTS);

    if (rc)
        kernel_panic("set_trap_table for int $0x80", rc);
    trap_set_hook(0x80, syscall_entry);
}

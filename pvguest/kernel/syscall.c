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
#include "pvguest/kernel/user.h"

uint8_t write_log[64];
unsigned write_log_len;

static long do_write(struct task *t, uint32_t fd, uint32_t buf, uint32_t len)
{
    char copy[160];

    if (fd != 1 && fd != 2)
        return -EBADF;
    if (len > sizeof(copy))
        len = sizeof(copy);
    if (!window_user_range(t, buf, len))
        return -EFAULT;                     /* not the task's memory */
    memcpy(copy, (const void *)buf, len);   /* once: the task cannot change it under us */
    console_flush();
    console_write(copy, len);
    t->st.writes++;
    if (write_log_len < sizeof(write_log))
        write_log[write_log_len++] = (uint8_t)t->pid;
    return len;
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
    case SYS_exit:
        task_exit((int)f->ebx, false);
    default:
        f->eax = -ENOSYS;
    }
    return true;
}

void syscall_init(bool fast)
{
    long rc = trap_install(0x80, fast ? 3 : 3 | TI_MASK_EVENTS);

    if (rc)
        kernel_panic("set_trap_table for int $0x80", rc);
    trap_set_hook(0x80, syscall_entry);
}

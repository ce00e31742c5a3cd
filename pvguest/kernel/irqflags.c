/*
 * irqflags.c - critical sections on the virtual interrupt flag.
 *
 * A ring-1 kernel may not execute cli or sti: the hypervisor would halt
 * it (they are privileged), and even if it allowed them, the real IF
 * belongs to the hypervisor.  Xen gives each vCPU a virtual flag instead,
 * evtchn_upcall_mask in shared_info's vcpu_info: while it is set the
 * hypervisor delivers no event upcall.  Setting it is a plain store, so a
 * critical section costs no hypercall at all.  The price is paid on the
 * way out: an event that arrived while we were masked stays pending
 * (evtchn_upcall_pending), and the hypervisor only looks at it when it
 * returns to us; so local_irq_restore() that unmasks checks the flag and,
 * if set, makes a cheap hypercall to give the hypervisor that chance, as
 * Linux does (xen_force_evtchn_callback).  The upcall itself arrives with
 * the mask set and returns through the iret hypercall, which restores it.
 */
#include "pvguest/kernel/kernel.h"

struct irq_stats irq_stats;

#define barrier() __asm__ __volatile__("" ::: "memory")

static volatile xen_vcpu_info_t *vcpu(void)
{
    return &shared_info->vcpu_info[0];
}

unsigned long local_irq_save(void)
{
    unsigned long old = vcpu()->evtchn_upcall_mask;

    vcpu()->evtchn_upcall_mask = 1;
    barrier();
    if (!old)
        irq_stats.sections++;
    return old;
}

void local_irq_restore(unsigned long flags)
{
    barrier();
    vcpu()->evtchn_upcall_mask = (uint8_t)flags;
    barrier();
    if (!flags && vcpu()->evtchn_upcall_pending) {
        irq_stats.forced++;
        HYPERVISOR_xen_version(XENVER_version, NULL);   /* any hypercall will do */
    }
}

bool irqs_disabled(void)
{
    return vcpu()->evtchn_upcall_mask != 0;
}

/* Code that must run masked says so; a violation is counted (and failed). */
void irq_assert_masked(const char *where)
{
    if (!irqs_disabled()) {
        irq_stats.unmasked_inside++;
        test_fail("%s ran with the virtual interrupt flag set", where);
    }
}

/*
 * The event upcall (set_callbacks), our interrupt handler: the library's
 * demultiplexer calls each pending port's handler (the timer's, the
 * console's...).  If one of them asked for a reschedule - the tick - and
 * the upcall interrupted a task in ring 3, the task is preempted here: it
 * yields from this frame, on its own kernel stack, and when it is chosen
 * again the iret hypercall takes it back to ring 3 where it was.  Over
 * ring 1 we never switch (the kernel is not preemptible): a system call
 * notices need_resched on its way out instead.
 */
static bool event_upcall(struct trap_frame *f)
{
    irq_stats.upcalls++;
    irq_assert_masked("the event upcall");
    evtchn_do_upcall();
    if (need_resched && (f->cs & 3) == 3 && task_current())
        task_preempt();
    return true;
}

void irq_init(void)
{
    long rc = trap_set_callbacks();

    if (rc)
        kernel_panic("set_callbacks", rc);
    trap_set_hook(TRAP_EVENT, event_upcall);
}

/*
 * pf.c - the page-fault handler: demand-zero heap pages, or kill the task.
 *
 * A #PF always enters the hypervisor first (only it can read CR2), which
 * bounces it to our handler with the error code in the frame and the
 * faulting address in shared_info's vcpu_info.arch.cr2: a PV kernel has
 * no CR2 of its own.  For a fault from ring 3 there are two answers:
 *  - the address is in a heap page of the task's address space that it
 *    has not touched yet (error: not present): take a zeroed frame from
 *    the pool, write its entry into the task's L1 with one mmu_update
 *    (aspace.c), and let the instruction run again - demand-zero paging;
 *  - anything else (a kernel page, the guard page, a write to nowhere):
 *    the task is killed, like a Unix process on SIGSEGV, and the others
 *    run on.
 * A fault in ring 1 is a kernel bug: the hook declines it and the lib
 * fails the test, naming it.
 */
#include "pvguest/kernel/kernel.h"

#define PF_PRESENT 0x1u
#define PF_USER    0x4u

struct pf_record pf_log[PF_LOG_MAX];
unsigned pf_log_len;

static void log_fault(const struct task *t, uint32_t cr2, const struct trap_frame *f, bool dz)
{
    if (pf_log_len < PF_LOG_MAX)
        pf_log[pf_log_len++] = (struct pf_record){ t->pid, cr2, f->error, f->eip, dz };
}

static bool page_fault(struct trap_frame *f)
{
    struct task *t = task_current();
    uint32_t cr2 = shared_info->vcpu_info[0].arch.cr2;
    int i = aspace_slot(cr2);

    if (!t || (f->cs & 3) != 3)
        return false;                       /* the kernel faulted: the lib fails the test */
    t->st.faults++;
    if (aspace_is_heap(i) && !t->as.page[i] && !(f->error & PF_PRESENT) &&
        (f->error & PF_USER) && aspace_demand_zero(&t->as, i)) {
        log_fault(t, cr2, f, true);
        return true;                        /* the iret re-runs the instruction */
    }
    log_fault(t, cr2, f, false);
    printf("kernel: task %u (%s): page fault at 0x%08x (error 0x%x) from eip 0x%08x\n",
           t->pid, t->name, cr2, f->error, f->eip);
    task_exit(-14, true);                   /* -EFAULT */
}

void pf_init(void)
{
    trap_set_hook(14, page_fault);
}

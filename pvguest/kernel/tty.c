/*
 * tty.c - console input for tasks: read(0) on the console ring or CONSOLEIO_read.
 *
 * What is typed on the hypervisor's serial line goes to one domain at a
 * time (Ctrl-A three times moves it on).  The hypervisor queues our share
 * and raises VIRQ_CONSOLE; CONSOLEIO_read copies out what is queued, or
 * returns 0 when nothing is.  A task that reads with nothing queued
 * sleeps until the event wakes it - the test of the queue and the sleep
 * are one critical section, so input that lands between them is not
 * missed: its upcall waits for the sleep, then wakes the task.  If the
 * hypervisor would not bind VIRQ_CONSOLE the reader polls instead.  The
 * bytes pass through a kernel buffer, then into the task's own memory,
 * which aspace_user_range() checked.  One reader at a time.
 *
 * A domU has a PV console ring (start_info.console.domU), and then tty_init()
 * moves the whole console onto it, as a Xen domU kernel's hvc console does:
 * printf and write(1) go into the ring's out[] (console_use_ring()), and
 * read(0) takes typed bytes from its in[]; the ring's own port, not
 * VIRQ_CONSOLE, wakes the reader.  The hypervisor hands input to the ring
 * once we have notified it, which our first line of output does.  The
 * initial domain has no ring and keeps console_io both ways.
 */
#include "pvguest/kernel/kernel.h"

static struct task *reader;                 /* asleep in tty_read() */
static bool bound, ring;
unsigned tty_events;

static void on_console(unsigned port, void *arg)
{
    (void)port, (void)arg;
    tty_events++;
    if (reader)
        task_wake(reader);
}

void tty_init(void)
{
    if ((ring = console_use_ring())) {
        evtchn_set_handler(consring_port(), on_console, NULL);
        bound = evtchn_unmask(consring_port()) >= 0;
        printf("kernel: console on the PV console ring, port %u\n", consring_port());
    } else {
        bound = evtchn_bind_virq(VIRQ_CONSOLE, on_console, NULL) >= 0;
    }
}

long tty_read(struct task *t, uint32_t buf, uint32_t len)
{
    char copy[128];
    long n;

    if (len > sizeof(copy))
        len = sizeof(copy);
    if (!aspace_user_range(&t->as, buf, len))
        return -EFAULT;
    do {
        unsigned long flags = local_irq_save();

        if (reader) {
            local_irq_restore(flags);
            return -EBUSY;
        }
        n = ring ? (long)consring_read(copy, len)
                 : HYPERVISOR_console_io(CONSOLEIO_read, len, copy);
        if (n == 0) {
            reader = t;
            task_sleep_until(bound ? 0 : time_now_ns() + TTY_POLL_NS);
            reader = NULL;
        }
        local_irq_restore(flags);
    } while (n == 0);
    if (n < 0)
        return n;
    memcpy((void *)buf, copy, n);           /* t runs: CR3 holds its space */
    return n;
}

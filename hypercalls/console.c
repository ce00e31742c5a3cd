/*
 * console.c - console_io: a guest's voice.
 *
 * CONSOLEIO_write copies the guest's bytes in small chunks through
 * copy_from_guest (so a bad pointer anywhere in the range gives -EFAULT,
 * with the chunks before it already printed, as in Xen) and hands them to
 * the console, which prefixes each line with "(dN) ".  CONSOLEIO_read
 * copies out up to count bytes of what was typed for this domain while it
 * had the console input (console_input.c) and returns how many: 0 when
 * nothing is waiting.  As in Xen, bytes leave the queue only once they
 * have reached the guest, so a bad buffer loses nothing.  A long write
 * stops between chunks when the tick is due and continues with the rest
 * (hypercall_continue), so a 2 GiB count holds the CPU for one chunk past
 * a tick at most.  It stops the same way, before any chunk, while the
 * serial line is behind (console_guest_room): the guest then re-issues
 * the call in its own time until the UART has caught up, and no byte of
 * it is dropped.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/console_input.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/continuation.h"
#include "hypervisor/hypercall.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"

#define CHUNK 128

long do_console_io(unsigned int cmd, unsigned int count, guest_ptr_t buffer)
{
    char buf[CHUNK];
    switch (cmd) {
    case CONSOLEIO_write:
        /* count is an int in Xen's prototype: "negative" counts are refused. */
        if ((int)count < 0)
            return -EINVAL;
        if (!guest_range_ok(buffer, count))
            return -EFAULT;
        for (unsigned int done = 0; done < count; done += CHUNK) {
            unsigned int n = MIN(CHUNK, count - done);
            if ((done && hypercall_preempt_check()) || !console_guest_room()) {
                uint32_t args[5] = { cmd, count, buffer };
                continuation_bytes(args, done);
                return hypercall_continue(__HYPERVISOR_console_io, args);
            }
            if (copy_from_guest(buf, buffer + done, n))
                return -EFAULT;
            console_domain_write(current->id, buf, n);
        }
        return 0;
    case CONSOLEIO_read: {
        /* The result is a count or an -E* value: counts that look negative are refused. */
        if ((int)count < 0)
            return -E2BIG;
        if (!guest_range_ok(buffer, count))
            return -EFAULT;
        unsigned int done = 0;
        while (done < count) {
            size_t n = console_input_peek(current, buf, MIN(CHUNK, count - done));
            if (!n)
                break;
            if (copy_to_guest(buffer + done, buf, n))
                return -EFAULT;             /* what did not arrive stays pending */
            console_input_consume(current, n);
            done += n;
        }
        return done;
    }
    default:
        return -ENOSYS;
    }
}

/*
 * console.c - console_io: a guest's voice.
 *
 * CONSOLEIO_write copies the guest's bytes in small chunks through
 * copy_from_guest (so a bad pointer anywhere in the range gives -EFAULT,
 * with the chunks before it already printed, as in Xen) and hands them to
 * the console, which prefixes each line with "(dN) ".  CONSOLEIO_read has
 * no input to give yet and returns 0 bytes.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/console.h"
#include "hypervisor/domain.h"
#include "hypervisor/guest_access.h"
#include "hypercalls/public/errno.h"

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
            if (copy_from_guest(buf, buffer + done, n))
                return -EFAULT;
            console_domain_write(current->id, buf, n);
        }
        return 0;
    case CONSOLEIO_read:
        return 0;
    default:
        return -ENOSYS;
    }
}

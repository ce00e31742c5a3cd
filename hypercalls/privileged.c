/*
 * privileged.c - the control hypercalls, which no domain may use.
 *
 * platform_op, sysctl and domctl are how Xen's control domain (dom0 and
 * its toolstack) manages the machine and the other domains: set the clock,
 * read the physical memory map, create, pause and destroy domains.  This
 * file owns our answer to them, which is always -EPERM.  No domain here
 * is given real privilege, not even d0: the builder may set
 * SIF_PRIVILEGED and SIF_INITDOMAIN in d0's start_info so that a Xen
 * kernel takes its familiar dom0 boot path, but that flag is only a hint
 * to the guest.  Domains are created by the hypervisor itself at boot, so
 * there is no toolstack to serve, and refusing these calls keeps the
 * trusted base small and every domain equally isolated.
 * It must never grow a sub-command: a privileged operation belongs in its
 * own reviewed hypercall family, not in a hole punched in this wall.
 *
 * The argument is not even read: -EPERM is the answer whatever it holds,
 * so a hostile pointer here is harmless.
 */
#include "gen/hypercall_handlers.h"
#include "hypercalls/public/errno.h"

long do_platform_op(guest_ptr_t op)
{
    (void)op;
    return -EPERM;
}

long do_sysctl(guest_ptr_t op)
{
    (void)op;
    return -EPERM;
}

long do_domctl(guest_ptr_t op)
{
    (void)op;
    return -EPERM;
}

/*
 * version.c - xen_version: who is the hypervisor, and what does it offer?
 *
 * Guests ask this first, often before anything else works, so every reply
 * is a fixed-size record copied out in one piece.  Strings are built in a
 * zeroed buffer of the record's full size, so the bytes after the string's
 * NUL are zero: a guest never receives stale hypervisor stack contents
 * (a classic information leak).
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/lib.h"
#include "hypervisor/version.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/version.h"

/*
 * The release, not the ABI: the ABI is "xen-3.0-x86_32p" (capabilities
 * below) in every Xen since 3.0.  4.0 is the first release that had all
 * the additions to 3.0 that we implement (docs/domains.md, "Which Xen?").
 */
#define XEN_MAJOR 4
#define XEN_MINOR 0

/* Copy a string out as a zero-padded record of `size` bytes. */
static long put_string(guest_ptr_t arg, const char *s, size_t size)
{
    static char buf[1024];                  /* the largest record (capabilities) */
    memset(buf, 0, size);
    snprintf(buf, size, "%s", s);
    return copy_to_guest(arg, buf, size) ? -EFAULT : 0;
}

/* The XENFEAT_* bits in submap 0 that every domain gets. */
static uint32_t features(void)
{
    return 1u << XENFEAT_pae_pgdir_above_4gb;
}

/* Every query but the version number: the records copied out. */
static long __noinline xen_version_record(int cmd, guest_ptr_t arg)
{
    switch (cmd) {
    case XENVER_extraversion:
        return put_string(arg, ".0-" HV_NAME, sizeof(xen_extraversion_t));
    case XENVER_capabilities:
        return put_string(arg, "xen-3.0-x86_32p", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return put_string(arg, HV_NAME " " HV_VERSION, sizeof(xen_changeset_info_t));
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        snprintf(ci.compiler, sizeof(ci.compiler), "gcc %s", __VERSION__);
        snprintf(ci.compile_by, sizeof(ci.compile_by), "%s", HV_NAME);
        snprintf(ci.compile_date, sizeof(ci.compile_date), "%s", HV_BUILD_DATE);
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { .virt_start = HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &pp, sizeof(pp)) ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -EINVAL;
        fi.submap = features();
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle: {
        static const xen_domain_handle_t none;   /* no UUIDs here: all zero */
        return copy_to_guest(arg, none, sizeof(none)) ? -EFAULT : 0;
    }
    case XENVER_commandline:
    case XENVER_build_id:
        return -EPERM;                          /* privileged in Xen; nobody is here */
    default:
        return -ENOSYS;
    }
}

/*
 * xen_version(XENVER_version) is the guests' null hypercall (Linux's
 * xen_force_evtchn_callback() makes it just to pass through the exit's
 * event check), so it is answered before any record's stack frame is set
 * up (docs/performance.md).
 */
long do_xen_version(int cmd, guest_ptr_t arg)
{
    if (cmd == XENVER_version)
        return (XEN_MAJOR << 16) | XEN_MINOR;
    return xen_version_record(cmd, arg);
}

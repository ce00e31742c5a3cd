/*
 * version - every XENVER_ sub-op of xen_version, and how it fills buffers.
 *
 * xen_version is the first hypercall most PV kernels make, and the simplest
 * one that writes guest memory.  The ABI fixes each output's size (version.h)
 * and Xen copies the WHOLE fixed buffer, the string and then zeros to its
 * end, so a guest never sees stale bytes.  So for each string sub-op we fill
 * the buffer with 0xAA, put a 0x55 guard after it, and check: rc 0, a NUL
 * inside the buffer, no 0xAA left after it, the guard untouched.  Then the
 * numbers: platform_parameters says where the hypervisor hole starts
 * (0xF5800000), pagesize is 4096, get_features knows only submap 0, and
 * version/pagesize ignore their argument.  Unknown sub-ops give -ENOSYS.
 */
#include "pvguest/lib/pvguest.h"

#define FILL  0xAA
#define GUARD 0x55
#define GUARD_LEN 16

/* Big enough for the largest output (capabilities, 1024) plus a guard. */
static uint8_t area[1024 + GUARD_LEN];

static void *prepare(size_t size)
{
    memset(area, FILL, size);
    memset(area + size, GUARD, GUARD_LEN);
    return area;
}

static bool guard_intact(size_t size)
{
    for (size_t i = size; i < size + GUARD_LEN; i++)
        if (area[i] != GUARD)
            return false;
    return true;
}

/* A NUL-terminated string in buf[0..size) with only zeros after the NUL. */
static void check_padded(const char *what, const uint8_t *buf, size_t size)
{
    size_t len = strnlen((const char *)buf, size), i;
    char msg[80];

    snprintf(msg, sizeof(msg), "%s is NUL-terminated", what);
    check_rc(msg, len < size, 1);
    for (i = len; i < size && buf[i] != FILL; i++)
        ;
    snprintf(msg, sizeof(msg), "%s zero-padded to %u bytes", what, (unsigned)size);
    check_rc(msg, i == size, 1);
    printf("%s = \"%.*s\"\n", what, (int)len, (const char *)buf);
}

static void check_string_op(const char *what, int cmd, size_t size)
{
    char msg[80];

    snprintf(msg, sizeof(msg), "%s rc", what);
    check_rc(msg, HYPERVISOR_xen_version(cmd, prepare(size)), 0);
    check_padded(what, area, size);
    snprintf(msg, sizeof(msg), "%s wrote nothing past %u bytes", what,
             (unsigned)size);
    check_rc(msg, guard_intact(size), 1);
}

static void check_compile_info(void)
{
    const struct xen_compile_info *ci = prepare(sizeof(*ci));

    check_rc("compile_info rc", HYPERVISOR_xen_version(XENVER_compile_info,
                                                       area), 0);
    check_padded("compile_info.compiler", (const uint8_t *)ci->compiler,
                 sizeof(ci->compiler));
    check_padded("compile_info.compile_by", (const uint8_t *)ci->compile_by,
                 sizeof(ci->compile_by));
    check_padded("compile_info.compile_domain",
                 (const uint8_t *)ci->compile_domain, sizeof(ci->compile_domain));
    check_padded("compile_info.compile_date", (const uint8_t *)ci->compile_date,
                 sizeof(ci->compile_date));
    check_rc("compile_info wrote nothing past 144 bytes",
             guard_intact(sizeof(*ci)), 1);
}

static void check_numbers(void)
{
    struct xen_platform_parameters *pp = prepare(sizeof(*pp));
    struct xen_feature_info *fi;
    long ver;

    check_rc("platform_parameters rc",
             HYPERVISOR_xen_version(XENVER_platform_parameters, pp), 0);
    check_hex("platform_parameters virt_start", pp->virt_start,
              HYPERVISOR_VIRT_START);
    check_rc("platform_parameters wrote nothing past 4 bytes", guard_intact(4), 1);

    fi = prepare(sizeof(*fi));
    fi->submap_idx = 0;
    check_rc("get_features(0) rc", HYPERVISOR_xen_version(XENVER_get_features, fi), 0);
    printf("get_features submap 0 = 0x%08x\n", fi->submap);
    check_rc("get_features wrote nothing past 8 bytes", guard_intact(8), 1);
    fi->submap_idx = XENFEAT_NR_SUBMAPS;
    check_rc("get_features(1) rc", HYPERVISOR_xen_version(XENVER_get_features, fi), -EINVAL);
    fi->submap_idx = 0xffffffff;
    check_rc("get_features(0xffffffff) rc",
             HYPERVISOR_xen_version(XENVER_get_features, fi), -EINVAL);

    /* version and pagesize return their answer and must not touch arg. */
    ver = HYPERVISOR_xen_version(XENVER_version, prepare(0));
    printf("version %ld.%ld\n", ver >> 16, ver & 0xffff);
    check_rc("version is not 0 and not an error", ver > 0, 1);
    check_rc("version ignores its argument", guard_intact(0), 1);
    check_rc("pagesize", HYPERVISOR_xen_version(XENVER_pagesize, prepare(0)), 4096);
    check_rc("pagesize ignores its argument", guard_intact(0), 1);
}

void pvguest_main(const xen_start_info_t *si)
{
    static const int unknown[] = { 64, 99, 0x7fffffff, -1 };

    (void)si;
    check_string_op("extraversion", XENVER_extraversion, sizeof(xen_extraversion_t));
    check_compile_info();
    check_string_op("capabilities", XENVER_capabilities,
                    sizeof(xen_capabilities_info_t));
    check_rc("capabilities lists xen-3.0-x86_32p",
             strstr((const char *)area, "xen-3.0-x86_32p") != NULL, 1);
    check_string_op("changeset", XENVER_changeset, sizeof(xen_changeset_info_t));
    check_numbers();

    /*
     * Later sub-ops: reported, not judged.  On Xen guest_handle works for
     * everyone and commandline/build_id only for a privileged domain.
     */
    printf("info: guest_handle rc %ld\n",
           HYPERVISOR_xen_version(XENVER_guest_handle, prepare(16)));
    printf("info: commandline rc %ld\n",
           HYPERVISOR_xen_version(XENVER_commandline, prepare(1024)));
    ((struct xen_build_id *)prepare(64))->len = 64 - sizeof(struct xen_build_id);
    printf("info: build_id rc %ld\n", HYPERVISOR_xen_version(XENVER_build_id, area));

    for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++) {
        char msg[48];
        snprintf(msg, sizeof(msg), "unknown sub-op %d", unknown[i]);
        check_rc(msg, HYPERVISOR_xen_version(unknown[i], prepare(64)), -ENOSYS);
    }
    test_pass();
    xtf_exit();
}

/*
 * debugreg_check.c - which debug-register values a guest may have (pure).
 *
 * A debug register a guest sets is loaded into the real one while the
 * guest runs, so the CPU also applies it while the hypervisor runs on the
 * guest's behalf.  This file decides which values are safe; it must never
 * let a guest arm a breakpoint that covers the hypervisor.  Its rules are
 * Xen's set_debugreg() for 32-bit guests:
 *  - DR0-DR3 hold addresses.  Each must lie wholly below
 *    HYPERVISOR_VIRT_START, even at the largest length (4 bytes): else
 *    -EPERM.  So an armed breakpoint can only ever fire on a guest address.
 *  - DR4 and DR5 are other names for DR6 and DR7 while the guest's virtual
 *    CR4.DE is clear, as on hardware; with DE set they do not exist:
 *    -ENODEV (a mov to or from them is #UD).
 *  - DR6 is a status register: its reserved bits are forced to their fixed
 *    values, never refused.
 *  - DR7: reserved bits are forced to their fixed values, as Xen does (a
 *    guest that writes back what it read, bit 10 set, must not fail).
 *    Refused with -EPERM: GD (general detect would trap the hypervisor's
 *    own DR accesses), an R/W field of 10b (an I/O breakpoint) while CR4.DE
 *    is clear and DR7 enables anything, any LEN field of 10b (undefined on
 *    32-bit processors; Xen 3 refused it too), and enabling a data or
 *    instruction breakpoint whose address is not a guest address (it
 *    cannot be one today, since DR0-3 are checked, but this is the rule
 *    that matters, so it is checked where it is applied).
 *  - I/O breakpoints are never given to the CPU: debugreg_hw_dr7() strips
 *    them, and the port I/O emulation reports them (debugreg_io_match()),
 *    as Xen's check_guest_io_breakpoint() does.  Every guest port access
 *    traps, so none can slip past.
 *  - Any other register number is -EINVAL.
 * Nothing here touches the hardware, so tests/unit/test_debugreg.c runs it
 * on the host.
 */
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/layout.h"

#define DR_MAX_LEN 4u       /* the longest breakpoint a 32-bit guest can set */

int debugreg_index(int reg, bool de)
{
    switch (reg) {
    case 0: case 1: case 2: case 3: case 6: case 7:
        return reg;
    case 4: case 5:
        return de ? -ENODEV : reg + 2;
    default:
        return -EINVAL;
    }
}

bool debugreg_addr_ok(uint32_t addr)
{
    return addr <= HYPERVISOR_VIRT_START_ - DR_MAX_LEN;
}

uint32_t debugreg_dr6_value(uint32_t v)
{
    return (v & ~DR6_RESERVED_0) | DR6_DEFAULT;
}

uint32_t debugreg_dr7_value(uint32_t v)
{
    return (v & ~DR7_RESERVED_0) | DR7_RESERVED_1;
}

unsigned debugreg_enabled(uint32_t dr7)
{
    unsigned mask = 0;
    for (unsigned n = 0; n < 4; n++)
        if (dr7 & (3u << (2 * n)))
            mask |= 1u << n;
    return mask;
}

/* Bit n set when DR7's breakpoint n is an I/O breakpoint (R/W = 10b). */
static unsigned io_fields(uint32_t dr7)
{
    unsigned mask = 0;
    for (unsigned n = 0; n < 4; n++)
        if (((dr7 >> (16 + 4 * n)) & 3) == DR7_RW_IO)
            mask |= 1u << n;
    return mask;
}

uint32_t debugreg_hw_dr7(uint32_t dr7)
{
    unsigned io = io_fields(dr7);
    for (unsigned n = 0; n < 4; n++)
        if (io & (1u << n))
            dr7 &= ~((3u << (2 * n)) | (0xfu << (16 + 4 * n)));
    return dr7;
}

unsigned debugreg_io_match(const uint32_t dr[8], uint32_t port, unsigned len)
{
    static const uint8_t width[4] = { 1, 2, 8, 4 };     /* by LEN */
    unsigned hits = 0, armed = io_fields(dr[7]) & debugreg_enabled(dr[7]);
    for (unsigned n = 0; n < 4; n++)
        if ((armed & (1u << n)) && dr[n] < port + len &&
            dr[n] + width[(dr[7] >> (18 + 4 * n)) & 3] > port)
            hits |= 1u << n;
    return hits;
}

/* The DR7 rules above, for a value with its reserved bits already fixed. */
static int dr7_check(uint32_t v, const uint32_t dr[8], bool de)
{
    if (v & DR7_GD)
        return -EPERM;
    if (debugreg_enabled(v) && io_fields(v) && !de)
        return -EPERM;
    unsigned armed = debugreg_enabled(debugreg_hw_dr7(v));
    for (unsigned n = 0; n < 4; n++) {
        if (((v >> (18 + 4 * n)) & 3) == DR7_LEN_BAD)
            return -EPERM;
        if ((armed & (1u << n)) && !debugreg_addr_ok(dr[n]))
            return -EPERM;
    }
    return 0;
}

int debugreg_check(int reg, uint32_t value, const uint32_t dr[8], bool de, uint32_t *out)
{
    int i = debugreg_index(reg, de), rc;
    switch (i) {
    case 0: case 1: case 2: case 3:
        if (!debugreg_addr_ok(value))
            return -EPERM;
        *out = value;
        return i;
    case 6:
        *out = debugreg_dr6_value(value);
        return i;
    case 7:
        value = debugreg_dr7_value(value);
        if ((rc = dr7_check(value, dr, de)) < 0)
            return rc;
        *out = value;
        return i;
    default:
        return i;                       /* -EINVAL, -ENODEV */
    }
}

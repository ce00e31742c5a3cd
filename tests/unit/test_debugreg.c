/*
 * test_debugreg.c - hypervisor/vcpu/debugreg_check.c: which debug-register values
 * a guest may set.
 *
 * The rule that matters: whatever a guest writes to DR0-DR7, no breakpoint
 * the CPU will honour may cover an address at or above
 * HYPERVISOR_VIRT_START (0xF5800000).  The groups check each of Xen's rules
 * one by one, then a long random run checks that rule itself, breakpoint
 * by breakpoint and byte by byte, for every value debugreg_check() accepts,
 * in the DR7 the CPU is given (I/O breakpoints, under the guest's CR4.DE,
 * are emulated and never reach the CPU).
 *
 *   test_debugreg [GROUP | --list]
 */
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include <limits.h>

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define HOLE 0xF5800000u
#define GUARD 0x5a5a5a5au

static uint32_t regs[8];        /* the guest's registers as debugreg_check sees them */
static bool de;                 /* the guest's CR4.DE as debugreg_check sees it */

/* debugreg_check(reg, value) must return want (and, if >= 0, store stored). */
static void expect(int line, int reg, uint32_t value, int want, uint32_t stored)
{
    uint32_t out = GUARD;
    int rc = debugreg_check(reg, value, regs, de, &out);
    if (rc != want)
        check_failed(__FILE__, line, "rc", "DR%d <- 0x%08x: got %d, want %d", reg, value, rc, want);
    else if (want >= 0 && out != stored)
        check_failed(__FILE__, line, "stored", "DR%d <- 0x%08x: stored 0x%08x, want 0x%08x",
                     reg, value, out, stored);
    else if (want < 0 && out != GUARD)
        check_failed(__FILE__, line, "out", "DR%d <- 0x%08x refused but wrote 0x%08x",
                     reg, value, out);
    else
        passed++;
}
#define OK(reg, value, idx, stored) expect(__LINE__, reg, value, idx, stored)
#define REFUSED(reg, value, err) expect(__LINE__, reg, value, -(err), 0)

/* DR0-3, 6 and 7 are themselves; DR4 and DR5 are DR6 and DR7; nothing else exists. */
static void register_numbers(void)
{
    static const int real[] = { 0, 1, 2, 3, 6, 7 };
    for (unsigned i = 0; i < ARRAY_SIZE(real); i++)
        CHECK(debugreg_index(real[i], false) == real[i] && debugreg_index(real[i], true) == real[i]);
    CHECK(debugreg_index(4, false) == 6);
    CHECK(debugreg_index(5, false) == 7);
    static const int bad[] = { -1, 8, 9, 15, 16, 100, 0x10000, INT_MAX, INT_MIN };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECKF(debugreg_index(bad[i], false) == -EINVAL, "reg %d", bad[i]);
        CHECKF(debugreg_index(bad[i], true) == -EINVAL, "reg %d with DE", bad[i]);
        REFUSED(bad[i], 0, EINVAL);
        REFUSED(bad[i], 0x1000, EINVAL);
    }
}

/* With CR4.DE set, DR4 and DR5 do not exist (-ENODEV: a mov is #UD), as on the CPU. */
static void dr4_dr5_vanish_under_de(void)
{
    de = true;
    CHECK(debugreg_index(4, true) == -ENODEV);
    CHECK(debugreg_index(5, true) == -ENODEV);
    REFUSED(4, 0, ENODEV);
    REFUSED(5, 0x400, ENODEV);
    OK(6, 0, 6, 0xffff0ff0u);
    OK(7, 0, 7, 0x400);
    de = false;
}

/*
 * An I/O breakpoint (R/W 10b) is Xen's rule: refused without CR4.DE when DR7
 * enables anything, accepted with it; the CPU's DR7 never holds one, and
 * the emulated port I/O matches it by port and length.
 */
static void io_breakpoints_need_de(void)
{
    for (unsigned n = 0; n < 4; n++) {
        uint32_t enable = 3u << (2 * n), io = DR7_RW_IO << (16 + 4 * n);
        uint32_t other = 1u << (2 * ((n + 1) % 4));
        REFUSED(7, enable | io, EPERM);
        REFUSED(7, other | io, EPERM);                   /* enabled elsewhere */
        OK(7, io, 7, 0x400 | io);                        /* nothing enabled: Xen lets it be */
        de = true;
        OK(7, enable | io, 7, 0x400 | enable | io);
        CHECK(debugreg_hw_dr7(0x400 | enable | io | other) == (0x400 | other));
        de = false;
    }
    uint32_t dr[8] = { 0x70, 0x60, 0x80, 0x3f8, 0, 0, 0, 0 };
    dr[7] = 0x55 | 0x2222u << 16;                        /* L0-L3, all I/O ... */
    dr[7] |= (1u << 22) | (3u << 26) | (0u << 30);       /* ... lengths 1, 2, 4, 1 */
    CHECK(debugreg_io_match(dr, 0x70, 1) == 0x1);
    CHECK(debugreg_io_match(dr, 0x71, 1) == 0);
    CHECK(debugreg_io_match(dr, 0x61, 1) == 0x2);        /* 2 bytes at 0x60 */
    CHECK(debugreg_io_match(dr, 0x62, 2) == 0);
    CHECK(debugreg_io_match(dr, 0x83, 1) == 0x4);        /* 4 bytes at 0x80 */
    CHECK(debugreg_io_match(dr, 0x7e, 4) == 0x4);        /* 0x7e-0x81 meets only DR2 0x80-0x83 */
    CHECK(debugreg_io_match(dr, 0x3f8, 1) == 0x8);
    dr[7] &= ~0x40u;                                     /* L3 off */
    CHECK(debugreg_io_match(dr, 0x3f8, 1) == 0);
    dr[7] &= ~(3u << 16);                                /* DR0 a write breakpoint now */
    dr[7] |= 1u << 16;
    CHECK(debugreg_io_match(dr, 0x70, 1) == 0);
}

/* DR0-3: the whole 4 bytes at the address must lie below the hole. */
static void addresses(void)
{
    static const uint32_t good[] = { 0, 1, 0x1000, 0xc0000000u, 0xf0000000u, HOLE - 8,
                                     HOLE - 5, HOLE - 4 };
    static const uint32_t bad[] = { HOLE - 3, HOLE - 2, HOLE - 1, HOLE, HOLE + 4,
                                    0xf67ff000u /* the guest-readable M2P */, 0xfc100000u,
                                    0xfffffffcu, 0xfffffffdu /* + 3 wraps to 0 */, 0xffffffffu };
    for (int reg = 0; reg < 4; reg++) {
        for (unsigned i = 0; i < ARRAY_SIZE(good); i++)
            OK(reg, good[i], reg, good[i]);
        for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
            REFUSED(reg, bad[i], EPERM);
    }
    CHECK(debugreg_addr_ok(HOLE - 4));
    CHECK(!debugreg_addr_ok(HOLE - 3));
}

/* DR6: never refused; bits 4-11 and 16-31 become 1, bit 12 becomes 0, the rest stay. */
static void dr6_reserved_bits(void)
{
    OK(6, 0, 6, 0xffff0ff0u);
    OK(6, 0xffffffffu, 6, 0xffffefffu);
    OK(6, 0x0000e00fu, 6, 0xffffefffu);      /* B0-B3 BD BS BT */
    OK(6, 0x00004001u, 6, 0xffff4ff1u);      /* BS and B0 */
    OK(6, 0x00001000u, 6, 0xffff0ff0u);
    OK(4, 0x00000002u, 6, 0xffff0ff2u);      /* DR4 is DR6 */
    CHECK(debugreg_dr6_value(0) == DR6_DEFAULT);
}

/* DR7: bit 10 becomes 1 and bits 11, 12, 14, 15 become 0 (as Xen), the rest stay. */
static void dr7_reserved_bits(void)
{
    OK(7, 0, 7, 0x400);
    OK(7, 0x400, 7, 0x400);
    OK(7, 0x1, 7, 0x401);
    OK(7, 0xd801, 7, 0x401);
    OK(7, 0x300, 7, 0x700);                   /* LE and GE are allowed */
    OK(7, 0xdd0f0003u, 7, 0xdd0f0403u);       /* RW=01/11, LEN=11/01 */
    OK(5, 0x2, 7, 0x402);                     /* DR5 is DR7 */
}

/* DR7: general detect is refused, and so is any R/W or LEN field of 10b. */
static void dr7_refused_bits(void)
{
    REFUSED(7, DR7_GD, EPERM);
    REFUSED(7, DR7_GD | 1, EPERM);
    REFUSED(5, DR7_GD, EPERM);
    for (unsigned n = 0; n < 4; n++) {
        uint32_t enable = 3u << (2 * n);
        REFUSED(7, enable | (DR7_RW_IO << (16 + 4 * n)), EPERM);    /* I/O breakpoint, no DE */
        REFUSED(7, enable | (DR7_LEN_BAD << (18 + 4 * n)), EPERM);
        REFUSED(7, DR7_LEN_BAD << (18 + 4 * n), EPERM);
        OK(7, enable | (1u << (16 + 4 * n)) | (3u << (18 + 4 * n)), 7,
           0x400 | enable | (1u << (16 + 4 * n)) | (3u << (18 + 4 * n)));
    }
}

/* Enabling a breakpoint is refused while its address is not a guest one. */
static void dr7_checks_enabled_addresses(void)
{
    for (unsigned n = 0; n < 4; n++) {
        memset(regs, 0, sizeof(regs));
        regs[n] = HOLE;                          /* as if DR<n> had slipped through */
        REFUSED(7, 1u << (2 * n), EPERM);        /* Ln */
        REFUSED(7, 2u << (2 * n), EPERM);        /* Gn */
        for (unsigned m = 0; m < 4; m++)         /* the others may be enabled */
            if (m != n)
                OK(7, 3u << (2 * m), 7, 0x400 | 3u << (2 * m));
        OK(7, 0, 7, 0x400);
    }
    memset(regs, 0, sizeof(regs));
    CHECK(debugreg_enabled(0) == 0);
    CHECK(debugreg_enabled(0x1) == 1 && debugreg_enabled(0x2) == 1);
    CHECK(debugreg_enabled(0x40) == 8 && debugreg_enabled(0x80) == 8);
    CHECK(debugreg_enabled(0xff) == 0xf);
    CHECK(debugreg_enabled(0xffffff00u) == 0);
}

/* A random value, often near the hole or with few bits set. */
static uint32_t interesting(void)
{
    switch (check_random() % 4) {
    case 0:  return HOLE - 16 + check_random() % 32;
    case 1:  return check_random() & check_random();
    default: return check_random();
    }
}

/* Every breakpoint the CPU is given by an accepted state covers guest bytes only. */
static bool state_is_safe(const uint32_t dr[8])
{
    static const unsigned len_bytes[4] = { 1, 2, 8, 4 };
    uint32_t dr7 = debugreg_hw_dr7(dr[7]);
    if (dr7 & DR7_GD)
        return false;
    for (unsigned n = 0; n < 4; n++) {
        if (!(debugreg_enabled(dr7) & (1u << n)))
            continue;
        unsigned rw = (dr7 >> (16 + 4 * n)) & 3, len = (dr7 >> (18 + 4 * n)) & 3;
        if (rw == 2 || len == 2)
            return false;
        uint64_t first = dr[n] & ~(uint32_t)(len_bytes[len] - 1);
        if (first + len_bytes[len] - 1 >= HOLE)
            return false;
    }
    return true;
}

/*
 * Random writes to random registers, applied when accepted: the state the
 * CPU would be given must be safe after every one, and an accepted DR0-3
 * value must be exactly a guest address.
 */
static void random_writes(void)
{
    uint32_t dr[8] = { 0, 0, 0, 0, 0, 0, 0, 0x400 };
    unsigned accepted = 0, refused = 0;
    for (unsigned i = 0; i < 200000; i++) {
        int reg = (int)(check_random() % 10) - 1;     /* -1 .. 8 */
        uint32_t value = interesting(), out = GUARD;
        bool with_de = check_random() & 1;
        int rc = debugreg_check(reg, value, dr, with_de, &out);
        if (rc < 0) {
            CHECKF(rc == -EPERM || rc == -EINVAL || (rc == -ENODEV && with_de), "rc %d", rc);
            refused++;
            continue;
        }
        accepted++;
        if (rc < 4)
            CHECKF(value < HOLE - 3 && out == value, "DR%d <- 0x%08x accepted", reg, value);
        dr[rc] = out;
        if (!state_is_safe(dr)) {
            check_failed(__FILE__, __LINE__, "state_is_safe",
                         "after DR%d <- 0x%08x: dr0-3 %08x %08x %08x %08x dr7 %08x",
                         reg, value, dr[0], dr[1], dr[2], dr[3], dr[7]);
            return;
        }
    }
    CHECKF(accepted > 1000 && refused > 1000, "accepted %u refused %u", accepted, refused);
}

static const struct group groups[] = {
    { "register_numbers", register_numbers },
    { "dr4_dr5_vanish_under_de", dr4_dr5_vanish_under_de },
    { "io_breakpoints_need_de", io_breakpoints_need_de },
    { "addresses", addresses },
    { "dr6_reserved_bits", dr6_reserved_bits },
    { "dr7_reserved_bits", dr7_reserved_bits },
    { "dr7_refused_bits", dr7_refused_bits },
    { "dr7_checks_enabled_addresses", dr7_checks_enabled_addresses },
    { "random_writes", random_writes },
};

CHECK_MAIN(groups)

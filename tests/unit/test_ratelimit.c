/*
 * test_ratelimit.c - hypervisor/console/ratelimit.c: Xen's printk_ratelimit bucket.
 *
 * The bucket is pure (the caller passes the time), so every rule is checked
 * here with made-up clocks: a fresh bucket lets RATELIMIT_BURST lines
 * through and refuses the next, one line's credit comes back every
 * RATELIMIT_MS, the credit never grows past the burst, and the count of
 * refused lines is handed out exactly once, with the next line let through.
 *
 *   test_ratelimit [GROUP | --list]
 */
#include "hypervisor/console/ratelimit.h"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

/* How many of n lines at time t get through; the missed counts they reported, summed, in *missed. */
static unsigned allow_n(struct ratelimit *r, uint64_t t, unsigned n, uint32_t *missed)
{
    unsigned ok = 0;
    *missed = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t m = 0xdead;
        if (ratelimit_allow(r, t, &m)) {
            ok++;
            *missed += m;
        }
    }
    return ok;
}

static void burst_then_refuse(void)
{
    struct ratelimit r = { 0 };
    uint32_t missed = 0;
    unsigned ok = allow_n(&r, 1000, 1000, &missed);
    CHECKF(ok == RATELIMIT_BURST, "%u of 1000 lines at one instant got through", ok);
    CHECKF(missed == 0, "the burst reported %u missed", missed);
    CHECKF(r.missed == 1000 - RATELIMIT_BURST, "counted %u refused", r.missed);
}

static void one_line_per_interval(void)
{
    struct ratelimit r = { 0 };
    uint32_t missed = 0;
    allow_n(&r, 0, 50, &missed);
    CHECK(allow_n(&r, RATELIMIT_MS - 1, 5, &missed) == 0);            /* not yet */
    CHECK(allow_n(&r, RATELIMIT_MS, 5, &missed) == 1);                /* one credit back */
    CHECKF(missed == 50 - RATELIMIT_BURST + 5, "the resumed line reported %u missed", missed);
    CHECKF(r.missed == 4, "after it, %u counted", r.missed);
    CHECK(allow_n(&r, 3 * RATELIMIT_MS, 5, &missed) == 2);            /* two more intervals */
    CHECKF(missed == 4, "reported %u", missed);
}

static void credit_is_capped_at_the_burst(void)
{
    struct ratelimit r = { 0 };
    uint32_t missed = 0;
    allow_n(&r, 0, RATELIMIT_BURST, &missed);
    unsigned ok = allow_n(&r, 1000ull * RATELIMIT_MS, 1000, &missed);  /* a long quiet time */
    CHECKF(ok == RATELIMIT_BURST, "%u got through after a long pause", ok);
    ok = allow_n(&r, ~0ull, 1000, &missed);                            /* the clock's end: no overflow */
    CHECKF(ok == RATELIMIT_BURST, "%u got through at the end of time", ok);
}

static void time_going_back_gives_nothing(void)
{
    struct ratelimit r = { 0 };
    uint32_t missed = 0;
    allow_n(&r, 100000, RATELIMIT_BURST, &missed);
    CHECK(allow_n(&r, 0, 10, &missed) == 0);
    CHECK(allow_n(&r, 100000 + RATELIMIT_MS - 1, 10, &missed) == 0);
    CHECK(allow_n(&r, 100000 + RATELIMIT_MS, 10, &missed) == 1);
}

static void missed_count_saturates(void)
{
    struct ratelimit r = { 0 };
    uint32_t missed = 0;
    allow_n(&r, 0, RATELIMIT_BURST, &missed);
    r.missed = UINT32_MAX - 1;
    allow_n(&r, 0, 5, &missed);
    CHECKF(r.missed == UINT32_MAX, "missed wrapped to %u", r.missed);
}

static const struct group groups[] = {
    { "burst_then_refuse", burst_then_refuse },
    { "one_line_per_interval", one_line_per_interval },
    { "credit_is_capped_at_the_burst", credit_is_capped_at_the_burst },
    { "time_going_back_gives_nothing", time_going_back_gives_nothing },
    { "missed_count_saturates", missed_count_saturates },
};

CHECK_MAIN(groups)

/*
 * shutdown - shut down with the reason named on the command line.
 *
 * SCHEDOP_shutdown is how a PV domain ends: it tells the hypervisor why
 * (sched.h: poweroff 0, reboot 1, suspend 2, crash 3, watchdog 4,
 * soft_reset 5), and the hypervisor reports "(hv) dN shutdown: <reason>"
 * and decides what follows.  The module line says which one to use:
 *   shutdown.elf -- reason=crash     a name from the list above, or
 *   shutdown.elf -- reason=7         any number, to test rejected reasons.
 * Before the call the guest prints "shutting down: reason=<name> (<n>)".
 * There is no "Test result" line on the way out - the shutdown line is the
 * result.  If the hypercall returns, the guest prints its rc and ends with
 * FAILURE (powering off); without a usable reason= it ends with ERROR.
 */
#include "pvguest/lib/pvguest.h"

static const char *const reasons[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

/* "crash" -> 3, "7" -> 7; false if neither a known name nor a number. */
static bool parse_reason(const char *s, unsigned long *reason)
{
    for (unsigned i = 0; i < ARRAY_SIZE(reasons); i++)
        if (!strcmp(s, reasons[i])) {
            *reason = i;
            return true;
        }
    return parse_uint(s, reason);
}

void pvguest_main(const xen_start_info_t *si)
{
    char word[32];
    unsigned long reason;
    long rc;

    if (!cmdline_get("reason", word, sizeof(word)) || !parse_reason(word, &reason)) {
        test_error("need reason=<name|number> on the command line, got \"%s\"",
                   si->cmd_line);
        xtf_exit();
    }
    printf("shutting down: reason=%s (%lu)\n",
           reason < ARRAY_SIZE(reasons) ? reasons[reason] : "unknown", reason);
    rc = shutdown(reason);
    printf("SCHEDOP_shutdown returned %ld\n", rc);
    test_fail("the domain is still running after SCHEDOP_shutdown(%lu)", reason);
    xtf_exit();
}

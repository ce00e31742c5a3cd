/*
 * test.c - verdicts, after the Xen Test Framework: one result line, then off.
 *
 * A test guest cannot return an exit status; the console is all anyone
 * sees.  So, as in XTF, a test reports as it goes and ends with exactly one
 * machine-parsable line, "Test result: SUCCESS|SKIP|ERROR|FAILURE", then
 * powers its domain off with SCHEDOP_shutdown.  The worst report wins:
 * a single failed check makes the whole test FAILURE.  ERROR is for a test
 * that could not do its job (the hypervisor may be right); a test that
 * reports nothing at all ends in ERROR too, so a forgotten test_pass() is
 * never read as success.
 */
#include "pvguest/lib/pvguest.h"

enum status { ST_NONE, ST_SUCCESS, ST_SKIP, ST_ERROR, ST_FAILURE };
static const char *const status_name[] = {
    "NONE", "SUCCESS", "SKIP", "ERROR", "FAILURE",
};
static enum status status;
static unsigned checks, checks_failed;

static void raise_status(enum status s)
{
    if (s > status)
        status = s;
}

/* Print "<tag>: <message>" as one line, whatever the caller's format ends in. */
static void report(enum status s, const char *tag, const char *fmt, va_list ap)
{
    char msg[200];
    size_t n;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    printf("%s: %s%s", tag, msg, n && msg[n - 1] == '\n' ? "" : "\n");
    raise_status(s);
}

void test_pass(void)
{
    raise_status(ST_SUCCESS);
}

#define REPORTER(fn, st, tag)                   \
    void fn(const char *fmt, ...)               \
    {                                           \
        va_list ap;                             \
        va_start(ap, fmt);                      \
        report(st, tag, fmt, ap);               \
        va_end(ap);                             \
    }
REPORTER(test_fail, ST_FAILURE, "fail")
REPORTER(test_error, ST_ERROR, "error")
REPORTER(test_skip, ST_SKIP, "skip")

/* Count one check; a mismatch makes the test FAILURE. */
static bool tally(bool ok)
{
    checks++;
    if (!ok) {
        checks_failed++;
        raise_status(ST_FAILURE);
    }
    return ok;
}

bool check_rc(const char *what, long got, long want)
{
    printf("check %s: got %ld want %ld\n", what, got, want);
    return tally(got == want);
}

bool check_hex(const char *what, uint32_t got, uint32_t want)
{
    printf("check %s: got 0x%08x want 0x%08x\n", what, got, want);
    return tally(got == want);
}

bool check_u64(const char *what, uint64_t got, uint64_t want)
{
    printf("check %s: got 0x%016llx want 0x%016llx\n", what, (unsigned long long)got,
           (unsigned long long)want);
    return tally(got == want);
}

bool check_str(const char *what, const char *got, const char *want)
{
    printf("check %s: got %s want %s\n", what, got, want);
    return tally(!strcmp(got, want));
}

bool check(long got, long want, const char *fmt, ...)
{
    char what[120];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return check_rc(what, got, want);
}

unsigned test_checks(unsigned *failed)
{
    *failed = checks_failed;
    return checks;
}

long shutdown(unsigned int reason)
{
    struct xen_sched_shutdown arg = { .reason = reason };

    console_flush();            /* whatever is buffered must come out first */
    return HYPERVISOR_sched_op(SCHEDOP_shutdown, &arg);
}

/* Shutdown refused, or ignored: crash instead, and never run on. */
static void __noreturn die(void)
{
    shutdown(SHUTDOWN_crash);
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

void xtf_exit(void)
{
    long rc;

    if (checks)
        printf("%u checks, %u failed\n", checks, checks_failed);
    if (status == ST_NONE)
        test_error("the test reported no result");
    printf("Test result: %s\n", status_name[status]);
    rc = shutdown(SHUTDOWN_poweroff);
    printf("SCHEDOP_shutdown(poweroff) returned %ld\n", rc);
    die();
}

/* head.S calls this if pvguest_main returns: a test must end in xtf_exit(). */
void __noreturn pvguest_main_returned(void);
void pvguest_main_returned(void)
{
    printf("pvguest_main returned without calling xtf_exit()\n");
    die();
}

/*
 * user.c - the shell's ring-3 program: the command loop and its two
 * companions (shell.h says which task plays which part).
 *
 * Like every user program it is linked into the user image and may call
 * nothing outside itself - no printf, no string functions, no 64-bit
 * division (that is libgcc's) - only the kernel, through int $0x80.  So
 * it carries its own few helpers: an output line built in a buffer and
 * written whole, and number formatting.
 *
 * The console delivers what is typed a few bytes at a time; the shell
 * collects a line (backspace edits it, Ctrl-C drops it) and, when Enter
 * comes, says it back after the prompt, "alice> help", then runs it.  The
 * hypervisor prints guest output a whole line at a time, so the prompt
 * could not be seen before the line is typed anyway.
 */
#include <stdbool.h>
#include "pvguest/kernel/user.h"
#include "pvguest/tests/shell/shell.h"

#define LINE_MAX 80

char shell_user[USER_MAX];

static const char *const forbidden_cmd[] = {
#define NAME(id, cmd, insn, setup) cmd,
    FORBIDDEN_LIST(NAME)
#undef NAME
    FORBIDDEN_INT3,
};
#define NFORBIDDEN (sizeof(forbidden_cmd) / sizeof(forbidden_cmd[0]))

static const char *const untrappable_cmd[] = {
#define NAME(id, cmd) cmd,
    UNTRAPPABLE_LIST(NAME)
#undef NAME
};
#define NUNTRAPPABLE (sizeof(untrappable_cmd) / sizeof(untrappable_cmd[0]))

/* ---- output: one line at a time --------------------------------------------- */

static char out[160];
static unsigned out_len;

static void put(const char *s)
{
    while (*s && out_len < sizeof(out) - 1)
        out[out_len++] = *s++;
}

static void put_char(char c)
{
    if (out_len < sizeof(out) - 1)
        out[out_len++] = c;
}

/* v in decimal, right-aligned in width (zero-padded if zero is set). */
static void put_uint(uint32_t v, unsigned width, bool zero)
{
    char digits[10];
    unsigned n = 0;

    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    for (; width > n; width--)
        put_char(zero ? '0' : ' ');
    while (n)
        put_char(digits[--n]);
}

/* s left-aligned in width. */
static void put_pad(const char *s, unsigned width)
{
    unsigned n = 0;

    for (; s[n]; n++)
        put_char(s[n]);
    for (; n < width; n++)
        put_char(' ');
}

static void end_line(void)
{
    out[out_len++] = '\n';
    sys_write(1, out, out_len);
    out_len = 0;
}

static void say(const char *s)
{
    put(s);
    end_line();
}

/* ---- strings ------------------------------------------------------------ */

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Split off the first word of *s (NUL-terminating it); "" at the end. */
static char *word(char **s)
{
    char *w;

    while (**s == ' ')
        (*s)++;
    w = *s;
    while (**s && **s != ' ')
        (*s)++;
    if (**s)
        *(*s)++ = '\0';
    return w;
}

static bool parse_uint(const char *s, uint32_t *v)
{
    *v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        *v = *v * 10 + (uint32_t)(*s - '0');
    }
    return true;
}

/* ---- commands ----------------------------------------------------------- */

static void help(void)
{
    say("commands: help, ps, uptime, ping <domain>, disk [read <sector> | write <sector> <text>], exit");
    say("forbidden: the kernel does it in ring 1 and the hypervisor halts this domain:");
    put(" ");
    for (unsigned i = 0; i < NFORBIDDEN; i++) {
        put(" ");
        put(forbidden_cmd[i]);
    }
    end_line();
    say("untrappable: the kernel runs it in ring 1 and says what it saw (UMIP traps the");
    say("first five, and this domain's policy decides; docs/untrappable.md):");
    put(" ");
    for (unsigned i = 0; i < NUNTRAPPABLE; i++) {
        put(" ");
        put(untrappable_cmd[i]);
    }
    end_line();
    say("ps: CPU ms is the time a task ran while this domain had the CPU; STOLEN ms");
    say("  is the time other domains had it while the task was current, which a guest");
    say("  cannot see from its clock: Xen's runstate tells it (docs/pvguest.md)");
    say("Ctrl-A three times moves the console input to the next domain");
}

static void ps(void)
{
    struct task_info ti;
    long rc;

    uint32_t ms[3];

    say("  PID  STATE      CPU ms  STOLEN ms    RUNS  PREEMPTED  NAME");
    for (unsigned slot = 0; (rc = sys_task_info(slot, &ti)) != -3; slot++) {   /* -ESRCH */
        if (rc)
            continue;
        put_uint(ti.pid, 5, false);
        put("  ");
        put_pad(ti.state, 9);
        put_uint(ti.cpu_ms, 8, false);
        put_uint(ti.stolen_ms, 11, false);
        put_uint(ti.runs, 8, false);
        put_uint(ti.preempted, 11, false);
        put("  ");
        put(ti.name);
        end_line();
    }
    if (syscall3(SYS_runstate, (long)(uintptr_t)ms, 0, 0) == 0) {
        put("domain (Xen's runstate): running ");
        put_uint(ms[0], 1, false);
        put(" ms, runnable ");
        put_uint(ms[1], 1, false);
        put(" ms (stolen by other domains), blocked ");
        put_uint(ms[2], 1, false);
        put(" ms");
        end_line();
    }
}

static void put_hms(uint32_t sec, unsigned hour_width)
{
    put_uint(sec / 3600, hour_width, true);
    put(":");
    put_uint(sec / 60 % 60, 2, true);
    put(":");
    put_uint(sec % 60, 2, true);
}

static void uptime(void)
{
    struct timespec up, wall;

    if (sys_clock_gettime(CLOCK_MONOTONIC, &up) || sys_clock_gettime(CLOCK_REALTIME, &wall)) {
        say("uptime: no clock");
        return;
    }
    put("up ");
    put_hms((uint32_t)up.tv_sec, 1);
    put(".");
    put_uint((uint32_t)up.tv_nsec / 1000000, 3, true);
    put(" (system time from shared_info), wall clock ");
    put_hms((uint32_t)wall.tv_sec % 86400, 2);
    put(" UTC");
    end_line();
}

/* Xen's errno values (public/errno.h) that binding a peer's port can give. */
static const char *errno_name(long rc)
{
    switch (rc) {
    case -1: return "EPERM";
    case -3: return "ESRCH";
    case -12: return "ENOMEM";
    case -22: return "EINVAL";
    case -28: return "ENOSPC";
    default: return "an unexpected error";
    }
}

/* What a failed EVTCHNOP_bind_interdomain means, for the person at the shell. */
static const char *ping_error(long rc)
{
    switch (rc) {
    case -3:
        return "no such domain: it has ended (halted or powered off) or never existed";
    case -22:
        return "it has no port 1 waiting for this domain: it is not a shell whose peer "
               "is us, or it has not started yet";
    case -1:
        return "not allowed to bind its port 1";
    case -28:
    case -12:
        return "no free event-channel port here";
    default:
        return "cannot bind its port 1";
    }
}

static void ping(char *args)
{
    uint32_t dom, rtt[4];
    long got;

    if (!parse_uint(word(&args), &dom)) {
        say("usage: ping <domain number>");
        return;
    }
    got = syscall3(SYS_ping, (long)dom, 4, (long)(uintptr_t)rtt);
    if (got < 0) {
        put("ping d");
        put_uint(dom, 1, false);
        put(": ");
        put(ping_error(got));
        put(" (");
        put(errno_name(got));
        put(")");
        end_line();
        return;
    }
    for (unsigned i = 0; i < 4; i++) {
        put("pong from d");
        put_uint(dom, 1, false);
        put(": seq ");
        put_uint(i + 1, 1, false);
        if (rtt[i] == PING_LOST) {
            put(" lost");
        } else {
            put(" time ");
            put_uint(rtt[i], 1, false);
            put(" us");
        }
        end_line();
    }
}

/* disk: the block device's size; disk read N: sector N's text; disk write N text. */
static void disk(char *args)
{
    static char sec[512];
    char *op = word(&args);
    uint32_t n = 0;
    long rc = syscall3(SYS_disk, DISK_INFO, 0, (long)(uintptr_t)sec);

    if (rc < 0) {
        put("disk: none (error ");
        put_uint((uint32_t)-rc, 1, false);
        put("): boot the shell with -- disk=<blkback domain>");
        end_line();
        return;
    }
    if (!*op) {
        put("disk: ");
        put_uint((uint32_t)rc, 1, false);
        put(" sectors of 512 bytes");
        end_line();
        return;
    }
    if (!parse_uint(word(&args), &n) || (!same(op, "read") && !same(op, "write"))) {
        say("usage: disk [read <sector> | write <sector> <text>]");
        return;
    }
    if (same(op, "write")) {
        unsigned i = 0;
        for (; args[i] && i < sizeof(sec) - 1; i++)
            sec[i] = args[i];
        while (i < sizeof(sec))
            sec[i++] = 0;
    }
    rc = syscall3(SYS_disk, same(op, "write") ? DISK_WRITE : DISK_READ, (long)n, (long)(uintptr_t)sec);
    put("disk ");
    put(op);
    put(" ");
    put_uint(n, 1, false);
    if (rc) {
        put(": error ");
        put_uint((uint32_t)(rc < 0 ? -rc : rc), 1, false);
    } else if (same(op, "read")) {
        put(": ");
        for (unsigned i = 0; i < 64 && sec[i]; i++) {
            char c[2] = { sec[i] >= 32 && sec[i] < 127 ? sec[i] : '.', 0 };
            put(c);
        }
    } else {
        put(": ok");
    }
    end_line();
}

static void run(char *line)
{
    char *cmd = word(&line);

    if (!*cmd)
        return;
    if (same(cmd, "help"))
        return help();
    if (same(cmd, "ps"))
        return ps();
    if (same(cmd, "uptime"))
        return uptime();
    if (same(cmd, "ping"))
        return ping(line);
    if (same(cmd, "disk"))
        return disk(line);
    if (same(cmd, "exit")) {
        say("bye");
        sys_exit(0);
    }
    for (unsigned i = 0; i < NFORBIDDEN; i++)
        if (same(cmd, forbidden_cmd[i])) {
            syscall3(SYS_forbidden, (long)i, 0, 0);
            return;
        }
    for (unsigned i = 0; i < NUNTRAPPABLE; i++)
        if (same(cmd, untrappable_cmd[i])) {
            syscall3(SYS_untrappable, (long)i, 0, 0);
            return;
        }
    put(cmd);
    put(": unknown command (try help)");
    end_line();
}

/* ---- the loop ------------------------------------------------------------- */

static void shell(void)
{
    char line[LINE_MAX + 1], buf[32];
    unsigned len = 0;
    bool cr = false;

    put(shell_user);
    put(": shell ready; type help");
    end_line();
    for (;;) {
        long n = sys_read(0, buf, sizeof(buf));

        for (long i = 0; i < n; i++) {
            char c = buf[i];
            bool lf_after_cr = c == '\n' && cr;

            cr = c == '\r';
            if (lf_after_cr)
                continue;
            if (c == '\r' || c == '\n') {
                line[len] = '\0';
                put(shell_user);
                put("> ");
                put(line);
                end_line();
                run(line);
                syscall3(SYS_spin_wake, 0, 0, 0);   /* after: ps shows it resting */
                len = 0;
            } else if (c == 0x7f || c == '\b') {
                len -= len > 0;
            } else if (c == 0x03) {
                len = 0;
            } else if (c >= ' ' && c < 0x7f && len < LINE_MAX) {
                line[len++] = c;
            }
        }
    }
}

void task_main(uint32_t kind, uint32_t arg)
{
    static const struct timespec second = { 1, 0 };
    volatile uint32_t count = 0;

    (void)arg;
    switch (kind) {
    case SHELL:
        shell();
        break;
    case CLOCK:
        for (;;)
            sys_nanosleep(&second);
    default:
        for (;;) {
            struct timespec start, now;

            sys_clock_gettime(CLOCK_MONOTONIC, &start);
            do {
                for (unsigned i = 0; i < 100000; i++)
                    count++;
                sys_clock_gettime(CLOCK_MONOTONIC, &now);
            } while (now.tv_sec - start.tv_sec < SPIN_BURST_S);
            syscall3(SYS_spin_rest, 0, 0, 0);
        }
    }
    sys_exit(0);
}

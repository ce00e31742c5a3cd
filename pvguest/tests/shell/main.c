/*
 * shell - the interactive demo: a small shell on the domain's console.
 *
 * The pvguest kernel (pvguest/kernel/) runs three ring-3 tasks (user.c):
 *  - shell, the command loop, reading the console with read(0), which is
 *    CONSOLEIO_read underneath and sleeps on VIRQ_CONSOLE between lines;
 *  - clock, which sleeps a second at a time (nanosleep: set_timer_op and,
 *    when nothing else runs, SCHEDOP_block);
 *  - spin, which counts and never yields: the kernel's 10 ms tick
 *    (VIRQ_TIMER) preempts it, so the shell still answers at once.  It
 *    spins for SPIN_BURST_S seconds after the shell starts and after each
 *    command, then sleeps until the next: a demo nobody types to leaves
 *    the domain blocked and the host's CPU idle.
 * "-- spin=0" leaves spin out.  Input reaches the domain that has the
 * console; Ctrl-A three times moves it to the next one.  Type help.
 *
 * This file is the kernel's side of the shell's own system calls:
 *  - forbidden(i): execute entry i of FORBIDDEN_LIST (shell.h) in ring 1,
 *    events masked.  The hypervisor halts the domain, naming the
 *    instruction: "(hv) dN halted: privileged instruction 'cli' at ...".
 *    int3-without-handler clears the trap table first, so the breakpoint
 *    has nowhere to go;
 *  - ping(dom, n, rtt): interdomain events, after the convention of
 *    pvguest/tests/pingpong: the server's first alloc_unbound, for its
 *    one peer, is port 1, and the client binds (server, 1).  Every shell
 *    is a server for the peer its command line names ("-- peer=1"): an
 *    event on its port 1 is answered with an event back.  ping binds
 *    (dom, 1), sends n pings, sleeps until each pong (at most a second),
 *    and closes the port, which leaves dom's port 1 unbound for next time;
 *  - disk(op, sector, buf): one sector of the split block device, when the
 *    domain was booted with a disk (module option dom.disk=1): blkfront
 *    (pvguest/lib/blkfront.c) connects on first use.
 * The shell task is the leader: when it exits (the exit command) the
 * other tasks are killed and the domain powers off with SUCCESS.
 */
#include "pvguest/kernel/kernel.h"
#include "pvguest/kernel/user.h"
#include "pvguest/tests/shell/shell.h"
#include "pvguest/lib/blkfront.h"
#include "pvguest/lib/xenbus.h"

#define PING_PORT 1u
#define TICK_NS   (10 * NS_PER_MS)

struct __attribute__((packed)) { uint16_t limit; uint32_t base; }
    forbidden_desc __attribute__((used)) = { 0x17, 0 };   /* lgdt/lidt/invlpg: never loaded */

/* ---- forbidden operations ------------------------------------------------ */

/*
 * Basic asm, so the text is spelled exactly as objdump and the halt line
 * spell it (one %).  It changes only EAX, ECX and EDX, which every call
 * may change anyway - and none of these returns.  The label forbidden_at_
 * <id> marks the instruction itself, whose address we print and the
 * hypervisor's halt line must name.
 */
#define DEFINE(id, cmd, insn, setup)                                              \
    extern char forbidden_at_##id[];                                              \
    static void forbidden_##id(void)                                              \
    {                                                                             \
        __asm__ __volatile__(setup "forbidden_at_" #id ":\n\t" insn);             \
    }
FORBIDDEN_LIST(DEFINE)
#undef DEFINE

extern char forbidden_at_int3[];
static void forbidden_int3(void)
{
    HYPERVISOR_set_trap_table(NULL);        /* no handler for anything now */
    __asm__ __volatile__("forbidden_at_int3:\n\tint3" : : : "memory");
}

static const struct {
    const char *insn;
    void (*run)(void);
    const char *at;
} forbidden[] = {
#define ENTRY(id, cmd, insn, setup) { insn, forbidden_##id, forbidden_at_##id },
    FORBIDDEN_LIST(ENTRY)
#undef ENTRY
    { "int3", forbidden_int3, forbidden_at_int3 },
};

static long do_forbidden(uint32_t i)
{
    if (i >= ARRAY_SIZE(forbidden))
        return -EINVAL;
    local_irq_save();
    printf("kernel: executing '%s' in ring 1 at 0x%08x; the hypervisor should halt this "
           "domain\n", forbidden[i].insn, (uint32_t)(uintptr_t)forbidden[i].at);
    console_flush();
    forbidden[i].run();
    printf("kernel: still running after '%s'\n", forbidden[i].insn);
    test_fail("'%s' in ring 1 did not halt the domain", forbidden[i].insn);
    xtf_exit();
}

/* ---- untrappable instructions -------------------------------------------- */

/*
 * Each runs here in ring 1, the kernel's ring, and says what it saw.  On
 * a plain x86 all of them run without a trap; a hypervisor can only make
 * the first five trap with UMIP, and rdpmc with CR4.PCE clear.  The rest
 * are harmless by design: they show only what the ABI already tells us,
 * or fail to change what we may not change.  docs/untrappable.md has why.
 */
struct __attribute__((packed)) table_reg { uint16_t limit; uint32_t base; };
#define HOLE_START 0xf5800000u
#define HV_CS 0xe008u                       /* the hypervisor's own code segment */
#define EFLAGS_IOPL(f) (((f) >> 12) & 3)

static uint32_t eflags_now(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

static void say_table(const char *insn, const struct table_reg *t)
{
    printf("kernel: %s saw limit 0x%04x base 0x%08x%s\n", insn, t->limit, t->base,
           t->base >= HOLE_START ? ": the hypervisor's own table" : "");
}

static void u_sgdt(void) { struct table_reg t = { 0, 0 }; __asm__ volatile("sgdtl %0" : "=m"(t)); say_table("sgdt", &t); }
static void u_sidt(void) { struct table_reg t = { 0, 0 }; __asm__ volatile("sidtl %0" : "=m"(t)); say_table("sidt", &t); }
static void u_sldt(void) { uint32_t v = 0; __asm__ volatile("sldt %0" : "+r"(v)); printf("kernel: sldt saw 0x%04x\n", v); }
static void u_str(void)
{
    uint32_t v = 0;
    __asm__ volatile("str %0" : "+r"(v));
    printf("kernel: str saw 0x%04x%s\n", v, v ? ": the hypervisor's TSS" : "");
}
static void u_smsw(void)
{
    uint32_t v = 0;
    __asm__ volatile("smsw %0" : "+r"(v));
    printf("kernel: smsw saw 0x%08x (TS %u)\n", v, (v >> 3) & 1);
}
static void u_cpuid(void)
{
    uint32_t r[4] = { 0x40000000u, 0, 0, 0 };
    char sig[13];
    __asm__ volatile("cpuid" : "+a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]));
    memcpy(sig, &r[1], 12);
    sig[12] = '\0';
    printf("kernel: cpuid 0x40000000 saw \"%s\"%s\n", sig, strcmp(sig, "XenVMMXenVMM") ?
           ": the real CPU (no CPUID faulting here)" : ": the hypervisor's answer");
}
static void u_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    printf("kernel: rdtsc saw 0x%08x%08x at system time %llu ns\n", hi, lo,
           (unsigned long long)time_now_ns());
}
static void u_rdpmc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
    printf("kernel: rdpmc saw 0x%08x%08x\n", hi, lo);
}
static void u_pushf(void)
{
    uint32_t f = eflags_now();
    printf("kernel: pushf saw IF %u IOPL %u; our virtual IF (the event mask) is %u\n",
           (f >> 9) & 1, EFLAGS_IOPL(f), !event_mask());
}
static void u_popf(void)
{
    unsigned long flags = local_irq_save();
    uint32_t want = (eflags_now() & ~EFLAGS_IF) | (3u << 12), f;
    __asm__ volatile("pushl %0; popfl" :: "r"(want) : "cc", "memory");
    f = eflags_now();
    printf("kernel: popf of IF 0 IOPL 3 left IF %u IOPL %u; the event mask is still %u\n",
           (f >> 9) & 1, EFLAGS_IOPL(f), event_mask());
    local_irq_restore(flags);
}
static void u_lar(void)
{
    uint32_t v = 0;
    __asm__ volatile("larl %1, %0" : "+r"(v) : "r"((uint32_t)FLAT_RING1_CS) : "cc");
    printf("kernel: lar of 0x%04x saw rights 0x%08x: DPL %u\n", FLAT_RING1_CS, v, (v >> 13) & 3);
}
static void u_lsl(void)
{
    uint32_t v = 0;
    __asm__ volatile("lsll %1, %0" : "+r"(v) : "r"((uint32_t)FLAT_RING1_DS) : "cc");
    printf("kernel: lsl of 0x%04x saw limit 0x%08x: below the hypervisor\n", FLAT_RING1_DS, v);
}
static void u_verr(void)
{
    uint8_t ok;
    __asm__ volatile("verr %w1; setz %0" : "=q"(ok) : "r"(HV_CS) : "cc");
    printf("kernel: verr of the hypervisor's 0x%04x: %s from ring 1\n", HV_CS,
           ok ? "readable" : "not readable");
}
static void u_movcs(void)
{
    uint32_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    printf("kernel: mov %%cs saw 0x%04x: RPL %u, the ring we run in\n", cs, cs & 3);
}

static void (*const untrappable[])(void) = {
#define FN(id, cmd) u_##id,
    UNTRAPPABLE_LIST(FN)
#undef FN
};

static long do_untrappable(uint32_t i)
{
    if (i >= ARRAY_SIZE(untrappable))
        return -EINVAL;
    untrappable[i]();
    return 0;
}

/* ---- ping ---------------------------------------------------------------- */

static struct task *pinger;                 /* asleep waiting for a pong */
static unsigned pongs, served;

static void on_pong(unsigned port, void *arg)
{
    (void)port, (void)arg;
    pongs++;
    if (pinger)
        task_wake(pinger);
}

/* Our port 1: a ping from the peer, answered on the same channel. */
static void on_ping(unsigned port, void *arg)
{
    (void)arg;
    served++;
    evtchn_send(port);
}

static void ping_init(void)
{
    unsigned long peer = cmdline_uint("peer", ~0ul);
    long port;

    if (peer == ~0ul)
        return;
    port = evtchn_alloc_unbound((unsigned)peer);
    if (port < 0) {
        printf("kernel: alloc_unbound for d%lu: %ld; nobody can ping us\n", peer, port);
        return;
    }
    evtchn_set_handler((unsigned)port, on_ping, NULL);
    printf("kernel: port %ld waits for pings from d%lu%s\n", port, peer,
           port == PING_PORT ? "" : " (not port 1: the convention is broken)");
}

/* One ping: send, then sleep until the pong or a second; its rtt in us. */
static uint32_t ping_once(struct task *t, unsigned port)
{
    unsigned long flags = local_irq_save();
    unsigned before = pongs;
    uint64_t t0 = time_now_ns(), deadline = t0 + NS_PER_SEC;
    uint32_t rtt = PING_LOST;

    if (evtchn_send(port) == 0) {
        pinger = t;
        while (pongs == before && time_now_ns() < deadline)
            task_sleep_until(deadline);
        pinger = NULL;
        if (pongs != before)
            rtt = (uint32_t)((time_now_ns() - t0) / 1000);
    }
    local_irq_restore(flags);
    return rtt;
}

static long do_ping(struct task *t, uint32_t dom, uint32_t n, uint32_t out)
{
    uint32_t rtt[PING_MAX];
    long port, got = 0;

    if (n > PING_MAX)
        n = PING_MAX;
    if (!aspace_user_range(&t->as, out, n * sizeof(rtt[0])))
        return -EFAULT;
    if ((port = evtchn_bind_interdomain(dom, PING_PORT)) < 0)
        return port;
    evtchn_set_handler((unsigned)port, on_pong, NULL);
    evtchn_unmask((unsigned)port);
    for (unsigned i = 0; i < n; i++)
        got += (rtt[i] = ping_once(t, (unsigned)port)) != PING_LOST;
    evtchn_close((unsigned)port);
    memcpy((void *)out, rtt, n * sizeof(rtt[0]));
    return got;
}

/* ---- the domain's runstate, and the spinner's rest ------------------------ */

static struct task *spinner;                /* asleep until the next command */
static unsigned rested;                     /* times it went to sleep */

static long do_runstate(struct task *t, uint32_t out)
{
    struct xen_vcpu_runstate_info rs;
    uint32_t ms[3];

    if (!aspace_user_range(&t->as, out, sizeof(ms)))
        return -EFAULT;
    if (!cputime_runstate(&rs))
        return -ENOSYS;
    ms[0] = (uint32_t)(rs.time[RUNSTATE_running] / NS_PER_MS);
    ms[1] = (uint32_t)(rs.time[RUNSTATE_runnable] / NS_PER_MS);
    ms[2] = (uint32_t)(rs.time[RUNSTATE_blocked] / NS_PER_MS);
    memcpy((void *)out, ms, sizeof(ms));
    return 0;
}

/*
 * disk: the split block device, when the domain was booted with
 * dom.disk=1 (the toolstack wrote its device/vbd nodes).  blkfront connects on first use and then does
 * one sector per call through a bounce buffer of ours, so a task's pointer
 * is only ever copied, never handed to the library.  The domain waits
 * (SCHEDOP_poll) while the backend works: a demo, not a driver.
 */
static struct blkfront disk;
static bool disk_up;

static long do_disk(struct task *t, uint32_t op, uint32_t sector, uint32_t ubuf)
{
    static uint8_t sec[XEN_BLKIF_SECTOR_SIZE];
    long rc;

    if (!disk_up) {
        if (xenbus_init() < 0)
            return -ENODEV;
        if ((rc = blkfront_connect(&disk)) < 0)
            return rc;
        disk_up = true;
    }
    if (op == DISK_INFO)
        return (long)disk.sectors;
    if ((op != DISK_READ && op != DISK_WRITE) || !aspace_user_range(&t->as, ubuf, sizeof(sec)))
        return -EINVAL;
    if (op == DISK_WRITE)
        memcpy(sec, (const void *)ubuf, sizeof(sec));
    rc = blkfront_io(&disk, op == DISK_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ, sector, sec, 1);
    if (rc == BLKIF_RSP_OKAY && op == DISK_READ)
        memcpy((void *)ubuf, sec, sizeof(sec));
    return rc;
}

static bool shell_syscall(struct task *t, struct trap_frame *f)
{
    switch (f->eax) {
    case SYS_forbidden:
        f->eax = do_forbidden(f->ebx);
        return true;
    case SYS_untrappable:
        f->eax = do_untrappable(f->ebx);
        return true;
    case SYS_ping:
        f->eax = do_ping(t, f->ebx, f->ecx, f->edx);
        return true;
    case SYS_runstate:
        f->eax = do_runstate(t, f->ebx);
        return true;
    case SYS_spin_rest:
        if (!rested++)
            printf("kernel: spin ran %u s; it sleeps now until the next command, so an "
                   "idle demo leaves the CPU idle\n", SPIN_BURST_S);
        spinner = t;
        task_sleep_until(0);                /* until spin_wake */
        spinner = NULL;
        f->eax = 0;
        return true;
    case SYS_spin_wake:
        if (spinner)
            task_wake(spinner);
        f->eax = 0;
        return true;
    case SYS_disk:
        f->eax = (uint32_t)do_disk(t, f->ebx, f->ecx, f->edx);
        return true;
    default:
        return false;
    }
}

/* ---- start of day -------------------------------------------------------- */

/* Each task's copy of the image gets the user's name, as exec fills in a program's data. */
static void spawn(const char *name, enum shell_task kind, bool leader, const char *user)
{
    struct task *t = task_create(name, task_main, kind, 0, false);
    long rc;

    if (!t)
        kernel_panic("task_create", -ENOMEM);
    if ((rc = aspace_copy_to(&t->as, (uint32_t)(uintptr_t)shell_user, user, strlen(user) + 1)))
        kernel_panic("aspace_copy_to (shell_user)", rc);
    t->leader = leader;
}

void pvguest_main(const xen_start_info_t *si)
{
    char user[USER_MAX] = "shell";

    (void)si;
    cmdline_get("user", user, sizeof(user));
    kernel_init(true);
    ping_init();                            /* first: its port must be 1 */
    timer_init(TICK_NS);
    tty_init();
    syscall_set_ext(shell_syscall);
    spawn("shell", SHELL, true, user);
    spawn("clock", CLOCK, false, user);
    if (cmdline_uint("spin", 1))
        spawn("spin", SPIN, false, user);
    sched_run();
    printf("kernel: %u task switches, %u timer events (%u ticks), %u idle blocks, "
           "%u pings answered\n", sched_switches, timer_stats.events, timer_stats.ticks,
           sched_idle_blocks, served);
    test_pass();
    xtf_exit();
}

/*
 * pingpong - two domains play ping-pong over an interdomain event channel.
 *
 * Boot two copies, "-- role=server peer=1" and "-- role=client peer=0".
 * There is no xenstore to exchange port numbers, so the convention is
 * fixed: the server's first alloc_unbound for its peer gets port 1 (ports
 * are handed out lowest first, from 1), and the client binds to (peer, 1),
 * retrying while the server has not made it yet (-EINVAL).  Then, for
 * rounds=N rounds (default 100), the client sends a ping and waits, the
 * server waits, answers with a pong, and waits again.  After the last
 * round the client powers off and the server, still waiting, must be woken
 * by the client's death (see die-after below) and end too.
 *
 * Waiting is the point of the test.  wait=block (default): check for the
 * event with events masked, else SCHEDOP_block, which unmasks events and
 * sleeps until the upcall; the event callback (the library's
 * demultiplexer) notes the port.  wait=poll: events stay masked, and
 * SCHEDOP_poll sleeps until the port's pending bit is set.
 *
 * die-after=K: this side stops after K rounds - the client before its
 * ping K+1, the server when ping K+1 arrives, unanswered - by powering off
 * (die=poweroff, the default) or by executing cli, which the hypervisor
 * halts it for (die=cli).  The survivor is blocked at that moment.  It
 * must wake, find its port UNBOUND (the dead peer's end was closed, as in
 * Xen), and say so: "peer dN gone after K rounds", then show that a send
 * on the unbound port is dropped (rc 0, as Xen), that closing it works and
 * a send after that is -EINVAL, and that the dead domain is no longer
 * there (status on it: -ESRCH).
 */
#include "pvguest/lib/pvguest.h"

#define WAKEUPS_MAX 100000u        /* a wait that never ends is a failure, not a hang */
#define BIND_TRIES  100000u

static unsigned peer, port;
static bool use_poll;
static volatile unsigned arrived;           /* events taken by the handler */
static unsigned wakeups;

static void on_port(unsigned p, void *arg)
{
    (void)p;
    (void)arg;
    arrived++;
}

static long status_of(unsigned dom, unsigned p, struct xen_evtchn_status *st)
{
    st->dom = (xen_domid_t)dom;
    st->port = p;
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

/* Take our port's pending bit, as the demultiplexer would (poll mode). */
static bool take_pending(void)
{
    uint8_t was;

    __asm__ __volatile__("lock btrl %2, %1; setc %0"
                         : "=q"(was), "+m"(shared_info->evtchn_pending[port / 32])
                         : "Ir"(port % 32) : "memory", "cc");
    return was;
}

/* One event on our port, or a wake-up; with events masked on return. */
static bool event_seen(void)
{
    set_event_mask(1);
    if (use_poll)
        return take_pending();
    if (!arrived)
        return false;
    arrived--;
    return true;
}

static void sleep_once(void)
{
    wakeups++;
    if (use_poll) {
        xen_evtchn_port_t ports[1] = { port };
        struct xen_sched_poll p = { .nr_ports = 1, .timeout = 0 };

        set_xen_guest_handle(p.ports, ports);
        HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    } else {
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}

/* Wait for the peer's next message: true; false if the peer is gone. */
static bool wait_message(void)
{
    struct xen_evtchn_status st;

    for (unsigned i = 0; i < WAKEUPS_MAX; i++) {
        if (!event_seen()) {
            sleep_once();
            continue;
        }
        if (status_of(DOMID_SELF, port, &st) == 0 && st.status == EVTCHNSTAT_interdomain)
            return true;
        return false;
    }
    test_fail("no message from d%u after %u wake-ups", peer, WAKEUPS_MAX);
    xtf_exit();
}

static void __noreturn die(unsigned rounds)
{
    char how[16] = "poweroff";

    cmdline_get("die", how, sizeof(how));
    printf("dying after %u rounds (%s)\n", rounds, how);
    if (!strcmp(how, "cli"))
        __asm__ __volatile__("cli");
    shutdown(SHUTDOWN_poweroff);
    test_error("still alive after dying");
    xtf_exit();
}

/* The survivor's report: the port is unbound, sends drop, the peer is gone. */
static void peer_gone(unsigned rounds)
{
    struct xen_evtchn_status st;

    check_rc("status of our port", status_of(DOMID_SELF, port, &st), 0);
    printf("peer d%u gone after %u rounds: port %u status %u (unbound %u) remote d%u\n",
           peer, rounds, port, st.status, EVTCHNSTAT_unbound, st.u.unbound.dom);
    check_rc("our port is unbound", st.status, EVTCHNSTAT_unbound);
    check_rc("... still naming the dead peer", st.u.unbound.dom, peer);
    check_rc("send on the unbound port (dropped, as Xen)", evtchn_send(port), 0);
    check_rc("status on the dead domain", status_of(peer, 1, &st), -ESRCH);
    check_rc("bind to the dead domain", evtchn_bind_interdomain(peer, 1), -ESRCH);
    check_rc("close our port", evtchn_close(port), 0);
    check_rc("send after close", evtchn_send(port), -EINVAL);
}

/* A send on a connected port cannot fail: one line only if it does. */
static void send_or_fail(const char *what, unsigned round)
{
    long rc = evtchn_send(port);

    if (rc) {
        test_fail("%s %u: send returned %ld", what, round + 1, rc);
        xtf_exit();
    }
}

static void server(unsigned rounds, unsigned die_after)
{
    long p = evtchn_alloc_unbound(peer);

    if (!check_rc("alloc_unbound for the peer: port 1 by convention", p, 1))
        return;
    port = (unsigned)p;
    evtchn_set_handler(port, on_port, NULL);
    for (unsigned r = 0; r < rounds; r++) {
        if (!wait_message()) {
            peer_gone(r);
            return;
        }
        if (die_after && r == die_after)
            die(r);
        send_or_fail("pong", r);
    }
    printf("server: %u rounds, %u wake-ups; waiting for the client to end\n", rounds, wakeups);
    if (wait_message())
        test_fail("a message after the last round");
    else
        peer_gone(rounds);
}

static void client(unsigned rounds, unsigned die_after)
{
    long p = -EINVAL;

    for (unsigned i = 0; i < BIND_TRIES && p == -EINVAL; i++) {
        p = evtchn_bind_interdomain(peer, 1);
        if (p == -EINVAL)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    if (p < 0) {
        test_fail("bind_interdomain to d%u port 1: %ld", peer, p);
        return;
    }
    port = (unsigned)p;
    printf("client: bound port %ld to d%u port 1\n", p, peer);
    /* Xen marks a newly bound port pending ("maybe something was sent"): not a pong. */
    take_pending();
    evtchn_set_handler(port, on_port, NULL);
    for (unsigned r = 0; r < rounds; r++) {
        if (die_after && r == die_after)
            die(r);
        send_or_fail("ping", r);
        if (!wait_message()) {
            peer_gone(r);
            return;
        }
    }
    printf("client: %u rounds, %u wake-ups\n", rounds, wakeups);
}

void pvguest_main(const xen_start_info_t *si)
{
    char role[16] = "", wait[8] = "block";
    unsigned rounds = (unsigned)cmdline_uint("rounds", 100);
    unsigned die_after = (unsigned)cmdline_uint("die-after", 0);

    (void)si;
    traps_init();
    peer = (unsigned)cmdline_uint("peer", 0);
    cmdline_get("role", role, sizeof(role));
    cmdline_get("wait", wait, sizeof(wait));
    use_poll = !strcmp(wait, "poll");
    printf("%s, peer d%u, %u rounds, waiting with %s%s\n", role, peer, rounds,
           use_poll ? "SCHEDOP_poll" : "SCHEDOP_block", die_after ? ", dying midway" : "");
    check_rc("evtchn_init", evtchn_init(), 0);
    if (!strcmp(role, "server"))
        server(rounds, die_after);
    else if (!strcmp(role, "client"))
        client(rounds, die_after);
    else
        test_error("role=server or role=client, please");
    test_pass();
    xtf_exit();
}

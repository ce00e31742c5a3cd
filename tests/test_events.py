"""Event channels: Xen's 2-level ABI, interdomain ping-pong, block and poll, death.

Two guests check event channels from the inside (hypervisor/event/event.c,
event_port.c, hypercalls/evtchn.c, the block and poll of hypercalls/sched.c):

- pvguest/tests/pingpong: two domains play ping-pong over one interdomain
  channel, sleeping in SCHEDOP_block (or SCHEDOP_poll) between messages.
  There is no xenstore, so the server's first alloc_unbound is port 1 by
  convention and the client binds to it. With die-after=K one side stops
  after K rounds, and the other, asleep at that moment, must wake and report
  its port unbound instead of hanging: a killed peer leaves a closed
  channel, never a hang.
- pvguest/tests/evtchn: every EVTCHNOP command, positive and negative, with
  Xen's error codes (a partner domain makes "foreign domain" real), the
  2-level mask and upcall rules, 1023 ports then -ENOSPC (XSA-317's shape),
  the absent FIFO ABI, and sched_op's block and poll.
- pvguest/tests/fifo: the FIFO commands check their arguments as Xen's do,
  in Xen's order and with its errors (XSA-188's class), before answering
  -ENOSYS; booted beside a victim, whose frame it also tries.

Every boot here ends with the leak check: a domain's port table goes back
to the allocator when it dies.
"""

from harness import guest, NO_LEAK, MISMATCH

ROUNDS = 100


def passes(b, d):
    """Domain d ran every check and all matched."""
    b.forbid(MISMATCH)
    b.forbid(r"^\(d%d\) fail: " % d)
    b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)


def pingpong(role, peer, extra=""):
    return guest("pingpong", "-- role=%s peer=%d rounds=%d %s" % (role, peer, ROUNDS, extra))


def survivor_saw_the_peer_go(b, d, peer, rounds):
    """d woke, found its port unbound (still naming the dead peer), and said so."""
    b.expect(r"^\(d%d\) peer d%d gone after %d rounds: port 1 status 1 \(unbound 1\) remote d%d$"
             % (d, peer, rounds, peer))
    b.expect(r"^\(d%d\) check send on the unbound port \(dropped, as Xen\): got 0 want 0$" % d)
    b.expect(r"^\(d%d\) check send after close: got -22 want -22$" % d)
    b.expect(r"^\(d%d\) check status on the dead domain: got -3 want -3$" % d)


# ---- ping-pong ----------------------------------------------------------

def test_two_domains_play_ping_pong_sleeping_in_sched_block_between_messages(boot):
    b = boot(pingpong("server", 1), pingpong("client", 0))
    b.expect(r"^\(d0\) check alloc_unbound for the peer: port 1 by convention: got 1 want 1$")
    b.expect(r"^\(d1\) client: bound port 1 to d0 port 1$")
    b.expect(r"^\(d0\) server: %d rounds, \d+ wake-ups" % ROUNDS)
    b.expect(r"^\(d1\) client: %d rounds, \d+ wake-ups$" % ROUNDS)
    # The client's end, after its last round, wakes the waiting server too.
    survivor_saw_the_peer_go(b, 0, 1, ROUNDS)
    passes(b, 0)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_ping_pong_also_works_sleeping_in_sched_poll_with_events_masked(boot):
    b = boot(pingpong("server", 1, "wait=poll"), pingpong("client", 0, "wait=poll"))
    b.expect(r"^\(d0\) server, peer d1, %d rounds, waiting with SCHEDOP_poll$" % ROUNDS)
    b.expect(r"^\(d1\) client: %d rounds, \d+ wake-ups$" % ROUNDS)
    passes(b, 0)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_ping_pong_does_not_depend_on_which_domain_runs_first(boot):
    b = boot(pingpong("client", 1), pingpong("server", 0))
    b.expect(r"^\(d0\) client: bound port 1 to d1 port 1$")
    b.expect(r"^\(d0\) client: %d rounds" % ROUNDS)
    passes(b, 0)
    passes(b, 1)
    b.expect_status(0)


# ---- a peer dies mid-conversation -----------------------------------------

def test_a_client_that_powers_off_mid_game_leaves_the_server_an_unbound_port_not_a_hang(boot):
    b = boot(pingpong("server", 1), pingpong("client", 0, "die-after=7"))
    b.expect_in_order([r"^\(d1\) dying after 7 rounds \(poweroff\)$",
                       r"^\(hv\) d1 shutdown: poweroff$",
                       r"^\(d0\) peer d1 gone after 7 rounds"])
    survivor_saw_the_peer_go(b, 0, 1, 7)
    passes(b, 0)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_a_server_halted_mid_game_leaves_the_client_an_unbound_port_not_a_hang(boot):
    b = boot(pingpong("server", 1, "die-after=7 die=cli"), pingpong("client", 0))
    b.expect_in_order([r"^\(d0\) dying after 7 rounds \(cli\)$",
                       r"^\(hv\) d0 halted: privileged instruction 'cli' at 0x[0-9a-f]{8}$",
                       r"^\(d1\) peer d0 gone after 7 rounds"])
    survivor_saw_the_peer_go(b, 1, 0, 7)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(2)          # a domain was halted, as this test intends


def test_a_poller_is_woken_by_its_peers_death_too(boot):
    b = boot(pingpong("server", 1, "wait=poll"), pingpong("client", 0, "wait=poll die-after=3"))
    survivor_saw_the_peer_go(b, 0, 1, 3)
    passes(b, 0)
    b.expect_status(0)


# ---- every command, and its errors ----------------------------------------

def both_pass(b):
    """d0 and d1 ran every check and all matched; nothing halted or leaked."""
    passes(b, 0)
    passes(b, 1)
    b.forbid(r"halted")
    b.expect(NO_LEAK)
    b.expect_status(0)
    return b


def expect_checks(b, d, checks):
    """Each (what, rc): domain d printed "check <what>: got rc want rc"."""
    for what, rc in checks:
        b.expect(r"^\(d%d\) check %s: got %d want %d$" % (d, what, rc, rc))


def evtchn_run(boot):
    """One evtchn tester (d0) and its partner (d1), booted once for every test
    below that reads it (harness.boot's share=True)."""
    return both_pass(boot(guest("evtchn", "-- peer=1"), guest("evtchn", "-- role=partner peer=0"),
                          share=True))


def test_every_event_channel_command_works_and_refuses_bad_arguments_with_xens_errors(boot):
    b = evtchn_run(boot)
    expect_checks(b, 0, [("alloc_unbound in the peer", -1), ("alloc_unbound in no domain", -3),
                         ("status in the peer", -1), ("reset of the peer", -1),
                         ("bind_interdomain to no domain", -3),
                         ("bind to the partner's own port 1", -22),
                         ("bind to port 0xffffffff", -22),
                         ("bind_virq TIMER again", -17), ("bind_virq TIMER on vCPU 1", -2),
                         ("bind_virq CONSOLE \\(global\\) on vCPU 1", -22),
                         ("send on a VIRQ port", -22), ("close port 0", -22),
                         ("close port 4294967295", -22), ("status of port 1024", -22),
                         ("unmask port 1024", -22), ("bind_pirq \\(no physical IRQs here\\)", -1),
                         ("command 6, record in the hypervisor hole", -14),
                         ("compat, record in the hole", -14)])


def test_the_fifo_abi_is_absent_so_guests_fall_back_to_2_level(boot):
    b = evtchn_run(boot)
    for op in ("init_control", "expand_array", "set_priority"):
        b.expect(r"^\(d0\) check FIFO %s: got -38 want -38$" % op)


def fifo_run(boot):
    """victim (d0) beside the FIFO tester (d1), booted once (share=True)."""
    return both_pass(boot(guest("victim"), guest("fifo"), share=True))


def test_init_control_checks_vcpu_then_offset_then_frame_as_xen_then_says_enosys(boot):
    b = fifo_run(boot)
    expect_checks(b, 1, [("init_control, record in the hypervisor hole", -14),
                         ("init_control, our frame, offset 0, vCPU 0", -38),
                         ("init_control, offset 4024 \\(the last that fits\\)", -38),
                         ("\\.\\.\\. its link_bits stays unwritten", 0),
                         ("init_control, vCPU 1", -2),
                         ("init_control, all three bad: the vCPU is checked first", -2),
                         ("init_control, offset 4032 \\(runs off the page\\)", -22),
                         ("init_control, offset 0xfffffff8", -22),
                         ("init_control, offset 4 \\(not 8-byte aligned\\)", -22),
                         ("init_control, the hypervisor's frame 0x100", -22),
                         ("init_control, another domain's frame", -22),
                         ("init_control, frame 0x7fffffff \\(beyond RAM\\)", -22),
                         ("init_control, our frame plus bit 32", -22),
                         ("init_control, our L3 \\(a page table\\)", -22)])
    b.expect(r"^\(d0\) victim: 300 yields, memory unchanged: yes$")


def test_a_bad_control_frame_leaves_nothing_behind_for_the_next_call_xsa_188(boot):
    b = fifo_run(boot)
    b.expect_in_order([r"^\(d1\) check XSA-188: init_control, frame ~0: got -22 want -22$",
                       r"^\(d1\) check XSA-188: \.\.\. again: got -22 want -22$",
                       r"^\(d1\) check XSA-188: \.\.\. then expand_array: got -38 want -38$",
                       r"^\(d1\) check XSA-188: \.\.\. then a good init_control: got -38 want -38$"])
    b.expect_in_order([r"^\(d1\) check init_control, a spare frame: got -38 want -38$",
                       r"^\(d1\) check init_control, that pinned L1: got -22 want -22$",
                       r"^\(d1\) check \.\.\. and pin it again: nothing kept it writable: got 0 want 0$"])


def test_set_priority_refuses_ports_past_2_level_and_expand_array_bad_records(boot):
    b = fifo_run(boot)
    expect_checks(b, 1, [("set_priority, port 1", -38), ("set_priority, port 1024", -22),
                         ("set_priority, port 0xffffffff", -22),
                         ("set_priority, record in the hole", -14),
                         ("expand_array, frame ~0 \\(nothing is checked first\\)", -38),
                         ("expand_array, record in the hole", -14),
                         ("2-level: \\.\\.\\. the other end pends", 1)])


def test_1023_ports_fit_then_every_bind_is_enospc_and_all_close_again(boot):
    b = evtchn_run(boot)
    b.expect(r"^\(d0\) allocated 1022 ports from port 2 until rc -28$")   # port 1 was in use
    for what in ("bind_ipi", "bind_virq", "bind_interdomain"):
        b.expect(r"^\(d0\) check %s when full: got -28 want -28$" % what)
    b.expect(r"^\(d0\) check closed every one of them: got 1022 want 1022$")


def test_masked_ports_pend_quietly_and_unmask_raises_the_upcall(boot):
    b = evtchn_run(boot)
    b.expect_in_order([r"^\(d0\) check send on a masked port: got 0 want 0$",
                       r"^\(d0\) check \.\.\. no upcall: got 0 want 0$",
                       r"^\(d0\) check EVTCHNOP_unmask; its return delivers the upcall: got 0 want 0$",
                       r"^\(d0\) check \.\.\. one more callback: got 2 want 2$"])


def test_block_and_poll_wake_on_an_event_and_never_miss_one_already_pending(boot):
    b = evtchn_run(boot)
    b.expect(r"^\(d0\) check send; the echo wakes SCHEDOP_poll \(events masked\): got 1 want 1$")
    b.expect(r"^\(d0\) check send; the echo wakes SCHEDOP_block: got 1 want 1$")
    b.expect(r"^\(d0\) check block with an upcall already pending returns at once: got 0 want 0$")
    b.expect(r"^\(d0\) check poll on a pending \(masked\) port returns at once: got 0 want 0$")
    b.expect(r"^\(d0\) check poll 129 ports: got -22 want -22$")
    b.expect(r"^\(d0\) check SCHEDOP_shutdown_code: got -1 want -1$")
    b.expect(r"^\(d0\) check remote_shutdown of the peer: got -1 want -1$")


def test_a_partner_blocked_on_its_port_is_woken_when_the_tester_dies(boot):
    b = evtchn_run(boot)
    b.expect_in_order([r"^\(hv\) d0 shutdown: poweroff$",
                       r"^\(d1\) partner: \d+ echoes; the tester is gone$",
                       r"^\(d1\) check port 2 is unbound again: got 1 want 1$"])

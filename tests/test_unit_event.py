"""The event-channel port table's pure C rules, built and run on the host.

tests/unit/test_event.c links hypervisor/event/event_port.c, the state machine
of Xen's event channels: which port a new channel gets, who may bind to an
unbound port, what closing one end does to the other, where a send goes and
what status says. The test program supplies a world of three domains'
tables in place of the hypervisor's. It is built and run by
tests/unit_build.py, as every host unit program is (natively and with
-m32, with the sanitizers where the host has them); each test below runs
one named group of checks and shows its FAIL lines.
"""
import unit_build

PROGRAMS = {
    "event": (["tests/unit/test_event.c", "hypervisor/event/event_port.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


# --- hypervisor/event/event_port.c: ports and their states --------------------------

def test_event_ports_are_handed_out_lowest_first_from_port_1(unit):
    unit("event", "ports_are_lowest_first_from_1")


def test_event_table_holds_1023_ports_then_says_enospc_and_empties_again(unit):
    unit("event", "exhaustion_is_enospc_at_1023_ports")


def test_event_only_the_named_peer_may_bind_an_unbound_port(unit):
    unit("event", "only_the_named_peer_binds_an_unbound_port")


def test_event_closing_one_end_puts_the_other_back_to_unbound(unit):
    unit("event", "closing_one_end_leaves_the_other_unbound")


def test_event_a_virq_binds_once_and_only_on_vcpu_0(unit):
    unit("event", "virqs_bind_once_on_vcpu_0")


def test_event_send_reaches_the_peer_or_ourselves_and_drops_on_unbound(unit):
    unit("event", "sends_go_to_the_peer_or_to_ourselves")


def test_event_status_reports_each_state_like_xen(unit):
    unit("event", "status_reports_each_state")


def test_event_bind_vcpu_accepts_vcpu_0_and_refuses_what_xen_refuses(unit):
    unit("event", "bind_vcpu_accepts_only_vcpu_0_and_movable_ports")


def test_event_ports_of_a_two_vcpu_domain_notify_the_vcpu_they_are_bound_to(unit):
    unit("event", "ports_notify_the_vcpu_they_are_bound_to")

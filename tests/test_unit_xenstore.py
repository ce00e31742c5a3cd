"""The xenstored core's rules, built and run on the host.

tests/unit/test_xs_store.c links the xenstore daemon's core
(pvguest/xenstored/: the node tree, permissions, watches, transactions,
quotas, message parsing, the pump between a ring and a connection) and the
ring helpers of pvguest/lib/xs_ring.c.
It speaks the wire protocol to a store with a privileged toolstack
connection and two introduced domains, as the xenstored service domain
does, but with no hypervisor: every check below sees the bytes a guest
would get back on its ring. Built and run by tests/unit_build.py.
"""
import unit_build

CORE = ["pvguest/xenstored/arena.c", "pvguest/xenstored/tree.c", "pvguest/xenstored/store.c",
        "pvguest/xenstored/watch.c", "pvguest/xenstored/ops.c", "pvguest/xenstored/session.c",
        "pvguest/xenstored/pump.c",
        "pvguest/lib/xs_ring.c"]
PROGRAMS = {"xs_store": (["tests/unit/test_xs_store.c"] + CORE, [])}
unit = unit_build.fixture(PROGRAMS)


def test_xenstore_read_write_mkdir_rm_and_directory_behave_as_xen(unit):
    unit("xs_store", "read_write_mkdir_rm_directory")


def test_xenstore_permissions_owner_entries_and_toolstack_as_xen(unit):
    unit("xs_store", "permissions_follow_xen")


def test_xenstore_only_the_toolstack_introduces_and_releases(unit):
    unit("xs_store", "introduce_and_release")


def test_xenstore_watches_fire_only_to_connections_that_may_read(unit):
    unit("xs_store", "watches_fire_to_readers")


def test_xenstore_transactions_commit_or_fail_with_eagain(unit):
    unit("xs_store", "transactions_commit_or_eagain")


def test_xenstore_quotas_refuse_with_xens_error_names(unit):
    unit("xs_store", "quotas_refuse_with_xens_errors")


def test_xenstore_unread_replies_stop_a_connection_not_the_daemon(unit):
    unit("xs_store", "outstanding_replies_stop_reading")


def test_xenstore_memory_is_one_fixed_arena_and_comes_back(unit):
    unit("xs_store", "arena_is_fixed_and_given_back")


def test_xenstore_malformed_messages_get_einval_or_drop_the_connection(unit):
    unit("xs_store", "malformed_messages_get_einval_or_drop")


def test_xenstore_ring_survives_hostile_indexes_and_wraps(unit):
    unit("xs_store", "ring_survives_hostile_indexes")


def test_xenstore_debug_dump_lists_path_value_and_perms_in_preorder_bounded(unit):
    unit("xs_store", "debug_dump_lists_nodes_bounded")


def test_xenstore_pump_assembles_across_the_wrap_and_drops_only_a_bad_ring(unit):
    unit("xs_store", "pump_assembles_across_the_wrap_and_drops_only_a_bad_ring")


def test_xenstore_every_group_is_run():
    unit_build.every_group_is_run(PROGRAMS, "xs_store", __file__)

"""The blkif protocol rules blkback and blkfront share, built and run on the host.

tests/unit/test_blkif.c links pvguest/lib/blkif_proto.c: the ring index
arithmetic (a req_prod far past the ring, going backwards, wrapping at
2^32), the copy of a request out of the shared page, and the request
checks that answer BLKIF_RSP_ERROR (no or too many segments, sectors
outside a page or past the end of the disk, without overflow) or
BLKIF_RSP_EOPNOTSUPP. Built and run by tests/unit_build.py.
"""
import unit_build

PROGRAMS = {"blkif": (["tests/unit/test_blkif.c", "pvguest/lib/blkif_proto.c"], [])}
unit = unit_build.fixture(PROGRAMS)


def test_blkif_backend_counts_requests_and_refuses_an_impossible_req_prod(unit):
    unit("blkif", "back_pending_counts_and_refuses_overflow")


def test_blkif_frontend_counts_responses_and_free_slots(unit):
    unit("blkif", "front_pending_and_free")


def test_blkif_good_requests_give_their_plan(unit):
    unit("blkif", "good_requests_give_their_plan")


def test_blkif_bad_requests_get_error_or_eopnotsupp(unit):
    unit("blkif", "bad_requests_get_error")


def test_blkif_a_request_is_copied_from_its_masked_slot(unit):
    unit("blkif", "copy_takes_the_masked_slot")


def test_blkif_every_group_is_run():
    unit_build.every_group_is_run(PROGRAMS, "blkif", __file__)

"""The split block device end to end: blkfront guests, the blkback service domain.

pvguest/blkback/ (dom.service=blkback) serves a RAM disk over Xen's blkif
protocol; pvguest/lib/blkfront.c is the guest side. Each boot here has
the frontends first, then blkback, then xenstored (domids in that order),
and every frontend is booted with dom.disk=1: the toolstack (the hypervisor)
writes both halves of its vbd's xenstore nodes before it runs, as Xen's xl
does, and the two drivers then follow Xen's handshake
(Initialising -> InitWait -> Initialised -> Connected; docs/sharing.md).
blkback's disk is 256 KiB of zeroes, or the module after its own when its
line says dom.ramdisk=1 (loaded like Xen's initrd: start_info.mod_start).
pvguest/tests/blk-rw writes its whole disk, reads it back and checks the
checksum, and with reopen=1 closes the disk and opens it again (a second
life of its vbd, as a kernel that GRUB booted from the disk has); pvguest/tests/blk-hostile sends every malformed request it can
and then scribbles the ring's indexes, or dies with a full ring in flight.
The shell demo's disk command (pvguest/tests/shell, with dom.disk=1) writes
and reads a sector through the same path.
The protocol's checks themselves are host-tested in tests/test_unit_blkif.py.
"""
import pytest

from harness import ROOT, MISMATCH, guest, passes, NO_LEAK

BLKBACK = "build/pvguest/blkback.elf dom.service=blkback"
XENSTORED = "build/pvguest/xenstored.elf dom.service=xenstore"


def need_blkback():
    policy = ROOT / "hypervisor" / "domain" / "policy.h"
    if '"blkback"' not in policy.read_text():
        pytest.skip("the hypervisor has no dom.service=blkback yet (it comes with the rings merge)")


def blk_boot(boot, *frontends, image=None):
    """Boot frontends (d0..), blkback (with image as its ramdisk module) and
    xenstored; skip while the hypervisor has no blkback service."""
    need_blkback()
    backend = [BLKBACK + " dom.ramdisk=1", str(image)] if image else [BLKBACK]
    return boot(*frontends, *backend, XENSTORED, timeout=180)


def frontend(name, args=""):
    """A blkfront guest with a disk: dom.disk=1 has the toolstack write its vbd's nodes."""
    return guest(name, ("dom.disk=1 -- %s" % args).strip())


def connected(b, be, fe):
    b.expect_in_order([r"^\(d%d\) blkback: d%d vbd 51712: frontend found, slot \d, state InitWait$"
                       % (be, fe),
                       r"^\(d%d\) blkback: d%d vbd 51712: connected: ring-ref \d+, port \d+, "
                       r"128 sectors$" % (be, fe)])


def test_blk_two_frontends_write_read_back_and_checksum_their_own_disks(boot):
    """d0 also closes its disk and opens it again (reopen=1): the backend
    goes Closing, Closed, and back to InitWait when d0 says Initialising
    again, as Xen's does; the second life reads back what the first wrote."""
    b = blk_boot(boot, frontend("blk-rw", "seed=3 reopen=1"), frontend("blk-rw", "seed=9"))
    for d in (0, 1):
        passes(b, d)
        connected(b, 2, d)
        b.expect(r"^\(d%d\) check checksum after writing: got (0x\w+) want \1$" % d)
        b.expect(r"^\(d%d\) check sectors differing after writing: got 0 want 0$" % d)
        b.expect(r"^\(d%d\) check flush status: got 0 want 0$" % d)
        b.expect(r"^\(d%d\) check disconnect: got 0 want 0$" % d)
        b.expect(r"^\(d2\) blkback: d%d vbd 51712: disconnected: frontend closing "
                 r"\(\d+ requests served, 0 refused\)$" % d)
    # Different seeds, different disks: the two checksums differ.
    sums = [b.expect(r"^\(d%d\) blk-rw: wrote 128 sectors, checksum (0x\w+)$" % d).group(1)
            for d in (0, 1)]
    assert sums[0] != sums[1], "the two frontends wrote the same bytes: %s" % sums
    slot = b.expect(r"^\(d2\) blkback: d0 vbd 51712: frontend found, slot (\d), ").group(1)
    b.expect_in_order([r"^\(d0\) check disconnect: got 0 want 0$",
                       r"^\(d2\) blkback: d0 vbd 51712: frontend back, slot %s, state InitWait$" % slot,
                       r"^\(d2\) blkback: d0 vbd 51712: connected: ring-ref \d+, port \d+, "
                       r"128 sectors$",
                       r"^\(d0\) check connect again: got 0 want 0$",
                       r"^\(d0\) check checksum after reopening: got %s want %s$" % (sums[0], sums[0]),
                       r"^\(d0\) check sectors differing after reopening: got 0 want 0$",
                       r"^\(d2\) blkback: d0 vbd 51712: disconnected: frontend closing "
                       r"\(2 requests served, 0 refused\)$",   # 128 sectors read, 88 a request
                       r"^\(d0\) check disconnect again: got 0 want 0$"])
    b.forbid(r"^\(d2\) blkback: d1 vbd 51712: frontend back")
    b.forbid(r"^\(d2\) blkback: .*(: request |corrupt|gone|[1-9]\d* refused)")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_blk_a_hostile_frontend_gets_errors_and_the_good_ones_data_stays_intact(boot):
    b = blk_boot(boot, frontend("blk-rw", "seed=3 wait=1"), frontend("blk-hostile", "tell=0"))
    passes(b, 0)
    passes(b, 1)
    for what in ("grant ref past our table", "grant ref never granted", "second segment's grant bad",
                 "sector past the end", "last sector and 7 more", "sector wrapping 2\\^64",
                 "0 segments", "12 segments", "255 segments", "last_sect before first_sect",
                 "a ninth sector in a page"):
        b.expect(r"^\(d1\) check %s: got -1 want -1$" % what)
    b.expect(r"^\(d1\) check discard: got -2 want -2$")
    b.expect(r"^\(d1\) check a good write between them: got 0 want 0$")
    b.expect(r"^\(d1\) check errors among them: got 32 want 32$")
    b.expect(r"^\(d2\) blkback: d1 vbd 51712: request \d+ segment 0: grant 100000: copy status -\d+$")
    b.expect(r"^\(d2\) blkback: d1 vbd 51712: request \d+ \(op 1, 12 segments, sector 0\): "
             r"too many segments$")
    b.expect_in_order([r"^\(d1\) blk-hostile: req_prod set 1000 past the ring$",
                       r"^\(d2\) blkback: d1 vbd 51712: ring indexes corrupt ",
                       r"^\(d2\) blkback: d1 vbd 51712: disconnected: corrupt ring",
                       r"^\(d1\) check backend state after the scribble: got 5 want 5$",
                       r"^\(d1\) blk-hostile: told d0$",
                       r"^\(d0\) check d1 said it is done: got 1 want 1$",
                       r"^\(d0\) check checksum after the hostile guest: got (0x\w+) want \1$",
                       r"^\(d0\) check sectors differing after the hostile guest: got 0 want 0$"])
    b.expect(r"^\(d2\) blkback: d0 vbd 51712: disconnected: frontend closing "
             r"\(\d+ requests served, 0 refused\)$")
    # The dropped ring's frontend closes it and starts a new life, served again.
    b.expect_in_order([r"^\(d1\) check disconnect after the scribble: got 0 want 0$",
                       r"^\(d2\) blkback: d1 vbd 51712: frontend back, slot \d, state InitWait$",
                       r"^\(d2\) blkback: d1 vbd 51712: connected: ",
                       r"^\(d1\) check connect after the scribble: got 0 want 0$",
                       r"^\(d1\) check the sector read back: got 1 want 1$",
                       r"^\(d2\) blkback: d1 vbd 51712: disconnected: frontend closing "
                       r"\(2 requests served, 0 refused\)$",
                       r"^\(d1\) check disconnect of the new life: got 0 want 0$"])
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_blk_a_frontend_that_dies_with_a_full_ring_is_cleaned_up(boot):
    b = blk_boot(boot, frontend("blk-rw", "seed=5"), frontend("blk-hostile", "die=1"))
    # passes() would forbid "halted", which the power-off line says for the crash.
    b.forbid(MISMATCH)
    b.expect(r"^\(d0\) \d+ checks, 0 failed$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(r"^\(hv\) d\d+ halted")
    b.expect_in_order([r"^\(d1\) blk-hostile: dying with 32 requests in flight$",
                       r"^\(hv\) d1 shutdown: crash$",
                       r"^\(d2\) blkback: d1 vbd 51712: disconnected: frontend gone "])
    b.expect(r"^\(d0\) check sectors differing after writing: got 0 want 0$")
    b.expect(NO_LEAK)
    b.expect_status(2)                  # a domain crashed: the run says so


def test_blk_the_disk_image_comes_from_the_module_after_blkback(boot, tmp_path):
    image = bytearray(512 * 1024)               # 4 slots of 256 sectors
    for slot in range(4):
        text = b"ringone-disk-image-slot-%d" % slot
        at = slot * len(image) // 4
        image[at:at + len(text)] = text
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(image))
    b = blk_boot(boot, frontend("blk-rw", "seed=4 expect=ringone-disk-image-slot-0"),
                 image=path)
    passes(b, 0)
    b.expect(r"^\(hv\) d1: ramdisk 512 KiB at 0x[0-9a-f]+$")
    b.expect(r"^\(d1\) blkback: d1 serves a RAM disk from the ramdisk module: 4 slots of 256 sectors")
    b.expect(r"^\(d0\) check sector 0 as booted: got ringone-disk-image-slot-0 "
             r"want ringone-disk-image-slot-0$")
    b.expect(r"^\(d0\) check backend's sectors \(256\) > 0: got 1 want 1$")
    b.expect(r"^\(hv\) d2: xenstored \(service\)$")   # the image module is no domain
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_blk_the_shell_demo_disk_command_writes_and_reads_a_sector(boot):
    typed = ["disk\\r", "shell ready",
             "disk write 3 hello ringone\\r", "sectors of 512",
             "disk read 3\\r", "disk write 3",
             "exit\\r", "disk read 3"]
    extra = []
    for text, cue in zip(typed[::2], typed[1::2]):
        extra += ["--input", text, "--input-after", cue]
    need_blkback()
    b = boot(guest("shell", "dom.disk=1 -- user=alice spin=0"), BLKBACK, XENSTORED,
             extra=extra, timeout=180)
    b.expect_in_order([r"^\(d0\) disk: 128 sectors of 512 bytes$",
                       r"^\(d0\) disk write 3: ok$",
                       r"^\(d0\) disk read 3: hello ringone$",
                       r"^\(d0\) Test result: SUCCESS$"])
    b.expect(r"^\(d1\) blkback: d0 vbd 51712: connected: ")
    b.expect(NO_LEAK)
    b.expect_status(0)


CTRL_A3 = r"\x01\x01\x01"            # as written to tools/run --input


def test_blk_the_toolstack_writes_both_halves_of_the_vbd_with_xens_nodes_and_perms(boot):
    # d0 (echo, dom.disk=1) never starts a frontend: what the store holds
    # for its disk is the toolstack's (the hypervisor's) work, before d0
    # runs, plus blkback's InitWait. xenstored (d2) dumps it on debug key d.
    need_blkback()
    b = boot(guest("echo", "dom.disk=1"), BLKBACK, XENSTORED, timeout=180,
             extra=["--input", CTRL_A3 * 3 + "d",
                    "--input-after", r"^\(d1\) blkback: d0 vbd 51712: frontend found",
                    "--input", CTRL_A3 + r"quit\n",
                    "--input-after", r"^\(d2\) xenstored: end of dump"])
    fe, be = "/local/domain/0/device/vbd/51712", "/local/domain/1/backend/vbd/0/51712"
    node = r'^\(d2\) xenstored:   %s = "%s" \(%s\)$'
    b.expect_in_order([node % (fe, "", "n0,r1"),
                       node % (fe + "/backend", be, "n0,r1"),
                       node % (fe + "/backend-id", "1", "n0,r1"),
                       node % (fe + "/virtual-device", "51712", "n0,r1"),
                       node % (fe + "/device-type", "disk", "n0,r1"),
                       node % (fe + "/state", "1", "n0,r1"),
                       node % ("/local/domain/1/backend", "", "n1"),
                       node % (be, "", "n1,r0"),
                       node % (be + "/frontend", fe, "n1,r0"),
                       node % (be + "/frontend-id", "0", "n1,r0"),
                       node % (be + "/dev", "xvda", "n1,r0"),
                       node % (be + "/mode", "w", "n1,r0"),
                       node % (be + "/online", "1", "n1,r0"),
                       node % (be + "/state", "2", "n1,r0"),      # blkback's InitWait
                       r"^\(d2\) xenstored: end of dump, \d+ nodes$"])
    b.forbid(r"^\(d2\) xenstored:   \.\.\. and \d+ more nodes$")
    b.forbid(r"^\(hv\) xenstored: XS_")                     # no request of the toolstack refused
    b.expect(r"^\(d0\) echo: quit$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_blk_a_frontend_that_ends_before_connecting_loses_its_vbd_as_xl_removes_its_nodes(boot):
    # d0 (echo, dom.disk=1) ends while its vbd waits in InitWait: no ring,
    # no port, nothing blkback could see die. The toolstack removes
    # /local/domain/0, as xl does at a domain's end, and blkback's watch on
    # the frontend's node frees the slot. d1 (echo) keeps the machine up
    # and ends only when that line has come (input moves on from the ended
    # d0 to d1), so the order holds by construction: without the removal,
    # the run waits out its timeout.
    need_blkback()
    b = boot(guest("echo", "dom.disk=1"), guest("echo"), BLKBACK, XENSTORED, timeout=180,
             extra=["--input", r"quit\n",
                    "--input-after", r"^\(d2\) blkback: d0 vbd 51712: frontend found",
                    "--input", r"quit\n",
                    "--input-after", r"^\(d2\) blkback: d0 vbd 51712: frontend's nodes removed"])
    b.expect_in_order([r"^\(d2\) blkback: d0 vbd 51712: frontend found, slot (\d), state InitWait$",
                       r"^\(d0\) echo: quit$",
                       r"^\(hv\) d0 shutdown: poweroff$",
                       r"^\(d2\) blkback: d0 vbd 51712: frontend's nodes removed, slot 0 free$",
                       r"^\(hv\) console input: d0 has ended$",
                       r"^\(d1\) echo: quit$"])
    b.forbid(r"^\(hv\) xenstored: XS_")                     # the toolstack's XS_RM was not refused
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_blk_a_disk_without_a_blkback_service_is_refused_with_a_warning(boot):
    b = boot(guest("blk-rw", "dom.disk=1"), XENSTORED, timeout=180)
    b.expect(r"^\(hv\) warning: d0: dom.disk=1 but no blkback service: no disk$")
    b.expect(r"^\(d0\) blkfront: no device/vbd \(the domain needs dom.disk=1\): ")
    b.expect(NO_LEAK)

"""vcpu_op (hypercall 24) for vCPU 0, as Xen answers a 32-bit PV guest.

pvguest/tests/vcpuop checks the vCPU numbers, the runstate account and its
registered area, and the two timers, each with its hostile arguments;
pvguest/tests/vcpuinfo moves vcpu_info out of shared_info and shows every
reader in the hypervisor following it. Each guest prints one "check" line
per fact; a test here boots it and reads the rules it states.
"""

from harness import guest, NO_LEAK, MISMATCH


def succeeded(b, *domains):
    for d in domains:
        b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(MISMATCH)
    b.forbid(r"halted|PANIC")
    b.expect(NO_LEAK)
    b.expect_status(0)


def check(d, rule):
    return r"^\(d%d\) check %s$" % (d, rule)


def test_vcpu_0_is_up_and_any_other_vcpu_number_is_enoent_as_in_a_one_vcpu_xen_domain(boot):
    b = boot(guest("vcpuop"))
    for rule in [r"is_up vCPU 0: got 1 want 1",
                 r"is_up vCPU 1: got -2 want -2",                           # -ENOENT
                 r"get_runstate_info vCPU 4294967295: got -2 want -2",
                 r"command 99 for vCPU 255: got -2 want -2",
                 r"command 99 for vCPU 0: got -38 want -38",                # -ENOSYS
                 r"get_physid: got -22 want -22"]:                          # -EINVAL
        b.expect(check(0, rule))
    succeeded(b, 0)


def test_the_runstate_adds_up_running_blocked_and_runnable_time_from_the_scheduler(boot):
    b = boot(guest("vcpuop", "peer=1"), guest("vcpuop", "spin_ms=2000"))
    b.expect_in_order([check(0, r"runstate state: got 0 want 0"),          # RUNSTATE_running
                       check(0, r"the times add up to no more than the clock: got 1 want 1"),
                       check(0, r"a 20 ms sleep adds at least 5 ms blocked .*: got 1 want 1"),
                       check(0, r"a yield to a spinning domain adds runnable time: got 1 want 1")])
    b.expect(check(0, r"get_runstate_info across the hole: got -14 want -14"))
    b.expect(check(0, r"get_runstate_info to our read-only page table: got -14 want -14"))
    b.expect(r"^\(d1\) Test result: SUCCESS$")            # the spinner
    succeeded(b, 0)


def test_a_registered_runstate_area_is_rewritten_at_each_switch_and_bad_ones_are_efault(boot):
    b = boot(guest("vcpuop"))
    for rule in [r"an area in the hole: got -14 want -14",
                 r"an area across the hole: got -14 want -14",
                 r"an area at 0xffffffc0: got -14 want -14"]:
        b.expect(check(0, rule))
    b.expect_in_order([check(0, r"an unmapped area below the hole: got 0 want 0"),
                       check(0, r"a read-only area \(our page table\): got 0 want 0"),
                       check(0, r"still running after the hypervisor failed to write both: got 1 want 1"),
                       check(0, r"the area says running at once: got 0 want 0"),
                       check(0, r"the area was rewritten when we were scheduled again: got 1 want 1"),
                       check(0, r"and counts the sleep as blocked: got 1 want 1"),
                       check(0, r"after registering 0 the old area is left alone: got (\d+) want \1")])
    succeeded(b, 0)


def test_the_periodic_timer_needs_1_ms_and_the_single_shot_one_refuses_the_past_with_etime(boot):
    b = boot(guest("vcpuop"))
    for rule in [r"set_periodic_timer 999999 ns: got -22 want -22",
                 r"set_periodic_timer 2\^62 ns: got -22 want -22",
                 r"set_periodic_timer 2\^62 - 1 ns: got 0 want 0",
                 r"a 1 ms period fires again and again \(11 events within a second\): got 1 want 1",
                 r"no timer events after stop_periodic_timer: got 0 want 0",
                 r"a past deadline with VCPU_SSHOTTMR_future: got -62 want -62",   # -ETIME
                 r"a past deadline without the flag: got 0 want 0",
                 r"fires at once: got 1 want 1",
                 r"and not before its time: got 1 want 1",
                 r"a stopped timer never fires: got 0 want 0",
                 r"set_singleshot_timer with a NULL argument: got -14 want -14"]:
        b.expect(check(0, rule))
    succeeded(b, 0)


def test_register_vcpu_info_refuses_with_xens_errors_and_moves_it_once(boot):
    b = boot(guest("vcpuinfo"))
    for rule in [r"a NULL argument: got -14 want -14",
                 r"offset 4096: got -22 want -22",
                 r"frame 2\^52: got -22 want -22",
                 r"offset 4036: 64 bytes across the page end: got -6 want -6",     # -ENXIO
                 r"offset 2: not 4-aligned: got -6 want -6",
                 r"frame 0, not ours: got -22 want -22",
                 r"our L3 page table: got -13 want -13",                           # -EACCES
                 r"move vcpu_info to the last 64 bytes of a frame of ours: got 0 want 0",
                 r"every event selector set: got 0xffffffff want 0xffffffff",
                 r"a second move, offset 4096: got -22 want -22",
                 r"a second move: got -16 want -16"]:                              # -EBUSY
        b.expect(check(0, rule))
    succeeded(b, 0)


def test_once_vcpu_info_moved_every_hypervisor_reader_follows_it_and_shared_info_is_left(boot):
    b = boot(guest("vcpuinfo"))
    for rule in [r"time.version advanced in the new place: got 1 want 1",
                 r"an event raised while masked: upcall pending in the new place: got 1 want 1",
                 r"delivered once unmasked: got 1 want 1",
                 r"a #PF's cr2 in the new place: got (0x[0-9a-f]+) want \1",
                 r"the #PF frame's saved mask is ours: got 1 want 1",
                 r"sti clears the mask in the new place: got 0 want 0",
                 r"cli sets it: got 1 want 1",
                 r"shared_info's slot was never written: got 0 want 0",
                 r"pinning it as an L1: busy being writable \(Xen: -EINVAL\): got -22 want -22",
                 r"decrease_reservation takes it out of our memory, as Xen: got 1 want 1",
                 r"\.\.\. vcpu_info's reference keeps it: not ours to map again: got -16 want -16"]:
        b.expect(check(0, rule))
    succeeded(b, 0)


def test_a_domain_that_dies_with_vcpu_info_moved_gives_every_frame_back(boot):
    b = boot(guest("vcpuinfo", "halt=1"), guest("hello"))
    b.expect_in_order([r"^\(d0\) executing hlt with vcpu_info moved$",
                       r"^\(hv\) d0 halted: privileged instruction 'hlt' at 0x[0-9a-f]+$"])
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(2)

"""Untrappable instructions left untrapped: misuse hurts only the guest that ran it.

Some sensitive x86 instructions do not fault in ring 1 or 3, and nothing
here makes them: pushf, popf, the iret instruction, lar, lsl, verr, verw,
moves and pushes of segment registers, far call/jmp/ret, int n, sysenter,
syscall, and rdtsc under the default dom.tsc=native. They are harmless by
design (docs/untrappable.md): what they reveal is the guest's own, what
they change is dropped or is the guest's own, and every transfer obeys
descriptors the hypervisor checked. The guest pvguest/tests/harmless runs
each of them in ring 1, and several in ring 3, and prints what it saw as
check lines, while a victim domain beside it patterns its memory and checks
it afterwards. The tests below read one QEMU boot of the pair, each for
its own rule; one boot on Bochs, which gets segment semantics right, runs
the same guest again. Nothing here depends on timing: the clock checks
have bounds of seconds.
"""

import pytest

import harness
from harness import guest, passes, NO_LEAK


@pytest.fixture(scope="module")
def pair(built):
    """harmless and victim side by side on QEMU, booted once for this file."""
    return harness.boot(guest("harmless"), guest("victim"), timeout=90,
                        hv_args="guest_loglvl=all")   # every refusal line is evidence


@pytest.fixture
def b(pair):
    """The shared boot, recorded for this test so a failure saves its console."""
    harness.current_boots.append(pair)
    return pair


def check(b, what):
    """d0's check line that starts with `what` (a regex), and whose got equals its want."""
    return b.expect(r"^\(d0\) check (?=.*: got (.*) want \1$)%s" % what)


# ---- pushf, popf, iret: the real IF and IOPL are the hypervisor's ----------

def test_popf_and_iret_cannot_change_the_real_if_or_iopl_or_the_virtual_if(b):
    check(b, r"pushf, events masked: IF=1, IOPL=0: got 0x00000200")
    check(b, r"pushf, events unmasked: IF=1, IOPL=0: got 0x00000200")
    check(b, r"ring 3 pushf: IF=1, IOPL=0: got 0x00000200")
    check(b, r"popf IOPL=3 IF=0, then pushf: IF=1, IOPL=0: got 0x00000200")
    check(b, r"popf IF=0 leaves the virtual IF \(upcall mask 0\)")
    check(b, r"popf IF=1 leaves the virtual IF \(upcall mask 1\)")
    check(b, r"ring 3 popf IOPL=3 IF=0, then pushf: IF=1, IOPL=0: got 0x00000200")
    check(b, r"iret IOPL=3 IF=0, then pushf: IF=1, IOPL=0: got 0x00000200")
    check(b, r"iret IF=0 leaves the virtual IF \(upcall mask 0\)")
    check(b, r"iret IF=1 leaves the virtual IF \(upcall mask 1\)")


def test_events_still_arrive_after_popf_clears_if(b):
    check(b, r"set_timer_op 1 ms ahead: got 0")
    check(b, r"after popf IF=0 the timer's upcall still arrives: got 1")


def test_flags_popf_may_set_are_the_guests_own_and_stay_out_of_the_hypervisor(b):
    # DF set while the hypervisor copies the string would print it backwards.
    b.expect(r"^\(d0\) console_io under DF, AC and NT: this line reads forwards$")
    check(b, r"console_io under DF, AC and NT: got 0 ")
    check(b, r"DF, AC and NT still ours after it")


def test_the_iret_instruction_to_ring_0_or_to_no_task_faults_to_the_guest(b):
    b.expect(r"^\(d0\) ring 1 iret to the hypervisor's cs 0xe008: #GP error 0xe008 at e019:")
    b.expect(r"^\(d0\) ring 1 iret with NT set \(a task return\): #TS error 0x0$")
    check(b, r"  NT is gone after our handler's return")


# ---- lar, lsl, verr, verw: only what is the guest's own ---------------------

def test_lsl_shows_the_truncated_limit_and_lar_dpl_1(b):
    # lar: present, DPL, code or data; the CPU may have set the accessed bit.
    for sel, ar in (("e019", "b[ab]"), ("e021", "b[23]"), ("e02b", "f[ab]"), ("e033", "f[23]")):
        b.expect(r"^\(d0\) selector %s: lsl 0xf67fffff lar 0x0000%s00 verr 1 verw [01]$" % (sel, ar))
    check(b, r"lar e019: present, DPL 1")
    check(b, r"verr, verw e019: readable, not writable")
    check(b, r"verr, verw e021: readable, writable")


def test_lar_lsl_verr_verw_see_nothing_of_the_hypervisors_selectors(b):
    for sel in ("e008", "e010", "e038", "e040", "e048", "0000", "e000", "fff8"):
        check(b, r"ring 1 lsl, lar, verr, verw %s: nothing \(ZF=0\): got 0" % sel)
    check(b, r"ring 3 lsl, lar, verr, verw e021 \(DPL 1\): nothing")
    check(b, r"ring 3 lsl, lar, verr, verw e008: nothing")


# ---- segment registers ------------------------------------------------------

def test_segment_registers_show_rpl_1_and_load_no_hypervisor_selector(b):
    check(b, r"mov %cs: RPL 1: got 0x0000e019")
    check(b, r"push %cs: RPL 1: got 0x0000e019")
    check(b, r"ring 3 mov %cs, %ss: RPL 3: got 0xe02be033")
    for what, err in (("mov 0xe010 to %es", "0xe010"), ("mov 0xe010 to %ss", "0xe010"),
                      ("mov 0xe011 \\(RPL 1\\) to %gs", "0xe010"),
                      ("mov 0xe038 \\(its TSS\\) to %fs", "0xe038"),
                      ("pop 0xe010 to %es", "0xe010"), ("lfs of 0xe010:0", "0xe010"),
                      ("mov 0xe033 \\(ring 3\\) to %ss", "0xe030")):
        b.expect(r"^\(d0\) ring 1 %s: #GP error %s at e019:" % (what, err))
    b.expect(r"^\(d0\) ring 3 mov 0xe010 to %es: #GP error 0xe010 at e02b:")
    check(b, r"after all that, %ss is still 0xe021")


# ---- far transfers and gates ------------------------------------------------

def test_far_call_jmp_and_ret_reach_only_what_the_descriptor_checks_allow(b):
    for ring, what, err in ((1, "ljmp to the hypervisor's code 0xe008", "0xe008"),
                            (1, "lcall to the hypervisor's code 0xe008", "0xe008"),
                            (1, "ljmp to its TSS 0xe038 \\(a task switch\\)", "0xe038"),
                            (1, "lcall to the double-fault TSS 0xe040", "0xe040"),
                            (1, "ljmp to its LDT descriptor 0xe048", "0xe048"),
                            (1, "ljmp to ring 3 code 0xe02b", "0xe028"),
                            (1, "lret to the hypervisor's code 0xe008", "0xe008"),
                            (3, "ljmp to the hypervisor's code 0xe008", "0xe008"),
                            (3, "lcall to ring 1 code 0xe019", "0xe018")):
        b.expect(r"^\(d0\) ring %d %s: #GP error %s at e0" % (ring, what, err))
    check(b, r"ring 1 ljmp to our own 0xe019: no exception")
    check(b, r"lcall to our own 0xe019 runs there: got 0x0000e019")
    check(b, r"ring 1 lret to our own 0xe019: no exception")


def test_no_call_gate_can_lead_to_ring_0(b):
    check(b, r"lar 0005: our DPL 0 code is DPL 1")
    check(b, r"update_descriptor: a call gate to 0xe008: got -22")
    check(b, r"update_descriptor: a call gate to the TSS 0xe038: got -22")
    b.expect(r"^\(hv\) d0 update_descriptor refused: ma 0x[0-9a-f]{16}: "
             r"call gate to a reserved selector other than FLAT_RING1_CS$")
    check(b, r"ring 1 lcall through our gate: our code, ring 1: got 0x00000005")
    check(b, r"ring 3 lcall through our gate: our own kernel's code, ring 1: got 0x00000005")
    check(b, r"ring 3 lcall to our conforming code: it runs in ring 3: got 0x0000000f")


# ---- int n, sysenter, syscall -------------------------------------------------

def test_int_n_cannot_raise_the_hypervisors_own_vectors(b):
    b.expect(r"^\(d0\) ring 1 int \$8 \(the hypervisor's #DF task gate\): #GP error 0x42 at e019:")
    b.expect(r"^\(d0\) ring 1 int \$2 \(NMI\): #GP error 0x12 at e019:")
    b.expect(r"^\(d0\) ring 3 int \$0x20 \(the PIT's IRQ 0\): #GP error 0x102 at e02b:")
    check(b, r"ring 1 icebp: one #DB after it")


def test_sysenter_and_syscall_fault_to_the_guests_own_handler(b):
    b.expect(r"^\(d0\) ring 1 sysenter: #GP error 0x0 at e019:")
    b.expect(r"^\(d0\) ring 3 sysenter: #GP error 0x0 at e02b:")
    b.expect(r"^\(d0\) ring 1 syscall: #UD error 0x0 at e019:")
    b.expect(r"^\(d0\) ring 3 syscall: #UD error 0x0 at e02b:")


def test_a_debug_exception_mov_ss_defers_into_a_hypercall_is_harmless(b):
    b.expect(r"^\(d0\) outcome mov %ss then int \$0x82, TF set: ")
    b.expect(r"^\(d0\) outcome mov %ss then int \$0x82, watchpoint: ")
    check(b, r"mov %ss then xen_version, TF set: its result")
    check(b, r"mov %ss then xen_version, watchpoint: its result")


# ---- rdtsc -------------------------------------------------------------------

def test_rdtsc_reads_the_counter_the_hypervisors_clock_is_stamped_with(b):
    b.expect(r"^\(d0\) rdtsc: 0x[0-9a-f]+, then 0x[0-9a-f]+ after \d+ block\(s\) for 10 ms: ")
    check(b, r"rdtsc and the hypervisor's stamps read one counter, in order: got 1")
    check(b, r"10 ms of its timer is 10 ms \(to 10 s\) of our TSC: got 1")
    check(b, r"the records' system times differ by their stamps' TSC difference")
    check(b, r"100000 rdtsc: steps backwards: got 0")
    check(b, r"ring 3 rdtsc reads the same counter: got 1")


# ---- the verdict: alive, and the neighbour untouched ---------------------------

def test_after_all_of_it_the_guest_is_alive_and_its_neighbour_untouched(b):
    passes(b, 0)
    b.expect(r"^\(d0\) harmless: every instruction ran; we are alive$")
    b.expect(r"^\(d1\) victim: 300 yields, memory unchanged: yes$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_iret_setting_vm_in_ring_1_can_end_only_that_guest(boot):
    # A CPU ignores VM in an iret outside ring 0 (so does Bochs, below).
    # QEMU's TCG enters virtual-8086 mode anyway; then the hypervisor must
    # halt that domain, never panic or mistake its frame for ring 0's.
    b = boot(guest("harmless", "-- vm86=1"), guest("hello"))
    b.expect(r"^\(d0\) iret to cs 0 with VM=1$")
    halted = (r"^\(hv\) d0 halted: virtual-8086 mode entered outside ring 0, which a real CPU "
              r"refuses \(vector \d+ at [0-9a-f]{4}:[0-9a-f]{4}\)$")
    ignored = r"^\(d0\) check iret VM=1: VM ignored, .*: got 0x0000e019 want 0x0000e019$"
    if b.expect(halted + "|" + ignored).group(0).startswith("(hv)"):
        b.forbid(r"^\(d0\) Test result")
        b.expect_status(2)
    else:
        passes(b, 0)
        b.expect_status(0)
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(NO_LEAK)


@pytest.mark.bochs
def test_on_bochs_too_every_untrappable_instruction_hurts_only_its_guest(boot):
    b = boot(guest("harmless", "-- vm86=1"), guest("victim"), emulator="bochs", timeout=120)
    passes(b, 0)
    check(b, r"iret VM=1: VM ignored, still protected mode, cs 0xe019")
    b.expect(r"^\(d0\) ring 1 iret to cs 0 with VM=1: #GP error 0x0 at e019:")
    b.expect(r"^\(d1\) victim: 300 yields, memory unchanged: yes$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(0)

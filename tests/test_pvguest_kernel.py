"""pvguest as a kernel: ring-3 tasks on the virtual CPU.

The tasks guest (pvguest/tests/tasks, kernel in pvguest/kernel) registers
its trap table and callbacks and runs four ring-3 tasks that yield to each
other: alpha and gamma write three lines each, beta one before it exits
early, the intruder one before it reads kernel memory and is killed; gamma
also touches two heap pages that the kernel's page-fault handler fills on
demand.  Each task runs in an address space of its own, which the kernel
builds with one mmu_update and pins; a last task spawns children one at a
time, fork-style, and waits for each.  The guest checks the frames its
traps received and prints the evidence; these tests read it from the
console.  See docs/pvguest.md.
"""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
G = ROOT / "build" / "pvguest"
NO_LEAK = r"^\(hv\) frames: \d+ free of \d+ at power off, .*\b0 leaked$"
FAILED_CHECK = r"check .*got (\S+) want (?!\1$)"     # a check whose got != want


def guest(name, args=""):
    return ("%s %s" % (G / (name + ".elf"), args)).strip()


def line(d, text):
    return r"^\(d%d\) %s$" % (d, text)


# The round-robin order of one kernel's run: tasks yield after every line.
RUN = [r"alpha \(pid 1\): line 1 of 3",
       r"beta \(pid 2\): line 1 of 3",
       r"gamma \(pid 3\): line 1 of 3",
       r"intruder \(pid 4\): line 1 of 3; next, a read of kernel memory at 0x[0-9a-f]+",
       r"alpha \(pid 1\): line 2 of 3",
       r"kernel: task 2 \(beta\) exited with code 0",
       r"gamma \(pid 3\): line 2 of 3: heap pages came zeroed and keep what was written",
       r"kernel: task 4 \(intruder\): page fault at 0x[0-9a-f]+ \(error 0x5\) from eip 0x[0-9a-f]+",
       r"kernel: task 4 \(intruder\) killed, exit code -14",
       r"alpha \(pid 1\): line 3 of 3",
       r"gamma \(pid 3\): line 3 of 3",
       r"kernel: task 1 \(alpha\) exited with code 3",
       r"kernel: task 3 \(gamma\) exited with code 3"]


def test_tasks_interleave_in_ring3_fault_on_demand_and_the_kernel_ends_success(boot):
    b = boot(guest("tasks"), share=True)
    b.expect_in_order([line(0, r) for r in RUN])
    # Every system call of every task: from ring 3, on that task's own stack.
    for name in ("alpha", "beta", "gamma", "intruder"):
        b.expect(r"^\(d0\) kernel: task \d %s: (\d+) syscalls \(\1 with CS 0xe02b, "
                 r"\1 on its own stack_switch stack" % name)
    b.expect(line(0, r"kernel: writes by pid, in order: 1 2 3 4 1 3 1 3"))
    # CR2 from vcpu_info: gamma's two first touches, then the intruder's read.
    heap = int(b.expect(r"demand-zero heap (0x[0-9a-f]+)-").group(1), 16)
    b.expect_in_order([
        line(0, r"kernel: page fault 0: pid 3 cr2 0x%08x error 0x4 .*: demand-zero" % (heap + 0x10)),
        line(0, r"kernel: page fault 1: pid 3 cr2 0x%08x error 0x6 .*: demand-zero" % (heap + 0x1020)),
        line(0, r"kernel: page fault 2: pid 4 cr2 0x[0-9a-f]+ error 0x5 .*: task killed")])
    b.forbid(r"the kernel let me read it")
    b.expect(line(0, r"Test result: SUCCESS"))
    b.forbid(FAILED_CHECK)
    b.expect(NO_LEAK)
    b.expect_status(0)


TASKS = ("alpha", "beta", "gamma", "intruder")
SPACE = r"kernel: task (\d+) \((%s)\) ran with cr3 (0x[0-9a-f]{8}) \(its L3, mfn (0x[0-9a-f]+)\), " \
        r"built by (\d+) mmu_update of (\d+) entries"


def test_each_task_runs_in_its_own_address_space(boot):
    # CR3 as the kernel reads it (mov %cr3, emulated by the hypervisor) in
    # each task's first system call: that task's own L3, different for all
    # four tasks, which are alive at once, and never the kernel's boot L3.
    b = boot(guest("tasks"), share=True)
    boot_l3 = int(b.expect(r"kernel L3 mfn (0x[0-9a-f]+)").group(1), 16)
    cr3 = {}
    for name in TASKS:
        m = b.expect(line(0, SPACE % name))
        cr3[name] = int(m.group(3), 16)
        assert cr3[name] == int(m.group(4), 16) << 12, "cr3 is not the task's own L3"
    assert len(set(cr3.values())) == len(TASKS), "two tasks shared a CR3: %r" % cr3
    assert boot_l3 << 12 not in cr3.values(), "a task ran on the kernel's boot L3"
    b.expect(line(0, r"check tasks with a cr3 of their own \(not the kernel's, not another's\): got 4 want 4"))
    b.expect(line(0, r"check cr3 after the scheduler: the boot L3: got (0x[0-9a-f]{8}) want \1"))
    b.expect(line(0, r"Test result: SUCCESS"))
    b.forbid(FAILED_CHECK)
    b.expect_status(0)


def test_one_mmu_update_builds_each_address_space(boot):
    # The kernel counts its mmu_update hypercalls: building a task's space
    # (the user L2 entry, the L1 entries of image and stack, the kernel's L2
    # entries) takes exactly one; in the spawn loop every other one is a
    # demand-zero fault, one per child.
    b = boot(guest("tasks"), share=True)
    for name in TASKS:
        m = b.expect(line(0, SPACE % name))
        assert int(m.group(5)) == 1, "%s: %s mmu_updates to build its space" % (name, m.group(5))
        assert int(m.group(6)) >= 4, "%s: only %s entries in the batch" % (name, m.group(6))
    m = b.expect(line(0, r"kernel: spawn loop: (\d+) children; (\d+) address spaces built and "
                         r"(\d+) torn down with (\d+) mmu_updates; .*"))
    n, built, torn, updates = (int(g) for g in m.groups())
    assert built == torn == n + 1
    assert updates == built + n, "more than one mmu_update per space (and per fault)"
    b.expect(line(0, r"Test result: SUCCESS"))
    b.forbid(FAILED_CHECK)
    b.expect_status(0)


def test_spawn_exit_cycles_leave_the_frame_pool_whole(boot):
    # A ring-3 task spawns 50 children one at a time and waits for each:
    # 50 address spaces built, pinned, used (a demand-zero fault, the
    # private image dirtied), unpinned and freed.  Both of the kernel's
    # frame pools and the domain's reservation end where they began, and
    # the hypervisor finds nothing leaked at power off.
    b = boot(guest("tasks", "-- spawns=50"))
    b.expect(line(0, r"forker \(pid \d+\): line 1 of 3: spawning children, one at a time, "
                     r"each in its own address space"))
    b.expect(line(0, r"kernel: task \d+ \(forker\) exited with code 50"))
    b.expect(line(0, r"kernel: spawn loop: 50 children; 51 address spaces built and 51 torn down "
                     r"with \d+ mmu_updates; pool frames (\d+) -> \1, spare frames (\d+) -> \2"))
    for what in ("task pool frames", "spare \\(table\\) frames", "current_reservation"):
        b.expect(line(0, r"check %s after the spawn loop: got (\d+) want \1" % what))
    b.expect(line(0, r"Test result: SUCCESS"))
    b.forbid(FAILED_CHECK)
    b.forbid(r"\(child\) exited with code 255")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_fast_trap_frame_is_the_cpus_and_a_bounced_one_the_hypervisors(boot):
    # A task with its virtual IF clear makes one system call.  Through the
    # real DPL-3 gate the CPU writes the frame: CS alone, and the real IF
    # (set).  Registered with "mask events" the call is bounced, and the
    # hypervisor's frame carries the saved mask in CS bits 16-23 and IF = 0.
    b = boot(guest("tasks"), share=True)
    b.expect_in_order([
        line(0, r"kernel: probe-fast: first syscall frame cs 0x0000e02b eflags 0x[0-9a-f]*[2367abef][0-9a-f]{2}, mask at entry 1"),
        line(0, r"kernel: probe-bounced: first syscall frame cs 0x0001e02b eflags 0x[0-9a-f]*[014589cd][0-9a-f]{2}, mask at entry 1")])
    b.expect(line(0, r"check critical sections found unmasked: got 0 want 0"))
    b.expect(line(0, r"check upcalls while masked, with one pending: got 0 want 0"))
    b.expect(line(0, r"check upcalls once local_irq_restore unmasked: got 1 want 1"))
    b.expect(line(0, r"Test result: SUCCESS"))
    b.expect_status(0)


def test_two_kernels_in_one_boot_interleave_and_keep_their_tasks_apart(boot):
    # Same image, so the same virtual addresses for every task, stack and
    # heap page in both domains; each kernel yields the CPU after every task
    # switch (and the tick may preempt either), so the domains interleave:
    # d1 starts its tasks before d0 has finished its own.
    b = boot(guest("tasks"), guest("tasks"))
    first_d1 = b.expect(line(1, RUN[0])).start()
    last_d0 = b.expect(line(0, RUN[-1])).start()
    assert first_d1 < last_d0, "the two kernels did not interleave"
    for d in (0, 1):
        b.expect_in_order([line(d, r) for r in RUN])
        b.expect(line(d, r"kernel: writes by pid, in order: 1 2 3 4 1 3 1 3"))
        b.expect(line(d, r"Test result: SUCCESS"))
    b.forbid(FAILED_CHECK)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_int80_gate_follows_the_running_domain(boot):
    # d0 registers int $0x80 with "mask events" (bounced: its handler always
    # starts masked), d1 as the fast trap (never masked).  d1 registers last,
    # so if the hypervisor left d1's real gate in the IDT when d0 runs, d0's
    # system calls would arrive unmasked and its checks would fail.
    b = boot(guest("tasks", "-- int80=bounced"), guest("tasks"))
    b.expect(line(0, r"kernel: trap table, callbacks and int \$0x80 \(DPL 3, masking, bounced\) registered; .*"))
    b.expect(line(1, r"kernel: trap table, callbacks and int \$0x80 \(DPL 3, fast trap\) registered; .*"))
    for name in ("alpha", "beta", "gamma", "intruder"):
        b.expect(line(0, r"check %s handlers entered masked \(bounced\): got (\d+) want \1" % name))
        b.expect(line(1, r"check %s handlers entered unmasked \(fast trap\): got 0 want 0" % name))
    for d in (0, 1):
        b.expect(line(d, r"Test result: SUCCESS"))
    b.forbid(FAILED_CHECK)
    b.expect(NO_LEAK)
    b.expect_status(0)

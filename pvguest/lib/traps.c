/*
 * traps.c - exceptions for test kernels, after the Xen Test Framework.
 *
 * A test that wants to see a fault does the forbidden thing inside inline
 * asm with an _ASM_EXTABLE entry saying where to resume; the stub that
 * receives the exception (entry.S) calls trap_handle(), which records the
 * frame in `exinfo` and resumes at that fixup.  The test then checks the
 * record: vector, error code, EIP, CS, the saved event mask, CR2.  An
 * exception nobody expected ends the test as a FAILURE, naming it.
 *
 * The same file gives the few things such tests need around that:
 * shared_info mapped (for the event mask and CR2), pages made
 * user-accessible with update_va_mapping, and a trip to ring 3 and back.
 * It never decides a verdict except for an unexpected exception.
 */
#include "pvguest/lib/pvguest.h"

volatile exinfo_t exinfo, ring3_exit;
struct probe_at probe_at;
volatile xen_shared_info_t *shared_info;
uint32_t trap_stack_top;

extern const uint32_t trap_stubs[256];                  /* entry.S */
extern volatile uint32_t trap_failsafe_segs[4];
uint32_t ring3_enter(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t esp, uint32_t eflags);
void __noreturn ring3_leave(uint32_t result);
uint32_t ring3_enter_multicall(xen_multicall_entry_t *calls, unsigned n, uint32_t eax, uint32_t esp);
void trap_handle(struct trap_frame *f);

struct extable_entry { uint32_t fault, fixup; };
/* ld makes these for the section ex_table; weak: a guest may have none. */
extern const struct extable_entry __start_ex_table[] __attribute__((weak));
extern const struct extable_entry __stop_ex_table[] __attribute__((weak));

static trap_hook_t hooks[TRAP_NR];
static uint8_t trap_stack[8192] __attribute__((aligned(16)));
static uint8_t user_stack[8192] __attribute__((aligned(16)));

static const char *const names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *trap_name(unsigned vector)
{
    if (vector < 32)
        return names[vector] ? names[vector] : "reserved";
    return vector == TRAP_EVENT ? "event" : vector == TRAP_FAILSAFE ? "failsafe" : "int $n";
}

static bool has_error_code(unsigned v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
}

void exinfo_clear(void)
{
    memset((void *)&exinfo, 0, sizeof(exinfo));
}

static uint32_t extable_find(uint32_t eip)
{
    for (const struct extable_entry *e = __start_ex_table; e < __stop_ex_table; e++)
        if (e->fault == eip)
            return e->fixup;
    return 0;
}

/* Copy what the frame says into *e (one more exception counted). */
static void record(volatile exinfo_t *e, const struct trap_frame *f)
{
    unsigned count = e->count;

    memset((void *)e, 0, sizeof(*e));
    e->count = count + 1;
    e->vector = f->vector;
    e->error = f->error;
    e->eip = f->eip;
    e->cs = f->cs & 0xffff;
    e->saved_mask = (f->cs >> 16) & 0xff;
    e->eflags = f->eflags;
    e->frame = (uint32_t)(uintptr_t)(f->vector < 32 && has_error_code(f->vector) ?
                                     &f->error : &f->eip);
    if ((f->cs & 3) == 3) {
        e->esp = f->esp;
        e->ss = f->ss & 0xffff;
    }
    if (shared_info) {
        e->cr2 = vcpu_info0()->arch.cr2;
        e->mask_at_entry = vcpu_info0()->evtchn_upcall_mask;
    }
    if (f->vector == TRAP_FAILSAFE)
        for (unsigned i = 0; i < 4; i++)
            e->segs[i] = trap_failsafe_segs[i] & 0xffff;
}

/* Every stub comes here (entry.S); see pvguest.h for the order of choices. */
void trap_handle(struct trap_frame *f)
{
    /* Ring 3 going home: int $0x80, or the #GP it is while 0x80 is closed to ring 3. */
    if ((f->cs & 3) == 3 && f->eax == RING3_EXIT &&
        (f->vector == 0x80 || (f->vector == 13 && f->error == 0x80 * 8 + 2))) {
        record(&ring3_exit, f);
        ring3_leave(f->ebx);
    }
    record(&exinfo, f);
    if (f->vector == 1)
        f->eflags &= ~EFLAGS_TF;            /* single step: one step only */
    if (hooks[f->vector] && hooks[f->vector](f))
        return;
    uint32_t fixup = extable_find(f->eip);
    if (fixup) {
        f->eip = fixup;
        return;
    }
    test_fail("unexpected exception: vector %u (%s) error 0x%x at %04x:%08x",
              f->vector, trap_name(f->vector), f->error, f->cs & 0xffff, f->eip);
    xtf_exit();
}

void trap_set_hook(unsigned vector, trap_hook_t hook)
{
    if (vector < TRAP_NR)
        hooks[vector] = hook;
}

uint32_t trap_stub(unsigned vector)
{
    return vector < 256 ? trap_stubs[vector] : 0;
}

long trap_set(unsigned vector, unsigned flags, uint16_t cs, uint32_t address)
{
    struct xen_trap_info t[2] = {
        { .vector = vector, .flags = flags, .cs = cs, .address = address },
    };
    return HYPERVISOR_set_trap_table(t);
}

long trap_install(unsigned vector, unsigned flags)
{
    return trap_set(vector, flags, FLAT_RING1_CS, trap_stub(vector));
}

long trap_set_callbacks(void)
{
    return HYPERVISOR_set_callbacks(FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_event_entry,
                                    FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_failsafe_entry);
}

/* Something the test needs could not be set up: ERROR, not FAILURE. */
static void __noreturn setup_failed(const char *what, long rc)
{
    test_error("%s failed: %ld", what, rc);
    xtf_exit();
}

void traps_init(void)
{
    struct xen_trap_info t[34];
    unsigned n = 0;
    long rc;

    map_shared_info();
    for (unsigned v = 0; v < 32; v++)
        t[n++] = (struct xen_trap_info){ v, v == 3 || v == 4 ? 3 : 0, FLAT_RING1_CS,
                                         trap_stubs[v] };
    t[n++] = (struct xen_trap_info){ 0x80, 3, FLAT_RING1_CS, trap_stubs[0x80] };
    t[n] = (struct xen_trap_info){ 0 };
    if ((rc = HYPERVISOR_set_trap_table(t)))
        setup_failed("set_trap_table", rc);
    trap_stack_top = (uint32_t)(uintptr_t)(trap_stack + sizeof(trap_stack));
    if ((rc = HYPERVISOR_stack_switch(FLAT_RING1_SS, trap_stack_top)))
        setup_failed("stack_switch", rc);
}

/* ---- shared_info and pages ------------------------------------------- */

uint32_t spare_page(unsigned n)
{
    static uint32_t end;

    if (!end)
        end = pt_mapped_end(PV_VIRT_BASE);
    if (n >= 64 || end - (n + 1) * PAGE_SIZE < pvguest_boot_esp)
        setup_failed("spare_page (too few spare pages)", n);
    return end - (n + 1) * PAGE_SIZE;
}

volatile xen_shared_info_t *map_shared_info(void)
{
    uint64_t pte = pvguest_start_info->shared_info | PTE_PRESENT | PTE_RW;
    uint32_t va;
    long rc;

    if (shared_info)
        return shared_info;
    va = spare_page(0);
    if ((rc = HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG)))
        setup_failed("update_va_mapping of shared_info", rc);
    shared_info = (volatile xen_shared_info_t *)va;
    return shared_info;
}

static volatile xen_vcpu_info_t *moved_vcpu_info;

volatile xen_vcpu_info_t *vcpu_info0(void)
{
    return moved_vcpu_info ? moved_vcpu_info : &map_shared_info()->vcpu_info[0];
}

long vcpu_info_move(volatile void *where)
{
    uint32_t va = (uint32_t)(uintptr_t)where;
    uint64_t pte;
    if (!pt_lookup(va, &pte))
        return -EFAULT;
    struct xen_vcpu_register_vcpu_info info = { .mfn = PTE_MFN(pte), .offset = va & 0xfff };
    long rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &info);
    if (!rc)
        moved_vcpu_info = where;
    return rc;
}

uint8_t event_mask(void)
{
    return vcpu_info0()->evtchn_upcall_mask;
}

void set_event_mask(uint8_t mask)
{
    vcpu_info0()->evtchn_upcall_mask = mask;
}

long set_user_page(uint32_t va)
{
    uint64_t pte;

    va &= ~(PAGE_SIZE - 1);
    if (!pt_lookup(va, &pte))
        return -EINVAL;
    return HYPERVISOR_update_va_mapping(va, pte | PTE_USER, UVMF_INVLPG);
}

/* ---- ring 3 ----------------------------------------------------------- */

/* Our whole image user-accessible, once; the top of the ring-3 stack. */
static uint32_t image_to_user(void)
{
    static bool image_is_user;
    long rc;

    if (!image_is_user) {
        for (uint32_t va = (uint32_t)(uintptr_t)_start; va < (uint32_t)(uintptr_t)_end;
             va += PAGE_SIZE)
            if ((rc = set_user_page(va)))
                setup_failed("set_user_page", rc);
        image_is_user = true;
    }
    return (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack));
}

uint32_t run_in_ring3(uint32_t (*fn)(uint32_t), uint32_t arg)
{
    uint8_t mask = event_mask();
    uint32_t result = ring3_enter(fn, arg, image_to_user(), mask ? 0x2 : 0x2 | EFLAGS_IF);

    set_event_mask(mask);           /* a masking int $0x80 came home masked */
    return result;
}

/* ---- iret in a multicall ---------------------------------------------- */

long multicall_iret(xen_multicall_entry_t *calls, unsigned n, uint32_t eax, uint32_t eflags,
                    bool *landed)
{
    uint32_t ret = __HYPERVISOR_multicall, via_frame;

    __asm__ __volatile__("pushl %[fl]\n\t"
                         "pushl %[cs]\n\t"
                         "pushl $1f\n\t"
                         "pushl %[ax]\n\t"
                         "int $0x82\n\t"
                         "addl $16, %%esp\n\t"      /* an ordinary return: drop the frame */
                         "xorl %[via], %[via]\n\t"
                         "jmp 2f\n"
                         "1:\tmovl $1, %[via]\n"
                         "2:"
                         : "+a"(ret), [via] "=&r"(via_frame), "+b"(calls), "+c"(n)
                         : [fl] "r"(eflags), [cs] "i"(FLAT_RING1_CS), [ax] "r"(eax)
                         : "memory", "cc");
    *landed = via_frame;
    return (long)ret;
}

uint32_t multicall_iret_ring3(xen_multicall_entry_t *calls, unsigned n, uint32_t eax)
{
    uint8_t mask = event_mask();
    uint32_t result;

    memset((void *)&ring3_exit, 0, sizeof(ring3_exit));
    result = ring3_enter_multicall(calls, n, eax, image_to_user());
    set_event_mask(mask);
    return result;
}

static uint32_t call_probe(uint32_t probe)
{
    ((void (*)(void))(uintptr_t)probe)();
    return 0;
}

void run_probe(unsigned ring, void (*probe)(void))
{
    exinfo_clear();
    if (ring == 3)
        run_in_ring3(call_probe, (uint32_t)(uintptr_t)probe);
    else
        probe();
}

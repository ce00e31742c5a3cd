/* domain.h - a domain: one guest kernel, its memory and its vCPUs. */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H
#include "hypervisor/types.h"
#include "arch/x86/regs.h"
#include "arch/x86/page.h"
#include "hypervisor/domain/policy.h"
#include "hypercalls/public/vcpu.h"

#define MAX_DOMAINS 128

enum domain_state {
    DOMAIN_RUNNABLE,      /* may be scheduled */
    DOMAIN_SHUTDOWN,      /* asked to stop (sched_op shutdown); memory freed in turns */
    DOMAIN_HALTED,        /* stopped by the hypervisor (domain_halt); likewise */
    DOMAIN_NOT_BUILT,     /* its module could not be loaded */
};


/* One entry of the virtual IDT (set_trap_table); address 0 = no handler. */
struct vcpu_trap {
    uint16_t cs;
    uint8_t flags;              /* bits 0-1 DPL, bit 2 mask events on entry */
    uint8_t fast;               /* installed as a hardware gate (int $0x80) */
    uint32_t address;
};

/*
 * What a PV guest kernel can no longer keep in the CPU itself, kept here
 * for it: the things a native kernel has in its IDT, TSS, CR0, DRn...
 * Each field names the hypercall that sets it.
 */
struct vcpu_state {
    struct vcpu_trap traps[256];        /* set_trap_table */
    uint32_t kernel_ss, kernel_sp;      /* stack_switch: the ring-1 stack for ring-3 traps */
    uint32_t event_cs, event_eip;       /* set_callbacks / callback_op: event upcall */
    uint32_t failsafe_cs, failsafe_eip; /* ... bad segment on return */
    uint32_t sysenter_cs, sysenter_eip; /* callback_op: kept, not yet used */
    uint32_t syscall_cs, syscall_eip;
    bool failsafe_mask_on_entry;
    /* Virtual CR0.TS and the FPU (fpu.c). */
    bool fpu_ts;                        /* fpu_taskswitch / clts */
    bool fpu_initialised;
    uint8_t fpu_area[512] __attribute__((aligned(16)));   /* FXSAVE image */
    /* Debug registers (debugreg.c) and the virtual CR4 (emulate.c). */
    uint32_t dr[8];
    uint32_t cr4;                       /* mov to %cr4: the guest's TSD, DE, FSGSBASE */
    uint8_t io_hits;                    /* I/O breakpoints the emulated port access hit */
    /* Virtual I/O privilege and VM assists (emulate.c, vm_assist). */
    uint8_t iopl;                       /* physdev_op SET_IOPL: 0..3 */
    uint32_t vm_assist;                 /* VMASST_TYPE_* bits enabled */
    bool cpuid_faulting;                /* wrmsr MISC_FEATURES_ENABLES: ring 3's cpuid #GPs */
};

/* A union of the members, loose and as one struct vcpu: d->regs and d->v.regs are the same bytes. */
#define VCPUS_PAGES(n) ((((n) * sizeof(struct vcpu)) + PAGE_SIZE - 1) / PAGE_SIZE)
#define VCPU_FIELDS(...) union { struct { __VA_ARGS__ }; struct vcpu { __VA_ARGS__ } v; }

struct domain {
    unsigned id;
    char name[32];
    enum domain_state state;
    enum domain_policy policy;  /* dom.policy= (policy.h) */
    enum tsc_mode tsc;          /* dom.tsc=: does rdtsc trap while it runs */
    bool initdomain;
    char end_reason[128];       /* for the summary: "shutdown: poweroff", ... */
    unsigned shutdown_reason;   /* SHUTDOWN_*, valid when state == SHUTDOWN */

    /* Memory.  frames[pfn] is the machine frame behind guest pfn; the
     * hypervisor's own copy, because the guest's P2M is guest-writable. */
    uint32_t nr_pages;          /* the maximum: frames[] has this many slots */
    uint32_t tot_pages;         /* frames it has now (INVALID_MFN slots were given back) */
    mfn_t *frames;
    uint32_t frames_array_pages;
    uint32_t reap_turns;        /* after death: the scheduler's turns at freeing frames[] */
    mfn_t shared_info;
    pte_t *pdpt;                /* the PAE PDPT the CPU uses (hypervisor memory): the loaded vCPU's cr3 */
    mfn_t puts[2];              /* tables whose devalidation stopped part way, outer first (page_type.c) */
    uint8_t nr_puts;

    /*
     * The loaded vCPU (docs/smp.md): every per-vCPU field, reachable one by
     * one (d->regs, d->cr3_mfn...: what every function given a domain works
     * on) and all at once as d->v, which vcpu_load() swaps with a parked
     * vCPU of d->vcpus[].  The union is Linux's struct_group_tagged().
     */
    VCPU_FIELDS(
    /* Guest registers while it is not running. */
    struct cpu_regs regs;
    struct vcpu_state vcpu;
    mfn_t gdt_frame[FIRST_RESERVED_GDT_PAGE], gdt_copy[FIRST_RESERVED_GDT_PAGE]; unsigned gdt_entries; /* set_gdt: the guest's frames, our checked copies (gdt.c) */
    mfn_t cr3_mfn;              /* its L3 (start_info.pt_base, NEW_BASEPTR): its "cr3"; INVALID_MFN: not initialised */
    bool up;                    /* may run: VCPUOP_up/down (vCPU 0: from the start) */
    bool initialised;           /* has a context: built, or VCPUOP_initialise */

    /* Scheduling (sched.c). */
    bool blocked;               /* waiting for an event (sched_op block/poll) */

    /* Time (time.c). */
    uint64_t timer_deadline_ns; /* set_timer_op, VCPUOP_set_singleshot_timer; 0: none */
    uint64_t periodic_ns;       /* VCPUOP_set_periodic_timer; 0: none */
    uint64_t periodic_last_ns;  /* when it last fired */

    /* vcpu_op (hypercalls/vcpu.c, vcpu_info.c, runstate.c). */
    struct xen_vcpu_info *vcpu_info;     /* shared_info's slot of this vCPU, or where it moved */
    mfn_t vcpu_info_mfn;                 /* the frame it moved to (mapped, typed), or INVALID_MFN */
    struct xen_vcpu_runstate_info runstate;
    guest_ptr_t runstate_area;           /* VCPUOP_register_runstate_memory_area; 0: none */

    /* SCHEDOP_poll (event.c). */
    uint64_t poll_deadline_ns;  /* timeout; 0: none */
    unsigned poll_nr;
    );
    uint8_t nr_vcpus;           /* dom.vcpus=: 1..MAX_VCPUS */
    uint8_t vcpu_id;            /* which one is loaded in the fields above */
    struct vcpu *vcpus;         /* [nr_vcpus]: the parked ones (vcpu_load.h); NULL with one vCPU */

    /* Scheduling (sched.c): fair between domains, whatever their vCPUs. */
    uint32_t weight;            /* share of the CPU; 256 = one standard slice */
    uint64_t cpu_ns;            /* time it has run */
    uint64_t slice_start_ns;    /* when its current slice began */

    /* Event channels (event.c owns these). */
    struct evtchn *evtchn;      /* its port table, or NULL before the first bind */

    /* Argo (argo_ring.c owns it). */
    struct argo_domain *argo;   /* its rings, or NULL before the first register_ring */

    /* Grant tables (share/grant.c owns it). */
    struct grant_table *grant;  /* its table and mappings; NULL before build and after death */
    uint32_t max_grant_frames;  /* dom.max_grant_frames=; 0: the default */
    /* Service rings (hypervisor/share/rings.c owns these; docs/sharing.md). */
    uint8_t service;            /* enum service_kind: dom.service= */
    uint32_t start_info_pfn;    /* the builder's pages: start_info, then the */
    uint32_t store_pfn;         /*   store page, then the console page (store_pfn + 1) */
    mfn_t store_mfn;            /* start_info.store_mfn, or INVALID_MFN: not connected */
    mfn_t console_mfn;          /* start_info.console.domU.mfn, or INVALID_MFN */
    uint16_t store_port, console_port;  /* their ports in d (0: none) */
    bool console_connected;     /* it notified its console port: input goes to the ring */
    uint8_t xs_step;            /* toolstack.c: the next introduction or end message to send */
    bool disk;                  /* dom.disk=1: rings.c finds its backend, toolstack.c */
    uint16_t disk_backend;      /*   writes the vbd's nodes (docs/sharing.md) */
};

extern struct domain *domains[MAX_DOMAINS];
extern unsigned nr_domains;
extern struct domain *current;

/* A new, empty domain with the next id; NULL when out of ids or memory. */
struct domain *domain_alloc(void);

/*
 * The one funnel for a guest's death by the hypervisor's hand.  Prints
 * "(hv) dN halted: <reason>", frees everything the domain owns and never
 * returns: the CPU goes on with another domain (or powers off).
 */
void domain_halt(struct domain *d, const char *fmt, ...) __printf(2, 3) __noreturn;

/* The guest asked to stop (SHUTDOWN_* reason): "(hv) dN shutdown: <reason>". */
void domain_shutdown(struct domain *d, unsigned reason);

/*
 * A domid a guest named, in a call that may only name itself (no domain is
 * privileged over another here): 0 for DOMID_SELF or its own id; another
 * live domain is -EPERM (Xen's XSM_TARGET check), any other id -ESRCH.
 */
long domain_check_self(unsigned domid);
/*
 * The foreigndom of mmu_update and mmuext_op, as Xen's get_pg_owner()
 * answers a guest without privilege: 0 for DOMID_SELF; its own id spelt
 * out is -ESRCH (Xen: "cannot specify itself as foreign domain");
 * DOMID_IO and another live domain -EPERM; anything else -ESRCH.
 */
long domain_check_pg_owner(unsigned foreigndom);

/*
 * After halt or shutdown: end everything another domain could see, and
 * return every frame but those of d's memory (d->frames[]): domain_reap.
 */
void domain_destroy(struct domain *d);
/* Give back d's shared_info and PDPT, and with frames_too its memory, as far as it has them. */
void domain_free_memory(struct domain *d, bool frames_too);
/*
 * Give back d's memory from the top pfn down: all of it, or (all false)
 * until the tick is due.  The scheduler gives a dying domain turns for it.
 */
void domain_reap(struct domain *d, bool all);
static inline bool domain_dying(const struct domain *d)
{
    return d->state != DOMAIN_RUNNABLE && d->frames;
}

/* Summary lines at the end of a run; returns the run's status. */
int domain_summary(void);

/*
 * d's shared_info page.  It comes from the directmap (builder.c), so the
 * hypervisor reaches it with no mapping: it is read on every return to the
 * guest (the event upcall check), so this is the hot path.
 */
struct xen_shared_info;
static inline struct xen_shared_info *domain_shared_info(const struct domain *d)
{
    return (struct xen_shared_info *)(uintptr_t)(DIRECTMAP_VIRT_START + (mfn_x(d->shared_info) << PAGE_SHIFT));
}

/*
 * Does d own machine frame m (the frame table says so)?  *pfn gets its M2P
 * entry, which the guest can rewrite (MMU_MACHPHYS_UPDATE): check it
 * against d->frames[] before using it as an index.
 */
bool domain_owns_frame(const struct domain *d, mfn_t m, uint32_t *pfn);

/* A frame given back while referenced (PGF_GIVEN) lost its last reference: free it. */
void domain_drop_frame(mfn_t m);

/* Map guest pfn of domain d (hypervisor-side, via the mapcache). */
void *domain_map_pfn(struct domain *d, uint32_t pfn);
#endif

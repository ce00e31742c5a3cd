/* domain.h - a domain: one guest kernel, its memory and its one vCPU. */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H
#include "hypervisor/types.h"
#include "arch/x86/regs.h"
#include "arch/x86/page.h"

#define MAX_DOMAINS 128

enum domain_state {
    DOMAIN_RUNNABLE,      /* may be scheduled */
    DOMAIN_SHUTDOWN,      /* asked to stop (sched_op shutdown); memory freed */
    DOMAIN_HALTED,        /* stopped by the hypervisor (domain_halt); memory freed */
    DOMAIN_NOT_BUILT,     /* its module could not be loaded */
};

/* What to do with a disallowed privileged instruction (see emulate.c). */
enum domain_policy {
    POLICY_HALT,          /* halt the domain, naming the instruction (default) */
    POLICY_REFLECT,       /* deliver #GP to the guest's handler, as Xen does */
};

struct domain {
    unsigned id;
    char name[32];
    enum domain_state state;
    enum domain_policy policy;
    bool initdomain;
    char end_reason[128];       /* for the summary: "shutdown: poweroff", ... */
    unsigned shutdown_reason;   /* SHUTDOWN_*, valid when state == SHUTDOWN */

    /* Memory.  frames[pfn] is the machine frame behind guest pfn; the
     * hypervisor's own copy, because the guest's P2M is guest-writable. */
    uint32_t nr_pages;
    mfn_t *frames;
    uint32_t frames_array_pages;
    mfn_t shared_info;
    pte_t *pdpt;                /* the PAE PDPT the CPU uses (hypervisor memory) */

    /* The vCPU: guest registers while it is not running. */
    struct cpu_regs regs;
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

/* Return every frame to the allocator (after halt or shutdown). */
void domain_destroy(struct domain *d);

/* Summary lines at the end of a run; returns the run's status. */
int domain_summary(void);

/* Map guest pfn of domain d (hypervisor-side, via the mapcache). */
void *domain_map_pfn(struct domain *d, uint32_t pfn);
#endif

/* grant.h - grant tables: each domain's entries, who maps what, and the builder's API (grant.c). */
#ifndef HV_GRANT_H
#define HV_GRANT_H
#include "hypervisor/domain/domain.h"
#include "hypercalls/public/grant_table.h"

typedef xen_grant_ref_t grant_ref_t;
typedef xen_grant_handle_t grant_handle_t;
typedef xen_domid_t domid_t;

/*
 * Frames of a domain's table: Xen's opt_max_grant_frames, the default and
 * the most a domain may be given (dom.max_grant_frames=N, 1..64); Xen
 * starts every table with INITIAL_NR_GRANT_FRAMES, one frame.
 */
#define GRANT_MAX_FRAMES      64u
#define GRANT_INITIAL_FRAMES  1u
#define GRANT_PER_FRAME       (PAGE_SIZE / sizeof(struct xen_grant_entry_v1))   /* 512 */
#define GRANT_MAPTRACK_PAGES  16u       /* 16 x 256 = 4096 mappings a domain may hold */

/* ---- the builder's API (shared with the console and xenstore set-up) ---- */

/* d's table, with its first frame; d->max_grant_frames set (0: default). 0, -EINVAL, -ENOMEM. */
int grant_table_init(struct domain *d);
/*
 * d is dying: its mappings of others' grants go (references, pins, flags),
 * and its frames that others still map stay, owned by nobody, until their
 * last mapping goes.  Called by domain_destroy before d's frames are freed.
 */
void grant_table_teardown(struct domain *d);
/* Fill d's entry ref: permit_access (| readonly), for domain `to`, naming frame. 0 or -EINVAL. */
int grant_builder_set(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, bool readonly);

/* ---- for hypercalls/grant_table.c ---------------------------------------- */

/* Grow d's table to n frames (no-op when it has them): 0, or -ENOMEM. */
int grant_table_grow(struct domain *d, uint32_t n);
uint32_t grant_nr_frames(const struct domain *d);
uint32_t grant_max_frames(const struct domain *d);
mfn_t grant_frame(const struct domain *d, uint32_t i);

/*
 * One record each, from the calling domain ld (its fields are the guest's,
 * copied in; results are written into it): status values are GNTST_*.
 * A batch of unmaps must end with grant_flush(), before the guest runs.
 */
void grant_map(struct domain *ld, struct xen_gnttab_map_grant_ref *op);
int16_t grant_unmap(struct domain *ld, uint64_t host_addr, uint64_t dev_bus_addr,
                    grant_handle_t handle, uint64_t new_addr);
int16_t grant_copy(struct domain *ld, const struct xen_gnttab_copy *op);
void grant_flush(void);

/* For the debug keys: frames, mappings others hold of d's grants, d's of others'. */
void grant_usage(const struct domain *d, uint32_t *frames, uint32_t *given, uint32_t *held);
#endif

/*
 * grant_stub.c - TEMPORARY stand-in for the GRANTS branch's grant.c.
 *
 * There are no grant tables in this branch yet, so the builder's calls
 * do nothing and succeed.  Deleted at merge (see grant_stub.h).
 */
#include "hypervisor/share/grant_stub.h"

int grant_table_init(struct domain *d) { (void)d; return 0; }
void grant_table_teardown(struct domain *d) { (void)d; }
int grant_builder_set(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, bool readonly)
{
    (void)d, (void)ref, (void)to, (void)frame, (void)readonly;
    return 0;
}

/*
 * grant_stub.h - TEMPORARY: the grant-table API the builder needs, until
 * the GRANTS branch (hypervisor/share/grant.h) is merged.  The signatures
 * are exactly those of /work/helpers/shared-interface.md; at merge this
 * file and grant_stub.c are deleted and their users include grant.h.
 */
#ifndef HV_GRANT_STUB_H
#define HV_GRANT_STUB_H
#include "hypervisor/domain/domain.h"

typedef uint32_t grant_ref_t;
typedef uint16_t domid_t;

int  grant_table_init(struct domain *d);
void grant_table_teardown(struct domain *d);
int  grant_builder_set(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, bool readonly);
#endif

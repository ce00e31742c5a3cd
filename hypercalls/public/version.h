/*
 * version.h - xen_version: who the hypervisor claims to be.
 *
 * This file owns the XENVER_* commands of hypercall 17 (xen_version), the
 * fixed-size buffers they fill, and the XENFEAT_* feature bit numbers that
 * XENVER_get_features reports and that a kernel's XEN_ELFNOTE_FEATURES
 * note asks for.  It must never change a buffer size: the guest allocates
 * exactly these sizes and the hypervisor writes exactly this many bytes.
 *
 * Every command returns 0 on success, except XENVER_version (returns
 * major << 16 | minor), XENVER_pagesize (returns the page size) and
 * XENVER_build_id (returns the length written).
 */
#ifndef XEN_PUBLIC_VERSION_H
#define XEN_PUBLIC_VERSION_H

#include "xen.h"

#define XENVER_version             0   /* arg NULL */
#define XENVER_extraversion        1   /* arg -> xen_extraversion_t */
#define XENVER_compile_info        2   /* arg -> xen_compile_info */
#define XENVER_capabilities        3   /* arg -> xen_capabilities_info_t */
#define XENVER_changeset           4   /* arg -> xen_changeset_info_t */
#define XENVER_platform_parameters 5   /* arg -> xen_platform_parameters */
#define XENVER_get_features        6   /* arg -> xen_feature_info */
#define XENVER_pagesize            7   /* arg NULL */
#define XENVER_guest_handle        8   /* arg -> xen_domain_handle_t */
#define XENVER_commandline         9   /* arg -> xen_commandline_t */
#define XENVER_build_id           10   /* arg -> xen_build_id */

/*
 * Feature bits, numbered across 32-bit submaps (submap i holds features
 * 32*i .. 32*i+31).  The names without "XENFEAT_" are the words a kernel
 * writes in its FEATURES ELF note, "!" in front meaning "required".
 */
#define XENFEAT_writable_page_tables        0
#define XENFEAT_writable_descriptor_tables  1
#define XENFEAT_auto_translated_physmap     2
#define XENFEAT_supervisor_mode_kernel      3
#define XENFEAT_pae_pgdir_above_4gb         4
#define XENFEAT_mmu_pt_update_preserve_ad   5
#define XENFEAT_highmem_assist              6
#define XENFEAT_gnttab_map_avail_bits       7
#define XENFEAT_hvm_callback_vector         8
#define XENFEAT_hvm_safe_pvclock            9
#define XENFEAT_hvm_pirqs                  10
#define XENFEAT_dom0                       11
/*                                         12 is retired (grant_map_identity) */
#define XENFEAT_memory_op_vnode_supported  13
#define XENFEAT_ARM_SMCCC_supported        14
#define XENFEAT_linux_rsdp_unrestricted    15
#define XENFEAT_not_direct_mapped          16
#define XENFEAT_direct_mapped              17
#define XENFEAT_dm_msix_all_writes         18
#define XENFEAT_NR_SUBMAPS                  1

#ifndef __ASSEMBLER__

typedef char xen_extraversion_t[16];        /* e.g. ".0-teaching" */
typedef char xen_capabilities_info_t[1024]; /* e.g. "xen-3.0-x86_32p" */
typedef char xen_changeset_info_t[64];
typedef char xen_commandline_t[1024];
typedef uint8_t xen_domain_handle_t[16];    /* the domain's UUID */
#define XEN_EXTRAVERSION_LEN      (sizeof(xen_extraversion_t))
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))
#define XEN_CHANGESET_INFO_LEN    (sizeof(xen_changeset_info_t))
XEN_ABI_SIZE(xen_extraversion_t, 16);
XEN_ABI_SIZE(xen_capabilities_info_t, 1024);
XEN_ABI_SIZE(xen_changeset_info_t, 64);
XEN_ABI_SIZE(xen_commandline_t, 1024);
XEN_ABI_SIZE(xen_domain_handle_t, 16);

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;
XEN_ABI_SIZE(struct xen_compile_info, 144);
XEN_ABI_OFFSET(struct xen_compile_info, compiler, 0);
XEN_ABI_OFFSET(struct xen_compile_info, compile_by, 64);
XEN_ABI_OFFSET(struct xen_compile_info, compile_domain, 80);
XEN_ABI_OFFSET(struct xen_compile_info, compile_date, 112);

/* Where the hypervisor hole begins (HYPERVISOR_VIRT_START). */
struct xen_platform_parameters {
    xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;
XEN_ABI_SIZE(struct xen_platform_parameters, 4);
XEN_ABI_OFFSET(struct xen_platform_parameters, virt_start, 0);

struct xen_feature_info {
    uint32_t submap_idx;   /* IN: which 32-bit submap */
    uint32_t submap;       /* OUT: its bits (1 << XENFEAT_x) */
};
typedef struct xen_feature_info xen_feature_info_t;
XEN_ABI_SIZE(struct xen_feature_info, 8);
XEN_ABI_OFFSET(struct xen_feature_info, submap_idx, 0);
XEN_ABI_OFFSET(struct xen_feature_info, submap, 4);

/* Variable length: len is the buffer size in, bytes follow the header. */
struct xen_build_id {
    uint32_t      len;
    unsigned char buf[];
};
typedef struct xen_build_id xen_build_id_t;
XEN_ABI_SIZE(struct xen_build_id, 4);
XEN_ABI_OFFSET(struct xen_build_id, len, 0);
XEN_ABI_OFFSET(struct xen_build_id, buf, 4);

#endif /* !__ASSEMBLER__ */
#endif

/*
 * grant_table.h - grant_table_op: letting another domain use your pages.
 *
 * This file owns the grant table format (version 1 entries, and the
 * version 2 union) and the GNTTABOP_* commands of hypercall 20, called as
 * grant_table_op(cmd, pointer to an array of records, count).  A grant is
 * a capability: the granting domain writes an entry naming a frame and
 * the one domain allowed to use it; that domain then maps or copies via
 * the hypervisor, which checks the entry each time.  This file must never
 * describe how mappings are tracked or revoked inside the hypervisor.
 */
#ifndef XEN_PUBLIC_GRANT_TABLE_H
#define XEN_PUBLIC_GRANT_TABLE_H

#include "xen.h"

/* Entries 0..7 are reserved; tools may pre-fill these two. */
#define GNTTAB_NR_RESERVED_ENTRIES  8
#define GNTTAB_RESERVED_CONSOLE     0
#define GNTTAB_RESERVED_XENSTORE    1

/*
 * Entry type (flags bits 0-1) and sub-flags.  [GST] bits are written by
 * the granting guest, [XEN] bits by the hypervisor while the grant is in
 * use; a guest revokes with compare-and-swap so it cannot miss [XEN] bits.
 */
#define GTF_invalid             (0U << 0)
#define GTF_permit_access       (1U << 0)   /* [GST] domid may map/copy frame */
#define GTF_accept_transfer     (2U << 0)   /* [GST] domid may give us a page */
#define GTF_transitive          (3U << 0)   /* [GST] v2 only */
#define GTF_type_mask           (3U << 0)
#define _GTF_readonly           2
#define GTF_readonly            (1U << _GTF_readonly)   /* [GST] read only */
#define _GTF_reading            3
#define GTF_reading             (1U << _GTF_reading)    /* [XEN] mapped r/o */
#define _GTF_writing            4
#define GTF_writing             (1U << _GTF_writing)    /* [XEN] mapped r/w */
#define _GTF_PWT                5
#define GTF_PWT                 (1U << _GTF_PWT)
#define _GTF_PCD                6
#define GTF_PCD                 (1U << _GTF_PCD)
#define _GTF_PAT                7
#define GTF_PAT                 (1U << _GTF_PAT)
#define _GTF_sub_page           8
#define GTF_sub_page            (1U << _GTF_sub_page)   /* v2: copy only */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

#define GNTTABOP_map_grant_ref      0   /* -> xen_gnttab_map_grant_ref[] */
#define GNTTABOP_unmap_grant_ref    1   /* -> xen_gnttab_unmap_grant_ref[] */
#define GNTTABOP_setup_table        2   /* -> xen_gnttab_setup_table */
#define GNTTABOP_dump_table         3   /* -> xen_gnttab_dump_table */
#define GNTTABOP_transfer           4   /* -> xen_gnttab_transfer[] */
#define GNTTABOP_copy               5   /* -> xen_gnttab_copy[] */
#define GNTTABOP_query_size         6   /* -> xen_gnttab_query_size */
#define GNTTABOP_unmap_and_replace  7   /* -> xen_gnttab_unmap_and_replace[] */
#define GNTTABOP_set_version        8   /* -> xen_gnttab_set_version */
#define GNTTABOP_get_status_frames  9   /* -> xen_gnttab_get_status_frames */
#define GNTTABOP_get_version       10   /* -> xen_gnttab_get_version */
#define GNTTABOP_swap_grant_ref    11
#define GNTTABOP_cache_flush       12

/* map_grant_ref flags */
#define _GNTMAP_device_map      0
#define GNTMAP_device_map       (1 << _GNTMAP_device_map)
#define _GNTMAP_host_map        1
#define GNTMAP_host_map         (1 << _GNTMAP_host_map)
#define _GNTMAP_readonly        2
#define GNTMAP_readonly         (1 << _GNTMAP_readonly)
#define _GNTMAP_application_map 3
#define GNTMAP_application_map  (1 << _GNTMAP_application_map)
#define _GNTMAP_contains_pte    4   /* host_addr is a PTE's machine address */
#define GNTMAP_contains_pte     (1 << _GNTMAP_contains_pte)
#define _GNTMAP_can_fail        5
#define GNTMAP_can_fail         (1 << _GNTMAP_can_fail)

/* copy flags: whether source / dest name a grant (else a local frame). */
#define _GNTCOPY_source_gref    0
#define GNTCOPY_source_gref     (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref      1
#define GNTCOPY_dest_gref       (1 << _GNTCOPY_dest_gref)

/* Per-record status codes (the hypercall itself returns 0 or -Exxx). */
#define GNTST_okay               (0)
#define GNTST_general_error      (-1)
#define GNTST_bad_domain         (-2)
#define GNTST_bad_gntref         (-3)
#define GNTST_bad_handle         (-4)
#define GNTST_bad_virt_addr      (-5)
#define GNTST_bad_dev_addr       (-6)
#define GNTST_no_device_space    (-7)
#define GNTST_permission_denied  (-8)
#define GNTST_bad_page           (-9)
#define GNTST_bad_copy_arg      (-10)   /* copy crosses a page boundary */
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)
#define GNTST_no_space          (-13)

#ifndef __ASSEMBLER__

typedef uint32_t xen_grant_ref_t;      /* index into a grant table */
typedef uint32_t xen_grant_handle_t;   /* names one mapping, for unmap */
typedef uint16_t xen_grant_status_t;   /* v2 status word */

/* Version 1 entry: 8 bytes, 512 per page. */
struct xen_grant_entry_v1 {
    uint16_t    flags;   /* GTF_* */
    xen_domid_t domid;   /* [GST] the one domain allowed */
    uint32_t    frame;   /* [GST] the frame; [XEN] on transfer completion */
};
typedef struct xen_grant_entry_v1 xen_grant_entry_v1_t;
XEN_ABI_SIZE(struct xen_grant_entry_v1, 8);
XEN_ABI_OFFSET(struct xen_grant_entry_v1, flags, 0);
XEN_ABI_OFFSET(struct xen_grant_entry_v1, domid, 2);
XEN_ABI_OFFSET(struct xen_grant_entry_v1, frame, 4);

struct xen_grant_entry_header {
    uint16_t    flags;
    xen_domid_t domid;
};
XEN_ABI_SIZE(struct xen_grant_entry_header, 4);
XEN_ABI_OFFSET(struct xen_grant_entry_header, flags, 0);
XEN_ABI_OFFSET(struct xen_grant_entry_header, domid, 2);

/* Version 2 entry: 16 bytes; status bits move to separate frames. */
union xen_grant_entry_v2 {
    struct xen_grant_entry_header hdr;
    struct {
        struct xen_grant_entry_header hdr;
        uint32_t  pad0;
        xen_u64_t frame;
    } full_page;
    struct {
        struct xen_grant_entry_header hdr;
        uint16_t  page_off;
        uint16_t  length;
        xen_u64_t frame;
    } sub_page;
    struct {
        struct xen_grant_entry_header hdr;
        xen_domid_t     trans_domid;
        uint16_t        pad0;
        xen_grant_ref_t gref;
    } transitive;
    uint32_t __spacer[4];
};
typedef union xen_grant_entry_v2 xen_grant_entry_v2_t;
XEN_ABI_SIZE(union xen_grant_entry_v2, 16);
XEN_ABI_OFFSET(union xen_grant_entry_v2, full_page.frame, 8);
XEN_ABI_OFFSET(union xen_grant_entry_v2, sub_page.page_off, 4);
XEN_ABI_OFFSET(union xen_grant_entry_v2, sub_page.length, 6);
XEN_ABI_OFFSET(union xen_grant_entry_v2, sub_page.frame, 8);
XEN_ABI_OFFSET(union xen_grant_entry_v2, transitive.trans_domid, 4);
XEN_ABI_OFFSET(union xen_grant_entry_v2, transitive.gref, 8);

struct xen_gnttab_map_grant_ref {
    xen_u64_t          host_addr;     /* IN: where to map (or PTE address) */
    uint32_t           flags;         /* IN: GNTMAP_* */
    xen_grant_ref_t    ref;           /* IN */
    xen_domid_t        dom;           /* IN: the granting domain */
    int16_t            status;        /* OUT: GNTST_* */
    xen_grant_handle_t handle;        /* OUT: for unmap */
    xen_u64_t          dev_bus_addr;  /* OUT */
};
XEN_ABI_SIZE(struct xen_gnttab_map_grant_ref, 32);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, host_addr, 0);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, flags, 8);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, ref, 12);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, dom, 16);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, status, 18);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, handle, 20);
XEN_ABI_OFFSET(struct xen_gnttab_map_grant_ref, dev_bus_addr, 24);

struct xen_gnttab_unmap_grant_ref {
    xen_u64_t          host_addr;
    xen_u64_t          dev_bus_addr;
    xen_grant_handle_t handle;
    int16_t            status;        /* OUT */
};
XEN_ABI_SIZE(struct xen_gnttab_unmap_grant_ref, 24);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_grant_ref, host_addr, 0);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_grant_ref, dev_bus_addr, 8);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_grant_ref, handle, 16);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_grant_ref, status, 20);

/* Ask for the machine frames of one's own grant table, to map them. */
struct xen_gnttab_setup_table {
    xen_domid_t        dom;           /* IN: DOMID_SELF unless privileged */
    uint32_t           nr_frames;     /* IN */
    int16_t            status;        /* OUT */
    xen_guest_handle_t frame_list;    /* OUT: -> xen_pfn_t[nr_frames] */
};
XEN_ABI_SIZE(struct xen_gnttab_setup_table, 16);
XEN_ABI_OFFSET(struct xen_gnttab_setup_table, dom, 0);
XEN_ABI_OFFSET(struct xen_gnttab_setup_table, nr_frames, 4);
XEN_ABI_OFFSET(struct xen_gnttab_setup_table, status, 8);
XEN_ABI_OFFSET(struct xen_gnttab_setup_table, frame_list, 12);

struct xen_gnttab_dump_table {
    xen_domid_t dom;
    int16_t     status;
};
XEN_ABI_SIZE(struct xen_gnttab_dump_table, 4);
XEN_ABI_OFFSET(struct xen_gnttab_dump_table, dom, 0);
XEN_ABI_OFFSET(struct xen_gnttab_dump_table, status, 2);

struct xen_gnttab_transfer {
    xen_pfn_t       mfn;
    xen_domid_t     domid;
    xen_grant_ref_t ref;
    int16_t         status;
};
XEN_ABI_SIZE(struct xen_gnttab_transfer, 16);
XEN_ABI_OFFSET(struct xen_gnttab_transfer, mfn, 0);
XEN_ABI_OFFSET(struct xen_gnttab_transfer, domid, 4);
XEN_ABI_OFFSET(struct xen_gnttab_transfer, ref, 8);
XEN_ABI_OFFSET(struct xen_gnttab_transfer, status, 12);

/* One end of a copy: a grant (with GNTCOPY_*_gref) or a local frame. */
struct xen_gnttab_copy_ptr {
    union {
        xen_grant_ref_t ref;
        xen_pfn_t       gmfn;
    } u;
    xen_domid_t domid;
    uint16_t    offset;
};
XEN_ABI_SIZE(struct xen_gnttab_copy_ptr, 8);
XEN_ABI_OFFSET(struct xen_gnttab_copy_ptr, u, 0);
XEN_ABI_OFFSET(struct xen_gnttab_copy_ptr, domid, 4);
XEN_ABI_OFFSET(struct xen_gnttab_copy_ptr, offset, 6);

struct xen_gnttab_copy {
    struct xen_gnttab_copy_ptr source, dest;
    uint16_t len;                     /* bytes; must stay within each page */
    uint16_t flags;                   /* GNTCOPY_* */
    int16_t  status;                  /* OUT */
};
XEN_ABI_SIZE(struct xen_gnttab_copy, 24);
XEN_ABI_OFFSET(struct xen_gnttab_copy, source, 0);
XEN_ABI_OFFSET(struct xen_gnttab_copy, dest, 8);
XEN_ABI_OFFSET(struct xen_gnttab_copy, len, 16);
XEN_ABI_OFFSET(struct xen_gnttab_copy, flags, 18);
XEN_ABI_OFFSET(struct xen_gnttab_copy, status, 20);

struct xen_gnttab_query_size {
    xen_domid_t dom;
    uint32_t    nr_frames;            /* OUT */
    uint32_t    max_nr_frames;        /* OUT */
    int16_t     status;               /* OUT */
};
XEN_ABI_SIZE(struct xen_gnttab_query_size, 16);
XEN_ABI_OFFSET(struct xen_gnttab_query_size, dom, 0);
XEN_ABI_OFFSET(struct xen_gnttab_query_size, nr_frames, 4);
XEN_ABI_OFFSET(struct xen_gnttab_query_size, max_nr_frames, 8);
XEN_ABI_OFFSET(struct xen_gnttab_query_size, status, 12);

struct xen_gnttab_unmap_and_replace {
    xen_u64_t          host_addr;
    xen_u64_t          new_addr;
    xen_grant_handle_t handle;
    int16_t            status;
};
XEN_ABI_SIZE(struct xen_gnttab_unmap_and_replace, 24);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_and_replace, host_addr, 0);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_and_replace, new_addr, 8);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_and_replace, handle, 16);
XEN_ABI_OFFSET(struct xen_gnttab_unmap_and_replace, status, 20);

struct xen_gnttab_set_version {
    uint32_t version;                 /* IN/OUT: 1 or 2 */
};
XEN_ABI_SIZE(struct xen_gnttab_set_version, 4);
XEN_ABI_OFFSET(struct xen_gnttab_set_version, version, 0);

struct xen_gnttab_get_status_frames {
    uint32_t           nr_frames;
    xen_domid_t        dom;
    int16_t            status;
    xen_guest_handle_t frame_list;    /* -> uint64_t[nr_frames] */
};
XEN_ABI_SIZE(struct xen_gnttab_get_status_frames, 12);
XEN_ABI_OFFSET(struct xen_gnttab_get_status_frames, nr_frames, 0);
XEN_ABI_OFFSET(struct xen_gnttab_get_status_frames, dom, 4);
XEN_ABI_OFFSET(struct xen_gnttab_get_status_frames, status, 6);
XEN_ABI_OFFSET(struct xen_gnttab_get_status_frames, frame_list, 8);

struct xen_gnttab_get_version {
    xen_domid_t dom;
    uint16_t    pad;
    uint32_t    version;              /* OUT */
};
XEN_ABI_SIZE(struct xen_gnttab_get_version, 8);
XEN_ABI_OFFSET(struct xen_gnttab_get_version, dom, 0);
XEN_ABI_OFFSET(struct xen_gnttab_get_version, pad, 2);
XEN_ABI_OFFSET(struct xen_gnttab_get_version, version, 4);

#endif /* !__ASSEMBLER__ */
#endif

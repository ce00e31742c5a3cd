/*
 * memory.h - memory_op: a domain's memory reservation and memory map.
 *
 * This file owns the XENMEM_* commands of hypercall 12 (memory_op) that a
 * PV kernel uses: giving pages back and asking for more (balloon), asking
 * where the M2P table is mapped, and reading the pseudo-physical memory
 * map.  It must never describe the commands only control tools use
 * (paging, sharing, access); they are left out on purpose.
 * Every call is memory_op(cmd, pointer to the record for cmd); the
 * reservation commands return how many extents were done.
 */
#ifndef XEN_PUBLIC_MEMORY_H
#define XEN_PUBLIC_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation  0   /* arg -> xen_memory_reservation */
#define XENMEM_decrease_reservation  1   /* arg -> xen_memory_reservation */
#define XENMEM_maximum_ram_page      2   /* arg NULL: highest RAM mfn */
#define XENMEM_current_reservation   3   /* arg -> xen_memory_domain */
#define XENMEM_maximum_reservation   4   /* arg -> xen_memory_domain */
#define XENMEM_machphys_mfn_list     5   /* arg -> xen_machphys_mfn_list */
#define XENMEM_populate_physmap      6   /* arg -> xen_memory_reservation */
#define XENMEM_add_to_physmap        7   /* arg -> xen_add_to_physmap */
/*                                   8 was removed (translate_gpfn_list) */
#define XENMEM_memory_map            9   /* arg -> xen_memory_map */
#define XENMEM_machine_memory_map   10   /* arg -> xen_memory_map (d0) */
#define XENMEM_exchange             11   /* arg -> xen_memory_exchange */
#define XENMEM_machphys_mapping     12   /* arg -> xen_machphys_mapping */
#define XENMEM_set_memory_map       13   /* arg -> xen_foreign_memory_map */
#define XENMEM_maximum_gpfn         14   /* arg -> xen_memory_domain */
#define XENMEM_remove_from_physmap  15   /* arg -> xen_remove_from_physmap */

/*
 * cmd's low 6 bits are the command; the bits above are the extent a
 * continuation starts at (Xen's hypercall continuations write them).
 */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1 << MEMOP_EXTENT_SHIFT) - 1)

/* mem_flags of a reservation: address width limit and NUMA node. */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_vnode               (1 << 18)

/* Spaces add_to_physmap maps from (translated guests only). */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

#ifndef __ASSEMBLER__

/*
 * nr_extents extents of 2^extent_order pages each.  extent_start lists
 * frame numbers: in for decrease (the frames to give back) and for
 * populate_physmap (the pfns to fill), out for increase (the new mfns).
 */
struct xen_memory_reservation {
    xen_guest_handle_t extent_start;  /* -> xen_pfn_t[nr_extents] */
    xen_ulong_t        nr_extents;
    uint32_t           extent_order;
    uint32_t           mem_flags;     /* XENMEMF_* */
    xen_domid_t        domid;         /* DOMID_SELF unless privileged */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
XEN_ABI_SIZE(struct xen_memory_reservation, 20);
XEN_ABI_OFFSET(struct xen_memory_reservation, extent_start, 0);
XEN_ABI_OFFSET(struct xen_memory_reservation, nr_extents, 4);
XEN_ABI_OFFSET(struct xen_memory_reservation, extent_order, 8);
XEN_ABI_OFFSET(struct xen_memory_reservation, mem_flags, 12);
XEN_ABI_OFFSET(struct xen_memory_reservation, domid, 16);

/* Trade the "in" extents for freshly allocated "out" extents, atomically. */
struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    xen_ulong_t nr_exchanged;         /* OUT; the caller must zero it */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
XEN_ABI_SIZE(struct xen_memory_exchange, 44);
XEN_ABI_OFFSET(struct xen_memory_exchange, in, 0);
XEN_ABI_OFFSET(struct xen_memory_exchange, out, 20);
XEN_ABI_OFFSET(struct xen_memory_exchange, nr_exchanged, 40);

struct xen_memory_domain {
    xen_domid_t domid;
};
XEN_ABI_SIZE(struct xen_memory_domain, 2);
XEN_ABI_OFFSET(struct xen_memory_domain, domid, 0);

/* The mfns of the 2 MiB pieces the M2P table is made of. */
struct xen_machphys_mfn_list {
    uint32_t           max_extents;
    xen_guest_handle_t extent_start;  /* -> xen_pfn_t[max_extents] */
    uint32_t           nr_extents;    /* OUT */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
XEN_ABI_SIZE(struct xen_machphys_mfn_list, 12);
XEN_ABI_OFFSET(struct xen_machphys_mfn_list, max_extents, 0);
XEN_ABI_OFFSET(struct xen_machphys_mfn_list, extent_start, 4);
XEN_ABI_OFFSET(struct xen_machphys_mfn_list, nr_extents, 8);

/*
 * Where the read-only M2P table is mapped, and the largest mfn it covers:
 * its whole window, entries for frames beyond RAM included (they read as
 * unmapped).  XENMEM_machphys_mapping, for the caller's own use.
 */
struct xen_machphys_mapping {
    xen_ulong_t v_start, v_end;
    xen_ulong_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
XEN_ABI_SIZE(struct xen_machphys_mapping, 12);
XEN_ABI_OFFSET(struct xen_machphys_mapping, v_start, 0);
XEN_ABI_OFFSET(struct xen_machphys_mapping, v_end, 4);
XEN_ABI_OFFSET(struct xen_machphys_mapping, max_mfn, 8);

struct xen_add_to_physmap {
    xen_domid_t domid;
    uint16_t    size;       /* pages, for XENMAPSPACE_gmfn_range */
    uint32_t    space;      /* XENMAPSPACE_* */
    xen_ulong_t idx;        /* index within that space */
    xen_pfn_t   gpfn;       /* where it should appear */
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
XEN_ABI_SIZE(struct xen_add_to_physmap, 16);
XEN_ABI_OFFSET(struct xen_add_to_physmap, domid, 0);
XEN_ABI_OFFSET(struct xen_add_to_physmap, size, 2);
XEN_ABI_OFFSET(struct xen_add_to_physmap, space, 4);
XEN_ABI_OFFSET(struct xen_add_to_physmap, idx, 8);
XEN_ABI_OFFSET(struct xen_add_to_physmap, gpfn, 12);

struct xen_remove_from_physmap {
    xen_domid_t domid;
    xen_pfn_t   gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
XEN_ABI_SIZE(struct xen_remove_from_physmap, 8);
XEN_ABI_OFFSET(struct xen_remove_from_physmap, domid, 0);
XEN_ABI_OFFSET(struct xen_remove_from_physmap, gpfn, 4);

/*
 * A memory map in the BIOS "e820" format: buffer holds nr_entries records
 * of 20 bytes (64-bit address, 64-bit length, 32-bit type, 1 = RAM).
 */
struct xen_memory_map {
    uint32_t           nr_entries;  /* IN: capacity; OUT: entries written */
    xen_guest_handle_t buffer;      /* -> struct xen_e820_entry[] */
};
typedef struct xen_memory_map xen_memory_map_t;
XEN_ABI_SIZE(struct xen_memory_map, 8);
XEN_ABI_OFFSET(struct xen_memory_map, nr_entries, 0);
XEN_ABI_OFFSET(struct xen_memory_map, buffer, 4);

#define XEN_E820_RAM 1      /* the e820 type of usable RAM */

struct xen_e820_entry {
    xen_u64_t addr;
    xen_u64_t size;
    uint32_t  type;
};
XEN_ABI_SIZE(struct xen_e820_entry, 20);
XEN_ABI_OFFSET(struct xen_e820_entry, addr, 0);
XEN_ABI_OFFSET(struct xen_e820_entry, size, 8);
XEN_ABI_OFFSET(struct xen_e820_entry, type, 16);

struct xen_foreign_memory_map {
    xen_domid_t domid;
    struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
XEN_ABI_SIZE(struct xen_foreign_memory_map, 12);
XEN_ABI_OFFSET(struct xen_foreign_memory_map, domid, 0);
XEN_ABI_OFFSET(struct xen_foreign_memory_map, map, 4);

#endif /* !__ASSEMBLER__ */
#endif

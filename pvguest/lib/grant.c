/*
 * grant.c - grant tables from the guest's side: our table, our grants, others' pages.
 *
 * gnttab_setup() asks for our table's frames (setup_table) and maps them
 * writable at consecutive scratch VAs (mm_va_slot), as a PV kernel does.
 * A grant is written as Linux writes one: frame and domid first, then the
 * flags that publish it.  Revoking swaps the flags back to 0 only while
 * GTF_reading and GTF_writing are clear - the hypervisor sets them while
 * another domain maps or copies the frame - so it is a compare-and-swap.
 * The map, unmap and copy helpers issue one record each and return its
 * GNTST_* status (or the hypercall's -errno when the call itself failed).
 */
#include "pvguest/lib/pvguest.h"

#define PER_FRAME (PAGE_SIZE / sizeof(xen_grant_entry_v1_t))

static volatile xen_grant_entry_v1_t *table;
static unsigned table_frames;

long gnttab_setup(unsigned nr_frames, uint32_t *frames)
{
    struct xen_gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = nr_frames };
    op.frame_list = (xen_guest_handle_t)(uintptr_t)frames;
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &op, 1);
    if (rc || op.status)
        return rc ? rc : op.status;
    for (unsigned i = table_frames; i < nr_frames; i++) {
        uint32_t va = mm_va_slot();
        if (!va || (rc = mm_map(va, mm_pte(frames[i], PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY))))
            return va ? rc : -ENOMEM;
        if (i == 0)
            table = (volatile xen_grant_entry_v1_t *)va;
        else if (va != (uint32_t)(uintptr_t)table + i * PAGE_SIZE)
            return -ENOMEM;                  /* the slots were not consecutive */
        table_frames = i + 1;
    }
    return 0;
}

volatile xen_grant_entry_v1_t *gnttab_entry(xen_grant_ref_t ref)
{
    return ref < table_frames * PER_FRAME ? &table[ref] : NULL;
}

void gnttab_grant(xen_grant_ref_t ref, unsigned domid, uint32_t mfn, bool readonly)
{
    volatile xen_grant_entry_v1_t *e = gnttab_entry(ref);
    e->frame = mfn;
    e->domid = (xen_domid_t)domid;
    __asm__ volatile("" ::: "memory");
    e->flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
}

uint16_t gnttab_revoke(xen_grant_ref_t ref)
{
    volatile uint16_t *flags = &gnttab_entry(ref)->flags;
    uint16_t seen = *flags;
    while (!(seen & (GTF_reading | GTF_writing))) {
        uint16_t was = __sync_val_compare_and_swap(flags, seen, 0);
        if (was == seen)
            return 0;
        seen = was;
    }
    return seen;                             /* still in use: the flags that say so */
}

int16_t gnttab_map(unsigned dom, xen_grant_ref_t ref, uint32_t va, uint32_t flags,
                   xen_grant_handle_t *handle, uint64_t *bus)
{
    struct xen_gnttab_map_grant_ref op = { .host_addr = va, .flags = flags, .ref = ref,
                                      .dom = (xen_domid_t)dom, .handle = 0xdeadbeef };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (handle)
        *handle = op.handle;
    if (bus)
        *bus = op.dev_bus_addr;
    return rc ? (int16_t)rc : op.status;
}

int16_t gnttab_unmap(uint32_t va, xen_grant_handle_t handle, uint64_t bus)
{
    struct xen_gnttab_unmap_grant_ref op = { .host_addr = va, .dev_bus_addr = bus, .handle = handle,
                                        .status = 0x5555 };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    return rc ? (int16_t)rc : op.status;
}

int16_t gnttab_copy(const struct xen_gnttab_copy *c)
{
    struct xen_gnttab_copy op = *c;
    op.status = 0x5555;
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &op, 1);
    return rc ? (int16_t)rc : op.status;
}

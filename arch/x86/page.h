/*
 * page.h - PAE page-table entries and how to read them.
 *
 * With PAE every entry is 64 bits: a machine frame number in bits 12..51
 * and flags in the rest.  Entries are read only through these accessors so
 * that a frame number and a flag word can never be confused, and so that
 * the NX bit (bit 63) is never lost by a 32-bit truncation.
 */
#ifndef ARCH_X86_PAGE_H
#define ARCH_X86_PAGE_H

#include "hypervisor/types.h"

typedef uint64_t pte_t;      /* an entry at any level */

#define _PAGE_PRESENT  0x001u
#define _PAGE_RW       0x002u
#define _PAGE_USER     0x004u
#define _PAGE_PWT      0x008u
#define _PAGE_PCD      0x010u
#define _PAGE_ACCESSED 0x020u
#define _PAGE_DIRTY    0x040u
#define _PAGE_PSE      0x080u   /* in an L2: a 2 MiB page */
#define _PAGE_GLOBAL   0x100u
#define _PAGE_NX       (1ull << 63)
#define PTE_MFN_MASK   0x000ffffffffff000ull

#define L1_ENTRIES 512
#define L2_ENTRIES 512
#define L3_ENTRIES 4

static inline pte_t pte_make(mfn_t mfn, uint64_t flags) { return ((uint64_t)mfn_x(mfn) << PAGE_SHIFT) | flags; }
static inline mfn_t pte_mfn(pte_t e) { return _mfn((uint32_t)((e & PTE_MFN_MASK) >> PAGE_SHIFT)); }
static inline uint64_t pte_flags(pte_t e) { return e & ~PTE_MFN_MASK; }
static inline bool pte_present(pte_t e) { return e & _PAGE_PRESENT; }

static inline unsigned l3_index(uint32_t va) { return va >> 30; }
static inline unsigned l2_index(uint32_t va) { return (va >> 21) & 511; }
static inline unsigned l1_index(uint32_t va) { return (va >> 12) & 511; }

#endif

/*
 * types.h - the basic types every file uses.
 *
 * Only freestanding compiler headers are used, so this also builds on the
 * host for unit tests.  Frame numbers get their own one-member struct types:
 * passing a guest pseudo-physical frame (pfn) where a machine frame (mfn)
 * is wanted is exactly the kind of bug that becomes a security hole in a
 * paravirtual hypervisor, so the compiler is made to refuse it.
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint64_t paddr_t;        /* machine physical address (PAE: 36+ bits) */
typedef uint32_t guest_ptr_t;    /* a guest virtual address; never dereference */

typedef struct { uint32_t m; } mfn_t;   /* machine frame number */
typedef struct { uint32_t p; } pfn_t;   /* guest pseudo-physical frame number */

static inline mfn_t _mfn(uint32_t m) { return (mfn_t){ m }; }
static inline uint32_t mfn_x(mfn_t m) { return m.m; }
static inline pfn_t _pfn(uint32_t p) { return (pfn_t){ p }; }
static inline uint32_t pfn_x(pfn_t p) { return p.p; }

#define INVALID_MFN _mfn(~0u)
#define mfn_eq(a, b) (mfn_x(a) == mfn_x(b))

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1u << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define __packed   __attribute__((packed))
#define __noreturn __attribute__((noreturn))
#define __noinline __attribute__((noinline))
#define __unused   __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#endif

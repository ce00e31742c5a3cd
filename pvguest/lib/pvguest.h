/*
 * pvguest.h - everything a pvguest test kernel can call.
 *
 * pvguest is a tiny 32-bit PAE paravirtualized kernel: it runs in ring 1,
 * owns no hardware and reaches the outside world only through hypercalls.
 * This header is its whole library interface: the start-of-day state the
 * domain builder handed us, console output, an XTF-style verdict, command
 * line words, string helpers and a read-only walk of our own page tables.
 * It must never include a hypervisor header: a guest knows only the public
 * ABI (hypercalls/public/) and the generated hypercall stubs, exactly like
 * a kernel built for real Xen.
 */
#ifndef PVGUEST_H
#define PVGUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "gen/pvguest_hypercalls.h"

#define PAGE_SIZE 4096u
#define ALIGN_UP(x, a)  (((x) + ((a) - 1)) & ~((a) - 1))
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define __printf(f, a)  __attribute__((format(printf, f, a)))
#define __noreturn      __attribute__((noreturn))

/* ---- start of day (head.S) ------------------------------------------- */

/* The test's entry point: called once, with ESI as the builder set it. */
void pvguest_main(const xen_start_info_t *si);

/* What head.S saved from the entry registers before touching anything. */
extern const xen_start_info_t *pvguest_start_info;   /* ESI at entry */
extern uint32_t pvguest_boot_esp;                      /* ESP at entry */

/* Layout symbols from guest.ld: where this image was linked. */
extern char __pv_virt_base[], _start[], _end[], _etext[];
#define PV_VIRT_BASE ((uint32_t)(uintptr_t)__pv_virt_base)

/* ---- console (console.c, format.c) ----------------------------------- */

/*
 * printf() collects a line and hands it to console_io when it sees '\n'
 * (or fills 256 bytes), so each write the hypervisor sees is whole and
 * prints as one "(dN) ..." line however many printf calls built it.
 * Conversions: %d %i %u %x %X %p %s %c %%, flags '-' '0', a width, a
 * precision for %s, and the 'l'/'ll' length modifiers (ll: 64-bit values).
 */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void console_write(const char *s, size_t n);   /* raw, unbuffered */
void console_flush(void);

/* ---- verdicts (test.c), after XTF ----------------------------------- */

/*
 * A test reports as it goes; the worst report wins, in the order
 * SUCCESS < SKIP < ERROR < FAILURE.  test_fail() means the hypervisor did
 * something wrong; test_error() means the test itself could not run
 * properly; test_skip() means the test does not apply.  xtf_exit() prints
 * exactly one "Test result: ..." line and powers the domain off.
 */
void test_pass(void);
void test_fail(const char *fmt, ...) __printf(1, 2);
void test_error(const char *fmt, ...) __printf(1, 2);
void test_skip(const char *fmt, ...) __printf(1, 2);
void __noreturn xtf_exit(void);

/*
 * One line "check <what>: got <rc> want <rc>"; a mismatch is a failure.
 * Returns true when they matched, so a test can stop early if it must.
 */
bool check_rc(const char *what, long got, long want);
bool check_hex(const char *what, uint32_t got, uint32_t want);   /* 0x%08x */

/* SCHEDOP_shutdown with a SHUTDOWN_* reason; returns only if refused. */
long shutdown(unsigned int reason);

/* ---- command line (cmdline.c) ----------------------------------------- */

/*
 * start_info.cmd_line holds the words after "--" on the module line.
 * cmdline_get("reason", buf, n) finds the word "reason=VALUE" and copies
 * VALUE; cmdline_uint() does the same for a number (decimal or 0x hex).
 */
bool cmdline_get(const char *key, char *buf, size_t size);
unsigned long cmdline_uint(const char *key, unsigned long dflt);
bool parse_uint(const char *s, unsigned long *out);

/* ---- our own page tables, read-only (pagetable.c) --------------------- */

/*
 * The builder gives us PAE page tables mapped read-only at start_info's
 * pt_base, holding machine frame numbers, and the pfn->mfn list at
 * mfn_list.  pt_lookup() walks them for va and returns true with the L1
 * entry (a 2 MiB L2 entry is turned into the equivalent 4 KiB one) if va
 * is present.  It returns false if va is not mapped - or if a table on the
 * way is not one of our own frames, which the builder should never do.
 * pt_mapped_end() is the first unmapped page at or above va, scanning at
 * most to the hypervisor hole.
 */
#define PTE_PRESENT 0x1ull
#define PTE_RW      0x2ull
#define PTE_USER    0x4ull
#define PTE_PSE     0x80ull                /* in an L2 entry: a 2 MiB page */
#define PTE_MFN(e)  ((uint32_t)(((e) >> 12) & 0xffffffull))
bool pt_lookup(uint32_t va, uint64_t *pte);
uint32_t pt_mapped_end(uint32_t va);

/* ---- CPUID through the forced-emulation prefix (cpuid.c) ------------- */

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };
void xen_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

/* ---- strings (string.c) --------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);

#endif

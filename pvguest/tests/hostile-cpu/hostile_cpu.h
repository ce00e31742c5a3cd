/* hostile_cpu.h - what the files of the hostile-cpu guest share. */
#ifndef PVGUEST_TESTS_HOSTILE_CPU_H
#define PVGUEST_TESTS_HOSTILE_CPU_H
#include "pvguest/lib/pvguest.h"

#define HOLE     0xFC100000u             /* the hypervisor image, inside the hole */
#define HOLE_END 0xFFFFF000u
#define VICTIM   0u                      /* booted first: d0 */
#define NO_DOM   250u                    /* a domain id nobody has */

/* check() that also counts this case's mismatches (main.c prints the verdict). */
bool case_tally(bool ok);
#define ck(got, want, ...) case_tally(check((got), (want), __VA_ARGS__))
/* A raw int $0x82 with any number, the way a hostile kernel can make one. */
long hc(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3);
/* A VA of ours that maps nothing. */
uint32_t unmapped_va(void);

#define EFLAGS_IOPL 0x3000u
#define EFLAGS_NT   0x4000u
#define EFLAGS_VM   0x20000u
#define SEL(slot, rpl) ((slot) * 8 + (rpl))
#define LDT_SEL(slot, rpl) ((slot) * 8 + 4 + (rpl))
/* The slots of our own GDT (cpu.c). */
enum { S_CODE1 = 1, S_DATA1, S_CODE3, S_DATA3, S_MARKER, S_GATE, S_SPARE, NR_SLOTS };
#define MARKER_LIMIT 0x123u

/* desc.c: shared helpers and cases 1-14; traps.c: cases 15-24, 47, 60, 61 (main.c's list). */
uint32_t eflags(void);
uint32_t sreg(int which);                  /* 0 CS, 1 SS, 2 DS, 3 ES */
void gdt_init(void);                       /* our own GDT, with its marker segment */
long set_gdt_frame(uint32_t mfn);            /* set_gdt of one frame, 8 entries */
uint64_t *gdt_page(void);
uint64_t ma_of(const void *p);             /* the machine address of a byte of ours */
void gdt_unchanged(void);                  /* checks: our GDT in force, its spare slot empty */                  /* ... read-only: update_descriptor writes it */
bool int3_reaches_us(void);
/* iret (the hypercall) to just after it, with flags fl and CS cs: EAX as it came back. */
uint32_t iret_here(uint32_t fl, uint32_t eax, uint32_t cs);
void case_gdt_counts(void);
void case_gdt_list_pointer(void);
void case_gdt_foreign_frames(void);
void case_gdt_own_busy_frames(void);
void case_system_descriptors(void);
void case_call_gates(void);
void case_dpl0_code(void);
void case_segments_over_the_hole(void);
void case_update_descriptor_targets(void);
void case_gdt_multicall(void);
void case_ldt_bounds(void);
void case_ldt_pages(void);
void case_ldt_descriptors(void);
void case_ldt_gates(void);
void case_trap_selectors(void);
void case_trap_table_memory(void);
void case_soft_interrupts(void);
void case_callbacks(void);
void case_stack_selectors(void);
void case_iret_flags(void);
void case_dr_addresses(void);
void case_dr7_rules(void);
void case_breakpoints_in_ring0(void);
void case_fpu_taskswitch(void);
void case_failsafe(void);
void case_call_gate_frame(void);
void case_nt_sysenter(void);

/* events.c: the cases on event channels, sched_op, vcpu_op, timers, info calls. */
void case_bind_virq(void);
void case_ports_out_of_range(void);
void case_alloc_unbound_foreign(void);
void case_bind_interdomain(void);
void case_status_foreign(void);
void case_port_exhaustion(void);
void case_evtchn_reset(void);
void case_fifo_and_vcpu_ports(void);
void case_evtchn_compat(void);
void case_shutdown_reasons(void);
void case_poll(void);
void case_remote_shutdown(void);
void case_sched_others(void);
void case_vcpu_ids(void);
void case_runstate_area(void);
void case_vcpu_info(void);
void case_timers(void);
void case_xen_version(void);
void case_console_io(void);
void case_unknown_hypercalls(void);
void case_unknown_subops(void);
void case_physdev(void);
#endif

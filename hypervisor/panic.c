/*
 * panic.c - the hypervisor itself is broken: say everything, then stop.
 *
 * A panic is only ever the hypervisor's own fault (a BUG_ON, or an
 * exception taken in ring 0 that no fixup covers).  Guest misbehaviour
 * never comes here; it ends in domain_halt().  We print the registers and
 * a backtrace by walking the saved-EBP chain (the build keeps frame
 * pointers), naming each return address from the hypervisor's own symbol
 * table, and power off with the panic status.  The serial line is written
 * synchronously from here on (uart_sync), so whatever follows cannot
 * strand the panic's lines in the ring.
 */
#include "hypervisor/panic.h"
#include "hypervisor/console/console.h"
#include "hypervisor/domain/shutdown.h"
#include "hypervisor/symbols.h"
#include "hypervisor/lib.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/uart.h"
#include "arch/x86/x86.h"

static bool panicking;

static void print_addr(const char *label, uint32_t addr)
{
    uint32_t off;
    const char *name = symbols_lookup(addr, &off);
    if (name)
        hvlog("  %s 0x%08x <%s+0x%x>\n", label, addr, name, off);
    else
        hvlog("  %s 0x%08x\n", label, addr);
}

/* Only follow frame pointers that point into the hypervisor stack region. */
static bool plausible_frame(uint32_t ebp)
{
    return ebp >= DIRECTMAP_VIRT_START && (ebp & 3) == 0 && ebp < 0xfffffff0u;
}

static void backtrace(uint32_t eip, uint32_t ebp)
{
    hvlog("backtrace:\n");
    if (eip)
        print_addr("   ", eip);
    for (unsigned depth = 0; depth < 16 && plausible_frame(ebp); depth++) {
        const uint32_t *frame = (const uint32_t *)ebp;
        uint32_t ret = frame[1];
        if (!ret)
            break;
        print_addr("   ", ret);
        if (frame[0] <= ebp)          /* the chain must climb the stack */
            break;
        ebp = frame[0];
    }
}

static void panic_begin(void)
{
    cli();
    if (panicking)                     /* a fault while panicking: just stop */
        shutdown_machine(HV_STATUS_PANIC);
    panicking = true;
    uart_sync();                       /* every line on the wire before the next */
}

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    panic_begin();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    hvlog("PANIC: %s\n", msg);
    backtrace(0, read_ebp());      /* starts with panic()'s caller */
    shutdown_machine(HV_STATUS_PANIC);
}

/*
 * Entered by the CPU through the #DF task gate, on its own stack (desc.c).
 * The interrupted state is in the main TSS; the backtrace is attempted
 * only if its EBP still looks like a hypervisor frame.
 */
void double_fault_task(void)
{
    uint32_t eip, esp, ebp, cr3 __unused;      /* a task switch does not save CR3 */
    desc_df_state(&eip, &esp, &ebp, &cr3);
    panic_begin();
    hvlog("PANIC: #DF double fault in the hypervisor (its stack is unusable)\n");
    print_addr("eip", eip);
    hvlog("  esp 0x%08x ebp 0x%08x cr2 0x%08x\n", esp, ebp, read_cr2());
    backtrace(0, ebp);
    shutdown_machine(HV_STATUS_PANIC);
}

void panic_regs(const struct cpu_regs *r, const char *what)
{
    panic_begin();
    hvlog("PANIC: %s in the hypervisor\n", what);
    hvlog("  vector %u (%s) error code 0x%04x cr2 0x%08x\n",
          r->vector, x86_exception_name(r->vector), r->error_code, read_cr2());
    print_addr("eip", r->eip);
    hvlog("  eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n", r->eax, r->ebx, r->ecx, r->edx);
    hvlog("  esi 0x%08x edi 0x%08x ebp 0x%08x esp 0x%08x\n",
          r->esi, r->edi, r->ebp, (uint32_t)&r->esp);
    hvlog("  cs %04x ds %04x es %04x fs %04x gs %04x eflags 0x%08x\n",
          r->cs & 0xffff, r->ds & 0xffff, r->es & 0xffff, r->fs & 0xffff,
          r->gs & 0xffff, r->eflags);
    hvlog("  cr0 0x%08x cr3 0x%08x cr4 0x%08x\n", read_cr0(), read_cr3(), read_cr4());
    backtrace(r->eip, r->ebp);
    shutdown_machine(HV_STATUS_PANIC);
}

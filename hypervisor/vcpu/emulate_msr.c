/*
 * emulate_msr.c - rdmsr and wrmsr from a guest kernel: Xen's PV MSR view.
 *
 * A PV kernel executes rdmsr and wrmsr in ring 1, where they raise #GP, and
 * expects the answers Xen gives (guest_rdmsr/guest_wrmsr in msr.c and
 * read_msr/write_msr in pv/emul-priv-op.c).  msr_rules[] lists every MSR a
 * 32-bit PV guest can reach on Xen, with the value it reads and what a
 * write does; an MSR not listed, or listed for the other vendor's CPUs, is
 * refused, and the domain's policy decides: a halt naming the MSR, or #GP
 * to the guest under "reflect", which is what Xen does for every MSR it
 * does not offer.  The values are synthetic: this file never reads or
 * writes a real MSR for a guest, so where Xen forwards the host's value
 * (PLATFORM_ID, the microcode revision) the guest reads 0 here.
 */
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/lib.h"
#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"

enum { INTEL = 1, AMD = 2, ANY = INTEL | AMD };
enum msr_write {
    W_GP,       /* read-only (or write-only to nobody): #GP */
    W_SAME,     /* the value rdmsr gives is accepted and dropped; others #GP */
    W_ZERO,     /* 0 is accepted and dropped; others #GP */
    W_DROP,     /* any value is accepted and dropped (Xen logs and ignores it) */
    W_SET,      /* the rule's set() decides */
};

static uint64_t msr_tsc(const struct domain *d)
{
    return d->tsc == TSC_EMULATE ? untrappable_virtual_tsc() : rdtsc();
}
/* Xen hides LME, LMA and (on Intel) SCE from a 32-bit guest; we never set SCE. */
static uint64_t msr_efer(const struct domain *d) { (void)d; return cpu.nx ? EFER_NXE : 0; }
/* CPUID faulting is offered as Xen offers it: where the hardware's is on. */
static uint64_t msr_platform_info(const struct domain *d)
{
    (void)d;
    return cpu.cpuid_faulting_on ? PLATFORM_INFO_CPUID_FAULTING : 0;
}
static uint64_t msr_misc_features(const struct domain *d) { return d->vcpu.cpuid_faulting; } /* bit 0 */
static bool msr_set_misc_features(struct domain *d, uint64_t v)
{
    if (v & ~(cpu.cpuid_faulting_on ? MISC_FEATURES_CPUID_FAULTING : 0))
        return false;
    d->vcpu.cpuid_faulting = v & MISC_FEATURES_CPUID_FAULTING;
    return true;
}

static const struct msr_rule {
    uint32_t msr;
    uint8_t vendors, write;
    uint64_t value;                               /* what rdmsr gives, without read() */
    uint64_t (*read)(const struct domain *d);
    bool (*set)(struct domain *d, uint64_t v);    /* W_SET */
} msr_rules[] = {
    { 0x00000010, ANY,   W_GP,   0, msr_tsc, NULL },            /* TSC */
    { 0x00000017, INTEL, W_GP,   0, NULL, NULL },               /* PLATFORM_ID (Xen: the host's) */
    { 0x0000001b, ANY,   W_GP,   0xfee00900, NULL, NULL },      /* APIC_BASE: enabled, BSP, default base */
    { 0x0000003a, INTEL, W_GP,   1, NULL, NULL },               /* FEATURE_CONTROL: locked, no VMX */
    { 0x0000008b, ANY,   W_ZERO, 0, NULL, NULL },               /* UCODE_REV (Xen: the host's) */
    { MSR_PLATFORM_INFO, ANY, W_GP, 0, msr_platform_info, NULL },
    { MSR_MISC_FEATURES_ENABLES, ANY, W_SET, 0, msr_misc_features, msr_set_misc_features },
    { 0x00000198, INTEL, W_GP,   0, NULL, NULL },               /* PERF_STATUS: reads as zero */
    { 0x00000199, INTEL, W_DROP, 0, NULL, NULL },               /* PERF_CTL: write-discard */
    { 0x0000019c, INTEL, W_GP,   0, NULL, NULL },               /* THERM_STATUS */
    /* MISC_ENABLE: Xen's guest_misc_enable() view - fast strings, no BTS, PEBS or xTPR. */
    { 0x000001a0, INTEL, W_DROP, 0x801801, NULL, NULL },
    { 0x000001d9, ANY,   W_ZERO, 0, NULL, NULL },               /* DEBUGCTL */
    { 0x00000277, ANY,   W_GP,   0x0000050100070406ull, NULL, NULL },   /* PAT: Xen's fixed PAT */
    { 0x00000345, ANY,   W_GP,   0, NULL, NULL },               /* PERF_CAPABILITIES: none */
    { MSR_EFER,   ANY,   W_SAME, 0, msr_efer, NULL },
    { 0xc0010015, AMD,   W_DROP, 0, NULL, NULL },               /* HWCR */
    { 0xc001001f, ANY,   W_DROP, 0, NULL, NULL },               /* NB_CFG: any vendor, as Xen */
    { 0xc0011029, AMD,   W_DROP, 2, NULL, NULL },               /* DE_CFG: LFENCE serialises */
};

static unsigned vendor(void)
{
    return !memcmp(cpu.vendor, "GenuineIntel", 12) ? INTEL :
           !memcmp(cpu.vendor, "AuthenticAMD", 12) ? AMD : 0;
}

/*
 * rdmsr/wrmsr from ring 1.  ECX, EDX and EAX are the guest's: ECX only
 * selects a rule, EDX:EAX only reaches a rule's set().  A refusal says why
 * (naming the MSR) for the halt message.
 */
bool emulate_msr(struct domain *d, struct cpu_regs *r, bool write, char *why, size_t n)
{
    const struct msr_rule *m = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(msr_rules) && !m; i++)
        if (msr_rules[i].msr == r->ecx && (msr_rules[i].vendors & vendor()))
            m = &msr_rules[i];
    if (!m) {
        snprintf(why, n, "MSR 0x%08x is not offered", r->ecx);
        return false;
    }
    uint64_t v = m->read ? m->read(d) : m->value, w = ((uint64_t)r->edx << 32) | r->eax;
    if (!write) {
        r->eax = (uint32_t)v;
        r->edx = (uint32_t)(v >> 32);
        return true;
    }
    bool ok = m->write == W_DROP || (m->write == W_SAME && w == v) ||
              (m->write == W_ZERO && w == 0) || (m->write == W_SET && m->set(d, w));
    if (!ok)
        snprintf(why, n, "MSR 0x%08x refuses 0x%016llx", r->ecx, (unsigned long long)w);
    return ok;
}

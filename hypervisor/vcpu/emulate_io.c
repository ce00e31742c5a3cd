/*
 * emulate_io.c - port I/O from guests: judged by the virtual IOPL, and
 * never reaching a device.
 *
 * Guests run with the real IOPL 0 and no I/O bitmap in the TSS, so every
 * in, out, ins and outs from ring 1 or 3 raises #GP and comes here (via
 * emulate.c).  A PV kernel asks for I/O privilege with physdev_op
 * PHYSDEVOP_set_iopl, and Xen's rule (iopl_ok() in emul-priv-op.c) decides:
 * the access is allowed when the virtual IOPL is at least the guest's
 * virtual CPL - 1 for the kernel, 3 for user mode, and 0 for the kernel
 * once it has enabled VMASST_TYPE_architectural_iopl (it then "runs in
 * ring 0" as far as IOPL goes, as a native kernel does).  A disallowed
 * access goes back to emulate.c's policy (halt, or reflect #GP).
 *
 * An allowed access is emulated as if no device answered: a read gives all
 * ones (0xff, 0xffff, 0xffffffff), a write is dropped.  This file must
 * never execute a real in or out for a guest: this hypervisor gives no
 * domain any device, and a guest that could reach the PIC, the PIT, the
 * UART or QEMU's exit port could take the machine from every other domain.
 * (Xen passes ports through to a domain that owns them; no domain here
 * owns any.)  The string forms move real data, though: ins writes the ones
 * to guest memory at ES:EDI and outs reads the guest's buffer at DS:ESI
 * (or its segment override), through copy_to_guest/copy_from_guest, with
 * EDI/ESI stepped by the size in the direction EFLAGS.DF says and, under a
 * rep prefix, ECX counted down, exactly as the CPU would.  Each access is
 * shown to the guest's I/O breakpoints (debugreg.c); a rep that hits one
 * stops after that element, so the #DB comes where the CPU's would.
 */
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/vcpu/decode.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/layout.h"

#define EFLAGS_DF    (1u << 10)
/* A rep does at most this many elements per trap, then runs again (as an
 * interrupted rep does), so that a guest's ECX of 4 billion cannot hold
 * the CPU with interrupts off. */
#define IO_REP_CHUNK 1024u

bool emulate_iopl_ok(const struct domain *d, const struct cpu_regs *r)
{
    unsigned vcpl = regs_ring(r) == 3 ? 3 :
        d->vcpu.vm_assist & VCPU_ASSIST(VMASST_TYPE_architectural_iopl) ? 0 : 1;
    return vcpl <= d->vcpu.iopl;
}

/* Operand size: the even opcodes are byte forms; 66 makes the odd ones 16-bit. */
static unsigned io_size(const struct insn *in)
{
    if (!(in->op & 1))
        return 1;
    return in->prefixes & INSN_P_OPSIZE ? 2 : 4;
}

/* What an absent device answers: all ones, size bytes wide. */
static uint32_t no_device(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/*
 * Is segment register seg one of the flat guest data segments (base 0)?
 * Those are the only ones whose base we know until guests have their own
 * GDT; anything else (a null selector, say) is refused, which under
 * policy=reflect gives the #GP the CPU would have given.
 */
bool emulate_flat_segment(const struct cpu_regs *r, unsigned seg)
{
    uint32_t sel;
    switch (seg) {
    case SEG_ES: sel = r->es; break;
    case SEG_SS: sel = r->ss; break;
    case SEG_DS: sel = r->ds; break;
    case SEG_FS: sel = r->fs; break;
    case SEG_GS: sel = r->gs; break;
    default: return false;                       /* CS: not a data segment */
    }
    sel &= 0xfffc;
    return sel == (RING1_DS & 0xfffc) || sel == (RING3_DS & 0xfffc);
}

/*
 * ins/outs, one element or a rep run.  Every register here is guest
 * controlled; each element is one checked copy at the (masked) index, so a
 * bad buffer stops the run at that element with the registers showing how
 * far it got, as on hardware.  Addresses are 16-bit under a 67 prefix.
 */
static enum emul_result string_io(struct domain *d, struct cpu_regs *r, const struct insn *in,
                                  unsigned size, char *why, size_t n)
{
    bool ins = in->kind == INSN_INS;
    unsigned seg = ins ? SEG_ES : in->seg == SEG_NONE ? SEG_DS : in->seg;
    if (!emulate_flat_segment(r, seg))
        return EMUL_DISALLOWED;
    uint32_t mask = in->prefixes & INSN_P_ADDRSIZE ? 0xffffu : 0xffffffffu;
    bool rep = in->prefixes & (INSN_P_REP | INSN_P_REPNE);
    uint32_t count = rep ? r->ecx & mask : 1, done = 0;
    if (count)                                   /* a rep of none touches no port */
        debugreg_io_access(d, r->edx & 0xffff, size);
    uint32_t chunk = d->vcpu.io_hits ? 1 : IO_REP_CHUNK;
    uint32_t *index = ins ? &r->edi : &r->esi;
    uint32_t step = r->eflags & EFLAGS_DF ? -size : size;
    bool fault = false;
    while (done < count && done < chunk) {
        uint32_t addr = *index & mask, data = no_device(size);
        if (ins ? copy_to_guest(addr, &data, size) : copy_from_guest(&data, addr, size)) {
            snprintf(why, n, "%s buffer at 0x%08x is not %s", ins ? "destination" : "source",
                     addr, ins ? "writable" : "readable");
            fault = true;
            break;
        }
        /* outs: data is read, and dropped: no device is listening. */
        *index = (*index & ~mask) | ((*index + step) & mask);
        done++;
    }
    if (rep)
        r->ecx = (r->ecx & ~mask) | ((r->ecx - done) & mask);
    if (fault)
        return EMUL_FAULT;
    return done < count ? EMUL_RESTART : EMUL_DONE;
}

enum emul_result emulate_io(struct domain *d, struct cpu_regs *r, const struct insn *in,
                            char *why, size_t n)
{
    if (!emulate_iopl_ok(d, r))
        return EMUL_DISALLOWED;
    /* Every port is "no device"; the port (imm8, or DX for the ec-ef forms)
     * matters only to the guest's I/O breakpoints. */
    unsigned size = io_size(in);
    switch (in->kind) {
    case INSN_IN:
    case INSN_OUT:
        debugreg_io_access(d, in->op & 8 ? r->edx & 0xffff : in->imm, size);
        if (in->kind == INSN_IN)
            r->eax |= no_device(size);               /* the low size bytes read as ones */
        return EMUL_DONE;                            /* an out is dropped */
    case INSN_INS:
    case INSN_OUTS:
        return string_io(d, r, in, size, why, n);
    default:
        return EMUL_DISALLOWED;
    }
}

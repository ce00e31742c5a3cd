/*
 * decode.c - length and operand decoder for 32-bit x86 instructions.
 *
 * The hypervisor decodes an instruction after a ring-1 guest faulted on it:
 * to name it in a halt message and to emulate a few (mov from %crN, in/out,
 * cpuid...).  Emulating means advancing the guest's EIP by the instruction's
 * length, so the length must be exactly the one the CPU used: a decoder one
 * byte short lets the guest resume in the middle of its own instruction, at
 * bytes of its choosing.  Lengths therefore come from two compact tables
 * that cover the whole one-byte and 0F opcode maps, and tests compare them
 * with objdump on every binary we build.  This file owns decoding,
 * classification (enum insn_kind, insn_is_privileged) and the opdefs[]
 * table; spelling is decode_format.c's.  It never reads guest memory and
 * never decides policy.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/decode.h"
#include "hypervisor/vcpu/decode_internal.h"

/*
 * What follows each opcode byte, one character per opcode, 16 per row:
 *   .  nothing           m  ModRM             x  undefined (#UD)
 *   b  imm8              B  ModRM + imm8      P  prefix (consumed earlier)
 *   w  imm16             Z  ModRM + imm16/32  2  0F escape
 *   z  imm16/32 (66 selects 16)               r  0F 38 escape   s  0F 3A escape
 *   a  moffs16/32 (67 selects 16)             t  F6: ModRM, imm8 if /0 or /1
 *   e  enter: imm16 + imm8                    T  F7: ModRM, imm16/32 if /0 or /1
 *   p  far ptr16:16/32   u  3DNow!, VIA: not ours  v  ModRM; VEX/EVEX if mod == 3
 * The 0F 38 map is all 'm' and the 0F 3A map all 'B'.
 */
static const char shape_1byte[] =
    "mmmmbz..mmmmbz.2" "mmmmbz..mmmmbz.." "mmmmbzP.mmmmbzP." "mmmmbzP.mmmmbzP."
    "................" "................" "..vmPPPPzZbB...." "bbbbbbbbbbbbbbbb"
    "BZBBmmmmmmmmmmmm" "..........p....." "aaaa....bz......" "bbbbbbbbzzzzzzzz"
    "BBw.vvBZe.w..b.." "mmmmbbx.mmmmmmmm" "bbbbbbbbzzpb...." "P.PP..tT......mm";
static const char shape_0f[] =
    "mmmmx.....x.xm.u" "mmmmmmmmmmmmmmmm" "mmmmmxmxmmmmmmmm" "......x.rxsxxxxx"
    "mmmmmmmmmmmmmmmm" "mmmmmmmmmmmmmmmm" "mmmmmmmmmmmmmmmm" "BBBBmmm.mmxxmmmm"
    "zzzzzzzzzzzzzzzz" "mmmmmmmmmmmmmmmm" "...mBmuu...mBmmm" "mmmmmmmmmmBmmmmm"
    "mmBmBBBm........" "mmmmmmmmmmmmmmmm" "mmmmmmmmmmmmmmmm" "mmmmmmmmmmmmmmmm";
_Static_assert(sizeof(shape_1byte) == 257 && sizeof(shape_0f) == 257, "16x16 tables");

/*
 * The instructions that are not regular enough to compute: their kind and
 * their objdump template (the template language is in decode_internal.h).
 */
#define ANY 0xff                   /* opdef.reg: any ModRM.reg (or none) */
#define OP(op, k, t)       { MAP_ONE_BYTE, op, ANY, INSN_##k, t }
#define OPR(op, r, k, t)   { MAP_ONE_BYTE, op, r, INSN_##k, t }     /* by ModRM.reg */
#define OF(op, k, t)       { MAP_0F, op, ANY, INSN_##k, t }
#define OFR(op, r, k, t)   { MAP_0F, op, r, INSN_##k, t }
#define O1(modrm, k, t)    { MAP_0F01_REG, modrm, ANY, INSN_##k, t }
static const struct opdef opdefs[] = {
    /* One-byte map: segment registers, ports, flags, interrupts, far transfers. */
    OP(0x06, PUSH_SEG, "push~ %es"), OP(0x07, POP_SEG, "pop~ %es"), OP(0x0e, PUSH_SEG, "push~ %cs"),
    OP(0x16, PUSH_SEG, "push~ %ss"), OP(0x17, POP_SEG, "pop~ %ss"), OP(0x1e, PUSH_SEG, "push~ %ds"),
    OP(0x1f, POP_SEG, "pop~ %ds"), OP(0x8c, MOV_FROM_SEG, "mov Ev,Sw"),
    OP(0x8e, MOV_TO_SEG, "mov Sw,Ev"), OP(0x6c, INS, "ins Yb,(%dx)"), OP(0x6d, INS, "ins Yv,(%dx)"),
    OP(0x6e, OUTS, "outs (%dx),Xb"), OP(0x6f, OUTS, "outs (%dx),Xv"), OP(0xe4, IN, "in Ab,Ib"),
    OP(0xe5, IN, "in Av,Ib"), OP(0xec, IN, "in Ab,(%dx)"), OP(0xed, IN, "in Av,(%dx)"),
    OP(0xe6, OUT, "out Ib,Ab"), OP(0xe7, OUT, "out Ib,Av"), OP(0xee, OUT, "out (%dx),Ab"),
    OP(0xef, OUT, "out (%dx),Av"), OP(0x9c, PUSHF, "pushf~"), OP(0x9d, POPF, "popf~"),
    OP(0xfa, CLI, "cli"), OP(0xfb, STI, "sti"), OP(0xf4, HLT, "hlt"), OP(0xcc, INT3, "int3"),
    OP(0xcd, INT, "int Ib"), OP(0xce, INTO, "into"), OP(0xf1, INT1, "int1"), OP(0xcf, IRET, "iret~"),
    OP(0x9a, FAR_CALL, "lcall~ P"), OP(0xea, FAR_JMP, "ljmp~ P"), OP(0xca, FAR_RET, "lret~ Iw"),
    OP(0xcb, FAR_RET, "lret~"), OPR(0xff, 3, FAR_CALL, "lcall~ *Mx"),
    OPR(0xff, 5, FAR_JMP, "ljmp~ *Mx"),
    /* One-byte map: everyday instructions that are not in a regular row. */
    OP(0x27, NORMAL, "daa"), OP(0x2f, NORMAL, "das"), OP(0x37, NORMAL, "aaa"),
    OP(0x3f, NORMAL, "aas"), OP(0x60, NORMAL, "pusha~"), OP(0x61, NORMAL, "popa~"),
    OP(0x62, NORMAL, "bound Mx,Gv"), OP(0x63, NORMAL, "arpl Ew,Gw"), OP(0x68, NORMAL, "push~ Iv"),
    OP(0x69, NORMAL, "imul Gv,Ev,Iv"), OP(0x6a, NORMAL, "push~ Is"),
    OP(0x6b, NORMAL, "imul Gv,Ev,Is"), OP(0x84, NORMAL, "test Eb,Gb"),
    OP(0x85, NORMAL, "test Ev,Gv"), OP(0x86, NORMAL, "xchg Eb,Gb"), OP(0x87, NORMAL, "xchg Ev,Gv"),
    OP(0x88, NORMAL, "mov Eb,Gb"), OP(0x89, NORMAL, "mov Ev,Gv"), OP(0x8a, NORMAL, "mov Gb,Eb"),
    OP(0x8b, NORMAL, "mov Gv,Ev"), OP(0x8d, NORMAL, "lea Gv,Mx"), OPR(0x8f, 0, NORMAL, "pop~ Ev"),
    OP(0x9b, NORMAL, "fwait"), OP(0x9e, NORMAL, "sahf"), OP(0x9f, NORMAL, "lahf"),
    OP(0xa0, NORMAL, "mov Ab,Ob"), OP(0xa1, NORMAL, "mov Av,Ov"), OP(0xa2, NORMAL, "mov Ob,Ab"),
    OP(0xa3, NORMAL, "mov Ov,Av"), OP(0xa4, NORMAL, "movs Yb,Xb"), OP(0xa5, NORMAL, "movs Yv,Xv"),
    OP(0xa6, NORMAL, "cmps Xb,Yb"), OP(0xa7, NORMAL, "cmps Xv,Yv"),
    OP(0xa8, NORMAL, "test Ab,Ib"), OP(0xa9, NORMAL, "test Av,Iv"),
    OP(0xaa, NORMAL, "stos Yb,Ab"), OP(0xab, NORMAL, "stos Yv,Av"),
    OP(0xac, NORMAL, "lods Ab,Xb"), OP(0xad, NORMAL, "lods Av,Xv"),
    OP(0xae, NORMAL, "scas Ab,Yb"), OP(0xaf, NORMAL, "scas Av,Yv"), OP(0xc2, NORMAL, "ret~ Iw"),
    OP(0xc3, NORMAL, "ret~"), OP(0xc4, NORMAL, "les Gv,Mx"), OP(0xc5, NORMAL, "lds Gv,Mx"),
    OPR(0xc6, 0, NORMAL, "mov Eb,Ib"), OPR(0xc6, 7, NORMAL, "xabort Ib"),
    OPR(0xc7, 0, NORMAL, "mov Ev,Iv"), OPR(0xc7, 7, NORMAL, "xbegin~ Jz"),
    OP(0xc8, NORMAL, "enter~ I2,Iw"), OP(0xc9, NORMAL, "leave~"), OP(0xd4, NORMAL, "aam Ib"),
    OP(0xd5, NORMAL, "aad Ib"), OP(0xd7, NORMAL, "xlat= Q"), OP(0xe8, NORMAL, "call~ Jz"),
    OP(0xe9, NORMAL, "jmp~ Jz"), OP(0xeb, NORMAL, "jmp Jb"), OP(0xf5, NORMAL, "cmc"),
    OP(0xf8, NORMAL, "clc"), OP(0xf9, NORMAL, "stc"), OP(0xfc, NORMAL, "cld"),
    OP(0xfd, NORMAL, "std"), OPR(0xfe, 0, NORMAL, "inc Eb"), OPR(0xfe, 1, NORMAL, "dec Eb"),
    OPR(0xff, 0, NORMAL, "inc Ev"), OPR(0xff, 1, NORMAL, "dec Ev"),
    OPR(0xff, 2, NORMAL, "call~ *Ev"), OPR(0xff, 4, NORMAL, "jmp~ *Ev"),
    OPR(0xff, 6, NORMAL, "push~ Ev"),
    /* 0F map: descriptor tables, control registers, MSRs, system calls. */
    OFR(0x00, 0, SLDT, "sldt= Ev"), OFR(0x00, 1, STR, "str= Ev"), OFR(0x00, 2, LLDT, "lldt= Ew"),
    OFR(0x00, 3, LTR, "ltr= Ew"), OFR(0x00, 4, VERR, "verr= Ew"), OFR(0x00, 5, VERW, "verw= Ew"),
    OFR(0x01, 0, SGDT, "sgdt^ Mx"), OFR(0x01, 1, SIDT, "sidt^ Mx"), OFR(0x01, 2, LGDT, "lgdt^ Mx"),
    OFR(0x01, 3, LIDT, "lidt^ Mx"), OFR(0x01, 4, SMSW, "smsw= Ev"), OFR(0x01, 6, LMSW, "lmsw= Ew"),
    OFR(0x01, 7, INVLPG, "invlpg= Mx"), OF(0x02, LAR, "lar Gv,Ev"), OF(0x03, LSL, "lsl Gv,Ev"),
    OF(0x05, SYSCALL, "syscall"), OF(0x06, CLTS, "clts"), OF(0x07, SYSRET, "sysret"),
    OF(0x08, INVD, "invd"), OF(0x09, WBINVD, "wbinvd"), OF(0x0b, UD2, "ud2"),
    OF(0x20, MOV_FROM_CR, "mov Ed,Cd"), OF(0x21, MOV_FROM_DR, "mov Ed,Dd"),
    OF(0x22, MOV_TO_CR, "mov Cd,Ed"), OF(0x23, MOV_TO_DR, "mov Dd,Ed"), OF(0x30, WRMSR, "wrmsr"),
    OF(0x31, RDTSC, "rdtsc"), OF(0x32, RDMSR, "rdmsr"), OF(0x33, RDPMC, "rdpmc"),
    OF(0x34, SYSENTER, "sysenter"), OF(0x35, SYSEXIT, "sysexit"), OF(0x37, NORMAL, "getsec"),
    OF(0x78, SYSTEM, "vmread Ed,Gd"), OF(0x79, SYSTEM, "vmwrite Gd,Ed"),
    OF(0xa0, PUSH_SEG, "push~ %fs"), OF(0xa1, POP_SEG, "pop~ %fs"), OF(0xa2, CPUID, "cpuid"),
    OF(0xa8, PUSH_SEG, "push~ %gs"), OF(0xa9, POP_SEG, "pop~ %gs"), OF(0xaa, RSM, "rsm"),
    { MAP_F3_0F, 0x09, ANY, INSN_WBINVD, "wbnoinvd" },
    { MAP_0F38, 0x80, ANY, INSN_SYSTEM, "invept Gd,Mx" },
    { MAP_0F38, 0x81, ANY, INSN_SYSTEM, "invvpid Gd,Mx" },
    { MAP_0F38, 0x82, ANY, INSN_SYSTEM, "invpcid Gd,Mx" },
    /* 0F map: everyday instructions. */
    OFR(0x1f, 0, NORMAL, "nop Ev"), OF(0xa3, NORMAL, "bt Ev,Gv"), OF(0xab, NORMAL, "bts Ev,Gv"),
    OF(0xb3, NORMAL, "btr Ev,Gv"), OF(0xbb, NORMAL, "btc Ev,Gv"), OFR(0xba, 4, NORMAL, "bt Ev,Ib"),
    OFR(0xba, 5, NORMAL, "bts Ev,Ib"), OFR(0xba, 6, NORMAL, "btr Ev,Ib"),
    OFR(0xba, 7, NORMAL, "btc Ev,Ib"), OF(0xa4, NORMAL, "shld Ev,Gv,Ib"),
    OF(0xa5, NORMAL, "shld Ev,Gv,%cl"), OF(0xac, NORMAL, "shrd Ev,Gv,Ib"),
    OF(0xad, NORMAL, "shrd Ev,Gv,%cl"), OF(0xaf, NORMAL, "imul Gv,Ev"),
    OF(0xb0, NORMAL, "cmpxchg Eb,Gb"), OF(0xb1, NORMAL, "cmpxchg Ev,Gv"),
    OF(0xb2, NORMAL, "lss Gv,Mx"), OF(0xb4, NORMAL, "lfs Gv,Mx"), OF(0xb5, NORMAL, "lgs Gv,Mx"),
    OF(0xb6, NORMAL, "movzb^ Gv,Eb"), OF(0xb7, NORMAL, "movzw^ Gv,Ew"),
    OF(0xbe, NORMAL, "movsb^ Gv,Eb"), OF(0xbf, NORMAL, "movsw^ Gv,Ew"),
    OF(0xbc, NORMAL, "bsf Gv,Ev"), OF(0xbd, NORMAL, "bsr Gv,Ev"), OF(0xc0, NORMAL, "xadd Eb,Gb"),
    OF(0xc1, NORMAL, "xadd Ev,Gv"), OFR(0xc7, 1, NORMAL, "cmpxchg8b= Mx"),
    /* 0F 01 register forms: VMX, SVM, SMAP, monitor/mwait and friends. */
    O1(0xc0, SYSTEM, "enclv"), O1(0xc1, SYSTEM, "vmcall"), O1(0xc2, SYSTEM, "vmlaunch"),
    O1(0xc3, SYSTEM, "vmresume"), O1(0xc4, SYSTEM, "vmxoff"), O1(0xc5, SYSTEM, "pconfig"),
    O1(0xc6, SYSTEM, "wrmsrns"), O1(0xc8, SYSTEM, "monitor %edx,%ecx,K"),
    O1(0xc9, SYSTEM, "mwait %ecx,%eax"), O1(0xca, SYSTEM, "clac"), O1(0xcb, SYSTEM, "stac"),
    O1(0xcf, SYSTEM, "encls"), O1(0xd0, NORMAL, "xgetbv"), O1(0xd1, XSETBV, "xsetbv"),
    O1(0xd4, NORMAL, "vmfunc"), O1(0xd5, NORMAL, "xend"), O1(0xd6, NORMAL, "xtest"),
    O1(0xd7, NORMAL, "enclu"), O1(0xd8, SYSTEM, "vmrun"), O1(0xd9, NORMAL, "vmmcall"),
    O1(0xda, SYSTEM, "vmload"), O1(0xdb, SYSTEM, "vmsave"), O1(0xdc, SYSTEM, "stgi"),
    O1(0xdd, SYSTEM, "clgi"), O1(0xde, SYSTEM, "skinit"), O1(0xdf, SYSTEM, "invlpga"),
    O1(0xe8, NORMAL, "serialize"), O1(0xef, NORMAL, "wrpkru"), O1(0xf8, SYSTEM, "swapgs"),
    O1(0xf9, RDTSCP, "rdtscp"), O1(0xfa, NORMAL, "monitorx %edx,%ecx,K"),
    O1(0xfb, NORMAL, "mwaitx %ebx,%ecx,%eax"), O1(0xfc, NORMAL, "clzero"),
    O1(0xfd, NORMAL, "rdpru"), O1(0xfe, SYSTEM, "invlpgb"), O1(0xff, SYSTEM, "tlbsync"),
};

/*
 * A prefix can turn a 0F-map opcode into a different instruction: F2/F3
 * select SSE forms, popcnt, endbr32, shadow-stack ops; 66 turns vmread into
 * AMD's extrq.  The invalidations in 0F 38 exist only with 66.  An entry
 * applies only where none of that happened.
 */
static bool opdef_applies(const struct opdef *d, const struct insn *in)
{
    bool rep = in->prefixes & (INSN_P_REP | INSN_P_REPNE);

    if (d->map == MAP_0F38)
        return (in->prefixes & INSN_P_OPSIZE) && !rep;
    if (d->map == MAP_0F01_REG || (d->map == MAP_0F && d->kind == INSN_NORMAL))
        return !rep;
    if (d->map == MAP_0F && (d->op == 0x78 || d->op == 0x79))
        return !rep && !(in->prefixes & INSN_P_OPSIZE);
    return true;
}

/*
 * Where each (map, opcode) first appears in opdefs[], plus one (0: nowhere),
 * so that a lookup starts there instead of at the top: the load-time scan
 * decodes every instruction of a guest image.  Filled on first use.
 */
static uint16_t opdef_first[MAP_F3_0F + 1][256];
static bool opdef_indexed;
_Static_assert(ARRAY_SIZE(opdefs) < 0xffff, "opdef_first holds an index");

/* The kind for decode_insn() and the template for insn_format(). */
const struct opdef *decode_find_opdef(const struct insn *in)
{
    unsigned map = in->map, op = in->op;

    if (!opdef_indexed) {
        for (size_t i = ARRAY_SIZE(opdefs); i-- > 0;)
            opdef_first[opdefs[i].map][opdefs[i].op] = (uint16_t)(i + 1);
        opdef_indexed = true;
    }
    if (map == MAP_0F && op == 0x01 && in->mod == 3 && in->reg != 4 && in->reg != 6) {
        map = MAP_0F01_REG;
        op = in->modrm;
    }
    if (map == MAP_0F && (in->prefixes & INSN_P_REP) && opdef_first[MAP_F3_0F][op])
        return &opdefs[opdef_first[MAP_F3_0F][op] - 1];
    for (size_t i = opdef_first[map][op]; i && i <= ARRAY_SIZE(opdefs); i++) {
        const struct opdef *d = &opdefs[i - 1];
        if (d->map == map && d->op == op && (d->reg == ANY || d->reg == in->reg))
            return opdef_applies(d, in) ? d : NULL;
    }
    return NULL;
}

/* ---- Decoding -------------------------------------------------------- */

/* The bytes being decoded: guest-controlled, so every read goes via take(). */
struct cursor { const uint8_t *code; size_t avail; unsigned pos; };

/* Take n more bytes, little-endian.  Running past 15 bytes is an invalid
 * instruction (the CPU faults); running past avail only means "fetch more". */
static int take(struct cursor *c, unsigned n, uint32_t *val)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        if (c->pos >= INSN_MAX_LEN)
            return DECODE_INVALID;
        if (c->pos >= c->avail)
            return DECODE_TRUNCATED;
        v |= (uint32_t)c->code[c->pos++] << (8 * i);
    }
    *val = v;
    return 0;
}

/* Take a displacement of n bytes (0, 1, 2 or 4), sign-extended. */
static int take_disp(struct cursor *c, struct insn *in, unsigned n)
{
    uint32_t v = 0;
    int err = take(c, n, &v);

    in->disp_size = n;
    in->disp = n == 1 ? (int8_t)v : n == 2 ? (int16_t)v : (int32_t)v;
    return err;
}

static int take_imm(struct cursor *c, struct insn *in, unsigned n)
{
    in->imm_size = n;
    return take(c, n, &in->imm);
}

static int take_imm2(struct cursor *c, struct insn *in, unsigned n)
{
    in->imm2_size = n;
    return take(c, n, &in->imm2);
}

/* Legacy prefixes in any order, then the first opcode byte. */
static int decode_prefixes(struct cursor *c, struct insn *in)
{
    for (;;) {
        uint32_t b;
        int err = take(c, 1, &b);

        if (err)
            return err;
        switch (b) {
        case 0x66: in->prefixes |= INSN_P_OPSIZE; break;
        case 0x67: in->prefixes |= INSN_P_ADDRSIZE; break;
        case 0xf0: in->prefixes |= INSN_P_LOCK; break;
        case 0xf2: in->prefixes |= INSN_P_REPNE; break;
        case 0xf3: in->prefixes |= INSN_P_REP; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e: in->seg = (b >> 3) & 3; break;
        case 0x64: case 0x65: in->seg = b - 0x60; break;
        default:
            in->op = b;
            return 0;
        }
        in->nr_prefixes++;
    }
}

/* Follow the 0F, 0F 38 and 0F 3A escapes; return the opcode's shape. */
static int decode_opcode(struct cursor *c, struct insn *in, char *shape)
{
    uint32_t b;
    int err;

    *shape = shape_1byte[in->op];
    if (*shape != '2')
        return 0;
    if ((err = take(c, 1, &b)))
        return err;
    in->map = MAP_0F;
    in->op = b;
    *shape = shape_0f[b];
    if (*shape != 'r' && *shape != 's')
        return 0;
    in->map = *shape == 'r' ? MAP_0F38 : MAP_0F3A;
    *shape = *shape == 'r' ? 'm' : 'B';
    if ((err = take(c, 1, &b)))
        return err;
    in->op = b;
    return 0;
}

/*
 * ModRM values that change what an opcode is.  mov to/from %crN/%drN/%trN
 * ignore mod (always a register), and on AMD "lock mov %cr0" means %cr8.
 * Other encodings here are undefined (#UD) or not ours (VEX, EVEX, XOP).
 */
static int modrm_rules(struct insn *in, char shape)
{
    bool regf = in->mod == 3;

    if (shape == 'v' && regf)
        return DECODE_UNSUPPORTED;              /* c4/c5 VEX, 62 EVEX */
    if (in->map == MAP_0F) {
        if ((in->op & 0xf8) == 0x20) {         /* mov to/from cr, dr, tr */
            in->mod = 3;
            if ((in->prefixes & INSN_P_LOCK) && !(in->op & 1))
                in->reg |= 8;
        }
        if (in->op == 0x00 && in->reg > 5)
            return DECODE_INVALID;
        if ((in->op == 0xb2 || in->op == 0xb4 || in->op == 0xb5) && regf)
            return DECODE_INVALID;              /* lss/lfs/lgs need memory */
        return 0;
    }
    if (in->map != MAP_ONE_BYTE)
        return 0;
    switch (in->op) {
    case 0x8c: case 0x8e: return in->reg > 5 ? DECODE_INVALID : 0;
    case 0x8d: return regf ? DECODE_INVALID : 0;
    case 0x8f: return in->reg ? DECODE_UNSUPPORTED : 0;     /* XOP */
    case 0xc6: case 0xc7: return in->reg == 0 || in->modrm == 0xf8 ? 0 : DECODE_INVALID;
    case 0xfe: return in->reg > 1 ? DECODE_INVALID : 0;
    case 0xff: return in->reg == 7 || (regf && (in->reg == 3 || in->reg == 5))
                      ? DECODE_INVALID : 0;
    }
    return 0;
}

/* ModRM, then SIB and displacement in 32- or 16-bit addressing. */
static int decode_modrm(struct cursor *c, struct insn *in, char shape)
{
    uint32_t b;
    unsigned base;
    int err = take(c, 1, &b);

    if (err)
        return err;
    in->has_modrm = true;
    in->modrm = b;
    in->mod = b >> 6;
    in->reg = (b >> 3) & 7;
    in->rm = b & 7;
    if ((err = modrm_rules(in, shape)) || in->mod == 3)
        return err;
    if (in->prefixes & INSN_P_ADDRSIZE)         /* [bx+si] ... [bx], [disp16] */
        return take_disp(c, in, in->mod == 1 ? 1 : (in->mod == 2 || in->rm == 6) ? 2 : 0);
    base = in->rm;
    if (in->rm == 4) {
        if ((err = take(c, 1, &b)))
            return err;
        in->has_sib = true;
        in->sib = b;
        base = b & 7;
    }
    return take_disp(c, in, in->mod == 1 ? 1 : (in->mod == 2 || base == 5) ? 4 : 0);
}

/* Everything after the opcode, as the shape character says. */
static int decode_operands(struct cursor *c, struct insn *in, char shape)
{
    unsigned z = (in->prefixes & INSN_P_OPSIZE) ? 2 : 4;
    int err = 0;

    if (shape == 'x' || shape == 'P')
        return DECODE_INVALID;
    if (shape == 'u')
        return DECODE_UNSUPPORTED;
    if (strchr("mBZtTv", shape) && (err = decode_modrm(c, in, shape)))
        return err;
    switch (shape) {
    case 'b': case 'B': return take_imm(c, in, 1);
    case 'w': return take_imm(c, in, 2);
    case 'z': case 'Z': return take_imm(c, in, z);
    case 't': return in->reg < 2 ? take_imm(c, in, 1) : 0;
    case 'T': return in->reg < 2 ? take_imm(c, in, z) : 0;
    case 'a': return take_disp(c, in, (in->prefixes & INSN_P_ADDRSIZE) ? 2 : 4);
    case 'e': return (err = take_imm(c, in, 2)) ? err : take_imm2(c, in, 1);
    case 'p': return (err = take_imm(c, in, z)) ? err : take_imm2(c, in, 2);
    }
    if (in->map == MAP_0F && in->op == 0x78 && (in->prefixes & (INSN_P_OPSIZE | INSN_P_REPNE)))
        return take_imm(c, in, 2);              /* AMD extrq/insertq: imm8, imm8 */
    return 0;
}

/*
 * Xen's forced-emulation prefix: "ud2; .ascii \"xen\"" in front of cpuid
 * asks the hypervisor to emulate the cpuid.  It is a 5-byte pseudo
 * instruction only when all five bytes are present and unprefixed;
 * otherwise the 0f 0b is an ordinary ud2, as the CPU sees it.
 */
static void check_forced_emul(struct cursor *c, struct insn *in)
{
    static const uint8_t sig[3] = { 'x', 'e', 'n' };

    if (in->map != MAP_0F || in->op != 0x0b || in->nr_prefixes ||
        c->avail < c->pos + 3 || memcmp(c->code + c->pos, sig, 3) != 0)
        return;
    c->pos += 3;
    in->kind = INSN_FORCED_EMUL;
}

int decode_insn(const uint8_t *code, size_t avail, struct insn *out)
{
    struct cursor c = { code, avail, 0 };
    const struct opdef *d;
    char shape = 0;
    int err;

    *out = (struct insn){ .seg = SEG_NONE };    /* inline stores, not a byte loop */
    if ((err = decode_prefixes(&c, out)) || (err = decode_opcode(&c, out, &shape)) ||
        (err = decode_operands(&c, out, shape)))
        return err;
    d = decode_find_opdef(out);
    out->kind = d ? d->kind : INSN_NORMAL;
    check_forced_emul(&c, out);
    out->len = c.pos;
    memcpy(out->bytes, code, c.pos);
    return out->len;
}

/* ---- Classification -------------------------------------------------- */

#define INSN_KIND_NAME(k) #k,
static const char *const kind_names[] = { INSN_KINDS(INSN_KIND_NAME) };
_Static_assert(ARRAY_SIZE(kind_names) == INSN_NR_KINDS && INSN_NR_KINDS <= 64, "kinds");

const char *insn_kind_name(enum insn_kind k)
{
    return (unsigned)k < INSN_NR_KINDS ? kind_names[k] : "?";
}

#define KBIT(k) (1ull << INSN_##k)
static const uint64_t privileged_kinds =
    KBIT(CLI) | KBIT(STI) | KBIT(HLT) | KBIT(LGDT) | KBIT(LIDT) | KBIT(LLDT) |
    KBIT(LTR) | KBIT(LMSW) | KBIT(CLTS) | KBIT(MOV_TO_CR) | KBIT(MOV_FROM_CR) |
    KBIT(MOV_TO_DR) | KBIT(MOV_FROM_DR) | KBIT(IN) | KBIT(OUT) | KBIT(INS) |
    KBIT(OUTS) | KBIT(RDMSR) | KBIT(WRMSR) | KBIT(RDPMC) | KBIT(INVLPG) |
    KBIT(INVD) | KBIT(WBINVD) | KBIT(SYSEXIT) | KBIT(SYSRET) | KBIT(RSM) |
    KBIT(XSETBV) | KBIT(SYSTEM);

bool insn_is_privileged(const struct insn *in)
{
    return (privileged_kinds >> in->kind) & 1;
}

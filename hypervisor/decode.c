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
 * with objdump on every binary we build.  This file owns decoding and
 * spelling; it never reads guest memory and never decides policy.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/decode.h"

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
 * Spelling and classification of the instructions that are not regular
 * enough to compute (see regular_template()).  A template is the mnemonic,
 * an optional suffix rule, then operands in Intel order (the formatter
 * reverses them, as AT&T does).  Suffix rules, as objdump applies them:
 *   (none)  b/w/l from the memory operand when no operand is a register
 *   ~  'w' only with a 66 prefix and no register (push, ret, iret...)
 *   ^  always w/l from the operand size       =  never
 * Operands: E r/m, M r/m that must be memory, G ModRM.reg, R register in
 * the opcode's low bits, A accumulator; sizes b, w, d, v (16/32 by 66),
 * x (none).  I immediate (b, w, v, s = imm8 sign-extended, 2 = second
 * immediate), J branch target, O moffs, X %ds:(%esi), Y %es:(%edi),
 * Q %ds:(%ebx), K %eax or %ax by address size, C %crN, D %dbN, S segment
 * register, P far pointer, * indirect; '%' and '(' start literal text.
 */
#define ANY 0xff                   /* opdef.reg: any ModRM.reg (or none) */
#define MAP_0F01_REG 4             /* pseudo-map: 0F 01 with mod == 3, op = ModRM */
#define MAP_F3_0F 5                /* pseudo-map: F3 0F xx, where F3 selects the op */
struct opdef { uint8_t map, op, reg, kind; const char *tmpl; };
#define K(k) INSN_##k
static const struct opdef opdefs[] = {
    {0,0x06,ANY,K(PUSH_SEG),"push~ %es"}, {0,0x07,ANY,K(POP_SEG),"pop~ %es"},
    {0,0x0e,ANY,K(PUSH_SEG),"push~ %cs"}, {0,0x16,ANY,K(PUSH_SEG),"push~ %ss"},
    {0,0x17,ANY,K(POP_SEG),"pop~ %ss"}, {0,0x1e,ANY,K(PUSH_SEG),"push~ %ds"},
    {0,0x1f,ANY,K(POP_SEG),"pop~ %ds"}, {0,0x27,ANY,0,"daa"}, {0,0x2f,ANY,0,"das"},
    {0,0x37,ANY,0,"aaa"}, {0,0x3f,ANY,0,"aas"}, {0,0x60,ANY,0,"pusha~"},
    {0,0x61,ANY,0,"popa~"}, {0,0x62,ANY,0,"bound Mx,Gv"}, {0,0x63,ANY,0,"arpl Ew,Gw"},
    {0,0x68,ANY,0,"push~ Iv"}, {0,0x69,ANY,0,"imul Gv,Ev,Iv"}, {0,0x6a,ANY,0,"push~ Is"},
    {0,0x6b,ANY,0,"imul Gv,Ev,Is"}, {0,0x6c,ANY,K(INS),"ins Yb,(%dx)"},
    {0,0x6d,ANY,K(INS),"ins Yv,(%dx)"}, {0,0x6e,ANY,K(OUTS),"outs (%dx),Xb"},
    {0,0x6f,ANY,K(OUTS),"outs (%dx),Xv"}, {0,0x84,ANY,0,"test Eb,Gb"},
    {0,0x85,ANY,0,"test Ev,Gv"}, {0,0x86,ANY,0,"xchg Eb,Gb"}, {0,0x87,ANY,0,"xchg Ev,Gv"},
    {0,0x88,ANY,0,"mov Eb,Gb"}, {0,0x89,ANY,0,"mov Ev,Gv"}, {0,0x8a,ANY,0,"mov Gb,Eb"},
    {0,0x8b,ANY,0,"mov Gv,Ev"}, {0,0x8c,ANY,K(MOV_FROM_SEG),"mov Ev,Sw"},
    {0,0x8d,ANY,0,"lea Gv,Mx"}, {0,0x8e,ANY,K(MOV_TO_SEG),"mov Sw,Ev"},
    {0,0x8f,0,0,"pop~ Ev"}, {0,0x9a,ANY,K(FAR_CALL),"lcall~ P"}, {0,0x9b,ANY,0,"fwait"},
    {0,0x9c,ANY,K(PUSHF),"pushf~"}, {0,0x9d,ANY,K(POPF),"popf~"}, {0,0x9e,ANY,0,"sahf"},
    {0,0x9f,ANY,0,"lahf"}, {0,0xa0,ANY,0,"mov Ab,Ob"}, {0,0xa1,ANY,0,"mov Av,Ov"},
    {0,0xa2,ANY,0,"mov Ob,Ab"}, {0,0xa3,ANY,0,"mov Ov,Av"}, {0,0xa4,ANY,0,"movs Yb,Xb"},
    {0,0xa5,ANY,0,"movs Yv,Xv"}, {0,0xa6,ANY,0,"cmps Xb,Yb"}, {0,0xa7,ANY,0,"cmps Xv,Yv"},
    {0,0xa8,ANY,0,"test Ab,Ib"}, {0,0xa9,ANY,0,"test Av,Iv"}, {0,0xaa,ANY,0,"stos Yb,Ab"},
    {0,0xab,ANY,0,"stos Yv,Av"}, {0,0xac,ANY,0,"lods Ab,Xb"}, {0,0xad,ANY,0,"lods Av,Xv"},
    {0,0xae,ANY,0,"scas Ab,Yb"}, {0,0xaf,ANY,0,"scas Av,Yv"}, {0,0xc2,ANY,0,"ret~ Iw"},
    {0,0xc3,ANY,0,"ret~"}, {0,0xc4,ANY,0,"les Gv,Mx"}, {0,0xc5,ANY,0,"lds Gv,Mx"},
    {0,0xc6,0,0,"mov Eb,Ib"}, {0,0xc6,7,0,"xabort Ib"}, {0,0xc7,0,0,"mov Ev,Iv"},
    {0,0xc7,7,0,"xbegin Jz"}, {0,0xc8,ANY,0,"enter~ I2,Iw"}, {0,0xc9,ANY,0,"leave~"},
    {0,0xca,ANY,K(FAR_RET),"lret~ Iw"}, {0,0xcb,ANY,K(FAR_RET),"lret~"},
    {0,0xcc,ANY,K(INT3),"int3"}, {0,0xcd,ANY,K(INT),"int Ib"}, {0,0xce,ANY,K(INTO),"into"},
    {0,0xcf,ANY,K(IRET),"iret~"}, {0,0xd4,ANY,0,"aam Ib"}, {0,0xd5,ANY,0,"aad Ib"},
    {0,0xd7,ANY,0,"xlat= Q"}, {0,0xe4,ANY,K(IN),"in Ab,Ib"}, {0,0xe5,ANY,K(IN),"in Av,Ib"},
    {0,0xe6,ANY,K(OUT),"out Ib,Ab"}, {0,0xe7,ANY,K(OUT),"out Ib,Av"},
    {0,0xe8,ANY,0,"call~ Jz"}, {0,0xe9,ANY,0,"jmp~ Jz"}, {0,0xea,ANY,K(FAR_JMP),"ljmp~ P"},
    {0,0xeb,ANY,0,"jmp Jb"}, {0,0xec,ANY,K(IN),"in Ab,(%dx)"}, {0,0xed,ANY,K(IN),"in Av,(%dx)"},
    {0,0xee,ANY,K(OUT),"out (%dx),Ab"}, {0,0xef,ANY,K(OUT),"out (%dx),Av"},
    {0,0xf1,ANY,K(INT1),"int1"}, {0,0xf4,ANY,K(HLT),"hlt"}, {0,0xf5,ANY,0,"cmc"},
    {0,0xf8,ANY,0,"clc"}, {0,0xf9,ANY,0,"stc"}, {0,0xfa,ANY,K(CLI),"cli"},
    {0,0xfb,ANY,K(STI),"sti"}, {0,0xfc,ANY,0,"cld"}, {0,0xfd,ANY,0,"std"},
    {0,0xfe,0,0,"inc Eb"}, {0,0xfe,1,0,"dec Eb"}, {0,0xff,0,0,"inc Ev"}, {0,0xff,1,0,"dec Ev"},
    {0,0xff,2,0,"call~ *Ev"}, {0,0xff,3,K(FAR_CALL),"lcall~ *Mx"}, {0,0xff,4,0,"jmp~ *Ev"},
    {0,0xff,5,K(FAR_JMP),"ljmp~ *Mx"}, {0,0xff,6,0,"push~ Ev"},
    /* 0F map: descriptor tables, control registers, MSRs, system calls. */
    {1,0x00,0,K(SLDT),"sldt= Ev"}, {1,0x00,1,K(STR),"str= Ev"}, {1,0x00,2,K(LLDT),"lldt= Ew"},
    {1,0x00,3,K(LTR),"ltr= Ew"}, {1,0x00,4,K(VERR),"verr= Ew"}, {1,0x00,5,K(VERW),"verw= Ew"},
    {1,0x01,0,K(SGDT),"sgdt^ Mx"}, {1,0x01,1,K(SIDT),"sidt^ Mx"}, {1,0x01,2,K(LGDT),"lgdt^ Mx"},
    {1,0x01,3,K(LIDT),"lidt^ Mx"}, {1,0x01,4,K(SMSW),"smsw= Ev"}, {1,0x01,6,K(LMSW),"lmsw= Ew"},
    {1,0x01,7,K(INVLPG),"invlpg= Mx"}, {1,0x02,ANY,K(LAR),"lar Gv,Ev"},
    {1,0x03,ANY,K(LSL),"lsl Gv,Ev"}, {1,0x05,ANY,K(SYSCALL),"syscall"},
    {1,0x06,ANY,K(CLTS),"clts"}, {1,0x07,ANY,K(SYSRET),"sysret"}, {1,0x08,ANY,K(INVD),"invd"},
    {1,0x09,ANY,K(WBINVD),"wbinvd"}, {1,0x0b,ANY,K(UD2),"ud2"}, {1,0x1f,0,0,"nop Ev"},
    {1,0x20,ANY,K(MOV_FROM_CR),"mov Ed,Cd"}, {1,0x21,ANY,K(MOV_FROM_DR),"mov Ed,Dd"},
    {1,0x22,ANY,K(MOV_TO_CR),"mov Cd,Ed"}, {1,0x23,ANY,K(MOV_TO_DR),"mov Dd,Ed"},
    {1,0x30,ANY,K(WRMSR),"wrmsr"}, {1,0x31,ANY,K(RDTSC),"rdtsc"}, {1,0x32,ANY,K(RDMSR),"rdmsr"},
    {1,0x33,ANY,K(RDPMC),"rdpmc"}, {1,0x34,ANY,K(SYSENTER),"sysenter"},
    {1,0x35,ANY,K(SYSEXIT),"sysexit"}, {1,0x37,ANY,0,"getsec"},
    {1,0x78,ANY,K(SYSTEM),"vmread Ed,Gd"}, {1,0x79,ANY,K(SYSTEM),"vmwrite Gd,Ed"},
    {1,0xa0,ANY,K(PUSH_SEG),"push~ %fs"}, {1,0xa1,ANY,K(POP_SEG),"pop~ %fs"},
    {1,0xa2,ANY,K(CPUID),"cpuid"}, {1,0xa3,ANY,0,"bt Ev,Gv"}, {1,0xa4,ANY,0,"shld Ev,Gv,Ib"},
    {1,0xa5,ANY,0,"shld Ev,Gv,%cl"}, {1,0xa8,ANY,K(PUSH_SEG),"push~ %gs"},
    {1,0xa9,ANY,K(POP_SEG),"pop~ %gs"}, {1,0xaa,ANY,K(RSM),"rsm"}, {1,0xab,ANY,0,"bts Ev,Gv"},
    {1,0xac,ANY,0,"shrd Ev,Gv,Ib"}, {1,0xad,ANY,0,"shrd Ev,Gv,%cl"}, {1,0xaf,ANY,0,"imul Gv,Ev"},
    {1,0xb0,ANY,0,"cmpxchg Eb,Gb"}, {1,0xb1,ANY,0,"cmpxchg Ev,Gv"}, {1,0xb2,ANY,0,"lss Gv,Mx"},
    {1,0xb3,ANY,0,"btr Ev,Gv"}, {1,0xb4,ANY,0,"lfs Gv,Mx"}, {1,0xb5,ANY,0,"lgs Gv,Mx"},
    {1,0xb6,ANY,0,"movzb^ Gv,Eb"}, {1,0xb7,ANY,0,"movzw^ Gv,Ew"}, {1,0xba,4,0,"bt Ev,Ib"},
    {1,0xba,5,0,"bts Ev,Ib"}, {1,0xba,6,0,"btr Ev,Ib"}, {1,0xba,7,0,"btc Ev,Ib"},
    {1,0xbb,ANY,0,"btc Ev,Gv"}, {1,0xbc,ANY,0,"bsf Gv,Ev"}, {1,0xbd,ANY,0,"bsr Gv,Ev"},
    {1,0xbe,ANY,0,"movsb^ Gv,Eb"}, {1,0xbf,ANY,0,"movsw^ Gv,Ew"}, {1,0xc0,ANY,0,"xadd Eb,Gb"},
    {1,0xc1,ANY,0,"xadd Ev,Gv"}, {1,0xc7,1,0,"cmpxchg8b= Mx"},
    /* 66 0F 38: the VMX/PCID invalidations. */
    {2,0x80,ANY,K(SYSTEM),"invept Gd,Mx"}, {2,0x81,ANY,K(SYSTEM),"invvpid Gd,Mx"},
    {2,0x82,ANY,K(SYSTEM),"invpcid Gd,Mx"},
    /* 0F 01 register forms (ModRM c0-ff, except smsw/lmsw above). */
    {4,0xc0,ANY,K(SYSTEM),"enclv"}, {4,0xc1,ANY,K(SYSTEM),"vmcall"},
    {4,0xc2,ANY,K(SYSTEM),"vmlaunch"}, {4,0xc3,ANY,K(SYSTEM),"vmresume"},
    {4,0xc4,ANY,K(SYSTEM),"vmxoff"}, {4,0xc5,ANY,K(SYSTEM),"pconfig"},
    {4,0xc6,ANY,K(SYSTEM),"wrmsrns"}, {4,0xc8,ANY,K(SYSTEM),"monitor %edx,%ecx,K"},
    {4,0xc9,ANY,K(SYSTEM),"mwait %ecx,%eax"}, {4,0xca,ANY,K(SYSTEM),"clac"},
    {4,0xcb,ANY,K(SYSTEM),"stac"}, {4,0xcf,ANY,K(SYSTEM),"encls"}, {4,0xd0,ANY,0,"xgetbv"},
    {4,0xd1,ANY,K(XSETBV),"xsetbv"}, {4,0xd4,ANY,0,"vmfunc"}, {4,0xd5,ANY,0,"xend"},
    {4,0xd6,ANY,0,"xtest"}, {4,0xd7,ANY,0,"enclu"}, {4,0xd8,ANY,K(SYSTEM),"vmrun"},
    {4,0xd9,ANY,0,"vmmcall"}, {4,0xda,ANY,K(SYSTEM),"vmload"}, {4,0xdb,ANY,K(SYSTEM),"vmsave"},
    {4,0xdc,ANY,K(SYSTEM),"stgi"}, {4,0xdd,ANY,K(SYSTEM),"clgi"}, {4,0xde,ANY,K(SYSTEM),"skinit"},
    {4,0xdf,ANY,K(SYSTEM),"invlpga"}, {4,0xe8,ANY,0,"serialize"}, {4,0xef,ANY,0,"wrpkru"},
    {4,0xf8,ANY,K(SYSTEM),"swapgs"}, {4,0xf9,ANY,K(RDTSCP),"rdtscp"},
    {4,0xfa,ANY,0,"monitorx %edx,%ecx,K"}, {4,0xfb,ANY,0,"mwaitx %ebx,%ecx,%eax"},
    {4,0xfc,ANY,0,"clzero"}, {4,0xfd,ANY,0,"rdpru"}, {4,0xfe,ANY,K(SYSTEM),"invlpgb"},
    {4,0xff,ANY,K(SYSTEM),"tlbsync"},
    /* F3 0F: where the F3 is part of the opcode. */
    {5,0x09,ANY,K(WBINVD),"wbnoinvd"},
};
#undef K

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

static const struct opdef *find_opdef(const struct insn *in)
{
    unsigned map = in->map, op = in->op;

    if (map == MAP_0F && op == 0x01 && in->mod == 3 && in->reg != 4 && in->reg != 6) {
        map = MAP_0F01_REG;
        op = in->modrm;
    }
    if (map == MAP_0F && (in->prefixes & INSN_P_REP))
        for (size_t i = 0; i < ARRAY_SIZE(opdefs); i++)
            if (opdefs[i].map == MAP_F3_0F && opdefs[i].op == op)
                return &opdefs[i];
    for (size_t i = 0; i < ARRAY_SIZE(opdefs); i++) {
        const struct opdef *d = &opdefs[i];
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

    memset(out, 0, sizeof(*out));
    out->seg = SEG_NONE;
    if ((err = decode_prefixes(&c, out)) || (err = decode_opcode(&c, out, &shape)) ||
        (err = decode_operands(&c, out, shape)))
        return err;
    d = find_opdef(out);
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

/* ---- Spelling (objdump's AT&T syntax) -------------------------------- */

struct sb { char *buf; size_t size, len; };     /* bounded string builder */

static void __printf(2, 3) sb_printf(struct sb *s, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (s->len + 1 >= s->size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(s->buf + s->len, s->size - s->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        s->len = MIN(s->len + (size_t)n, s->size - 1);
}

/* What the operands consumed; objdump prints unconsumed prefixes by name. */
struct fmt {
    const struct insn *in;
    uint32_t addr;
    uint8_t used;        /* INSN_P_* the spelling consumed */
    bool used_seg;       /* the segment override was printed */
    bool notrack;        /* 3e on an indirect call/jmp: CET's notrack, not %ds */
    bool has_reg;        /* some operand is a general/segment/control register */
    char memsize;        /* size code of the first memory operand */
};

static const char reg_names[3][8][4] = {
    { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" },
    { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" },
    { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" },
};
static const char seg_names[6][3] = { "es", "cs", "ss", "ds", "fs", "gs" };

#define PREFIX_SEG 0x100
/* Prefix classes: a later prefix of the same class overrides an earlier one. */
static unsigned prefix_class(uint8_t b)
{
    return b == 0xf0 ? INSN_P_LOCK : b == 0xf2 || b == 0xf3 ? INSN_P_REP :
           b == 0x66 ? INSN_P_OPSIZE : b == 0x67 ? INSN_P_ADDRSIZE : PREFIX_SEG;
}


/* Size code (b, w, d, v) to suffix letter; 'v' consumes the 66 prefix. */
static char size_letter(struct fmt *f, char code)
{
    if (code == 'v') {
        f->used |= INSN_P_OPSIZE;
        return (f->in->prefixes & INSN_P_OPSIZE) ? 'w' : 'l';
    }
    return code == 'b' ? 'b' : code == 'w' ? 'w' : code == 'd' ? 'l' : 0;
}

static void put_reg(struct sb *s, struct fmt *f, char size, unsigned r)
{
    char z = size_letter(f, size);

    sb_printf(s, "%%%s", reg_names[z == 'b' ? 0 : z == 'w' ? 1 : 2][r & 7]);
    f->has_reg = true;
}

/* "%fs:" for an override; dflt is printed when there is none (or SEG_NONE). */
static void put_seg(struct sb *s, struct fmt *f, unsigned dflt)
{
    unsigned seg = f->notrack ? SEG_NONE : f->in->seg;

    if (seg != SEG_NONE)
        f->used_seg = true;
    else
        seg = dflt;
    if (seg != SEG_NONE)
        sb_printf(s, "%%%s:", seg_names[seg]);
}

static void put_disp(struct sb *s, int32_t d)
{
    sb_printf(s, d < 0 ? "-0x%x" : "0x%x", d < 0 ? 0u - (uint32_t)d : (uint32_t)d);
}

/* A ModRM memory operand: 0x8(%eax), -0x4(,%ecx,4), 0x0(%esi,%eiz,1), (%bx,%si)... */
static void put_mem(struct sb *s, struct fmt *f)
{
    static const char *const rm16[8] = { "bx,%si", "bx,%di", "bp,%si", "bp,%di",
                                         "si", "di", "bp", "bx" };
    const struct insn *in = f->in;
    unsigned base = in->has_sib ? (in->sib & 7) : in->rm;
    unsigned index = (in->sib >> 3) & 7, scale = in->sib >> 6;
    bool has_base = !(in->mod == 0 && base == 5);

    put_seg(s, f, SEG_NONE);
    if (in->prefixes & INSN_P_ADDRSIZE) {
        f->used |= INSN_P_ADDRSIZE;
        if (in->mod || in->rm == 6)
            put_disp(s, in->disp);
        if (in->mod || in->rm != 6)
            sb_printf(s, "(%%%s)", rm16[in->rm]);
        return;
    }
    if (!in->has_sib && !has_base) {           /* absolute [disp32] */
        sb_printf(s, "0x%x", (uint32_t)in->disp);
        return;
    }
    if (in->mod != 0 || !has_base)
        put_disp(s, in->disp);
    sb_printf(s, "(");
    if (has_base)
        sb_printf(s, "%%%s", reg_names[2][base]);
    if (in->has_sib && (scale || index != 4 || !has_base || base != 4))
        sb_printf(s, ",%%%s,%u", index == 4 ? "eiz" : reg_names[2][index], 1u << scale);
    sb_printf(s, ")");
}

static void put_imm(struct sb *s, struct fmt *f, char code)
{
    uint32_t v = f->in->imm;

    if (code == 'b')
        v &= 0xff;
    else if (code == 'v')
        size_letter(f, 'v');
    else if (code == 's')                      /* imm8, sign-extended to 16/32 */
        v = (uint32_t)(int8_t)v & (size_letter(f, 'v') == 'w' ? 0xffff : ~0u);
    else if (code == '2')
        v = f->in->imm2;
    sb_printf(s, "$0x%x", v);
}

/* Where a relative branch goes: EIP after this instruction plus rel. */
static uint32_t branch_target(struct fmt *f)
{
    const struct insn *in = f->in;
    uint32_t v = in->imm, t;

    t = f->addr + in->len + (in->imm_size == 1 ? (uint32_t)(int8_t)v : v);
    if (in->imm_size == 2) {
        f->used |= INSN_P_OPSIZE;
        t = (f->addr + in->len + (uint32_t)(int16_t)v) & 0xffff;
    }
    return t;
}

/* One operand, from its code (see the template legend above). */
static void put_operand(struct sb *s, struct fmt *f, const char *op)
{
    const struct insn *in = f->in;
    bool a16 = in->prefixes & INSN_P_ADDRSIZE;

    if (op[0] == 'X' || op[0] == 'Y' || op[0] == 'Q' || op[0] == 'K')
        f->used |= INSN_P_ADDRSIZE;
    if ((op[0] == 'E' || op[0] == 'M' || op[0] == 'X' || op[0] == 'Y') && !f->memsize &&
        (op[0] != 'E' || in->mod != 3))
        f->memsize = op[1];
    switch (op[0]) {
    case '%': case '(': sb_printf(s, "%s", op); break;
    case '*': sb_printf(s, "*"); put_operand(s, f, op + 1); break;
    case 'E': if (in->mod == 3) { put_reg(s, f, op[1], in->rm); break; }
              put_mem(s, f); break;
    case 'M': put_mem(s, f); break;
    case 'G': put_reg(s, f, op[1], in->reg); break;
    case 'R': put_reg(s, f, op[1], in->op); break;
    case 'A': put_reg(s, f, op[1], 0); break;
    case 'C': sb_printf(s, "%%cr%u", in->reg); f->has_reg = true; break;
    case 'D': sb_printf(s, "%%db%u", in->reg); f->has_reg = true; break;
    case 'S': sb_printf(s, "%%%s", seg_names[in->reg % 6]); f->has_reg = true; break;
    case 'I': put_imm(s, f, op[1]); break;
    case 'J': sb_printf(s, "0x%x", branch_target(f)); break;
    case 'O': put_seg(s, f, SEG_NONE);         /* objdump still says "addr16" */
              sb_printf(s, "0x%x", (uint32_t)in->disp & (a16 ? 0xffff : ~0u)); break;
    case 'X': put_seg(s, f, SEG_DS); sb_printf(s, "(%%%s)", a16 ? "si" : "esi"); break;
    case 'Y': sb_printf(s, "%%es:(%%%s)", a16 ? "di" : "edi"); break;
    case 'Q': put_seg(s, f, SEG_DS); sb_printf(s, "(%%%s)", a16 ? "bx" : "ebx"); break;
    case 'K': sb_printf(s, "%%%s", a16 ? "ax" : "eax"); break;
    case 'P': sb_printf(s, "$0x%x,$0x%x", in->imm2, in->imm); break;
    }
}

/* Templates for the regular parts of the maps: ALU rows, jcc, groups... */
static const char *regular_template(struct fmt *f, char *t, size_t n)
{
    static const char alu[8][4] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
    static const char shift[8][4] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar" };
    static const char unary[8][5] = { "test", "test", "not", "neg", "mul", "imul", "div", "idiv" };
    static const char cc[16][3] = { "o", "no", "b", "ae", "e", "ne", "be", "a",
                                    "s", "ns", "p", "np", "l", "ge", "le", "g" };
    static const char *const alu_ops[6] = { "Eb,Gb", "Ev,Gv", "Gb,Eb", "Gv,Ev", "Ab,Ib", "Av,Iv" };
    static const char *const shift_ops[6] = { "Eb,Ib", "Ev,Ib", "Eb", "Ev", "Eb,%cl", "Ev,%cl" };
    static const char step[4][5] = { "inc", "dec", "push", "pop" };
    static const char loops[3][7] = { "loopne", "loope", "loop" };
    const struct insn *in = f->in;
    unsigned op = in->op, r = in->reg;
    bool o16 = in->prefixes & INSN_P_OPSIZE, a16 = in->prefixes & INSN_P_ADDRSIZE;
    const char *hint = "";                     /* cs/ds on jcc: branch hints */
    unsigned segs = 0;

    if ((in->map == MAP_0F && op >> 4 == 8) ||
        (in->map == MAP_ONE_BYTE && (op >> 4 == 7 || (op >= 0xe0 && op <= 0xe3)))) {
        for (unsigned i = 0; i < in->nr_prefixes; i++)
            segs += prefix_class(in->bytes[i]) == PREFIX_SEG;
        if (segs > 1)
            return NULL;                       /* objdump's rules get baroque */
        hint = in->seg == SEG_CS ? ",pn" : in->seg == SEG_DS ? ",pt" : "";
        f->used_seg = *hint;
    }
    if (in->map == MAP_0F) {
        if (op >= 0x40 && op < 0x50) snprintf(t, n, "cmov%s Gv,Ev", cc[op & 15]);
        else if (op >= 0x80 && op < 0x90) snprintf(t, n, "j%s%s Jz", cc[op & 15], hint);
        else if (op >= 0x90 && op < 0xa0) snprintf(t, n, "set%s= Eb", cc[op & 15]);
        else if (op >= 0xc8 && op < 0xd0 && !(in->prefixes & (INSN_P_REP | INSN_P_REPNE))) return "bswap Rv";
        else return NULL;
        return (in->prefixes & (INSN_P_REP | INSN_P_REPNE)) ? NULL : t;
    }
    if (in->map != MAP_ONE_BYTE)
        return NULL;
    if (op < 0x40 && (op & 7) < 6) snprintf(t, n, "%s %s", alu[op >> 3], alu_ops[op & 7]);
    else if (op >= 0x40 && op < 0x60) snprintf(t, n, "%s Rv", step[(op - 0x40) >> 3]);
    else if (op >= 0x70 && op < 0x80) snprintf(t, n, "j%s%s Jb", cc[op & 15], hint);
    else if (op >= 0x80 && op < 0x84)
        snprintf(t, n, "%s %s", alu[r], op == 0x81 ? "Ev,Iv" : op == 0x83 ? "Ev,Is" : "Eb,Ib");
    else if (op == 0x90 && (in->prefixes & INSN_P_REP)) { f->used |= INSN_P_REP; return "pause"; }
    else if (op == 0x90 && !o16) return "nop";
    else if (op >= 0x90 && op < 0x98) return "xchg Rv,Av";
    else if (op == 0x98 || op == 0x99) {
        f->used |= INSN_P_OPSIZE;
        return op == 0x98 ? (o16 ? "cbtw" : "cwtl") : (o16 ? "cwtd" : "cltd");
    } else if (op >= 0xe0 && op <= 0xe3) {     /* counted by %cx or %ecx */
        f->used |= INSN_P_ADDRSIZE;
        snprintf(t, n, "%s%s%s Jb", op == 0xe3 ? (a16 ? "jcxz" : "jecxz") : loops[op & 3],
                 op < 0xe3 && a16 ? "w" : "", hint);
    } else if (op >= 0xb0 && op < 0xc0) return op < 0xb8 ? "mov Rb,Ib" : "mov Rv,Iv";
    else if (op == 0xc0 || op == 0xc1 || (op >= 0xd0 && op < 0xd4))
        snprintf(t, n, "%s %s", shift[r], shift_ops[op < 0xd0 ? op - 0xc0 : op - 0xce]);
    else if (op == 0xf6 || op == 0xf7)
        snprintf(t, n, "%s %s%s", unary[r], op == 0xf6 ? "Eb" : "Ev",
                 r > 1 ? "" : op == 0xf6 ? ",Ib" : ",Iv");
    else return NULL;
    return t;
}

/* What objdump calls an F2 or F3 prefix on this instruction. */
static const char *rep_name(const struct insn *in, uint8_t b)
{
    unsigned op = in->op;
    bool one = in->map == MAP_ONE_BYTE;
    bool string_op = one && ((op >= 0x6c && op <= 0x6f) || op == 0xa4 || op == 0xa5 ||
                             (op >= 0xaa && op <= 0xad));
    bool near_branch = (in->map == MAP_0F && op >> 4 == 8) ||
        (one && (op >> 4 == 7 || op == 0xc2 || op == 0xc3 || op == 0xe8 || op == 0xe9 ||
                 op == 0xeb || (op == 0xff && (in->reg == 2 || in->reg == 4))));

    if (b == 0xf2)
        return near_branch ? "bnd" : "repnz";  /* MPX's branch prefix */
    return string_op ? "rep" : "repz";
}

/*
 * Prefixes objdump prints as words: lock and rep/repz/repnz always; a
 * segment, 66 or 67 when no operand consumed it ("data16 cli", "fs nop"),
 * which for a repeated prefix means every copy but the last.  F2/F3 on a
 * memory operand may be xacquire/xrelease: left to the fallback spelling.
 */
static bool put_prefixes(struct sb *s, const struct fmt *f)
{
    const struct insn *in = f->in;
    unsigned later = 0, used = f->used | (f->used_seg || f->notrack ? PREFIX_SEG : 0);

    if ((in->prefixes & (INSN_P_REP | INSN_P_REPNE)) && in->kind == INSN_NORMAL &&
        in->has_modrm && in->mod != 3)
        return false;
    for (unsigned i = 0; i < in->nr_prefixes; i++) {
        uint8_t b = in->bytes[i];
        unsigned cls = prefix_class(b);

        later = 0;
        for (unsigned j = i + 1; j < in->nr_prefixes; j++)
            later |= prefix_class(in->bytes[j]);
        if (f->notrack && cls == PREFIX_SEG && !(later & cls))
            sb_printf(s, "notrack ");
        else if ((used & cls) && !(later & cls))
            continue;                          /* consumed by the spelling */
        else if (b == 0xf0)
            sb_printf(s, "lock ");
        else if (b == 0xf2 || b == 0xf3)
            sb_printf(s, "%s ", rep_name(in, b));
        else if (b == 0x66 || b == 0x67)
            sb_printf(s, b == 0x66 ? "data16 " : "addr16 ");
        else if (cls == PREFIX_SEG)
            sb_printf(s, "%s ", seg_names[b >= 0x64 ? b - 0x60 : (b >> 3) & 3]);
    }
    return true;
}

/* The fallback spelling: the raw bytes, as an assembler would take them. */
static bool format_bytes(const struct insn *in, char *buf, size_t size)
{
    struct sb s = { buf, size, 0 };

    buf[0] = '\0';
    for (unsigned i = 0; i < in->len; i++)
        sb_printf(&s, "%s0x%02x", i ? "," : ".byte ", in->bytes[i]);
    return false;
}

bool insn_format(const struct insn *in, uint32_t addr, char *buf, size_t size)
{
    struct fmt f = { .in = in, .addr = addr };
    struct sb out = { buf, size, 0 };
    char tmp[32], ops[3][40], tok[16], suffix = 0, mark;
    const struct opdef *d = find_opdef(in);
    const char *t = d ? d->tmpl : regular_template(&f, tmp, sizeof(tmp));
    const char *sp, *p;
    unsigned n = 0;
    size_t mlen;

    if (size == 0)
        return false;
    if (in->kind == INSN_FORCED_EMUL) {
        snprintf(buf, size, "ud2; .ascii \"xen\"");
        return true;
    }
    if (!t)
        return format_bytes(in, buf, size);
    if (in->map == MAP_0F38)
        f.used |= INSN_P_OPSIZE;               /* the mandatory 66 */
    if (in->reg >= 8)
        f.used |= INSN_P_LOCK;                 /* "lock mov %cr0" is %cr8 */
    f.notrack = in->map == MAP_ONE_BYTE && in->op == 0xff && (in->reg == 2 || in->reg == 4) &&
                in->seg == SEG_DS;
    if (d && d->map == MAP_F3_0F)
        f.used |= INSN_P_REP;                  /* the mandatory F3 */
    sp = strchr(t, ' ');
    mlen = sp ? (size_t)(sp - t) : strlen(t);
    for (p = sp; p && n < 3; p = strchr(p + 1, ',')) {
        const char *end = strchr(p + 1, ',');
        struct sb s = { ops[n], sizeof(ops[n]), 0 };

        snprintf(tok, sizeof(tok), "%.*s", (int)(end ? end - p - 1 : 15), p + 1);
        ops[n][0] = '\0';
        put_operand(&s, &f, tok);
        n++;
    }
    mark = t[mlen - 1];
    if (mark == '~' || mark == '^' || mark == '=')
        mlen--;
    if ((mark == '~' && (in->prefixes & INSN_P_OPSIZE) && !f.has_reg) || mark == '^')
        suffix = size_letter(&f, 'v');
    else if (mark != '~' && mark != '=' && !f.has_reg && f.memsize)
        suffix = size_letter(&f, f.memsize);
    buf[0] = '\0';
    if (!put_prefixes(&out, &f))
        return format_bytes(in, buf, size);
    sb_printf(&out, "%.*s", (int)mlen, t);
    if (suffix)
        sb_printf(&out, "%c", suffix);
    for (unsigned i = n; i-- > 0;)
        sb_printf(&out, "%s%s", i == n - 1 ? " " : ",", ops[i]);
    return true;
}

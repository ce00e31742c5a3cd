/*
 * decode_format.c - spelling decoded instructions the way objdump does.
 *
 * The hypervisor names every privileged instruction it refuses ("privileged
 * instruction 'mov %eax,%cr3'"), and tests compare that text with objdump's,
 * so the spelling must be exact or fall back to raw ".byte" values.  This
 * file owns the spelling: AT&T operand order, suffixes, prefixes by name and
 * the templates for the regular parts of the opcode maps.  It works only on
 * a struct insn that decode_insn() filled in; it must never decode bytes,
 * change an instruction's length or kind, read guest memory, or decide
 * policy.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/decode.h"
#include "hypervisor/vcpu/decode_internal.h"

/*
 * insn_format() picks a template (an opdefs[] entry from
 * decode_find_opdef(), or regular_template()), prints each operand while
 * noting which prefixes the operands consumed and whether any operand is a
 * register (objdump adds a b/w/l suffix only when nothing else tells the
 * size), then prints the unconsumed prefixes by name, the mnemonic and the
 * operands in AT&T order.
 */

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

/* Prefix classes: a later prefix of the same class overrides an earlier one. */
#define PREFIX_SEG 0x100
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

uint32_t insn_branch_target(const struct insn *in, uint32_t addr)
{
    uint32_t t = addr + in->len + (in->imm_size == 1 ? (uint32_t)(int8_t)in->imm :
                                   in->imm_size == 2 ? (uint32_t)(int16_t)in->imm : in->imm);

    return in->imm_size == 2 ? t & 0xffff : t;  /* a 16-bit operand size truncates EIP */
}

/* One operand, from its code (see the legend in decode_internal.h). */
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
    case 'J': f->used |= in->imm_size == 2 ? INSN_P_OPSIZE : 0;
              sb_printf(s, "0x%x", insn_branch_target(in, f->addr)); break;
    case 'O': put_seg(s, f, SEG_NONE);         /* objdump still says "addr16" */
              sb_printf(s, "0x%x", (uint32_t)in->disp & (a16 ? 0xffff : ~0u)); break;
    case 'X': put_seg(s, f, SEG_DS); sb_printf(s, "(%%%s)", a16 ? "si" : "esi"); break;
    case 'Y': sb_printf(s, "%%es:(%%%s)", a16 ? "di" : "edi"); break;
    case 'Q': put_seg(s, f, SEG_DS); sb_printf(s, "(%%%s)", a16 ? "bx" : "ebx"); break;
    case 'K': sb_printf(s, "%%%s", a16 ? "ax" : "eax"); break;
    case 'P': sb_printf(s, "$0x%x,$0x%x", in->imm2, in->imm); break;
    }
}

/* The last F2/F3 prefix byte, or 0. */
static uint8_t last_rep(const struct insn *in)
{
    uint8_t last = 0;

    for (unsigned i = 0; i < in->nr_prefixes; i++)
        if (prefix_class(in->bytes[i]) == INSN_P_REP)
            last = in->bytes[i];
    return last;
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
    if (in->map == MAP_0F && !(in->prefixes & (INSN_P_REP | INSN_P_REPNE))) {
        if (op >= 0x40 && op < 0x50) snprintf(t, n, "cmov%s Gv,Ev", cc[op & 15]);
        else if (op >= 0x80 && op < 0x90) snprintf(t, n, "j%s%s Jz", cc[op & 15], hint);
        else if (op >= 0x90 && op < 0xa0) snprintf(t, n, "set%s= Eb", cc[op & 15]);
        else if (op >= 0xc8 && op < 0xd0) return "bswap Rv";
        else return NULL;
        return t;
    }
    if (in->map != MAP_ONE_BYTE)
        return NULL;
    if (op < 0x40 && (op & 7) < 6) snprintf(t, n, "%s %s", alu[op >> 3], alu_ops[op & 7]);
    else if (op >= 0x40 && op < 0x60) snprintf(t, n, "%s Rv", step[(op - 0x40) >> 3]);
    else if (op >= 0x70 && op < 0x80) snprintf(t, n, "j%s%s Jb", cc[op & 15], hint);
    else if (op >= 0x80 && op < 0x84)
        snprintf(t, n, "%s %s", alu[r], op == 0x81 ? "Ev,Iv" : op == 0x83 ? "Ev,Is" : "Eb,Ib");
    else if (op == 0x90 && last_rep(in) == 0xf3) { f->used |= INSN_P_REP; return "pause"; }
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

/* What objdump calls an F2 or F3 prefix; only the last copy is special. */
static const char *rep_name(const struct insn *in, uint8_t b, bool last)
{
    unsigned op = in->op;
    bool one = in->map == MAP_ONE_BYTE;
    bool string_op = one && ((op >= 0x6c && op <= 0x6f) || op == 0xa4 || op == 0xa5 ||
                             (op >= 0xaa && op <= 0xad));
    bool near_branch = (in->map == MAP_0F && op >> 4 == 8) ||
        (one && (op >> 4 == 7 || op == 0xc2 || op == 0xc3 || op == 0xe8 || op == 0xe9 ||
                 op == 0xeb || (op == 0xff && (in->reg == 2 || in->reg == 4))));

    if (b == 0xf2)
        return near_branch && last ? "bnd" : "repnz";  /* MPX's branch prefix */
    return string_op && last ? "rep" : "repz";
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
    unsigned later, same, used = f->used | (f->used_seg || f->notrack ? PREFIX_SEG : 0);

    if ((in->prefixes & (INSN_P_REP | INSN_P_REPNE)) && in->kind == INSN_NORMAL &&
        in->has_modrm && in->mod != 3)
        return false;
    for (unsigned i = 0; i < in->nr_prefixes; i++) {
        uint8_t b = in->bytes[i];
        unsigned cls = prefix_class(b);

        later = same = 0;
        for (unsigned j = i + 1; j < in->nr_prefixes; j++) {
            later |= prefix_class(in->bytes[j]);
            same |= in->bytes[j] == b;
        }
        if (f->notrack && cls == PREFIX_SEG && !(later & cls))
            sb_printf(s, "notrack ");
        else if ((used & cls) && !(later & cls))
            continue;                          /* consumed by the spelling */
        else if (b == 0xf0)
            sb_printf(s, "lock ");
        else if (b == 0xf2 || b == 0xf3)
            sb_printf(s, "%s ", rep_name(in, b, !same));
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
    const struct opdef *d = decode_find_opdef(in);
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

        snprintf(tok, sizeof(tok), "%.*s", (int)(end ? (size_t)(end - p - 1) : strlen(p + 1)),
                 p + 1);
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

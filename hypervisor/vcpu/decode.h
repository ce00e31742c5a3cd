/*
 * decode.h - the 32-bit x86 instruction decoder's interface.
 *
 * decode_insn() turns the bytes at a guest EIP into a struct insn: its exact
 * length, prefixes, ModRM/SIB/displacement, immediates and a classification
 * (enum insn_kind) that says which privileged or sensitive instruction it
 * is.  insn_format() spells it the way `objdump -d` does, for halt messages
 * such as "privileged instruction 'mov %eax,%cr3'".  The decoder is pure: it
 * reads only the buffer it is given, never guest memory, and never decides
 * what to do with an instruction (that is emulate.c's job).
 */
#ifndef HV_DECODE_H
#define HV_DECODE_H

#include "hypervisor/types.h"

#define INSN_MAX_LEN 15            /* longer instructions raise #GP/#UD */

/* decode_insn() errors (negative; success returns the length, 1..15). */
#define DECODE_INVALID     (-1)    /* undefined opcode, or longer than 15 bytes */
#define DECODE_TRUNCATED   (-2)    /* the instruction needs more than avail bytes */
#define DECODE_UNSUPPORTED (-3)    /* VEX, EVEX, XOP, 3DNow!, VIA PadLock: not decoded */

/* What a hypervisor needs to know about an instruction. */
#define INSN_KINDS(X) \
    X(NORMAL) X(CLI) X(STI) X(HLT) X(LGDT) X(LIDT) X(LLDT) X(LTR) \
    X(SGDT) X(SIDT) X(SLDT) X(STR) X(SMSW) X(LMSW) X(CLTS) \
    X(MOV_TO_CR) X(MOV_FROM_CR) X(MOV_TO_DR) X(MOV_FROM_DR) \
    X(IN) X(OUT) X(INS) X(OUTS) X(RDMSR) X(WRMSR) X(RDTSC) X(RDTSCP) \
    X(RDPMC) X(CPUID) X(INVLPG) X(INVD) X(WBINVD) X(PUSHF) X(POPF) \
    X(IRET) X(INT) X(INT1) X(INT3) X(INTO) X(LAR) X(LSL) X(VERR) X(VERW) \
    X(PUSH_SEG) X(POP_SEG) X(MOV_FROM_SEG) X(MOV_TO_SEG) \
    X(FAR_CALL) X(FAR_JMP) X(FAR_RET) X(SYSENTER) X(SYSEXIT) \
    X(SYSCALL) X(SYSRET) X(RSM) X(UD2) X(XSETBV) X(FORCED_EMUL) \
    X(SYSTEM)  /* other ring-0-only ops: VMX/SVM, monitor/mwait, clac/stac, invpcid... */

#define INSN_KIND_ENUM(k) INSN_##k,
enum insn_kind { INSN_KINDS(INSN_KIND_ENUM) INSN_NR_KINDS };
#undef INSN_KIND_ENUM

/* Prefix flags (struct insn.prefixes). */
#define INSN_P_OPSIZE   0x01       /* 66: 16-bit operands */
#define INSN_P_ADDRSIZE 0x02       /* 67: 16-bit addressing (bx/bp/si/di forms) */
#define INSN_P_LOCK     0x04       /* f0 */
#define INSN_P_REP      0x08       /* f3 (rep/repz); f2 and f3 may both be set */
#define INSN_P_REPNE    0x10       /* f2 (repnz) */

/* Segment registers in their encoding order (also struct insn.seg). */
enum x86_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 0xff };

/* Opcode maps (struct insn.map). */
enum insn_map { MAP_ONE_BYTE, MAP_0F, MAP_0F38, MAP_0F3A };

struct insn {
    uint8_t len;                   /* total bytes, prefixes included */
    uint8_t bytes[INSN_MAX_LEN];   /* a copy of those bytes */
    uint8_t nr_prefixes;           /* bytes[0..nr_prefixes) are prefixes */
    uint8_t prefixes;              /* INSN_P_* */
    uint8_t seg;                   /* segment override, or SEG_NONE */
    uint8_t map, op;               /* opcode map and the opcode byte in it */
    bool has_modrm;
    uint8_t modrm, mod, reg, rm;   /* mod is 3 for mov cr/dr (the CPU ignores it);
                                      reg |= 8 for AMD's "lock mov %cr0" = %cr8.
                                      reg may name a control register that does
                                      not exist (cr1, cr5-7, cr9-15): check it */
    bool has_sib;
    uint8_t sib;
    uint8_t disp_size;             /* 0, 1, 2 or 4 bytes */
    int32_t disp;                  /* sign-extended; also a0-a3's moffs address */
    uint8_t imm_size;              /* 0, 1, 2 or 4 bytes */
    uint32_t imm;                  /* as encoded, zero-extended; rel for branches */
    uint8_t imm2_size;             /* second immediate: enter's level, far selector */
    uint32_t imm2;
    enum insn_kind kind;
};

/*
 * Decode one instruction from code[0..avail).  Returns its length (1..15)
 * and fills *out, or a DECODE_* error.  code is guest-controlled: every byte
 * read is bounds-checked against avail and against the 15-byte limit.
 * Pass every readable byte up to 15: like the CPU, the decoder treats
 * "0f 0b" as the 5-byte FORCED_EMUL pseudo-instruction only when the
 * "xen" bytes are there too (and unprefixed); otherwise it is a 2-byte ud2.
 */
int decode_insn(const uint8_t *code, size_t avail, struct insn *out);

/*
 * Write the instruction in objdump's AT&T syntax ("lgdtl 0x8(%eax)", "out
 * %al,(%dx)", "mov %eax,%cr3") into buf, always NUL-terminated (truncated
 * if size is too small).  addr is the instruction's address, for branch
 * targets ("jne 0x104a40": objdump adds " <symbol>").  Returns true if the
 * text is objdump's, which it is for every kind but NORMAL; false if the
 * decoder cannot spell the instruction (SSE, x87, xacquire...) and wrote
 * the raw bytes as ".byte 0x0f,0x28,0xc1" instead.  FORCED_EMUL, which
 * objdump shows as three instructions, is written 'ud2; .ascii "xen"'.
 */
bool insn_format(const struct insn *in, uint32_t addr, char *buf, size_t size);

/*
 * Where a relative jmp, jcc, loop or call at addr goes: the EIP after it
 * plus its sign-extended rel, cut to 16 bits under a 66 prefix.
 */
uint32_t insn_branch_target(const struct insn *in, uint32_t addr);

/* "MOV_TO_CR", "CLI", ... (the enum name without INSN_). */
const char *insn_kind_name(enum insn_kind k);

/*
 * True if the instruction raises #GP (or #UD) whenever CPL > 0 under this
 * hypervisor: ring-0-only instructions, plus cli/sti/in/out/ins/outs because
 * guests run with IOPL 0 and rdpmc because CR4.PCE is clear.  Not rdtsc
 * (CR4.TSD is clear), not sgdt/sidt/sldt/str/smsw (no UMIP), not popf/iret
 * (they silently drop IF/IOPL changes: sensitive, but they do not fault).
 */
bool insn_is_privileged(const struct insn *in);

#endif

/*
 * decode_internal.h - the opcode table shared by the decoder and the speller.
 *
 * decode.c owns opdefs[], the table that both classifies the irregular
 * instructions and holds their objdump templates; decode_format.c reads
 * entries only through decode_find_opdef() and interprets the templates in
 * the language below.  This header is private to hypervisor/vcpu/decode.c and
 * hypervisor/vcpu/decode_format.c: no other file may include it (they use
 * decode.h), and it must never grow data of its own.
 */
#ifndef HV_DECODE_INTERNAL_H
#define HV_DECODE_INTERNAL_H

#include "hypervisor/types.h"
#include "hypervisor/vcpu/decode.h"

/*
 * opdefs[] holds the spelling and classification of the instructions that
 * are not regular enough to compute (see regular_template() in
 * decode_format.c).  A template is the mnemonic, an optional suffix rule,
 * then operands in Intel order (the formatter reverses them, as AT&T does).
 * Suffix rules, as objdump applies them:
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
#define MAP_0F01_REG 4             /* pseudo-map: 0F 01 with mod == 3, op = ModRM */
#define MAP_F3_0F 5                /* pseudo-map: F3 0F xx, where F3 selects the op */
struct opdef { uint8_t map, op, reg, kind; const char *tmpl; };

/*
 * The opdefs[] entry for a decoded instruction, or NULL if it has none (its
 * spelling, if any, is computed by regular_template()).  in comes from
 * decode_insn(), so its fields are already bounded; nothing here reads
 * guest memory.
 */
const struct opdef *decode_find_opdef(const struct insn *in);

#endif

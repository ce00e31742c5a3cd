/*
 * test_scan.c - hypervisor/domain/scan.c and elf_symbols.c: the load-time scan for
 * instructions this CPU will not trap, over crafted byte buffers.
 *
 * Each group states one rule: which instructions are reported in which
 * world (UMIP or not, CPUID faulting or not); that descent follows the
 * code's own jumps and calls, even into the middle of what a sweep would
 * read as one instruction; that the sweep resynchronises after junk; that
 * code running off the end of its buffer, random bytes and hostile symbol
 * tables are survived.  Every buffer is malloc'd at exactly its size, so
 * AddressSanitizer fails a group that reads one byte outside it.
 *
 *   test_scan [GROUP | --list]
 */
#include "hypervisor/domain/scan.h"
#include "hypervisor/domain/elf_format.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define BASE 0xc0001000u
#define MAX_FOUND 256

static const struct scan_env NO_TRAPS = { false, false }, UMIP_ONLY = { true, false },
                              BOTH = { true, true };
static struct scan_finding found[MAX_FOUND];
static struct scan s;

/* The bytes of a hex string ("0f 01 00 c3") in a malloc'd buffer of exactly its size. */
static uint8_t *hex(const char *text, uint32_t *len)
{
    uint8_t *buf = malloc(strlen(text) / 2 + 1);
    unsigned n = 0, v;

    for (const char *p = text; *p; p++)
        if (*p != ' ' && sscanf(p, "%2x", &v) == 1)
            buf[n++] = (uint8_t)v, p++;
    *len = n;
    return realloc(buf, n ? n : 1);
}

/* Scan len bytes at BASE in world env, from an entry at BASE + entry (none if entry < 0). */
static void scan_bytes(const uint8_t *code, uint32_t len, long entry, struct scan_env env)
{
    static struct scan_seg seg;
    seg = (struct scan_seg){ BASE, len, code };
    s = (struct scan){ .seg = &seg, .nseg = 1, .env = env, .found = found,
                       .found_max = MAX_FOUND };
    size_t size = scan_work_size(&seg, 1);
    void *work = malloc(size);
    CHECK(scan_begin(&s, work, size));
    if (entry >= 0)
        scan_seed(&s, BASE + (uint32_t)entry, SCAN_FROM_ENTRY);
    scan_finish(&s);
    CHECKF(s.descent + s.sweep <= s.code, "descent %u sweep %u code %u", s.descent, s.sweep, s.code);
    free(work);
}

/* Scan a hex string with its entry at its first byte; returns the number found. */
static unsigned scan_hex(const char *text, struct scan_env env)
{
    uint32_t len;
    uint8_t *code = hex(text, &len);
    scan_bytes(code, len, 0, env);
    free(code);
    return s.nfound;
}

static enum insn_kind decoded(const char *text, struct insn *in)
{
    uint32_t len;
    uint8_t *code = hex(text, &len);
    int n = decode_insn(code, len, in);
    free(code);
    CHECKF(n == (int)len, "%s decodes to %d bytes", text, n);
    return in->kind;
}

/* sgdt, sidt, sldt, smsw and str are reported without UMIP, cpuid without CPUID faulting. */
static void reported_kinds_by_world(void)
{
    static const struct { const char *bytes; enum insn_kind kind; bool umip; } cases[] = {
        { "0f 01 00", INSN_SGDT, true }, { "0f 01 08", INSN_SIDT, true },
        { "0f 00 c0", INSN_SLDT, true }, { "0f 01 e0", INSN_SMSW, true },
        { "0f 00 c8", INSN_STR, true }, { "0f 01 4d 08", INSN_SIDT, true },
        { "66 0f 01 20", INSN_SMSW, true }, { "0f a2", INSN_CPUID, false },
    };
    struct insn in;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        CHECKF(decoded(cases[i].bytes, &in) == cases[i].kind, "%s", cases[i].bytes);
        const char *why = scan_untrappable(&in, INSN_NORMAL, &NO_TRAPS);
        CHECKF(why && !strcmp(why, cases[i].umip ? "no UMIP" : "no CPUID faulting"),
               "%s: %s", cases[i].bytes, why ? why : "(not reported)");
        CHECKF(!scan_untrappable(&in, INSN_NORMAL, &BOTH), "%s reported with both", cases[i].bytes);
        CHECKF(!scan_untrappable(&in, INSN_NORMAL, &UMIP_ONLY) == cases[i].umip,
               "%s under UMIP alone", cases[i].bytes);
    }
    /* The same, as whole scans of one function holding all six. */
    const char *fn = "0f 01 00 0f 01 08 0f 00 c0 0f 01 e0 0f 00 c8 0f a2 c3";
    CHECKF(scan_hex(fn, NO_TRAPS) == 6, "found %u", s.nfound);
    CHECKF(scan_hex(fn, UMIP_ONLY) == 1 && s.found[0].insn.kind == INSN_CPUID, "found %u", s.nfound);
    CHECKF(scan_hex(fn, BOTH) == 0, "found %u", s.nfound);
}

/* What always traps, and what is harmless by design, is never reported. */
static void other_sensitive_instructions_are_not_reported(void)
{
    static const char *const cases[] = {
        "9c", "9d", "cf", "0f 02 c0", "0f 03 c0", "0f 00 e0", "0f 00 e8", "0e", "1f",
        "0f a0", "8c d8", "8e d8", "9a 00 00 00 00 08 00", "ff 18", "ca 04 00", "cb",
        "cd 80", "cc", "0f 31", "0f 01 f9", "0f 33", "0f 34", "0f 05", "fa", "fb", "f4",
        "0f 22 d8", "0f 20 c0", "0f 01 10", "0f 01 18", "0f 00 d0", "0f 00 d8", "ec", "ee",
        "0f 30", "0f 32", "0f 01 f0", "0f 06", "0f 08", "0f 09", "0f 0b", "0f 01 c8", "90",
    };
    struct insn in;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        decoded(cases[i], &in);
        CHECKF(!scan_untrappable(&in, INSN_NORMAL, &NO_TRAPS), "%s (%s) reported", cases[i],
               insn_kind_name(in.kind));
    }
}

/* A cpuid right behind ud2; .ascii "xen" traps (#UD) and is emulated: not reported. */
static void forced_emulation_cpuid_is_not_reported(void)
{
    CHECKF(scan_hex("0f 0b 78 65 6e 0f a2 c3", NO_TRAPS) == 0, "found %u", s.nfound);
    CHECKF(scan_hex("90 0f a2 c3", NO_TRAPS) == 1, "found %u", s.nfound);
    /* In the sweep too (no entry). */
    uint32_t len;
    uint8_t *code = hex("0f 0b 78 65 6e 0f a2 c3", &len);
    scan_bytes(code, len, -1, NO_TRAPS);
    CHECKF(s.nfound == 0 && s.sweep == len, "found %u, swept %u", s.nfound, s.sweep);
    free(code);
    /* A jump straight to the cpuid skips the prefix: that cpuid runs untrapped. */
    CHECKF(scan_hex("eb 05 0f 0b 78 65 6e 0f a2 c3", NO_TRAPS) == 1 &&
           s.found[0].addr == BASE + 7 && s.found[0].how == SCAN_FROM_ENTRY,
           "found %u at 0x%x", s.nfound, s.found[0].addr);
}

/*
 * Descent follows call, jcc and jmp targets past bytes that a linear
 * sweep would misread: each b8 below swallows the next four bytes as an
 * immediate when decoded in line.
 */
static void descent_follows_calls_branches_and_jumps(void)
{
    const char *prog =
        "e8 08 00 00 00 74 0b e9 0b 00 00 00 b8 0f 01 00 c3 b8 0f 01 08 c3 b8 0f a2 c3";
    /*   00: call 0d    05: je 12         0c  0d: sgdt; ret  11 12: sidt; ret 16 17: cpuid; ret */
    uint32_t len;
    uint8_t *bytes = hex(prog, &len);
    scan_bytes(bytes, len, 0, NO_TRAPS);
    CHECKF(s.nfound == 3, "found %u", s.nfound);
    static const uint32_t at[3] = { 0x0d, 0x12, 0x17 };
    static const enum insn_kind kind[3] = { INSN_SGDT, INSN_SIDT, INSN_CPUID };
    for (unsigned i = 0; i < 3 && i < s.nfound; i++)
        CHECKF(s.found[i].addr == BASE + at[i] && s.found[i].insn.kind == kind[i] &&
               s.found[i].how == SCAN_FROM_ENTRY, "finding %u: 0x%x %s %s", i,
               s.found[i].addr, insn_kind_name(s.found[i].insn.kind), scan_how_name(s.found[i].how));
    CHECKF(s.descent == len - 3 && s.sweep == 0, "descent %u sweep %u of %u", s.descent,
           s.sweep, len);      /* the three b8 bytes are neither */
    free(bytes);
}

/* A jump into the middle of what a sweep reads as one instruction is followed. */
static void descent_follows_a_jump_into_an_instruction(void)
{
    /* In line: jmp; mov $0x9090a20f,%eax; ret.  Executed: jmp; cpuid; nop; nop; ret. */
    CHECKF(scan_hex("eb 01 b8 0f a2 90 90 c3", NO_TRAPS) == 1 && s.found[0].addr == BASE + 3 &&
           s.found[0].how == SCAN_FROM_ENTRY, "found %u", s.nfound);
    /* Without the entry the sweep reads the mov, and misses the cpuid: what a sweep cannot see. */
    uint32_t len;
    uint8_t *code = hex("eb 01 b8 0f a2 90 90 c3", &len);
    scan_bytes(code, len, -1, NO_TRAPS);
    CHECKF(s.nfound == 0 && s.sweep == len, "found %u swept %u", s.nfound, s.sweep);
    free(code);
}

/* The sweep skips an undecodable byte and tries again at the next one. */
static void sweep_resynchronises_after_junk(void)
{
    CHECKF(scan_hex("c3 d6 d6 d6 0f a2 c3", NO_TRAPS) == 1, "found %u", s.nfound);
    CHECKF(s.found[0].addr == BASE + 4 && s.found[0].how == SCAN_FROM_SWEEP,
           "at 0x%x %s", s.found[0].addr, scan_how_name(s.found[0].how));
    CHECKF(s.descent == 1 && s.sweep == 3 && s.code == 7, "descent %u sweep %u code %u",
           s.descent, s.sweep, s.code);
    /* VEX and 3DNow! (not decoded) are skipped a byte at a time too. */
    CHECKF(scan_hex("c3 c5 f8 0f 0f 00 c8", NO_TRAPS) == 1 && s.found[0].insn.kind == INSN_STR &&
           s.found[0].addr == BASE + 4 && s.code - s.descent - s.sweep == 2, "found %u", s.nfound);
}

/* Code that runs off the end of its segment stops the walk; the bytes count as undecodable. */
static void code_running_off_the_end_is_undecodable(void)
{
    CHECKF(scan_hex("eb 01 90 0f 01", NO_TRAPS) == 0, "found %u", s.nfound);
    CHECKF(s.descent == 2 && s.sweep == 1 && s.code == 5, "descent %u sweep %u", s.descent, s.sweep);
    CHECKF(scan_hex("90 90 90 0f", NO_TRAPS) == 0 && s.descent == 3, "descent %u", s.descent);
    CHECKF(scan_hex("e9 00 00 00", NO_TRAPS) == 0 && s.descent == 0, "descent %u", s.descent);
    /* A branch to outside the segment, or to its very end, is not followed. */
    CHECKF(scan_hex("e8 f0 ff ff ff eb 00 c3", NO_TRAPS) == 0 && s.descent == 8, "descent %u",
           s.descent);
    scan_bytes((const uint8_t *)"", 0, 0, NO_TRAPS);
    CHECK(s.code == 0 && s.nfound == 0);
}


/* Random bytes, random seeds: no read outside the buffer, and the counts add up. */
static void random_bytes_stay_inside_the_buffer(void)
{
    static const uint8_t hot[] = { 0x0f, 0x01, 0x00, 0xa2, 0xe8, 0xe9, 0xeb, 0x74, 0xc3,
                                   0x66, 0xf3, 0xd6 };
    for (unsigned round = 0; round < 400; round++) {
        uint32_t len = check_random() % 3000;
        uint8_t *code = malloc(len ? len : 1);
        for (uint32_t i = 0; i < len; i++)
            code[i] = check_random() % 3 ? hot[check_random() % sizeof(hot)] : (uint8_t)check_random();
        struct scan_seg seg[2] = { { BASE, len / 2, code },
                                   { BASE + len / 2, len - len / 2, code + len / 2 } };
        s = (struct scan){ .seg = seg, .nseg = 2, .env = NO_TRAPS, .found = found,
                           .found_max = 8 };
        size_t size = scan_work_size(seg, 2);
        void *work = malloc(size);
        CHECK(scan_begin(&s, work, size));
        for (unsigned k = 0; k < 50; k++)
            scan_seed(&s, BASE - 8 + check_random() % (len + 16), check_random() & 1);
        scan_finish(&s);
        CHECKF(s.code == len && s.descent + s.sweep <= len, "round %u", round);
        for (unsigned i = 0; i < MIN(s.nfound, 8u); i++)
            CHECKF(s.found[i].addr >= BASE && s.found[i].addr + s.found[i].insn.len <= BASE + len &&
                   (i == 0 || s.found[i - 1].addr < s.found[i].addr), "round %u finding %u", round, i);
        free(work);
        free(code);
    }
}

/* Only the found_max lowest addresses are kept, in order; nfound counts them all. */
static void findings_keep_the_lowest_addresses(void)
{
    char text[100 * 6 + 3] = "";
    for (unsigned i = 0; i < 100; i++)
        strcat(text, "0f a2 ");
    uint32_t len;
    uint8_t *code = hex(strcat(text, "c3"), &len);
    struct scan_seg seg = { BASE, len, code };
    for (unsigned max = 0; max <= 4; max += 4) {
        s = (struct scan){ .seg = &seg, .nseg = 1, .env = NO_TRAPS, .found = found,
                           .found_max = max };
        size_t size = scan_work_size(&seg, 1);
        void *work = malloc(size);
        CHECK(scan_begin(&s, work, size));
        scan_seed(&s, BASE + 100, SCAN_FROM_ENTRY);     /* the upper half first */
        scan_finish(&s);
        CHECKF(s.nfound == 100, "max %u: found %u", max, s.nfound);
        for (unsigned i = 0; i < max; i++)
            CHECKF(found[i].addr == BASE + 2 * i && found[i].how == SCAN_FROM_SWEEP,
                   "found[%u] at 0x%x", i, found[i].addr);
        free(work);
    }
    free(code);
}

/* scan_begin() refuses work memory smaller than scan_work_size(). */
static void too_little_work_memory_is_refused(void)
{
    uint8_t code[64] = { 0 };
    struct scan_seg seg = { BASE, sizeof(code), code };
    size_t size = scan_work_size(&seg, 1);
    void *work = malloc(size);
    s = (struct scan){ .seg = &seg, .nseg = 1 };
    CHECK(!scan_begin(&s, work, size - 1));
    CHECK(scan_begin(&s, work, size));
    free(work);
}

/*
 * A small ELF image: .text (code, at 0x1000) and .rodata (at 0x1080), both in
 * the one buffer the scan is given, a symbol table, and section headers.
 */
enum { TEXT_OFF = 64, CODE_LEN = 256, SYM_OFF = TEXT_OFF + CODE_LEN, NSYM = 6,
       SH_OFF = SYM_OFF + NSYM * 16, NSEC = 4, IMAGE_LEN = SH_OFF + NSEC * 40 };
#define TEXT 0x1000u
#define RODATA 0x1080u

static uint8_t *make_image(void)
{
    uint8_t *img = calloc(1, IMAGE_LEN);
    struct elf32_ehdr eh = { .e_ident = "\177ELF\1\1\1", .e_type = ET_EXEC, .e_machine = EM_386,
                             .e_shoff = SH_OFF, .e_ehsize = 52, .e_shentsize = 40,
                             .e_shnum = NSEC };
    const struct elf32_shdr sh[NSEC] = {
        { 0 },
        { .sh_type = 1, .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_addr = TEXT,
          .sh_offset = TEXT_OFF, .sh_size = 0x80 },
        { .sh_type = 1, .sh_flags = SHF_ALLOC, .sh_addr = RODATA, .sh_offset = TEXT_OFF + 0x80,
          .sh_size = 0x80 },
        { .sh_type = SHT_SYMTAB, .sh_offset = SYM_OFF, .sh_size = NSYM * 16, .sh_entsize = 16 },
    };
    const struct elf32_sym sym[NSYM] = {
        { 0 },
        { .st_value = TEXT + 0x10, .st_info = STT_FUNC, .st_shndx = 1 },
        { .st_value = TEXT + 0x20, .st_info = STT_NOTYPE, .st_shndx = 1 },   /* an asm label */
        { .st_value = RODATA + 0x01, .st_info = STT_NOTYPE, .st_shndx = 2 }, /* data label */
        { .st_value = TEXT + 0x31, .st_info = STT_OBJECT, .st_shndx = 1 },
        { .st_value = TEXT + 0x80, .st_info = STT_NOTYPE, .st_shndx = 1 },   /* _etext */
    };
    memcpy(img, &eh, sizeof(eh));
    memcpy(img + SH_OFF, sh, sizeof(sh));
    memcpy(img + SYM_OFF, sym, sizeof(sym));
    uint8_t *code = img + TEXT_OFF;
    memset(code, 0xd6, CODE_LEN);                 /* junk everywhere else */
    code[0] = 0xc3;                                /* the entry: ret */
    memcpy(code + 0x10, "\x0f\x01\x00\xc3", 4);    /* FUNC: sgdt (%eax); ret */
    memcpy(code + 0x20, "\x0f\x01\x08\xc3", 4);    /* NOTYPE in .text: sidt (%eax); ret */
    memcpy(code + 0x30, "\xb8\x0f\xa2\x90\x90", 5);/* OBJECT at +0x31: not code */
    memcpy(code + 0x80, "\xb8\x0f\x00\xc0\x90", 5);/* RODATA: a NOTYPE at +0x81 */
    return img;
}

static unsigned symbols_seen;
static void count_symbol(void *arg, uint32_t addr)
{
    (void)arg, (void)addr;
    symbols_seen++;
}

/* Functions and code labels start descent; data labels and objects do not. */
static void symbols_seed_descent(void)
{
    uint8_t *img = make_image();
    struct scan_seg seg = { TEXT, CODE_LEN, img + TEXT_OFF };
    s = (struct scan){ .seg = &seg, .nseg = 1, .env = NO_TRAPS, .found = found,
                       .found_max = MAX_FOUND };
    size_t size = scan_work_size(&seg, 1);
    void *work = malloc(size);
    CHECK(scan_begin(&s, work, size));
    scan_seed(&s, TEXT, SCAN_FROM_ENTRY);
    CHECKF(elf_symbols_code(img, IMAGE_LEN, scan_seed_symbol, &s) == NSYM, "symbols");
    scan_finish(&s);
    CHECKF(s.nfound == 2, "found %u", s.nfound);
    CHECKF(s.found[0].addr == TEXT + 0x10 && s.found[0].how == SCAN_FROM_SYMBOL &&
           s.found[1].addr == TEXT + 0x20 && s.found[1].how == SCAN_FROM_SYMBOL,
           "0x%x %s, 0x%x %s", s.found[0].addr, scan_how_name(s.found[0].how),
           s.found[1].addr, scan_how_name(s.found[1].how));
    CHECKF(s.descent == 1 + 4 + 4, "descent %u", s.descent);
    free(work);
    free(img);
}

/* A symbol table that lies outside the image is refused whole, with no symbol read. */
static void hostile_symbol_tables_are_refused(void)
{
    static const struct { unsigned at, size; uint32_t value; int want; unsigned code; } cases[] = {
        { 0, 0, 0, NSYM, 2 },                                  /* as made: a FUNC and a label */
        { 32, 4, 0xfffffff0u, -EINVAL, 0 },                    /* e_shoff past the end */
        { 32, 4, IMAGE_LEN - 40, -EINVAL, 0 },                 /* the table runs off the end */
        { 48, 2, 0xffff, -EINVAL, 0 },                         /* e_shnum huge */
        { 46, 2, 64, -EINVAL, 0 },                             /* e_shentsize wrong */
        { SH_OFF + 3 * 40 + 16, 4, IMAGE_LEN, -EINVAL, 0 },    /* symtab offset at the end */
        { SH_OFF + 3 * 40 + 20, 4, 0xffffffffu, -EINVAL, 0 },  /* symtab size huge */
        { SH_OFF + 3 * 40 + 16, 4, 0xfffffff0u, -EINVAL, 0 },  /* offset near 4 GiB */
        { SH_OFF + 3 * 40 + 36, 4, 24, -EINVAL, 0 },           /* sh_entsize wrong */
        { SH_OFF + 3 * 40 + 4, 4, 1, 0, 0 },                   /* no SHT_SYMTAB: stripped */
        { 48, 2, 0, 0, 0 },                                    /* no section headers */
        { SYM_OFF + 2 * 16 + 14, 2, 0xffff, NSYM, 1 },         /* a label's section: none */
        { SH_OFF + 1 * 40 + 20, 4, 0x20, NSYM, 1 },            /* .text ends at the label */
        { SH_OFF + 3 * 40 + 20, 4, 0, 0, 0 },                  /* an empty table */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t *img = make_image();
        uint32_t v = cases[i].value;
        memcpy(img + cases[i].at, &v, cases[i].size);
        symbols_seen = 0;
        int rc = elf_symbols_code(img, IMAGE_LEN, count_symbol, NULL);
        CHECKF(rc == cases[i].want && symbols_seen == cases[i].code,
               "case %u: rc %d, %u code symbols", i, rc, symbols_seen);
        free(img);
    }
    uint8_t *img = make_image();
    symbols_seen = 0;
    for (size_t cut = 0; cut < IMAGE_LEN; cut += 7) {       /* truncations */
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, img, cut);
        int rc = elf_symbols_code(part, cut, count_symbol, NULL);
        CHECKF(rc == -EINVAL && symbols_seen == 0, "cut %zu: rc %d", cut, rc);
        free(part);
    }
    free(img);
}

static const struct group groups[] = {
    { "reported_kinds_by_world", reported_kinds_by_world },
    { "other_sensitive_instructions_are_not_reported", other_sensitive_instructions_are_not_reported },
    { "forced_emulation_cpuid_is_not_reported", forced_emulation_cpuid_is_not_reported },
    { "descent_follows_calls_branches_and_jumps", descent_follows_calls_branches_and_jumps },
    { "descent_follows_a_jump_into_an_instruction", descent_follows_a_jump_into_an_instruction },
    { "sweep_resynchronises_after_junk", sweep_resynchronises_after_junk },
    { "code_running_off_the_end_is_undecodable", code_running_off_the_end_is_undecodable },
    { "random_bytes_stay_inside_the_buffer", random_bytes_stay_inside_the_buffer },
    { "findings_keep_the_lowest_addresses", findings_keep_the_lowest_addresses },
    { "too_little_work_memory_is_refused", too_little_work_memory_is_refused },
    { "symbols_seed_descent", symbols_seed_descent },
    { "hostile_symbol_tables_are_refused", hostile_symbol_tables_are_refused },
};
CHECK_MAIN(groups)

/*
 * elf.c - the guest image parser: ELF32 headers, PT_LOADs and Xen notes.
 *
 * Owns turning an untrusted multiboot module into a validated elf_image.
 * It must never trust a number from the image: every offset and size is
 * checked against the buffer before a byte is read, with arithmetic that
 * cannot wrap, and every address the builder will use is checked against
 * the hypervisor hole.  A hostile image gets an error line, never a read
 * past the buffer, a loop that does not end, or a crash.
 *
 * The order of work: the ELF header (is it ELF32 i386 at all?), the program
 * headers (PT_LOADs, each inside the file), the Xen notes (PT_NOTE segments,
 * else SHT_NOTE sections, as libelf does), the notes' contents (loader,
 * version, PAE, features), the addresses (hole, overlap, entry, hypercall
 * page), which need VIRT_BASE and PADDR_OFFSET from the notes, and last,
 * for a BSD_SYMTAB image, the symbol table after it (elf_symtab.c).
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/elf.h"
#include "hypervisor/domain/elf_format.h"
#include "hypercalls/public/elfnote.h"
#include "hypercalls/public/errno.h"

/* The numeric notes we act on: their names for error lines, their fields. */
#define NUMERIC(type, field) [XEN_ELFNOTE_##type] = { #type, offsetof(struct elf_image, field) }
static const struct { const char *name; size_t at; } numeric[] = {
    NUMERIC(ENTRY, entry), NUMERIC(HYPERCALL_PAGE, hypercall_page),
    NUMERIC(VIRT_BASE, virt_base), NUMERIC(PADDR_OFFSET, paddr_offset),
    NUMERIC(HV_START_LOW, hv_start_low) };

/* Everything one parse needs; `out` is the caller's, the rest is scratch. */
struct elf_ctx {
    const uint8_t *img;         /* the untrusted image, `size` bytes */
    size_t size;
    struct elf_image *out;
    char *err;                  /* the caller's error line, may be NULL */
    size_t errlen;
    uint32_t e_entry;
    unsigned notes_seen, xen_notes;
    uint32_t note_at;           /* the note being read, for error lines */
    uint32_t seen;              /* bit N: a numeric note of type N was seen */
};
#define SEEN(c, type) (((c)->seen >> (type)) & 1)

/* Write the one-line reason and hand back the error code. */
int elf_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}
#define FAIL(c, rc, ...) elf_errf((c)->err, (c)->errlen, (rc), __VA_ARGS__)

/*
 * Is [off, off+len) inside a file of size bytes?  Written as two comparisons that
 * cannot overflow: off + len might wrap past 2^32 and look small.
 */
bool elf_in_file(size_t size, uint32_t off, uint32_t len)
{
    return off <= size && len <= size - off;
}

/* The "truncated: ..." error for a range of a `size`-byte file that is not inside it. */
int elf_truncated(char *err, size_t errlen, size_t size, const char *what, uint32_t off,
                  uint32_t len)
{
    return elf_errf(err, errlen, -EINVAL, "truncated: %s ends at 0x%llx past end 0x%x", what,
                    (unsigned long long)off + len, (unsigned)size);
}
#define truncated(c, what, off, len) elf_truncated((c)->err, (c)->errlen, (c)->size, what, off, len)

/* The section header table: 40-byte entries, all inside the file (elf_symtab.c too). */
int elf_section_table(const struct elf32_ehdr *eh, size_t size, char *err, size_t errlen)
{
    uint32_t len = eh->e_shnum * sizeof(struct elf32_shdr);    /* e_shnum < 2^16 */

    if (eh->e_shentsize != sizeof(struct elf32_shdr))
        return elf_errf(err, errlen, -EINVAL, "section headers are %u bytes (want 40)",
                        eh->e_shentsize);
    if (!elf_in_file(size, eh->e_shoff, len))
        return elf_truncated(err, errlen, size, "section header table", eh->e_shoff, len);
    return 0;
}

/* ---- one Xen note --------------------------------------------------- */

/*
 * The string at file offset `off` as libelf's elf_strval() reads one: up to
 * its NUL, wherever that is, so long as it is inside the file and at most
 * ELF_MAX_STRING bytes on.  Its length, or -1 when it is not a string.
 */
static long file_string(const struct elf_ctx *c, uint64_t off)
{
    if (off >= c->size)
        return -1;
    size_t max = MIN(c->size - (size_t)off, (size_t)ELF_MAX_STRING + 1);
    size_t n = strnlen((const char *)c->img + off, max);
    return n < max ? (long)n : -1;
}

/* Copy a string note (len bytes, no NUL needed); always terminates, may cut. */
static void note_string(char *dst, size_t dstlen, const uint8_t *s, long len)
{
    size_t n = MIN((size_t)len, dstlen - 1);

    memcpy(dst, s, n);
    dst[n] = '\0';
}

/*
 * A numeric note's value is 1, 2, 4 or 8 bytes (libelf's rule; 32-bit
 * kernels use .long, some .quad), read from the file at `desc`.  libelf
 * reads any other size as 0, and a value past the end of the file as 0 with
 * the image marked broken; we refuse both rather than run the guest with a
 * number it never wrote.  This is a 32-bit guest: a value that does not fit
 * in 32 bits is a broken image, not something to truncate.
 */
static int note_number(struct elf_ctx *c, unsigned type, uint64_t desc,
                       uint32_t descsz, uint32_t *val)
{
    uint64_t v = 0;

    if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
        return FAIL(c, -EINVAL, "%s note has a %u-byte value (want 4 or 8)",
                    numeric[type].name, descsz);
    if (desc + descsz > c->size)
        return FAIL(c, -EINVAL, "malformed note at 0x%x: its %s value runs "
                    "past the end of the file", c->note_at,
                    numeric[type].name);
    memcpy(&v, c->img + desc, descsz);
    if (v >> 32)
        return FAIL(c, -EINVAL, "%s 0x%x%08x does not fit in 32 bits",
                    numeric[type].name, (unsigned)(v >> 32), (unsigned)v);
    *val = (uint32_t)v;
    return 0;
}

/* The notes libelf reads as strings (the rest it reads as numbers). */
#define STRING_NOTES ((1u << XEN_ELFNOTE_XEN_VERSION) | \
    (1u << XEN_ELFNOTE_GUEST_OS) | (1u << XEN_ELFNOTE_GUEST_VERSION) | \
    (1u << XEN_ELFNOTE_LOADER) | (1u << XEN_ELFNOTE_PAE_MODE) | \
    (1u << XEN_ELFNOTE_FEATURES) | (1u << XEN_ELFNOTE_BSD_SYMTAB))

/*
 * Record one Xen note whose descriptor is at file offset `desc`.  A string
 * is read to its NUL as libelf does, whatever descsz says (GRUB's PAE_MODE
 * note claims 12 bytes and carries "yes\0"); it must end inside the file.
 * Types we do not use are ignored, as libelf does: they describe things we
 * do not offer (INIT_P2M, MOD_START_PFN, PHYS32_ENTRY...).  A later
 * duplicate overrides.
 */
static int apply_note(struct elf_ctx *c, unsigned type, uint64_t desc,
                      uint32_t n)
{
    struct elf_image *o = c->out;
    const uint8_t *s = c->img + MIN(desc, (uint64_t)c->size);
    long len = 0;
    uint32_t word0;

    if (type < ARRAY_SIZE(numeric) && numeric[type].name) {
        c->seen |= 1u << type;
        return note_number(c, type, desc, n, (uint32_t *)(void *)((char *)o + numeric[type].at));
    }
    if (type < 32 && (STRING_NOTES >> type & 1) &&
        (len = file_string(c, desc)) < 0)
        return FAIL(c, -EINVAL, "malformed note at 0x%x: its string does not "
                    "end inside the file", c->note_at);
#define STRING(field) note_string(o->field, sizeof(o->field), s, len)
    switch (type) {
    case XEN_ELFNOTE_GUEST_OS:      STRING(guest_os); break;
    case XEN_ELFNOTE_GUEST_VERSION: STRING(guest_version); break;
    case XEN_ELFNOTE_LOADER:        STRING(loader); break;
    case XEN_ELFNOTE_XEN_VERSION:   STRING(xen_version); break;
    case XEN_ELFNOTE_PAE_MODE:      STRING(pae_mode); break;
    case XEN_ELFNOTE_BSD_SYMTAB:    /* libelf: exactly "yes"; never unset */
        o->bsd_symtab |= len == 3 && !memcmp(s, "yes", 3);
        break;
    case XEN_ELFNOTE_FEATURES:
        STRING(features);
        /* Parse the note itself, not the copy, which may have been cut. */
        return elf_parse_features((const char *)s, len, &o->feat_supported,
                                  &o->feat_required, c->err, c->errlen);
    case XEN_ELFNOTE_SUPPORTED_FEATURES:   /* a bitmap; word 0 is ours */
        if (n >= 4 && n % 4 == 0 && desc + 4 <= c->size) {
            memcpy(&word0, s, 4);
            o->feat_supported |= word0;
        }
        break;
    }
#undef STRING
    return 0;
}

/* ---- finding the notes ------------------------------------------------ */

/*
 * Walk the notes in [off, off+len), a range already checked to be inside
 * the file, as libelf does (elf_xen_parse_notes, elf_note_next): a note
 * starts anywhere before the end of the area; it is Xen's when the string
 * after its 12-byte header is "Xen"; its descriptor follows the name
 * rounded up to 4 bytes (namesz) and the next note the descriptor rounded
 * up to 4 (descsz).  namesz and descsz are only steps: they may claim more
 * than the area holds, because what is read - the header, the name, the
 * value - is checked against the file.  Offsets are 64-bit, so no step
 * wraps; each step is at least 12 bytes, so the loop ends; the count over
 * all areas is capped against images that point many sections at the
 * same notes.
 */
static int walk_notes(struct elf_ctx *c, const char *what, uint32_t off, uint32_t len)
{
    if (!elf_in_file(c->size, off, len))
        return truncated(c, what, off, len);
    for (uint64_t p = off, end = (uint64_t)off + len; p < end; ) {
        struct elf32_note n;
        c->note_at = (uint32_t)p;
        if (p + sizeof(n) > c->size || file_string(c, p + sizeof(n)) < 0)
            return FAIL(c, -EINVAL, "malformed note at 0x%x: its header or "
                        "name runs past the end of the file", c->note_at);
        if (++c->notes_seen > ELF_MAX_NOTES)
            return FAIL(c, -E2BIG, "too many ELF notes (more than %u)",
                        ELF_MAX_NOTES);
        memcpy(&n, c->img + p, sizeof(n));
        uint64_t desc = p + sizeof(n) + ALIGN_UP((uint64_t)n.namesz, 4);
        if (!strcmp((const char *)c->img + p + sizeof(n), XEN_ELFNOTE_NAME)) {
            int rc = apply_note(c, n.type, desc, n.descsz);
            if (rc)
                return rc;
            c->xen_notes++;
        }
        p = desc + ALIGN_UP((uint64_t)n.descsz, 4);
    }
    return 0;
}

/* Notes in PT_NOTE segments; the program header table is already checked. */
static int notes_from_segments(struct elf_ctx *c, const struct elf32_ehdr *eh)
{
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        struct elf32_phdr ph;
        memcpy(&ph, c->img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
        /* Some binutils leave p_offset 0 on PT_NOTE; libelf skips those. */
        if (ph.p_type != PT_NOTE || ph.p_offset == 0)
            continue;
        int rc = walk_notes(c, "PT_NOTE segment", ph.p_offset, ph.p_filesz);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * The fallback when no PT_NOTE holds a Xen note: SHT_NOTE sections.  XTF
 * needs it - its linker script puts .note inside the one PT_LOAD.
 */
static int notes_from_sections(struct elf_ctx *c, const struct elf32_ehdr *eh)
{
    int rc;

    if (eh->e_shoff == 0 || eh->e_shnum == 0)
        return 0;
    if ((rc = elf_section_table(eh, c->size, c->err, c->errlen)))
        return rc;
    for (unsigned i = 1; i < eh->e_shnum; i++) {   /* 0 is the null section */
        struct elf32_shdr sh;
        memcpy(&sh, c->img + eh->e_shoff + i * sizeof(sh), sizeof(sh));
        if (sh.sh_type == SHT_NOTE && (rc = walk_notes(c, "SHT_NOTE section", sh.sh_offset,
                                                         sh.sh_size)))
            return rc;
    }
    c->out->notes_from_sections = c->xen_notes > 0;
    return 0;
}

/* ---- headers and segments -------------------------------------------- */

/* Is this an ELF32 little-endian i386 executable, with its tables inside? */
static int read_header(struct elf_ctx *c, struct elf32_ehdr *eh)
{
    if (c->size < 4 || memcmp(c->img, "\177ELF", 4))
        return FAIL(c, -ENOEXEC, "not an ELF file");
    if (c->size < sizeof(*eh))
        return FAIL(c, -EINVAL, "truncated: ELF header needs 52 bytes, file "
                    "has %u", (unsigned)c->size);
    memcpy(eh, c->img, sizeof(*eh));
    if (eh->e_ident[4] != ELFCLASS32)
        return FAIL(c, -ENOEXEC, "wrong class (%s)", eh->e_ident[4] ==
                    ELFCLASS64 ? "ELFCLASS64" : "neither ELFCLASS32 nor 64");
    if (eh->e_ident[5] != ELFDATA2LSB)
        return FAIL(c, -ENOEXEC, "wrong byte order (want ELFDATA2LSB)");
    if (eh->e_machine != EM_386)
        return FAIL(c, -ENOEXEC, "wrong machine %u (want EM_386)",
                    eh->e_machine);
    /* A PV kernel is linked at fixed addresses; nothing relocates it. */
    if (eh->e_type != ET_EXEC)
        return FAIL(c, -ENOEXEC, "not an executable (e_type %u, want ET_EXEC)",
                    eh->e_type);
    if (eh->e_phnum == 0)
        return FAIL(c, -ENOEXEC, "no PT_LOAD segment");
    if (eh->e_phentsize != sizeof(struct elf32_phdr))
        return FAIL(c, -EINVAL, "program headers are %u bytes (want 32)",
                    eh->e_phentsize);
    /* e_phnum < 2^16, so the table size cannot overflow. */
    if (!elf_in_file(c->size, eh->e_phoff, eh->e_phnum * sizeof(struct elf32_phdr)))
        return truncated(c, "program header table", eh->e_phoff,
                         eh->e_phnum * sizeof(struct elf32_phdr));
    c->e_entry = eh->e_entry;
    return 0;
}

/*
 * Collect the PT_LOADs.  libelf loads a PT_LOAD only if it has one of the
 * R/W/X flags; we do the same.  The file part of each must be in the file,
 * and filesz > memsz would make the builder copy more than it mapped.
 */
static int read_segments(struct elf_ctx *c, const struct elf32_ehdr *eh)
{
    struct elf_image *o = c->out;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        struct elf32_phdr ph;
        memcpy(&ph, c->img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_RWX))
            continue;
        if (ph.p_filesz > ph.p_memsz)
            return FAIL(c, -EINVAL, "segment %u: filesz 0x%x is larger than "
                        "memsz 0x%x", i, ph.p_filesz, ph.p_memsz);
        if (ph.p_filesz && !elf_in_file(c->size, ph.p_offset, ph.p_filesz)) {
            char what[24];
            snprintf(what, sizeof(what), "segment %u data", i);
            return truncated(c, what, ph.p_offset, ph.p_filesz);
        }
        if (o->nseg == ELF_MAX_SEGS)
            return FAIL(c, -E2BIG, "too many PT_LOAD segments (more than %u)",
                        ELF_MAX_SEGS);
        /* A segment with no file bytes may name any offset (only filesz bytes
         * are read): it is kept as 0, so every [offset, offset+filesz) is in
         * the file, as elf.h promises (the elf fuzz target checks it). */
        o->seg[o->nseg++] = (struct elf_segment){
            .paddr = ph.p_paddr, .filesz = ph.p_filesz, .memsz = ph.p_memsz,
            .offset = ph.p_filesz ? ph.p_offset : 0, .flags = ph.p_flags & PF_RWX };
    }
    if (o->nseg == 0)
        return FAIL(c, -ENOEXEC, "no PT_LOAD segment");
    return 0;
}

/* ---- what the notes say ---------------------------------------------- */

static bool contains(const char *s, const char *word)
{
    for (size_t n = strlen(word); *s; s++)
        if (!strncmp(s, word, n))
            return true;
    return false;
}

/* A string note that is missing (empty) or says the wrong thing. */
static int bad_note(struct elf_ctx *c, const char *name, const char *val, const char *want)
{
    if (!val[0])
        return FAIL(c, -ENOEXEC, "missing %s note%s", name, want);
    return FAIL(c, -ENOEXEC, "%s is \"%s\"%s", name, val, want);
}

/*
 * libelf's acceptance rules: the generic loader (or a Linux kernel), for
 * the Xen 3.0 ABI.  A 32-bit guest must also run in PAE mode: that is the
 * only paging mode this hypervisor runs, and a non-PAE kernel would build
 * two-level page tables we could not use.
 */
static int check_notes(struct elf_ctx *c)
{
    struct elf_image *o = c->out;

    if (c->xen_notes == 0)
        return FAIL(c, -ENOEXEC, "no Xen ELF notes (not a Xen PV kernel)");
    if (strncmp(o->loader, "generic", 7) && strncmp(o->guest_os, "linux", 5))
        return bad_note(c, "LOADER", o->loader, " (want \"generic\")");
    if (strncmp(o->xen_version, "xen-3.0", 7))
        return bad_note(c, "XEN_VERSION", o->xen_version, " (want \"xen-3.0\")");
    o->pae_yes = !strncmp(o->pae_mode, "yes", 3) ||
                 contains(o->pae_mode, "bimodal");
    if (!o->pae_yes)
        return bad_note(c, "PAE_MODE", o->pae_mode, "; this hypervisor runs only PAE guests");
    uint32_t missing = o->feat_required & ~ELF_XENFEATS_OFFERED;
    if (missing)
        return FAIL(c, -ENOEXEC, "FEATURES requires %s, which this hypervisor "
                    "does not offer", elf_feature_name(__builtin_ctz(missing)));
    o->has_hv_start_low = SEEN(c, XEN_ELFNOTE_HV_START_LOW);
    if (o->has_hv_start_low && o->hv_start_low > ELF_HYPERVISOR_VIRT_START)
        return FAIL(c, -ENOEXEC, "HV_START_LOW 0x%x is above the hypervisor "
                    "hole at 0x%x", o->hv_start_low, ELF_HYPERVISOR_VIRT_START);
    return 0;
}

/* ---- addresses --------------------------------------------------------- */

/*
 * Place every segment at p_paddr + VIRT_BASE - PADDR_OFFSET, computed in 64
 * bits so that no sum wraps, and require it to lie wholly below the
 * hypervisor hole.  Segments must not overlap: the builder copies them in
 * order, and a later one would silently overwrite an earlier one.
 */
static int place_segments(struct elf_ctx *c)
{
    struct elf_image *o = c->out;
    int64_t shift = (int64_t)o->virt_base - o->paddr_offset;

    o->virt_kstart = ~0u;
    for (unsigned i = 0; i < o->nseg; i++) {
        struct elf_segment *s = &o->seg[i];
        int64_t va = s->paddr + shift;
        if (va < 0)
            return FAIL(c, -EINVAL, "segment at p_paddr 0x%x maps below 0 "
                        "(VIRT_BASE 0x%x, PADDR_OFFSET 0x%x)", s->paddr,
                        o->virt_base, o->paddr_offset);
        if ((uint64_t)va + s->memsz > ELF_HYPERVISOR_VIRT_START)
            return FAIL(c, -EINVAL, "segment [0x%llx,0x%llx) reaches into the "
                        "hypervisor hole at 0x%x", (unsigned long long)va,
                        (unsigned long long)va + s->memsz, ELF_HYPERVISOR_VIRT_START);
        s->vaddr = (uint32_t)va;
        o->virt_kstart = MIN(o->virt_kstart, s->vaddr);
        o->virt_kend = MAX(o->virt_kend, s->vaddr + s->memsz);
    }
    for (unsigned i = 0; i < o->nseg; i++)
        for (unsigned j = i + 1; j < o->nseg; j++) {
            const struct elf_segment *x = &o->seg[i], *y = &o->seg[j];
            if (x->memsz && y->memsz && x->vaddr < y->vaddr + y->memsz &&
                y->vaddr < x->vaddr + x->memsz)
                return FAIL(c, -EINVAL, "segments overlap: [0x%x,0x%x) and "
                            "[0x%x,0x%x)", x->vaddr, x->vaddr + x->memsz,
                            y->vaddr, y->vaddr + y->memsz);
        }
    return 0;
}

/*
 * The builder maps the guest from VIRT_BASE upwards, jumps to the entry
 * point, and writes the hypercall page: each must be inside the image.
 */
static int check_addresses(struct elf_ctx *c)
{
    struct elf_image *o = c->out;

    if (o->virt_base & (PAGE_SIZE - 1))
        return FAIL(c, -EINVAL, "VIRT_BASE 0x%x is not page aligned",
                    o->virt_base);
    if (o->virt_base > o->virt_kstart)
        return FAIL(c, -EINVAL, "VIRT_BASE 0x%x is above the image start 0x%x",
                    o->virt_base, o->virt_kstart);
    if (o->entry < o->virt_kstart || o->entry >= o->virt_kend)
        return FAIL(c, -EINVAL, "entry point 0x%x is outside the image "
                    "[0x%x,0x%x)", o->entry, o->virt_kstart, o->virt_kend);
    if (!o->has_hypercall_page)
        return 0;
    if (o->hypercall_page & (PAGE_SIZE - 1))
        return FAIL(c, -EINVAL, "HYPERCALL_PAGE 0x%x is not page aligned",
                    o->hypercall_page);
    /* The whole page, [hp, hp + 4096), without computing hp + 4096. */
    if (o->hypercall_page < o->virt_kstart ||
        o->hypercall_page > o->virt_kend ||
        o->virt_kend - o->hypercall_page < PAGE_SIZE)
        return FAIL(c, -EINVAL, "HYPERCALL_PAGE 0x%x is not inside the image "
                    "[0x%x,0x%x)", o->hypercall_page, o->virt_kstart,
                    o->virt_kend);
    return 0;
}

/* ---- the entry points -------------------------------------------------- */

int elf_parse(const void *image, size_t size, struct elf_image *out,
              char *err, size_t errlen)
{
    struct elf_ctx c = { .img = image, .size = size, .out = out,
                         .err = err, .errlen = errlen };
    struct elf32_ehdr eh;
    int rc;

    memset(out, 0, sizeof(*out));
    if (err && errlen)
        err[0] = '\0';
    /* Each step relies on the ones before it; the first failure wins. */
    if ((rc = read_header(&c, &eh)) || (rc = read_segments(&c, &eh)) ||
        (rc = notes_from_segments(&c, &eh)) ||
        (c.xen_notes == 0 && (rc = notes_from_sections(&c, &eh))) ||
        (rc = check_notes(&c)))
        return rc;
    /* libelf: PADDR_OFFSET is relative to VIRT_BASE; alone it means nothing. */
    if (SEEN(&c, XEN_ELFNOTE_PADDR_OFFSET) &&
        !SEEN(&c, XEN_ELFNOTE_VIRT_BASE))
        return FAIL(&c, -EINVAL, "PADDR_OFFSET note without a VIRT_BASE note");
    /* Defaults as libelf for an image with notes: base 0, offset 0. */
    if (!SEEN(&c, XEN_ELFNOTE_ENTRY))
        out->entry = c.e_entry;
    out->has_hypercall_page = SEEN(&c, XEN_ELFNOTE_HYPERCALL_PAGE);
    if ((rc = place_segments(&c)) || (rc = check_addresses(&c)))
        return rc;
    out->load_end = out->virt_kend;
    return out->bsd_symtab ? elf_symtab_plan(image, size, out, err, errlen) : 0;
}

/*
 * The fixed start-of-day pages the builder puts after the image: start_info,
 * xenstore and console rings, boot stack, one L3 and two L2 page tables.
 * The p2m list (4 bytes a page) and L1 tables (one per 2 MiB) are counted
 * by size.  The span starts at VIRT_BASE: the builder maps from there up.
 * Every term stays below 2^32 (span < 0xF5800000); the sum is 64-bit.
 */
#define ELF_BOOT_FIXED_PAGES 7u

int elf_check_fits(const struct elf_image *img, uint32_t mem_bytes,
                   char *err, size_t errlen)
{
    uint32_t span = ALIGN_UP(img->load_end - img->virt_base, PAGE_SIZE);
    uint32_t p2m = ALIGN_UP(mem_bytes / PAGE_SIZE * 4, PAGE_SIZE);
    uint32_t boot = p2m + ELF_BOOT_FIXED_PAGES * PAGE_SIZE;

    boot += ((span + boot) / (2u << 20) + 1) * PAGE_SIZE;   /* the L1s */
    if ((uint64_t)span + boot <= mem_bytes)
        return 0;
    bool mib = mem_bytes % (1u << 20) == 0;
    return elf_errf(err, errlen, -ENOMEM, "image span 0x%x plus 0x%x of "
                "start-of-day data is larger than the domain's %u %s", span,
                boot, mib ? mem_bytes >> 20 : mem_bytes >> 10,
                mib ? "MiB" : "KiB");
}

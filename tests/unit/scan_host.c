/*
 * scan_host.c - run the load-time scan on the host over an ELF file.
 *
 * Built with -DHOST_TEST together with hypervisor/domain/scan.c, decode.c,
 * decode_format.c, elf.c and elf_symbols.c, for tools/scan-measure, which
 * compares what the scan reports with objdump.  It owns only reading the
 * file and the output format; the scan is scan.c's, exactly as the builder
 * runs it (builder_scan.c).  An image elf_parse() accepts is scanned as the
 * builder would (its executable PT_LOADs and entry); any other ELF32 file,
 * such as build/hypervisor.elf, from its program headers and e_entry.
 *
 *   scan_host [--umip] [--cpuid-faulting] [--repeat N] FILE
 *
 * prints one summary line, then one tab-separated line per finding:
 *   code 29948 descent 16163 sweep 13785 undecodable 0 dropped 0 found 1 symbols 191 ns 812345
 *   c0001234\tSGDT\treached from entry\t0f 01 00\tsgdtl (%eax)\tno UMIP
 * ns is the time of one scan, the best of N (default 1).  Without --umip
 * and --cpuid-faulting it scans for a CPU with neither, so every candidate
 * is reported.
 */
#include <time.h>
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/elf.h"
#include "hypervisor/domain/elf_format.h"
#include "hypervisor/domain/scan.h"

#define MAX_FOUND 100000

static struct scan_finding found[MAX_FOUND];

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    unsigned char *buf = NULL;

    if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
        (buf = malloc(n ? (size_t)n : 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        fclose(f);
        *size = (size_t)n;
        return buf;
    }
    perror(path);
    exit(1);
}

/* The executable PT_LOADs and the entry point, as the builder or from the headers. */
static unsigned code_segments(const unsigned char *buf, size_t size, struct scan_seg *seg,
                              uint32_t *entry)
{
    static struct elf_image im;
    struct elf32_ehdr eh;
    unsigned n = 0;

    if (elf_parse(buf, size, &im, NULL, 0) == 0) {
        for (unsigned i = 0; i < im.nseg; i++)
            if (im.seg[i].flags & PF_X)
                seg[n++] = (struct scan_seg){ im.seg[i].vaddr, im.seg[i].filesz,
                                              buf + im.seg[i].offset };
        *entry = im.entry;
        return n;
    }
    if (size < sizeof(eh))
        return 0;
    memcpy(&eh, buf, sizeof(eh));
    *entry = eh.e_entry;
    for (unsigned i = 0; i < eh.e_phnum && n < ELF_MAX_SEGS; i++) {
        struct elf32_phdr ph;
        size_t at = eh.e_phoff + (size_t)i * sizeof(ph);
        if (at > size || size - at < sizeof(ph))
            break;
        memcpy(&ph, buf + at, sizeof(ph));
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && ph.p_offset <= size &&
            ph.p_filesz <= size - ph.p_offset)
            seg[n++] = (struct scan_seg){ ph.p_vaddr, ph.p_filesz, buf + ph.p_offset };
    }
    return n;
}

int main(int argc, char **argv)
{
    struct scan_seg seg[ELF_MAX_SEGS];
    struct scan_env env = { false, false };
    struct scan s;
    unsigned repeat = 1;
    uint32_t entry = 0;
    uint64_t best = ~0ull;
    int symbols = 0;
    size_t size;

    for (; argc > 2; argc--, argv++)
        if (!strcmp(argv[1], "--umip"))
            env.umip_on = true;
        else if (!strcmp(argv[1], "--cpuid-faulting"))
            env.cpuid_faulting_on = true;
        else if (!strcmp(argv[1], "--repeat") && argc > 3)
            repeat = (unsigned)strtoul(argv[2], NULL, 0), argc--, argv++;
        else
            break;
    if (argc != 2) {
        fprintf(stderr, "usage: scan_host [--umip] [--cpuid-faulting] [--repeat N] FILE\n");
        return 1;
    }
    unsigned char *buf = read_file(argv[1], &size);
    unsigned nseg = code_segments(buf, size, seg, &entry);
    void *work = malloc(scan_work_size(seg, nseg));
    for (unsigned r = 0; r < (repeat ? repeat : 1); r++) {
        struct timespec t0, t1;
        s = (struct scan){ .seg = seg, .nseg = nseg, .env = env, .found = found,
                           .found_max = MAX_FOUND };
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (!work || !scan_begin(&s, work, scan_work_size(seg, nseg)))
            return 1;
        scan_seed(&s, entry, SCAN_FROM_ENTRY);
        symbols = elf_symbols_code(buf, size, scan_seed_symbol, &s);
        scan_finish(&s);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        uint64_t ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + t1.tv_nsec - t0.tv_nsec;
        best = ns < best ? ns : best;
    }
    printf("code %u descent %u sweep %u undecodable %u dropped %u found %u symbols %d ns %llu\n",
           s.code, s.descent, s.sweep, s.code - s.descent - s.sweep, s.dropped, s.nfound,
           symbols, (unsigned long long)best);
    for (unsigned i = 0; i < MIN(s.nfound, MAX_FOUND); i++) {
        const struct scan_finding *f = &found[i];
        char text[96];
        insn_format(&f->insn, f->addr, text, sizeof(text));
        printf("%x\t%s\t%s\t", f->addr, insn_kind_name(f->insn.kind), scan_how_name(f->how));
        for (unsigned k = 0; k < f->insn.len; k++)
            printf("%s%02x", k ? " " : "", f->insn.bytes[k]);
        printf("\t%s\t%s\n", text, f->why);
    }
    free(work);
    free(buf);
    return 0;
}

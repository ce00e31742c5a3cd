/*
 * elf_host.c - run the guest image parser on the host and print what it saw.
 *
 * The test driver for hypervisor/domain/elf.c, built with -DHOST_TEST.  It gives
 * the parser exactly the file's bytes in a buffer of exactly the file's size
 * (so AddressSanitizer catches a read one byte past the end) and prints the
 * result in a stable key=value format that tests/test_elf_parser.py matches.
 *
 *   elf_host [--mem MIB] [--symtab OUT] FILE
 *                               parse FILE, then check it fits MIB (default
 *                               16) of domain memory.  Prints the fields and
 *                               exits 0, or prints "error: <reason>" and
 *                               exits with the positive errno (8, 22, ...).
 *                               With --symtab, writes the BSD_SYMTAB area
 *                               to OUT as the builder lays it out in guest
 *                               memory (a zeroed buffer, then the header and
 *                               the two tables), up to load_end.
 *   elf_host --batch            read records "<u32 length><bytes>" from stdin
 *                               until EOF, parse each, print "N rc" per
 *                               record; for fuzzing without a process each.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/elf.h"

static void print_image(const struct elf_image *im)
{
    printf("entry=0x%x\n", im->entry);
    printf("virt_base=0x%x\n", im->virt_base);
    printf("paddr_offset=0x%x\n", im->paddr_offset);
    if (im->has_hypercall_page)
        printf("hypercall_page=0x%x\n", im->hypercall_page);
    else
        printf("hypercall_page=none\n");
    printf("virt_kstart=0x%x\n", im->virt_kstart);
    printf("virt_kend=0x%x\n", im->virt_kend);
    if (im->has_hv_start_low)
        printf("hv_start_low=0x%x\n", im->hv_start_low);
    printf("nseg=%u\n", im->nseg);
    for (unsigned i = 0; i < im->nseg; i++) {
        const struct elf_segment *s = &im->seg[i];
        printf("seg%u vaddr=0x%x paddr=0x%x offset=0x%x filesz=0x%x "
               "memsz=0x%x flags=%c%c%c\n", i, s->vaddr, s->paddr, s->offset,
               s->filesz, s->memsz, s->flags & 4 ? 'r' : '-',
               s->flags & 2 ? 'w' : '-', s->flags & 1 ? 'x' : '-');
    }
    printf("guest_os=\"%s\"\n", im->guest_os);
    printf("guest_version=\"%s\"\n", im->guest_version);
    printf("loader=\"%s\"\n", im->loader);
    printf("xen_version=\"%s\"\n", im->xen_version);
    printf("pae_mode=\"%s\"\n", im->pae_mode);
    printf("pae_yes=%d\n", im->pae_yes);
    printf("features=\"%s\"\n", im->features);
    printf("feat_supported=0x%x\n", im->feat_supported);
    printf("feat_required=0x%x\n", im->feat_required);
    printf("notes=%s\n", im->notes_from_sections ? "SHT_NOTE" : "PT_NOTE");
    printf("bsd_symtab=%d\n", im->bsd_symtab);
    printf("load_end=0x%x\n", im->load_end);
    if (!im->bsd_symtab)
        return;
    printf("symtab=%s\n", im->symtab.what);
    if (im->symtab.loaded)
        printf("symtab_area=0x%x-0x%x sym=0x%x+0x%x str=0x%x+0x%x at 0x%x\n",
               im->symtab.va, im->symtab.end, im->symtab.sym_off,
               im->symtab.sym_len, im->symtab.str_off, im->symtab.str_len,
               im->symtab.str_at);
}

/* The area as the builder writes it into zeroed guest memory. */
static int write_symtab(const char *path, const struct elf_image *im,
                        const unsigned char *image)
{
    const struct elf_symtab *st = &im->symtab;
    size_t n = st->loaded ? im->load_end - st->va : 0;
    unsigned char *area = calloc(1, n + 1);
    FILE *f = fopen(path, "wb");

    if (!area || !f)
        return perror(path), 1;
    if (st->loaded) {
        memcpy(area, st->head, sizeof(st->head));
        memcpy(area + sizeof(st->head), image + st->sym_off, st->sym_len);
        memcpy(area + st->str_at, image + st->str_off, st->str_len);
    }
    fwrite(area, 1, n, f);
    fclose(f);
    free(area);
    return 0;
}

/* Read a whole file into a malloc'd buffer of exactly its size. */
static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET))
        goto fail;
    buf = malloc(n ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        goto fail;
    fclose(f);
    *size = (size_t)n;
    return buf;
fail:
    perror(path);
    free(buf);
    if (f)
        fclose(f);
    return NULL;
}

/* --batch: many images through one process; each in its own exact buffer. */
static int batch(void)
{
    unsigned char len[4];
    unsigned long n = 0;
    struct elf_image im;
    char err[160];

    while (fread(len, 1, 4, stdin) == 4) {
        size_t size = len[0] | len[1] << 8 | len[2] << 16 |
                      (size_t)len[3] << 24;
        unsigned char *buf = malloc(size ? size : 1);
        if (!buf || fread(buf, 1, size, stdin) != size) {
            fprintf(stderr, "batch: short record %lu\n", n);
            return 1;
        }
        int rc = elf_parse(buf, size, &im, err, sizeof(err));
        if (rc == 0)
            rc = elf_check_fits(&im, 16u << 20, err, sizeof(err));
        printf("%lu %d\n", n++, rc);
        free(buf);
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned mem_mib = 16;
    const char *symtab_out = NULL;
    struct elf_image im;
    char err[160];
    size_t size;
    int rc;

    if (argc == 2 && !strcmp(argv[1], "--batch"))
        return batch();
    if (argc >= 4 && !strcmp(argv[1], "--mem")) {
        mem_mib = (unsigned)strtoul(argv[2], NULL, 0);
        argv += 2, argc -= 2;
    }
    if (argc >= 4 && !strcmp(argv[1], "--symtab")) {
        symtab_out = argv[2];
        argv += 2, argc -= 2;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: elf_host [--mem MIB] [--symtab OUT] FILE\n"
                        "       elf_host --batch\n");
        return 1;
    }
    unsigned char *buf = read_file(argv[1], &size);
    if (!buf)
        return 1;
    rc = elf_parse(buf, size, &im, err, sizeof(err));
    if (rc == 0) {
        print_image(&im);
        if (symtab_out && write_symtab(symtab_out, &im, buf))
            return 1;
        rc = elf_check_fits(&im, mem_mib << 20, err, sizeof(err));
        if (rc == 0)
            printf("fits=%uMiB\n", mem_mib);
    }
    free(buf);
    if (rc) {
        printf("error: %s\n", err);
        return -rc;
    }
    return 0;
}

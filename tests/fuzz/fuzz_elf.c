/*
 * fuzz_elf.c - libFuzzer over the guest image loader: ELF headers, program
 * headers, Xen's notes (both the PT_NOTE and the legacy __xen_guest
 * string forms), the feature strings and the BSD_SYMTAB plan.
 *
 * The input is a whole multiboot module, exactly as a hostile user could
 * hand it to GRUB.  Beyond "no crash" (AddressSanitizer, UBSan), every
 * image elf_parse() accepts must satisfy the promises elf.h makes about
 * it, since the builder relies on them without checking again.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/elf.h"
#include <stdlib.h>

#define HOLE 0xF5800000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly size bytes on the heap, so one byte past the end is caught. */
    uint8_t *image = malloc(size ? size : 1);
    memcpy(image, data, size);
    struct elf_image im;
    char err[128];
    if (elf_parse(image, size, &im, err, sizeof(err)) == 0) {
        if (im.nseg == 0 || im.nseg > ELF_MAX_SEGS)
            abort();
        for (unsigned i = 0; i < im.nseg; i++) {
            const struct elf_segment *s = &im.seg[i];
            if (s->filesz > s->memsz || (uint64_t)s->offset + s->filesz > size ||
                (uint64_t)s->vaddr + s->memsz > HOLE)
                abort();
        }
        if (im.virt_base & 0xfff || im.virt_base > im.virt_kstart ||
            im.entry < im.virt_kstart || im.entry >= im.virt_kend ||
            im.virt_kend > im.load_end || im.load_end > HOLE)
            abort();
        if (im.has_hypercall_page && (im.hypercall_page & 0xfff ||
                                      im.hypercall_page < im.virt_kstart ||
                                      (uint64_t)im.hypercall_page + 4096 > im.virt_kend))
            abort();
        if (strnlen(im.guest_os, sizeof(im.guest_os)) == sizeof(im.guest_os) ||
            strnlen(im.features, sizeof(im.features)) == sizeof(im.features))
            abort();
        (void)elf_check_fits(&im, 16u << 20, err, sizeof(err));
    }
    free(image);
    return 0;
}

/*
 * fuzz_scan.c - libFuzzer over the load-time scan for untrappable
 * instructions (hypervisor/domain/scan.c) and the decoder under it.
 *
 * The input is guest code, with its entry point and a few symbol seeds
 * taken from the first bytes.  The scan follows calls, branches and jumps
 * the code chooses, so it must stay inside its segments and its work
 * memory whatever the code says, and its counts must add up.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/scan.h"
#include <stdlib.h>

#define BASE 0xc0001000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint16_t entry = (uint16_t)(data[0] | data[1] << 8), seed = (uint16_t)(data[2] | data[3] << 8);
    uint8_t env_bits = (uint8_t)(entry >> 14);
    data += 4, size -= 4;
    uint8_t *code = malloc(size ? size : 1);
    memcpy(code, data, size);

    struct scan_seg seg = { BASE, (uint32_t)size, code };
    static struct scan_finding found[16];
    struct scan s = { .seg = &seg, .nseg = 1, .found = found, .found_max = 16,
                      .env = { env_bits & 1, env_bits & 2 } };
    uint64_t need = scan_work_size(&seg, 1);
    void *work = malloc(need ? need : 4);
    /* Too little work memory must be refused, never overrun. */
    if (need >= 4 && scan_begin(&s, work, need - 4))
        abort();
    if (!scan_begin(&s, work, need))
        abort();
    scan_seed(&s, BASE + entry % (size + 64), SCAN_FROM_ENTRY);
    scan_seed(&s, BASE + seed % (size + 64), SCAN_FROM_SYMBOL);
    scan_finish(&s);
    if (s.code != size || s.descent + s.sweep > s.code)
        abort();
    for (unsigned i = 0; i < s.nfound && i < 16; i++)
        if (found[i].addr < BASE || found[i].addr >= BASE + size ||
            (i && found[i].addr <= found[i - 1].addr))
            abort();
    free(work);
    free(code);
    return 0;
}

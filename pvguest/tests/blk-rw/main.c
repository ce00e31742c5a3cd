/*
 * blk-rw - a well-behaved blkfront: write its whole disk, read it back, checksum.
 *
 * Booted as "dom.disk=1 -- [seed=S] [wait=H] [expect=TEXT] [reopen=1] [bench=N]" beside
 * the blkback service domain B and xenstored.  It connects
 * (pvguest/lib/blkfront.c), checks what the backend published (sectors,
 * sector-size 512); with expect= it first checks that sector 0 begins
 * with TEXT (the disk image blkback was booted with), then writes
 * every sector with a pattern of its seed, reads them all back and
 * compares checksums; also one request of part of a page and a flush.
 * With wait=H it then waits until guest H (blk-hostile) says it is done -
 * H binds to our first event channel port and notifies it - and reads the
 * whole disk again: whatever H sent the backend, our sectors must be
 * unchanged.  Last it disconnects, which the backend must answer by
 * unmapping our ring (our grants then revoke cleanly).  With reopen=1 it
 * then connects again - a second life of the same vbd, as a kernel that
 * GRUB booted from the disk has after GRUB closed it - reads the whole
 * disk back (what the first life wrote, unchanged), and disconnects again.
 * With bench=N it only measures, for tools/bench: N writes and N reads of
 * BLKFRONT_MAX_BYTES (11 granted pages) through the backend, and N memcpy
 * of as many bytes inside this domain, as "bench: <row> <n> <ticks>".
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/blkfront.h"
#include "pvguest/lib/xenbus.h"
#include "hypercalls/public/io/xenbus.h"

#define NONE 0xffffu
#define CHUNK (BLKFRONT_MAX_BYTES / XEN_BLKIF_SECTOR_SIZE)

static struct blkfront f;
static uint8_t buf[BLKFRONT_MAX_BYTES];
static unsigned seed;

static uint8_t pattern(uint32_t sector, uint32_t byte)
{
    return (uint8_t)(seed * 131u + sector * 7u + byte * 13u + (byte >> 8));
}

/* FNV-1a over n bytes, continuing from h. */
static uint32_t fnv(const uint8_t *b, uint32_t n, uint32_t h)
{
    while (n--)
        h = (h ^ *b++) * 16777619u;
    return h;
}

/* Write (fill=true) or read every sector in chunks: the checksum of what went by. */
static uint32_t whole_disk(bool fill, unsigned *bad_sectors)
{
    uint32_t h = 2166136261u;
    for (uint32_t s = 0; s < f.sectors; s += CHUNK) {
        uint32_t n = f.sectors - s < CHUNK ? (uint32_t)f.sectors - s : CHUNK;
        if (fill)
            for (uint32_t i = 0; i < n * XEN_BLKIF_SECTOR_SIZE; i++)
                buf[i] = pattern(s + i / XEN_BLKIF_SECTOR_SIZE, i % XEN_BLKIF_SECTOR_SIZE);
        long rc = blkfront_io(&f, fill ? BLKIF_OP_WRITE : BLKIF_OP_READ, s, buf, n);
        if (rc)
            check(rc, BLKIF_RSP_OKAY, "%s of sectors %u..%u", fill ? "write" : "read", s, s + n - 1);
        for (uint32_t i = 0; !fill && i < n * XEN_BLKIF_SECTOR_SIZE; i++)
            if (buf[i] != pattern(s + i / XEN_BLKIF_SECTOR_SIZE, i % XEN_BLKIF_SECTOR_SIZE)) {
                ++*bad_sectors;
                i = ALIGN_UP(i + 1, XEN_BLKIF_SECTOR_SIZE) - 1;     /* one count per sector */
            }
        h = fnv(buf, n * XEN_BLKIF_SECTOR_SIZE, h);
    }
    return h;
}

static void verify(const char *when, uint32_t want)
{
    unsigned bad = 0;
    uint32_t got = whole_disk(false, &bad);
    char what[64];
    snprintf(what, sizeof(what), "checksum %s", when);
    check_hex(what, got, want);
    check(bad, 0, "sectors differing %s", when);
}

/* Sector 0 as the disk came: it must begin with want (the image's first words). */
static void image_begins(const char *want)
{
    char got[48];
    size_t n = strlen(want);
    check(blkfront_io(&f, BLKIF_OP_READ, 0, buf, 1), BLKIF_RSP_OKAY, "read of sector 0");
    if (n >= sizeof(got))
        n = sizeof(got) - 1;
    memcpy(got, buf, n);
    got[n] = '\0';
    check_str("sector 0 as booted", got, want);
}

static void partial_page_and_flush(void)
{
    static uint8_t part[3 * XEN_BLKIF_SECTOR_SIZE];
    struct xen_blkif_request req;
    struct xen_blkif_response rsp;

    for (unsigned i = 0; i < sizeof(part); i++)
        part[i] = (uint8_t)(i * 3 + seed);
    check(blkfront_io(&f, BLKIF_OP_WRITE, 5, part, 3), BLKIF_RSP_OKAY, "write of 3 sectors at 5");
    memset(part, 0, sizeof(part));
    check(blkfront_io(&f, BLKIF_OP_READ, 5, part, 3), BLKIF_RSP_OKAY, "read of 3 sectors at 5");
    unsigned diff = 0;
    for (unsigned i = 0; i < sizeof(part); i++)
        diff += part[i] != (uint8_t)(i * 3 + seed);
    check(diff, 0, "bytes differing in the 3 sectors");
    memset(&req, 0, sizeof(req));
    req.operation = BLKIF_OP_FLUSH_DISKCACHE;
    req.id = 77;
    blkfront_post(&f, &req);
    check(blkfront_response(&f, &rsp), 0, "flush answered");
    check(rsp.status, BLKIF_RSP_OKAY, "flush status");
    check((long)rsp.id, 77, "flush response id");
}

static void bench(unsigned n)
{
    static uint8_t other[BLKFRONT_MAX_BYTES];
    static const struct { const char *row; uint8_t op; } io[] = {
        { "blk-write-44k", BLKIF_OP_WRITE }, { "blk-read-44k", BLKIF_OP_READ },
    };
    _Static_assert(BLKFRONT_MAX_BYTES == 44 * 1024, "the rows say 44k");
    for (unsigned r = 0; r < ARRAY_SIZE(io); r++) {
        unsigned failed = 0;
        uint64_t t0 = rdtsc();
        for (unsigned i = 0; i < n; i++)
            failed += blkfront_io(&f, io[r].op, 0, buf, CHUNK) != BLKIF_RSP_OKAY;
        uint64_t t1 = rdtsc();
        if (!check(failed, 0, "%s requests failed", io[r].row))
            return;
        printf("bench: %s %u %llu\n", io[r].row, n, (unsigned long long)(t1 - t0));
    }
    uint64_t t0 = rdtsc();
    for (unsigned i = 0; i < n; i++) {
        memcpy(i & 1 ? buf : other, i & 1 ? other : buf, sizeof(other));
        __asm__ volatile("" ::: "memory");          /* each copy happens */
    }
    printf("bench: memcpy-44k %u %llu\n", n, (unsigned long long)(rdtsc() - t0));
}

/* A second life of the vbd: the same disk, with what the first life wrote. */
static void reopen(uint32_t want)
{
    uint64_t sectors = f.sectors;
    if (!check(blkfront_connect(&f), 0, "connect again"))
        return;
    printf("blk-rw: vbd %u on backend d%u again\n", f.id, f.backend);
    check(f.sectors == sectors, 1, "the same sectors (%llu) again", (unsigned long long)f.sectors);
    verify("after reopening", want);
    check(blkfront_disconnect(&f), 0, "disconnect again");
}

/* Block until H notifies port (bound by H with EVTCHNOP_bind_interdomain). */
static void wait_for(unsigned h, unsigned port)
{
    xen_evtchn_port_t p = port;
    uint64_t deadline = time_now_ns() + 60 * NS_PER_SEC;
    while (!evtchn_pending(port) && time_now_ns() < deadline) {
        struct xen_sched_poll poll = { .nr_ports = 1, .timeout = deadline };
        set_xen_guest_handle(poll.ports, &p);
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    check(evtchn_pending(port), 1, "d%u said it is done", h);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned wait = (unsigned)cmdline_uint("wait", NONE);
    long port = 0;
    static char expect[48];

    (void)si;
    seed = (unsigned)cmdline_uint("seed", 1);
    traps_init();
    if (xenbus_test_ready()) {
        if (wait != NONE && (port = evtchn_alloc_unbound(wait)) < 0)
            test_error("event channel for d%u: %ld", wait, port);
        if (wait != NONE)
            evtchn_mask((unsigned)port);
        if (check(blkfront_connect(&f), 0, "connect")) {
            printf("blk-rw: vbd %u on backend d%u, waiting port %ld\n", f.id, f.backend, port);
            check(f.sectors > 0, 1, "backend's sectors (%llu) > 0", (unsigned long long)f.sectors);
            check(f.sector_size, XEN_BLKIF_SECTOR_SIZE, "sector-size");
            if (cmdline_get("expect", expect, sizeof(expect)))
                image_begins(expect);
            if (cmdline_uint("bench", 0)) {
                bench((unsigned)cmdline_uint("bench", 0));
                check(blkfront_disconnect(&f), 0, "disconnect");
                test_pass();
                xtf_exit();
            }
            unsigned bad = 0;
            uint32_t want = whole_disk(true, &bad);
            printf("blk-rw: wrote %llu sectors, checksum 0x%08x\n", (unsigned long long)f.sectors, want);
            verify("after writing", want);
            partial_page_and_flush();
            want = whole_disk(true, &bad);          /* the pattern over the 3 sectors again */
            if (wait != NONE) {
                wait_for(wait, (unsigned)port);
                verify("after the hostile guest", want);
            }
            check(blkfront_disconnect(&f), 0, "disconnect");
            if (cmdline_uint("reopen", 0))
                reopen(want);
            test_pass();
        }
    }
    xtf_exit();
}

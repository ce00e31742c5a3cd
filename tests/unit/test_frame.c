/*
 * test_frame.c - hypervisor/mm/frame.c, the bitmap frame allocator.
 *
 * Each group starts from frame_init(), describes a machine with
 * frame_add_ram()/frame_reserve(), and checks every frame handed out
 * against that description: RAM, not reserved, not already out, on the
 * right side of FRAME_LOW_LIMIT.  A double free must stop the machine
 * (BUG_ON, which is abort() on the host), so those checks run in a forked
 * child and expect SIGABRT.  The last group drives the allocator with a
 * long random sequence (fixed seed) and compares it with a plain array.
 *
 *   test_frame [GROUP | --list]
 */
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)
#define PFN(addr) ((uint32_t)((addr) >> PAGE_SHIFT))

/*
 * The reference machine: 640 KiB - 4 KiB of low RAM, then RAM from 1 MiB to
 * 128 MiB; reserved are frame 0, one frame at 320 KiB, the "image"
 * [1 MiB, 3 MiB) and two frames from an unaligned range near the top.
 */
static bool pc_ram(uint32_t f)
{
    return f < PFN(0x9f000) || (f >= PFN(MiB(1)) && f < PFN(MiB(128)));
}
static bool pc_reserved(uint32_t f)
{
    return f == 0 || f == PFN(0x50000) || (f >= PFN(MiB(1)) && f < PFN(MiB(3))) ||
           f == PFN(0x7ff0000) || f == PFN(0x7ff1000);
}
static uint32_t pc_frames(bool low)
{
    uint32_t n = 0;
    for (uint32_t f = 0; f < PFN(MiB(128)); f++)
        n += pc_ram(f) && !pc_reserved(f) && (f < FRAME_LOW_LIMIT) == low;
    return n;
}
static void pc_machine(void)
{
    frame_init();
    frame_add_ram(0, 0x9f000);
    frame_add_ram(MiB(1), MiB(128));
    frame_reserve(0, 1);                        /* one byte: the whole frame */
    frame_reserve(0x50000, 0x51000);
    frame_reserve(MiB(1), MiB(3));
    frame_reserve(0x7ff0800, 0x7ff1800);        /* unaligned: both frames it touches */
}

static bool valid(mfn_t m) { return !mfn_eq(m, INVALID_MFN); }

static void counts(void)
{
    frame_init();
    CHECK(frame_free_count() == 0 && frame_total_count() == 0);
    CHECK(!valid(frame_alloc()) && !valid(frame_alloc_low()));
    pc_machine();
    uint32_t want = pc_frames(true) + pc_frames(false);
    CHECKF(frame_total_count() == want, "total %u, want %u", frame_total_count(), want);
    CHECKF(frame_free_count() == want, "free %u, want %u", frame_free_count(), want);
    frame_add_ram(MiB(8), MiB(9));              /* already there: no change */
    frame_reserve(MiB(2), MiB(3));              /* already reserved: no change */
    CHECK(frame_total_count() == want && frame_free_count() == want);
    frame_add_ram(0x9f800, 0xa0800);            /* no whole frame inside */
    CHECK(frame_total_count() == want);
    frame_add_ram(0xa0800, 0xa2800);            /* exactly one whole frame: 0xa1 */
    CHECK(frame_total_count() == want + 1 && frame_is_free(_mfn(0xa1)));
    CHECK(!frame_is_free(_mfn(0xa0)) && !frame_is_free(_mfn(0xa2)));
    frame_reserve(0xa1fff, 0xa2000);            /* its last byte: the frame goes */
    CHECK(frame_total_count() == want && !frame_is_free(_mfn(0xa1)));
    mfn_t a = frame_alloc(), b = frame_alloc_low();
    CHECK(valid(a) && valid(b) && frame_free_count() == want - 2 && frame_total_count() == want);
    frame_free(a);
    frame_free(b);
    CHECK(frame_free_count() == want && frame_total_count() == want);
}

static void never_reserved(void)
{
    pc_machine();
    static uint8_t seen[PFN(MiB(128))];
    memset(seen, 0, sizeof(seen));
    uint32_t n = 0, bad = 0, first_bad = 0, want = frame_free_count();
    for (;;) {
        mfn_t m = (n & 1) ? frame_alloc() : frame_alloc_low();
        if (!valid(m) && !valid(m = frame_alloc()))
            break;
        uint32_t f = mfn_x(m);
        bool ok = f < PFN(MiB(128)) && pc_ram(f) && !pc_reserved(f) && !seen[f] &&
                  !frame_is_free(m);
        if (!ok && !bad++)
            first_bad = f;
        if (f < PFN(MiB(128)))
            seen[f] = 1;
        if (++n > want)
            break;
    }
    CHECKF(bad == 0, "%u bad frames handed out, the first 0x%x", bad, first_bad);
    CHECKF(n == want, "handed out %u frames, want %u", n, want);
    CHECK(frame_free_count() == 0);
    for (uint32_t f = 0; f < PFN(MiB(128)); f++)
        if (pc_reserved(f) || !pc_ram(f))
            bad += seen[f];
    CHECK(bad == 0);
}

/*
 * A small machine for the preference checks: every frame_alloc that finds
 * no high frame scans the whole high bitmap first, so 16k low fallbacks on
 * the PC machine would make this group slow without testing anything more.
 */
static void prefers_high(void)
{
    frame_init();
    frame_add_ram(MiB(1), MiB(1) + 64 * PAGE_SIZE);         /* 64 low frames */
    frame_add_ram(MiB(96), MiB(112));                       /* 4096 high frames */
    frame_reserve(MiB(100), MiB(101));                      /* 256 of them reserved */
    uint32_t high = 4096 - 256, low = 64, bad = 0;
    for (uint32_t i = 0; i < high; i++) {
        mfn_t m = frame_alloc();
        uint32_t f = mfn_x(m);
        bad += !valid(m) || f < FRAME_LOW_LIMIT || (f >= PFN(MiB(100)) && f < PFN(MiB(101)));
    }
    CHECKF(bad == 0, "%u of the first %u frames were low, reserved or invalid", bad, high);
    CHECK(frame_free_count() == low);
    /* with high memory gone, frame_alloc falls back to low frames */
    for (uint32_t i = 0; i < low; i++) {
        mfn_t m = frame_alloc();
        bad += !valid(m) || mfn_x(m) < PFN(MiB(1)) || mfn_x(m) >= PFN(MiB(1)) + 64;
    }
    CHECKF(bad == 0, "%u of the %u fallback frames were bad", bad, low);
    CHECK(!valid(frame_alloc()) && frame_free_count() == 0);
    /* a freed high frame is preferred to a freed low one */
    frame_free(_mfn(PFN(MiB(1)) + 7));
    frame_free(_mfn(PFN(MiB(97))));
    CHECK(mfn_x(frame_alloc()) == PFN(MiB(97)));
    CHECK(mfn_x(frame_alloc()) == PFN(MiB(1)) + 7);
    /* and on the PC machine the very first frame is a high one */
    pc_machine();
    CHECK(mfn_x(frame_alloc()) >= FRAME_LOW_LIMIT);
}

static void alloc_low(void)
{
    pc_machine();
    uint32_t low = pc_frames(true), n = 0, bad = 0;
    mfn_t m;
    while (valid(m = frame_alloc_low()) && n <= low) {
        n++;
        bad += mfn_x(m) >= FRAME_LOW_LIMIT || pc_reserved(mfn_x(m)) || !pc_ram(mfn_x(m));
    }
    CHECKF(n == low && bad == 0, "%u low frames (want %u), %u bad", n, low, bad);
    CHECK(frame_free_count() == pc_frames(false));     /* high memory untouched */
    CHECK(frame_is_free(_mfn(FRAME_LOW_LIMIT)));
    /* a machine with only high memory has nothing for frame_alloc_low */
    frame_init();
    frame_add_ram((uint64_t)FRAME_LOW_LIMIT << PAGE_SHIFT, MiB(256));
    CHECK(!valid(frame_alloc_low()));
    CHECK(mfn_x(frame_alloc()) >= FRAME_LOW_LIMIT);
    /* the last low frame and the first high one sit side by side */
    frame_init();
    frame_add_ram(((uint64_t)FRAME_LOW_LIMIT - 1) << PAGE_SHIFT, ((uint64_t)FRAME_LOW_LIMIT + 1) << PAGE_SHIFT);
    CHECK(mfn_x(frame_alloc_low()) == FRAME_LOW_LIMIT - 1);
    CHECK(!valid(frame_alloc_low()));
    CHECK(mfn_x(frame_alloc()) == FRAME_LOW_LIMIT);
}

static void exhaustion(void)
{
    frame_init();
    frame_add_ram(MiB(1), MiB(1) + 3 * PAGE_SIZE);
    frame_add_ram(MiB(100), MiB(100) + 2 * PAGE_SIZE);
    for (int i = 0; i < 5; i++)
        CHECK(valid(frame_alloc()));
    for (int i = 0; i < 3; i++) {               /* stays exhausted */
        CHECK(mfn_eq(frame_alloc(), INVALID_MFN));
        CHECK(mfn_eq(frame_alloc_low(), INVALID_MFN));
    }
    CHECK(frame_free_count() == 0 && frame_total_count() == 5);
}

static void free_realloc(void)
{
    pc_machine();
    uint32_t total = frame_free_count();
    while (valid(frame_alloc_low()))           /* low first: see prefers_high */
        ;
    while (valid(frame_alloc()))
        ;
    CHECK(frame_free_count() == 0);
    /* each freed frame, low or high, is the next one handed out */
    static const uint32_t frames[] = { 1, PFN(0x4f000), PFN(MiB(3)), FRAME_LOW_LIMIT - 1,
                                       FRAME_LOW_LIMIT, PFN(MiB(128)) - 1, PFN(MiB(64)) + 77 };
    for (unsigned i = 0; i < ARRAY_SIZE(frames); i++) {
        frame_free(_mfn(frames[i]));
        CHECK(frame_is_free(_mfn(frames[i])) && frame_free_count() == 1);
        mfn_t m = frames[i] < FRAME_LOW_LIMIT && (i & 1) ? frame_alloc_low() : frame_alloc();
        CHECKF(mfn_x(m) == frames[i], "freed 0x%x, got 0x%x", frames[i], mfn_x(m));
        CHECK(!frame_is_free(m) && frame_free_count() == 0);
    }
    /* free everything back: the counts return to the start */
    for (uint32_t f = 0; f < PFN(MiB(128)); f++)
        if (pc_ram(f) && !pc_reserved(f))
            frame_free(_mfn(f));
    CHECK(frame_free_count() == total && frame_total_count() == total);
}

/*
 * Run fn(arg) in a child with the allocator state inherited; return its
 * wait status and put what it printed in out.
 */
static int in_child(void (*fn)(uint32_t), uint32_t arg, char *out, size_t outlen)
{
    int p[2], status = 0;
    fflush(stdout);
    if (pipe(p))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 1);
        setvbuf(stdout, NULL, _IONBF, 0);       /* abort() flushes nothing */
        fn(arg);
        fflush(stdout);
        _exit(0);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < outlen && (r = read(p[0], out + n, outlen - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(p[0]);
    waitpid(pid, &status, 0);
    return status;
}

static void free_one(uint32_t f) { frame_free(_mfn(f)); }

static void expect_abort(const char *file, int line, uint32_t f)
{
    char out[512];
    uint32_t before = frame_free_count();
    int st = in_child(free_one, f, out, sizeof(out));
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(out, "BUG_ON("))
        passed++;
    else
        check_failed(file, line, "frame_free aborts", "freeing 0x%x: child %s %d, printed \"%s\"",
                     f, WIFSIGNALED(st) ? "killed by signal" : "exited with",
                     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), out);
    CHECK(frame_free_count() == before);        /* the parent's state is untouched */
}
#define EXPECT_ABORT(f) expect_abort(__FILE__, __LINE__, f)

static void double_free(void)
{
    pc_machine();
    mfn_t a = frame_alloc(), b = frame_alloc_low();
    EXPECT_ABORT(PFN(MiB(10)));                 /* never allocated: still free */
    frame_free(a);
    EXPECT_ABORT(mfn_x(a));                     /* freed twice */
    frame_free(b);
    EXPECT_ABORT(mfn_x(b));
    EXPECT_ABORT(FRAME_MAX);                    /* past the bitmap */
    EXPECT_ABORT(mfn_x(INVALID_MFN));
    /* the control: a correct free in a child exits normally */
    mfn_t c = frame_alloc();
    char out[64];
    int st = in_child(free_one, mfn_x(c), out, sizeof(out));
    CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x, printed \"%s\"", st, out);
}

/* RAM right up to the 8 GiB limit; nothing at or past it. */
static void limits(void)
{
    frame_init();
    frame_add_ram(GiB(8) - 2 * PAGE_SIZE, GiB(8) + 2 * PAGE_SIZE);
    CHECK(frame_total_count() == 2);
    CHECK(frame_is_free(_mfn(FRAME_MAX - 1)) && !frame_is_free(_mfn(FRAME_MAX)));
    CHECK(!frame_is_free(_mfn(FRAME_MAX + 1)) && !frame_is_free(INVALID_MFN));
    frame_add_ram(GiB(9), GiB(10));             /* wholly past the limit */
    CHECK(frame_total_count() == 2);
    CHECK(mfn_x(frame_alloc()) == FRAME_MAX - 2);
    CHECK(mfn_x(frame_alloc()) == FRAME_MAX - 1);
    CHECK(!valid(frame_alloc()));
    frame_free(_mfn(FRAME_MAX - 1));
    CHECK(mfn_x(frame_alloc()) == FRAME_MAX - 1);   /* the search wraps to find it */
    frame_reserve(GiB(9), GiB(10));             /* past the limit: harmless */
    CHECK(frame_total_count() == 2);
}

/* "Never hand these out" holds for a range that runs to the top of memory. */
static void reserve_to_top(void)
{
    static const uint64_t ends[] = { ~0ull, ~0ull - PAGE_SIZE + 2, GiB(8), GiB(8) + 1 };
    for (unsigned i = 0; i < ARRAY_SIZE(ends); i++) {
        frame_init();
        frame_add_ram(MiB(1), MiB(128));
        frame_reserve(MiB(64), ends[i]);
        uint32_t total = frame_total_count(), want = PFN(MiB(63));
        bool first = frame_is_free(_mfn(PFN(MiB(64)))), last = frame_is_free(_mfn(PFN(MiB(128)) - 1));
        CHECKF(total == want && !first && !last, "frame_reserve(64 MiB, 0x%llx) left %u frames "
               "(want %u, all of [1, 64) MiB); 64 MiB %s, 128 MiB - 4 KiB %s",
               (unsigned long long)ends[i], total, want, first ? "free" : "reserved",
               last ? "free" : "reserved");
    }
}

static void low_range(void)
{
    frame_init();
    frame_add_ram(PAGE_SIZE, 16 * PAGE_SIZE);   /* frames 1..15 */
    frame_reserve(5 * PAGE_SIZE, 6 * PAGE_SIZE);
    frame_add_ram(MiB(100), MiB(101));          /* high RAM is never used for these */
    uint32_t before = frame_free_count();
    mfn_t a = frame_alloc_low_range(4);
    CHECKF(mfn_x(a) == 1, "got 0x%x", mfn_x(a));
    mfn_t b = frame_alloc_low_range(4);          /* 1..4 taken, 5 reserved: 6..9 */
    CHECKF(mfn_x(b) == 6, "got 0x%x", mfn_x(b));
    CHECK(frame_free_count() == before - 8);
    for (uint32_t f = 1; f <= 9; f++)
        CHECK(!frame_is_free(_mfn(f)));
    CHECK(!valid(frame_alloc_low_range(7)));     /* 10..15 is only six */
    CHECK(!valid(frame_alloc_low_range(0)));
    CHECK(!valid(frame_alloc_low_range(FRAME_LOW_LIMIT + 1)));
    CHECK(mfn_x(frame_alloc_low_range(6)) == 10);
    CHECK(frame_free_count() == before - 14);
    frame_free(_mfn(3));
    frame_free(_mfn(4));
    frame_free(_mfn(7));
    CHECK(mfn_x(frame_alloc_low_range(2)) == 3);
    CHECK(!valid(frame_alloc_low_range(2)));
    /* a run across FRAME_LOW_LIMIT is not a low run */
    frame_init();
    frame_add_ram(((uint64_t)FRAME_LOW_LIMIT - 2) << PAGE_SHIFT, ((uint64_t)FRAME_LOW_LIMIT + 2) << PAGE_SHIFT);
    CHECK(!valid(frame_alloc_low_range(3)));
    CHECK(mfn_x(frame_alloc_low_range(2)) == FRAME_LOW_LIMIT - 2);
}

/*
 * A long random sequence of frame_alloc, frame_alloc_low and frame_free
 * (fixed seed) against a plain array of who owns what.  The machine is
 * small, with RAM on both sides of FRAME_LOW_LIMIT and the last frame
 * below the 8 GiB limit, so exhaustion and refill happen many times.
 */
static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void random_ops(void)
{
    static const struct { uint64_t start, end; } ram[] = {
        { 0x1000, 0x40000 }, { 0x3ff0000, 0x4000000 }, { 0x4000000, 0x4040000 },
        { 0x10000000, 0x10008000 }, { GiB(8) - PAGE_SIZE, GiB(8) },
    };
    static const struct { uint64_t start, end; } reserved[] = {
        { 0x8000, 0x9001 }, { 0x3ff8000, 0x4004000 }, { 0x10003800, 0x10004800 },
    };
    enum { FREE = 1, OUT = 2 };                 /* 0: not RAM or reserved */
    static uint8_t state[FRAME_MAX];
    uint32_t out[4096], nout = 0, nfree = 0, bad = 0;

    memset(state, 0, sizeof(state));
    frame_init();
    for (unsigned i = 0; i < ARRAY_SIZE(ram); i++) {
        frame_add_ram(ram[i].start, ram[i].end);
        for (uint64_t a = ram[i].start; a < ram[i].end; a += PAGE_SIZE)
            state[PFN(a)] = FREE;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(reserved); i++) {
        frame_reserve(reserved[i].start, reserved[i].end);
        for (uint64_t a = ALIGN_DOWN(reserved[i].start, PAGE_SIZE); a < reserved[i].end; a += PAGE_SIZE)
            state[PFN(a)] = 0;
    }
    uint32_t low_free = 0, high_free = 0;
    for (uint32_t f = 0; f < FRAME_MAX; f++)
        if (state[f] == FREE)
            (*(f < FRAME_LOW_LIMIT ? &low_free : &high_free))++;
    nfree = low_free + high_free;
    CHECKF(frame_total_count() == nfree, "total %u, reference %u", frame_total_count(), nfree);

    for (unsigned step = 0; step < 40000 && bad < 5; step++) {
        unsigned op = rnd() % 8;
        if (op < 3 && nout) {                   /* free a random owned frame */
            uint32_t k = rnd() % nout, f = out[k];
            out[k] = out[--nout];
            frame_free(_mfn(f));
            state[f] = FREE;
            (*(f < FRAME_LOW_LIMIT ? &low_free : &high_free))++;
        } else if (op < 6 || op == 7) {         /* frame_alloc (or frame_alloc_low) */
            bool low = op == 7;
            mfn_t m = low ? frame_alloc_low() : frame_alloc();
            uint32_t f = mfn_x(m);
            bool want_none = low ? !low_free : !low_free && !high_free;
            if (!valid(m)) {
                if (!want_none && bad++ < 5)
                    printf("FAIL %s: [%s] step %u: %s returned INVALID_MFN with %u low and %u "
                           "high frames free\n", __FILE__, group, step,
                           low ? "frame_alloc_low" : "frame_alloc", low_free, high_free);
                continue;
            }
            bool ok = f < FRAME_MAX && state[f] == FREE && nout < ARRAY_SIZE(out) &&
                      (low ? f < FRAME_LOW_LIMIT : (f >= FRAME_LOW_LIMIT || !high_free));
            if (!ok) {
                if (bad++ < 5)
                    printf("FAIL %s: [%s] step %u: %s returned 0x%x (state %u, %u low and %u "
                           "high free)\n", __FILE__, group, step,
                           low ? "frame_alloc_low" : "frame_alloc", f,
                           f < FRAME_MAX ? state[f] : 9, low_free, high_free);
                continue;
            }
            state[f] = OUT;
            out[nout++] = f;
            (*(f < FRAME_LOW_LIMIT ? &low_free : &high_free))--;
        } else {                                /* probe a random frame */
            uint32_t f = rnd() % FRAME_MAX;
            if (rnd() % 2 && nout)
                f = out[rnd() % nout];
            if (frame_is_free(_mfn(f)) != (state[f] == FREE) && bad++ < 5)
                printf("FAIL %s: [%s] step %u: frame_is_free(0x%x) disagrees with the reference\n",
                       __FILE__, group, step, f);
        }
        if (frame_free_count() != low_free + high_free && bad++ < 5)
            printf("FAIL %s: [%s] step %u: free count %u, reference %u\n", __FILE__, group,
                   step, frame_free_count(), low_free + high_free);
    }
    CHECKF(bad == 0, "%u disagreements with the reference model", bad);
    CHECK(frame_total_count() == nfree);
    for (uint32_t i = 0; i < nout; i++)
        frame_free(_mfn(out[i]));
    CHECK(frame_free_count() == nfree);
}

static const struct group groups[] = {
    { "counts", counts },
    { "never_reserved", never_reserved },
    { "prefers_high", prefers_high },
    { "alloc_low", alloc_low },
    { "exhaustion", exhaustion },
    { "free_realloc", free_realloc },
    { "double_free", double_free },
    { "limits", limits },
    { "reserve_to_top", reserve_to_top },
    { "low_range", low_range },
    { "random_ops", random_ops },
};

CHECK_MAIN(groups)

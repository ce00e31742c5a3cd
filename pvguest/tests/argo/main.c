/*
 * argo - argo_op from the inside: rings, messages, space, and the hostile cases.
 *
 * Roles (cmdline role=):
 *  - solo (default): one domain, booted with argo=1 (with a victim beside
 *    it, whose frames it tries to use).  It checks, each with Xen's errno:
 *    the shape of register_ring (flags, lengths from 48 bytes to 16 MiB in
 *    slot multiples, page counts, pad), partners (none, DOMID_SELF, ANY
 *    without mac-permissive), frames that are not our RAM (the hypervisor's,
 *    the M2P's page table, a hole, another domain's, our own L3), all or
 *    nothing when one frame is bad; a message to itself read back from its
 *    own ring (header: length, source domain and port, type), messages
 *    that wrap at the end of a ring or cross a page, a message of 15 pages
 *    (continued page by page under preempt-every=1), the size limits (iov
 *    count, each iov, the total, the ring); -EAGAIN, then notify's flags
 *    and VIRQ_ARGO once the reader makes room; unregistering, duplicate and
 *    overlapping rings, the 128-ring limit, a garbage tx_ptr; and a ring
 *    page unmapped and given back while registered (the ring's reference
 *    keeps it, and the ring still works, until it goes).  It leaves one ring registered
 *    for its death to clean up.
 *    expect=off: booted without argo=1, every command is -EOPNOTSUPP.
 *    wildcard=1: booted with argo=1,mac-permissive=1: rings open to ANY.
 *  - a and b (peer= the other's id): two domains, each with rings for the
 *    other: ping-pong, a full ring and the VIRQ that says it has room
 *    again, and b's rings for a going away when a dies.
 */
#include "pvguest/lib/pvguest.h"

#define BAD_PTR      ((void *)0xF5800000u)   /* the hypervisor hole */
#define NOBODY       77u
#define ANY          XEN_ARGO_DOMID_ANY
#define HV_IMAGE_MFN 0x100u
#define ONE_PAGE     (PAGE_SIZE - 64)        /* ring[] of a one-page ring */
#define SMALL        256u
#define WAITS        20000u
#define ALIGNED      __attribute__((aligned(PAGE_SIZE)))

static uint8_t ring_a[PAGE_SIZE] ALIGNED, ring_b[PAGE_SIZE] ALIGNED, ring_c[PAGE_SIZE] ALIGNED;
static uint8_t ring_d[PAGE_SIZE] ALIGNED, ring_2p[2 * PAGE_SIZE] ALIGNED;
#define BIG_RING (16 * PAGE_SIZE - 64)
#define BIG      60000u
static uint8_t ring_big[16 * PAGE_SIZE] ALIGNED, big[BIG];
static xen_argo_gfn_t gfns[4096];
static uint8_t out[6000], in[6000];
static const xen_start_info_t *si;
static unsigned self_id, peer;
static volatile unsigned virqs;

/* ---- small tools ---------------------------------------------------------- */

static long argo(unsigned cmd, void *a1, void *a2, unsigned long a3, unsigned long a4)
{
    return HYPERVISOR_argo_op(cmd, a1, a2, a3, a4);
}

static uint32_t mfn_of(const void *p) { return mm_va_to_mfn((uint32_t)(uintptr_t)p); }

static long reg_frames(uint32_t aport, unsigned partner, uint32_t len, unsigned long n, unsigned long flags)
{
    xen_argo_register_ring_t r = { .aport = aport, .partner_id = (xen_domid_t)partner, .len = len };
    return argo(XEN_ARGO_OP_register_ring, &r, gfns, n, flags);
}

/* A ring of len bytes on our pages at mem (as many as it takes). */
static long reg(void *mem, uint32_t aport, unsigned partner, uint32_t len, unsigned long flags)
{
    unsigned n = (len + 64 + PAGE_SIZE - 1) / PAGE_SIZE;
    for (unsigned i = 0; i < n; i++)
        gfns[i] = mfn_of((uint8_t *)mem + i * PAGE_SIZE);
    return reg_frames(aport, partner, len, n, flags);
}

static long unreg(uint32_t aport, unsigned partner)
{
    xen_argo_unregister_ring_t u = { .aport = aport, .partner_id = (xen_domid_t)partner };
    return argo(XEN_ARGO_OP_unregister_ring, &u, NULL, 0, 0);
}

static long sendv(unsigned dom, uint32_t aport, xen_argo_iov_t *iov, unsigned long niov, uint32_t type)
{
    xen_argo_send_addr_t a = { .src = { .aport = 5, .domain_id = ANY },
                               .dst = { .aport = aport, .domain_id = (xen_domid_t)dom } };
    return argo(XEN_ARGO_OP_sendv, &a, iov, niov, type);
}

static long send(unsigned dom, uint32_t aport, const void *p, uint32_t n, uint32_t type)
{
    xen_argo_iov_t iov = { .iov_len = n };
    set_xen_guest_handle(iov.iov_hnd, p);
    return sendv(dom, aport, &iov, 1, type);
}

/* notify about one ring: its flags (or an errno); *max gets max_message_size. */
static long query(unsigned dom, uint32_t aport, uint32_t space, uint32_t *max)
{
    static struct { xen_argo_ring_data_t h; xen_argo_ring_data_ent_t e; } rd;
    rd.h.nent = 1;
    rd.e = (xen_argo_ring_data_ent_t){ .ring = { .aport = aport, .domain_id = (xen_domid_t)dom },
                                       .space_required = space, .max_message_size = 0xdead };
    long rc = argo(XEN_ARGO_OP_notify, &rd, NULL, 0, 0);
    if (max)
        *max = rd.e.max_message_size;
    return rc ? rc : rd.e.flags;
}

static volatile xen_argo_ring_t *head(void *mem) { return mem; }

/*
 * The receiver's side: take the next message from the ring at mem (len
 * bytes of ring[]) into *h and in[], wrapping as the writer did, and move
 * rx_ptr past it.  Returns the payload length, or -1 when the ring is empty.
 */
static long take(void *mem, uint32_t len, xen_argo_ring_message_header_t *h)
{
    volatile xen_argo_ring_t *r = head(mem);
    uint32_t rx = r->rx_ptr;
    if (rx == r->tx_ptr)
        return -1;
    for (unsigned i = 0; i < sizeof(*h); i++)
        ((uint8_t *)h)[i] = r->ring[rx + i];
    uint32_t n = h->len - sizeof(*h);
    for (uint32_t i = 0; i < n && i < sizeof(in); i++)
        in[i] = r->ring[(rx + sizeof(*h) + i) % len];
    r->rx_ptr = ALIGN_UP(rx + h->len, XEN_ARGO_MSG_SLOT_SIZE) % len;
    return n;
}

static void pattern(uint32_t n, unsigned seed)
{
    for (uint32_t i = 0; i < n; i++)
        out[i] = (uint8_t)(i * 7 + seed);
}

static void on_virq(unsigned port, void *arg)
{
    (void)port, (void)arg;
    virqs++;
}

/* Sleep until VIRQ_ARGO has come more often than `seen`: false if it never does. */
static bool wait_virq(unsigned seen)
{
    for (unsigned i = 0; i < WAITS; i++) {
        set_event_mask(1);
        if (virqs != seen) {
            set_event_mask(0);
            return true;
        }
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    set_event_mask(0);
    return false;
}

/* ---- argo off ------------------------------------------------------------ */

static void disabled(void)
{
    xen_argo_register_ring_t r = { .aport = 1, .partner_id = ANY, .len = ONE_PAGE };
    check(argo(XEN_ARGO_OP_register_ring, &r, gfns, 1, 0), -EOPNOTSUPP, "argo off: register_ring");
    check(argo(XEN_ARGO_OP_unregister_ring, &r, NULL, 0, 0), -EOPNOTSUPP, "argo off: unregister_ring");
    check(send(0, 1, out, 4, 0), -EOPNOTSUPP, "argo off: sendv");
    check(argo(XEN_ARGO_OP_notify, NULL, NULL, 0, 0), -EOPNOTSUPP, "argo off: notify");
    check(argo(99, NULL, NULL, 0, 0), -EOPNOTSUPP, "argo off: command 99");
}

/* ---- register_ring: the record, the partner, the frames ------------------- */

static void shapes(void)
{
    xen_argo_register_ring_t r = { .aport = 1, .partner_id = (xen_domid_t)self_id, .len = ONE_PAGE, .pad = 1 };

    gfns[0] = mfn_of(ring_a);
    check(argo(0, NULL, NULL, 0, 0), -EOPNOTSUPP, "command 0");
    check(argo(5, NULL, NULL, 0, 0), -EOPNOTSUPP, "command 5");
    check(argo(XEN_ARGO_OP_unregister_ring, &r, gfns, 0, 0), -EINVAL, "unregister_ring with arg2 set");
    check(argo(XEN_ARGO_OP_notify, NULL, NULL, 1, 0), -EINVAL, "notify with arg3 set");
    check(reg_frames(1, self_id, ONE_PAGE, 1, 2), -EINVAL, "register, flags 2 (undefined)");
    check(argo(XEN_ARGO_OP_register_ring, BAD_PTR, gfns, 1, 0), -EFAULT, "register, record in the hole");
    check(argo(XEN_ARGO_OP_register_ring, &r, BAD_PTR, 1, 0), -EFAULT, "register, frame list in the hole");
    check(argo(XEN_ARGO_OP_register_ring, &r, gfns, 1, 0), -EINVAL, "register, pad 1");
    check(reg_frames(1, self_id, 32, 1, 0), -EINVAL, "ring too small: len 32 (< header + 2 slots)");
    check(reg_frames(1, self_id, 100, 1, 0), -EINVAL, "len 100: not a multiple of the 16-byte slot");
    check(reg_frames(1, self_id, 0x1000010, 1, 0), -EINVAL, "ring too large: len 16 MiB + 16");
    check(reg_frames(1, self_id, 0x1000000, 4096, 0), -EINVAL, "len 16 MiB in 4096 pages (it needs 4097)");
    check(reg_frames(1, self_id, 0x1000000, 4097, 0), -EINVAL, "4097 pages");
    check(reg_frames(1, self_id, ONE_PAGE, 2, 0), -EINVAL, "len 4032 in 2 pages (it needs 1)");
    check(reg_frames(1, self_id, ONE_PAGE + 16, 1, 0), -EINVAL, "len 4048 in 1 page (it needs 2)");
    check(reg_frames(1, self_id, 48, 1, 0), 0, "the smallest ring: len 48");
    check(unreg(1, self_id), 0, "... unregistered");
    check(reg_frames(1, NOBODY, ONE_PAGE, 1, 0), -ESRCH, "partner: no such domain");
    check(reg_frames(1, DOMID_SELF, ONE_PAGE, 1, 0), -ESRCH, "partner: DOMID_SELF (not a domain to argo)");
    if (!cmdline_uint("wildcard", 0))
        check(reg_frames(1, ANY, ONE_PAGE, 1, 0), -EPERM, "partner ANY without mac-permissive");
}

/* The first frame of another domain (the M2P names a pfn our P2M does not), or 0. */
static uint32_t foreign_frame(void)
{
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    for (uint32_t m = 0x200; m < (uint32_t)max; m++)
        if (M2P[m] != MFN_NONE && mm_mfn_to_pfn(m) == MFN_NONE && m != si->shared_info >> 12)
            return m;
    return 0;
}

static void frame_rule(const char *what, uint64_t gfn)
{
    gfns[0] = gfn;
    check(reg_frames(2, self_id, ONE_PAGE, 1, 0), -EINVAL, "ring on %s", what);
}

static void frames(void)
{
    const volatile uint64_t *slot3_l2 = (const volatile uint64_t *)(si->pt_base + 4 * PAGE_SIZE);
    uint32_t other = foreign_frame(), spare = mm_pfn_to_mfn(mm_frame_alloc_zeroed());

    frame_rule("the hypervisor image (mfn 0x100)", HV_IMAGE_MFN);
    frame_rule("the M2P's page table (a hypervisor frame)", PTE_MFN(slot3_l2[428]));
    frame_rule("a hole: mfn 0xfffff, beyond RAM", 0xfffff);
    frame_rule("gfn 1 << 32", 1ull << 32);
    frame_rule("our L3, a page table", mm_bootstrap_l3());
    if (other)
        frame_rule("another domain's frame", other);
    else
        test_error("no other domain's frame found: boot a victim beside this guest");
    gfns[0] = spare;
    gfns[1] = HV_IMAGE_MFN;
    check(reg_frames(2, self_id, ONE_PAGE + 16, 2, 0), -EINVAL, "two frames, the second not ours");
    check(mm_pin(1, spare), 0, "... the first kept no reference: it can still become an L1");
    mm_unpin(spare);
    mm_frame_free(mm_mfn_to_pfn(spare));
}

/* ---- messages ------------------------------------------------------------- */

static void to_ourselves(void)
{
    static char hello[] = "hello, ", world[] = "argo";
    xen_argo_iov_t iov[2] = { { .iov_len = 7 }, { .iov_len = 4 } };
    xen_argo_ring_message_header_t h;
    unsigned seen = virqs;

    set_xen_guest_handle(iov[0].iov_hnd, hello);
    set_xen_guest_handle(iov[1].iov_hnd, world);
    check(reg(ring_a, 10, self_id, ONE_PAGE, 0), 0, "register our ring: port 10, partner ourselves");
    check(sendv(self_id, 10, iov, 2, 0x1234), 11, "sendv two iovs to ourselves: 11 bytes sent");
    check(virqs, seen + 1, "... VIRQ_ARGO arrived");
    check(head(ring_a)->tx_ptr, 32, "... tx_ptr moved to the next slot (16 + 11, rounded)");
    check(take(ring_a, ONE_PAGE, &h), 11, "read it back");
    check(h.len, 27, "... header len (header + payload)");
    check(h.source.domain_id, self_id, "... source domain: us (ANY became our id)");
    check(h.source.aport, 5, "... source port");
    check_hex("... message type", h.message_type, 0x1234);
    check(!memcmp(in, "hello, argo", 11), 1, "... the payload, both iovs in order");
    check(sendv(self_id, 10, NULL, 0, 7), 0, "a message with no iov: 0 bytes");
    check(take(ring_a, ONE_PAGE, &h) == 0 && h.len == 16 && h.message_type == 7, 1, "... header only");
}

static void send_rules(void)
{
    xen_argo_send_addr_t a = { .src = { .aport = 5, .domain_id = (xen_domid_t)self_id },
                               .dst = { .aport = 10, .domain_id = (xen_domid_t)self_id } };
    xen_argo_iov_t iov[9] = { { .iov_len = 4 } };
    xen_argo_ring_message_header_t h;

    set_xen_guest_handle(iov[0].iov_hnd, out);
    check(argo(XEN_ARGO_OP_sendv, &a, iov, 1, 0), 4, "source: our own id");
    take(ring_a, ONE_PAGE, &h);
    a.src.domain_id = (xen_domid_t)NOBODY;
    check(argo(XEN_ARGO_OP_sendv, &a, iov, 1, 0), -EPERM, "source: another domain's id");
    a.src.domain_id = (xen_domid_t)self_id;
    a.src.pad = 1;
    check(argo(XEN_ARGO_OP_sendv, &a, iov, 1, 0), -EINVAL, "source pad 1");
    a.src.pad = 0, a.dst.pad = 1;
    check(argo(XEN_ARGO_OP_sendv, &a, iov, 1, 0), -EINVAL, "destination pad 1");
    check(send(NOBODY, 10, out, 4, 0), -ESRCH, "to no such domain");
    check(send(self_id, 11, out, 4, 0), -ECONNREFUSED, "to a port with no ring");
    check(argo(XEN_ARGO_OP_sendv, BAD_PTR, iov, 1, 0), -EFAULT, "addresses in the hole");
    check(sendv(self_id, 10, BAD_PTR, 1, 0), -EFAULT, "iov array in the hole");
    check(sendv(self_id, 10, iov, 9, 0), -EINVAL, "9 iovs (XEN_ARGO_MAXIOV is 8)");
    check(sendv(self_id, 10, iov, 0xffffffffu, 0), -EINVAL, "0xffffffff iovs");
    iov[0].pad = 1;
    check(sendv(self_id, 10, iov, 1, 0), -EINVAL, "iov pad 1");
    iov[0] = (xen_argo_iov_t){ .iov_len = 0x1000000 };
    check(sendv(self_id, 10, iov, 1, 0), -EINVAL, "one iov of 16 MiB (over the largest message)");
    iov[0].iov_len = iov[1].iov_len = 0x800000;
    check(sendv(self_id, 10, iov, 2, 0), -EMSGSIZE, "two iovs of 8 MiB: total over the largest message");
    check(send(self_id, 10, out, ONE_PAGE - 31, 0), -EMSGSIZE, "4001 bytes: more than this ring ever takes");
    pattern(ONE_PAGE - 32, 3);
    check(send(self_id, 10, out, ONE_PAGE - 32, 0), ONE_PAGE - 32, "4000 bytes: the most it takes");
    check(take(ring_a, ONE_PAGE, &h) == ONE_PAGE - 32 && !memcmp(in, out, ONE_PAGE - 32), 1, "... read back");
    uint32_t tx = head(ring_a)->tx_ptr;
    check(send(self_id, 10, BAD_PTR, 16, 0), -EFAULT, "payload in the hole");
    check(head(ring_a)->tx_ptr, tx, "... tx_ptr unmoved: nothing was sent");
}

/* Messages of many sizes through a 256-byte ring, each read at once: some wrap at its end. */
static void wrapping(void)
{
    xen_argo_ring_message_header_t h;
    unsigned wrapped = 0, good = 0;

    check(reg(ring_b, 12, self_id, SMALL, 0), 0, "register a 256-byte ring: port 12");
    for (unsigned i = 0; i < 40; i++) {
        uint32_t n = (i * 37) % 200 + 1, tx = head(ring_b)->tx_ptr;
        pattern(n, i);
        if (send(self_id, 12, out, n, i) != (long)n)
            break;
        wrapped += tx + 16 + n > SMALL;
        good += take(ring_b, SMALL, &h) == (long)n && h.message_type == i && !memcmp(in, out, n);
    }
    check(good, 40, "40 messages of 1-200 bytes read back intact");
    printf("%u of them wrapped at the end of the ring\n", wrapped);
    check(wrapped >= 10, 1, "... many of them wrapped at the end of the ring");
    check(reg(ring_2p, 13, self_id, 2 * PAGE_SIZE - 64, 0), 0, "register a two-page ring: port 13");
    pattern(5000, 9);
    check(send(self_id, 13, out, 5000, 0), 5000, "5000 bytes across its page boundary");
    check(take(ring_2p, 2 * PAGE_SIZE - 64, &h) == 5000 && !memcmp(in, out, 5000), 1, "... read back intact");
}

/*
 * A message of many pages is copied a page at a time, and continued when
 * the tick is due (under preempt-every=1 after every page): it must arrive
 * whole, alone or inside a multicall beside another send.
 */
static void big_message(void)
{
    volatile xen_argo_ring_t *r = head(ring_big);
    static xen_argo_iov_t iov[2];
    static xen_argo_send_addr_t a;
    static xen_multicall_entry_t mc[2];
    for (uint32_t i = 0; i < BIG; i++)
        big[i] = (uint8_t)(i * 13 + i / PAGE_SIZE);
    check(reg(ring_big, 14, self_id, BIG_RING, 0), 0, "register a 16-page ring: port 14");
    check(send(self_id, 14, big, BIG, 7), BIG, "one message of 60000 bytes");
    check(r->tx_ptr == ALIGN_UP(16 + BIG, 16) && !memcmp((const void *)(r->ring + 16), big, BIG), 1,
          "... all of it in the ring after its header");
    r->rx_ptr = r->tx_ptr = 0;                     /* the ring empty, at its start again */
    check(unreg(14, self_id) | reg(ring_big, 14, self_id, BIG_RING, 0), 0, "registered anew");
    a = (xen_argo_send_addr_t){ .src = { .aport = 5, .domain_id = ANY },
                                .dst = { .aport = 14, .domain_id = (xen_domid_t)self_id } };
    iov[0] = (xen_argo_iov_t){ .iov_len = BIG / 2 };
    iov[1] = (xen_argo_iov_t){ .iov_len = BIG / 2 };
    set_xen_guest_handle(iov[0].iov_hnd, big);
    set_xen_guest_handle(iov[1].iov_hnd, big + BIG / 2);
    for (unsigned i = 0; i < 2; i++)
        mc[i] = (xen_multicall_entry_t){ .op = __HYPERVISOR_argo_op, .args = { XEN_ARGO_OP_sendv,
                                         (uint32_t)(uintptr_t)&a, (uint32_t)(uintptr_t)&iov[i], 1 } };
    check(HYPERVISOR_multicall(mc, 2), 0, "a multicall of two sends of 30000 bytes");
    check(mc[0].result == BIG / 2 && mc[1].result == BIG / 2, 1, "... both sent");
    check(!memcmp((const void *)(r->ring + 16), big, BIG / 2) &&
          !memcmp((const void *)(r->ring + 32 + ALIGN_UP(BIG / 2, 16)), big + BIG / 2, BIG / 2), 1,
          "... each whole, in order");
    check(unreg(14, self_id), 0, "port 14 unregistered");
}

/* The 256-byte ring fills; notify says so; reading and notify bring VIRQ_ARGO. */
static void no_space(void)
{
    xen_argo_ring_message_header_t h;
    uint32_t max;
    unsigned seen;

    check(send(self_id, 12, out, 100, 0), 100, "100 bytes into the empty 256-byte ring");
    check(send(self_id, 12, out, 100, 0), -EAGAIN, "100 more: no space now");
    check(query(self_id, 12, 100, &max), XEN_ARGO_RING_EXISTS, "notify, 100 wanted: exists, not sufficient");
    check(max, SMALL - 32, "... max_message_size 224");
    check(query(self_id, 12, 225, &max), XEN_ARGO_RING_EXISTS | XEN_ARGO_RING_EMSGSIZE,
          "notify, 225 wanted: never fits");
    check(query(self_id, 99, 1, &max), 0, "notify about a port with no ring: no flags");
    check(max, 0xdead, "... max_message_size left alone");
    check(query(NOBODY, 12, 1, NULL), 0, "notify about no such domain: no flags");
    seen = virqs;
    check(take(ring_b, SMALL, &h), 100, "the reader takes the message (rx_ptr moves)");
    check(argo(XEN_ARGO_OP_notify, NULL, NULL, 0, 0), 0, "... and calls notify");
    check(virqs, seen + 1, "VIRQ_ARGO: the waiting sender is told there is room");
    check(argo(XEN_ARGO_OP_notify, NULL, NULL, 0, 0) == 0 && virqs == seen + 1, 1, "... once");
    check(query(self_id, 12, 100, NULL), XEN_ARGO_RING_EXISTS | XEN_ARGO_RING_SUFFICIENT | XEN_ARGO_RING_EMPTY,
          "notify: exists, sufficient, empty");
    static struct { xen_argo_ring_data_t h; } many = { { .nent = 257 } };
    check(argo(XEN_ARGO_OP_notify, &many, NULL, 0, 0), -EACCES, "notify, 257 entries");
    check(argo(XEN_ARGO_OP_notify, BAD_PTR, NULL, 0, 0), -EFAULT, "notify, ring data in the hole");
    check(unreg(12, self_id) | unreg(13, self_id), 0, "ports 12 and 13 unregistered");
}

/* ---- rings: unregister, duplicates, overlaps, limits, garbage ----------------- */

static void unregistering(void)
{
    xen_argo_unregister_ring_t u = { .aport = 10, .partner_id = (xen_domid_t)self_id, .pad = 1 };
    check(argo(XEN_ARGO_OP_unregister_ring, &u, NULL, 0, 0), -EINVAL, "unregister, pad 1");
    check(argo(XEN_ARGO_OP_unregister_ring, BAD_PTR, NULL, 0, 0), -EFAULT, "unregister, record in the hole");
    check(unreg(11, self_id), -ENOENT, "unregister a port with no ring");
    check(unreg(10, NOBODY), -ENOENT, "unregister port 10 for another partner");
    check(unreg(10, self_id), 0, "unregister port 10");
    check(unreg(10, self_id), -ENOENT, "... again");
    check(send(self_id, 10, out, 4, 0), -ECONNREFUSED, "send to it");
}

static void duplicates(void)
{
    xen_argo_ring_message_header_t h;
    unsigned n = 0;
    long rc;

    head(ring_a)->rx_ptr = head(ring_a)->tx_ptr = 0;
    check(reg(ring_a, 20, self_id, ONE_PAGE, 0), 0, "register port 20");
    check(send(self_id, 20, out, 10, 0), 10, "... a message in it");
    check(reg(ring_a, 20, self_id, ONE_PAGE, XEN_ARGO_REGISTER_FLAG_FAIL_EXIST), -EEXIST,
          "port 20 again, FAIL_EXIST");
    check(reg(ring_a, 20, self_id, 48, 0), -EEXIST, "port 20 again, another length");
    check(reg(ring_a, 20, self_id, ONE_PAGE, 0), 0, "port 20 again, same length: re-registered (as Xen)");
    check(head(ring_a)->tx_ptr, 32, "... keeps a valid tx_ptr");
    check(take(ring_a, ONE_PAGE, &h), 10, "... and the message");
    check(unreg(20, self_id), 0, "unregister port 20");
    head(ring_a)->rx_ptr = 0x25;
    head(ring_a)->tx_ptr = 0x13;
    check(reg(ring_a, 20, self_id, ONE_PAGE, 0), 0, "register with tx_ptr 0x13 (misaligned), rx_ptr 0x25");
    check_hex("... tx_ptr restarts at rx_ptr rounded to a slot", head(ring_a)->tx_ptr, 0x30);
    head(ring_a)->rx_ptr = 0x30;
    check(reg(ring_a, 21, self_id, ONE_PAGE, 0), 0, "port 21 on the same page (overlap: Xen allows it)");
    /* Ports 20 and 21 are registered: 126 more reach the limit. */
    while ((rc = reg(ring_a, 1000 + n, self_id, 48, 0)) == 0)
        n++;
    check(n, 126, "rings up to 128 in all, all on one page");
    check(rc, -ENOSPC, "the 129th");
    check(reg(ring_a, 20, self_id, ONE_PAGE, 0), -ENOSPC, "... even re-registering one (as Xen counts)");
    for (unsigned i = 0, k = n; i < k; i++)
        n -= unreg(1000 + i, self_id) == 0;
    check(n, 0, "all 126 unregistered");
    check(unreg(20, self_id) | unreg(21, self_id), 0, "ports 20 and 21 unregistered");
}

/* A ring page we unmap and try to give back while it is registered. */
static void page_held(void)
{
    xen_argo_ring_message_header_t h;
    uint32_t pfn = mm_frame_alloc_zeroed(), m = mm_pfn_to_mfn(pfn), va = mm_va_slot();
    long pages = mm_reservation(XENMEM_current_reservation);

    check(mm_map(va, mm_pte(m, PTE_PRESENT | PTE_RW)), 0, "map a spare frame");
    gfns[0] = m;
    check(reg_frames(30, self_id, ONE_PAGE, 1, 0), 0, "register port 30 on it");
    check(mm_map(va, 0), 0, "unmap it: only the ring refers to it now");
    check(mm_pin(1, m), -EINVAL, "... pin it as an L1: refused, it is the ring's writable page");
    check(send(self_id, 30, "still here", 10, 0), 10, "send to the ring");
    check(mm_map(va, mm_pte(m, PTE_PRESENT | PTE_RW)), 0, "map the frame again");
    check(take((void *)va, ONE_PAGE, &h) == 10 && !memcmp(in, "still here", 10), 1, "... the message is in it");
    check(mm_map(va, 0), 0, "unmap it");
    check(mm_decrease(&m, 1), 1, "decrease_reservation: out of our memory, as Xen");
    check(mm_reservation(XENMEM_current_reservation), pages - 1, "... one page fewer");
    check(send(self_id, 30, "still here", 10, 0), 10, "... but the ring's reference keeps it: send");
    check(mm_map(va, mm_pte(m, PTE_PRESENT | PTE_RW)), -EBUSY, "... not ours to map again");
    check(unreg(30, self_id), 0, "unregister port 30: its last reference, and it is freed");
    check(mm_decrease(&m, 1), 0, "... nothing left to give back");
}

static void wildcard(void)
{
    uint32_t tx_any, tx_us;

    check(reg(ring_c, 40, ANY, ONE_PAGE, 0), 0, "register port 40 for ANY (mac-permissive)");
    check(send(self_id, 40, out, 8, 0), 8, "send to port 40: the ANY ring takes it");
    check(query(self_id, 40, 8, NULL) & XEN_ARGO_RING_SHARED, XEN_ARGO_RING_SHARED, "notify: shared");
    tx_any = head(ring_c)->tx_ptr;
    check(reg(ring_d, 40, self_id, SMALL, 0), 0, "register port 40 for us as well");
    check(send(self_id, 40, out, 8, 0), 8, "send to port 40 again");
    tx_us = head(ring_d)->tx_ptr;
    check(tx_any == 32 && tx_us == 32 && head(ring_c)->tx_ptr == tx_any, 1, "... the ring for us alone took it");
    check(unreg(40, ANY) | unreg(40, self_id), 0, "both unregistered");
}

static void solo(void)
{
    shapes();
    frames();
    to_ourselves();
    send_rules();
    wrapping();
    big_message();
    no_space();
    unregistering();
    duplicates();
    page_held();
    if (cmdline_uint("wildcard", 0))
        wildcard();
    check(reg(ring_b, 50, self_id, SMALL, 0), 0, "port 50 left registered for our death to clean up");
}

/* ---- two domains ----------------------------------------------------------- */

/* Wait for the next message on our ring at mem; its payload length, or -1. */
static long next(void *mem, uint32_t len, xen_argo_ring_message_header_t *h)
{
    long n;
    unsigned seen = virqs;
    while ((n = take(mem, len, h)) < 0 && wait_virq(seen))
        seen = virqs;
    return n;
}

static void side_a(void)
{
    xen_argo_ring_message_header_t h;
    unsigned ok = 0, seen;
    long rc = -ECONNREFUSED;
    char word[16];

    check(reg(ring_a, 7, peer, SMALL, 0), 0, "a: ring port 7 for b");
    for (unsigned i = 0; i < WAITS && rc == -ECONNREFUSED; i++)
        if ((rc = send(peer, 7, "ping 0", 6, 1)) == -ECONNREFUSED)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(rc, 6, "a: b's ring is there: ping 0 sent");
    for (unsigned i = 0; i < 10; i++) {
        snprintf(word, sizeof(word), "pong %u", i);
        ok += next(ring_a, SMALL, &h) == 6 && !memcmp(in, word, 6) && h.source.domain_id == peer &&
              h.source.aport == 5 && h.message_type == 2;
        snprintf(word, sizeof(word), "ping %u", i + 1);
        if (i < 9)
            send(peer, 7, word, 6, 1);
    }
    check(ok, 10, "a: 10 pongs from b, each header naming b");
    check(send(peer, 9, "x", 1, 0), -ECONNREFUSED, "a: b's port 9 is for b alone");
    check(send(peer, 7, out, 100, 3), 100, "a: 100 bytes to b, who is not reading");
    check(send(peer, 7, out, 100, 3), -EAGAIN, "a: 100 more: b's ring is full");
    check(query(peer, 7, 100, NULL), XEN_ARGO_RING_EXISTS, "a: notify: not sufficient");
    seen = virqs;
    check(send(peer, 8, "full", 4, 4), 4, "a: tell b on its port 8");
    check(wait_virq(seen), 1, "a: VIRQ_ARGO: b has read and made room");
    check(query(peer, 7, 100, NULL), XEN_ARGO_RING_EXISTS | XEN_ARGO_RING_SUFFICIENT | XEN_ARGO_RING_EMPTY,
          "a: notify: sufficient, empty");
    check(send(peer, 8, "bye!", 4, 4), 4, "a: bye; a powers off with its rings registered");
}

static void side_b(void)
{
    xen_argo_ring_message_header_t h;
    unsigned ok = 0;
    long rc = 0;
    char word[16];

    check(reg(ring_a, 7, peer, SMALL, 0), 0, "b: ring port 7 for a");
    check(reg(ring_2p, 8, peer, ONE_PAGE, 0), 0, "b: ring port 8 for a");
    check(reg(ring_b, 9, self_id, SMALL, 0), 0, "b: ring port 9 for b alone");
    for (unsigned i = 0; i < 10; i++) {
        snprintf(word, sizeof(word), "ping %u", i);
        ok += next(ring_a, SMALL, &h) == 6 && !memcmp(in, word, 6) && h.source.domain_id == peer &&
              h.message_type == 1;
        snprintf(word, sizeof(word), "pong %u", i);
        for (unsigned t = 0; t < WAITS && (rc = send(peer, 7, word, 6, 2)) == -ECONNREFUSED; t++)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    check(ok, 10, "b: 10 pings from a, each header naming a");
    check(next(ring_2p, ONE_PAGE, &h) == 4 && !memcmp(in, "full", 4), 1, "b: a says port 7 is full");
    check(take(ring_a, SMALL, &h), 100, "b: take the 100 bytes waiting there");
    check(argo(XEN_ARGO_OP_notify, NULL, NULL, 0, 0), 0, "b: notify (a is told)");
    check(next(ring_2p, ONE_PAGE, &h) == 4 && !memcmp(in, "bye!", 4), 1, "b: a says bye");
    for (unsigned t = 0; t < WAITS && (rc = send(peer, 7, "x", 1, 0)) != -ESRCH; t++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(rc, -ESRCH, "b: a is gone");
    check(unreg(7, peer), -ENOENT, "b: our port 7 for a went with a (as Xen)");
    check(unreg(8, peer), -ENOENT, "b: and port 8");
    check(unreg(9, self_id), 0, "b: port 9, for ourselves, is still ours");
}

/* Our domain id: DOMID_SELF as an unbound port's remote end becomes it. */
static unsigned own_id(void)
{
    long p = evtchn_alloc_unbound(DOMID_SELF);
    struct xen_evtchn_status st = { .dom = DOMID_SELF, .port = (uint32_t)p };
    unsigned id = p > 0 && !HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) ? st.u.unbound.dom : NOBODY;

    evtchn_close((unsigned)p);
    return id;
}

void pvguest_main(const xen_start_info_t *start)
{
    char role[8] = "solo", expect[8] = "on";

    si = start;
    traps_init();
    evtchn_init();
    cmdline_get("role", role, sizeof(role));
    cmdline_get("expect", expect, sizeof(expect));
    peer = (unsigned)cmdline_uint("peer", 0);
    if (!strcmp(expect, "off")) {
        disabled();
        test_pass();
        xtf_exit();
    }
    self_id = own_id();
    printf("argo: role %s, we are d%u\n", role, self_id);
    check(evtchn_bind_virq(VIRQ_ARGO, on_virq, NULL) > 0, 1, "bind VIRQ_ARGO");
    set_event_mask(0);
    if (!strcmp(role, "a"))
        side_a();
    else if (!strcmp(role, "b"))
        side_b();
    else
        solo();
    test_pass();
    xtf_exit();
}

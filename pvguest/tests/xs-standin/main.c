/*
 * xs-standin - a stand-in xenstored: shows what the toolstack sends it.
 *
 * Booted with dom.service=xenstore, it is the xenstore service domain, and
 * its own store ring (start_info.store_mfn and store_evtchn) is the
 * hypervisor's toolstack connection: the hypervisor writes requests into
 * req[] and reads our answers from rsp[].  This guest stores nothing.  It
 * prints each request whole, one line each, as
 *     xs-standin: req <id> XS_<TYPE> <payload, each nul shown as '|'>
 * and answers each with "OK" - except a request of the type named by
 * fail=<number> on its command line, which gets XS_ERROR "EACCES", so the
 * test can see the hypervisor report it.  With bad=1, after answering the
 * first request it claims a ring's worth of answers too many (rsp_prod
 * 4096 past rsp_cons), which must close the hypervisor's connection.  It never ends: a service does
 * not keep the run going, the hypervisor stops it when no guest is left.
 * A request it cannot take (longer than its buffer) ends it with FAILURE.
 */
#include "pvguest/lib/pvguest.h"
#include "hypercalls/public/io/xs_wire.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

static volatile struct xen_xenstore_domain_interface *ring;
static unsigned port, fail_type, bad;

static const char *const names[] = {
    [XS_MKDIR] = "XS_MKDIR", [XS_SET_PERMS] = "XS_SET_PERMS", [XS_WRITE] = "XS_WRITE",
    [XS_INTRODUCE] = "XS_INTRODUCE", [XS_RELEASE] = "XS_RELEASE",
};

static void take(void *dst, uint32_t cons, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ((char *)dst)[i] = ring->req[MASK_XENSTORE_IDX(cons + i)];
}

static void answer(const struct xen_xsd_sockmsg *req, uint32_t type, const char *text)
{
    struct xen_xsd_sockmsg h = { .type = type, .req_id = req->req_id, .tx_id = req->tx_id,
                                 .len = strlen(text) + 1 };
    uint32_t prod = ring->rsp_prod;
    while (XENSTORE_RING_SIZE - (prod - ring->rsp_cons) < sizeof(h) + h.len)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);   /* the hypervisor reads on our notify */
    for (uint32_t i = 0; i < sizeof(h) + h.len; i++)
        ring->rsp[MASK_XENSTORE_IDX(prod + i)] =
            i < sizeof(h) ? ((const char *)&h)[i] : text[i - sizeof(h)];
    barrier();
    ring->rsp_prod = prod + sizeof(h) + h.len;
}

/* One whole request, if there is one: print it and answer it. */
static bool serve_one(void)
{
    struct xen_xsd_sockmsg h;
    char body[200];
    uint32_t cons = ring->req_cons, prod = ring->req_prod;
    barrier();
    if (prod - cons < sizeof(h))
        return false;
    take(&h, cons, sizeof(h));
    if (h.len >= sizeof(body)) {
        test_fail("request %u of %u bytes is too long for the stand-in", h.req_id, h.len);
        xtf_exit();
    }
    if (prod - cons < sizeof(h) + h.len)
        return false;
    take(body, cons + sizeof(h), h.len);
    barrier();
    ring->req_cons = cons + sizeof(h) + h.len;
    for (uint32_t i = 0; i < h.len; i++)
        if (!body[i])
            body[i] = '|';
    body[h.len] = '\0';
    const char *name = h.type < ARRAY_SIZE(names) && names[h.type] ? names[h.type] : "XS_?";
    printf("xs-standin: req 0x%x %s %s\n", h.req_id, name, body);
    if (h.type == fail_type)
        answer(&h, XS_ERROR, "EACCES");
    else
        answer(&h, h.type, "OK");
    if (bad) {
        ring->rsp_prod = ring->rsp_cons + 4096;
        bad = 0;
    }
    return true;
}

void pvguest_main(const xen_start_info_t *si)
{
    fail_type = (unsigned)cmdline_uint("fail", ~0ul);
    bad = (unsigned)cmdline_uint("bad", 0);
    uint32_t va = si->store_mfn ? mm_mfn_to_va(si->store_mfn) : 0;
    if (!va) {
        test_error("no store page: boot this with dom.service=xenstore");
        xtf_exit();
    }
    map_shared_info();
    ring = (volatile struct xen_xenstore_domain_interface *)va;
    port = si->store_evtchn;
    printf("xs-standin: serving the toolstack on port %u\n", port);
    for (;;) {
        volatile xen_ulong_t *word = &shared_info->evtchn_pending[port / 32];
        __atomic_fetch_and(word, ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
        shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
        __atomic_store_n(&shared_info->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        bool served = false;
        while (serve_one())
            served = true;
        if (served)
            evtchn_send(port);          /* answers to read, room for requests */
        else
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}

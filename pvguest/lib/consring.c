/*
 * consring.c - a domU's console: the PV console ring, from the guest side.
 *
 * Every domain but the initial one finds a console ring page in
 * start_info.console.domU (an mfn, which is ours and inside the initial
 * mapping) and the event channel whose other end is the console backend.
 * Output goes into out[]: copy what fits, advance out_prod, notify; the
 * backend copies it out and advances out_cons.  Typed input comes back in
 * in[]: take it, advance in_cons, notify so that the backend refills it.
 * The indexes run freely; masking by the ring's size finds the byte.
 * A waiter clears the port's pending bit, looks at the ring again and only
 * then blocks, so a notify that came in between wakes it at once.
 */
#include "pvguest/lib/pvguest.h"
#include "hypercalls/public/io/console.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

static volatile struct xen_xencons_interface *ring;
static unsigned port;

bool consring_open(void)
{
    const xen_start_info_t *si = pvguest_start_info;
    if ((si->flags & SIF_INITDOMAIN) || !si->console.domU.mfn)
        return false;
    uint32_t va = mm_mfn_to_va(si->console.domU.mfn);
    if (!va)
        return false;
    map_shared_info();
    ring = (volatile struct xen_xencons_interface *)va;
    port = si->console.domU.evtchn;
    return true;
}

unsigned consring_port(void)
{
    return ring ? port : 0;
}

void consring_wait(void)
{
    volatile xen_ulong_t *word = &shared_info->evtchn_pending[port / 32];
    __atomic_fetch_and(word, ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
    shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
    __atomic_store_n(&shared_info->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
}

void consring_write(const char *s, size_t n)
{
    while (n) {
        uint32_t cons = ring->out_cons, prod = ring->out_prod;
        barrier();
        uint32_t k = sizeof(ring->out) - (prod - cons);
        if (k > n)
            k = (uint32_t)n;
        for (uint32_t i = 0; i < k; i++)
            ring->out[MASK_XENCONS_IDX(prod + i, ring->out)] = s[i];
        barrier();
        ring->out_prod = prod + k;
        s += k, n -= k;
        evtchn_send(port);      /* a full ring is emptied before the send returns */
    }
}

int consring_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    consring_write(buf, (size_t)n);
    return n;
}

size_t consring_read(char *buf, size_t n)
{
    uint32_t cons = ring->in_cons, prod = ring->in_prod;
    barrier();
    size_t k = prod - cons < n ? prod - cons : n;
    for (size_t i = 0; i < k; i++)
        buf[i] = ring->in[MASK_XENCONS_IDX(cons + i, ring->in)];
    barrier();
    ring->in_cons = cons + (uint32_t)k;
    if (k)
        evtchn_send(port);      /* room again: the backend may have more */
    return k;
}

size_t consring_read_wait(char *buf, size_t n)
{
    for (;;) {
        consring_wait();
        size_t k = consring_read(buf, n);
        if (k)
            return k;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}

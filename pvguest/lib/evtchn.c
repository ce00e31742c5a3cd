/*
 * evtchn.c - event channels: binding ports, and the upcall's demultiplexer.
 *
 * A PV kernel has no interrupt controller.  Its "interrupt lines" are event
 * channel ports, and its "IRR" is two bitmaps in shared_info: a port is
 * pending when its bit in evtchn_pending[] is set, and is held back while
 * its bit in evtchn_mask[] is set.  When the hypervisor sets a pending bit
 * it also sets the word's bit in vcpu_info.evtchn_pending_sel and then
 * evtchn_upcall_pending, and enters our event callback at its next return
 * to us if evtchn_upcall_mask is clear: that is the 2-level ABI.
 *
 * The demultiplexer below is Linux's xen_evtchn_do_upcall in small: clear
 * upcall_pending, take the selector, and for each word it names take the
 * pending-and-unmasked bits, clearing each pending bit before calling that
 * port's handler.  Clearing comes first so that a new event arriving while
 * the handler runs sets the bit again and is not lost.  The hypervisor can
 * run between any two of our instructions (a tick may preempt us), so each
 * bit is cleared with one locked instruction, never a load and a store.
 *
 * Handlers run with events masked, in whatever context the upcall
 * interrupted.  This file owns the port table and binds; who reacts to an
 * event is the caller's business.
 */
#include "pvguest/lib/pvguest.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

static struct {
    evtchn_handler_t fn;
    void *arg;
} handlers[EVTCHN_PORTS];
unsigned evtchn_spurious;                   /* pending ports that had no handler */

static volatile xen_vcpu_info_t *vcpu(void)
{
    return vcpu_info0();
}

/* Atomically clear bit nr of *word; true if it was set. */
static bool test_and_clear(volatile xen_ulong_t *word, unsigned nr)
{
    uint8_t old;

    __asm__ __volatile__("lock btrl %2, %1; setc %0"
                         : "=q"(old), "+m"(*word) : "Ir"(nr) : "memory", "cc");
    return old;
}

static xen_ulong_t xchg_zero(volatile xen_ulong_t *word)
{
    xen_ulong_t v = 0;

    __asm__ __volatile__("xchgl %0, %1" : "+r"(v), "+m"(*word) : : "memory");
    return v;
}

static void set_bit_locked(volatile xen_ulong_t *word, unsigned nr)
{
    __asm__ __volatile__("lock btsl %1, %0" : "+m"(*word) : "Ir"(nr) : "memory", "cc");
}

void evtchn_set_handler(unsigned port, evtchn_handler_t fn, void *arg)
{
    if (port < EVTCHN_PORTS) {
        handlers[port].fn = fn;
        handlers[port].arg = arg;
    }
}

static void dispatch(unsigned port)
{
    if (port < EVTCHN_PORTS && handlers[port].fn)
        handlers[port].fn(port, handlers[port].arg);
    else
        evtchn_spurious++;
}

unsigned evtchn_do_upcall(void)
{
    volatile xen_shared_info_t *s = map_shared_info();
    unsigned calls = 0;

    while (vcpu()->evtchn_upcall_pending) {
        vcpu()->evtchn_upcall_pending = 0;
        barrier();
        xen_ulong_t sel = xchg_zero(&vcpu()->evtchn_pending_sel);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctz(sel);
            sel &= sel - 1;
            xen_ulong_t bits = s->evtchn_pending[w] & ~s->evtchn_mask[w];
            while (bits) {
                unsigned b = (unsigned)__builtin_ctz(bits);
                bits &= bits - 1;
                if (test_and_clear(&s->evtchn_pending[w], b)) {
                    dispatch(w * 32 + b);
                    calls++;
                }
            }
        }
    }
    return calls;
}

/* The hook for lib-only guests: events go straight to the demultiplexer. */
static bool upcall_hook(struct trap_frame *f)
{
    (void)f;
    evtchn_do_upcall();
    return true;
}

long evtchn_init(void)
{
    trap_set_hook(TRAP_EVENT, upcall_hook);
    return trap_set_callbacks();
}

long evtchn_bind_virq(unsigned virq, evtchn_handler_t fn, void *arg)
{
    struct xen_evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

    if (rc)
        return rc;
    evtchn_set_handler(op.port, fn, arg);
    evtchn_unmask(op.port);
    return op.port;
}

long evtchn_alloc_unbound(unsigned remote_dom)
{
    struct xen_evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote_dom };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

    return rc ? rc : (long)op.port;
}

long evtchn_bind_interdomain(unsigned remote_dom, unsigned remote_port)
{
    struct xen_evtchn_bind_interdomain op = { .remote_dom = remote_dom,
                                              .remote_port = remote_port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

    return rc ? rc : (long)op.local_port;
}

long evtchn_send(unsigned port)
{
    struct xen_evtchn_send op = { .port = port };

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

long evtchn_close(unsigned port)
{
    struct xen_evtchn_close op = { .port = port };

    evtchn_set_handler(port, NULL, NULL);
    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

void evtchn_mask(unsigned port)
{
    set_bit_locked(&map_shared_info()->evtchn_mask[port / 32], port % 32);
}

long evtchn_unmask(unsigned port)
{
    /*
     * The hypervisor clears the mask bit and, if the port is pending, raises
     * the upcall - but only if it finds the port still masked.  So we must
     * not clear the bit ourselves first, or a pending event would stay
     * unannounced until the next one.
     */
    struct xen_evtchn_unmask op = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

bool evtchn_pending(unsigned port)
{
    return map_shared_info()->evtchn_pending[port / 32] & (1u << (port % 32));
}

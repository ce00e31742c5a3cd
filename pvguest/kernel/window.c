/*
 * window.c - the user window: the addresses every task sees as its own.
 *
 * A kernel normally gives each process its own page tables and switches
 * CR3.  This stage's hypervisor lets a guest change only the L1 entries of
 * its initial mapping (update_va_mapping), so instead every task runs at
 * the same few virtual pages - the window - and the scheduler points those
 * pages at the running task's frames on each switch:
 *
 *   the user image   [__user_start, __user_end): code, data and bss of the
 *                    user program, linked there (pvguest/kernel/user.ld);
 *                    each task gets a private copy of the pristine image
 *   the user stack   one spare page near the end of the initial mapping
 *   (a guard page)   never mapped, so a stack overflow faults
 *   the heap         two spare pages that start unmapped: the first touch
 *                    faults, and pf.c maps a zeroed frame (demand-zero)
 *
 * Every window page is mapped _PAGE_USER; nothing else of ours is, so a
 * task cannot touch the kernel.  While no task runs the window maps
 * nothing.  This file owns the mappings; which frames a task has is in its
 * struct task.
 */
#include "pvguest/kernel/kernel.h"

struct window window;
static uint32_t template[WINDOW_MAX];      /* pool frames: the pristine image */

static unsigned add(uint32_t va, enum window_kind kind)
{
    uint64_t pte = 0;
    unsigned i = window.pages++;

    if (i >= WINDOW_MAX)
        kernel_panic("window_init (too many window pages)", i);
    window.va[i] = va;
    window.kind[i] = kind;
    window.now[i] = pt_lookup(va, &pte) ? pte : 0;
    return i;
}

static void map(uint32_t va, uint64_t pte)
{
    long rc = HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG);

    if (rc)
        kernel_panic("update_va_mapping of a window page", rc);
}

void window_init(void)
{
    uint32_t start = (uint32_t)(uintptr_t)__user_start, end = (uint32_t)(uintptr_t)__user_end;

    for (uint32_t va = start; va < end; va += PAGE_SIZE) {
        unsigned i = add(va, W_IMAGE);
        if (!(template[i] = frame_alloc()))
            kernel_panic("window_init (no frame for the image template)", i);
        memcpy((void *)template[i], (const void *)va, PAGE_SIZE);
    }
    add(spare_page(1), W_STACK);
    map(spare_page(2), 0);                  /* the guard page */
    add(spare_page(4), W_HEAP);
    add(spare_page(3), W_HEAP);
    window_switch(NULL);
}

int window_index(uint32_t va)
{
    for (unsigned i = 0; i < window.pages; i++)
        if (va - window.va[i] < PAGE_SIZE)
            return (int)i;
    return -1;
}

static uint32_t first(enum window_kind kind)
{
    for (unsigned i = 0; i < window.pages; i++)
        if (window.kind[i] == kind)
            return window.va[i];
    return 0;
}

uint32_t window_stack_top(void)
{
    return first(W_STACK) + PAGE_SIZE;
}

uint32_t window_heap(void)
{
    return first(W_HEAP);
}

long window_populate(struct task *t)
{
    for (unsigned i = 0; i < window.pages; i++) {
        uint32_t f;

        t->pte[i] = 0;
        if (window.kind[i] == W_HEAP)
            continue;                       /* demand-zero: pf.c */
        if (!(f = frame_alloc())) {
            window_release(t);
            return -ENOMEM;
        }
        if (window.kind[i] == W_IMAGE)
            memcpy((void *)f, (const void *)template[i], PAGE_SIZE);
        t->pte[i] = frame_user_pte(f);
    }
    return 0;
}

void window_release(struct task *t)
{
    for (unsigned i = 0; i < window.pages; i++)
        if (t->pte[i]) {
            frame_free(pte_to_kernel_va(t->pte[i]));
            t->pte[i] = 0;
        }
}

void window_switch(const struct task *t)
{
    for (unsigned i = 0; i < window.pages; i++) {
        uint64_t want = t ? t->pte[i] : 0;

        if (window.now[i] != want) {
            map(window.va[i], want);
            window.now[i] = want;
        }
    }
}

bool window_user_range(const struct task *t, uint32_t va, uint32_t len)
{
    if (!len)
        return true;
    if (va + len < va)
        return false;
    for (uint32_t p = va & ~(PAGE_SIZE - 1); p < va + len; p += PAGE_SIZE) {
        int i = window_index(p);
        if (i < 0 || !t->pte[i])
            return false;
    }
    return true;
}

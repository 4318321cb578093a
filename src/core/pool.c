/*
 * pool.c: the worker pool. See pool.h.
 *
 * A job is one 64-bit ticket: its sequence number (high 32 bits), its item
 * count and the next unclaimed item (16 bits each). Items are claimed by
 * compare-and-swap on the ticket, so a thread that claims an item knows
 * which job it belongs to, and a worker that wakes after its job is over
 * finds nothing left to claim and touches nothing of it. The job's function
 * and context are written before the ticket is published (release) and read
 * after a successful claim (acquire). The caller waits only for `finished`
 * to reach the item count, that is for items that were claimed and are
 * still running.
 *
 * Workers sleep on `wake` when no job came for a while; a job is announced
 * by bumping `generation` under the lock, which they check under the same
 * lock before sleeping, so no wake-up is lost. The thread that finishes the
 * last item signals `done` under the lock for a caller that went to sleep.
 */
#define _POSIX_C_SOURCE 200809L
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* Polls before sleeping: a pause is some tens of nanoseconds, so this is a
 * few tens of microseconds, longer than the gap between two jobs of one
 * step and much shorter than a step's worth of waiting. */
#define SPIN_POLLS 2000

typedef struct worker {
    lf_pool *pool;
    int index;
    pthread_t thread;
} worker;

struct lf_pool {
    int threads;                 /* the caller's included */
    pthread_mutex_t lock;
    pthread_cond_t wake;         /* a new job or quit */
    pthread_cond_t done;         /* the last item finished */
    atomic_uint generation;      /* jobs announced so far */
    _Atomic uint64_t ticket;     /* sequence << 32 | items << 16 | next item */
    atomic_int finished;         /* items of the current job done */
    atomic_bool caller_sleeping;
    atomic_bool quit;
    lf_pool_item_fn fn;          /* the current job: written before the ticket */
    void *context;
    uint32_t sequence;           /* the caller's count of jobs */
    worker workers[LF_POOL_MAX_THREADS];
};

/* Claims and runs items of the current job until none is left. */
static void run_items(lf_pool *p, int thread)
{
    uint64_t t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    for (;;) {
        uint32_t items = (uint32_t)(t >> 16) & 0xffff, next = (uint32_t)t & 0xffff;
        if (next >= items)
            return;
        if (!atomic_compare_exchange_weak_explicit(&p->ticket, &t, t + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue; /* t now holds the current ticket */
        p->fn(p->context, (int)next, thread);
        /* Sequentially consistent, with the caller's side: either it sees
         * the count complete or this thread sees it asleep. */
        if (atomic_fetch_add(&p->finished, 1) + 1 == (int)items && atomic_load(&p->caller_sleeping)) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->lock);
        }
        t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    lf_pool *p = w->pool;
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int polls = 0;
        while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen &&
               ++polls < SPIN_POLLS)
            cpu_relax();
        if (g == seen) {
            pthread_mutex_lock(&p->lock);
            while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen)
                pthread_cond_wait(&p->wake, &p->lock);
            pthread_mutex_unlock(&p->lock);
        }
        seen = g;
        if (atomic_load_explicit(&p->quit, memory_order_acquire))
            return NULL;
        run_items(p, w->index);
    }
}

static void announce(lf_pool *p)
{
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

lf_pool *lf_pool_create(int threads)
{
    if (threads < 1)
        threads = 1;
    if (threads > LF_POOL_MAX_THREADS)
        threads = LF_POOL_MAX_THREADS;
    lf_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->generation, 0);
    atomic_init(&p->ticket, 0);
    atomic_init(&p->finished, 0);
    atomic_init(&p->caller_sleeping, false);
    atomic_init(&p->quit, false);
    p->threads = 1;
    for (int i = 1; i < threads; i++) {
        p->workers[i] = (worker){.pool = p, .index = i};
        if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0)
            break; /* fewer threads is slower, not wrong */
        p->threads = i + 1;
    }
    return p;
}

void lf_pool_destroy(lf_pool *p)
{
    if (!p)
        return;
    if (p->threads > 1) {
        atomic_store_explicit(&p->quit, true, memory_order_release);
        announce(p);
        for (int i = 1; i < p->threads; i++)
            pthread_join(p->workers[i].thread, NULL);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p);
}

int lf_pool_threads(const lf_pool *p) { return p ? p->threads : 1; }

void lf_pool_for(lf_pool *p, int items, lf_pool_item_fn fn, void *context)
{
    if (items <= 0)
        return;
    if (!p || p->threads == 1 || items == 1) {
        for (int i = 0; i < items; i++)
            fn(context, i, 0);
        return;
    }
    if (items > LF_POOL_MAX_ITEMS)
        items = LF_POOL_MAX_ITEMS;
    p->fn = fn;
    p->context = context;
    atomic_store_explicit(&p->finished, 0, memory_order_relaxed);
    p->sequence++;
    atomic_store_explicit(&p->ticket, (uint64_t)p->sequence << 32 | (uint64_t)items << 16,
                          memory_order_release);
    announce(p);
    run_items(p, 0);
    int polls = 0;
    while (atomic_load_explicit(&p->finished, memory_order_acquire) != items &&
           ++polls < SPIN_POLLS)
        cpu_relax();
    if (atomic_load_explicit(&p->finished, memory_order_acquire) != items) {
        pthread_mutex_lock(&p->lock);
        atomic_store(&p->caller_sleeping, true);
        while (atomic_load(&p->finished) != items)
            pthread_cond_wait(&p->done, &p->lock);
        atomic_store_explicit(&p->caller_sleeping, false, memory_order_relaxed);
        pthread_mutex_unlock(&p->lock);
    }
}

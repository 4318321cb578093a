/*
 * pool.c: the worker pool. See pool.h.
 *
 * A job is published by bumping `generation` (release) under the lock, so
 * a worker that sees the new value (acquire) also sees the job's function
 * and context; a worker that went to sleep checked the generation under
 * the same lock, so no wake-up is lost. Completion is an atomic count of
 * the workers still running; the last one signals the caller, who may be
 * asleep only if it found the count non-zero under the lock.
 */
#define _POSIX_C_SOURCE 200809L
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
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
    pthread_cond_t done;         /* the last worker finished */
    atomic_uint generation;      /* jobs published so far */
    atomic_int pending;          /* workers still on the current job */
    atomic_bool quit;
    lf_pool_job job;             /* the current job: written before generation */
    void *context;
    worker workers[LF_POOL_MAX_THREADS];
};

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
        p->job(p->context, w->index, p->threads);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->lock);
        }
    }
}

/* Publishes the current job (or quit) to every worker. */
static void publish(lf_pool *p)
{
    atomic_store_explicit(&p->pending, p->threads - 1, memory_order_relaxed);
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
    atomic_init(&p->pending, 0);
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
        publish(p);
        for (int i = 1; i < p->threads; i++)
            pthread_join(p->workers[i].thread, NULL);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    free(p);
}

int lf_pool_threads(const lf_pool *p) { return p ? p->threads : 1; }

void lf_pool_run(lf_pool *p, lf_pool_job job, void *context)
{
    if (!p || p->threads == 1) {
        job(context, 0, 1);
        return;
    }
    p->job = job;
    p->context = context;
    publish(p);
    job(context, 0, p->threads);
    int polls = 0;
    while (atomic_load_explicit(&p->pending, memory_order_acquire) != 0 && ++polls < SPIN_POLLS)
        cpu_relax();
    if (atomic_load_explicit(&p->pending, memory_order_acquire) != 0) {
        pthread_mutex_lock(&p->lock);
        while (atomic_load_explicit(&p->pending, memory_order_acquire) != 0)
            pthread_cond_wait(&p->done, &p->lock);
        pthread_mutex_unlock(&p->lock);
    }
}

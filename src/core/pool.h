/*
 * pool.h: a small persistent pool of worker threads for the training step.
 *
 * The trainer hands the pool one job at a time: a function that every
 * thread (the caller included, as thread 0) runs once with its index.
 * Starting a job allocates nothing, so a step can use it. Workers spin
 * briefly after a job, since the next one usually follows within
 * microseconds, then sleep on a condition variable so an idle trainer
 * costs no CPU.
 *
 * Usage:
 *   lf_pool *pool = lf_pool_create(2);          // NULL: out of memory
 *   lf_pool_run(pool, work, &context);          // work(&context, 0..1, 2)
 *   lf_pool_destroy(pool);
 *
 * A pool of one thread runs jobs on the caller and starts no thread. Jobs
 * must not call lf_pool_run themselves. Results must not depend on which
 * thread ran what (the trainer splits work the same way whatever the
 * thread count), so training is bit-identical for any pool size.
 */
#ifndef LEARNFILTER_POOL_H
#define LEARNFILTER_POOL_H

/* Most threads a pool takes, the caller's included. */
#define LF_POOL_MAX_THREADS 64

typedef void (*lf_pool_job)(void *context, int thread, int threads);

typedef struct lf_pool lf_pool;

/* threads below 1 count as 1; above LF_POOL_MAX_THREADS are capped. When a
 * thread cannot be started the pool keeps the ones it has. Returns NULL
 * only when out of memory. The caller owns the pool. */
lf_pool *lf_pool_create(int threads);
/* Stops and joins the workers. Accepts NULL. */
void lf_pool_destroy(lf_pool *pool);
/* Threads that run each job, the caller's included. */
int lf_pool_threads(const lf_pool *pool);
/* Runs job(context, i, n) for every thread i of n, and returns once all
 * have finished. */
void lf_pool_run(lf_pool *pool, lf_pool_job job, void *context);

#endif

/*
 * pool.h: a small persistent pool of worker threads for the training step.
 *
 * The trainer hands the pool one job at a time: `items` independent pieces
 * of work, which the caller and the workers claim one by one until none is
 * left. The caller returns as soon as every item is finished, so a worker
 * the system has not scheduled (the machine is busy with other work) costs
 * nothing: the caller simply does its items too. Starting a job allocates
 * nothing, so a step can use it. Workers spin briefly after a job, since
 * the next one usually follows within microseconds, then sleep on a
 * condition variable so an idle trainer costs no CPU.
 *
 * Usage:
 *   lf_pool *pool = lf_pool_create(2);          // NULL: out of memory
 *   lf_pool_for(pool, 8, work, &context);       // work(&context, item, thread)
 *   lf_pool_destroy(pool);
 *
 * `thread` (0 for the caller) only says whose scratch memory an item may
 * use; results must depend on the item alone, so they are the same for any
 * pool size and any claiming order. A pool of one thread runs the items in
 * order on the caller and starts no thread. Jobs must not start jobs.
 */
#ifndef LEARNFILTER_POOL_H
#define LEARNFILTER_POOL_H

/* Most threads a pool takes, the caller's included; most items a job has. */
#define LF_POOL_MAX_THREADS 64
#define LF_POOL_MAX_ITEMS 65535

typedef void (*lf_pool_item_fn)(void *context, int item, int thread);

typedef struct lf_pool lf_pool;

/* threads below 1 count as 1; above LF_POOL_MAX_THREADS are capped. When a
 * thread cannot be started the pool keeps the ones it has. Returns NULL
 * only when out of memory. The caller owns the pool. */
lf_pool *lf_pool_create(int threads);
/* Stops and joins the workers. Accepts NULL. */
void lf_pool_destroy(lf_pool *pool);
/* Threads that may run items, the caller's included (1 for NULL). */
int lf_pool_threads(const lf_pool *pool);
/* Runs fn(context, item, thread) for every item in [0, items) (at most
 * LF_POOL_MAX_ITEMS), each exactly once, and returns once all are done.
 * A NULL pool runs them on the caller. */
void lf_pool_for(lf_pool *pool, int items, lf_pool_item_fn fn, void *context);

#endif

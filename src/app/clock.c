/*
 * clock.c: the real monotonic clock and the simulated one (clock.h).
 *
 * The simulated clock wakes its waiters by broadcasting each one's own
 * condition variable under that waiter's own mutex: a worker waits for
 * either a request or a time on one condition variable, and both wake it.
 */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <errno.h>
#include <time.h>

static int64_t real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * APP_NS_PER_S + ts.tv_nsec;
}

static struct timespec to_timespec(int64_t ns)
{
    if (ns < 0)
        ns = 0;
    struct timespec ts = {(time_t)(ns / APP_NS_PER_S), (long)(ns % APP_NS_PER_S)};
    return ts;
}

int64_t app_clock_now(const app_clock *c)
{
    return c && c->now_ns ? c->now_ns(c->ctx) : real_now();
}

bool app_clock_wait_until(const app_clock *c, pthread_cond_t *cond, pthread_mutex_t *mutex,
                          int64_t until_ns)
{
    if (c && c->wait_until)
        return c->wait_until(c->ctx, cond, mutex, until_ns);
    struct timespec ts = to_timespec(until_ns);
    return pthread_cond_timedwait(cond, mutex, &ts) == 0;
}

void app_clock_forget(const app_clock *c, pthread_cond_t *cond, pthread_mutex_t *mutex)
{
    if (c && c->forget)
        c->forget(c->ctx, cond, mutex);
}

void app_clock_sleep_until(const app_clock *c, int64_t until_ns)
{
    if (c && c->sleep_until) {
        c->sleep_until(c->ctx, until_ns);
        return;
    }
    struct timespec ts = to_timespec(until_ns);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

void app_clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* ------------------------------------------------------ simulated time */

static int64_t fake_now(void *ctx) { return app_fake_clock_read(ctx); }

static bool fake_wait_until(void *ctx, pthread_cond_t *cond, pthread_mutex_t *mutex,
                            int64_t until_ns)
{
    app_fake_clock *f = ctx;
    pthread_mutex_lock(&f->lock);
    if (f->ns >= until_ns) {
        pthread_mutex_unlock(&f->lock);
        return false;
    }
    app_fake_waiter *me = NULL, *free_slot = NULL;
    for (int i = 0; i < f->waiter_count; i++) {
        if (f->waiters[i].cond == cond && f->waiters[i].mutex == mutex)
            me = &f->waiters[i];
        else if (!f->waiters[i].cond && !free_slot)
            free_slot = &f->waiters[i];
    }
    if (!me && !free_slot && f->waiter_count < APP_FAKE_CLOCK_WAITERS)
        free_slot = &f->waiters[f->waiter_count++];
    if (!me && free_slot) {
        me = free_slot;
        me->cond = cond;
        me->mutex = mutex;
    }
    if (!me) {
        /* More waiters than the clock wakes: this one would sleep forever. */
        pthread_mutex_unlock(&f->lock);
        return false;
    }
    me->blocked_epoch = f->epoch;
    f->sleeps++;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->lock);
    /* The caller's mutex is still held, and an advance takes it before
     * broadcasting cond, so a move of the clock between the check above and
     * this wait is not missed. */
    pthread_cond_wait(cond, mutex);
    pthread_mutex_lock(&f->lock);
    me->blocked_epoch = 0;
    pthread_mutex_unlock(&f->lock);
    return true;
}

static void fake_sleep_until(void *ctx, int64_t until_ns)
{
    app_fake_clock_advance_to(ctx, until_ns);
}

/* The slot stays (a waiter's own pointer to its slot must not move) but is
 * free: nothing wakes it, settle does not count it, a new waiter takes it. */
static void fake_forget(void *ctx, pthread_cond_t *cond, pthread_mutex_t *mutex)
{
    app_fake_clock *f = ctx;
    pthread_mutex_lock(&f->lock);
    for (int i = 0; i < f->waiter_count; i++)
        if (f->waiters[i].cond == cond && f->waiters[i].mutex == mutex)
            f->waiters[i] = (app_fake_waiter){0};
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->lock);
}

void app_fake_clock_init(app_fake_clock *f, int64_t start_ns)
{
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->changed, NULL);
    f->ns = start_ns;
    f->epoch = 1;
    f->waiter_count = 0;
    f->sleeps = 0;
}

void app_fake_clock_deinit(app_fake_clock *f)
{
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->changed);
}

app_clock app_fake_clock_get(app_fake_clock *f)
{
    return (app_clock){.now_ns = fake_now, .wait_until = fake_wait_until,
                       .sleep_until = fake_sleep_until, .forget = fake_forget, .ctx = f};
}

int64_t app_fake_clock_read(app_fake_clock *f)
{
    pthread_mutex_lock(&f->lock);
    int64_t ns = f->ns;
    pthread_mutex_unlock(&f->lock);
    return ns;
}

void app_fake_clock_advance_to(app_fake_clock *f, int64_t t)
{
    app_fake_waiter wake[APP_FAKE_CLOCK_WAITERS];
    pthread_mutex_lock(&f->lock);
    if (t <= f->ns) {
        pthread_mutex_unlock(&f->lock);
        return;
    }
    f->ns = t;
    f->epoch++;
    int n = 0;
    for (int i = 0; i < f->waiter_count; i++)
        if (f->waiters[i].cond)
            wake[n++] = f->waiters[i];
    pthread_mutex_unlock(&f->lock);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(wake[i].mutex);
        pthread_cond_broadcast(wake[i].cond);
        pthread_mutex_unlock(wake[i].mutex);
    }
}

void app_fake_clock_advance(app_fake_clock *f, int64_t ns)
{
    app_fake_clock_advance_to(f, app_fake_clock_read(f) + (ns > 0 ? ns : 0));
}

void app_fake_clock_settle(app_fake_clock *f, int threads)
{
    pthread_mutex_lock(&f->lock);
    for (;;) {
        int live = 0;
        bool all = true;
        for (int i = 0; i < f->waiter_count; i++) {
            if (!f->waiters[i].cond)
                continue; /* forgotten */
            live++;
            if (f->waiters[i].blocked_epoch != f->epoch)
                all = false;
        }
        all = all && live >= threads;
        if (all)
            break;
        pthread_cond_wait(&f->changed, &f->lock);
    }
    pthread_mutex_unlock(&f->lock);
}

unsigned long app_fake_clock_sleeps(app_fake_clock *f)
{
    pthread_mutex_lock(&f->lock);
    unsigned long n = f->sleeps;
    pthread_mutex_unlock(&f->lock);
    return n;
}

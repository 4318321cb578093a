/*
 * clock.h: the monotonic clock the worker, the window loop and the
 * recording read, made replaceable so that a test can run them on
 * simulated time.
 *
 * Every pace in the program (the training speed, 60 frames a second, 15
 * movie frames a second, how long a message stays) is a rule about time.
 * With the real clock those rules hold only as well as the machine keeps
 * up; with a simulated one a test can say "one simulated second at 60
 * steps a second is 60 steps" and get exactly that on any machine.
 *
 * An app_clock is four functions and their context; a zeroed one is the
 * real clock (CLOCK_MONOTONIC). The simulated clock below only moves when
 * told to (app_fake_clock_advance) or when the window "sleeps" on it until
 * its next frame, and wakes every thread waiting on it when it moves.
 *
 *   app_fake_clock fake;
 *   app_fake_clock_init(&fake, 0);
 *   worker_options o = {.speed = 60, .clock = app_fake_clock_get(&fake)};
 *   ... app_fake_clock_advance(&fake, APP_NS_PER_S / 600); app_fake_clock_settle(&fake, 1);
 */
#ifndef LEARNFILTER_CLOCK_H
#define LEARNFILTER_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define APP_NS_PER_S 1000000000LL
#define APP_FAKE_CLOCK_WAITERS 8 /* threads that may wait on one simulated clock */

typedef struct app_clock {
    /* Nanoseconds on a monotonic scale [CLOCK_MONOTONIC]. */
    int64_t (*now_ns)(void *ctx);
    /* With mutex held: waits on cond until it is signalled or the clock
     * reaches until_ns. Returns false once the clock has reached until_ns
     * (a time-out), true when woken earlier (the caller looks at why)
     * [pthread_cond_timedwait on CLOCK_MONOTONIC; cond must use that clock:
     * app_clock_cond_init]. */
    bool (*wait_until)(void *ctx, pthread_cond_t *cond, pthread_mutex_t *mutex,
                       int64_t until_ns);
    /* Sleeps until the clock reaches until_ns [clock_nanosleep]. */
    void (*sleep_until)(void *ctx, int64_t until_ns);
    /* Forgets a cond and mutex that waited on it, before their owner frees
     * them: a simulated clock would otherwise wake them after [nothing]. */
    void (*forget)(void *ctx, pthread_cond_t *cond, pthread_mutex_t *mutex);
    void *ctx;
} app_clock;

/* The three operations on a clock whose zero fields mean the real clock. */
int64_t app_clock_now(const app_clock *c);
bool app_clock_wait_until(const app_clock *c, pthread_cond_t *cond, pthread_mutex_t *mutex,
                          int64_t until_ns);
void app_clock_sleep_until(const app_clock *c, int64_t until_ns);
void app_clock_forget(const app_clock *c, pthread_cond_t *cond, pthread_mutex_t *mutex);
static inline double app_clock_seconds(const app_clock *c)
{
    return (double)app_clock_now(c) * 1e-9;
}

/* A condition variable that wait_until can use with the real clock. */
void app_clock_cond_init(pthread_cond_t *cond);

/* ------------------------------------------------------ simulated time */

typedef struct app_fake_waiter {
    pthread_cond_t *cond;
    pthread_mutex_t *mutex;
    unsigned long blocked_epoch; /* the epoch it last went to sleep in; 0 while awake */
} app_fake_waiter;

typedef struct app_fake_clock {
    pthread_mutex_t lock;
    pthread_cond_t changed;      /* a waiter went to sleep */
    int64_t ns;                  /* the time now */
    unsigned long epoch;         /* counts the moves of the clock, from 1 */
    app_fake_waiter waiters[APP_FAKE_CLOCK_WAITERS];
    int waiter_count;
    unsigned long sleeps;        /* waits that blocked: a busy loop would count many */
} app_fake_clock;

void app_fake_clock_init(app_fake_clock *f, int64_t start_ns);
void app_fake_clock_deinit(app_fake_clock *f);
app_clock app_fake_clock_get(app_fake_clock *f);
int64_t app_fake_clock_read(app_fake_clock *f);
/* Moves the clock on by ns (>= 0) and wakes every thread waiting on it. */
void app_fake_clock_advance(app_fake_clock *f, int64_t ns);
/* Moves the clock to t when t is later than now, as advance does. */
void app_fake_clock_advance_to(app_fake_clock *f, int64_t t);
/* Returns once at least `threads` threads have waited on the clock and
 * every one of them is waiting again since its last move: all the work due
 * by now has been done. Only for threads that wait between pieces of work
 * (a worker at a set speed or paused); one that never waits would keep
 * this from returning (a test's time-out is the guard). */
void app_fake_clock_settle(app_fake_clock *f, int threads);
/* How many waits blocked so far. */
unsigned long app_fake_clock_sleeps(app_fake_clock *f);

#endif

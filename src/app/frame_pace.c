/*
 * frame_pace.c: the window's frame deadlines, and a wait for them that
 * sleeps, then spins. See frame_pace.h.
 */
#define _GNU_SOURCE /* syscall, for sched_setattr */
#include "frame_pace.h"

#include <math.h>
#include <stdint.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

bool frame_pace_wake_promptly(void)
{
#if defined(__linux__) && defined(SYS_sched_setattr)
    /* Timers may fire this late to save power; the default 50 us is a
     * third of the whole margin of a frame's interval above 16.67 ms. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    if (sched_getscheduler(0) != SCHED_OTHER)
        return false; /* a batch or idle policy chosen by the user stays */
    struct { /* the kernel's struct sched_attr, first version */
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
    } attr = {.size = sizeof attr, .policy = 0 /* SCHED_OTHER */,
              .nice = getpriority(PRIO_PROCESS, 0),
              .runtime = (uint64_t)(FRAME_PACE_SLICE_SECONDS * 1e9)};
    return syscall(SYS_sched_setattr, 0, &attr, 0) == 0;
#else
    return false;
#endif
}

void frame_pace_init(frame_pace *p, const app_clock *clock, double period, double now)
{
    *p = (frame_pace){.clock = clock, .period = period, .deadline = now + period};
}

/* Sleeps, then spins, until t on the real clock; on a simulated one only
 * its sleep, which moves it to t. */
static void wait_until(const app_clock *clock, double t)
{
    if (clock && clock->sleep_until) {
        app_clock_sleep_until(clock, (int64_t)llround(t * 1e9));
        return;
    }
    double wake = t - FRAME_PACE_SPIN_SECONDS;
    if (app_clock_seconds(clock) < wake)
        app_clock_sleep_until(clock, (int64_t)llround(wake * 1e9));
    while (app_clock_seconds(clock) < t) {
        /* A spin of at most FRAME_PACE_SPIN_SECONDS: reading the clock
         * (the vDSO, no system call) is the whole loop. */
    }
}

double frame_pace_wait(frame_pace *p, double work_end, bool wait)
{
    if (work_end > p->deadline + p->period)
        p->deadline = work_end; /* a stall: shown at once, no catching up */
    if (wait)
        wait_until(p->clock, p->deadline);
    double late = app_clock_seconds(p->clock) - p->deadline;
    p->deadline += p->period;
    return late > 0 ? late * 1e3 : 0;
}

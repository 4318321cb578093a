/*
 * frame_pace.c: the window's frame deadlines, and a wait for them that
 * sleeps, then spins. See frame_pace.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "frame_pace.h"

#include <math.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void frame_pace_wake_promptly(void)
{
#ifdef __linux__
    /* Timers may fire this late to save power: the default, 50 us, is a
     * sixth of the 0.33 ms between a frame's 16.67 ms and 17 ms. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
#endif
}

void frame_pace_init(frame_pace *p, const app_clock *clock, double period, double now)
{
    *p = (frame_pace){.clock = clock, .period = period, .deadline = now + period};
    frame_pace_wake_promptly();
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

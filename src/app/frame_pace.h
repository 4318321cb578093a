/*
 * frame_pace.h: when the window shows each frame.
 *
 * Frames are shown at absolute deadlines one period apart, not "a period
 * after the last one": a late frame does not push every later one back.
 * The wait for a deadline sleeps until shortly before it and spins the
 * rest: a sleeping thread wakes when the scheduler gets round to it, some
 * tens of microseconds after the time asked for on an idle core, and that
 * lateness would show in the interval between frames. The spin is short:
 * on a busy machine a wake-up can be milliseconds late, which no spin
 * worth its CPU time covers. On a simulated clock (tests) the wait is the
 * clock's own sleep, no spin.
 *
 *   frame_pace p; frame_pace_init(&p, clock, 1.0 / 60, now);
 *   loop { ...draw...; late_ms = frame_pace_wait(&p, now, true); present; }
 */
#ifndef LEARNFILTER_FRAME_PACE_H
#define LEARNFILTER_FRAME_PACE_H

#include <stdbool.h>

#include "clock.h"

#define FRAME_PACE_SPIN_SECONDS 0.001 /* sleep until this long before a deadline, then spin:
                                         on a nearly idle machine 1% of wake-ups were
                                         0.47 ms late or more (LF_FRAME_TRACE); a longer
                                         spin only takes time from others */

typedef struct frame_pace {
    const app_clock *clock; /* borrowed; NULL or zeroed: the real clock */
    double period;          /* seconds between frames */
    double deadline;        /* when the next frame is shown, seconds on clock */
} frame_pace;

/* Asks for the calling thread's timed sleeps to end on time: a timer
 * slack of 1 us rather than 50 (Linux; elsewhere nothing). Threads it
 * starts afterwards inherit it, which does them no harm. */
void frame_pace_wake_promptly(void);

/* Deadlines one period apart from now + period, for frames shown by the
 * calling thread (frame_pace_wake_promptly is applied to it). */
void frame_pace_init(frame_pace *p, const app_clock *clock, double period, double now);

/* The frame whose work ended at work_end: waits for its deadline (when
 * wait) and moves the deadline on by a period. After a stall of more than
 * a period the frame is shown at once and the deadlines start afresh from
 * it, rather than rushing frames out to catch up. Returns how far past the
 * deadline the wait ended, in ms (0 or more; the stall itself when there
 * was one). */
double frame_pace_wait(frame_pace *p, double work_end, bool wait);

#endif

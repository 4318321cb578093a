/*
 * stop_clock.h: a time limit for a loop of steps whose cost is unknown.
 *
 * --max-seconds must hold within a second whether a step takes 200 ns (a
 * 3x3 kernel) or 300 ms (a 64x64 kernel on big patches), and reading the
 * clock every step would cost a fast step a tenth of its time. So the clock
 * is read every `interval` steps, and the interval follows the steps' cost:
 * about STOP_CLOCK_PERIOD seconds between reads, never more than
 * STOP_CLOCK_MAX_INTERVAL steps, and it at most doubles from one read to
 * the next. A limit is then overshot by at most one read period or one
 * step, and after a sudden slowdown by at most 16 of the slower steps
 * (under a second while steps take under 60 ms). The clock itself is
 * passed in, so a test can drive it.
 */
#ifndef LEARNFILTER_STOP_CLOCK_H
#define LEARNFILTER_STOP_CLOCK_H

#include <stdbool.h>

#define STOP_CLOCK_PERIOD 0.01       /* seconds aimed for between clock reads */
#define STOP_CLOCK_MAX_INTERVAL 16L  /* steps between reads, at most: a 200 ns
                                        step pays 20 ns of clock per 16 */

typedef struct stop_clock {
    double start;      /* when the loop began */
    double limit;      /* seconds allowed; 0 or less: no limit */
    double last_read;  /* the clock at the last read */
    long interval;     /* steps between reads */
    long countdown;    /* steps left before the next read */
} stop_clock;

void stop_clock_start(stop_clock *c, double limit, double now);

/* Counts one step; true when the clock should be read now (then call
 * stop_clock_read with it). */
bool stop_clock_due(stop_clock *c);

/* Takes a reading and sets the next interval; true once the limit has
 * passed. */
bool stop_clock_read(stop_clock *c, double now);

#endif

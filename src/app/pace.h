/*
 * pace.h: how fast the window trains, and how that is said.
 *
 * A class should see a kernel learned, not a flash: the window trains each
 * kernel at the speed at which its default run reaches the tolerance in
 * about PACE_SECONDS. The steps that takes are the kernel catalog's
 * expected_steps (lf_kernel_expected_steps), measured: the one owner of
 * that figure. + and - step through PACE_LEVELS fixed speeds from there.
 * All of it is arithmetic and text, tested without a clock or a thread.
 */
#ifndef LEARNFILTER_PACE_H
#define LEARNFILTER_PACE_H

#define PACE_SECONDS 30.0   /* a kernel's default run reaches the tolerance in about this */
#define PACE_SPEED_MIN 60.0 /* slowest pace: one step per displayed frame */
#define PACE_LEVELS 8       /* the speeds + and - step through */

/* The speeds + and - step through, slowest first, in steps per second; the
 * last, 0, is no limit. A kernel's pace may lie between two of them. */
extern const double pace_levels[PACE_LEVELS];

/* Steps per second at which expected_steps take about PACE_SECONDS:
 * expected_steps / PACE_SECONDS rounded to two significant figures, and at
 * least PACE_SPEED_MIN. 0 (no limit) when expected_steps is 0 or less: a
 * kernel not learned in minutes is shown as fast as possible. */
double pace_for_steps(long expected_steps);

/* The expected steps of catalog kernel index, or of a kernel from a file
 * (index -1): LF_KERNEL_EXPECTED_STEPS_UNKNOWN. */
long pace_expected_steps(int kernel_index);

/* The next of pace_levels above (direction > 0) or below a speed (0 for no
 * limit), which need not be a level itself; the ends stay where they are. */
double pace_next(double speed, int direction);

/* The speed in words for the status line, e.g. "speed: 1,000 steps/s
 * (about 31 s to learn)" or "speed: as fast as possible", cut to fit out
 * [size]. rate is the measured steps/s (0 when not known): when training
 * runs slower than the limit, the time to learn follows the rate. */
void pace_words(char *out, int size, double speed, long expected_steps, double rate);

#endif

/*
 * pace.c: how fast the window trains, and how that is said. See pace.h.
 */
#include "pace.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "count_format.h"
#include "learnfilter/kernel.h"

const double pace_levels[PACE_LEVELS] = {60, 120, 300, 1000, 3000, 10000, 30000, 0};

double pace_for_steps(long expected_steps)
{
    if (expected_steps <= 0)
        return 0;
    double raw = (double)expected_steps / PACE_SECONDS;
    if (!(raw > PACE_SPEED_MIN))
        return PACE_SPEED_MIN;
    /* Two significant figures: a figure a teacher can say aloud. */
    double unit = pow(10.0, floor(log10(raw)) - 1);
    return round(raw / unit) * unit;
}

long pace_expected_steps(int kernel_index)
{
    const lf_kernel_info *info = lf_kernel_catalog_get(kernel_index);
    return info ? info->expected_steps : LF_KERNEL_EXPECTED_STEPS_UNKNOWN;
}

double pace_next(double speed, int direction)
{
    const double *levels = pace_levels;
    const int top = PACE_LEVELS - 1; /* the last level: no limit */
    if (direction > 0) {
        if (speed <= 0)
            return 0;
        for (int i = 0; i < top; i++)
            if (levels[i] > speed * (1 + 1e-9))
                return levels[i];
        return levels[top];
    }
    if (speed <= 0)
        return levels[top - 1];
    for (int i = top - 1; i >= 0; i--)
        if (levels[i] < speed * (1 - 1e-9))
            return levels[i];
    return levels[0];
}

static void format_duration(char *out, int size, double seconds)
{
    if (seconds < 1)
        snprintf(out, (size_t)size, "under a second");
    else if (seconds < 99.5)
        snprintf(out, (size_t)size, "about %.0f s", seconds);
    else if (seconds < 600)
        snprintf(out, (size_t)size, "about %.1f min", seconds / 60);
    else if (seconds < 5940)
        snprintf(out, (size_t)size, "about %.0f min", seconds / 60);
    else
        snprintf(out, (size_t)size, "about %.1f h", seconds / 3600);
}

void pace_words(char *out, int size, double speed, long expected_steps, double rate)
{
    double effective = speed > 0 && (rate <= 0 || rate >= 0.9 * speed) ? speed : rate;
    char duration[32] = "";
    if (effective > 0 && expected_steps > 0)
        format_duration(duration, sizeof duration, (double)expected_steps / effective);
    if (speed > 0) {
        char count[32];
        count_format(count, sizeof count, llround(speed));
        snprintf(out, (size_t)size, "speed: %s steps/s (%s to learn)", count, duration);
    } else if (duration[0]) {
        snprintf(out, (size_t)size, "speed: as fast as possible (%s to learn)", duration);
    } else {
        snprintf(out, (size_t)size, "speed: as fast as possible");
    }
}

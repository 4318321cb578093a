/*
 * colormap.h: turning values into colours, and choosing readable scales.
 *
 * Two maps cover everything the window draws:
 *   diverging  for signed values (weights, differences, residuals): blue for
 *              negative, white for zero, red for positive, on t in [-1, 1]
 *              where t = value / limit with one symmetric limit, so equal
 *              colours mean equal values and white always means zero;
 *   gray       for intensities on t in [0, 1], black to white.
 * Both clamp t to their range. NaN has its own colour (a green no value
 * maps to), so a hole in the data never passes for a real value.
 *
 * The scale helpers round a limit up to a "nice" number (1, 2, 2.5 or 5
 * times a power of ten), so a colorbar changes its scale in steps rather than
 * every frame, and choose tick values for a colorbar or a chart axis.
 *
 * Pure functions of their arguments; no SDL, no allocation.
 */
#ifndef LEARNFILTER_COLORMAP_H
#define LEARNFILTER_COLORMAP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lf_rgb {
    uint8_t r, g, b;
} lf_rgb;

/* t in [-1, 1]: -1 deep blue, 0 white, +1 deep red. */
lf_rgb lf_colormap_diverging(float t);
/* t in [0, 1]: black to white. */
lf_rgb lf_colormap_gray(float t);
/* The colour both maps give for NaN. */
lf_rgb lf_colormap_nan(void);

/* Smallest nice number (1, 2, 2.5, 5 x 10^k) >= x; x <= 0 or not finite
 * gives 1, so a kernel of zeros still gets a usable scale. */
double lf_scale_nice_limit(double x);

/* Up to max_ticks evenly spaced nice values inside [lo, hi] (inclusive, with
 * a little slack for rounding) into ticks, which holds capacity values;
 * returns how many. Never writes more than min(max_ticks, capacity), so a
 * wide chart asking for many ticks gets a coarser spacing, not an overflow.
 * Zero is one of them whenever the range crosses it. */
int lf_scale_ticks(double lo, double hi, int max_ticks, double *ticks, int capacity);

#ifdef __cplusplus
}
#endif
#endif

/*
 * signal1d.h: the notebook's first lesson, in one dimension: a step signal
 * (0, then 1, then 0), a smoothing window as the kernel, and the signal
 * convolved with it in 'same' mode and divided by the kernel's sum, so a
 * flat stretch keeps its height and only the steps are smoothed.
 *
 *   float kernel[100], out[300];
 *   int taps;
 *   lf_signal_step(signal, 300, 300);
 *   lf_window1d_make(LF_WINDOW1D_HANN, 50, 0, kernel, 100, &err);
 *   lf_convolve1d_normalised(signal, 300, kernel, 50, out, 300, &err);
 *
 * The windows are SciPy's (scipy.signal.windows, symmetric), and 'same' is
 * NumPy's np.convolve(a, v, 'same'): a true convolution (the kernel
 * flipped), as long as the longer input, centred as NumPy centres it. A
 * test holds every window and size to files NumPy and SciPy wrote.
 */
#ifndef LEARNFILTER_SIGNAL1D_H
#define LEARNFILTER_SIGNAL1D_H

#include <stddef.h>

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LF_WINDOW1D_MAX_TAPS 1000 /* longest window */
#define LF_SIGNAL1D_MAX 100000    /* longest signal */

typedef enum lf_window1d {
    LF_WINDOW1D_HANN = 0,     /* 0.5 - 0.5 cos(2 pi n / (M - 1)) */
    LF_WINDOW1D_EXPONENTIAL,  /* exp(-|n - (M - 1)/2| / tau), tau [1] */
    LF_WINDOW1D_FLATTOP,      /* five cosines; dips below zero at the ends */
    LF_WINDOW1D_BOX,          /* all ones */
    LF_WINDOW1D_GAUSSIAN,     /* exp(-(n - (M - 1)/2)^2 / (2 sigma^2)), sigma [M / 5] */
    LF_WINDOW1D_COUNT
} lf_window1d;

/* "hann", "exponential", "flattop", "box", "gaussian". */
const char *lf_window1d_name(lf_window1d kind);

/* The window of that name (any case; "flat-top" too); LF_ERR_ARGUMENT
 * with a message listing the names. */
lf_status lf_window1d_parse(const char *name, lf_window1d *kind, lf_error *err);

/* Writes the taps of a window into out (capacity floats). param is the
 * exponential's tau or the Gaussian's sigma in samples, 0 for the default
 * above; the other windows take none. LF_ERR_ARGUMENT for taps outside
 * 1..LF_WINDOW1D_MAX_TAPS, a capacity below taps or a negative param. */
lf_status lf_window1d_make(lf_window1d kind, int taps, double param, float *out,
                           size_t capacity, lf_error *err);

/* The notebook's signal: length samples, the middle third 1 and the rest
 * 0 (300 gives 100 zeros, 100 ones, 100 zeros). Writes min(length,
 * capacity) samples. */
void lf_signal_step(float *out, size_t capacity, int length);

/* out = np.convolve(signal, kernel, 'same') / sum(kernel): max(n, m)
 * samples, written to out (capacity floats). LF_ERR_ARGUMENT for empty or
 * over-long inputs, a capacity below max(n, m), or a kernel whose sum is
 * zero (nothing to divide by: the message says so). */
lf_status lf_convolve1d_normalised(const float *signal, int n, const float *kernel, int m,
                                   float *out, size_t capacity, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif

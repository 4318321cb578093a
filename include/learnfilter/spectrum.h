/*
 * spectrum.h: kernels and photos seen as frequencies, for the view that
 * explains why some kernels are slow to learn.
 *
 * A kernel's taps reach the loss only through what the photos contain: the
 * network's output is the photo times the kernel's frequency response,
 * frequency by frequency, so a frequency the photos hardly contain is one the
 * loss hardly sees, and the part of the kernel there is learned slowly. The
 * smiley's fine lines and gaussian-50's narrow peak put much of their energy
 * at high frequencies; natural photos have little power there (it falls
 * roughly as 1/f^2). This module gives the numbers to show that:
 *
 *   - the magnitude |K(f)| of a kernel's 2-D DFT, zero-padded to size x size
 *     (the magnitude does not depend on where the kernel sits in the padded
 *     square: moving it only changes the phase), of the learned kernel, and
 *     of the difference learned - true;
 *   - the photos' power spectrum, the mean of |FFT|^2 over the patches,
 *     scaled by 1 / (H W)^2 so the values sum to the mean squared pixel
 *     value (Parseval), and its average over rings of equal frequency;
 *   - a few facts a view can put in a sentence (lf_spectrum_facts).
 *
 * Every spectrum is returned with the zero frequency in the centre, as
 * NumPy's fftshift does: on an axis of n bins, index j holds the frequency
 * (j - n/2) / n cycles per pixel (n/2 rounded down), so the zero frequency is
 * at index n/2. Frequencies are in cycles per pixel, 0 to 0.5 along an axis,
 * which makes kernels and photos of different sizes comparable.
 *
 * The transforms are FFTW's double-precision ones (libfftw3, from the same
 * Debian package as the single-precision library the direct engine uses). The
 * planner is not thread-safe: this module plans and destroys plans under its
 * own lock. The double- and single-precision libraries keep separate planner
 * state, so fftconv.c's lock and this one do not need to be the same.
 * Running a plan needs no lock, so the calls here may run on any thread.
 *
 * Arrays out of these functions come with their capacity in elements; a
 * function that finds the capacity too small fails with LF_ERR_ARGUMENT and
 * writes nothing. The caller owns every array; nothing is kept between calls.
 * The transforms allocate and plan their own scratch, so these belong where a
 * view is opened or the photos change, not in the frame loop.
 */
#ifndef LEARNFILTER_SPECTRUM_H
#define LEARNFILTER_SPECTRUM_H

#include <stddef.h>

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest transform side taken (kernels and photos alike): 2048 x 2048
 * complex doubles are 64 MiB of scratch. */
#define LF_SPECTRUM_MAX_SIZE 2048
/* Smallest default transform side for a kernel: a 3x3 kernel's response on
 * 8 x 8 bins looks like a handful of squares. */
#define LF_SPECTRUM_MIN_DEFAULT_SIZE 32

/* The default transform side for a kernel: the next power of two of at least
 * twice the kernel's longer side, and at least LF_SPECTRUM_MIN_DEFAULT_SIZE
 * (32 for kernels up to 16, 128 for 64). Returns 0 for a side below 1. */
int lf_spectrum_default_size(int k_height, int k_width);

/* |DFT| of the k_height x k_width kernel w, zero-padded to size x size,
 * shifted so the zero frequency is at (size/2, size/2). size 0 means
 * lf_spectrum_default_size. magnitude: size*size floats, row-major.
 * Fails with LF_ERR_ARGUMENT (a kernel side below 1, a size below the
 * kernel's longer side or above LF_SPECTRUM_MAX_SIZE, a capacity below
 * size*size, a non-finite weight), LF_ERR_NOMEM. */
lf_status lf_spectrum_kernel(float *magnitude, size_t capacity, const float *w, int k_height,
                             int k_width, int size, lf_error *err);

/* |DFT| of learned - truth (both k_height x k_width), as lf_spectrum_kernel:
 * where in frequency the remaining error lies. Same failures. */
lf_status lf_spectrum_kernel_difference(float *magnitude, size_t capacity, const float *learned,
                                        const float *truth, int k_height, int k_width, int size,
                                        lf_error *err);

/* The photos' power spectrum: mean over the count patches (each height x
 * width, no padding) of |DFT|^2 / (height*width)^2, shifted; the values sum to
 * the patches' mean squared pixel value. The mean pixel value is not removed:
 * it is the (large) value at the centre. power: height*width floats.
 * Fails with LF_ERR_ARGUMENT (count below 1, a NULL patch, a side below 1 or
 * above LF_SPECTRUM_MAX_SIZE, a capacity below height*width), LF_ERR_NOMEM. */
lf_status lf_spectrum_photos(float *power, size_t capacity, const float *const *patches, int count,
                             int height, int width, lf_error *err);

/* Radial average of a shifted height x width spectrum (any of the above):
 * radial[b] is the mean of the values whose frequency radius
 * r = sqrt(fx^2 + fy^2) (cycles per pixel) lies in [b, b+1) * 0.5 / bins.
 * The corners beyond r = 0.5 are left out. Bin 0 holds the zero frequency.
 * bins is at most min(height, width) / 2, so every bin holds a value.
 * Fails with LF_ERR_ARGUMENT (bins out of that range, a capacity below bins). */
lf_status lf_spectrum_radial(float *radial, size_t capacity, int bins, const float *spectrum,
                             int height, int width, lf_error *err);
/* The frequency, in cycles per pixel, at the middle of bin b of bins. */
double lf_spectrum_bin_frequency(int b, int bins);

/* out[i] = log10(max(values[i], floor)) for count values; out may be values.
 * floor is clamped to at least 1e-30, so the result is always finite for
 * finite input. For a magnitude in decibels multiply by 20, for a power by 10. */
void lf_spectrum_log10(float *out, const float *values, size_t count, float floor);

/* The sentence-sized facts of the view, for a cut-off frequency in cycles
 * per pixel (0 < cutoff < 0.5). Ratios whose denominator is zero are NaN. */
typedef struct lf_spectrum_facts {
    double cutoff;              /* cycles per pixel, as given */
    double kernel_energy_above; /* share of sum |K|^2 at r > cutoff */
    double error_energy_above;  /* the same for learned - true; NaN without one */
    double photo_power_above;   /* share of the photos' power away from r = 0 at r > cutoff */
    double photo_high_to_low;   /* mean power per bin at r > cutoff over that at 0 < r <= cutoff */
} lf_spectrum_facts;

/* Fills facts from a kernel magnitude (size x size, as lf_spectrum_kernel
 * returns), an optional error magnitude of the same size (NULL for none) and
 * the photos' power (height x width, as lf_spectrum_photos returns). "Energy"
 * is the sum of squared magnitudes, power is summed as it is. Bins beyond
 * r = 0.5 (the corners) count as above the cut-off.
 * Fails with LF_ERR_ARGUMENT (a NULL kernel or photo spectrum, a size below 1,
 * a cutoff outside (0, 0.5)). */
lf_status lf_spectrum_facts_compute(lf_spectrum_facts *facts, const float *kernel_magnitude,
                                    const float *error_magnitude, int size,
                                    const float *photo_power, int height, int width,
                                    double cutoff, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif

/*
 * spectrum.c: kernel and photo spectra through FFTW's double-precision
 * complex transforms. See include/learnfilter/spectrum.h.
 *
 * The inputs are real, so a real-to-complex transform would do half the
 * work; these spectra are drawn once per view, not every step, and the full
 * complex transform hands back every bin in place, which keeps the shift
 * into the centred layout one plain loop.
 */
#include "learnfilter/spectrum.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libfftw3's planner keeps global state: one plan made or destroyed at a
 * time in the process (libfftw3f, used by fftconv.c, keeps its own). */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

/* ============================================================ transforms */

typedef struct fft2 {
    int h, w;
    fftw_complex *buf; /* h * w, transformed in place */
    fftw_plan plan;
} fft2;

static lf_status fft2_open(fft2 *f, int h, int w, lf_error *err)
{
    f->h = h;
    f->w = w;
    f->buf = fftw_alloc_complex((size_t)h * (size_t)w);
    if (!f->buf)
        return lf_fail(err, LF_ERR_NOMEM, "spectrum: no memory for a %dx%d transform", h, w);
    pthread_mutex_lock(&planner_lock);
    /* FFTW_ESTIMATE plans without running trial transforms: these run once
     * per view, so measuring would cost more than it saves. */
    f->plan = fftw_plan_dft_2d(h, w, f->buf, f->buf, FFTW_FORWARD, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    if (!f->plan) {
        fftw_free(f->buf);
        f->buf = NULL;
        return lf_fail(err, LF_ERR_NOMEM, "spectrum: FFTW could not plan a %dx%d transform", h, w);
    }
    return LF_OK;
}

static void fft2_close(fft2 *f)
{
    if (f->plan) {
        pthread_mutex_lock(&planner_lock);
        fftw_destroy_plan(f->plan);
        pthread_mutex_unlock(&planner_lock);
    }
    fftw_free(f->buf);
    f->plan = NULL;
    f->buf = NULL;
}

/* Index of the unshifted bin that lands at shifted index j on an axis of n:
 * fftshift puts bin 0 at n/2. */
static inline int unshift(int j, int n) { return (j - n / 2 + n) % n; }

/* Frequency, in cycles per pixel, of shifted index j on an axis of n. */
static inline double shifted_frequency(int j, int n) { return (double)(j - n / 2) / n; }

/* ================================================================ kernels */

int lf_spectrum_default_size(int k_height, int k_width)
{
    if (k_height < 1 || k_width < 1)
        return 0;
    int side = k_height > k_width ? k_height : k_width;
    int size = LF_SPECTRUM_MIN_DEFAULT_SIZE;
    while (size < 2 * side)
        size *= 2;
    return size;
}

static lf_status check_kernel_call(size_t capacity, int k_height, int k_width, int *size,
                                   lf_error *err)
{
    if (k_height < 1 || k_width < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: kernel is %dx%d, sides must be at least 1",
                       k_height, k_width);
    if (*size == 0)
        *size = lf_spectrum_default_size(k_height, k_width);
    int side = k_height > k_width ? k_height : k_width;
    if (*size < side || *size > LF_SPECTRUM_MAX_SIZE)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "spectrum: transform size %d is outside %d..%d for a %dx%d kernel", *size,
                       side, LF_SPECTRUM_MAX_SIZE, k_height, k_width);
    if (capacity < (size_t)*size * (size_t)*size)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "spectrum: output holds %zu values, a %dx%d spectrum needs %zu", capacity,
                       *size, *size, (size_t)*size * (size_t)*size);
    return LF_OK;
}

/* The magnitude spectrum of a (truth == NULL) or of a - truth. */
static lf_status kernel_magnitude(float *magnitude, size_t capacity, const float *a,
                                  const float *truth, int k_height, int k_width, int size,
                                  lf_error *err)
{
    lf_status st = check_kernel_call(capacity, k_height, k_width, &size, err);
    if (st != LF_OK)
        return st;
    for (int i = 0; i < k_height * k_width; i++)
        if (!isfinite(a[i]) || (truth && !isfinite(truth[i])))
            return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: kernel tap %d is not finite", i);
    fft2 f;
    if ((st = fft2_open(&f, size, size, err)) != LF_OK)
        return st;
    memset(f.buf, 0, sizeof(fftw_complex) * (size_t)size * (size_t)size);
    for (int y = 0; y < k_height; y++)
        for (int x = 0; x < k_width; x++) {
            int i = y * k_width + x;
            f.buf[(size_t)y * size + x][0] = truth ? (double)a[i] - truth[i] : a[i];
        }
    fftw_execute(f.plan);
    for (int y = 0; y < size; y++) {
        const fftw_complex *row = f.buf + (size_t)unshift(y, size) * size;
        for (int x = 0; x < size; x++) {
            const double *c = row[unshift(x, size)];
            magnitude[(size_t)y * size + x] = (float)hypot(c[0], c[1]);
        }
    }
    fft2_close(&f);
    return LF_OK;
}

lf_status lf_spectrum_kernel(float *magnitude, size_t capacity, const float *w, int k_height,
                             int k_width, int size, lf_error *err)
{
    return kernel_magnitude(magnitude, capacity, w, NULL, k_height, k_width, size, err);
}

lf_status lf_spectrum_kernel_difference(float *magnitude, size_t capacity, const float *learned,
                                        const float *truth, int k_height, int k_width, int size,
                                        lf_error *err)
{
    return kernel_magnitude(magnitude, capacity, learned, truth, k_height, k_width, size, err);
}

/* ================================================================= photos */

lf_status lf_spectrum_photos(float *power, size_t capacity, const float *const *patches, int count,
                             int height, int width, lf_error *err)
{
    if (count < 1 || !patches)
        return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: %d patches, need at least one", count);
    if (height < 1 || width < 1 || height > LF_SPECTRUM_MAX_SIZE || width > LF_SPECTRUM_MAX_SIZE)
        return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: patch is %dx%d, sides must be 1..%d",
                       height, width, LF_SPECTRUM_MAX_SIZE);
    const size_t n = (size_t)height * (size_t)width;
    if (capacity < n)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "spectrum: output holds %zu values, a %dx%d spectrum needs %zu", capacity,
                       height, width, n);
    for (int p = 0; p < count; p++)
        if (!patches[p])
            return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: patch %d is missing", p);
    double *acc = calloc(n, sizeof *acc);
    if (!acc)
        return lf_fail(err, LF_ERR_NOMEM, "spectrum: no memory for a %dx%d power spectrum",
                       height, width);
    fft2 f;
    lf_status st = fft2_open(&f, height, width, err);
    if (st != LF_OK) {
        free(acc);
        return st;
    }
    /* |F|^2 / (HW)^2 sums to the mean of x^2 (Parseval); dividing by the
     * count as well gives the mean over patches. */
    const double norm = 1.0 / ((double)n * (double)n * count);
    for (int p = 0; p < count; p++) {
        for (size_t i = 0; i < n; i++) {
            f.buf[i][0] = patches[p][i];
            f.buf[i][1] = 0;
        }
        fftw_execute(f.plan);
        for (size_t i = 0; i < n; i++)
            acc[i] += (f.buf[i][0] * f.buf[i][0] + f.buf[i][1] * f.buf[i][1]) * norm;
    }
    for (int y = 0; y < height; y++) {
        const double *row = acc + (size_t)unshift(y, height) * width;
        for (int x = 0; x < width; x++)
            power[(size_t)y * width + x] = (float)row[unshift(x, width)];
    }
    fft2_close(&f);
    free(acc);
    return LF_OK;
}

/* ========================================================== radial, facts */

/* Radius of shifted bin (y, x) in cycles per pixel. */
static inline double radius(int y, int x, int height, int width)
{
    double fy = shifted_frequency(y, height), fx = shifted_frequency(x, width);
    return sqrt(fx * fx + fy * fy);
}

double lf_spectrum_bin_frequency(int b, int bins) { return (b + 0.5) * 0.5 / bins; }

lf_status lf_spectrum_radial(float *radial, size_t capacity, int bins, const float *spectrum,
                             int height, int width, lf_error *err)
{
    int most = (height < width ? height : width) / 2;
    if (bins < 1 || bins > most)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "spectrum: %d radial bins for a %dx%d spectrum, the range is 1..%d", bins,
                       height, width, most);
    if (capacity < (size_t)bins)
        return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: output holds %zu values, %d bins asked",
                       capacity, bins);
    double *sum = calloc((size_t)bins, sizeof *sum);
    long *hits = calloc((size_t)bins, sizeof *hits);
    if (!sum || !hits) {
        free(sum);
        free(hits);
        return lf_fail(err, LF_ERR_NOMEM, "spectrum: no memory for %d radial bins", bins);
    }
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            /* floor(r / (0.5 / bins)), written as a product so that bin
             * edges fall where the header says to the last bit. */
            int b = (int)floor(radius(y, x, height, width) * 2.0 * bins);
            if (b < bins) {
                sum[b] += spectrum[(size_t)y * width + x];
                hits[b]++;
            }
        }
    for (int b = 0; b < bins; b++)
        radial[b] = (float)(sum[b] / (double)hits[b]);
    free(sum);
    free(hits);
    return LF_OK;
}

void lf_spectrum_log10(float *out, const float *values, size_t count, float floor_value)
{
    float lo = floor_value > 1e-30f ? floor_value : 1e-30f;
    for (size_t i = 0; i < count; i++)
        out[i] = log10f(values[i] > lo ? values[i] : lo);
}

/* Share of sum v^2 (squared) or sum v at radius > cutoff, over all bins or
 * (skip_zero) all bins but the zero frequency. */
static double share_above(const float *v, int height, int width, double cutoff, int squared,
                          int skip_zero)
{
    double above = 0, total = 0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            double r = radius(y, x, height, width);
            if (skip_zero && r == 0)
                continue;
            double e = v[(size_t)y * width + x];
            e = squared ? e * e : e;
            total += e;
            if (r > cutoff)
                above += e;
        }
    return total > 0 ? above / total : NAN;
}

lf_status lf_spectrum_facts_compute(lf_spectrum_facts *facts, const float *kernel_magnitude,
                                    const float *error_magnitude, int size,
                                    const float *photo_power, int height, int width,
                                    double cutoff, lf_error *err)
{
    if (!kernel_magnitude || !photo_power)
        return lf_fail(err, LF_ERR_ARGUMENT, "spectrum: facts need a kernel and a photo spectrum");
    if (size < 1 || height < 1 || width < 1)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "spectrum: kernel spectrum %dx%d or photo spectrum %dx%d is empty", size,
                       size, height, width);
    if (!(cutoff > 0 && cutoff < 0.5))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "spectrum: cut-off %g cycles per pixel is outside (0, 0.5)", cutoff);
    facts->cutoff = cutoff;
    facts->kernel_energy_above = share_above(kernel_magnitude, size, size, cutoff, 1, 0);
    facts->error_energy_above =
        error_magnitude ? share_above(error_magnitude, size, size, cutoff, 1, 0) : NAN;
    facts->photo_power_above = share_above(photo_power, height, width, cutoff, 0, 1);
    double high = 0, low = 0;
    long high_n = 0, low_n = 0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            double r = radius(y, x, height, width), v = photo_power[(size_t)y * width + x];
            if (r > cutoff) {
                high += v;
                high_n++;
            } else if (r > 0) {
                low += v;
                low_n++;
            }
        }
    facts->photo_high_to_low =
        high_n > 0 && low_n > 0 && low > 0 ? (high / high_n) / (low / low_n) : NAN;
    return LF_OK;
}

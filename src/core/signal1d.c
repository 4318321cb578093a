/*
 * signal1d.c: the 1-D windows, the step signal and the normalised 'same'
 * convolution of signal1d.h.
 *
 * Taps are computed in double and rounded once, as SciPy computes them in
 * double; the convolution sums in double too. Plain loops: the longest
 * case the window draws (300 samples by 100 taps) is 30,000 products, far
 * below a frame's time, so there is no fast path to keep beside it.
 */
#include "learnfilter/signal1d.h"

#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const window_names[LF_WINDOW1D_COUNT] = {"hann", "exponential", "flattop",
                                                            "box", "gaussian"};

const char *lf_window1d_name(lf_window1d kind)
{
    if ((int)kind < 0 || kind >= LF_WINDOW1D_COUNT)
        return "?";
    return window_names[kind];
}

lf_status lf_window1d_parse(const char *name, lf_window1d *kind, lf_error *err)
{
    for (int k = 0; name && k < LF_WINDOW1D_COUNT; k++)
        if (!strcasecmp(name, window_names[k])) {
            *kind = (lf_window1d)k;
            return LF_OK;
        }
    if (name && !strcasecmp(name, "flat-top")) {
        *kind = LF_WINDOW1D_FLATTOP;
        return LF_OK;
    }
    return lf_fail(err, LF_ERR_ARGUMENT,
                   "'%s' is not a window: hann, exponential, flattop, box or gaussian",
                   name ? name : "");
}

/* The general cosine window sum_k (-1)^k a_k cos(2 pi k n / (M - 1)). */
/* pi, spelled out: ISO C has no M_PI. */
static const double pi = 3.14159265358979323846;

static double cosine_sum(const double *a, int count, int n, int taps)
{
    double x = 2.0 * pi * n / (taps - 1), w = 0;
    for (int k = 0; k < count; k++)
        w += (k % 2 ? -a[k] : a[k]) * cos(k * x);
    return w;
}

lf_status lf_window1d_make(lf_window1d kind, int taps, double param, float *out,
                           size_t capacity, lf_error *err)
{
    if ((int)kind < 0 || kind >= LF_WINDOW1D_COUNT)
        return lf_fail(err, LF_ERR_ARGUMENT, "unknown window %d", (int)kind);
    if (taps < 1 || taps > LF_WINDOW1D_MAX_TAPS)
        return lf_fail(err, LF_ERR_ARGUMENT, "a window of %d taps: 1 to %d", taps,
                       LF_WINDOW1D_MAX_TAPS);
    if (!out || capacity < (size_t)taps)
        return lf_fail(err, LF_ERR_ARGUMENT, "room for %zu taps; the window has %d", capacity,
                       taps);
    if (!(param >= 0) || !isfinite(param))
        return lf_fail(err, LF_ERR_ARGUMENT, "the window's width %g must be positive", param);
    /* SciPy's flat top coefficients. */
    static const double hann[2] = {0.5, 0.5};
    static const double flattop[5] = {0.21557895, 0.41663158, 0.277263158, 0.083578947,
                                      0.006947368};
    double centre = (taps - 1) / 2.0;
    double tau = param > 0 ? param : 1.0;
    double sigma = param > 0 ? param : taps / 5.0;
    for (int n = 0; n < taps; n++) {
        double w = 1.0;
        if (taps > 1)
            switch (kind) {
            case LF_WINDOW1D_HANN:
                w = cosine_sum(hann, 2, n, taps);
                break;
            case LF_WINDOW1D_FLATTOP:
                w = cosine_sum(flattop, 5, n, taps);
                break;
            case LF_WINDOW1D_EXPONENTIAL:
                w = exp(-fabs(n - centre) / tau);
                break;
            case LF_WINDOW1D_GAUSSIAN:
                w = exp(-0.5 * ((n - centre) / sigma) * ((n - centre) / sigma));
                break;
            case LF_WINDOW1D_BOX:
            case LF_WINDOW1D_COUNT:
                break;
            }
        out[n] = (float)w;
    }
    return LF_OK;
}

void lf_signal_step(float *out, size_t capacity, int length)
{
    if (!out || length <= 0)
        return;
    size_t n = (size_t)length < capacity ? (size_t)length : capacity;
    int third = length / 3;
    for (size_t i = 0; i < n; i++)
        out[i] = (int)i >= third && (int)i < length - third ? 1.0f : 0.0f;
}

lf_status lf_convolve1d_normalised(const float *signal, int n, const float *kernel, int m,
                                   float *out, size_t capacity, lf_error *err)
{
    if (!signal || !kernel || n < 1 || m < 1 || n > LF_SIGNAL1D_MAX || m > LF_SIGNAL1D_MAX)
        return lf_fail(err, LF_ERR_ARGUMENT, "signal of %d and kernel of %d samples: 1 to %d",
                       n, m, LF_SIGNAL1D_MAX);
    int length = n > m ? n : m;
    if (!out || capacity < (size_t)length)
        return lf_fail(err, LF_ERR_ARGUMENT, "room for %zu samples; the result has %d", capacity,
                       length);
    double sum = 0, magnitude = 0;
    for (int j = 0; j < m; j++) {
        sum += kernel[j];
        magnitude += fabs(kernel[j]);
    }
    if (!(fabs(sum) > 1e-12 * magnitude))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the kernel's taps sum to zero: there is nothing to divide by");
    /* The full convolution has n + m - 1 samples; 'same' keeps the longer
     * input's length, starting (shorter - 1) / 2 samples in, as NumPy does. */
    int shorter = n < m ? n : m;
    int start = (shorter - 1) / 2;
    for (int i = 0; i < length; i++) {
        int k = start + i; /* index into the full convolution */
        double acc = 0;
        int j_lo = k - (n - 1) > 0 ? k - (n - 1) : 0, j_hi = k < m - 1 ? k : m - 1;
        for (int j = j_lo; j <= j_hi; j++)
            acc += (double)kernel[j] * signal[k - j];
        out[i] = (float)(acc / sum);
    }
    return LF_OK;
}

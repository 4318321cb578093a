/*
 * fftconv.c: the convolution layer through FFTW's single-precision
 * real-to-complex transforms. See include/learnfilter/fftconv.h.
 */
#include "learnfilter/fftconv.h"

#include <fftw3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct lf_fft_conv {
    lf_conv_shape shape;
    int fh, fw;           /* transform size */
    int cw;               /* complex columns: fw / 2 + 1 */
    size_t spectrum;      /* floats per spectrum, rounded up to 64 bytes */
    size_t real;          /* floats of the real buffer, rounded the same way */
    fftwf_plan forward;   /* real fh x fw -> complex fh x cw */
    fftwf_plan backward;  /* complex -> real, unnormalised */
};

/* FFTW's planner keeps global state: one plan at a time in the process. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

/* The smallest even n' >= n with no prime factor above 5: sizes FFTW does
 * fast (odd sizes and factors of 7 measured up to four times slower for
 * the real transforms here). */
static int smooth_size(int n)
{
    for (int m = n + (n & 1);; m += 2) {
        int r = m;
        for (int p = 2; p <= 5; p++)
            while (r % p == 0)
                r /= p;
        if (r == 1)
            return m;
    }
}

static size_t round_up_64_bytes(size_t floats) { return (floats + 15) / 16 * 16; }

float *lf_fft_alloc(size_t floats) { return fftwf_alloc_real(floats); }
void lf_fft_free(float *memory) { fftwf_free(memory); }

lf_fft_conv *lf_fft_conv_create(const lf_conv_shape *shape)
{
    lf_fft_conv *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->shape = *shape;
    /* Lags run from -pad to k - 1 - pad: a transform at least side + k - 1
     * long keeps every sum the layer needs free of wrap-around. */
    f->fh = smooth_size(shape->in_height + shape->k_height - 1);
    f->fw = smooth_size(shape->in_width + shape->k_width - 1);
    f->cw = f->fw / 2 + 1;
    f->spectrum = round_up_64_bytes((size_t)f->fh * (size_t)f->cw * 2);
    f->real = round_up_64_bytes((size_t)f->fh * (size_t)f->fw);
    float *work = lf_fft_alloc(lf_fft_work_floats(f));
    if (!work) {
        free(f);
        return NULL;
    }
    float *real = work, *spec = work + f->real;
    pthread_mutex_lock(&planner_lock);
    /* FFTW_ESTIMATE, not FFTW_MEASURE: MEASURE picks among algorithms by
     * timing them, so under a different load it picks another one and the
     * results differ in their last bits from run to run. One seed must give
     * one run, bit for bit; the price is a slower transform on some sizes
     * (the kernel benchmark shows it), paid only where the direct engine
     * trains a large kernel or a target is made. */
    f->forward = fftwf_plan_dft_r2c_2d(f->fh, f->fw, real, (fftwf_complex *)spec, FFTW_ESTIMATE);
    f->backward = fftwf_plan_dft_c2r_2d(f->fh, f->fw, (fftwf_complex *)spec, real, FFTW_ESTIMATE);
    pthread_mutex_unlock(&planner_lock);
    lf_fft_free(work);
    if (!f->forward || !f->backward) {
        lf_fft_conv_destroy(f);
        return NULL;
    }
    return f;
}

void lf_fft_conv_destroy(lf_fft_conv *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&planner_lock);
    if (f->forward)
        fftwf_destroy_plan(f->forward);
    if (f->backward)
        fftwf_destroy_plan(f->backward);
    pthread_mutex_unlock(&planner_lock);
    free(f);
}

size_t lf_fft_spectrum_floats(const lf_fft_conv *f) { return f->spectrum; }
/* A real buffer, then a spectrum. */
size_t lf_fft_work_floats(const lf_fft_conv *f) { return f->real + f->spectrum; }

void lf_fft_input_spectrum(const lf_fft_conv *f, float *spec, const float *in, float *work)
{
    const lf_conv_shape *s = &f->shape;
    memset(work, 0, sizeof(float) * (size_t)f->fh * (size_t)f->fw);
    for (int y = 0; y < s->in_height; y++)
        memcpy(work + (size_t)y * f->fw, in + (size_t)y * s->in_width,
               sizeof(float) * (size_t)s->in_width);
    fftwf_execute_dft_r2c(f->forward, work, (fftwf_complex *)spec);
}

void lf_fft_kernel_spectrum(const lf_fft_conv *f, float *spec, const float *w, float *work)
{
    const lf_conv_shape *s = &f->shape;
    memset(work, 0, sizeof(float) * (size_t)f->fh * (size_t)f->fw);
    /* Tap (i, j) reads the input at lag (i - pad_top, j - pad_left); as a
     * circular convolution that is the kernel value at minus that lag. */
    for (int i = 0; i < s->k_height; i++)
        for (int j = 0; j < s->k_width; j++) {
            int y = ((s->pad_top - i) % f->fh + f->fh) % f->fh;
            int x = ((s->pad_left - j) % f->fw + f->fw) % f->fw;
            work[(size_t)y * f->fw + x] = w[i * s->k_width + j];
        }
    fftwf_execute_dft_r2c(f->forward, work, (fftwf_complex *)spec);
}

void lf_fft_forward(const lf_fft_conv *f, float *out, const float *in_spec,
                    const float *kernel_spec, float bias, float *work)
{
    const lf_conv_shape *s = &f->shape;
    float *real = work, *spec = work + f->real;
    const size_t n = (size_t)f->fh * (size_t)f->cw;
    for (size_t k = 0; k < n; k++) {
        float ar = in_spec[2 * k], ai = in_spec[2 * k + 1];
        float br = kernel_spec[2 * k], bi = kernel_spec[2 * k + 1];
        spec[2 * k] = ar * br - ai * bi;
        spec[2 * k + 1] = ar * bi + ai * br;
    }
    fftwf_execute_dft_c2r(f->backward, (fftwf_complex *)spec, real);
    const float norm = 1.0f / ((float)f->fh * (float)f->fw);
    for (int y = 0; y < s->out_height; y++) {
        const float *row = real + (size_t)y * f->fw;
        float *o = out + (size_t)y * s->out_width;
        for (int x = 0; x < s->out_width; x++)
            o[x] = row[x] * norm + bias;
    }
}

void lf_fft_backward_weights(const lf_fft_conv *f, double *acc, const float *dout,
                             const float *in_spec, float *work)
{
    const lf_conv_shape *s = &f->shape;
    float *real = work, *spec = work + f->real;
    memset(real, 0, sizeof(float) * (size_t)f->fh * (size_t)f->fw);
    double bias = 0;
    for (int y = 0; y < s->out_height; y++) {
        const float *g = dout + (size_t)y * s->out_width;
        float row_sum = 0;
        for (int x = 0; x < s->out_width; x++)
            row_sum += g[x];
        bias += row_sum;
        memcpy(real + (size_t)y * f->fw, g, sizeof(float) * (size_t)s->out_width);
    }
    fftwf_execute_dft_r2c(f->forward, real, (fftwf_complex *)spec);
    /* The cross-correlation sum_u D(u) X(u + lag): conj(D) times X. */
    const size_t n = (size_t)f->fh * (size_t)f->cw;
    for (size_t k = 0; k < n; k++) {
        float dr = spec[2 * k], di = -spec[2 * k + 1];
        float xr = in_spec[2 * k], xi = in_spec[2 * k + 1];
        spec[2 * k] = dr * xr - di * xi;
        spec[2 * k + 1] = dr * xi + di * xr;
    }
    fftwf_execute_dft_c2r(f->backward, (fftwf_complex *)spec, real);
    const double norm = 1.0 / ((double)f->fh * (double)f->fw);
    for (int i = 0; i < s->k_height; i++)
        for (int j = 0; j < s->k_width; j++) {
            int y = ((i - s->pad_top) % f->fh + f->fh) % f->fh;
            int x = ((j - s->pad_left) % f->fw + f->fw) % f->fw;
            acc[i * s->k_width + j] += real[(size_t)y * f->fw + x] * norm;
        }
    acc[s->k_height * s->k_width] += bias;
}

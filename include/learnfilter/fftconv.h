/*
 * fftconv.h: the convolution layer through the Fourier transform, for large
 * kernels.
 *
 * A direct training step costs about 4 N K multiply-adds per patch (N
 * pixels, K taps), so a 64x64 kernel costs 455 times a 3x3 one. Through the
 * FFT the cost hardly depends on K: the patch, zero-padded to F >= side +
 * K - 1 on each axis so that nothing wraps around, is transformed once and
 * kept; each step transforms the kernel once, and per patch
 *
 *   out       = IFFT(X . W) restricted to the output, plus the bias
 *   dw[i][j]  = IFFT(conj(D) . X) at lag (i - pad_top, j - pad_left)
 *
 * with X, W and D the spectra of the padded patch, of the kernel placed at
 * the negated lags, and of the output gradient. The results match the
 * direct routines of conv.h up to float rounding in the transforms
 * (tests/test_fftconv.c holds them to their references).
 *
 * Plans are made once per shape, on the thread that creates the context
 * (FFTW's planner is not thread-safe; creation is serialised by a lock);
 * the transforms may then run on any thread with that thread's own work
 * buffer. Spectra and work buffers come from lf_fft_alloc so that every
 * array has the alignment the plans were made for.
 */
#ifndef LEARNFILTER_FFTCONV_H
#define LEARNFILTER_FFTCONV_H

#include <stddef.h>

#include "learnfilter/conv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lf_fft_conv lf_fft_conv;

/* Plans the transforms for a shape. NULL when out of memory. The caller
 * owns the result. */
lf_fft_conv *lf_fft_conv_create(const lf_conv_shape *shape);
void lf_fft_conv_destroy(lf_fft_conv *fft); /* accepts NULL */

/* Floats in one spectrum (complex values as pairs, padded to keep the next
 * one aligned) and in one work buffer. */
size_t lf_fft_spectrum_floats(const lf_fft_conv *fft);
size_t lf_fft_work_floats(const lf_fft_conv *fft);
/* Aligned memory for spectra and work buffers; free with lf_fft_free. */
float *lf_fft_alloc(size_t floats);
void lf_fft_free(float *memory);

/* spec = the spectrum of the zero-padded input image. */
void lf_fft_input_spectrum(const lf_fft_conv *fft, float *spec, const float *in, float *work);
/* spec = the spectrum of the kernel w (k_height x k_width) at negated lags. */
void lf_fft_kernel_spectrum(const lf_fft_conv *fft, float *spec, const float *w, float *work);
/* out (out_height x out_width) = the layer's output, as conv2d_forward. */
void lf_fft_forward(const lf_fft_conv *fft, float *out, const float *in_spec,
                    const float *kernel_spec, float bias, float *work);
/* acc[t] += the weight gradient of tap t, acc[taps] += the bias gradient,
 * as conv2d_backward_weights_rows over every row. */
void lf_fft_backward_weights(const lf_fft_conv *fft, double *acc, const float *dout,
                             const float *in_spec, float *work);

#ifdef __cplusplus
}
#endif
#endif

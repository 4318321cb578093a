/*
 * kernel.h: the filters the network learns.
 *
 * A kernel is a small matrix of weights, at most LF_KERNEL_MAX_SIDE on each
 * side, stored inline so copying one (into a snapshot, across threads) is a
 * plain struct assignment with no allocation.
 *
 * Kernels come from the built-in catalog by name (sobel-x, smiley, ...) or
 * from a file: a text matrix, a NumPy .npy array, or a grayscale PNG. Every
 * kernel is applied as a correlation, not flipped, which is what a
 * convolution layer computes; so the learned weights match the kernel as
 * written. For Sobel x, [[-1,0,1],[-2,0,2],[-1,0,1]], a bright-to-the-right
 * edge gives a positive response.
 */
#ifndef LEARNFILTER_KERNEL_H
#define LEARNFILTER_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "learnfilter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LF_KERNEL_MAX_SIDE
#define LF_KERNEL_MAX_SIDE 64 /* largest kernel height or width accepted */
#endif
#define LF_KERNEL_NAME_MAX 64
/* most filters in a bank (lf_kernel_bank_resolve), as layer.h's LF_LAYER_MAX_FILTERS */
#define LF_KERNEL_MAX_FILTERS 64

typedef struct lf_kernel {
    int height;
    int width;
    float weights[LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE]; /* row-major, height*width used */
    char name[LF_KERNEL_NAME_MAX]; /* catalog name, or the file's base name */
} lf_kernel;

/* One entry of the built-in catalog. */
typedef struct lf_kernel_info {
    const char *name;        /* what --kernel takes, e.g. "sobel-x" */
    const char *description; /* one line for --list-kernels and the window */
    long expected_steps;     /* steps to 1% relative error with the kernel's default
                                settings on the bundled photographs (seed 1), measured;
                                0 when that takes longer than anyone would watch */
} lf_kernel_info;

/* What a kernel from a file is expected to take: about what a 3x3 or 5x5
 * one takes from the catalog. */
#define LF_KERNEL_EXPECTED_STEPS_UNKNOWN 50000L

int lf_kernel_catalog_count(void);
/* NULL when index is out of range. */
const lf_kernel_info *lf_kernel_catalog_get(int index);
/* Index of name in the catalog, ignoring case, or -1. */
int lf_kernel_catalog_find(const char *name);
/* The catalog name a near miss most likely meant ("sobelx": "sobel-x"), or
 * NULL (see lf_name_closest). */
const char *lf_kernel_catalog_closest(const char *name);
/* The catalog's expected_steps for name, or LF_KERNEL_EXPECTED_STEPS_UNKNOWN
 * for a name not in it (a kernel from a file). */
long lf_kernel_expected_steps(const char *name);

/* Builds the catalog kernel called name (in any case; out->name gets the
 * catalog's spelling). seed only matters for "random". */
lf_status lf_kernel_from_name(lf_kernel *out, const char *name, uint64_t seed, lf_error *err);

/* Loads a kernel file, choosing the parser by extension: .npy, .png, and
 * anything else as text. */
lf_status lf_kernel_load(lf_kernel *out, const char *path, lf_error *err);

/* A catalog name if spec is one, otherwise a file path. */
lf_status lf_kernel_resolve(lf_kernel *out, const char *spec, uint64_t seed, lf_error *err);

/* A bank of kernels for a layer of several filters and channels, held in
 * one lf_kernel: height and width are each filter's, and weights holds
 * (filters, channels, height, width) in C order, so a bank of one gray
 * kernel is that kernel. spec is
 *   - a list "a,b,c" of catalog names or kernel files of one size: one
 *     filter each;
 *   - a .npy of shape (F, C, h, w) (C must be channels), or of 3 dimensions:
 *     (channels, h, w) for one filter when channels is 3, (F, h, w) when 1;
 *   - one name or file, as lf_kernel_resolve takes it: one filter.
 * With channels 3 a 2-D kernel is spread over R, G and B with the luma
 * weights of image.h (0.299, 0.587, 0.114), so it filters the photo's
 * grayscale as it would in gray. The whole bank holds at most
 * LF_KERNEL_MAX_SIDE^2 weights. Sets *filters; LF_ERR_INPUT (or
 * LF_ERR_ARGUMENT for an empty list entry) with the reason. */
lf_status lf_kernel_bank_resolve(lf_kernel *out, int *filters, const char *spec, int channels,
                                 uint64_t seed, lf_error *err);

/* Parsers over bytes in memory; name only appears in messages.
 * Text: one row per line, numbers separated by spaces, tabs or commas; blank
 * lines and lines starting with '#' are skipped; every row the same length.
 * NPY: version 1, 2 or 3 header, 2-D, '<f4' '>f4' '<f8' or '>f8', C or
 * Fortran order.
 * PNG: grayscale intensities on [0, 1], then scaled to unit L2 norm (an all
 * black image cannot be normalised and is refused).
 * All refuse NaN, Inf, empty input and kernels beyond LF_KERNEL_MAX_SIDE. */
lf_status lf_kernel_parse_text(lf_kernel *out, const char *text, size_t size, const char *name,
                               lf_error *err);
lf_status lf_kernel_parse_npy(lf_kernel *out, const unsigned char *bytes, size_t size,
                              const char *name, lf_error *err);
lf_status lf_kernel_parse_png(lf_kernel *out, const unsigned char *bytes, size_t size,
                              const char *name, lf_error *err);

/* Frobenius norm of the weights. */
double lf_kernel_norm(const lf_kernel *k);
/* Largest absolute weight. */
float lf_kernel_max_abs(const lf_kernel *k);
/* ||a - b|| / ||b|| over the weights; a and b must have the same shape.
 * Returns ||a|| when b is all zeros, so the figure stays finite. */
double lf_kernel_relative_error(const lf_kernel *a, const lf_kernel *b);
/* The same over two arrays of count weights. */
double lf_relative_error(const float *a, const float *b, int count);

#ifdef __cplusplus
}
#endif
#endif

/*
 * kernel_bank.c: several kernels as one layer's true weights. See
 * lf_kernel_bank_resolve in include/learnfilter/kernel.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_util.h"
#include "kernel_npy.h"
#include "learnfilter/kernel.h"

#define BANK_CAPACITY (LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE)

/* The luma weights image.h converts colour with: a gray kernel spread this
 * way over R, G, B filters the grayscale of the photo. */
static const float luma[3] = {0.299f, 0.587f, 0.114f};

static int ends_with_npy(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && (s[n - 4] == '.') && (s[n - 3] | 32) == 'n' && (s[n - 2] | 32) == 'p' &&
           (s[n - 1] | 32) == 'y';
}

/* Filter f of the bank from one 2-D kernel, spread over the channels. */
static lf_status put_filter(lf_kernel *out, int f, int channels, const lf_kernel *k,
                            const char *spec, lf_error *err)
{
    size_t taps = (size_t)k->height * k->width;
    if ((size_t)(f + 1) * (size_t)channels * taps > BANK_CAPACITY)
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: the bank would hold more than %d weights (filters x channels x "
                       "height x width)",
                       spec, BANK_CAPACITY);
    float *dst = out->weights + (size_t)f * (size_t)channels * taps;
    for (int c = 0; c < channels; c++)
        for (size_t i = 0; i < taps; i++)
            dst[(size_t)c * taps + i] = channels == 3 ? k->weights[i] * luma[c] : k->weights[i];
    return LF_OK;
}

/* A .npy of 3 or 4 dimensions. */
static lf_status bank_from_npy(lf_kernel *out, int *filters, const char *path, int channels,
                               lf_error *err)
{
    unsigned char *bytes;
    size_t size;
    lf_status st = lf_read_file(path, 4L * 1024 * 1024, &bytes, &size, err);
    if (st != LF_OK)
        return st;
    long dims[LF_NPY_MAX_DIMS];
    int ndim;
    st = lf_npy_read_f32(out->weights, BANK_CAPACITY, dims, &ndim, 2, 4, bytes, size, path, err);
    free(bytes);
    if (st != LF_OK)
        return st;
    long f = 1, c = 1;
    if (ndim == 4) {
        f = dims[0];
        c = dims[1];
    } else if (ndim == 3 && channels == 3) {
        c = dims[0];
    } else if (ndim == 3) {
        f = dims[0];
    }
    if (ndim == 2 && channels == 3) { /* one gray kernel, spread over the colours */
        lf_kernel k = *out;
        k.height = (int)dims[0];
        k.width = (int)dims[1];
        st = put_filter(out, 0, 3, &k, path, err);
        if (st != LF_OK)
            return st;
        c = 3;
    }
    if (c != channels)
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: the bank has %ld channel%s but the input has %d (%s); a .npy bank "
                       "is (filters, channels, h, w)%s",
                       path, c, c == 1 ? "" : "s", channels, channels == 3 ? "--color" : "gray",
                       channels == 3 ? ", or (3, h, w) for one filter" : ", or (filters, h, w)");
    if (f > LF_KERNEL_MAX_FILTERS)
        return lf_fail(err, LF_ERR_INPUT, "%s: %ld filters; at most %d", path, f,
                       LF_KERNEL_MAX_FILTERS);
    out->height = (int)dims[ndim - 2];
    out->width = (int)dims[ndim - 1];
    for (long i = 0; i < f * c * out->height * out->width; i++)
        if (!isfinite(out->weights[i]))
            return lf_fail(err, LF_ERR_INPUT, "%s: kernel has a weight that is not finite", path);
    snprintf(out->name, sizeof out->name, "%s", lf_path_basename(path));
    *filters = (int)f;
    return LF_OK;
}

lf_status lf_kernel_bank_resolve(lf_kernel *out, int *filters, const char *spec, int channels,
                                 uint64_t seed, lf_error *err)
{
    memset(out, 0, sizeof *out);
    *filters = 0;
    if (channels != 1 && channels != 3)
        return lf_fail(err, LF_ERR_ARGUMENT, "a bank has 1 or 3 channels, not %d", channels);
    if (!strchr(spec, ',') && ends_with_npy(spec))
        return bank_from_npy(out, filters, spec, channels, err);
    /* A list of names or files (or just one): one filter each. */
    int f = 0;
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[4096];
        if (n == 0 || n >= sizeof item)
            return lf_fail(err, n ? LF_ERR_INPUT : LF_ERR_ARGUMENT,
                           "--kernel: '%s' has an empty or overlong entry", spec);
        memcpy(item, p, n);
        item[n] = 0;
        if (f == LF_KERNEL_MAX_FILTERS)
            return lf_fail(err, LF_ERR_INPUT, "--kernel: more than %d filters",
                           LF_KERNEL_MAX_FILTERS);
        lf_kernel *k = malloc(sizeof *k);
        if (!k)
            return lf_fail(err, LF_ERR_NOMEM, "out of memory for a kernel");
        lf_status st = lf_kernel_resolve(k, item, seed, err);
        if (st == LF_OK && f > 0 && (k->height != out->height || k->width != out->width))
            st = lf_fail(err, LF_ERR_INPUT,
                         "--kernel: %s is %dx%d but %s is %dx%d; the filters of a bank have one "
                         "size",
                         item, k->height, k->width, out->name, out->height, out->width);
        if (st == LF_OK) {
            if (f == 0) {
                out->height = k->height;
                out->width = k->width;
                snprintf(out->name, sizeof out->name, "%s", k->name);
            }
            st = put_filter(out, f, channels, k, spec, err);
        }
        free(k);
        if (st != LF_OK)
            return st;
        f++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (f > 1) /* the name lists the filters, as they were given */
        snprintf(out->name, sizeof out->name, "%s", spec);
    *filters = f;
    return LF_OK;
}

/*
 * kernel_npy.c: the .npy reader behind kernel files and kernel banks. See
 * kernel_npy.h. It reads the header dictionary by hand (descr,
 * fortran_order, shape), as the format's specification describes it.
 */
#include "kernel_npy.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/kernel.h"

/* Finds the value text after 'key': inside the header dictionary. */
static const char *npy_find_key(const char *header, const char *key)
{
    const char *p = strstr(header, key);
    if (!p)
        return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == '\'' || *p == '"')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

lf_status lf_npy_read_f32(float *out, size_t capacity, long *dims, int *ndim, int min_dims,
                          int max_dims, const unsigned char *bytes, size_t size, const char *name,
                          lf_error *err)
{
    *ndim = 0;
    if (size < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0)
        return lf_fail(err, LF_ERR_INPUT, "%s: not a NumPy .npy file (no \\x93NUMPY magic)", name);
    int major = bytes[6];
    size_t header_len, header_start;
    if (major == 1) {
        header_len = bytes[8] | (size_t)bytes[9] << 8;
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12)
            return lf_fail(err, LF_ERR_INPUT, "%s: truncated .npy header", name);
        header_len = bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 |
                     (size_t)bytes[11] << 24;
        header_start = 12;
    } else
        return lf_fail(err, LF_ERR_INPUT, "%s: unknown .npy version %d", name, major);
    if (header_len > 65536 || header_start + header_len > size)
        return lf_fail(err, LF_ERR_INPUT, "%s: truncated .npy header", name);
    char *header = malloc(header_len + 1);
    if (!header)
        return lf_fail(err, LF_ERR_NOMEM, "%s: out of memory for the .npy header", name);
    memcpy(header, bytes + header_start, header_len);
    header[header_len] = 0;
    lf_status st = LF_OK;

    const char *descr = npy_find_key(header, "descr'");
    if (!descr)
        descr = npy_find_key(header, "descr\"");
    int big_endian = 0, item = 4;
    if (!descr) {
        st = lf_fail(err, LF_ERR_INPUT, "%s: .npy header has no 'descr'", name);
        goto done;
    }
    /* The value must be a quoted string; stepping over a quote that is not
     * there could step past the header's terminating NUL. */
    if (*descr != '\'' && *descr != '"') {
        st = lf_fail(err, LF_ERR_INPUT, "%s: .npy 'descr' is not a quoted dtype", name);
        goto done;
    }
    descr++;
    if (!strncmp(descr, "<f4", 3) || !strncmp(descr, "=f4", 3)) big_endian = 0, item = 4;
    else if (!strncmp(descr, ">f4", 3)) big_endian = 1, item = 4;
    else if (!strncmp(descr, "<f8", 3) || !strncmp(descr, "=f8", 3)) big_endian = 0, item = 8;
    else if (!strncmp(descr, ">f8", 3)) big_endian = 1, item = 8;
    else {
        char shown[16] = {0};
        for (int i = 0; i < 15 && descr[i] && descr[i] != '\'' && descr[i] != '"'; i++)
            shown[i] = descr[i];
        st = lf_fail(err, LF_ERR_INPUT,
                     "%s: .npy dtype '%s' is not supported (use float32 or float64)", name, shown);
        goto done;
    }
    const char *fortran = npy_find_key(header, "fortran_order'");
    if (!fortran)
        fortran = npy_find_key(header, "fortran_order\"");
    if (!fortran) {
        st = lf_fail(err, LF_ERR_INPUT, "%s: .npy header has no 'fortran_order'", name);
        goto done;
    }
    int fortran_order = strncmp(fortran, "True", 4) == 0;

    const char *shape = npy_find_key(header, "shape'");
    if (!shape)
        shape = npy_find_key(header, "shape\"");
    if (!shape || *shape != '(') {
        st = lf_fail(err, LF_ERR_INPUT, "%s: .npy header has no 'shape'", name);
        goto done;
    }
    shape++;
    int n = 0;
    for (;;) {
        while (*shape == ' ' || *shape == ',')
            shape++;
        if (*shape == ')')
            break;
        if (!isdigit((unsigned char)*shape) || n == LF_NPY_MAX_DIMS) {
            st = lf_fail(err, LF_ERR_INPUT, "%s: bad .npy shape", name);
            goto done;
        }
        char *after;
        dims[n++] = strtol(shape, &after, 10);
        shape = after;
    }
    if (n < min_dims || n > max_dims) {
        if (min_dims == max_dims)
            st = lf_fail(err, LF_ERR_INPUT, "%s: .npy array has %d dimensions; a kernel needs %d",
                         name, n, min_dims);
        else
            st = lf_fail(err, LF_ERR_INPUT,
                         "%s: .npy array has %d dimensions; a kernel bank needs %d to %d", name, n,
                         min_dims, max_dims);
        goto done;
    }
    long total = 1;
    for (int d = 0; d < n; d++) {
        if (dims[d] < 1) {
            st = lf_fail(err, LF_ERR_INPUT, "%s: .npy array is empty", name);
            goto done;
        }
    }
    long h = dims[n - 2], w = dims[n - 1];
    if (h > LF_KERNEL_MAX_SIDE || w > LF_KERNEL_MAX_SIDE) {
        st = lf_fail(err, LF_ERR_INPUT, "%s: kernel is %ldx%ld; the largest accepted is %dx%d",
                     name, h, w, LF_KERNEL_MAX_SIDE, LF_KERNEL_MAX_SIDE);
        goto done;
    }
    /* The leading dimensions (filters, channels) are bounded by the
     * capacity below; this keeps their product inside a long first. */
    for (int d = 0; d < n - 2; d++)
        if (dims[d] > 1L << 20) {
            st = lf_fail(err, LF_ERR_INPUT, "%s: .npy dimension %ld is too large", name, dims[d]);
            goto done;
        }
    for (int d = 0; d < n; d++)
        total *= dims[d];
    if ((size_t)total > capacity) {
        st = lf_fail(err, LF_ERR_INPUT, "%s: .npy array holds %ld values; at most %zu are accepted",
                     name, total, capacity);
        goto done;
    }
    size_t data_start = header_start + header_len;
    size_t need = (size_t)total * (size_t)item;
    if (size - data_start < need) {
        st = lf_fail(err, LF_ERR_INPUT, "%s: .npy data is truncated (%zu of %zu bytes)", name,
                     size - data_start, need);
        goto done;
    }
    const unsigned char *data = bytes + data_start;
    for (long i = 0; i < total; i++) {
        unsigned char b[8];
        for (int j = 0; j < item; j++)
            b[j] = data[i * item + (big_endian ? item - 1 - j : j)];
        double v;
        if (item == 4) {
            uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                         (uint32_t)b[3] << 24;
            float f;
            memcpy(&f, &u, 4);
            v = f;
        } else {
            uint64_t u = 0;
            for (int j = 7; j >= 0; j--)
                u = u << 8 | b[j];
            memcpy(&v, &u, 8);
        }
        /* Element i of the file is at index i in C order; in Fortran order
         * the first index varies fastest, so its C-order position is
         * rebuilt from its multi-index. */
        long at = i;
        if (fortran_order) {
            long rest = i, stride = 1;
            long index[LF_NPY_MAX_DIMS];
            for (int d = 0; d < n; d++) {
                index[d] = rest % dims[d];
                rest /= dims[d];
            }
            at = 0;
            for (int d = n - 1; d >= 0; d--) {
                at += index[d] * stride;
                stride *= dims[d];
            }
        }
        if (isfinite(v) && fabs(v) > 3.0e38)
            v = INFINITY; /* does not fit a float: refused by the caller */
        out[at] = (float)v;
    }
    *ndim = n;
done:
    free(header);
    return st;
}

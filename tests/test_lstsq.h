/*
 * test_lstsq.h: the best linear filter by an explicit least-squares solve,
 * for tests to hold the closed form (bestfit.c) and training against.
 *
 * Shares nothing with bestfit.c but the operations' reference loops: X,
 * the matrix of input values under the kernel at every output pixel (and a
 * 1 for the bias), is built pixel by pixel in double, and the normal
 * equations X^T X theta = X^T t are solved by Gaussian elimination with
 * partial pivoting. Everything is static: include it after cmocka.h in one
 * test program.
 */
#ifndef LEARNFILTER_TEST_LSTSQ_H
#define LEARNFILTER_TEST_LSTSQ_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/dataset.h"
#include "learnfilter/ops.h"

/* Gaussian elimination with partial pivoting on [A | b], n unknowns. */
static inline void lstsq_solve_dense(double *a, double *b, double *x, int n)
{
    for (int c = 0; c < n; c++) {
        int pivot = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r * n + c]) > fabs(a[pivot * n + c]))
                pivot = r;
        for (int k = 0; k < n; k++) {
            double t = a[c * n + k];
            a[c * n + k] = a[pivot * n + k];
            a[pivot * n + k] = t;
        }
        double t = b[c];
        b[c] = b[pivot];
        b[pivot] = t;
        for (int r = c + 1; r < n; r++) {
            double f = a[r * n + c] / a[c * n + c];
            for (int k = c; k < n; k++)
                a[r * n + k] -= f * a[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        double s = b[r];
        for (int k = r + 1; k < n; k++)
            s -= a[r * n + k] * x[k];
        x[r] = s / a[r * n + r];
    }
}

/* The independent answer over patches [first, first + count): theta (the
 * kh x kw weights row-major, then the bias) and the mean squared error,
 * from X. 'same' padding; targets from ops.c's reference loops. */
static inline void lstsq_fit(const lf_dataset *ds, int first, int count, const lf_op *target,
                             int kh, int kw, double *theta, double *loss)
{
    int side = ds->patch_size, p = kh * kw + 1, up = (kh - 1) / 2, left = (kw - 1) / 2;
    double *a = calloc((size_t)p * (size_t)p, sizeof(double));
    double *b = calloc((size_t)p, sizeof(double));
    double *row = malloc(sizeof(double) * (size_t)p);
    float *t = malloc(sizeof(float) * (size_t)side * (size_t)side);
    /* X's rows are kept to evaluate the loss afterwards. */
    size_t rows = (size_t)count * (size_t)side * (size_t)side;
    double *xs = malloc(sizeof(double) * rows * (size_t)p);
    double *ts = malloc(sizeof(double) * rows);
    size_t n = 0;
    for (int patch = first; patch < first + count; patch++) {
        int th, tw;
        lf_error err;
        assert_int_equal(lf_op_apply_reference(target, lf_dataset_clean(ds, patch), side, side, t,
                                               (size_t)side * (size_t)side, &th, &tw, &err),
                         LF_OK);
        const float *in = lf_dataset_input(ds, patch);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++, n++) {
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        int iy = y + i - up, ix = x + j - left;
                        row[i * kw + j] =
                            iy >= 0 && iy < side && ix >= 0 && ix < side ? in[iy * side + ix] : 0;
                    }
                row[p - 1] = 1;
                for (int r = 0; r < p; r++) {
                    for (int c = 0; c < p; c++)
                        a[r * p + c] += row[r] * row[c];
                    b[r] += row[r] * t[y * side + x];
                }
                memcpy(xs + n * (size_t)p, row, sizeof(double) * (size_t)p);
                ts[n] = t[y * side + x];
            }
    }
    lstsq_solve_dense(a, b, theta, p);
    double sse = 0;
    for (size_t k = 0; k < n; k++) {
        double out = 0;
        for (int r = 0; r < p; r++)
            out += xs[k * (size_t)p + (size_t)r] * theta[r];
        sse += (out - ts[k]) * (out - ts[k]);
    }
    *loss = sse / (double)n;
    free(a);
    free(b);
    free(row);
    free(t);
    free(xs);
    free(ts);
}

#endif

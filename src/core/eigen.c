/*
 * eigen.c: eigenvalues and eigenvectors of a symmetric matrix, in double.
 * See include/learnfilter/gramspec.h for what they are used for.
 *
 * Two solvers, as every fast routine here keeps a plain twin:
 *
 *   lf_eigen_symmetric_reference  cyclic Jacobi: plane rotations until the
 *       off-diagonal is gone. Short and hard to get wrong, but about 3 n^3
 *       multiply-adds a sweep over 6 to 10 sweeps.
 *   lf_eigen_symmetric  Householder reduction to a tridiagonal matrix, then
 *       implicit QR steps with Wilkinson's shift on it, the rotations
 *       gathered into the eigenvectors: about 9 n^3 in all, several times
 *       faster, and what a 32x32 kernel (1,025 parameters) needs.
 *
 * Both keep eigenvectors as rows (the transpose of the textbook's columns),
 * so every rotation and reflection runs along contiguous memory.
 */
#include "learnfilter/gramspec.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JACOBI_MAX_SWEEPS 60
/* QR steps allowed per eigenvalue; two or three is usual. */
#define QR_STEPS_PER_VALUE 30

static lf_status check_call(size_t values_capacity, size_t vectors_capacity, const double *a,
                            int n, int limit, lf_error *err)
{
    if (n < 1 || n > limit)
        return lf_fail(err, LF_ERR_ARGUMENT, "eigen: a %dx%d matrix, the solver takes 1..%d rows",
                       n, n, limit);
    const size_t nn = (size_t)n * (size_t)n;
    if (values_capacity < (size_t)n || vectors_capacity < nn)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "eigen: outputs hold %zu values and %zu vector entries, a %dx%d matrix "
                       "needs %d and %zu",
                       values_capacity, vectors_capacity, n, n, n, nn);
    for (int r = 0; r < n; r++)
        for (int c = r; c < n; c++)
            if (!isfinite(a[(size_t)r * n + c]))
                return lf_fail(err, LF_ERR_ARGUMENT, "eigen: entry (%d,%d) is not finite", r, c);
    return LF_OK;
}

/* Copies the upper triangle of a into the full symmetric w. */
static void symmetric_copy(double *w, const double *a, int n)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++)
            w[(size_t)r * n + c] = r <= c ? a[(size_t)r * n + c] : a[(size_t)c * n + r];
}

/* values[k], vectors row k from value[src] and rows[src], by decreasing
 * value. Selection sort: n is at most about a thousand and each move copies
 * a whole vector anyway. */
static lf_status sorted_output(double *values, double *vectors, const double *value,
                               const double *rows, int n, lf_error *err)
{
    int *order = malloc(sizeof(int) * (size_t)n);
    if (!order)
        return lf_fail(err, LF_ERR_NOMEM, "eigen: no memory for a %dx%d matrix", n, n);
    for (int k = 0; k < n; k++)
        order[k] = k;
    for (int k = 0; k < n; k++) {
        int best = k;
        for (int j = k + 1; j < n; j++)
            if (value[order[j]] > value[order[best]])
                best = j;
        int tmp = order[k];
        order[k] = order[best];
        order[best] = tmp;
    }
    for (int k = 0; k < n; k++) {
        values[k] = value[order[k]];
        memcpy(vectors + (size_t)k * n, rows + (size_t)order[k] * n, sizeof(double) * (size_t)n);
    }
    free(order);
    return LF_OK;
}

/* ================================================================ Jacobi */

/* Rotates rows and columns p and q of the full symmetric n x n matrix a by
 * (c, s), and rows p and q of vt (the eigenvectors so far, as rows) the same
 * way, so that vt^T a vt stays the original matrix. */
static void jacobi_rotate(double *a, double *vt, int n, int p, int q, double c, double s)
{
    for (int k = 0; k < n; k++) {
        double kp = a[(size_t)k * n + p], kq = a[(size_t)k * n + q];
        a[(size_t)k * n + p] = c * kp - s * kq;
        a[(size_t)k * n + q] = s * kp + c * kq;
    }
    double *rp = a + (size_t)p * n, *rq = a + (size_t)q * n;
    double *vp = vt + (size_t)p * n, *vq = vt + (size_t)q * n;
    for (int k = 0; k < n; k++) {
        double pk = rp[k], qk = rq[k];
        rp[k] = c * pk - s * qk;
        rq[k] = s * pk + c * qk;
        double vpk = vp[k], vqk = vq[k];
        vp[k] = c * vpk - s * vqk;
        vq[k] = s * vpk + c * vqk;
    }
}

/* One cyclic sweep over the pairs p < q; returns the rotations made. An
 * off-diagonal entry too small to change either diagonal entry it couples
 * is set to zero instead of rotated: once every one is, the sweep makes no
 * rotation and the diagonal is the answer to rounding. */
static long jacobi_sweep(double *a, double *vt, int n)
{
    long rotations = 0;
    for (int p = 0; p < n - 1; p++)
        for (int q = p + 1; q < n; q++) {
            double apq = a[(size_t)p * n + q];
            if (apq == 0)
                continue;
            double app = a[(size_t)p * n + p], aqq = a[(size_t)q * n + q];
            double g = 1e3 * fabs(apq);
            if (fabs(app) + g == fabs(app) && fabs(aqq) + g == fabs(aqq)) {
                a[(size_t)p * n + q] = a[(size_t)q * n + p] = 0;
                continue;
            }
            /* The smaller root t of t^2 + 2 theta t - 1 = 0 (|angle| <=
             * pi/4) zeroes a[p][q] and moves the matrix least. */
            double theta = (aqq - app) / (2 * apq);
            double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1));
            double c = 1 / sqrt(t * t + 1), s = t * c;
            jacobi_rotate(a, vt, n, p, q, c, s);
            a[(size_t)p * n + q] = a[(size_t)q * n + p] = 0;
            rotations++;
        }
    return rotations;
}

lf_status lf_eigen_symmetric_reference(double *values, size_t values_capacity, double *vectors,
                                       size_t vectors_capacity, const double *a, int n,
                                       lf_error *err)
{
    lf_status st =
        check_call(values_capacity, vectors_capacity, a, n, LF_EIGEN_REFERENCE_MAX_SIZE, err);
    if (st != LF_OK)
        return st;
    const size_t nn = (size_t)n * (size_t)n;
    double *w = malloc(sizeof(double) * (nn * 2 + (size_t)n));
    if (!w)
        return lf_fail(err, LF_ERR_NOMEM, "eigen: no memory for a %dx%d matrix", n, n);
    double *vt = w + nn, *diag = vt + nn;
    symmetric_copy(w, a, n);
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++)
            vt[(size_t)r * n + c] = r == c;
    int sweep = 0;
    while (sweep < JACOBI_MAX_SWEEPS && jacobi_sweep(w, vt, n) > 0)
        sweep++;
    if (sweep == JACOBI_MAX_SWEEPS) {
        free(w);
        return lf_fail(err, LF_ERR_ARGUMENT, "eigen: no convergence in %d sweeps",
                       JACOBI_MAX_SWEEPS);
    }
    for (int k = 0; k < n; k++)
        diag[k] = w[(size_t)k * n + k];
    st = sorted_output(values, vectors, diag, vt, n, err);
    free(w);
    return st;
}

/* ===================================================== tridiagonal + QR */

/* Reduces the full symmetric w to tridiagonal form T = Q^T w Q by
 * Householder reflections H = I - 2 v v^T, one per column; leaves T's
 * diagonal in d, its off-diagonal in e (n-1 values) and Q^T in qt. v is n
 * doubles of scratch, u n more. */
static void tridiagonalise(double *w, double *qt, double *d, double *e, double *v, double *u, int n)
{
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++)
            qt[(size_t)r * n + c] = r == c;
    for (int k = 0; k + 2 < n; k++) {
        /* The reflection maps x = w[k+1.., k] onto alpha e_1. Choosing
         * alpha's sign opposite to x_0 keeps v = x - alpha e_1 free of
         * cancellation. */
        const int m = n - k - 1;
        double norm = 0;
        for (int i = 0; i < m; i++) {
            v[i] = w[(size_t)(k + 1 + i) * n + k];
            norm += v[i] * v[i];
        }
        norm = sqrt(norm);
        double alpha = v[0] > 0 ? -norm : norm;
        v[0] -= alpha;
        double vnorm = 0;
        for (int i = 0; i < m; i++)
            vnorm += v[i] * v[i];
        if (vnorm == 0)
            continue; /* the column is already reduced */
        vnorm = sqrt(vnorm);
        for (int i = 0; i < m; i++)
            v[i] /= vnorm;
        /* H B H = B - 2 v q^T - 2 q v^T on the trailing block B, with
         * p = B v and q = p - (v . p) v. */
        double vp = 0;
        for (int i = 0; i < m; i++) {
            const double *row = w + (size_t)(k + 1 + i) * n + k + 1;
            double s = 0;
            for (int j = 0; j < m; j++)
                s += row[j] * v[j];
            u[i] = s;
            vp += v[i] * s;
        }
        for (int i = 0; i < m; i++)
            u[i] -= vp * v[i];
        for (int i = 0; i < m; i++) {
            double *row = w + (size_t)(k + 1 + i) * n + k + 1;
            for (int j = 0; j < m; j++)
                row[j] -= 2 * (v[i] * u[j] + u[i] * v[j]);
        }
        w[(size_t)(k + 1) * n + k] = w[(size_t)k * n + k + 1] = alpha;
        for (int i = 1; i < m; i++)
            w[(size_t)(k + 1 + i) * n + k] = w[(size_t)k * n + k + 1 + i] = 0;
        /* Q <- Q H, that is Q^T <- H Q^T: rows k+1.. of qt. */
        for (int c = 0; c < n; c++)
            u[c] = 0;
        for (int i = 0; i < m; i++) {
            const double *row = qt + (size_t)(k + 1 + i) * n;
            for (int c = 0; c < n; c++)
                u[c] += v[i] * row[c];
        }
        for (int i = 0; i < m; i++) {
            double *row = qt + (size_t)(k + 1 + i) * n;
            for (int c = 0; c < n; c++)
                row[c] -= 2 * v[i] * u[c];
        }
    }
    for (int i = 0; i < n; i++)
        d[i] = w[(size_t)i * n + i];
    for (int i = 0; i + 1 < n; i++)
        e[i] = w[(size_t)(i + 1) * n + i];
}

/* Rotates rows k and k+1 of zt (eigenvectors as rows) by (c, s). */
static void rotate_rows(double *zt, int n, int k, double c, double s)
{
    double *a = zt + (size_t)k * n, *b = a + n;
    for (int i = 0; i < n; i++) {
        double x = a[i], y = b[i];
        a[i] = c * x - s * y;
        b[i] = s * x + c * y;
    }
}

/* One implicit QR step with Wilkinson's shift on the unreduced block
 * lo..hi of the tridiagonal (d, e): a rotation in plane (lo, lo+1) that the
 * shift chooses, then rotations that chase the bulge it makes down to the
 * bottom. Each is also applied to zt. */
static void qr_step(double *d, double *e, double *zt, int n, int lo, int hi)
{
    /* The eigenvalue of the trailing 2x2 block nearer its last entry. */
    double delta = (d[hi - 1] - d[hi]) / 2, f = e[hi - 1];
    double mu = d[hi] - f * f / (delta + copysign(hypot(delta, f), delta));
    double x = d[lo] - mu, z = e[lo];
    for (int k = lo; k < hi; k++) {
        /* G = [c s; -s c] in plane (k, k+1) with G^T (x, z) = (r, 0). */
        double r = hypot(x, z);
        double c = r > 0 ? x / r : 1, s = r > 0 ? -z / r : 0;
        if (k > lo)
            e[k - 1] = r; /* the bulge folded back into the band */
        double a = d[k], b = d[k + 1], g = e[k];
        d[k] = a * c * c - 2 * g * c * s + b * s * s;
        d[k + 1] = a * s * s + 2 * g * c * s + b * c * c;
        e[k] = (a - b) * c * s + g * (c * c - s * s);
        if (k + 1 < hi) {
            /* The rotation pushes e[k+1] partly out of the band: a bulge
             * at (k, k+2) for the next rotation to remove. */
            z = -s * e[k + 1];
            e[k + 1] *= c;
            x = e[k];
        }
        rotate_rows(zt, n, k, c, s);
    }
}

lf_status lf_eigen_symmetric(double *values, size_t values_capacity, double *vectors,
                             size_t vectors_capacity, const double *a, int n, lf_error *err)
{
    lf_status st = check_call(values_capacity, vectors_capacity, a, n, LF_EIGEN_MAX_SIZE, err);
    if (st != LF_OK)
        return st;
    const size_t nn = (size_t)n * (size_t)n;
    double *w = malloc(sizeof(double) * (2 * nn + 4 * (size_t)n));
    if (!w)
        return lf_fail(err, LF_ERR_NOMEM, "eigen: no memory for a %dx%d matrix", n, n);
    double *zt = w + nn, *d = zt + nn, *e = d + n, *v = e + n, *u = v + n;
    symmetric_copy(w, a, n);
    tridiagonalise(w, zt, d, e, v, u, n);
    long steps = 0;
    const long max_steps = (long)QR_STEPS_PER_VALUE * n;
    int hi = n - 1;
    while (hi > 0) {
        /* An off-diagonal entry below rounding of its neighbours splits the
         * matrix; the bottom one converges first and is dropped. */
        if (fabs(e[hi - 1]) <= DBL_EPSILON * (fabs(d[hi - 1]) + fabs(d[hi]))) {
            e[hi - 1] = 0;
            hi--;
            continue;
        }
        int lo = hi - 1;
        while (lo > 0 && fabs(e[lo - 1]) > DBL_EPSILON * (fabs(d[lo - 1]) + fabs(d[lo])))
            lo--;
        if (lo > 0)
            e[lo - 1] = 0;
        if (++steps > max_steps) {
            free(w);
            return lf_fail(err, LF_ERR_ARGUMENT, "eigen: no convergence in %ld QR steps",
                           max_steps);
        }
        qr_step(d, e, zt, n, lo, hi);
    }
    st = sorted_output(values, vectors, d, zt, n, err);
    free(w);
    return st;
}

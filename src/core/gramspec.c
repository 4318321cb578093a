/*
 * gramspec.c: eigen-directions of the mean Gram matrix, where the error lies
 * among them, and how long gradient descent needs to remove it.
 * See include/learnfilter/gramspec.h.
 */
#include "learnfilter/gramspec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"

/* ======================================================== mean Gram matrix */

lf_status lf_gram_mean(double *a, size_t capacity, const float *const *grams, int count, int p,
                       double area, lf_error *err)
{
    if (count < 1 || p < 1 || !grams)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "gram mean: %d matrices of %d parameters, need at least one of one", count,
                       p);
    if (!(area > 0))
        return lf_fail(err, LF_ERR_ARGUMENT, "gram mean: output area %g is not positive", area);
    if (capacity < (size_t)p * (size_t)p)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "gram mean: output holds %zu values, a %dx%d matrix needs %zu", capacity,
                       p, p, (size_t)p * (size_t)p);
    for (int i = 0; i < count; i++)
        if (!grams[i])
            return lf_fail(err, LF_ERR_ARGUMENT, "gram mean: matrix %d is missing", i);
    memset(a, 0, sizeof(double) * (size_t)p * (size_t)p);
    for (int i = 0; i < count; i++)
        for (int r = 0; r < p; r++)
            for (int c = r; c < p; c++)
                a[(size_t)r * p + c] += grams[i][lf_gram_packed_index(p, r, c)];
    const double scale = 1.0 / (count * area);
    for (int r = 0; r < p; r++)
        for (int c = r; c < p; c++)
            a[(size_t)c * p + r] = a[(size_t)r * p + c] *= scale;
    return LF_OK;
}

lf_status lf_gram_mean_of_patches(double *a, size_t capacity, const float *const *patches,
                                  int count, const lf_conv_shape *shape, lf_error *err)
{
    if (shape->out_height < 1 || shape->out_width < 1 || shape->k_height < 1 ||
        shape->k_width < 1 || shape->k_height > LF_GRAM_MAX_SIDE ||
        shape->k_width > LF_GRAM_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "gram mean: a %dx%d kernel on %dx%d patches gives no output or is over "
                       "the %d limit",
                       shape->k_height, shape->k_width, shape->in_height, shape->in_width,
                       LF_GRAM_MAX_SIDE);
    const int p = lf_gram_size(shape);
    if (count < 1 || !patches)
        return lf_fail(err, LF_ERR_ARGUMENT, "gram mean: %d patches, need at least one", count);
    if (capacity < (size_t)p * (size_t)p)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "gram mean: output holds %zu values, a %dx%d matrix needs %zu", capacity,
                       p, p, (size_t)p * (size_t)p);
    for (int i = 0; i < count; i++)
        if (!patches[i])
            return lf_fail(err, LF_ERR_ARGUMENT, "gram mean: patch %d is missing", i);
    size_t packed_count = lf_gram_packed_count(p);
    size_t work_bytes = lf_gram_work_bytes(shape->in_height, shape->in_width, shape->k_width);
    float *packed = malloc(sizeof(float) * packed_count);
    void *work = malloc(work_bytes);
    if (!packed || !work) {
        free(packed);
        free(work);
        return lf_fail(err, LF_ERR_NOMEM, "gram mean: no memory for %d parameters", p);
    }
    memset(a, 0, sizeof(double) * (size_t)p * (size_t)p);
    for (int i = 0; i < count; i++) {
        if (lf_gram_compute(packed, packed_count, work, work_bytes, patches[i], shape) != LF_OK) {
            free(packed);
            free(work);
            return lf_fail(err, LF_ERR_ARGUMENT, "gram mean: a %dx%d kernel is beyond the "
                           "statistics' limit", shape->k_height, shape->k_width);
        }
        for (int r = 0; r < p; r++)
            for (int c = r; c < p; c++)
                a[(size_t)r * p + c] += packed[lf_gram_packed_index(p, r, c)];
    }
    const double scale = 1.0 / ((double)count * shape->out_height * shape->out_width);
    for (int r = 0; r < p; r++)
        for (int c = r; c < p; c++)
            a[(size_t)c * p + r] = a[(size_t)r * p + c] *= scale;
    free(packed);
    free(work);
    return LF_OK;
}

lf_status lf_gramspec_delta(double *d, size_t capacity, const float *params, const float *truth,
                            int taps, lf_error *err)
{
    if (taps < 1 || capacity < (size_t)taps + 1)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "gram delta: %d taps and a bias into %zu values", taps, capacity);
    for (int i = 0; i < taps; i++)
        d[i] = (double)params[i] - truth[i];
    d[taps] = params[taps];
    return LF_OK;
}

/* ============================================================== the split */

lf_status lf_gramspec_split(lf_direction_split *split, double *coefficients, size_t capacity,
                            const double *values, const double *vectors, int n, const double *d,
                            double threshold, lf_error *err)
{
    if (n < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "direction split: %d directions", n);
    if (!(threshold >= 0 && threshold <= 1))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "direction split: threshold %g is outside [0, 1]", threshold);
    if (coefficients && capacity < (size_t)n)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "direction split: coefficients hold %zu values, %d directions", capacity,
                       n);
    double top = values[0];
    for (int k = 1; k < n; k++)
        top = values[k] > top ? values[k] : top;
    *split = (lf_direction_split){.threshold = threshold, .value_max = top};
    for (int k = 0; k < n; k++) {
        double c = 0;
        for (int i = 0; i < n; i++)
            c += vectors[(size_t)k * n + i] * d[i];
        if (coefficients)
            coefficients[k] = c;
        double e = c * c, l = values[k] * e;
        split->error_sq += e;
        split->loss += l;
        if (values[k] >= threshold * top) {
            split->excited++;
            split->error_sq_excited += e;
            split->loss_excited += l;
        } else {
            split->weak++;
            split->error_sq_weak += e;
            split->loss_weak += l;
        }
    }
    return LF_OK;
}

/* ======================================================== step estimate */

double lf_descent_rate(double h, const lf_descent_model *m)
{
    /* One step on a direction of curvature h, error c and velocity v:
     *   v' = mu v + h c
     *   c' = c - lr v'                        (plain)
     *   c' = c - lr (h c + mu v')             (Nesterov)
     * a linear map on (c, v) whose larger eigenvalue modulus is the rate. */
    const double lr = m->learning_rate, mu = m->momentum;
    double m11, m12;
    if (m->nesterov) {
        m11 = 1 - lr * h * (1 + mu);
        m12 = -lr * mu * mu;
    } else {
        m11 = 1 - lr * h;
        m12 = -lr * mu;
    }
    const double m21 = h, m22 = mu;
    double tr = m11 + m22, det = m11 * m22 - m12 * m21;
    double disc = tr * tr - 4 * det;
    if (disc < 0)
        return sqrt(det); /* a complex pair: |z|^2 = det */
    double root = sqrt(disc);
    double a = fabs(tr + root) / 2, b = fabs(tr - root) / 2;
    return a > b ? a : b;
}

/* Modelled squared error after t steps. */
static double error_sq_after(const double *rate, const double *coef, int n, double t)
{
    double e = 0;
    for (int k = 0; k < n; k++)
        if (coef[k] != 0)
            e += coef[k] * coef[k] * (rate[k] == 0 ? (t == 0) : pow(rate[k], 2 * t));
    return e;
}

lf_status lf_descent_estimate_steps(lf_descent_estimate *est, const double *values,
                                    const double *coefficients, int n,
                                    const lf_descent_model *m, lf_error *err)
{
    if (n < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "step estimate: %d directions", n);
    if (!(m->learning_rate > 0) || !(m->tolerance > 0) || !(m->reference_norm > 0))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "step estimate: learning rate %g, tolerance %g and reference %g must be "
                       "positive",
                       m->learning_rate, m->tolerance, m->reference_norm);
    if (!(m->momentum >= 0 && m->momentum < 1))
        return lf_fail(err, LF_ERR_ARGUMENT, "step estimate: momentum %g is outside [0, 1)",
                       m->momentum);
    double *rate = malloc(sizeof(double) * (size_t)n);
    if (!rate)
        return lf_fail(err, LF_ERR_NOMEM, "step estimate: no memory for %d directions", n);
    const long cap = m->max_steps > 0 ? m->max_steps : 1000000000000L;
    const double target = m->tolerance * m->reference_norm * m->tolerance * m->reference_norm;
    *est = (lf_descent_estimate){.slowest = -1};
    double frozen = 0; /* error in directions that never decay */
    for (int k = 0; k < n; k++) {
        /* A Gram matrix has no negative eigenvalue; one a little below zero
         * is rounding, and would otherwise read as a direction that grows. */
        rate[k] = lf_descent_rate(values[k] > 0 ? 2 * values[k] : 0, m);
        if (coefficients[k] == 0)
            continue;
        if (est->slowest < 0 || rate[k] > est->slowest_rate) {
            est->slowest = k;
            est->slowest_rate = rate[k];
        }
        if (rate[k] > 1)
            est->diverges = true;
        else if (rate[k] == 1)
            frozen += coefficients[k] * coefficients[k];
    }
    double now = error_sq_after(rate, coefficients, n, 0);
    est->rel_error = sqrt(now) / m->reference_norm;
    est->stalls = frozen > target;
    if (now <= target) {
        est->steps = 0;
    } else if (est->diverges || est->stalls || error_sq_after(rate, coefficients, n, (double)cap) > target) {
        est->steps = -1;
    } else {
        /* The modelled error only falls (every rate is at most 1), so the
         * first step at or under the target is found by bisection between a
         * step above it and one at or under it, doubling to find the latter. */
        long above = 0, below = 1;
        while (error_sq_after(rate, coefficients, n, (double)below) > target) {
            above = below;
            below = below > cap / 2 ? cap : below * 2;
        }
        while (below - above > 1) {
            long mid = above + (below - above) / 2;
            if (error_sq_after(rate, coefficients, n, (double)mid) > target)
                above = mid;
            else
                below = mid;
        }
        est->steps = below;
    }
    free(rate);
    return LF_OK;
}

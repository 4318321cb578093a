/*
 * bestfit.c: the best linear filter for a target, by the normal equations.
 * See include/learnfilter/bestfit.h.
 *
 * Per patch: G_p from gram.c (the statistics the trainer builds too), b_p =
 * X^T t from the weight gradient of conv.c with the target in place of the
 * output gradient (sum over pixels of t(y) times the input under tap i,
 * and of t(y) for the bias), and t^T t. Sums over patches run in double;
 * the solve is a Cholesky factorisation in double. Each patch's share is
 * added as soon as it is made, so only one target is held at a time: given
 * an operation, its memory does not grow with the set, and it sums exactly
 * what the same targets made beforehand would (the same values in the same
 * order).
 */
#include "learnfilter/bestfit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"

bool lf_solve_spd(double *a, double *x, const double *b, int n, double ridge, bool *regularised)
{
    *regularised = false;
    double *saved = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!saved)
        return false;
    memcpy(saved, a, sizeof(double) * (size_t)n * (size_t)n);
    double mean_diag = 0;
    for (int i = 0; i < n; i++)
        mean_diag += a[i * n + i];
    mean_diag = n > 0 ? mean_diag / n : 0;
    /* A pivot this small relative to the diagonal is rounding, not data. */
    double floor = 1e-12 * (mean_diag > 0 ? mean_diag : 1);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (attempt == 1) {
            memcpy(a, saved, sizeof(double) * (size_t)n * (size_t)n);
            for (int i = 0; i < n; i++)
                a[i * n + i] += ridge * (mean_diag > 0 ? mean_diag : 1);
            *regularised = true;
        }
        bool ok = true;
        /* A = L L^T, L in the lower triangle of a. */
        for (int j = 0; j < n && ok; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++)
                d -= a[j * n + k] * a[j * n + k];
            if (!(d > floor)) {
                ok = false;
                break;
            }
            double l = sqrt(d);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++)
                    s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / l;
            }
        }
        if (!ok)
            continue;
        /* L y = b, then L^T x = y. */
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++)
                s -= a[i * n + k] * x[k];
            x[i] = s / a[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double s = x[i];
            for (int k = i + 1; k < n; k++)
                s -= a[k * n + i] * x[k];
            x[i] = s / a[i * n + i];
        }
        free(saved);
        return true;
    }
    free(saved);
    return false;
}

/* The pieces of the normal equations, summed over patches. */
typedef struct normal_sums {
    int p;          /* taps + 1 */
    double *g;      /* p x p, full */
    double *b;      /* p */
    double tt;      /* sum of t^2 */
    long values;
} normal_sums;

/* Where the targets come from: an operation applied to each clean patch,
 * or targets already made (patch i's at targets + i * stride). */
typedef struct target_source {
    const lf_op *op;
    const float *targets;
    size_t stride, capacity;
} target_source;

static lf_status accumulate(normal_sums *sums, const lf_dataset *ds, int first, int count,
                            const target_source *source, const lf_conv_shape *shape,
                            lf_error *err)
{
    const int side = ds->patch_size, p = sums->p;
    const size_t out_count = (size_t)shape->out_height * (size_t)shape->out_width;
    size_t packed_count = lf_gram_packed_count(p);
    size_t work_bytes = lf_gram_work_bytes(side, side, shape->k_width);
    float *packed = malloc(sizeof(float) * packed_count);
    void *work = malloc(work_bytes);
    float *t = malloc(sizeof(float) * out_count);
    float *bp = malloc(sizeof(float) * (size_t)p);
    /* one scratch for every patch's operation, not one allocation each */
    size_t op_bytes = source->op ? lf_op_work_bytes(source->op, side, side) : 0;
    void *op_work = op_bytes ? malloc(op_bytes) : NULL;
    lf_status st = LF_OK;
    if (!packed || !work || !t || !bp || (op_bytes && !op_work))
        st = lf_fail(err, LF_ERR_NOMEM, "no memory for the best-filter statistics");
    for (int i = 0; i < count && st == LF_OK; i++) {
        int patch = first + i;
        int th = shape->out_height, tw = shape->out_width;
        if (source->op) {
            st = lf_op_apply_work(source->op, lf_dataset_clean(ds, patch), side, side, t,
                                  out_count, &th, &tw, op_work, op_bytes, err);
            if (st != LF_OK)
                break;
        } else {
            memcpy(t, source->targets + (size_t)patch * source->stride,
                   sizeof(float) * out_count);
        }
        if (th != shape->out_height || tw != shape->out_width) {
            st = lf_fail(err, LF_ERR_ARGUMENT,
                         "the target is %dx%d per patch but the layer's output is %dx%d", th, tw,
                         shape->out_height, shape->out_width);
            break;
        }
        const float *in = lf_dataset_input(ds, patch);
        st = lf_gram_compute(packed, packed_count, work, work_bytes, in, shape);
        if (st != LF_OK) {
            st = lf_fail(err, LF_ERR_ARGUMENT, "a %dx%d kernel is beyond the statistics' limit",
                         shape->k_height, shape->k_width);
            break;
        }
        for (int r = 0; r < p; r++)
            for (int c = r; c < p; c++) {
                double v = packed[lf_gram_packed_index(p, r, c)];
                sums->g[r * p + c] += v;
                if (c != r)
                    sums->g[c * p + r] += v;
            }
        memset(bp, 0, sizeof(float) * (size_t)p);
        conv2d_backward_weights(bp, bp + p - 1, t, in, shape);
        for (int r = 0; r < p; r++)
            sums->b[r] += bp[r];
        double tt = 0;
        for (size_t k = 0; k < out_count; k++)
            tt += (double)t[k] * t[k];
        sums->tt += tt;
        sums->values += (long)out_count;
    }
    free(packed);
    free(work);
    free(t);
    free(bp);
    free(op_work);
    return st;
}

static lf_status best_fit(lf_best_fit *fit, const lf_dataset *ds, int first, int count,
                          const target_source *source, int kernel_h, int kernel_w,
                          lf_padding padding, float *weights, size_t weight_capacity,
                          lf_error *err)
{
    memset(fit, 0, sizeof *fit);
    if (kernel_h < 1 || kernel_w < 1 || kernel_h > LF_GRAM_MAX_SIDE ||
        kernel_w > LF_GRAM_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "a %dx%d kernel is outside 1..%d a side", kernel_h,
                       kernel_w, LF_GRAM_MAX_SIDE);
    if ((size_t)kernel_h * (size_t)kernel_w > weight_capacity)
        return lf_fail(err, LF_ERR_ARGUMENT, "%zu weights do not hold a %dx%d kernel",
                       weight_capacity, kernel_h, kernel_w);
    if (first < 0 || count < 1 || first + count > ds->patch_count)
        return lf_fail(err, LF_ERR_ARGUMENT, "patches %d..%d are outside the %d there are", first,
                       first + count - 1, ds->patch_count);
    lf_conv_shape shape =
        lf_conv_shape_make(ds->patch_size, ds->patch_size, kernel_h, kernel_w, padding);
    if (shape.out_height < 1 || shape.out_width < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "a %dx%d kernel does not fit a %d-pixel patch",
                       kernel_h, kernel_w, ds->patch_size);
    lf_status st = LF_OK;
    int th = shape.out_height, tw = shape.out_width;
    if (source->op) {
        st = lf_op_validate(source->op, err);
        if (st != LF_OK)
            return st;
        lf_op_output_size(source->op, ds->patch_size, ds->patch_size, &th, &tw);
    } else if (source->stride < (size_t)th * (size_t)tw ||
               (size_t)(first + count - 1) * source->stride + (size_t)th * (size_t)tw >
                   source->capacity) {
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "%zu target values do not hold patches %d..%d of %dx%d", source->capacity,
                       first, first + count - 1, th, tw);
    }
    if (th != shape.out_height || tw != shape.out_width)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the target is %dx%d per patch but the layer's output is %dx%d", th, tw,
                       shape.out_height, shape.out_width);
    int p = kernel_h * kernel_w + 1;
    normal_sums sums = {.p = p};
    sums.g = calloc((size_t)p * (size_t)p, sizeof(double));
    sums.b = calloc((size_t)p, sizeof(double));
    double *theta = calloc((size_t)p, sizeof(double));
    double *a = malloc(sizeof(double) * (size_t)p * (size_t)p);
    if (!sums.g || !sums.b || !theta || !a)
        st = lf_fail(err, LF_ERR_NOMEM, "no memory for a %dx%d best filter", kernel_h, kernel_w);
    if (st == LF_OK)
        st = accumulate(&sums, ds, first, count, source, &shape, err);
    if (st == LF_OK) {
        memcpy(a, sums.g, sizeof(double) * (size_t)p * (size_t)p);
        if (!lf_solve_spd(a, theta, sums.b, p, 1e-9, &fit->regularised))
            st = lf_fail(err, LF_ERR_ARGUMENT,
                         "the patches do not determine a best %dx%d filter (all flat?)", kernel_h,
                         kernel_w);
    }
    if (st == LF_OK) {
        /* The loss at theta from its definition, t^T t - 2 theta^T b +
         * theta^T G theta, which holds with or without the ridge. */
        double quad = 0, lin = 0;
        for (int r = 0; r < p; r++) {
            double row = 0;
            for (int c = 0; c < p; c++)
                row += sums.g[r * p + c] * theta[c];
            quad += theta[r] * row;
            lin += theta[r] * sums.b[r];
        }
        double sse = sums.tt - 2 * lin + quad;
        fit->kernel_h = kernel_h;
        fit->kernel_w = kernel_w;
        fit->values = sums.values;
        fit->loss = (sse > 0 ? sse : 0) / (double)sums.values;
        fit->target_mean_square = sums.tt / (double)sums.values;
        for (int i = 0; i < p - 1; i++)
            weights[i] = (float)theta[i];
        fit->bias = (float)theta[p - 1];
    }
    free(sums.g);
    free(sums.b);
    free(theta);
    free(a);
    return st;
}

lf_status lf_best_fit_compute(lf_best_fit *fit, const lf_dataset *ds, int first, int count,
                              const lf_op *target, int kernel_h, int kernel_w,
                              lf_padding padding, float *weights, size_t weight_capacity,
                              lf_error *err)
{
    target_source source = {.op = target};
    return best_fit(fit, ds, first, count, &source, kernel_h, kernel_w, padding, weights,
                    weight_capacity, err);
}

lf_status lf_best_fit_from_targets(lf_best_fit *fit, const lf_dataset *ds, int first, int count,
                                   const float *targets, size_t stride, size_t capacity,
                                   int kernel_h, int kernel_w, lf_padding padding,
                                   float *weights, size_t weight_capacity, lf_error *err)
{
    target_source source = {.targets = targets, .stride = stride, .capacity = capacity};
    return best_fit(fit, ds, first, count, &source, kernel_h, kernel_w, padding, weights,
                    weight_capacity, err);
}

/*
 * engine_gram.c: the statistics engine (see gram.h).
 *
 * For a linear layer the loss of a patch is quadratic in the parameters:
 * with d = theta - theta* (the distance to the answer), loss = d^T G d and
 * its gradient 2 G d, where G is the patch's Gram matrix of shifted inputs.
 * So the forward pass, the loss and the backward pass of a patch are one
 * product G d, with G computed once per patch and kept. It needs the true
 * answer to be the layer itself applied to the same inputs, so it stands
 * aside when the inputs carry noise, and when the matrices would not fit
 * in LF_GRAM_MAX_BYTES.
 *
 * A layer of F filters over the same input has one G per patch too: each
 * filter's loss is d_f^T G d_f with its own d_f, so one matrix serves them
 * all, applied F times. With several channels or a stride, G is over the
 * layer's windows (C kh kw + 1 features, gram_layer.c).
 */
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"
#include "trainer_internal.h"

static void gram_release(lf_trainer *t)
{
    free(t->grams);
    free(t->gram_ready);
    free(t->gram_work);
    t->grams = NULL;
    t->gram_ready = NULL;
    t->gram_work = NULL;
    t->gram_params = 0;
}

static bool gram_prepare(lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    const bool windows = trainer_gram_by_windows(t);
    const int p = windows ? lf_gram_layer_size(&t->layer) : lf_gram_size(&t->shape);
    const double bytes = (double)ds->patch_count * lf_gram_packed_count(p) * sizeof(float);
    bool wanted = t->options.engine != LF_ENGINE_DIRECT && ds->inputs == ds->clean &&
                  bytes <= (double)LF_GRAM_MAX_BYTES;
    if (!wanted) {
        gram_release(t);
        return false;
    }
    if (t->gram_params == p && t->grams)
        return true;
    gram_release(t);
    t->grams = malloc((size_t)bytes);
    t->gram_ready = calloc((size_t)ds->patch_count, 1);
    /* One scratch per thread, each a whole number of cache lines so every
     * one stays aligned for double and threads share no line. */
    size_t work = windows ? sizeof(double) * lf_gram_layer_work_doubles(&t->layer)
                          : lf_gram_work_bytes(ds->patch_size, ds->patch_size,
                                               t->options.target.width);
    t->gram_work_stride = (work + 63) / 64 * 64;
    t->gram_work = malloc(t->gram_work_stride * (size_t)t->threads);
    if (!t->grams || !t->gram_ready || !t->gram_work) {
        gram_release(t); /* not enough memory: the direct path needs none */
        return false;
    }
    t->gram_params = p;
    return true;
}

/* A patch of the batch without its G yet: build it together with the next
 * ones of the epoch that lack theirs, one per thread. (Building ahead only
 * when the batch needs it keeps the builds in groups; topping up one patch
 * ahead every step would build them one at a time.) */
static void gram_targets(lf_trainer *t, const int *patches, int batch)
{
    bool missing = false;
    for (int b = 0; b < batch; b++)
        missing = missing || !t->gram_ready[patches[b]];
    if (!missing)
        return;
    int left = t->dataset->train_count - t->state.cursor;
    int ahead = batch > t->threads ? batch : t->threads;
    if (ahead > left)
        ahead = left;
    trainer_build_missing(t, patches, ahead, BUILD_GRAMS);
}

/* d = theta - theta*, the distance to the answer in parameter space. */
static void compute_delta(lf_trainer *t)
{
    const int taps = t->param_count - 1;
    const float *params = t->state.params;
    for (int i = 0; i < taps; i++)
        t->delta[i] = params[i] - t->options.target.weights[i];
    t->delta[taps] = params[taps];
}

/* G d for one patch, by row blocks when G is large: each block into its own
 * vector, on whichever thread, then summed in block order. */
typedef struct apply_job {
    lf_trainer *t;
    const float *gram;
    int bounds[GRAM_BLOCKS + 1];
} apply_job;

static void apply_run(void *context, int b, int thread)
{
    (void)thread;
    apply_job *job = context;
    lf_trainer *t = job->t;
    const int p = t->param_count;
    float *y = t->gram_blocks + (size_t)b * MAX_PARAMS;
    memset(y, 0, sizeof(float) * (size_t)p);
    lf_gram_apply_rows(y, job->gram, t->delta, p, job->bounds[b], job->bounds[b + 1]);
}

/* Adds scale * G d to the gradient for one patch and returns d^T G d. */
static double gram_apply_patch(lf_trainer *t, const float *gram, float scale)
{
    const int p = t->param_count;
    if (p < GRAM_SPLIT_MIN_PARAMS)
        return lf_gram_apply(t->grads, t->gram_work_vector, gram, t->delta, p, scale);
    apply_job job = {.t = t, .gram = gram};
    const int blocks =
        lf_gram_split(p, GRAM_BLOCKS, job.bounds, (int)(sizeof job.bounds / sizeof job.bounds[0]));
    lf_pool_for(t->pool, blocks, apply_run, &job);
    float *y = t->gram_work_vector;
    memcpy(y, t->gram_blocks, sizeof(float) * (size_t)p);
    for (int b = 1; b < blocks; b++) {
        const float *part = t->gram_blocks + (size_t)b * MAX_PARAMS;
        for (int i = 0; i < p; i++)
            y[i] += part[i];
    }
    return lf_gram_apply_finish(t->grads, y, t->delta, p, scale);
}

/* Filter f's d = (w_f - k_f, b_f) into t->delta. */
static void compute_filter_delta(lf_trainer *t, int f)
{
    const int taps = t->gram_params - 1;
    const float *w = t->state.params + (size_t)f * taps;
    const float *k = t->options.target.weights + (size_t)f * taps;
    for (int i = 0; i < taps; i++)
        t->delta[i] = w[i] - k[i];
    t->delta[taps] = t->state.params[t->weight_count + f];
}

/* Several filters: for each, scale * G d_f into its weights' and bias's
 * gradients (gathered in gram_blocks, which the one-filter split path
 * alone uses otherwise); returns the sum of d_f^T G d_f. */
static double gram_apply_filters(lf_trainer *t, const float *gram, float scale)
{
    const int p = t->gram_params, taps = p - 1;
    float *g = t->gram_blocks;
    double loss = 0;
    for (int f = 0; f < t->filters; f++) {
        compute_filter_delta(t, f);
        memset(g, 0, sizeof(float) * (size_t)p);
        loss += lf_gram_apply(g, t->gram_work_vector, gram, t->delta, p, scale);
        float *wg = t->grads + (size_t)f * taps;
        for (int i = 0; i < taps; i++)
            wg[i] += g[i];
        t->grads[t->weight_count + f] += g[taps];
    }
    return loss;
}

static double gram_forward_backward(lf_trainer *t, const int *patches, int batch, float scale)
{
    if (t->filters > 1) {
        double loss = 0;
        for (int b = 0; b < batch; b++)
            loss += gram_apply_filters(t, trainer_gram_slot(t, patches[b]), scale);
        return loss;
    }
    compute_delta(t);
    double loss = 0;
    for (int b = 0; b < batch; b++)
        loss += gram_apply_patch(t, trainer_gram_slot(t, patches[b]), scale);
    return loss;
}

static double gram_evaluate(lf_trainer *t, int first, int count)
{
    const int area = trainer_out_area(t);
    double total = 0;
    compute_delta(t);
    /* Missing statistics (the validation patches' at the end of the first
     * epoch) are built one per thread at a time. */
    for (int done = 0; done < count; done += t->threads) {
        int n = count - done < t->threads ? count - done : t->threads;
        int chunk[LF_POOL_MAX_THREADS];
        for (int i = 0; i < n; i++)
            chunk[i] = first + done + i;
        trainer_build_missing(t, chunk, n, BUILD_GRAMS);
    }
    float unused[MAX_PARAMS]; /* lf_gram_apply's gradient, not needed here */
    if (t->filters > 1) {
        for (int p = first; p < first + count; p++)
            for (int f = 0; f < t->filters; f++) {
                compute_filter_delta(t, f);
                total += lf_gram_apply(unused, t->gram_work_vector, trainer_gram_slot(t, p),
                                       t->delta, t->gram_params, 0.0f) /
                         area;
            }
        return total / count;
    }
    for (int p = first; p < first + count; p++)
        total += lf_gram_apply(unused, t->gram_work_vector, trainer_gram_slot(t, p), t->delta,
                               t->param_count, 0.0f) /
                 area;
    return total / count;
}

const engine_ops lf_engine_gram_ops = {
    .kind = LF_ENGINE_GRAM,
    .prepare = gram_prepare,
    .release = gram_release,
    .targets = gram_targets,
    .forward_backward = gram_forward_backward,
    .evaluate = gram_evaluate,
};

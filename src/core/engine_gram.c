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
 *
 * With the dataset's variants (mirrors and turns of each place's patch) one
 * matrix per place serves them all (gram_variant.h): the 32x32 smiley's
 * 2,784 patches of the bundled photos need 348 matrices, 730 MB, where one
 * per patch would be 5.9 GB, past the bound.
 */
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"
#include "learnfilter/gram_variant.h"
#include "trainer_internal.h"

static void gram_release(lf_trainer *t)
{
    free(t->grams);
    free(t->gram_ready);
    free(t->gram_work);
    free(t->gram_maps);
    free(t->gram_variant_work);
    t->grams = NULL;
    t->gram_ready = NULL;
    t->gram_work = NULL;
    t->gram_maps = NULL;
    t->gram_variant_work = NULL;
    t->gram_params = 0;
    t->gram_count = 0;
    t->gram_shared = false;
}

/* One matrix per place for the variants: the maps from each variant's
 * parameters to variant 0's, and the step's scratch. False when out of
 * memory. */
static bool gram_prepare_shared(lf_trainer *t, int p)
{
    const int variants = t->dataset->variant_count;
    t->gram_core = lf_gram_variant_core_shape(&t->shape);
    t->gram_maps = malloc(sizeof(int) * (size_t)variants * (size_t)p);
    t->gram_variant_floats = lf_gram_variant_apply_floats(&t->shape);
    t->gram_variant_work = malloc(sizeof(float) * t->gram_variant_floats);
    if (!t->gram_maps || !t->gram_variant_work)
        return false;
    for (int v = 0; v < variants; v++)
        lf_gram_variant_taps(t->gram_maps + (size_t)v * p, p, v, t->shape.k_height,
                             t->shape.k_width);
    return true;
}

static bool gram_prepare(lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    const bool windows = trainer_gram_by_windows(t);
    const int p = windows ? lf_gram_layer_size(&t->layer) : lf_gram_size(&t->shape);
    /* The variants of a place share its matrix when the dataset says which
     * patches are variants of which, and the kernel's taps turn with them. */
    const bool shared = !windows && ds->patch_origin && ds->variant_count > 1 &&
                        lf_gram_variant_shareable(&t->shape, ds->variant_count);
    const int count = shared ? ds->place_count : ds->patch_count;
    const double bytes = (double)count * lf_gram_packed_count(p) * sizeof(float);
    bool wanted = t->options.engine != LF_ENGINE_DIRECT && ds->inputs == ds->clean &&
                  bytes <= (double)LF_GRAM_MAX_BYTES;
    if (!wanted) {
        gram_release(t);
        return false;
    }
    if (t->gram_params == p && t->grams && t->gram_shared == shared && t->gram_count == count)
        return true;
    gram_release(t);
    t->grams = malloc((size_t)bytes);
    t->gram_ready = calloc((size_t)count, 1);
    /* One scratch per thread, each a whole number of cache lines so every
     * one stays aligned for double and threads share no line; with shared
     * matrices followed by room to turn a patch back to variant 0. */
    size_t work = windows ? sizeof(double) * lf_gram_layer_work_doubles(&t->layer)
                          : lf_gram_work_bytes(ds->patch_size, ds->patch_size,
                                               t->options.target.width);
    t->gram_base_offset = (work + 63) / 64 * 64;
    if (shared)
        work = t->gram_base_offset + sizeof(float) * (size_t)ds->patch_size * ds->patch_size;
    t->gram_work_stride = (work + 63) / 64 * 64;
    t->gram_work = malloc(t->gram_work_stride * (size_t)t->threads);
    if (!t->grams || !t->gram_ready || !t->gram_work || (shared && !gram_prepare_shared(t, p))) {
        gram_release(t); /* not enough memory: the direct path needs none */
        return false;
    }
    t->gram_params = p;
    t->gram_count = count;
    t->gram_shared = shared;
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
        missing = missing || !t->gram_ready[trainer_gram_index(t, patches[b])];
    if (!missing)
        return;
    int left = t->dataset->train_count - t->state.cursor;
    int ahead = batch > t->threads ? batch : t->threads;
    if (ahead > left)
        ahead = left;
    if (t->gram_shared && ahead > batch) {
        /* Most variants find their place's matrix built: look further
         * ahead, to as many missing matrices as there are threads. */
        int keys[LF_POOL_MAX_THREADS], found = 0;
        ahead = 0;
        while (ahead < left && (ahead < batch || found < t->threads)) {
            const int key = trainer_gram_index(t, patches[ahead++]);
            bool seen = t->gram_ready[key] != 0;
            for (int i = 0; i < found && !seen; i++)
                seen = keys[i] == key;
            if (!seen && found < t->threads)
                keys[found++] = key;
        }
    }
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
    const float *d;
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
    lf_gram_apply_rows(y, job->gram, job->d, p, job->bounds[b], job->bounds[b + 1]);
}

/* y = G d by row blocks on the pool's threads, summed in block order. */
static void gram_product_split(lf_trainer *t, float *y, const float *gram, const float *d)
{
    const int p = t->param_count;
    apply_job job = {.t = t, .gram = gram, .d = d};
    const int blocks =
        lf_gram_split(p, GRAM_BLOCKS, job.bounds, (int)(sizeof job.bounds / sizeof job.bounds[0]));
    lf_pool_for(t->pool, blocks, apply_run, &job);
    memcpy(y, t->gram_blocks, sizeof(float) * (size_t)p);
    for (int b = 1; b < blocks; b++) {
        const float *part = t->gram_blocks + (size_t)b * MAX_PARAMS;
        for (int i = 0; i < p; i++)
            y[i] += part[i];
    }
}

/* Adds scale * G d to the gradient for one patch and returns d^T G d. */
static double gram_apply_patch(lf_trainer *t, const float *gram, float scale)
{
    const int p = t->param_count;
    if (p < GRAM_SPLIT_MIN_PARAMS)
        return lf_gram_apply(t->grads, t->gram_work_vector, gram, t->delta, p, scale);
    float *y = t->gram_work_vector;
    gram_product_split(t, y, gram, t->delta);
    return lf_gram_apply_finish(t->grads, y, t->delta, p, scale);
}

/* The same for a patch whose place's matrix its variants share: adds
 * scale * G_v d to grad and returns d^T G_v d (gram_variant.h). `split`
 * lets a large G go by row blocks between threads (gram_blocks is then
 * the blocks', so a caller that uses it otherwise says no). */
static double gram_apply_variant(lf_trainer *t, int patch, const float *d, float *grad,
                                 float scale, bool split)
{
    const int p = t->gram_params;
    const int *map = t->gram_maps + (size_t)t->dataset->patch_origin[patch].variant * p;
    const float *pixels = lf_dataset_input(t->dataset, patch);
    const float *gram = trainer_gram_slot(t, patch);
    if (!split || p < GRAM_SPLIT_MIN_PARAMS)
        return lf_gram_variant_apply(grad, t->gram_variant_work, t->gram_variant_floats, gram, map,
                                     pixels, &t->shape, d, scale);
    /* lf_gram_variant_apply's steps, with the product split. */
    float *dt = t->gram_variant_work, *yt = dt + p, *y = yt + p, *rest = y + p;
    lf_gram_variant_gather(dt, d, map, p);
    gram_product_split(t, yt, gram, dt);
    lf_gram_variant_scatter(y, yt, map, p);
    lf_gram_variant_edges(y, rest, t->gram_variant_floats - 3 * (size_t)p, pixels, &t->shape, d);
    return lf_gram_apply_finish(grad, y, d, p, scale);
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
static double gram_apply_filters(lf_trainer *t, int patch, float scale)
{
    const float *gram = trainer_gram_slot(t, patch);
    const int p = t->gram_params, taps = p - 1;
    float *g = t->gram_blocks;
    double loss = 0;
    for (int f = 0; f < t->filters; f++) {
        compute_filter_delta(t, f);
        memset(g, 0, sizeof(float) * (size_t)p);
        loss += t->gram_shared ? gram_apply_variant(t, patch, t->delta, g, scale, false)
                               : lf_gram_apply(g, t->gram_work_vector, gram, t->delta, p, scale);
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
            loss += gram_apply_filters(t, patches[b], scale);
        return loss;
    }
    compute_delta(t);
    double loss = 0;
    for (int b = 0; b < batch; b++)
        loss += t->gram_shared
                    ? gram_apply_variant(t, patches[b], t->delta, t->grads, scale, true)
                    : gram_apply_patch(t, trainer_gram_slot(t, patches[b]), scale);
    return loss;
}

static double gram_evaluate(lf_trainer *t, int first, int count)
{
    const int area = trainer_out_area(t);
    double total = 0;
    compute_delta(t);
    /* Missing statistics (the validation patches' at the end of the first
     * epoch) are built one per thread at a time: each group holds as many
     * missing matrices as there are threads, so when variants share them
     * (most of a place's already built) no thread waits alone. */
    int chunk[LF_POOL_MAX_THREADS], n = 0;
    for (int p = first; p < first + count; p++) {
        const int key = trainer_gram_index(t, p);
        bool listed = t->gram_ready[key] != 0;
        for (int i = 0; i < n && !listed; i++)
            listed = trainer_gram_index(t, chunk[i]) == key;
        if (listed)
            continue;
        chunk[n++] = p;
        if (n == t->threads) {
            trainer_build_missing(t, chunk, n, BUILD_GRAMS);
            n = 0;
        }
    }
    if (n > 0)
        trainer_build_missing(t, chunk, n, BUILD_GRAMS);
    float unused[MAX_PARAMS]; /* lf_gram_apply's gradient, not needed here */
    if (t->filters > 1) {
        for (int p = first; p < first + count; p++)
            for (int f = 0; f < t->filters; f++) {
                compute_filter_delta(t, f);
                total += (t->gram_shared
                              ? gram_apply_variant(t, p, t->delta, unused, 0.0f, false)
                              : lf_gram_apply(unused, t->gram_work_vector, trainer_gram_slot(t, p),
                                              t->delta, t->gram_params, 0.0f)) /
                         area;
            }
        return total / count;
    }
    for (int p = first; p < first + count; p++)
        total += (t->gram_shared ? gram_apply_variant(t, p, t->delta, unused, 0.0f, true)
                                 : lf_gram_apply(unused, t->gram_work_vector,
                                                 trainer_gram_slot(t, p), t->delta,
                                                 t->param_count, 0.0f)) /
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

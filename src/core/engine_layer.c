/*
 * engine_layer.c: the direct engine of a layer other than one gray filter
 * (channels, several filters, stride, activation, pooling). Every step runs
 * lf_layer_forward on each patch of the batch, compares with its target
 * (the same layer with the true weights), and runs lf_layer_backward on the
 * residual's gradient.
 *
 * Each patch of the batch is one unit, up to DIRECT_UNITS at a time; a unit
 * sums its gradient into its own block and its squared residuals into its
 * own slot, and the blocks are added in unit order, so the weights do not
 * depend on the number of threads. The scratch (activations, output,
 * workspace) is per thread, allocated with the trainer.
 */
#include <string.h>

#include "trainer_internal.h"

/* Everything it needs was allocated with the trainer. */
static bool layer_prepare(lf_trainer *t)
{
    (void)t;
    return true;
}

static void layer_release(lf_trainer *t) { (void)t; }

/* Kept targets are built for the batch before its units run; without a
 * cache (a large set) each unit makes its patch's. */
static void layer_targets(lf_trainer *t, const int *patches, int count)
{
    if (t->target_cache)
        trainer_build_missing(t, patches, count, BUILD_TARGETS);
}

typedef struct layer_job {
    lf_trainer *t;
    const int *patches; /* one per unit */
    float scale;        /* dLoss/dout = scale * residual */
} layer_job;

static void layer_run(void *context, int u, int thread)
{
    layer_job *job = context;
    lf_trainer *t = job->t;
    const lf_layer_shape *s = &t->layer;
    layer_scratch w = trainer_layer_scratch(t, thread);
    const int patch = job->patches[u];
    const float *input = lf_dataset_input(t->dataset, patch);
    /* targets (into their own buffer: the forward reuses the scratch) */
    const float *target = trainer_target(t, patch, thread);
    /* forward; without pooling the activations are the output, which
     * saves copying them */
    float *out = s->pool > 1 ? w.out : w.act;
    lf_layer_forward(out, w.act, input, t->state.params, s, w.work);
    /* loss, and its gradient with respect to the output */
    double sum = lf_layer_residual(w.dout, out, target, s->out_count, job->scale);
    /* backward */
    float *grads = t->unit_layer_grads + (size_t)u * MAX_PARAMS;
    memset(grads, 0, sizeof(float) * s->param_count);
    lf_layer_backward(grads, NULL, w.dout, w.act, input, t->state.params, s, w.work);
    t->unit_loss[u] = sum;
}

static double layer_forward_backward(lf_trainer *t, const int *patches, int batch, float scale)
{
    const size_t params = t->layer.param_count;
    double loss = 0;
    for (int first = 0; first < batch; first += DIRECT_UNITS) {
        int n = batch - first < DIRECT_UNITS ? batch - first : DIRECT_UNITS;
        layer_job job = {.t = t, .patches = patches + first, .scale = scale};
        lf_pool_for(t->pool, n, layer_run, &job);
        for (int u = 0; u < n; u++) {
            const float *g = t->unit_layer_grads + (size_t)u * MAX_PARAMS;
            for (size_t i = 0; i < params; i++)
                t->grads[i] += g[i];
            loss += t->unit_loss[u];
        }
    }
    return loss;
}

static double layer_evaluate(lf_trainer *t, int first, int count)
{
    const lf_layer_shape *s = &t->layer;
    layer_scratch w = trainer_layer_scratch(t, 0);
    double total = 0;
    for (int p = first; p < first + count; p++) {
        const float *target = trainer_target(t, p, 0);
        float *out = s->pool > 1 ? w.out : w.act;
        lf_layer_forward(out, w.act, lf_dataset_input(t->dataset, p), t->state.params, s,
                         w.work);
        total += lf_layer_residual(NULL, out, target, s->out_count, 0) / (double)s->out_count;
    }
    return total / count;
}

const engine_ops lf_engine_layer_ops = {
    .kind = LF_ENGINE_DIRECT,
    .prepare = layer_prepare,
    .release = layer_release,
    .targets = layer_targets,
    .forward_backward = layer_forward_backward,
    .evaluate = layer_evaluate,
};

/*
 * snapshot.c: copies of a trainer's figures, curves and sample images for a
 * front end, made between steps; copying into an initialised snapshot
 * never allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "trainer_internal.h"


lf_status lf_snapshot_init(lf_snapshot *snap, int max_patch_size, lf_error *err)
{
    memset(snap, 0, sizeof *snap);
    size_t area = (size_t)max_patch_size * max_patch_size;
    float *memory = calloc(area * 3, sizeof(float));
    if (!memory)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for a %dx%d snapshot", max_patch_size,
                       max_patch_size);
    snap->capacity = (int)area;
    snap->input = memory;
    snap->output = memory + area;
    snap->expected = memory + 2 * area;
    return LF_OK;
}

void lf_snapshot_deinit(lf_snapshot *snap)
{
    if (!snap)
        return;
    free(snap->input);
    memset(snap, 0, sizeof *snap);
}

bool lf_snapshot_copy(lf_snapshot *dst, const lf_snapshot *src)
{
    float *input = dst->input, *output = dst->output, *expected = dst->expected;
    int capacity = dst->capacity;
    *dst = *src;
    dst->input = input;
    dst->output = output;
    dst->expected = expected;
    dst->capacity = capacity;
    int in_area = src->in_height * src->in_width;
    if (!src->has_images || in_area > capacity) {
        dst->has_images = false;
        return !src->has_images;
    }
    int area = src->out_height * src->out_width;
    memcpy(input, src->input, sizeof(float) * (size_t)in_area);
    memcpy(output, src->output, sizeof(float) * (size_t)area);
    memcpy(expected, src->expected, sizeof(float) * (size_t)area);
    return true;
}

/* The last step from the buffers the step leaves behind: the gradient,
 * the parameters before it (kept to undo a divergence) and after, and the
 * optimizer's moments. Valid while no step, restart or change of rate or
 * optimizer came after it, which detail_step tracks. */
static void step_detail(const lf_trainer *t, lf_step_detail *d)
{
    const lf_kernel *k = &t->options.target;
    const int taps = k->height * k->width;
    d->step = 0;
    d->taps = 0;
    if (t->detail_step <= 0 || t->detail_step != t->state.figures.step ||
        t->state.figures.diverged)
        return;
    d->step = t->detail_step;
    d->batch = t->detail_batch;
    d->loss = t->state.figures.step_loss;
    d->optimizer_step = t->state.optimizer.step;
    if (taps > LF_STEP_DETAIL_MAX_TAPS)
        return;
    d->taps = taps;
    const int n = taps + 1; /* the bias is the last parameter, as in params */
    const trainer_state *s = &t->state;
    memcpy(d->before, t->saved, sizeof(float) * (size_t)n);
    memcpy(d->after, s->params, sizeof(float) * (size_t)n);
    memcpy(d->grad, t->grads, sizeof(float) * (size_t)n);
    memcpy(d->first, s->optimizer.first, sizeof(float) * (size_t)n);
    memcpy(d->second, s->optimizer.second, sizeof(float) * (size_t)n);
}

/* How many of the patches' statistics the engine in use has built: a
 * count of flags, one per patch, cheap beside a publication. */
static void stats_progress(const lf_trainer *t, int *built, int *total)
{
    const unsigned char *ready = t->engine->kind == LF_ENGINE_GRAM ? t->gram_ready
                                 : t->fft                          ? t->spectrum_ready
                                                                   : NULL;
    *built = *total = 0;
    if (!ready)
        return;
    /* One flag per matrix: per place when the variants share one. */
    *total = t->engine->kind == LF_ENGINE_GRAM ? t->gram_count : t->dataset->patch_count;
    for (int i = 0; i < *total; i++)
        *built += ready[i] != 0;
}

void lf_trainer_snapshot(lf_trainer *t, lf_snapshot *snap, bool with_images)
{
    const lf_kernel *k = &t->options.target;
    snap->target = *k;
    snap->learned = *k;
    memcpy(snap->learned.weights, t->state.params, sizeof(float) * (size_t)(k->height * k->width));
    snap->bias = t->state.params[t->weight_count]; /* the first filter's */
    snap->settings = t->options.settings;
    snap->padding = t->options.padding;
    snap->engine = t->engine->kind;
    snap->seed = t->options.seed;
    snap->figures = t->state.figures;
    snap->epochs = t->state.epoch_history;
    snap->steps = t->state.step_history;
    snap->patch_count = t->dataset->patch_count;
    snap->train_count = t->dataset->train_count;
    snap->validation_count = t->dataset->validation_count;
    snap->sample_patch = t->options.sample_patch;
    snap->best = t->best;
    snap->learning_operation = lf_target_is_set(&t->options.operation);
    snap->best_rel_err_to_kernel = t->best_rel_err_to_kernel;
    step_detail(t, &snap->last_step);
    stats_progress(t, &snap->stats_built, &snap->stats_total);
    snap->has_images = false;
    int p = t->dataset->patch_size;
    /* The images are one gray filter's: a layer of several filters or
     * channels shows its weights only (the first filter's first channel). */
    if (!with_images || p * p > snap->capacity || !t->plain)
        return;
    int patch = t->options.sample_patch;
    snap->in_height = snap->in_width = p;
    snap->out_height = t->shape.out_height;
    snap->out_width = t->shape.out_width;
    memcpy(snap->input, lf_dataset_input(t->dataset, patch), sizeof(float) * (size_t)p * p);
    conv2d_forward(snap->output, snap->input, t->state.params, snap->bias, &t->shape);
    memcpy(snap->expected, trainer_sample_target(t, patch), sizeof(float) * (size_t)trainer_out_area(t));
    snap->has_images = true;
}

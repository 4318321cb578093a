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
    memcpy(snap->expected, trainer_target(t, patch), sizeof(float) * (size_t)trainer_out_area(t));
    snap->has_images = true;
}

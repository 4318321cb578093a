/*
 * trainer_cache.c: targets made on demand, what the trainer keeps per
 * patch, and the threads that build it.
 *
 * A kernel's targets (each patch filtered by the true kernel) are made in
 * the step for the patches of the batch, on the thread that uses them, and
 * never kept: stored, they were another copy of the dataset (704 MB for the
 * 2,688 patches of the original's photo set), and making one costs about
 * what the forward pass it is compared with does. Only an operation's
 * targets are made once and kept: lf_op_apply allocates scratch, which a
 * step must not do. The engines keep their own per-patch data (Gram
 * matrices, input spectra), built here, one patch per thread at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"
#include "trainer_internal.h"

/* The truth is the true kernel applied to the clean patch exactly as the
 * layer applies its own (same padding, no bias; for a layer, its
 * activation and pooling too). */
const float *trainer_target_rows(lf_trainer *t, int patch, int thread, int y0, int y1)
{
    if (t->targets)
        return t->targets + (size_t)patch * t->target_floats;
    float *target = t->target_work + (size_t)thread * t->target_floats;
    if (t->plain) {
        conv2d_forward_rows(target, lf_dataset_clean(t->dataset, patch),
                            t->options.target.weights, 0.0f, &t->shape, y0, y1);
        return target;
    }
    layer_scratch s = trainer_layer_scratch(t, thread);
    lf_layer_targets(target, s.act, lf_dataset_clean(t->dataset, patch),
                     t->options.target.weights, &t->layer, s.work);
    return target;
}

const float *trainer_sample_target(lf_trainer *t, int patch)
{
    if (t->targets)
        return trainer_target(t, patch, 0);
    if (t->sample_target_patch != patch) {
        memcpy(t->sample_target, trainer_target(t, patch, 0),
               sizeof(float) * t->target_floats);
        t->sample_target_patch = patch;
    }
    return t->sample_target;
}

lf_status trainer_operation_targets(lf_trainer *t, lf_error *err)
{
    const lf_dataset *ds = t->dataset;
    size_t capacity = t->target_floats * (size_t)ds->patch_count;
    if (!t->targets)
        t->targets = malloc(sizeof(float) * capacity);
    t->sample_target_patch = -1;
    lf_status st = t->targets ? lf_target_prepare(&t->options.operation, ds, t->options.padding,
                                                  t->targets, capacity, &t->options.target,
                                                  &t->best, err)
                              : lf_fail(err, LF_ERR_NOMEM,
                                        "out of memory for the targets of %d patches",
                                        ds->patch_count);
    if (st != LF_OK)
        trainer_drop_operation_targets(t);
    return st;
}

void trainer_drop_operation_targets(lf_trainer *t)
{
    free(t->targets);
    t->targets = NULL;
    t->sample_target_patch = -1;
}

float *trainer_gram_slot(const lf_trainer *t, int patch)
{
    return t->grams + (size_t)patch * lf_gram_packed_count(t->gram_params);
}

float *trainer_spectrum_slot(const lf_trainer *t, int patch)
{
    return t->spectra + (size_t)patch * lf_fft_spectrum_floats(t->fft);
}

float *trainer_fft_work(const lf_trainer *t, int thread)
{
    return t->fft_work + (size_t)thread * lf_fft_work_floats(t->fft);
}

/* Builds the Gram matrices or spectra of t->build_list[0..count):
 * each thread takes the next patch until none is left. Each patch's result
 * depends only on the patch, so who builds it does not matter. */
typedef struct build_job {
    lf_trainer *t;
    build_kind kind;
} build_job;

static void build_run(void *context, int item, int thread)
{
    build_job *job = context;
    lf_trainer *t = job->t;
    int patch = t->build_list[item];
    if (job->kind == BUILD_GRAMS && trainer_gram_by_windows(t))
        lf_gram_layer_compute(trainer_gram_slot(t, patch), lf_gram_packed_count(t->gram_params),
                              (double *)(void *)(t->gram_work +
                                                 (size_t)thread * t->gram_work_stride),
                              t->gram_work_stride / sizeof(double),
                              lf_dataset_input(t->dataset, patch), &t->layer);
    else if (job->kind == BUILD_GRAMS)
        /* Each slot and each thread's scratch were sized for this shape
         * when the engine was prepared; their sizes go along so nothing
         * runs past. */
        lf_gram_compute(trainer_gram_slot(t, patch), lf_gram_packed_count(t->gram_params),
                        t->gram_work + (size_t)thread * t->gram_work_stride, t->gram_work_stride,
                        lf_dataset_input(t->dataset, patch), &t->shape);
    else
        lf_fft_input_spectrum(t->fft, trainer_spectrum_slot(t, patch),
                              lf_dataset_input(t->dataset, patch), trainer_fft_work(t, thread));
}

void trainer_build_missing(lf_trainer *t, const int *patches, int count, build_kind kind)
{
    unsigned char *ready = kind == BUILD_GRAMS ? t->gram_ready : t->spectrum_ready;
    int n = 0;
    for (int i = 0; i < count; i++)
        if (!ready[patches[i]])
            t->build_list[n++] = patches[i];
    if (n == 0)
        return;
    build_job job = {.t = t, .kind = kind};
    lf_pool_for(t->pool, n, build_run, &job);
    for (int i = 0; i < n; i++)
        ready[t->build_list[i]] = 1;
}

void trainer_forget_caches(lf_trainer *t)
{
    /* An operation's targets were made once, from the patches alone; the
     * sample's target may be the old kernel's. */
    t->sample_target_patch = -1;
    lf_engine_gram_ops.release(t);
    lf_engine_direct_ops.release(t);
}

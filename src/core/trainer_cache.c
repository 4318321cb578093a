/*
 * trainer_cache.c: what the trainer keeps per patch, and the threads that
 * build it.
 *
 * Targets (each patch filtered by the true kernel) are computed the first
 * time a patch is used and kept until the kernel changes: the true filter
 * is applied once per patch, not once per step. The engines keep their own
 * per-patch data the same way (Gram matrices, input spectra), built here
 * too, one patch per thread at a time.
 */
#include <string.h>

#include "learnfilter/gram.h"
#include "trainer_internal.h"

float *trainer_target_slot(const lf_trainer *t, int patch)
{
    return t->targets + (size_t)patch * t->target_floats;
}

/* The truth is the true kernel applied to the clean patch exactly as the
 * layer applies its own (same padding, no bias; for a layer, its
 * activation and pooling too). thread picks the layer's scratch. */
static void build_target(lf_trainer *t, int patch, int thread)
{
    if (t->plain) {
        conv2d_forward(trainer_target_slot(t, patch), lf_dataset_clean(t->dataset, patch),
                       t->options.target.weights, 0.0f, &t->shape);
        return;
    }
    layer_scratch s = trainer_layer_scratch(t, thread);
    lf_layer_targets(trainer_target_slot(t, patch), s.act, lf_dataset_clean(t->dataset, patch),
                     t->options.target.weights, &t->layer, s.work);
}

const float *trainer_target(lf_trainer *t, int patch)
{
    if (!t->target_ready[patch]) {
        /* The caller's thread only: jobs use trainer_build_missing first. */
        build_target(t, patch, 0);
        t->target_ready[patch] = 1;
    }
    return trainer_target_slot(t, patch);
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

/* Builds the targets, Gram matrices or spectra of t->build_list[0..count):
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
    else if (job->kind == BUILD_SPECTRA)
        lf_fft_input_spectrum(t->fft, trainer_spectrum_slot(t, patch),
                              lf_dataset_input(t->dataset, patch), trainer_fft_work(t, thread));
    else
        build_target(t, patch, thread);
}

void trainer_build_missing(lf_trainer *t, const int *patches, int count, build_kind kind)
{
    unsigned char *ready = kind == BUILD_GRAMS     ? t->gram_ready
                           : kind == BUILD_SPECTRA ? t->spectrum_ready
                                                   : t->target_ready;
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
    /* An operation's targets were made once, from the patches alone. */
    if (!lf_target_is_set(&t->options.operation))
        memset(t->target_ready, 0, (size_t)t->dataset->patch_count);
    lf_engine_gram_ops.release(t);
    lf_engine_direct_ops.release(t);
}

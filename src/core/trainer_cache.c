/*
 * trainer_cache.c: targets made on demand, what the trainer keeps per
 * patch, and the threads that build it.
 *
 * The targets (each patch filtered by the true kernel, or an operation
 * applied to it: --target) are kept once made while they fit
 * LF_TARGET_CACHE_MAX_BYTES (a small set: making one costs a forward pass,
 * or the operation); past it, as for the 2,784 patches of 256x256 of the
 * original-sized set (730 MB, another copy of the dataset), each is made in
 * the step for the patches of the batch, on the thread that uses it. An
 * operation is made with lf_op_apply_work and scratch allocated per thread
 * when the operation is set, so a step allocates nothing; its best filter
 * is solved a patch at a time (lf_target_fit), so no step of the set-up
 * holds every target either. The engines keep their own per-patch data
 * (Gram matrices, input spectra), built here, one patch per thread at a
 * time.
 */
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"
#include "learnfilter/gram_variant.h"
#include "trainer_internal.h"

/* An operation's whole target (it does not come by rows), with the
 * thread's scratch. */
static void make_operation_target(lf_trainer *t, float *target, int patch, int thread)
{
    const int side = t->dataset->patch_size;
    lf_op op = lf_target_op(&t->options.operation);
    int h, w;
    if (lf_op_apply_work(&op, lf_dataset_clean(t->dataset, patch), side, side, target,
                         t->target_floats, &h, &w, t->op_work + (size_t)thread * t->op_work_stride,
                         t->op_work_stride, NULL) != LF_OK)
        /* Not reached: the operation, its output size and the scratch were
         * checked when it was set. Zeros rather than stale values. */
        memset(target, 0, sizeof(float) * t->target_floats);
}

/* The truth is the true kernel applied to the clean patch exactly as the
 * layer applies its own (same padding, no bias; for a layer, its
 * activation and pooling too), or the operation: rows [y0, y1) of it (an
 * operation's and a layer's: all rows) into target. */
static void make_target(lf_trainer *t, float *target, int patch, int thread, int y0, int y1)
{
    if (trainer_has_operation(t)) {
        make_operation_target(t, target, patch, thread);
        return;
    }
    if (t->plain) {
        conv2d_forward_rows(target, lf_dataset_clean(t->dataset, patch),
                            t->options.target.weights, 0.0f, &t->shape, y0, y1);
        return;
    }
    layer_scratch s = trainer_layer_scratch(t, thread);
    lf_layer_targets(target, s.act, lf_dataset_clean(t->dataset, patch),
                     t->options.target.weights, &t->layer, s.work);
}

/* No thread's target_work holds an operation's target any more. */
static void forget_made_targets(lf_trainer *t)
{
    for (int i = 0; i < LF_POOL_MAX_THREADS; i++)
        t->op_target_patch[i] = -1;
}

static float *cache_slot(const lf_trainer *t, int patch)
{
    return t->target_cache + (size_t)patch * t->target_floats;
}

const float *trainer_target_rows(lf_trainer *t, int patch, int thread, int y0, int y1)
{
    if (t->target_cache) {
        if (!t->target_ready[patch]) {
            make_target(t, cache_slot(t, patch), patch, thread, 0, t->shape.out_height);
            t->target_ready[patch] = 1;
        }
        return cache_slot(t, patch);
    }
    float *target = t->target_work + (size_t)thread * t->target_floats;
    if (trainer_has_operation(t)) {
        /* made whole, so the other bands of the patch on this thread
         * (a batch of one) read it rather than make it again */
        if (t->op_target_patch[thread] != patch) {
            make_operation_target(t, target, patch, thread);
            t->op_target_patch[thread] = patch;
        }
        return target;
    }
    make_target(t, target, patch, thread, y0, y1);
    return target;
}

const float *trainer_sample_target(lf_trainer *t, int patch)
{
    if (t->target_cache)
        return trainer_target(t, patch, 0);
    if (t->sample_target_patch != patch) {
        memcpy(t->sample_target, trainer_target(t, patch, 0),
               sizeof(float) * t->target_floats);
        t->sample_target_patch = patch;
    }
    return t->sample_target;
}

void trainer_target_cache_free(lf_trainer *t)
{
    free(t->target_cache);
    free(t->target_ready);
    t->target_cache = NULL;
    t->target_ready = NULL;
}

void trainer_target_cache_make(lf_trainer *t)
{
    trainer_target_cache_free(t);
    forget_made_targets(t); /* target_work may be new, or the patches */
    const size_t patches = (size_t)t->dataset->patch_count;
    if ((double)t->target_floats * sizeof(float) * (double)patches >
        (double)LF_TARGET_CACHE_MAX_BYTES)
        return;
    t->target_cache = malloc(sizeof(float) * t->target_floats * patches);
    t->target_ready = calloc(patches, 1);
    if (!t->target_cache || !t->target_ready)
        trainer_target_cache_free(t); /* then made in the step: slower, same values */
}

lf_status trainer_operation_targets(lf_trainer *t, lf_error *err)
{
    trainer_drop_operation_targets(t);
    lf_status st = lf_target_fit(&t->options.operation, t->dataset, t->options.padding,
                                 &t->options.target, &t->best, err);
    if (st != LF_OK)
        return st;
    /* Each thread's scratch, rounded to whole cache lines so no two
     * threads write the same one. */
    const int side = t->dataset->patch_size;
    lf_op op = lf_target_op(&t->options.operation);
    size_t stride = (lf_op_work_bytes(&op, side, side) + 63) / 64 * 64;
    t->op_work = malloc(stride * (size_t)t->threads);
    if (!t->op_work)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the scratch of %s",
                       t->options.operation.name);
    t->op_work_stride = stride;
    /* targets kept or made before were another target's */
    if (t->target_ready)
        memset(t->target_ready, 0, (size_t)t->dataset->patch_count);
    return LF_OK;
}

void trainer_drop_operation_targets(lf_trainer *t)
{
    free(t->op_work);
    t->op_work = NULL;
    t->op_work_stride = 0;
    t->sample_target_patch = -1;
    forget_made_targets(t);
}

float *trainer_gram_slot(const lf_trainer *t, int patch)
{
    return t->grams + (size_t)trainer_gram_index(t, patch) * lf_gram_packed_count(t->gram_params);
}

float *trainer_spectrum_slot(const lf_trainer *t, int patch)
{
    return t->spectra + (size_t)patch * lf_fft_spectrum_floats(t->fft);
}

float *trainer_fft_work(const lf_trainer *t, int thread)
{
    return t->fft_work + (size_t)thread * lf_fft_work_floats(t->fft);
}

/* Builds the kept targets, Gram matrices or spectra of t->build_list[0..count):
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
    else if (job->kind == BUILD_GRAMS && t->gram_shared) {
        /* The place's matrix, from whichever of its variants came first:
         * turned back to variant 0, over the windows all variants share. */
        unsigned char *work = t->gram_work + (size_t)thread * t->gram_work_stride;
        float *base = (float *)(void *)(work + t->gram_base_offset);
        lf_gram_variant_unturn(base, lf_dataset_input(t->dataset, patch), t->dataset->patch_size,
                               t->dataset->patch_origin[patch].variant);
        lf_gram_compute(trainer_gram_slot(t, patch), lf_gram_packed_count(t->gram_params), work,
                        t->gram_base_offset, base, &t->gram_core);
    } else if (job->kind == BUILD_GRAMS)
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
        make_target(t, cache_slot(t, patch), patch, thread, 0, t->shape.out_height);
}

void trainer_build_missing(lf_trainer *t, const int *patches, int count, build_kind kind)
{
    unsigned char *ready = kind == BUILD_GRAMS     ? t->gram_ready
                           : kind == BUILD_SPECTRA ? t->spectrum_ready
                                                   : t->target_ready;
    if (!ready)
        return; /* no target cache: the step makes them */
    /* Patches that share a matrix (variants of one place) build it once:
     * two threads must not write the same slot. */
    const bool grams = kind == BUILD_GRAMS;
    int n = 0;
    for (int i = 0; i < count; i++) {
        const int key = grams ? trainer_gram_index(t, patches[i]) : patches[i];
        bool listed = ready[key] != 0;
        for (int j = 0; j < n && !listed && grams && t->gram_shared; j++)
            listed = trainer_gram_index(t, t->build_list[j]) == key;
        if (!listed)
            t->build_list[n++] = patches[i];
    }
    if (n == 0)
        return;
    build_job job = {.t = t, .kind = kind};
    lf_pool_for(t->pool, n, build_run, &job);
    for (int i = 0; i < n; i++)
        ready[grams ? trainer_gram_index(t, t->build_list[i]) : t->build_list[i]] = 1;
}

void trainer_forget_caches(lf_trainer *t)
{
    /* The sample's target and the threads' may be the old kernel's or
     * operation's. */
    t->sample_target_patch = -1;
    forget_made_targets(t);
    if (t->target_ready)
        memset(t->target_ready, 0, (size_t)t->dataset->patch_count);
    lf_engine_gram_ops.release(t);
    lf_engine_direct_ops.release(t);
}

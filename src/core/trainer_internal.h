/*
 * trainer_internal.h: the trainer's insides, shared by the files that make it.
 *
 *   trainer.c          the step, as phases; evaluation
 *   trainer_life.c     create, destroy, restart, the setters and getters
 *   trainer_cache.c    targets made on demand, and the threads that build caches
 *   engine_direct.c    the direct engine: convolve every patch of the batch
 *   engine_gram.c      the statistics engine: one Gram matrix per patch
 *   engine_layer.c     the direct engine of a layer other than one gray filter
 *                      (channels, filters, stride, activation, pooling)
 *   snapshot.c         copies for the window
 *   state.c            the training state as one block: save, restore, files
 *   settings.c         defaults (public: settings.h)
 *   history.c          the loss curves (public: history.h)
 *
 * A trainer is four things kept apart:
 *   options    what it was asked to do, resolved (no zero-means-default
 *              left); the setters change it, and restart when they must
 *   state      what a step changes (weights, optimizer moments, epoch order,
 *              figures, histories): exactly what state.c saves and restores
 *   caches     what can be rebuilt from the options and the dataset (an
 *              targets, Gram matrices, spectra); dropped when either
 *              changes. Targets (a kernel's or an operation's) are kept
 *              only while they fit LF_TARGET_CACHE_MAX_BYTES; past it each
 *              step makes its batch's (trainer_target_rows), so a large
 *              set's memory does not grow by another copy of its patches.
 *   workspace  scratch for one step (gradients, residuals, per-thread sums)
 */
#ifndef LEARNFILTER_TRAINER_INTERNAL_H
#define LEARNFILTER_TRAINER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learnfilter/fftconv.h"
#include "learnfilter/rng.h"
#include "learnfilter/trainer.h"
#include "pool.h"

#define MAX_PARAMS (LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE + 1)

/*
 * How a step is split between threads. Every split is fixed by the shape
 * and the settings, never by the thread count, and partial results are
 * combined in a fixed order, so the weights are bit-identical whatever the
 * number of threads.
 *
 * GRAM_SPLIT_MIN_PARAMS: from this many parameters on, G d is computed as
 * GRAM_BLOCKS row blocks of equal work, each into its own vector, summed
 * in order; threads claim blocks as they come free, so a thread the system
 * is slow to schedule leaves its share to the others. The product streams
 * G from memory, and on the 2-core machine it was measured on a second
 * core added little bandwidth: 31x31 and 32x32 kernels (P = 962, 1025) ran
 * no faster on two threads, a 48x48 one (P = 2305) 1.17 times faster
 * (learnfilter_bench --only kernels --threads 1, then 2). So only G of
 * 2000 parameters or more is split.
 * DIRECT_UNITS: the direct engine convolves up to this many patches of the
 * batch at once, one per unit; a batch of one patch is cut into this many
 * bands of rows instead.
 */
#define GRAM_SPLIT_MIN_PARAMS 2000
#define GRAM_BLOCKS 8
#define DIRECT_UNITS 8

/*
 * An engine: how the loss and its gradient are computed for a batch. The
 * step calls these and never asks which engine it has.
 *
 * Why a table of functions rather than a switch: each engine keeps its
 * buffers and helpers private to its own file, and the step, evaluation and
 * set-up each call one entry instead of repeating the same switch; a new
 * engine (a multi-filter layer) is one more table.
 */
typedef struct engine_ops {
    lf_engine kind;
    /* Sets up (or keeps, when still right) what the engine needs for the
     * trainer's shape and dataset. False when it cannot (memory short, input
     * noise for the statistics), having released what it took. */
    bool (*prepare)(lf_trainer *t);
    /* Frees what prepare allocated; safe to call twice. */
    void (*release)(lf_trainer *t);
    /* The targets phase: makes sure the batch's per-patch data (statistics,
     * spectra, kept targets) exist; without a target cache the true
     * filter's outputs are made where they are compared
     * (trainer_target_rows). */
    void (*targets)(lf_trainer *t, const int *patches, int count);
    /* Forward, loss and backward, fused per patch where the engine can:
     * adds scale * dLoss/dout backpropagated to t->grads and returns the
     * sum of squared residuals over the batch. */
    double (*forward_backward)(lf_trainer *t, const int *patches, int count, float scale);
    /* Mean over patches [first, first+count) of the mean squared error. */
    double (*evaluate)(lf_trainer *t, int first, int count);
} engine_ops;

extern const engine_ops lf_engine_direct_ops;
extern const engine_ops lf_engine_gram_ops;
extern const engine_ops lf_engine_layer_ops;

/* What a step changes, and nothing else: the block state.c saves. */
typedef struct trainer_state {
    float *params;               /* MAX_PARAMS: weights (F, C, h, w), then F biases */
    lf_optimizer_state optimizer;
    lf_rng order_rng;            /* epoch shuffles */
    int *order;                  /* train_count patch indices, this epoch's order */
    int cursor;                  /* next position in order */
    double epoch_loss_sum;       /* step losses in the current epoch */
    lf_figures figures;
    lf_history epoch_history;
    lf_history step_history;
} trainer_state;

struct lf_trainer {
    /* ---- options: resolved; changed only by the setters */
    lf_trainer_options options;
    const lf_dataset *dataset;   /* borrowed */
    uint64_t dataset_hash;       /* of the inputs, for saved states; valid when hashed */
    bool dataset_hashed;
    /* ---- derived from the options and dataset at restart */
    lf_conv_shape shape;         /* one gray filter's convolution (plain, gram) */
    lf_layer_shape layer;        /* the whole layer's sizes */
    bool plain;                  /* one gray filter, linear, stride 1, no pooling */
    int weight_count;            /* F * C * kernel taps */
    int filters;                 /* F */
    int out_count;               /* output values per patch: F * out height * width */
    size_t target_floats;        /* floats of one patch's target */
    int param_count;             /* weight_count + F biases */
    double runaway_distance;     /* ||w - k|| past which a step has diverged */
    const engine_ops *engine;    /* direct or gram */
    /* ---- state: what a step changes */
    trainer_state state;
    /* ---- caches: rebuilt on demand */
    float *target_cache;         /* patch_count * target_floats: the targets (a kernel's
                                    or an operation's) kept once made, when they fit
                                    LF_TARGET_CACHE_MAX_BYTES; NULL: made in the step */
    unsigned char *target_ready; /* patch_count flags for target_cache */
    float *sample_target;        /* target_floats: the sample patch's, for snapshots */
    int sample_target_patch;     /* whose target sample_target holds; -1: none */
    lf_best_fit best;            /* options.operation's best filter, or with input
                                    noise the kernel's; all zero otherwise */
    double best_rel_err_to_kernel; /* with input noise: ||best - kernel|| / ||kernel||;
                                      NaN otherwise */
    int gram_params;             /* P of the matrices allocated in grams */
    float *grams;                /* gram_count packed P x P, when engine is gram */
    unsigned char *gram_ready;   /* gram_count flags */
    int gram_count;              /* matrices: one per patch, or with gram_shared per place */
    bool gram_shared;            /* one matrix per place serves its mirrors and turns
                                    (gram_variant.h): with the dataset's variants */
    lf_conv_shape gram_core;     /* with gram_shared: the shape of the place's matrix */
    int *gram_maps;              /* with gram_shared: variants * P, each variant's
                                    parameter map (lf_gram_variant_taps) */
    float *gram_variant_work;    /* with gram_shared: the step's scratch (gather, product,
                                    edges), gram_variant_floats */
    size_t gram_variant_floats;
    size_t gram_base_offset;     /* with gram_shared: where in a thread's gram_work its
                                    unturned patch starts (the compute's scratch before) */
    size_t gram_work_stride;     /* bytes of lf_gram_compute scratch per thread */
    unsigned char *gram_work;    /* threads * gram_work_stride */
    lf_fft_conv *fft;            /* the direct engine's transforms, or NULL */
    float *spectra;              /* patch_count spectra of the padded inputs */
    unsigned char *spectrum_ready; /* patch_count flags */
    float *fft_work;             /* threads work buffers */
    /* ---- workspace of one step */
    float *grads;                /* MAX_PARAMS, same layout as params */
    float *saved;                /* MAX_PARAMS: the last finite parameters */
    float *delta;                /* MAX_PARAMS: params - (true kernel, 0) */
    float *gram_work_vector;     /* MAX_PARAMS: G d */
    float *kernel_spectrum;      /* the current weights' spectrum, once per step */
    float *target_work;          /* threads * target_floats: per thread, the target of
                                    the patch it works on, made in the step */
    unsigned char *op_work;      /* threads * op_work_stride bytes, with an operation: each
                                    thread's lf_op_apply_work scratch; else NULL */
    size_t op_work_stride;       /* bytes per thread */
    int op_target_patch[LF_POOL_MAX_THREADS]; /* with an operation and no cache: whose
                                    whole target each thread's target_work holds (the
                                    bands of one patch share it); -1: none */
    float *fft_clean_spectra;    /* threads spectra: with input noise and the FFT, the
                                    clean patch's, for its target; else NULL */
    float *true_spectrum;        /* the true kernel's spectrum, with fft_clean_spectra */
    float *output;               /* threads * 2 * out area: per thread, the network's
                                    output for one patch, then the gradient of the
                                    loss w.r.t. it; thread 0's pair is the caller's.
                                    One gray filter's only (NULL for a layer, whose
                                    engine has them in layer_scratch) */
    int *build_list;             /* patch_count: patches a job builds G or spectra for */
    float *gram_blocks;          /* GRAM_BLOCKS * MAX_PARAMS: each row block's share of G d */
    double *unit_grads;          /* DIRECT_UNITS * MAX_PARAMS: each unit's gradient */
    double unit_loss[DIRECT_UNITS]; /* each unit's sum of squared residuals */
    long detail_step;            /* the step whose gradient grads and saved still hold, for
                                    snapshots (lf_step_detail); 0 once a restart or a new
                                    rate or optimizer makes them another step's */
    int detail_batch;            /* its batch's patch count */
    float *layer_scratch;        /* threads * layer_scratch_stride, when not plain: per
                                    thread the activations, output, its gradient and
                                    the layer routines' workspace */
    size_t layer_scratch_stride; /* floats */
    float *unit_layer_grads;     /* DIRECT_UNITS * MAX_PARAMS: each unit's gradient */
    lf_pool *pool;               /* workers, or NULL for one thread */
    int threads;                 /* threads per job, the caller's included */
};

/* Whether the trainer learns an operation (options.operation) rather than
 * the kernel in options.target. */
static inline bool trainer_has_operation(const lf_trainer *t)
{
    return lf_target_is_set(&t->options.operation);
}

/* Output values of one patch (all filters): the loss is their mean. */
/* The statistics come from the layer's windows (gram_layer.c) rather than
 * the lag-by-lag build of one gray channel at stride 1. */
static inline bool trainer_gram_by_windows(const lf_trainer *t)
{
    return !t->plain && (t->layer.channels > 1 || t->layer.stride > 1);
}

static inline int trainer_out_area(const lf_trainer *t)
{
    return t->out_count;
}

/* A thread's share of layer_scratch. */
typedef struct layer_scratch {
    float *act, *out, *dout, *work;
} layer_scratch;

static inline layer_scratch trainer_layer_scratch(const lf_trainer *t, int thread)
{
    const lf_layer_shape *s = &t->layer;
    float *base = t->layer_scratch + (size_t)thread * t->layer_scratch_stride;
    size_t a = (s->act_count + 15) / 16 * 16, o = (s->out_count + 15) / 16 * 16;
    return (layer_scratch){base, base + a, base + a + o, base + a + 2 * o};
}

/* ------------------------------------------------ trainer_cache.c */

typedef enum build_kind { BUILD_TARGETS, BUILD_GRAMS, BUILD_SPECTRA } build_kind;

/* The target of one patch, rows [y0, y1) of each filter's output: from
 * target_cache (made there now, whole, if missing: a parallel step builds
 * its batch's first with trainer_build_missing); or without the cache made
 * now into `thread`'s share of target_work (valid until that thread's next
 * call): a kernel's rows [y0, y1), the true layer applied to the clean
 * patch; an operation's whole target, with the thread's op_work (made once
 * for the bands of one patch). A layer other than one gray filter makes all
 * rows, with the thread's layer scratch. Every way gives the same values
 * (the same routine on the same data). */
const float *trainer_target_rows(lf_trainer *t, int patch, int thread, int y0, int y1);
static inline const float *trainer_target(lf_trainer *t, int patch, int thread)
{
    return trainer_target_rows(t, patch, thread, 0, t->plain ? t->shape.out_height : 0);
}
/* The sample patch's target for snapshots, made once per patch and kernel. */
const float *trainer_sample_target(lf_trainer *t, int patch);
/* Prepares options.operation: each thread's scratch for making its
 * targets in the step, and its best filter into options.target and best,
 * solved a patch at a time (lf_target_fit). Its targets are made as a
 * kernel's are, kept while they fit and otherwise in the step. On failure
 * (LF_ERR_NOMEM, or lf_target_fit's) nothing is kept. */
lf_status trainer_operation_targets(lf_trainer *t, lf_error *err);
/* Frees an operation's scratch: a kernel's targets need none. */
void trainer_drop_operation_targets(lf_trainer *t);
/* (Re)allocates target_cache for the dataset when it fits
 * LF_TARGET_CACHE_MAX_BYTES, all targets missing; else leaves none. */
void trainer_target_cache_make(lf_trainer *t);
void trainer_target_cache_free(lf_trainer *t);
/* Which of grams serves a patch: its own, or with gram_shared its place's. */
static inline int trainer_gram_index(const lf_trainer *t, int patch)
{
    return t->gram_shared ? t->dataset->patch_origin[patch].place : patch;
}
float *trainer_gram_slot(const lf_trainer *t, int patch);
float *trainer_spectrum_slot(const lf_trainer *t, int patch);
float *trainer_fft_work(const lf_trainer *t, int thread);
/* Builds what is missing of `kind` for patches[0..count) (distinct), on
 * all threads at once. */
void trainer_build_missing(lf_trainer *t, const int *patches, int count, build_kind kind);
/* The true kernel or the dataset changed: statistics and spectra are stale. */
void trainer_forget_caches(lf_trainer *t);

/* ------------------------------------------------ trainer_life.c */

/* Back to step 0 from the options: shape, engine, initial weights, order. */
void trainer_restart(lf_trainer *t);
/* Seeds the epoch shuffles' generator for a run of `seed`. */
void trainer_seed_order(lf_rng *rng, uint64_t seed);
/* The layer's sizes for options and a dataset; LF_ERR_ARGUMENT when they
 * do not make a layer. */
lf_status trainer_layer_shape(lf_layer_shape *shape, const lf_trainer_options *o,
                              const lf_dataset *ds, lf_error *err);
/* ||w - k|| / ||k|| of the current weights, bias excluded. */
double trainer_relative_error(const lf_trainer *t);
int trainer_steps_per_epoch(const lf_trainer *t);

#endif

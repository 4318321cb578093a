/*
 * trainer.h: the network, its training loop, and the snapshots it hands out.
 *
 * A trainer owns one convolution layer (by default one gray kernel and a
 * bias; options.layer makes it C channels, F filters, a stride, an
 * activation and max pooling), its optimizer, and the targets: each patch
 * through the same layer with the true weights and zero biases, so the
 * answer is exactly representable. A front end
 * creates it from one options struct, drives it with lf_trainer_step from a
 * single thread, and between steps may reset it, change the kernel, the
 * learning rate or the optimizer, or copy out a snapshot. There are no
 * globals: two trainers can run side by side.
 *
 * Usage:
 *   lf_trainer_options opt = { .target = kernel, .seed = 1 };
 *   lf_trainer *t = lf_trainer_create(&opt, &dataset, &err);
 *   while (!lf_trainer_figures(t)->converged)
 *       if (lf_trainer_step(t, &err) != LF_OK) break;   // LF_ERR_DIVERGED
 *   lf_trainer_destroy(t);
 *
 * One step takes the next batch_size patches of the epoch (the training
 * patches in an order reshuffled every epoch, as Keras does), computes the
 * mean squared error and its gradient, and applies the optimizer. After the
 * last batch of an epoch the validation loss is computed.
 *
 * With options.threads above 1 the trainer keeps a pool of worker threads
 * for the heavy parts of a step (building statistics, large matrix-vector
 * products, convolving the batch); the work is split the same way whatever
 * the thread count, so the weights do not depend on it. Still, only one
 * thread at a time may call the trainer's functions.
 *
 * The trainer borrows the dataset: it must outlive the trainer, or be
 * replaced with lf_trainer_set_dataset first.
 */
#ifndef LEARNFILTER_TRAINER_H
#define LEARNFILTER_TRAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learnfilter/conv.h"
#include "learnfilter/dataset.h"
#include "learnfilter/error.h"
#include "learnfilter/history.h"
#include "learnfilter/kernel.h"
#include "learnfilter/layer.h"
#include "learnfilter/optimizer.h"
#include "learnfilter/settings.h" /* lf_settings_for_kernel, the defaults */
#include "learnfilter/target.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A run counts as diverged, even while its numbers are still finite, once the
 * weights are further from the kernel than this many times the larger of
 * the starting weights' and the kernel's L2 norms: they have then run away
 * by four orders of magnitude and only grow. Measured against both norms so
 * the test holds for a kernel of any scale: a kernel of 1e-5 starts with
 * Glorot weights 1e5 times its size, a kernel of 1e5 far from them. */
#define LF_DIVERGENCE_GROWTH 1e4

/* How gradients are computed. Both give the same training up to rounding;
 * tests/test_gram.c holds their trajectories together, and
 * tests/test_trainer_layer.c for a layer of several filters. */
typedef enum lf_engine {
    LF_ENGINE_AUTO = 0, /* statistics when they apply and fit in memory, else direct */
    LF_ENGINE_DIRECT,   /* convolve every patch every step (the plain path; for a
                           layer other than one gray filter, lf_layer_forward and
                           lf_layer_backward) */
    LF_ENGINE_GRAM      /* per-patch Gram matrices (see gram.h); falls back to
                           direct with input noise or when memory is short. Only
                           for a linear layer without pooling (any channels,
                           filters and stride: one matrix over C kh kw + 1
                           features serves every filter), of at most
                           LF_GRAM_LAYER_MAX_PARAMS parameters a filter */
} lf_engine;

/* Largest memory the Gram matrices of a dataset may take before the trainer
 * uses the direct path: 55 patches of the 32x32 smiley take 231 MB. */
#ifndef LF_GRAM_MAX_BYTES
#define LF_GRAM_MAX_BYTES (1536L * 1024 * 1024)
#endif

/* Largest memory the targets of a dataset (each patch through the true
 * kernel or layer) may take to be kept once made; a larger set has each
 * batch's made in the step instead, which costs a forward pass of the true
 * layer per patch (a direct step with input noise took 2.3 times as long,
 * a layer's 1.3). The bundled photos' 55 patches take 14 MB with one
 * filter and 115 MB with 8; the 2,784 of --patch-stride 76 --variants 8
 * would take 730 MB, as much as the patches themselves. The values are the
 * same either way (tests/test_target_demand.c). */
#ifndef LF_TARGET_CACHE_MAX_BYTES
#define LF_TARGET_CACHE_MAX_BYTES (256L * 1024 * 1024)
#endif

const char *lf_engine_name(lf_engine engine);

struct lf_trainer_options;
/* Whether the statistics engine can serve the layer of these options: a
 * linear one without pooling, of at most LF_GRAM_LAYER_MAX_PARAMS
 * parameters a filter. */
bool lf_trainer_gram_serves(const struct lf_trainer_options *options);

/* The layer a trainer learns beyond its kernel's size. Zero means default,
 * given in brackets; all defaults are today's one gray filter, which trains
 * exactly as it always did. */
typedef struct lf_layer_options {
    int channels;               /* C: 1 gray, 3 R, G, B; the dataset's channels [1] */
    int filters;                /* F [1] */
    int stride;                 /* [1] */
    int pool;                   /* N x N max pooling after the activation [1: none] */
    lf_activation activation;   /* [none] */
} lf_layer_options;

/* True when the layer is one gray filter at stride 1, linear, no pooling:
 * the trainer's original network (zero fields count as defaults). */
bool lf_layer_options_plain(const lf_layer_options *layer);

/* Zero means default, given in brackets. */
typedef struct lf_trainer_options {
    lf_kernel target;           /* the true kernel [required: height and width > 0];
                                   for several filters or channels its weights hold
                                   the bank (filters, channels, height, width), as
                                   lf_kernel_bank_resolve makes it, and the target of
                                   a patch is the same layer with these weights and
                                   zero biases, activation and pooling included */
    lf_layer_options layer;     /* [one gray filter] */
    lf_train_settings settings; /* [learning_rate 0: all of lf_settings_for_kernel(&target)] */
    lf_padding padding;         /* [same] */
    uint64_t seed;              /* initial weights and epoch order [0] */
    double tolerance;           /* relative error that counts as converged [LF_DEFAULT_TOLERANCE] */
    int sample_patch;           /* patch shown in snapshots [0] */
    lf_engine engine;           /* [auto] */
    int threads;                /* threads a step may use, the caller's included [1];
                                   the weights are bit-identical for any count */
    int fft;                    /* the direct engine's convolutions through the FFT
                                   (fftconv.h): 1 always, -1 never [0: from
                                   LF_FFT_MIN_TAPS taps on] */
    lf_target operation;        /* learn this operation instead of target's kernel
                                   (target.h) [none]: the targets are the operation on
                                   each clean patch, target's height and width give
                                   the layer's kernel, and its weights are replaced by
                                   the best linear filter over the training patches,
                                   which rel_err and the tolerance then measure against.
                                   Trains on the direct engine. A new kernel
                                   (lf_trainer_set_kernel) ends it. */
} lf_trainer_options;

/* The relative error that counts as converged when options.tolerance is 0. */
#define LF_DEFAULT_TOLERANCE 0.01

/* Fills the zero fields of o with their defaults, as lf_trainer_create
 * does (settings: all of lf_settings_for_kernel(&o->target) when the
 * learning rate is 0; tolerance LF_DEFAULT_TOLERANCE). Front ends call it
 * to show the settings a trainer will use before creating one. */
void lf_trainer_options_defaults(lf_trainer_options *o);

/* Taps from which the direct engine convolves through the FFT: a 9x9
 * kernel's direct step already costs more than the transforms (measured
 * with learnfilter_bench on 256x256 patches). */
#ifndef LF_FFT_MIN_TAPS
#define LF_FFT_MIN_TAPS 81
#endif


/* The figures a front end shows. NaN marks "not known yet". */
typedef struct lf_figures {
    long step;            /* optimizer updates since the start */
    int epoch;            /* completed epochs */
    int step_in_epoch;    /* steps taken in the current epoch */
    int steps_per_epoch;  /* ceil(train_count / batch_size) */
    double step_loss;     /* loss of the last batch */
    double train_loss;    /* mean step loss over the last completed epoch */
    double val_loss;      /* validation loss after the last completed epoch */
    double rel_err;       /* ||w - k|| / ||k||, bias excluded */
    double best_rel_err;  /* smallest rel_err seen */
    long converged_step;  /* first step with rel_err <= tolerance, or -1 */
    bool converged;       /* rel_err <= tolerance now */
    bool diverged;        /* a non-finite or runaway value stopped training */
} lf_figures;

/* lf_history, the loss curves in a snapshot: see history.h. */

/* The kernels whose last step a snapshot describes weight by weight: up to
 * 7x7, the largest whose numbers the window prints. */
#define LF_STEP_DETAIL_MAX_TAPS 49

/* The last optimizer step, as a snapshot hands it to a front end that
 * explains it. Arrays hold the kernel's taps row-major, then the bias at
 * [taps]. Only the snapshot copies these (from buffers the step fills
 * anyway), so describing a step costs the step nothing. */
typedef struct lf_step_detail {
    long step;                /* figures.step of the step described; 0: none (no step since
                                 the last restart or change of rate or optimizer) */
    int taps;                 /* kernel taps described; 0 for a kernel above the limit */
    long optimizer_step;      /* the optimizer's count after it (Adam's t) */
    float before[LF_STEP_DETAIL_MAX_TAPS + 1]; /* the parameters before the step */
    float after[LF_STEP_DETAIL_MAX_TAPS + 1];  /* and after */
    float grad[LF_STEP_DETAIL_MAX_TAPS + 1];   /* dLoss/dparameter of the step's batch */
    float first[LF_STEP_DETAIL_MAX_TAPS + 1];  /* after the step: SGD's velocity, Adam's m */
    float second[LF_STEP_DETAIL_MAX_TAPS + 1]; /* after the step: Adam's v (0 for SGD) */
    double loss;              /* the batch's mean squared error, before the update */
    int batch;                /* patches in the batch */
} lf_step_detail;

/* What a front end needs to draw the network at one moment. Allocate with
 * lf_snapshot_init for the largest patch it will hold; then copying into it
 * never allocates. */
typedef struct lf_snapshot {
    lf_kernel target;          /* the true kernel */
    lf_kernel learned;         /* the weights now, same shape */
    float bias;
    lf_train_settings settings;
    lf_padding padding;
    lf_engine engine;          /* in use: direct or gram */
    uint64_t seed;
    lf_figures figures;
    lf_history epochs;         /* one point per epoch, with validation loss */
    lf_history steps;          /* a point every few steps, for a live chart */
    int patch_count, train_count, validation_count;
    /* The sample: one patch, what the network makes of it, and the truth.
     * Filled only when lf_trainer_snapshot is asked for images. */
    bool has_images;
    int sample_patch;
    int in_height, in_width, out_height, out_width;
    int capacity;              /* floats allocated in each buffer */
    float *input;              /* in_height x in_width */
    float *output;             /* out_height x out_width */
    float *expected;           /* out_height x out_width: the true filter's output */
    lf_best_fit best;          /* the best linear filter's bias and loss: with an
                                  operation as the target (its weights are in target),
                                  or with input noise; all zero otherwise */
    bool learning_operation;   /* the target is an operation, not a kernel */
    double best_rel_err_to_kernel; /* with input noise, how far the best filter is
                                      from the kernel; NaN otherwise */
    lf_step_detail last_step;  /* the last step, weight by weight, for kernels up to
                                  LF_STEP_DETAIL_MAX_TAPS taps */
    int stats_built, stats_total; /* per-patch statistics (Gram matrices, one per place
                                  when a patch's variants share it, or the FFT
                                  engine's spectra) built so far, of those the engine
                                  uses: the first epoch of a kernel builds them, which
                                  makes it slow; both 0 when the engine needs none */
} lf_snapshot;

lf_status lf_snapshot_init(lf_snapshot *snap, int max_patch_size, lf_error *err);
void lf_snapshot_deinit(lf_snapshot *snap);
/* Copies everything but the image buffers' ownership; dst must be initialised
 * with room for src's images. Returns false (copying no images) when not. */
bool lf_snapshot_copy(lf_snapshot *dst, const lf_snapshot *src);

typedef struct lf_trainer lf_trainer;

/* Creates a trainer. Fails with LF_ERR_ARGUMENT for bad options (the message
 * says which: a layer out of layer.h's limits, channels other than the
 * dataset's, a bank of more than LF_KERNEL_MAX_SIDE^2 + 1 parameters,
 * engine gram for a layer it cannot serve, an operation as the target of
 * a layer other than one gray filter), LF_ERR_INPUT when the kernel does
 * not fit the patches with 'valid' padding, LF_ERR_NOMEM. The caller owns
 * the result. */
lf_trainer *lf_trainer_create(const lf_trainer_options *options, const lf_dataset *dataset,
                              lf_error *err);
void lf_trainer_destroy(lf_trainer *trainer);

/* One optimizer step. Returns LF_ERR_DIVERGED (and keeps the last finite
 * weights) when the loss or the weights stop being finite or run away;
 * after that every step returns LF_ERR_DIVERGED until a reset or a new
 * learning rate. */
lf_status lf_trainer_step(lf_trainer *trainer, lf_error *err);

const lf_figures *lf_trainer_figures(const lf_trainer *trainer);
const lf_trainer_options *lf_trainer_get_options(const lf_trainer *trainer);
const lf_dataset *lf_trainer_dataset(const lf_trainer *trainer);
/* The engine in use now: LF_ENGINE_DIRECT or LF_ENGINE_GRAM. */
lf_engine lf_trainer_engine(const lf_trainer *trainer);
/* Whether the direct engine convolves through the FFT now. */
bool lf_trainer_uses_fft(const lf_trainer *trainer);
/* With an operation as the target, the best linear filter's fit (its
 * weights are lf_trainer_get_options(trainer)->target). With a kernel as
 * the target and noise on the inputs (up to LF_TARGET_MAX_SIDE), the fit
 * of the best filter for the noisy inputs, which is not the kernel; all
 * zero otherwise. */
const lf_best_fit *lf_trainer_best_fit(const lf_trainer *trainer);
/* With a kernel, input noise and a best fit: how far the best filter is
 * from the kernel, ||best - kernel|| / ||kernel||. NaN otherwise. */
double lf_trainer_best_rel_err_to_kernel(const lf_trainer *trainer);
/* Current parameters: the weights (filters, channels, height, width), then
 * one bias per filter (lf_trainer_weight_count floats, then
 * lf_trainer_filters). lf_trainer_bias is the first filter's bias. */
const float *lf_trainer_weights(const lf_trainer *trainer);
float lf_trainer_bias(const lf_trainer *trainer);
int lf_trainer_weight_count(const lf_trainer *trainer);
int lf_trainer_filters(const lf_trainer *trainer);
/* ||w_f - k_f|| / ||k_f|| of one filter (all its channels), bias excluded;
 * NaN for f out of range. The figures' rel_err is the same over the bank. */
double lf_trainer_filter_rel_err(const lf_trainer *trainer, int f);
/* The layer's sizes (output, parameters) for the current dataset. */
const lf_layer_shape *lf_trainer_layer_shape(const lf_trainer *trainer);

/* Copies the state into snap. with_images also runs the network on the
 * sample patch, which costs one forward pass. */
void lf_trainer_snapshot(lf_trainer *trainer, lf_snapshot *snap, bool with_images);

/* lf_trainer_set_target and lf_trainer_set_kernel refuse (LF_ERR_ARGUMENT) a
 * trainer of a layer other than one gray filter: they change one kernel.
 *
 * Learns an operation from now on (what --target does at the start): a
 * kernel of the operation's window, against the best linear filter, with
 * the settings in use. Restarts at step 0. On failure (the window larger
 * than the patch or LF_TARGET_MAX_SIDE, no memory) the trainer learns what
 * it learned before. */
lf_status lf_trainer_set_target(lf_trainer *t, const lf_target *target, lf_error *err);

/* Back to the starting weights of the current seed, step 0. */
void lf_trainer_reset(lf_trainer *trainer);
/* New seed, then reset. */
void lf_trainer_reseed(lf_trainer *trainer, uint64_t seed);
/* A new true kernel and its settings (NULL: the kernel's defaults); restarts. */
lf_status lf_trainer_set_kernel(lf_trainer *trainer, const lf_kernel *kernel,
                                const lf_train_settings *settings, lf_error *err);
/* New learning rate, kept for the rest of the run. After a divergence it also
 * resets, since the weights it left are useless. Rejects non-positive or
 * non-finite values with LF_ERR_ARGUMENT. */
lf_status lf_trainer_set_learning_rate(lf_trainer *trainer, float learning_rate, lf_error *err);
/* Switches optimizer; the new one starts with empty moments and its usual
 * learning rate (SGD 1e-2 with momentum 0.9 and Nesterov, Adam 1e-3). The
 * weights and the batch size stay. */
void lf_trainer_set_optimizer(lf_trainer *trainer, lf_optimizer_kind kind);
/* Replaces the dataset (borrowed) and restarts. With an operation as the
 * target, its targets and best filter are made anew for the new dataset;
 * should that fail (err says why) the trainer still restarts on the new
 * dataset, learning the last best filter as a plain kernel. */
lf_status lf_trainer_set_dataset(lf_trainer *trainer, const lf_dataset *dataset, lf_error *err);
/* Sets one learned parameter by hand, between steps: index 0 ..
 * height*width - 1 is a weight (row-major), height*width the bias. Training
 * goes on from there (the optimizer keeps its moments), so a perturbed
 * kernel can be watched recovering; the kernel error is updated at once.
 * LF_ERR_ARGUMENT for an index out of range or a value that is not finite. */
lf_status lf_trainer_set_weight(lf_trainer *trainer, int index, float value, lf_error *err);
/* Chooses the patch shown in snapshots (wraps around the patch count). */
void lf_trainer_set_sample_patch(lf_trainer *trainer, int patch);

/* The order in which the first `epochs` epochs from the start visit the
 * training patches: out[e * train_count + i] is the i-th patch of epoch e.
 * out holds capacity ints; only whole epochs that fit are written. Returns
 * the number of epochs written. Replays the trainer's shuffles from its seed
 * without touching its state, so another program can train on exactly the
 * same batches. */
int lf_trainer_epoch_orders(const lf_trainer *trainer, int epochs, int *out, size_t capacity);

/* Mean squared error of the current weights over patches [first, first+count). */
double lf_trainer_evaluate(lf_trainer *trainer, int first, int count);

#ifdef __cplusplus
}
#endif
#endif

/*
 * settings.h: the training settings' defaults, resolved in one place.
 *
 * Every front end (the command line, the window's keys, the headless
 * trainer) and the trainer itself ask these functions; none keeps a default
 * of its own. As in a sokol description struct, a request leaves what the
 * user did not say at its "unset" value and lf_settings_resolve fills it:
 *
 *   lf_settings_request r = LF_SETTINGS_REQUEST_UNSET;
 *   r.learning_rate = 0.05f;                          // what the user gave
 *   lf_train_settings s = lf_settings_resolve(&kernel, &r);
 *
 * The defaults, per kernel: the original experiment's settings (Sobel x:
 * SGD 1e-2, momentum 0.9, Nesterov, batch 4; Sobel y: the same with batch 1;
 * smiley: Adam 1e-3, batch 1). Other kernels up to 7x7 train like Sobel x,
 * larger ones like the smiley. Adam's betas and epsilon are PyTorch's
 * (0.9, 0.999, 1e-8).
 */
#ifndef LEARNFILTER_SETTINGS_H
#define LEARNFILTER_SETTINGS_H

#include "learnfilter/error.h"
#include "learnfilter/kernel.h"
#include "learnfilter/optimizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The usual settings of an optimizer: SGD 1e-2 with momentum 0.9 and
 * Nesterov, batch 4; Adam 1e-3, batch 1. */
lf_train_settings lf_settings_for_optimizer(lf_optimizer_kind kind);

/* The settings a kernel trains with when the user says nothing. */
lf_train_settings lf_settings_for_kernel(const lf_kernel *kernel);

/* What a user asked for; every field at its unset value takes the default. */
typedef struct lf_settings_request {
    int optimizer;       /* lf_optimizer_kind, or -1 unset: the kernel's */
    float learning_rate; /* 0 unset */
    float momentum;      /* negative unset */
    int nesterov;        /* -1 unset, 0, 1 */
    int batch_size;      /* 0 unset */
} lf_settings_request;

#define LF_SETTINGS_REQUEST_UNSET \
    ((lf_settings_request){.optimizer = -1, .momentum = -1.0f, .nesterov = -1})

/* The kernel's defaults, overridden by what r sets. An optimizer other than
 * the kernel's starts from that optimizer's usual settings (the kernel's
 * batch size kept), then takes the other overrides. */
lf_train_settings lf_settings_resolve(const lf_kernel *kernel, const lf_settings_request *r);

/* A batch no larger than the training set: a small image set still trains
 * with a kernel's default batch. */
void lf_settings_fit_batch(lf_train_settings *s, int train_count);

/* LF_ERR_ARGUMENT with the reason when s cannot train on train_count
 * patches (non-positive rate, momentum outside [0, 1), bad Adam constants,
 * a batch outside 1..train_count). */
lf_status lf_settings_check(const lf_train_settings *s, int train_count, lf_error *err);

#ifdef __cplusplus
}
#endif
#endif

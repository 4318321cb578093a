/*
 * settings.c: the one place where training defaults are decided.
 * See include/learnfilter/settings.h. The command line, the window and the
 * trainer all ask these; the trainer's own option defaults (tolerance,
 * settings from the kernel) are filled here too, in
 * lf_trainer_options_defaults.
 */
#include "learnfilter/settings.h"

#include "learnfilter/trainer.h" /* lf_trainer_options_defaults */

#include <math.h>
#include <string.h>

static lf_train_settings sgd_defaults(void)
{
    return (lf_train_settings){.optimizer = LF_OPTIMIZER_SGD,
                               .learning_rate = 1e-2f,
                               .momentum = 0.9f,
                               .nesterov = true,
                               .beta1 = 0.9f,
                               .beta2 = 0.999f,
                               .epsilon = 1e-8f,
                               .batch_size = 4};
}

static lf_train_settings adam_defaults(void)
{
    lf_train_settings s = sgd_defaults();
    s.optimizer = LF_OPTIMIZER_ADAM;
    s.learning_rate = 1e-3f;
    s.batch_size = 1;
    return s;
}

lf_train_settings lf_settings_for_optimizer(lf_optimizer_kind kind)
{
    return kind == LF_OPTIMIZER_ADAM ? adam_defaults() : sgd_defaults();
}

lf_train_settings lf_settings_for_kernel(const lf_kernel *kernel)
{
    if (!strcmp(kernel->name, "sobel-y")) {
        lf_train_settings s = sgd_defaults();
        s.batch_size = 1;
        return s;
    }
    if (!strcmp(kernel->name, "smiley"))
        return adam_defaults();
    if (!strcmp(kernel->name, "sobel-x"))
        return sgd_defaults();
    /* Small kernels converge well with the Sobel settings; for large ones
     * SGD's stable step shrinks with the number of taps, while Adam's
     * per-weight scaling does not. */
    return kernel->height <= 7 && kernel->width <= 7 ? sgd_defaults() : adam_defaults();
}

lf_train_settings lf_settings_resolve(const lf_kernel *kernel, const lf_settings_request *r)
{
    lf_train_settings s = lf_settings_for_kernel(kernel);
    if (r->optimizer >= 0 && (lf_optimizer_kind)r->optimizer != s.optimizer) {
        int batch = s.batch_size;
        s = lf_settings_for_optimizer((lf_optimizer_kind)r->optimizer);
        s.batch_size = batch;
    }
    if (r->learning_rate > 0) s.learning_rate = r->learning_rate;
    if (r->momentum >= 0) s.momentum = r->momentum;
    if (r->nesterov >= 0) s.nesterov = r->nesterov != 0;
    if (r->batch_size > 0) s.batch_size = r->batch_size;
    return s;
}

void lf_settings_fit_batch(lf_train_settings *s, int train_count)
{
    if (s->batch_size > train_count)
        s->batch_size = train_count;
}

lf_status lf_settings_check(const lf_train_settings *s, int train_count, lf_error *err)
{
    if (!(s->learning_rate > 0) || !isfinite(s->learning_rate))
        return lf_fail(err, LF_ERR_ARGUMENT, "learning rate %g must be positive and finite",
                       (double)s->learning_rate);
    if (!(s->momentum >= 0 && s->momentum < 1))
        return lf_fail(err, LF_ERR_ARGUMENT, "momentum %g must be in [0, 1)", (double)s->momentum);
    if (s->optimizer == LF_OPTIMIZER_ADAM &&
        (!(s->beta1 >= 0 && s->beta1 < 1) || !(s->beta2 >= 0 && s->beta2 < 1) ||
         !(s->epsilon > 0)))
        return lf_fail(err, LF_ERR_ARGUMENT, "Adam needs betas in [0, 1) and epsilon > 0");
    if (s->batch_size < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "batch size %d must be at least 1", s->batch_size);
    if (s->batch_size > train_count)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "batch size %d is larger than the %d training patches", s->batch_size,
                       train_count);
    return LF_OK;
}

/* ---------------------------------------------------- trainer options */

void lf_trainer_options_defaults(lf_trainer_options *o)
{
    if (o->settings.learning_rate == 0)
        o->settings = lf_settings_for_kernel(&o->target);
    if (o->tolerance == 0)
        o->tolerance = LF_DEFAULT_TOLERANCE;
    lf_layer_options *l = &o->layer;
    if (l->channels == 0) l->channels = 1;
    if (l->filters == 0) l->filters = 1;
    if (l->stride == 0) l->stride = 1;
    if (l->pool == 0) l->pool = 1;
}

bool lf_layer_options_plain(const lf_layer_options *l)
{
    return l->channels <= 1 && l->filters <= 1 && l->stride <= 1 && l->pool <= 1 &&
           l->activation == LF_ACTIVATION_NONE;
}

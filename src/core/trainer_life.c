/*
 * trainer_life.c: a trainer's lifecycle (create, restart, destroy), the
 * setters a front end calls between steps, and the getters.
 *
 * All parameters (the weights, then the bias) live in one array, and so do
 * their gradients, so zeroing is one memset and saving is one memcpy. Every
 * buffer a step needs is allocated here, sized for the largest kernel, so
 * neither a step nor a kernel change allocates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"
#include "trainer_internal.h"

/* ============================================================ helpers */

static void layer_derive(lf_trainer *t, const lf_dataset *ds);

double trainer_relative_error(const lf_trainer *t)
{
    return lf_relative_error(t->state.params, t->options.target.weights, t->weight_count);
}

lf_status trainer_layer_shape(lf_layer_shape *shape, const lf_trainer_options *o,
                              const lf_dataset *ds, lf_error *err)
{
    const lf_layer_options *l = &o->layer;
    lf_layer_desc d = {.in_height = ds->patch_size,
                       .in_width = ds->patch_size,
                       .k_height = o->target.height,
                       .k_width = o->target.width,
                       .channels = l->channels,
                       .filters = l->filters,
                       .stride = l->stride,
                       .padding = o->padding,
                       .activation = l->activation,
                       .pool = l->pool};
    return lf_layer_shape_make(shape, &d, err);
}

/* The divergence threshold for this run, from the starting weights: see
 * LF_DIVERGENCE_GROWTH. */
static double runaway_distance(const lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    double weights = 0, truth = 0;
    for (int i = 0; i < t->weight_count; i++) {
        weights += (double)t->state.params[i] * t->state.params[i];
        truth += (double)k->weights[i] * k->weights[i];
    }
    double scale = fmax(sqrt(weights), sqrt(truth));
    return LF_DIVERGENCE_GROWTH * (scale > 0 ? scale : 1.0);
}

static void figures_clear(lf_figures *f, int steps_per_epoch)
{
    *f = (lf_figures){.steps_per_epoch = steps_per_epoch,
                      .step_loss = NAN,
                      .train_loss = NAN,
                      .val_loss = NAN,
                      .rel_err = NAN,
                      .best_rel_err = NAN,
                      .converged_step = -1};
}

int trainer_steps_per_epoch(const lf_trainer *t)
{
    int b = t->options.settings.batch_size;
    return (t->dataset->train_count + b - 1) / b;
}

/* Glorot-uniform weights (fan in = C taps, fan out = F taps, as Keras
 * counts them; for one gray filter both are the taps) and zero biases. */
static void init_params(lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    int taps = k->height * k->width;
    double fans = (double)(t->layer.channels + t->layer.filters) * taps;
    double limit = sqrt(6.0 / fans);
    lf_rng rng;
    lf_rng_seed(&rng, t->options.seed);
    memset(t->state.params, 0, sizeof(float) * MAX_PARAMS);
    for (int i = 0; i < t->weight_count; i++)
        t->state.params[i] = (float)((2.0 * lf_rng_uniform(&rng) - 1.0) * limit);
    t->param_count = t->weight_count + t->filters;
}

void trainer_seed_order(lf_rng *rng, uint64_t seed)
{
    lf_rng_seed(rng, seed ^ 0x6f72646572ull); /* not the weights' stream */
}

static lf_status check_kernel(const lf_kernel *k, const lf_dataset *ds, lf_padding padding,
                              lf_error *err)
{
    if (k->height < 1 || k->width < 1 || k->height > LF_KERNEL_MAX_SIDE ||
        k->width > LF_KERNEL_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "kernel size %dx%d is outside 1..%d", k->height,
                       k->width, LF_KERNEL_MAX_SIDE);
    for (int i = 0; i < k->height * k->width; i++) /* a bank's are checked by check_layer */
        if (!isfinite(k->weights[i]))
            return lf_fail(err, LF_ERR_INPUT, "kernel %s has a weight that is not finite",
                           k->name);
    if (padding == LF_PADDING_VALID && (k->height > ds->patch_size || k->width > ds->patch_size))
        return lf_fail(err, LF_ERR_INPUT,
                       "kernel %s (%dx%d) does not fit in %dx%d patches with 'valid' padding",
                       k->name, k->height, k->width, ds->patch_size, ds->patch_size);
    return LF_OK;
}

/* What a layer other than one gray filter needs beyond its kernel's checks:
 * a shape within layer.h's limits, the dataset's channels, room for its
 * parameters, an engine that can serve it, no operation. */
static lf_status check_layer(const lf_trainer_options *o, const lf_dataset *ds, lf_error *err)
{
    const lf_layer_options *l = &o->layer;
    if (lf_layer_options_plain(l))
        return LF_OK;
    lf_layer_shape shape;
    lf_status st = trainer_layer_shape(&shape, o, ds, err);
    if (st != LF_OK)
        return st;
    int dataset_channels = ds->channels > 1 ? ds->channels : 1;
    if (l->channels != dataset_channels)
        return lf_fail(err, LF_ERR_ARGUMENT, "the layer has %d input channel%s; the patches %d",
                       l->channels, l->channels == 1 ? "" : "s", dataset_channels);
    if (shape.param_count > MAX_PARAMS)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the layer has %zu parameters (%d filters x %d channels x %dx%d, and the "
                       "biases); at most %d",
                       shape.param_count, l->filters, l->channels, shape.k_height, shape.k_width,
                       MAX_PARAMS);
    for (size_t i = 0; i < shape.weight_count; i++)
        if (!isfinite(o->target.weights[i]))
            return lf_fail(err, LF_ERR_INPUT, "kernel %s has a weight that is not finite",
                           o->target.name);
    if (lf_target_is_set(&o->operation))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "an operation is learned by one gray filter at stride 1, without "
                       "activation or pooling");
    if (o->engine == LF_ENGINE_GRAM && !lf_trainer_gram_serves(o))
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the statistics engine (gram) serves a linear layer without pooling "
                       "of at most %d parameters a filter; this layer has activation %s, "
                       "pooling %d, %d channel%s of %dx%d: use engine direct or auto",
                       LF_GRAM_LAYER_MAX_PARAMS, lf_activation_name(l->activation),
                       l->pool, l->channels, l->channels == 1 ? "" : "s", o->target.height,
                       o->target.width);
    return LF_OK;
}

bool lf_trainer_gram_serves(const lf_trainer_options *o)
{
    const lf_layer_options *l = &o->layer;
    int channels = l->channels > 1 ? l->channels : 1;
    return l->pool <= 1 && l->activation == LF_ACTIVATION_NONE &&
           channels * o->target.height * o->target.width + 1 <= LF_GRAM_LAYER_MAX_PARAMS;
}

const char *lf_engine_name(lf_engine engine)
{
    switch (engine) {
    case LF_ENGINE_DIRECT: return "direct";
    case LF_ENGINE_GRAM: return "gram";
    default: return "auto";
    }
}

/* The statistics engine when it applies and fits, else the direct one
 * (which is always ready). Runs on restart, never inside a step. */
static void choose_engine(lf_trainer *t)
{
    /* The statistics stand for targets made by options.target itself, not
     * by an operation. */
    if (!t->plain) {
        /* Statistics for a linear layer they serve; the layer's own
         * routines for everything else. */
        if (lf_trainer_gram_serves(&t->options) && lf_engine_gram_ops.prepare(t)) {
            t->engine = &lf_engine_gram_ops;
        } else {
            lf_engine_layer_ops.prepare(t);
            t->engine = &lf_engine_layer_ops;
        }
        return;
    }
    if (!lf_target_is_set(&t->options.operation) && lf_engine_gram_ops.prepare(t)) {
        lf_engine_direct_ops.release(t);
        t->engine = &lf_engine_gram_ops;
    } else {
        lf_engine_direct_ops.prepare(t);
        t->engine = &lf_engine_direct_ops;
    }
}

void trainer_restart(lf_trainer *t)
{
    trainer_state *s = &t->state;
    t->shape = lf_conv_shape_make(t->dataset->patch_size, t->dataset->patch_size,
                                  t->options.target.height, t->options.target.width,
                                  t->options.padding);
    layer_derive(t, t->dataset);
    choose_engine(t);
    init_params(t);
    t->runaway_distance = runaway_distance(t);
    memcpy(t->saved, s->params, sizeof(float) * MAX_PARAMS);
    t->detail_step = 0;
    lf_optimizer_state_zero(&s->optimizer);
    trainer_seed_order(&s->order_rng, t->options.seed);
    for (int i = 0; i < t->dataset->train_count; i++)
        s->order[i] = i;
    s->cursor = 0;
    s->epoch_loss_sum = 0;
    figures_clear(&s->figures, trainer_steps_per_epoch(t));
    s->figures.rel_err = trainer_relative_error(t);
    s->figures.best_rel_err = s->figures.rel_err;
    lf_history_clear(&s->epoch_history);
    lf_history_clear(&s->step_history);
}

/* The layer's sizes for ds, from options checked by check_layer (which a
 * plain layer always passes). */
static void layer_derive(lf_trainer *t, const lf_dataset *ds)
{
    if (trainer_layer_shape(&t->layer, &t->options, ds, NULL) != LF_OK)
        memset(&t->layer, 0, sizeof t->layer); /* unreachable after the checks */
    t->plain = lf_layer_options_plain(&t->options.layer);
    t->filters = t->plain ? 1 : t->layer.filters;
    t->weight_count = t->options.target.height * t->options.target.width * t->filters *
                      (t->plain ? 1 : t->layer.channels);
    t->out_count = t->plain ? t->shape.out_height * t->shape.out_width : (int)t->layer.out_count;
}

/* (Re)allocates the buffers that depend on the dataset's size. */
static lf_status alloc_dataset_buffers(lf_trainer *t, const lf_dataset *ds, lf_error *err)
{
    size_t area = (size_t)ds->patch_size * ds->patch_size;
    layer_derive(t, ds);
    /* A layer of several filters can put out more values than a patch has. */
    size_t target_floats = area;
    float *scratch = NULL;
    size_t stride = 0;
    if (!t->plain) {
        const lf_layer_shape *l = &t->layer;
        if (l->out_count > target_floats)
            target_floats = l->out_count;
        stride = (l->act_count + 15) / 16 * 16 + 2 * ((l->out_count + 15) / 16 * 16) +
                 (l->work_count + 15) / 16 * 16;
        scratch = malloc(sizeof(float) * stride * (size_t)t->threads);
        if (!scratch)
            return lf_fail(err, LF_ERR_NOMEM, "out of memory for the layer's workspace");
    }
    int *order = malloc(sizeof(int) * (size_t)ds->train_count);
    /* One target per thread, not per patch: the step makes its batch's. */
    float *target_work = malloc(sizeof(float) * target_floats * (size_t)t->threads);
    float *sample_target = malloc(sizeof(float) * target_floats);
    float *work = t->plain ? malloc(sizeof(float) * area * 2 * (size_t)t->threads) : NULL;
    int *build_list = malloc(sizeof(int) * (size_t)ds->patch_count);
    if (!order || !target_work || !sample_target || (t->plain && !work) || !build_list) {
        free(scratch);
        free(order);
        free(target_work);
        free(sample_target);
        free(work);
        free(build_list);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the workspace of %d patches",
                       ds->patch_count);
    }
    free(t->state.order);
    free(t->target_work);
    free(t->sample_target);
    free(t->output);
    free(t->build_list);
    free(t->layer_scratch);
    t->layer_scratch = scratch;
    t->layer_scratch_stride = stride;
    t->target_floats = target_floats;
    t->state.order = order;
    t->target_work = target_work;
    t->sample_target = sample_target;
    t->sample_target_patch = -1;
    t->output = work;
    t->build_list = build_list;
    t->dataset = ds;
    t->dataset_hashed = false;
    trainer_target_cache_make(t);
    return LF_OK;
}

/* ========================================================== lifecycle */

/* With input noise and a kernel as the target, the best linear filter for
 * the noisy inputs is no longer the kernel (training on clean pairs made by
 * the same kernel is the "inverse crime"): solve for it, to say how far it
 * is. A figure for the front ends only: training goes on without it. */
static void prepare_noise_fit(lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    /* The fit is of one gray filter; a layer's bank has none. */
    if (!(t->dataset->noise_sigma > 0) || k->height > LF_TARGET_MAX_SIDE ||
        k->width > LF_TARGET_MAX_SIDE || !lf_layer_options_plain(&t->options.layer))
        return;
    lf_op op = {.kind = LF_OP_KERNEL, .kernel = k->weights, .kernel_h = k->height,
                .kernel_w = k->width, .padding = t->options.padding};
    lf_kernel best = *k;
    if (lf_best_fit_compute(&t->best, t->dataset, 0, t->dataset->train_count, &op, k->height,
                            k->width, t->options.padding, best.weights,
                            sizeof best.weights / sizeof best.weights[0], NULL) != LF_OK) {
        memset(&t->best, 0, sizeof t->best);
        return;
    }
    t->best_rel_err_to_kernel = lf_kernel_relative_error(&best, k);
}

/* With an operation as the target: the scratch to make its targets with
 * (kept or made in the step, as a kernel's), and the best filter, which
 * becomes the reference (options.target's weights). With a kernel: its best
 * filter under input noise, if any. */
static lf_status prepare_operation(lf_trainer *t, lf_error *err)
{
    memset(&t->best, 0, sizeof t->best);
    t->best_rel_err_to_kernel = NAN;
    if (!lf_target_is_set(&t->options.operation)) {
        trainer_drop_operation_targets(t); /* a kernel's need no scratch */
        prepare_noise_fit(t);
        return LF_OK;
    }
    lf_status st = trainer_operation_targets(t, err);
    if (st != LF_OK) /* left learning options.target as a kernel, consistently */
        memset(&t->options.operation, 0, sizeof t->options.operation);
    return st;
}

lf_trainer *lf_trainer_create(const lf_trainer_options *options, const lf_dataset *dataset,
                              lf_error *err)
{
    if (!dataset || dataset->patch_count < 1) {
        lf_fail(err, LF_ERR_ARGUMENT, "the trainer needs a dataset with at least one patch");
        return NULL;
    }
    lf_trainer_options o = *options;
    lf_trainer_options_defaults(&o);
    if (check_kernel(&o.target, dataset, o.padding, err) != LF_OK ||
        check_layer(&o, dataset, err) != LF_OK ||
        lf_settings_check(&o.settings, dataset->train_count, err) != LF_OK)
        return NULL;
    if (!(o.tolerance > 0)) {
        lf_fail(err, LF_ERR_ARGUMENT, "tolerance %g must be positive", o.tolerance);
        return NULL;
    }
    lf_trainer *t = calloc(1, sizeof *t);
    float *params = calloc(MAX_PARAMS * 5, sizeof(float));
    if (!t || !params || lf_optimizer_state_init(&t->state.optimizer, MAX_PARAMS) != 0) {
        free(params);
        if (t)
            lf_optimizer_state_deinit(&t->state.optimizer);
        free(t);
        lf_fail(err, LF_ERR_NOMEM, "out of memory creating the trainer");
        return NULL;
    }
    t->threads = o.threads > 1 ? o.threads : 1;
    if (t->threads > LF_POOL_MAX_THREADS)
        t->threads = LF_POOL_MAX_THREADS;
    t->gram_blocks = malloc(sizeof(float) * GRAM_BLOCKS * MAX_PARAMS);
    t->unit_grads = malloc(sizeof(double) * DIRECT_UNITS * MAX_PARAMS);
    t->unit_layer_grads = malloc(sizeof(float) * DIRECT_UNITS * MAX_PARAMS);
    if (t->threads > 1) {
        t->pool = lf_pool_create(t->threads);
        if (t->pool)
            t->threads = lf_pool_threads(t->pool); /* fewer if a thread failed to start */
    }
    if (!t->gram_blocks || !t->unit_grads || !t->unit_layer_grads ||
        (t->threads > 1 && !t->pool)) {
        free(params);
        lf_trainer_destroy(t);
        lf_fail(err, LF_ERR_NOMEM, "out of memory creating the trainer");
        return NULL;
    }
    t->state.params = params;
    t->grads = params + MAX_PARAMS;
    t->saved = params + 2 * MAX_PARAMS;
    t->delta = params + 3 * MAX_PARAMS;
    t->gram_work_vector = params + 4 * MAX_PARAMS;
    t->options = o;
    if (alloc_dataset_buffers(t, dataset, err) != LF_OK || prepare_operation(t, err) != LF_OK) {
        lf_trainer_destroy(t);
        return NULL;
    }
    lf_trainer_set_sample_patch(t, o.sample_patch);
    trainer_restart(t);
    return t;
}

void lf_trainer_destroy(lf_trainer *t)
{
    if (!t)
        return;
    lf_pool_destroy(t->pool);
    free(t->state.params);
    lf_optimizer_state_deinit(&t->state.optimizer);
    free(t->state.order);
    trainer_drop_operation_targets(t);
    trainer_target_cache_free(t);
    free(t->target_work);
    free(t->sample_target);
    free(t->output);
    free(t->build_list);
    free(t->gram_blocks);
    free(t->unit_grads);
    free(t->unit_layer_grads);
    free(t->layer_scratch);
    lf_engine_gram_ops.release(t);
    lf_engine_direct_ops.release(t);
    free(t);
}

/* ============================================================ getters */

const lf_figures *lf_trainer_figures(const lf_trainer *t) { return &t->state.figures; }
const lf_trainer_options *lf_trainer_get_options(const lf_trainer *t) { return &t->options; }
const lf_dataset *lf_trainer_dataset(const lf_trainer *t) { return t->dataset; }
lf_engine lf_trainer_engine(const lf_trainer *t) { return t->engine->kind; }
bool lf_trainer_uses_fft(const lf_trainer *t)
{
    return t->engine->kind == LF_ENGINE_DIRECT && t->fft;
}
const float *lf_trainer_weights(const lf_trainer *t) { return t->state.params; }
float lf_trainer_bias(const lf_trainer *t) { return t->state.params[t->weight_count]; }
int lf_trainer_weight_count(const lf_trainer *t) { return t->weight_count; }
int lf_trainer_filters(const lf_trainer *t) { return t->filters; }
const lf_layer_shape *lf_trainer_layer_shape(const lf_trainer *t) { return &t->layer; }
double lf_trainer_filter_rel_err(const lf_trainer *t, int f)
{
    if (f < 0 || f >= t->filters)
        return NAN;
    int per = t->weight_count / t->filters;
    return lf_relative_error(t->state.params + (size_t)f * per,
                             t->options.target.weights + (size_t)f * per, per);
}
const lf_best_fit *lf_trainer_best_fit(const lf_trainer *t) { return &t->best; }
double lf_trainer_best_rel_err_to_kernel(const lf_trainer *t) { return t->best_rel_err_to_kernel; }

/* ============================================================ setters */

void lf_trainer_reset(lf_trainer *t) { trainer_restart(t); }

void lf_trainer_reseed(lf_trainer *t, uint64_t seed)
{
    t->options.seed = seed;
    trainer_restart(t);
}

lf_status lf_trainer_set_kernel(lf_trainer *t, const lf_kernel *kernel,
                                const lf_train_settings *settings, lf_error *err)
{
    if (!t->plain)
        return lf_fail(err, LF_ERR_ARGUMENT, "a layer of several filters or channels keeps its "
                                             "bank: start a new run for another kernel");
    lf_train_settings s = settings ? *settings : lf_settings_for_kernel(kernel);
    lf_settings_fit_batch(&s, t->dataset->train_count); /* a small image set still trains */
    lf_status st = check_kernel(kernel, t->dataset, t->options.padding, err);
    if (st == LF_OK)
        st = lf_settings_check(&s, t->dataset->train_count, err);
    if (st != LF_OK)
        return st;
    t->options.target = *kernel;
    t->options.settings = s;
    memset(&t->options.operation, 0, sizeof t->options.operation);
    prepare_operation(t, NULL); /* with a kernel it cannot fail */
    trainer_forget_caches(t);
    trainer_restart(t);
    return LF_OK;
}

lf_status lf_trainer_set_target(lf_trainer *t, const lf_target *target, lf_error *err)
{
    if (!target || !lf_target_is_set(target))
        return lf_fail(err, LF_ERR_ARGUMENT, "no operation to learn");
    if (!t->plain)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "an operation is learned by one gray filter at stride 1, without "
                       "activation or pooling");
    lf_kernel shape = {0};
    lf_target_window(target, &shape.height, &shape.width);
    snprintf(shape.name, sizeof shape.name, "%s", target->name);
    lf_status st = check_kernel(&shape, t->dataset, t->options.padding, err);
    if (st != LF_OK)
        return st;
    /* Kept whole, so an operation that cannot be learned here leaves the
     * trainer as it was. */
    lf_kernel old_target = t->options.target;
    lf_target old_operation = t->options.operation;
    memset(&t->options.operation, 0, sizeof t->options.operation);
    trainer_forget_caches(t); /* the old targets go, whatever made them */
    t->options.target = shape;
    t->options.operation = *target;
    st = prepare_operation(t, err);
    if (st != LF_OK) {
        t->options.target = old_target;
        t->options.operation = old_operation;
        if (prepare_operation(t, NULL) != LF_OK)
            memset(&t->options.operation, 0, sizeof t->options.operation);
        trainer_restart(t);
        return st;
    }
    trainer_restart(t);
    return LF_OK;
}

lf_status lf_trainer_set_learning_rate(lf_trainer *t, float learning_rate, lf_error *err)
{
    if (!(learning_rate > 0) || !isfinite(learning_rate))
        return lf_fail(err, LF_ERR_ARGUMENT, "learning rate %g must be positive and finite",
                       (double)learning_rate);
    t->options.settings.learning_rate = learning_rate;
    t->detail_step = 0; /* the last step was taken at another rate */
    if (t->state.figures.diverged)
        trainer_restart(t);
    return LF_OK;
}

void lf_trainer_set_optimizer(lf_trainer *t, lf_optimizer_kind kind)
{
    int batch = t->options.settings.batch_size;
    t->options.settings = lf_settings_for_optimizer(kind);
    t->options.settings.batch_size = batch;
    lf_optimizer_state_zero(&t->state.optimizer);
    t->detail_step = 0;
}

lf_status lf_trainer_set_dataset(lf_trainer *t, const lf_dataset *ds, lf_error *err)
{
    if (!ds || ds->patch_count < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "the dataset has no patches");
    lf_status st = check_kernel(&t->options.target, ds, t->options.padding, err);
    if (st == LF_OK)
        st = check_layer(&t->options, ds, err);
    if (st != LF_OK)
        return st;
    lf_settings_fit_batch(&t->options.settings, ds->train_count);
    st = alloc_dataset_buffers(t, ds, err);
    if (st != LF_OK)
        return st;
    st = prepare_operation(t, err); /* on failure still restarts on the new dataset */
    lf_engine_gram_ops.release(t); /* sized for the old dataset */
    lf_engine_direct_ops.release(t);
    lf_trainer_set_sample_patch(t, t->options.sample_patch);
    trainer_restart(t);
    return st;
}

lf_status lf_trainer_set_weight(lf_trainer *t, int index, float value, lf_error *err)
{
    if (index < 0 || index >= t->param_count)
        return lf_fail(err, LF_ERR_ARGUMENT, "no weight %d: the kernel has %d and a bias", index,
                       t->param_count - 1);
    if (!isfinite(value))
        return lf_fail(err, LF_ERR_ARGUMENT, "a weight must be a finite number");
    t->state.params[index] = value;
    t->saved[index] = value;
    /* A hand-set weight far out is a lesson, not a divergence: the
     * threshold grows with it. */
    double runaway = runaway_distance(t);
    if (runaway > t->runaway_distance)
        t->runaway_distance = runaway;
    lf_figures *f = &t->state.figures;
    f->rel_err = trainer_relative_error(t);
    f->converged = f->rel_err <= t->options.tolerance;
    return LF_OK;
}

void lf_trainer_set_sample_patch(lf_trainer *t, int patch)
{
    int n = t->dataset->patch_count;
    t->options.sample_patch = ((patch % n) + n) % n;
}

int lf_trainer_epoch_orders(const lf_trainer *t, int epochs, int *out, size_t capacity)
{
    const int n = t->dataset->train_count;
    if (!out || n < 1 || epochs < 1)
        return 0;
    /* Whole epochs only, as many as asked and as fit. */
    if ((size_t)epochs > capacity / (size_t)n)
        epochs = (int)(capacity / (size_t)n);
    lf_rng rng;
    trainer_seed_order(&rng, t->options.seed);
    for (int e = 0; e < epochs; e++) {
        int *order = out + (size_t)e * (size_t)n;
        /* Each epoch shuffles the previous epoch's order, as the step does. */
        for (int i = 0; i < n; i++)
            order[i] = e == 0 ? i : order[i - n];
        lf_rng_shuffle(&rng, order, n);
    }
    return epochs;
}

/*
 * trainer.c: the one-layer network and its training loop.
 * See include/learnfilter/trainer.h for the contract.
 *
 * All parameters (the weights, then the bias) live in one array, and so do
 * their gradients, so zeroing is one memset and saving is one memcpy. Every
 * buffer the step needs is allocated when the trainer is created, sized for
 * the largest kernel, so neither a step nor a kernel change allocates.
 *
 * Targets (each patch filtered by the true kernel) are computed the first
 * time a patch is used and kept until the kernel changes: the true filter
 * is applied once per patch, not once per step.
 */
#include "learnfilter/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/fftconv.h"
#include "learnfilter/gram.h"
#include "learnfilter/rng.h"
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

struct lf_trainer {
    lf_trainer_options options; /* resolved: no zero-means-default left */
    const lf_dataset *dataset;  /* borrowed */
    lf_conv_shape shape;
    int param_count;            /* kernel taps + 1 bias */
    float *params;              /* MAX_PARAMS: weights row-major, then the bias */
    float *grads;               /* MAX_PARAMS, same layout */
    float *saved;               /* MAX_PARAMS: the last finite parameters */
    double runaway_distance;    /* ||w - k|| past which a step has diverged */
    lf_optimizer_state optimizer;
    lf_rng order_rng;           /* epoch shuffles */
    int *order;                 /* train_count patch indices, this epoch's order */
    int cursor;                 /* next position in order */
    float *targets;             /* patch_count * out area */
    unsigned char *target_ready;/* patch_count flags */
    float *output;              /* threads * 2 * out area: per thread, the network's
                                   output for one patch, then the gradient of the
                                   loss w.r.t. it; thread 0's pair is the caller's */
    lf_engine engine;           /* in use: LF_ENGINE_DIRECT or LF_ENGINE_GRAM */
    int gram_params;            /* P of the matrices allocated in grams */
    float *grams;               /* patch_count * P * P, when engine is gram */
    unsigned char *gram_ready;  /* patch_count flags */
    size_t gram_work_stride;    /* bytes of lf_gram_compute scratch per thread */
    unsigned char *gram_work;   /* threads * gram_work_stride */
    float *delta;               /* MAX_PARAMS: params - (true kernel, 0) */
    float *gram_work_vector;    /* MAX_PARAMS: G d */
    double epoch_loss_sum;      /* step losses in the current epoch */
    lf_fft_conv *fft;           /* the direct engine's transforms, or NULL */
    float *spectra;             /* patch_count spectra of the padded inputs */
    unsigned char *spectrum_ready; /* patch_count flags */
    float *fft_work;            /* threads work buffers */
    float *kernel_spectrum;     /* the current weights' spectrum, once per step */
    lf_pool *pool;              /* workers, or NULL for one thread */
    int threads;                /* threads per job, the caller's included */
    int *build_list;            /* patch_count: patches a job builds targets or G for */
    float *gram_blocks;         /* GRAM_BLOCKS * MAX_PARAMS: each row block's share of G d */
    double *unit_grads;         /* DIRECT_UNITS * MAX_PARAMS: each unit's gradient */
    double unit_loss[DIRECT_UNITS]; /* each unit's sum of squared residuals */
    lf_figures figures;
    lf_history epoch_history;
    lf_history step_history;
    lf_best_fit best;           /* options.operation's best filter, or all zero */
};

/* ========================================================== settings */

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

/* ============================================================ history */

static void history_clear(lf_history *h)
{
    h->count = 0;
    h->stride = 1;
    h->pending = 0;
    h->pending_loss_sum = 0;
}

static void history_add(lf_history *h, long step, float epoch, double loss, float val_loss,
                        float rel_err)
{
    h->pending++;
    h->pending_loss_sum += loss;
    if (h->pending < h->stride)
        return;
    if (h->count == LF_HISTORY_MAX) {
        /* Merge neighbours: the curve keeps its whole span at half the
         * resolution, and the stride doubles so it stays that way. */
        for (int i = 0; i < LF_HISTORY_MAX / 2; i++) {
            lf_history_point a = h->points[2 * i], b = h->points[2 * i + 1];
            b.train_loss = 0.5f * (a.train_loss + b.train_loss);
            h->points[i] = b;
        }
        h->count = LF_HISTORY_MAX / 2;
        h->stride *= 2;
        /* The events pending now are the first of a point at the new
         * stride, so every point keeps covering exactly `stride` events. */
        if (h->pending < h->stride)
            return;
    }
    h->points[h->count++] = (lf_history_point){step, epoch,
                                               (float)(h->pending_loss_sum / h->pending),
                                               val_loss, rel_err};
    h->pending = 0;
    h->pending_loss_sum = 0;
}

/* ============================================================ helpers */

static int out_area(const lf_trainer *t) { return t->shape.out_height * t->shape.out_width; }

static const float *target_of(lf_trainer *t, int patch)
{
    float *target = t->targets + (size_t)patch * (size_t)t->dataset->patch_size *
                                     (size_t)t->dataset->patch_size;
    if (!t->target_ready[patch]) {
        /* The caller's thread only: jobs use build_missing first. */
        /* The truth is the true kernel applied to the clean patch exactly as
         * the layer applies its own (same padding, no bias). */
        conv2d_forward(target, lf_dataset_clean(t->dataset, patch), t->options.target.weights,
                       0.0f, &t->shape);
        t->target_ready[patch] = 1;
    }
    return target;
}

static double relative_error(const lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    return lf_relative_error(t->params, k->weights, k->height * k->width);
}

/* ||w - k||, the weights' distance from the kernel (bias excluded). */
static double kernel_distance(const lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    double sum = 0;
    for (int i = 0; i < k->height * k->width; i++) {
        double d = (double)t->params[i] - k->weights[i];
        sum += d * d;
    }
    return sqrt(sum);
}

/* The divergence threshold for this run, from the starting weights: see
 * LF_DIVERGENCE_GROWTH. */
static double runaway_distance(const lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    double weights = 0;
    for (int i = 0; i < k->height * k->width; i++)
        weights += (double)t->params[i] * t->params[i];
    double scale = fmax(sqrt(weights), lf_kernel_norm(k));
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

static int steps_per_epoch(const lf_trainer *t)
{
    int b = t->options.settings.batch_size;
    return (t->dataset->train_count + b - 1) / b;
}

/* Glorot-uniform weights (fan in = fan out = the number of taps, as Keras
 * counts them for one channel in and out) and a zero bias. */
static void init_params(lf_trainer *t)
{
    const lf_kernel *k = &t->options.target;
    int taps = k->height * k->width;
    double limit = sqrt(6.0 / (2.0 * taps));
    lf_rng rng;
    lf_rng_seed(&rng, t->options.seed);
    memset(t->params, 0, sizeof(float) * MAX_PARAMS);
    for (int i = 0; i < taps; i++)
        t->params[i] = (float)((2.0 * lf_rng_uniform(&rng) - 1.0) * limit);
    t->param_count = taps + 1;
}

/* ============================================================ lifecycle */

static lf_status check_settings(const lf_train_settings *s, const lf_dataset *ds, lf_error *err)
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
    if (s->batch_size > ds->train_count)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "batch size %d is larger than the %d training patches", s->batch_size,
                       ds->train_count);
    return LF_OK;
}

static lf_status check_kernel(const lf_kernel *k, const lf_dataset *ds, lf_padding padding,
                              lf_error *err)
{
    if (k->height < 1 || k->width < 1 || k->height > LF_KERNEL_MAX_SIDE ||
        k->width > LF_KERNEL_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "kernel size %dx%d is outside 1..%d", k->height,
                       k->width, LF_KERNEL_MAX_SIDE);
    for (int i = 0; i < k->height * k->width; i++)
        if (!isfinite(k->weights[i]))
            return lf_fail(err, LF_ERR_INPUT, "kernel %s has a weight that is not finite",
                           k->name);
    if (padding == LF_PADDING_VALID && (k->height > ds->patch_size || k->width > ds->patch_size))
        return lf_fail(err, LF_ERR_INPUT,
                       "kernel %s (%dx%d) does not fit in %dx%d patches with 'valid' padding",
                       k->name, k->height, k->width, ds->patch_size, ds->patch_size);
    return LF_OK;
}

const char *lf_engine_name(lf_engine engine)
{
    switch (engine) {
    case LF_ENGINE_DIRECT: return "direct";
    case LF_ENGINE_GRAM: return "gram";
    default: return "auto";
    }
}

static void free_grams(lf_trainer *t)
{
    free(t->grams);
    free(t->gram_ready);
    free(t->gram_work);
    t->grams = NULL;
    t->gram_ready = NULL;
    t->gram_work = NULL;
    t->gram_params = 0;
}

static void free_spectra(lf_trainer *t)
{
    lf_fft_conv_destroy(t->fft);
    lf_fft_free(t->spectra);
    lf_fft_free(t->fft_work);
    lf_fft_free(t->kernel_spectrum);
    free(t->spectrum_ready);
    t->fft = NULL;
    t->spectra = t->fft_work = t->kernel_spectrum = NULL;
    t->spectrum_ready = NULL;
}

/* The direct engine: through the FFT for large kernels, when the spectra
 * fit in memory; otherwise (or when that fails) the plain loops. */
static void choose_direct(lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    const int taps = t->shape.k_height * t->shape.k_width;
    bool wanted = t->options.fft > 0 || (t->options.fft == 0 && taps >= LF_FFT_MIN_TAPS);
    if (!wanted) {
        free_spectra(t);
        return;
    }
    if (t->fft)
        return; /* still right: the kernel and dataset did not change */
    t->fft = lf_fft_conv_create(&t->shape);
    if (!t->fft)
        return;
    size_t spectrum = lf_fft_spectrum_floats(t->fft);
    const double bytes = (double)ds->patch_count * spectrum * sizeof(float);
    if (bytes <= (double)LF_GRAM_MAX_BYTES) {
        t->spectra = lf_fft_alloc(spectrum * (size_t)ds->patch_count);
        t->fft_work = lf_fft_alloc(lf_fft_work_floats(t->fft) * (size_t)t->threads);
        t->kernel_spectrum = lf_fft_alloc(spectrum);
        t->spectrum_ready = calloc((size_t)ds->patch_count, 1);
    }
    if (!t->spectra || !t->fft_work || !t->kernel_spectrum || !t->spectrum_ready)
        free_spectra(t);
}

/* Picks the engine for the current kernel and dataset, allocating (or
 * reusing) the Gram matrices. Runs on restart, never inside a step. */
static void choose_engine(lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    const int p = lf_gram_size(&t->shape);
    const double bytes = (double)ds->patch_count * lf_gram_packed_count(p) * sizeof(float);
    /* The statistics stand for targets made by options.target itself. */
    bool wanted = t->options.engine != LF_ENGINE_DIRECT && ds->inputs == ds->clean &&
                  !lf_target_is_set(&t->options.operation) &&
                  bytes <= (double)LF_GRAM_MAX_BYTES;
    if (!wanted) {
        free_grams(t);
        t->engine = LF_ENGINE_DIRECT;
        choose_direct(t);
        return;
    }
    free_spectra(t);
    if (t->gram_params != p || !t->grams) {
        free_grams(t);
        t->grams = malloc((size_t)bytes);
        t->gram_ready = calloc((size_t)ds->patch_count, 1);
        /* One scratch per thread, each a whole number of cache lines so
         * every one stays aligned for double and threads share no line. */
        size_t work = lf_gram_work_bytes(ds->patch_size, ds->patch_size, t->options.target.width);
        t->gram_work_stride = (work + 63) / 64 * 64;
        t->gram_work = malloc(t->gram_work_stride * (size_t)t->threads);
        if (!t->grams || !t->gram_ready || !t->gram_work) {
            free_grams(t); /* not enough memory: the direct path needs none */
            t->engine = LF_ENGINE_DIRECT;
            choose_direct(t);
            return;
        }
        t->gram_params = p;
    }
    t->engine = LF_ENGINE_GRAM;
}

static float *gram_slot(const lf_trainer *t, int patch)
{
    return t->grams + (size_t)patch * lf_gram_packed_count(t->gram_params);
}

static const float *gram_of(lf_trainer *t, int patch)
{
    float *g = gram_slot(t, patch);
    if (!t->gram_ready[patch]) {
        lf_gram_compute(g, lf_gram_packed_count(t->gram_params), t->gram_work,
                        t->gram_work_stride, lf_dataset_input(t->dataset, patch), &t->shape);
        t->gram_ready[patch] = 1;
    }
    return g;
}

/* ============================================================ threads */

/* Builds the targets or the Gram matrices of t->build_list[0..count):
 * each thread takes the next patch until none is left. Each patch's result
 * depends only on the patch, so who builds it does not matter. */
typedef enum build_kind { BUILD_TARGETS, BUILD_GRAMS, BUILD_SPECTRA } build_kind;
typedef struct build_job {
    lf_trainer *t;
    build_kind kind;
} build_job;

static float *target_slot(const lf_trainer *t, int patch)
{
    return t->targets +
           (size_t)patch * (size_t)t->dataset->patch_size * (size_t)t->dataset->patch_size;
}

static float *spectrum_slot(const lf_trainer *t, int patch)
{
    return t->spectra + (size_t)patch * lf_fft_spectrum_floats(t->fft);
}

static float *fft_work_of(const lf_trainer *t, int thread)
{
    return t->fft_work + (size_t)thread * lf_fft_work_floats(t->fft);
}

static void build_run(void *context, int item, int thread)
{
    build_job *job = context;
    lf_trainer *t = job->t;
    {
        int patch = t->build_list[item];
        if (job->kind == BUILD_GRAMS)
            /* Each slot and each thread's scratch were sized for this shape
             * in choose_engine; their sizes go along so nothing runs past. */
            lf_gram_compute(gram_slot(t, patch), lf_gram_packed_count(t->gram_params),
                            t->gram_work + (size_t)thread * t->gram_work_stride,
                            t->gram_work_stride, lf_dataset_input(t->dataset, patch), &t->shape);
        else if (job->kind == BUILD_SPECTRA)
            lf_fft_input_spectrum(t->fft, spectrum_slot(t, patch),
                                  lf_dataset_input(t->dataset, patch), fft_work_of(t, thread));
        else
            conv2d_forward(target_slot(t, patch), lf_dataset_clean(t->dataset, patch),
                           t->options.target.weights, 0.0f, &t->shape);
    }
}

/* Makes sure the patches in `patches` (count of them, distinct) have their
 * Gram matrix (grams) or target (else) built, building the missing ones on
 * all threads at once. */
static void build_missing(lf_trainer *t, const int *patches, int count, build_kind kind)
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

/* G d for one patch, by row blocks when G is large: each block into its own
 * vector, on whichever thread, then summed in block order. */
typedef struct apply_job {
    lf_trainer *t;
    const float *gram;
    int bounds[GRAM_BLOCKS + 1];
} apply_job;

static void apply_run(void *context, int b, int thread)
{
    (void)thread;
    apply_job *job = context;
    lf_trainer *t = job->t;
    const int p = t->param_count;
    float *y = t->gram_blocks + (size_t)b * MAX_PARAMS;
    memset(y, 0, sizeof(float) * (size_t)p);
    lf_gram_apply_rows(y, job->gram, t->delta, p, job->bounds[b], job->bounds[b + 1]);
}

/* Adds scale * G d to the gradient for one patch and returns d^T G d. */
static double gram_apply_patch(lf_trainer *t, const float *gram, float scale)
{
    const int p = t->param_count;
    if (p < GRAM_SPLIT_MIN_PARAMS)
        return lf_gram_apply(t->grads, t->gram_work_vector, gram, t->delta, p, scale);
    apply_job job = {.t = t, .gram = gram};
    const int blocks =
        lf_gram_split(p, GRAM_BLOCKS, job.bounds, (int)(sizeof job.bounds / sizeof job.bounds[0]));
    lf_pool_for(t->pool, blocks, apply_run, &job);
    float *y = t->gram_work_vector;
    memcpy(y, t->gram_blocks, sizeof(float) * (size_t)p);
    for (int b = 1; b < blocks; b++) {
        const float *part = t->gram_blocks + (size_t)b * MAX_PARAMS;
        for (int i = 0; i < p; i++)
            y[i] += part[i];
    }
    return lf_gram_apply_finish(t->grads, y, t->delta, p, scale);
}

/* The direct engine's units: up to DIRECT_UNITS patches of the batch, or
 * DIRECT_UNITS bands of rows of a single patch. Unit u convolves its rows,
 * forms the residual against the (already built) target, and sums its
 * gradient into unit_grads[u] and its squared residuals into unit_loss[u]. */
typedef struct direct_job {
    lf_trainer *t;
    const int *patches; /* the units' patches (one when banded) */
    int units;
    int bands;          /* 1, or DIRECT_UNITS when the batch is one patch */
    float scale;        /* dLoss/dout = scale * residual */
} direct_job;

static void direct_run(void *context, int u, int thread)
{
    direct_job *job = context;
    lf_trainer *t = job->t;
    const lf_conv_shape *s = &t->shape;
    const int taps = t->param_count - 1, ow = s->out_width, oh = s->out_height;
    const size_t area = (size_t)oh * (size_t)ow;
    float *out = t->output + (size_t)thread * 2 * area, *dout = out + area;
    {
        int patch = job->patches[job->bands > 1 ? 0 : u];
        int band = job->bands > 1 ? u : 0;
        int y0 = (int)((long)oh * band / job->bands), y1 = (int)((long)oh * (band + 1) / job->bands);
        const float *input = lf_dataset_input(t->dataset, patch);
        const float *target = target_slot(t, patch);
        if (t->fft)
            lf_fft_forward(t->fft, out, spectrum_slot(t, patch), t->kernel_spectrum,
                           t->params[taps], fft_work_of(t, thread));
        else
            conv2d_forward_rows(out, input, t->params, t->params[taps], s, y0, y1);
        double sum = 0;
        for (size_t i = (size_t)y0 * ow; i < (size_t)y1 * ow; i++) {
            float r = out[i] - target[i];
            sum += (double)r * r;
            dout[i] = job->scale * r;
        }
        double *acc = t->unit_grads + (size_t)u * MAX_PARAMS;
        memset(acc, 0, sizeof(double) * (size_t)(taps + 1));
        if (t->fft)
            lf_fft_backward_weights(t->fft, acc, dout, spectrum_slot(t, patch),
                                    fft_work_of(t, thread));
        else
            conv2d_backward_weights_rows(acc, dout, input, s, y0, y1);
        t->unit_loss[u] = sum;
    }
}

/* The direct engine's loss sum and gradient for the batch; the units'
 * results are added in unit order. */
static double direct_batch(lf_trainer *t, const int *patches, int batch, float scale)
{
    const int taps = t->param_count - 1;
    build_missing(t, patches, batch, BUILD_TARGETS);
    if (t->fft) {
        build_missing(t, patches, batch, BUILD_SPECTRA);
        lf_fft_kernel_spectrum(t->fft, t->kernel_spectrum, t->params, t->fft_work);
    }
    double loss = 0;
    for (int first = 0; first < batch; first += DIRECT_UNITS) {
        int n = batch - first < DIRECT_UNITS ? batch - first : DIRECT_UNITS;
        direct_job job = {.t = t, .patches = patches + first, .units = n, .bands = 1,
                          .scale = scale};
        if (batch == 1 && !t->fft) /* a transform does not split into bands */
            job.units = job.bands = DIRECT_UNITS;
        lf_pool_for(t->pool, job.units, direct_run, &job);
        if (job.bands > 1) {
            /* One patch: its bands add up in double before rounding. */
            double *total = t->unit_grads;
            for (int u = 1; u < job.units; u++) {
                const double *acc = t->unit_grads + (size_t)u * MAX_PARAMS;
                for (int i = 0; i <= taps; i++)
                    total[i] += acc[i];
                t->unit_loss[0] += t->unit_loss[u];
            }
            job.units = 1;
        }
        for (int u = 0; u < job.units; u++) {
            const double *acc = t->unit_grads + (size_t)u * MAX_PARAMS;
            for (int i = 0; i <= taps; i++)
                t->grads[i] += (float)acc[i];
            loss += t->unit_loss[u];
        }
    }
    return loss;
}

/* d = theta - theta*, the distance to the answer in parameter space. */
static void compute_delta(lf_trainer *t)
{
    const int taps = t->param_count - 1;
    for (int i = 0; i < taps; i++)
        t->delta[i] = t->params[i] - t->options.target.weights[i];
    t->delta[taps] = t->params[taps];
}

static void seed_order(lf_rng *rng, uint64_t seed)
{
    lf_rng_seed(rng, seed ^ 0x6f72646572ull); /* not the weights' stream */
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
    seed_order(&rng, t->options.seed);
    for (int e = 0; e < epochs; e++) {
        int *order = out + (size_t)e * (size_t)n;
        /* Each epoch shuffles the previous epoch's order, as the step does. */
        for (int i = 0; i < n; i++)
            order[i] = e == 0 ? i : order[i - n];
        lf_rng_shuffle(&rng, order, n);
    }
    return epochs;
}

static void restart(lf_trainer *t)
{
    t->shape = lf_conv_shape_make(t->dataset->patch_size, t->dataset->patch_size,
                                  t->options.target.height, t->options.target.width,
                                  t->options.padding);
    choose_engine(t);
    init_params(t);
    t->runaway_distance = runaway_distance(t);
    memcpy(t->saved, t->params, sizeof(float) * MAX_PARAMS);
    lf_optimizer_state_zero(&t->optimizer);
    seed_order(&t->order_rng, t->options.seed);
    for (int i = 0; i < t->dataset->train_count; i++)
        t->order[i] = i;
    t->cursor = 0;
    t->epoch_loss_sum = 0;
    figures_clear(&t->figures, steps_per_epoch(t));
    t->figures.rel_err = relative_error(t);
    t->figures.best_rel_err = t->figures.rel_err;
    history_clear(&t->epoch_history);
    history_clear(&t->step_history);
}

/* The true kernel or the dataset changed: targets and statistics are stale. */
static void forget_targets(lf_trainer *t)
{
    memset(t->target_ready, 0, (size_t)t->dataset->patch_count);
    free_grams(t);
    free_spectra(t);
}

/* (Re)allocates the buffers that depend on the dataset's size. */
static lf_status alloc_dataset_buffers(lf_trainer *t, const lf_dataset *ds, lf_error *err)
{
    size_t area = (size_t)ds->patch_size * ds->patch_size;
    int *order = malloc(sizeof(int) * (size_t)ds->train_count);
    float *targets = malloc(sizeof(float) * area * (size_t)ds->patch_count);
    unsigned char *ready = calloc((size_t)ds->patch_count, 1);
    float *work = malloc(sizeof(float) * area * 2 * (size_t)t->threads);
    int *build_list = malloc(sizeof(int) * (size_t)ds->patch_count);
    if (!order || !targets || !ready || !work || !build_list) {
        free(order);
        free(targets);
        free(ready);
        free(work);
        free(build_list);
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for targets of %d patches",
                       ds->patch_count);
    }
    free(t->order);
    free(t->targets);
    free(t->target_ready);
    free(t->output);
    free(t->build_list);
    t->order = order;
    t->targets = targets;
    t->target_ready = ready;
    t->output = work;
    t->build_list = build_list;
    t->dataset = ds;
    return LF_OK;
}

/* With an operation as the target: every patch's target, made now (so a
 * step never makes one), and the best filter, which becomes the reference
 * (options.target's weights). */
static lf_status prepare_operation(lf_trainer *t, lf_error *err)
{
    memset(&t->best, 0, sizeof t->best);
    if (!lf_target_is_set(&t->options.operation))
        return LF_OK;
    const lf_dataset *ds = t->dataset;
    size_t capacity = (size_t)ds->patch_size * ds->patch_size * (size_t)ds->patch_count;
    lf_status st = lf_target_prepare(&t->options.operation, ds, t->options.padding, t->targets,
                                     capacity, &t->options.target, &t->best, err);
    memset(t->target_ready, st == LF_OK, (size_t)ds->patch_count);
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
    if (o.settings.learning_rate == 0)
        o.settings = lf_settings_for_kernel(&o.target);
    if (o.tolerance == 0)
        o.tolerance = 0.01;
    if (check_kernel(&o.target, dataset, o.padding, err) != LF_OK ||
        check_settings(&o.settings, dataset, err) != LF_OK)
        return NULL;
    if (!(o.tolerance > 0)) {
        lf_fail(err, LF_ERR_ARGUMENT, "tolerance %g must be positive", o.tolerance);
        return NULL;
    }
    lf_trainer *t = calloc(1, sizeof *t);
    float *params = calloc(MAX_PARAMS * 5, sizeof(float));
    if (!t || !params || lf_optimizer_state_init(&t->optimizer, MAX_PARAMS) != 0) {
        free(params);
        if (t)
            lf_optimizer_state_deinit(&t->optimizer);
        free(t);
        lf_fail(err, LF_ERR_NOMEM, "out of memory creating the trainer");
        return NULL;
    }
    t->threads = o.threads > 1 ? o.threads : 1;
    if (t->threads > LF_POOL_MAX_THREADS)
        t->threads = LF_POOL_MAX_THREADS;
    t->gram_blocks = malloc(sizeof(float) * GRAM_BLOCKS * MAX_PARAMS);
    t->unit_grads = malloc(sizeof(double) * DIRECT_UNITS * MAX_PARAMS);
    if (t->threads > 1) {
        t->pool = lf_pool_create(t->threads);
        if (t->pool)
            t->threads = lf_pool_threads(t->pool); /* fewer if a thread failed to start */
    }
    if (!t->gram_blocks || !t->unit_grads || (t->threads > 1 && !t->pool)) {
        free(params);
        lf_trainer_destroy(t);
        lf_fail(err, LF_ERR_NOMEM, "out of memory creating the trainer");
        return NULL;
    }
    t->params = params;
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
    restart(t);
    return t;
}

void lf_trainer_destroy(lf_trainer *t)
{
    if (!t)
        return;
    lf_pool_destroy(t->pool);
    free(t->params);
    lf_optimizer_state_deinit(&t->optimizer);
    free(t->order);
    free(t->targets);
    free(t->target_ready);
    free(t->output);
    free(t->build_list);
    free(t->gram_blocks);
    free(t->unit_grads);
    free_grams(t);
    free_spectra(t);
    free(t);
}

/* ============================================================== step */

double lf_trainer_evaluate(lf_trainer *t, int first, int count)
{
    if (count <= 0)
        return NAN;
    const int area = out_area(t);
    const int taps = t->param_count - 1;
    double total = 0;
    if (t->engine == LF_ENGINE_GRAM) {
        compute_delta(t);
        /* Missing statistics (the validation patches' at the end of the
         * first epoch) are built one per thread at a time. */
        for (int done = 0; done < count; done += t->threads) {
            int n = count - done < t->threads ? count - done : t->threads;
            int chunk[LF_POOL_MAX_THREADS];
            for (int i = 0; i < n; i++)
                chunk[i] = first + done + i;
            build_missing(t, chunk, n, BUILD_GRAMS);
        }
        float unused[MAX_PARAMS]; /* lf_gram_apply's gradient, not needed here */
        for (int p = first; p < first + count; p++)
            total += lf_gram_apply(unused, t->gram_work_vector, gram_of(t, p), t->delta,
                                   t->param_count, 0.0f) /
                     area;
        return total / count;
    }
    if (t->fft)
        lf_fft_kernel_spectrum(t->fft, t->kernel_spectrum, t->params, t->fft_work);
    for (int p = first; p < first + count; p++) {
        if (t->fft) {
            build_missing(t, &p, 1, BUILD_SPECTRA);
            lf_fft_forward(t->fft, t->output, spectrum_slot(t, p), t->kernel_spectrum,
                           t->params[taps], t->fft_work);
        } else {
            conv2d_forward(t->output, lf_dataset_input(t->dataset, p), t->params, t->params[taps],
                           &t->shape);
        }
        const float *target = target_of(t, p);
        double sum = 0;
        for (int i = 0; i < area; i++) {
            double r = (double)t->output[i] - target[i];
            sum += r * r;
        }
        total += sum / area;
    }
    return total / count;
}

static bool params_finite(const lf_trainer *t)
{
    for (int i = 0; i < t->param_count; i++)
        if (!isfinite(t->params[i]))
            return false;
    return true;
}

lf_status lf_trainer_step(lf_trainer *t, lf_error *err)
{
    lf_figures *f = &t->figures;
    if (f->diverged)
        return lf_fail(err, LF_ERR_DIVERGED,
                       "training diverged: lower the learning rate or reset");
    const lf_dataset *ds = t->dataset;
    const int area = out_area(t);
    if (t->cursor == 0)
        lf_rng_shuffle(&t->order_rng, t->order, ds->train_count);
    int batch = t->options.settings.batch_size;
    if (batch > ds->train_count - t->cursor)
        batch = ds->train_count - t->cursor; /* Keras' last, smaller batch */

    /* Loss = mean over the batch and pixels of (out - target)^2, so
     * dLoss/dout = 2 (out - target) / (batch * area). */
    memset(t->grads, 0, sizeof(float) * (size_t)t->param_count);
    const float scale = 2.0f / ((float)batch * (float)area);
    double loss = 0;
    const int *patches = t->order + t->cursor;
    if (t->engine == LF_ENGINE_GRAM) {
        /* A patch of the batch without its G yet: build it together with
         * the next ones of the epoch that lack theirs, one per thread.
         * (Building ahead only when the batch needs it keeps the builds in
         * groups; topping up one patch ahead every step would build them
         * one at a time.) */
        bool missing = false;
        for (int b = 0; b < batch; b++)
            missing = missing || !t->gram_ready[patches[b]];
        if (missing) {
            int ahead = batch > t->threads ? batch : t->threads;
            if (ahead > ds->train_count - t->cursor)
                ahead = ds->train_count - t->cursor;
            build_missing(t, patches, ahead, BUILD_GRAMS);
        }
        compute_delta(t);
        for (int b = 0; b < batch; b++)
            loss += gram_apply_patch(t, gram_slot(t, patches[b]), scale);
    } else {
        loss = direct_batch(t, patches, batch, scale);
    }
    loss /= (double)batch * area;

    memcpy(t->saved, t->params, sizeof(float) * (size_t)t->param_count);
    /* The optimizer's memory is sized for the largest kernel; only this
     * kernel's parameters move (the rest are zero with zero gradients and
     * would stay so), so it sees a view of param_count of them. */
    lf_optimizer_state view = t->optimizer;
    view.count = t->param_count;
    lf_optimizer_step(t->params, t->grads, &view, &t->options.settings);
    t->optimizer.step = view.step;
    double rel = relative_error(t);
    if (!isfinite(loss) || !params_finite(t) || !(kernel_distance(t) <= t->runaway_distance)) {
        memcpy(t->params, t->saved, sizeof(float) * (size_t)t->param_count);
        f->diverged = true;
        return lf_fail(err, LF_ERR_DIVERGED,
                       "training diverged at step %ld (learning rate %g): lower the learning "
                       "rate or reset",
                       f->step + 1, (double)t->options.settings.learning_rate);
    }

    f->step++;
    f->step_in_epoch++;
    f->step_loss = loss;
    f->rel_err = rel;
    if (!(rel >= f->best_rel_err))
        f->best_rel_err = rel;
    f->converged = rel <= t->options.tolerance;
    if (f->converged && f->converged_step < 0)
        f->converged_step = f->step;
    t->epoch_loss_sum += loss;
    t->cursor += batch;
    float epoch_position = (float)f->epoch + (float)f->step_in_epoch / (float)f->steps_per_epoch;
    history_add(&t->step_history, f->step, epoch_position, loss, NAN, (float)rel);

    if (t->cursor >= ds->train_count) {
        f->train_loss = t->epoch_loss_sum / f->step_in_epoch;
        f->val_loss = lf_trainer_evaluate(t, ds->train_count, ds->validation_count);
        f->epoch++;
        history_add(&t->epoch_history, f->step, (float)f->epoch, f->train_loss,
                    (float)f->val_loss, (float)rel);
        t->cursor = 0;
        f->step_in_epoch = 0;
        t->epoch_loss_sum = 0;
    }
    return LF_OK;
}

/* ============================================================ control */

const lf_figures *lf_trainer_figures(const lf_trainer *t) { return &t->figures; }
const lf_trainer_options *lf_trainer_get_options(const lf_trainer *t) { return &t->options; }
const lf_dataset *lf_trainer_dataset(const lf_trainer *t) { return t->dataset; }
lf_engine lf_trainer_engine(const lf_trainer *t) { return t->engine; }
bool lf_trainer_uses_fft(const lf_trainer *t) { return t->engine == LF_ENGINE_DIRECT && t->fft; }
const float *lf_trainer_weights(const lf_trainer *t) { return t->params; }
float lf_trainer_bias(const lf_trainer *t) { return t->params[t->param_count - 1]; }
const lf_best_fit *lf_trainer_best_fit(const lf_trainer *t) { return &t->best; }

void lf_trainer_reset(lf_trainer *t) { restart(t); }

void lf_trainer_reseed(lf_trainer *t, uint64_t seed)
{
    t->options.seed = seed;
    restart(t);
}

lf_status lf_trainer_set_kernel(lf_trainer *t, const lf_kernel *kernel,
                                const lf_train_settings *settings, lf_error *err)
{
    lf_train_settings s = settings ? *settings : lf_settings_for_kernel(kernel);
    if (s.batch_size > t->dataset->train_count)
        s.batch_size = t->dataset->train_count; /* a small image set still trains */
    lf_status st = check_kernel(kernel, t->dataset, t->options.padding, err);
    if (st == LF_OK)
        st = check_settings(&s, t->dataset, err);
    if (st != LF_OK)
        return st;
    t->options.target = *kernel;
    t->options.settings = s;
    memset(&t->options.operation, 0, sizeof t->options.operation);
    memset(&t->best, 0, sizeof t->best);
    forget_targets(t);
    restart(t);
    return LF_OK;
}

lf_status lf_trainer_set_learning_rate(lf_trainer *t, float learning_rate, lf_error *err)
{
    if (!(learning_rate > 0) || !isfinite(learning_rate))
        return lf_fail(err, LF_ERR_ARGUMENT, "learning rate %g must be positive and finite",
                       (double)learning_rate);
    t->options.settings.learning_rate = learning_rate;
    if (t->figures.diverged)
        restart(t);
    return LF_OK;
}

void lf_trainer_set_optimizer(lf_trainer *t, lf_optimizer_kind kind)
{
    int batch = t->options.settings.batch_size;
    t->options.settings = kind == LF_OPTIMIZER_ADAM ? adam_defaults() : sgd_defaults();
    t->options.settings.batch_size = batch;
    lf_optimizer_state_zero(&t->optimizer);
}

lf_status lf_trainer_set_dataset(lf_trainer *t, const lf_dataset *ds, lf_error *err)
{
    if (!ds || ds->patch_count < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "the dataset has no patches");
    lf_status st = check_kernel(&t->options.target, ds, t->options.padding, err);
    if (st != LF_OK)
        return st;
    if (t->options.settings.batch_size > ds->train_count)
        t->options.settings.batch_size = ds->train_count;
    st = alloc_dataset_buffers(t, ds, err);
    if (st != LF_OK)
        return st;
    st = prepare_operation(t, err); /* on failure still restarts on the new dataset */
    free_grams(t); /* sized for the old dataset */
    free_spectra(t);
    lf_trainer_set_sample_patch(t, t->options.sample_patch);
    restart(t);
    return st;
}

void lf_trainer_set_sample_patch(lf_trainer *t, int patch)
{
    int n = t->dataset->patch_count;
    t->options.sample_patch = ((patch % n) + n) % n;
}

/* =========================================================== snapshot */

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
    memcpy(snap->learned.weights, t->params, sizeof(float) * (size_t)(k->height * k->width));
    snap->bias = t->params[t->param_count - 1];
    snap->settings = t->options.settings;
    snap->padding = t->options.padding;
    snap->engine = t->engine;
    snap->seed = t->options.seed;
    snap->figures = t->figures;
    snap->epochs = t->epoch_history;
    snap->steps = t->step_history;
    snap->patch_count = t->dataset->patch_count;
    snap->train_count = t->dataset->train_count;
    snap->validation_count = t->dataset->validation_count;
    snap->sample_patch = t->options.sample_patch;
    snap->best = t->best;
    snap->has_images = false;
    int p = t->dataset->patch_size;
    if (!with_images || p * p > snap->capacity)
        return;
    int patch = t->options.sample_patch;
    snap->in_height = snap->in_width = p;
    snap->out_height = t->shape.out_height;
    snap->out_width = t->shape.out_width;
    memcpy(snap->input, lf_dataset_input(t->dataset, patch), sizeof(float) * (size_t)p * p);
    conv2d_forward(snap->output, snap->input, t->params, snap->bias, &t->shape);
    memcpy(snap->expected, target_of(t, patch), sizeof(float) * (size_t)out_area(t));
    snap->has_images = true;
}

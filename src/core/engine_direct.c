/*
 * engine_direct.c: the direct engine. Every step convolves each patch of
 * the batch with the weights (forward), compares with its target (loss),
 * and correlates the residual with the input (backward).
 *
 * Large kernels convolve through the FFT (fftconv.h) when the patches'
 * spectra fit in memory; the plain loops otherwise. Kernels of up to
 * LF_CONV_FUSED_MAX_TAPS taps do all three in one pass over the rows
 * (conv_fused.c), with the thread's output buffer as its ring of rows. The batch is cut into
 * units, up to DIRECT_UNITS patches or, for a batch of one patch,
 * DIRECT_UNITS bands of rows, and the units' sums are added in unit order,
 * so the result does not depend on the number of threads.
 *
 * With clean inputs no target is needed: the fused pass makes it on the way
 * and the FFT path convolves the patch with the distance to the true
 * kernel, which is the residual itself. Otherwise (and always for an
 * operation's) the targets are kept while they fit
 * LF_TARGET_CACHE_MAX_BYTES (trainer_cache.c), and past it each unit makes
 * its patch's target rows (an operation's whole target) before comparing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/gram.h"
#include "trainer_internal.h"

static void direct_release(lf_trainer *t)
{
    lf_fft_conv_destroy(t->fft);
    lf_fft_free(t->spectra);
    lf_fft_free(t->fft_work);
    lf_fft_free(t->kernel_spectrum);
    lf_fft_free(t->fft_clean_spectra);
    lf_fft_free(t->true_spectrum);
    free(t->spectrum_ready);
    t->fft = NULL;
    t->spectra = t->fft_work = t->kernel_spectrum = NULL;
    t->fft_clean_spectra = t->true_spectrum = NULL;
    t->spectrum_ready = NULL;
}

/* Through the FFT for large kernels, when the spectra fit in memory;
 * otherwise (or when that fails) the plain loops, which need nothing: so
 * this engine is always ready. */
static bool direct_prepare(lf_trainer *t)
{
    const lf_dataset *ds = t->dataset;
    const int taps = t->shape.k_height * t->shape.k_width;
    bool wanted = t->options.fft > 0 || (t->options.fft == 0 && taps >= LF_FFT_MIN_TAPS);
    if (!wanted) {
        direct_release(t);
        return true;
    }
    if (t->fft)
        return true; /* still right: the kernel and dataset did not change */
    t->fft = lf_fft_conv_create(&t->shape);
    if (!t->fft)
        return true;
    size_t spectrum = lf_fft_spectrum_floats(t->fft);
    const double bytes = (double)ds->patch_count * spectrum * sizeof(float);
    if (bytes <= (double)LF_GRAM_MAX_BYTES) {
        t->spectra = lf_fft_alloc(spectrum * (size_t)ds->patch_count);
        t->fft_work = lf_fft_alloc(lf_fft_work_floats(t->fft) * (size_t)t->threads);
        t->kernel_spectrum = lf_fft_alloc(spectrum);
        t->spectrum_ready = calloc((size_t)ds->patch_count, 1);
    }
    if (!t->spectra || !t->fft_work || !t->kernel_spectrum || !t->spectrum_ready) {
        direct_release(t);
        return true;
    }
    if (ds->inputs != ds->clean && !trainer_has_operation(t) && !t->target_cache) {
        /* Input noise: each step transforms the clean patch for its
         * target, with the true kernel's spectrum, made once. */
        t->fft_clean_spectra = lf_fft_alloc(spectrum * (size_t)t->threads);
        t->true_spectrum = lf_fft_alloc(spectrum);
        if (!t->fft_clean_spectra || !t->true_spectrum)
            direct_release(t);
        else
            lf_fft_kernel_spectrum(t->fft, t->true_spectrum, t->options.target.weights,
                                   t->fft_work);
    }
    return true;
}

/* With the FFT, clean inputs and a kernel as the truth, the residual
 * out - target = I * w + b - I * k is I * (w - k) + b: one transform of the
 * distance gives it, no target is made, and at the true weights it is
 * exactly zero. (Before targets were made on demand the target was a
 * direct convolution kept per patch, so this path's last bits changed.) */
static bool fft_by_distance(const lf_trainer *t)
{
    return t->fft && !trainer_has_operation(t) && t->dataset->inputs == t->dataset->clean;
}

/* The spectrum the step's transforms use: of the distance w - k, or of the
 * weights. */
static void fft_weights_spectrum(lf_trainer *t)
{
    const float *w = t->state.params;
    if (fft_by_distance(t)) {
        const int taps = t->param_count - 1;
        for (int i = 0; i < taps; i++)
            t->delta[i] = w[i] - t->options.target.weights[i];
        w = t->delta;
    }
    lf_fft_kernel_spectrum(t->fft, t->kernel_spectrum, w, t->fft_work);
}

/* What the FFT's output is compared with: nothing when it is the residual
 * already; a kept target or an operation's (made now when not kept); with
 * input noise the true kernel applied to the clean patch through the same
 * transforms. */
static const float *fft_target(lf_trainer *t, int patch, int thread)
{
    if (fft_by_distance(t))
        return NULL;
    if (trainer_has_operation(t) || t->target_cache)
        return trainer_target(t, patch, thread);
    float *spectrum = t->fft_clean_spectra + (size_t)thread * lf_fft_spectrum_floats(t->fft);
    float *target = t->target_work + (size_t)thread * t->target_floats;
    lf_fft_input_spectrum(t->fft, spectrum, lf_dataset_clean(t->dataset, patch),
                          trainer_fft_work(t, thread));
    lf_fft_forward(t->fft, target, spectrum, t->true_spectrum, 0.0f,
                   trainer_fft_work(t, thread));
    return target;
}

/* The thread's share of t->output as the fused pass's rows, or NULL when
 * the kernel is too large for it (or the patch too small to lend room). */
static float *fused_work(const lf_trainer *t, int thread, size_t *floats)
{
    const size_t area = (size_t)trainer_out_area(t);
    const int taps = t->shape.k_height * t->shape.k_width;
    *floats = 2 * area;
    if (t->fft || taps > LF_CONV_FUSED_MAX_TAPS || conv2d_fused_work_floats(&t->shape) > *floats)
        return NULL;
    return t->output + (size_t)thread * 2 * area;
}

/* The fused pass makes the target on the way (the true filter applied to
 * the patch) when the inputs are the clean patches and the target is the
 * true kernel's, not an operation's: then no target is stored, a step
 * reads half the memory, and at the true weights the residual is exactly
 * zero. Its weights, or NULL. */
static const float *on_demand_target(const lf_trainer *t, int patch)
{
    if (lf_target_is_set(&t->options.operation) ||
        lf_dataset_clean(t->dataset, patch) != lf_dataset_input(t->dataset, patch))
        return NULL;
    return t->options.target.weights;
}

/* Whether a step compares with a target made apart, rather than making
 * the truth on the way (the fused pass on clean inputs) or convolving the
 * distance (the FFT on clean inputs). An operation's always are. */
static bool direct_reads_targets(const lf_trainer *t)
{
    size_t floats;
    if (trainer_has_operation(t))
        return true;
    if (t->fft)
        return !fft_by_distance(t);
    return !(fused_work(t, 0, &floats) && t->dataset->inputs == t->dataset->clean);
}

/* Kept targets are built for the batch before its units run (the units
 * only read them); without a cache each unit makes its own. Spectra are
 * kept. */
static void direct_targets(lf_trainer *t, const int *patches, int count)
{
    if (t->target_cache && direct_reads_targets(t))
        trainer_build_missing(t, patches, count, BUILD_TARGETS);
    if (t->fft)
        trainer_build_missing(t, patches, count, BUILD_SPECTRA);
}

/* Unit u convolves its rows, forms the residual against the target, and
 * sums its gradient into unit_grads[u] and its squared
 * residuals into unit_loss[u]. */
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
    const float *params = t->state.params;
    const lf_conv_shape *s = &t->shape;
    const int taps = t->param_count - 1, ow = s->out_width, oh = s->out_height;
    const size_t area = (size_t)oh * (size_t)ow;
    int patch = job->patches[job->bands > 1 ? 0 : u];
    int band = job->bands > 1 ? u : 0;
    int y0 = (int)((long)oh * band / job->bands), y1 = (int)((long)oh * (band + 1) / job->bands);
    const float *input = lf_dataset_input(t->dataset, patch);
    double *acc = t->unit_grads + (size_t)u * MAX_PARAMS;
    memset(acc, 0, sizeof(double) * (size_t)(taps + 1));
    size_t work_floats;
    float *work = fused_work(t, thread, &work_floats);
    if (work) {
        /* forward, loss and backward in one pass over the rows; the
         * gradient of the loss is scale * residual */
        const float *truth = on_demand_target(t, patch);
        const float *target = truth ? NULL : trainer_target_rows(t, patch, thread, y0, y1);
        t->unit_loss[u] = conv2d_fused_rows(acc, input, target, truth, params, params[taps], s,
                                            y0, y1, work, work_floats);
        for (int i = 0; i <= taps; i++)
            acc[i] *= job->scale;
        return;
    }
    float *out = t->output + (size_t)thread * 2 * area, *dout = out + area;
    /* forward (for the FFT with clean inputs, straight to the residual) */
    const float *target;
    if (t->fft) {
        lf_fft_forward(t->fft, out, trainer_spectrum_slot(t, patch), t->kernel_spectrum,
                       params[taps], trainer_fft_work(t, thread));
        target = fft_target(t, patch, thread);
    } else {
        conv2d_forward_rows(out, input, params, params[taps], s, y0, y1);
        target = trainer_target_rows(t, patch, thread, y0, y1);
    }
    /* loss, and its gradient with respect to the output */
    double sum = 0;
    for (size_t i = (size_t)y0 * ow; i < (size_t)y1 * ow; i++) {
        float r = target ? out[i] - target[i] : out[i];
        sum += (double)r * r;
        dout[i] = job->scale * r;
    }
    /* backward */
    if (t->fft)
        lf_fft_backward_weights(t->fft, acc, dout, trainer_spectrum_slot(t, patch),
                                trainer_fft_work(t, thread));
    else
        conv2d_backward_weights_rows(acc, dout, input, s, y0, y1);
    t->unit_loss[u] = sum;
}

static double direct_forward_backward(lf_trainer *t, const int *patches, int batch, float scale)
{
    const int taps = t->param_count - 1;
    if (t->fft)
        fft_weights_spectrum(t);
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

static double direct_evaluate(lf_trainer *t, int first, int count)
{
    const float *params = t->state.params;
    const int area = trainer_out_area(t);
    const int taps = t->param_count - 1;
    double total = 0;
    if (t->fft)
        fft_weights_spectrum(t);
    for (int p = first; p < first + count; p++) {
        const float *target;
        if (t->fft) {
            trainer_build_missing(t, &p, 1, BUILD_SPECTRA);
            lf_fft_forward(t->fft, t->output, trainer_spectrum_slot(t, p), t->kernel_spectrum,
                           params[taps], t->fft_work);
            target = fft_target(t, p, 0);
        } else {
            size_t work_floats;
            float *work = fused_work(t, 0, &work_floats);
            if (work) { /* the loss without writing the output */
                const float *truth = on_demand_target(t, p);
                total += conv2d_fused_rows(NULL, lf_dataset_input(t->dataset, p),
                                           truth ? NULL : trainer_target(t, p, 0), truth, params,
                                           params[taps], &t->shape, 0,
                                           t->shape.out_height, work, work_floats) / area;
                continue;
            }
            conv2d_forward(t->output, lf_dataset_input(t->dataset, p), params, params[taps],
                           &t->shape);
            target = trainer_target(t, p, 0);
        }
        double sum = 0;
        for (int i = 0; i < area; i++) {
            double r = target ? (double)t->output[i] - target[i] : (double)t->output[i];
            sum += r * r;
        }
        total += sum / area;
    }
    return total / count;
}

const engine_ops lf_engine_direct_ops = {
    .kind = LF_ENGINE_DIRECT,
    .prepare = direct_prepare,
    .release = direct_release,
    .targets = direct_targets,
    .forward_backward = direct_forward_backward,
    .evaluate = direct_evaluate,
};

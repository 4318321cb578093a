/*
 * insight_view.c: the main thread's side of the "why is it slow" views:
 * handing frames to the thread, taking its results, the sentences, the
 * picked pair of weights, their path over the run and the bowl. See
 * insight.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "insight_internal.h"
#include "count_format.h"

/* ========================================================= sentences */

/* A share as the view prints it: "66%", "3.6%", "0.03%". */
static void format_share(char *out, size_t size, double share)
{
    double pct = 100 * share;
    if (!isfinite(pct))
        snprintf(out, size, "\xe2\x80\x94");
    else if (pct >= 9.95 || pct == 0)
        snprintf(out, size, "%.0f%%", pct);
    else
        snprintf(out, size, "%.2g%%", pct);
}

void insight_sentence(char *out, size_t size, const char *name, const lf_spectrum_facts *f)
{
    char photos[16], kernel[16], error[16];
    format_share(photos, sizeof photos, f->photo_power_above);
    format_share(kernel, sizeof kernel, f->kernel_energy_above);
    format_share(error, sizeof error, f->error_energy_above);
    snprintf(out, size,
             "The photos hold %s of their power above %.2g cycles/pixel; %s of %s's energy is "
             "there, so that part learns slowly (now %s of the remaining error is there).",
             photos, f->cutoff, kernel, name, error);
}

void insight_directions_text(char *out, size_t size, const insight_result *r)
{
    const lf_direction_split *s = &r->split;
    char err_share[16], loss_share[16], weak[24], all[24], steps[32];
    format_share(err_share, sizeof err_share, s->error_sq > 0 ? s->error_sq_weak / s->error_sq : 0);
    format_share(loss_share, sizeof loss_share, s->loss > 0 ? s->loss_weak / s->loss : 0);
    count_format(weak, sizeof weak, s->weak);
    count_format(all, sizeof all, r->params);
    int n = snprintf(out, size,
                     "%s of the remaining error lies in the %s of %s directions the photos "
                     "barely excite (eigenvalue below %g of the largest), which carry %s of the "
                     "loss. ",
                     err_share, weak, all, s->threshold, loss_share);
    if (n < 0 || (size_t)n >= size)
        return;
    const lf_descent_estimate *e = &r->estimate;
    char tol[16];
    format_share(tol, sizeof tol, r->model.tolerance);
    if (r->adam)
        snprintf(out + n, size - (size_t)n,
                 "Adam rescales each weight's step, so the plain-descent estimate does not apply.");
    else if (e->diverges)
        snprintf(out + n, size - (size_t)n, "At this rate a direction grows: training diverges.");
    else if (e->stalls)
        snprintf(out + n, size - (size_t)n,
                 "Directions the photos do not excite at all hold more than %s: it never gets "
                 "there.", tol);
    else if (e->steps == 0)
        snprintf(out + n, size - (size_t)n, "It is within %s already.", tol);
    else if (e->steps < 0)
        snprintf(out + n, size - (size_t)n, "To %s error the model says over %s more steps.",
                 tol, "a trillion");
    else {
        count_format(steps, sizeof steps, e->steps);
        snprintf(out + n, size - (size_t)n,
                 "To %s error the model says about %s more steps (full batch, lr %g, momentum "
                 "%g).",
                 tol, steps, r->model.learning_rate, r->model.momentum);
    }
}

/* ======================================================= main thread */

/* Keeps the parameters of each new step shown, for the bowl's path; when
 * full, every other point goes and from then on every other frame is kept,
 * as the loss history thins. */
static void record_path(insight *in, const lf_snapshot *snap, unsigned generation)
{
    int taps = snap->learned.height * snap->learned.width, p = taps + 1;
    if (generation != in->path_generation || p != in->path_params) {
        in->path_generation = generation;
        in->path_params = p;
        in->path_count = 0;
        in->path_stride = 1;
        in->path_skipped = 0;
        in->path_step = -1;
    }
    if (p > INSIGHT_BOWL_MAX_PARAMS || snap->figures.step == in->path_step)
        return;
    in->path_step = snap->figures.step;
    if (in->path_count > 0 && ++in->path_skipped < in->path_stride)
        return;
    in->path_skipped = 0;
    if (in->path_count == INSIGHT_PATH_MAX) {
        for (int k = 0; k < INSIGHT_PATH_MAX / 2; k++)
            memcpy(in->path + (size_t)k * INSIGHT_BOWL_MAX_PARAMS,
                   in->path + (size_t)(2 * k + 1) * INSIGHT_BOWL_MAX_PARAMS, sizeof(float) * p);
        in->path_count = INSIGHT_PATH_MAX / 2;
        in->path_stride *= 2;
    }
    float *row = in->path + (size_t)in->path_count++ * INSIGHT_BOWL_MAX_PARAMS;
    memcpy(row, snap->learned.weights, sizeof(float) * taps);
    row[taps] = snap->bias;
}

static void post_job(insight *in, const lf_snapshot *snap, unsigned generation, double tolerance)
{
    bool changed = !in->posted_any || generation != in->posted_generation;
    if (!changed && (++in->countdown < INSIGHT_POST_FRAMES || snap->figures.step == in->posted_step))
        return;
    in->countdown = 0;
    in->posted_any = true;
    in->posted_generation = generation;
    in->posted_step = snap->figures.step;
    pthread_mutex_lock(&in->mutex);
    in->job.generation = generation;
    in->job.step = snap->figures.step;
    in->job.truth = snap->target;
    in->job.learned = snap->learned;
    in->job.bias = snap->bias;
    in->job.padding = snap->padding;
    in->job.settings = snap->settings;
    in->job.tolerance = tolerance;
    in->job_serial++;
    pthread_cond_signal(&in->cond);
    pthread_mutex_unlock(&in->mutex);
}

static void cell_name(char *out, size_t size, int cell, int kw)
{
    snprintf(out, size, "w[%d,%d]", cell / kw, cell % kw);
}

/* The picked pair: a click replaces the older of the two; a new kernel
 * size starts again from the centre and its right neighbour. */
static void pick_cells(insight *in, const lf_kernel *k, int pick)
{
    insight_view *v = &in->view;
    if (k->height != in->pick_kh || k->width != in->pick_kw) {
        in->pick_kh = k->height;
        in->pick_kw = k->width;
        int centre = (k->height / 2) * k->width + k->width / 2;
        v->picked[0] = centre;
        v->picked[1] = k->width > 1 ? centre + 1 : (centre + k->width) % (k->height * k->width);
        v->pick_count = 2;
    }
    if (pick >= 0 && pick < k->height * k->width && pick != v->picked[1]) {
        v->picked[0] = v->picked[1];
        v->picked[1] = pick;
    }
}

static void bowl_view(insight *in, const insight_result *r, const lf_snapshot *snap)
{
    insight_view *v = &in->view;
    const lf_kernel *k = &snap->target;
    int taps = k->height * k->width, p = taps + 1;
    v->bowl = NULL;
    v->path_count = 0;
    if (k->height > INSIGHT_BOWL_MAX_SIDE || k->width > INSIGHT_BOWL_MAX_SIDE || taps < 2) {
        snprintf(v->bowl_text, sizeof v->bowl_text,
                 "The loss bowl is for kernels up to %dx%d; this one is %dx%d.",
                 INSIGHT_BOWL_MAX_SIDE, INSIGHT_BOWL_MAX_SIDE, k->height, k->width);
        return;
    }
    if (!r || r->gram != INSIGHT_READY || r->params != p) {
        snprintf(v->bowl_text, sizeof v->bowl_text, "%s",
                 r && r->photos == INSIGHT_FAILED ? r->message
                                                  : "computing the photos' statistics\xe2\x80\xa6");
        return;
    }
    int i = v->picked[0], j = v->picked[1];
    for (int n = 0; n < in->path_count; n++) {
        const float *row = in->path + (size_t)n * INSIGHT_BOWL_MAX_PARAMS;
        in->path_x[n] = row[i];
        in->path_y[n] = row[j];
    }
    float params[INSIGHT_BOWL_MAX_PARAMS];
    memcpy(params, snap->learned.weights, sizeof(float) * taps);
    params[taps] = snap->bias;
    lf_error err;
    if (insight_bowl_compute(&in->bowl, r->gram_matrix, p, params, k->weights, i, j, in->path_x,
                             in->path_y, in->path_count, &err) != LF_OK) {
        snprintf(v->bowl_text, sizeof v->bowl_text, "%s", err.message);
        return;
    }
    v->bowl = &in->bowl;
    v->path_x = in->path_x;
    v->path_y = in->path_y;
    v->path_count = in->path_count;
    char a[24], b[24];
    cell_name(a, sizeof a, i, k->width);
    cell_name(b, sizeof b, j, k->width);
    double ratio = in->bowl.ratio;
    if (isfinite(ratio))
        snprintf(v->bowl_text, sizeof v->bowl_text,
                 "Loss over %s (across) and %s (up), the other weights as they are now. This "
                 "bowl is %.1f times longer than wide: SGD's steps cross the narrow way and "
                 "overshoot (it zig-zags) while they crawl along the long one; momentum keeps "
                 "the speed along the valley and damps the zig-zag.",
                 a, b, ratio);
    else
        snprintf(v->bowl_text, sizeof v->bowl_text,
                 "Loss over %s (across) and %s (up): the photos cannot tell these two apart "
                 "(a flat valley), so nothing pulls along it.",
                 a, b);
}

const insight_view *insight_frame(insight *in, insight_mode mode, int pick,
                                  const lf_snapshot *snap, unsigned generation, double tolerance)
{
    if (!in || !snap)
        return NULL;
    record_path(in, snap, generation);
    if (mode == INSIGHT_OFF)
        return NULL;
    post_job(in, snap, generation, tolerance);
    insight_view *v = &in->view;
    pthread_mutex_lock(&in->mutex);
    v->fresh = in->shared->serial != in->front->serial;
    if (v->fresh)
        memcpy(in->front, in->shared, sizeof *in->front);
    pthread_mutex_unlock(&in->mutex);
    const insight_result *r = in->front->serial ? in->front : NULL;
    /* Figures of another kernel are not shown as this one's. */
    bool current = r && r->generation == generation;
    v->mode = mode;
    v->snap = snap;
    v->generation = generation;
    v->result = r;
    v->sentence[0] = v->directions[0] = 0;
    if (current && r->spectra == INSIGHT_READY)
        insight_sentence(v->sentence, sizeof v->sentence, snap->target.name, &r->facts);
    if (r && r->photos == INSIGHT_FAILED)
        snprintf(v->sentence, sizeof v->sentence, "The photos cannot be read: %.400s", r->message);
    if (current && r->directions == INSIGHT_READY)
        insight_directions_text(v->directions, sizeof v->directions, r);
    else if (current && (r->directions == INSIGHT_UNSUPPORTED || r->directions == INSIGHT_FAILED))
        snprintf(v->directions, sizeof v->directions, "Eigen-directions: %.400s.", r->message);
    else
        snprintf(v->directions, sizeof v->directions,
                 "Eigen-directions of the photos' statistics: computing\xe2\x80\xa6");
    pick_cells(in, &snap->target, pick);
    if (mode == INSIGHT_BOWL)
        bowl_view(in, current ? r : NULL, snap);
    return v;
}

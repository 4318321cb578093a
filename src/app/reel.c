/*
 * reel.c: the reel's history and its movie. See reel.h.
 */
#include "reel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/conv.h"
#include "movie.h"
#include "present.h"
#include "recorder.h"
#include "render.h"
#include "samples.h"
#include "scene.h"
#include "worker.h"

/* ====================================================== the history */

lf_status reel_history_init(reel_history *h, int kh, int kw, lf_error *err)
{
    memset(h, 0, sizeof *h);
    if (kh < 1 || kw < 1 || kh > LF_KERNEL_MAX_SIDE || kw > LF_KERNEL_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT, "a reel of a %dx%d kernel: outside 1..%d a side", kh,
                       kw, LF_KERNEL_MAX_SIDE);
    h->weights = calloc((size_t)REEL_MAX_POINTS * (size_t)(kh * kw), sizeof(float));
    if (!h->weights)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the reel's history");
    h->kh = kh;
    h->kw = kw;
    h->capacity_taps = kh * kw;
    reel_history_clear(h);
    return LF_OK;
}

bool reel_history_reshape(reel_history *h, int kh, int kw)
{
    if (kh < 1 || kw < 1 || kh * kw > h->capacity_taps)
        return false;
    h->kh = kh;
    h->kw = kw;
    reel_history_clear(h);
    return true;
}

void reel_history_deinit(reel_history *h)
{
    free(h->weights);
    h->weights = NULL;
    h->count = 0;
}

void reel_history_clear(reel_history *h)
{
    h->count = 0;
    h->per_decade = REEL_PER_DECADE;
    h->next_step = 0;
}

bool reel_history_due(const reel_history *h, long step)
{
    return h->weights && step >= h->next_step;
}

/* Halves the points: keeps the even ones and the newest, so the spacing
 * stays log-spaced (at half the density) and the run's end stays. */
static void thin(reel_history *h)
{
    int taps = h->kh * h->kw, kept = 0;
    for (int i = 0; i < h->count; i++) {
        if (i % 2 != 0 && i != h->count - 1)
            continue;
        if (kept != i) {
            h->points[kept] = h->points[i];
            memcpy(h->weights + (size_t)kept * taps, h->weights + (size_t)i * taps,
                   sizeof(float) * (size_t)taps);
        }
        kept++;
    }
    h->count = kept;
    if (h->per_decade > 1)
        h->per_decade /= 2;
}

void reel_history_add(reel_history *h, const reel_point *p, const float *weights, int count)
{
    if (!h->weights)
        return;
    int taps = h->kh * h->kw;
    int slot = h->count;
    if (slot > 0 && p->step <= h->points[slot - 1].step)
        slot--; /* the same step again, or a restart the caller did not clear */
    else if (slot == REEL_MAX_POINTS) {
        thin(h);
        slot = h->count;
    }
    h->points[slot] = *p;
    float *w = h->weights + (size_t)slot * taps;
    int n = count < taps ? (count < 0 ? 0 : count) : taps;
    memcpy(w, weights, sizeof(float) * (size_t)n);
    memset(w + n, 0, sizeof(float) * (size_t)(taps - n));
    h->count = slot + 1;
    h->next_step = movie_next_log_step(p->step, h->per_decade);
}

void reel_history_observe_trainer(reel_history *h, const lf_trainer *t, bool force)
{
    const lf_figures *f = lf_trainer_figures(t);
    if (!force && !reel_history_due(h, f->step))
        return;
    if (force && h->count > 0 && h->points[h->count - 1].step == f->step)
        return;
    reel_point p = {.step = f->step, .epoch = f->epoch, .rel_err = f->rel_err,
                    .train_loss = f->train_loss, .bias = lf_trainer_bias(t)};
    reel_history_add(h, &p, lf_trainer_weights(t), lf_trainer_weight_count(t));
}

int reel_frame_points(const reel_history *h, int *indices, int capacity)
{
    int n = h->count < REEL_FRAMES ? h->count : REEL_FRAMES;
    n = n < capacity ? n : capacity;
    if (n < 1)
        return 0;
    if (n == 1) {
        indices[0] = h->count - 1;
        return 1;
    }
    /* Evenly by index: the points are log-spaced, so the frames are too,
     * with the first and the last point always in. */
    for (int i = 0; i < n; i++)
        indices[i] = (int)((long)i * (h->count - 1) / (n - 1));
    return n;
}

int reel_schedule_steps(long first_step, long last_step, long *steps, int capacity)
{
    /* The headless run's own history, of steps alone: a 1x1 kernel's. It
     * takes a point at each due step, and the due steps are the only ones
     * that matter, so the loop goes from one to the next. */
    reel_history h;
    if (capacity < 1 || reel_history_init(&h, 1, 1, NULL) != LF_OK)
        return 0;
    const float w = 0;
    reel_point p = {.step = first_step < 0 ? 0 : first_step};
    reel_history_add(&h, &p, &w, 1);
    while (h.next_step <= last_step && h.next_step > p.step) {
        p.step = h.next_step;
        reel_history_add(&h, &p, &w, 1);
    }
    if (last_step > p.step) { /* where the run ended */
        p.step = last_step;
        reel_history_add(&h, &p, &w, 1);
    }
    int indices[REEL_FRAMES];
    int n = reel_frame_points(&h, indices, REEL_FRAMES);
    n = n < capacity ? n : capacity;
    for (int i = 0; i < n; i++)
        steps[i] = h.points[indices[i]].step;
    reel_history_deinit(&h);
    return n;
}

int reel_choose_held(const long *held, int held_count, const long *wanted, int wanted_count,
                     int *chosen, int capacity)
{
    int n = 0, at = 0;
    for (int i = 0; i < wanted_count && held_count > 0; i++) {
        /* Both ascend, so the nearest never moves back: held[at] is the
         * last at or before the wanted step (or the first of all). */
        while (at + 1 < held_count && held[at + 1] <= wanted[i])
            at++;
        int best = at;
        if (at + 1 < held_count && held[at + 1] - wanted[i] < wanted[i] - held[at])
            best = at + 1;
        if (n > 0 && chosen[n - 1] == best)
            continue;
        if (n == capacity)
            break;
        chosen[n++] = best;
    }
    return n;
}

/* ======================================================== the movie */

/* The chart's step history of a past point: the reel's own points up to
 * it, log-spaced as the chart's step axis is, which the run's history
 * (thinned to LF_HISTORY_MAX points evenly over the whole run) is not. */
static void points_history(lf_history *hist, const reel_history *h, int upto)
{
    int n = 0;
    for (int i = 0; i <= upto && n < LF_HISTORY_MAX; i++) {
        if (h->points[i].step < 1)
            continue; /* no loss before the first step */
        hist->points[n++] = (lf_history_point){.step = h->points[i].step,
                                               .epoch = (float)h->points[i].epoch,
                                               .train_loss = h->points[i].train_loss,
                                               .val_loss = NAN,
                                               .rel_err = h->points[i].rel_err};
    }
    hist->count = n;
}

/* The histories up to step: the chart of a past point ends there. */
static void cut_history(lf_history *hist, long step)
{
    int n = 0;
    while (n < hist->count && hist->points[n].step <= step)
        n++;
    hist->count = n;
}

/* The caption the frame drew, from the texts recorded in the status. */
static const char *drawn_caption(const render_ctx *r)
{
    render_text_box box;
    for (int i = 0; i < render_recorded_text_count(r); i++)
        if (render_recorded_text(r, i, &box) && box.panel && !strcmp(box.panel, "status") &&
            !strncmp(box.text, "Step ", 5))
            return box.text;
    return "";
}

lf_status reel_write(const char *path, const reel_history *h, const lf_snapshot *sample,
                     const reel_options *options, int *frames, lf_error *err)
{
    reel_options o = options ? *options : (reel_options){0};
    if (frames)
        *frames = 0;
    if (h->count < 1)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: no steps to make a reel of yet", path);
    if (!sample->has_images)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: the reel needs the sample patch", path);
    if (sample->target.height != h->kh || sample->target.width != h->kw)
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: the history is of another kernel", path);
    int width = o.width ? o.width : REEL_WIDTH, height = o.height ? o.height : REEL_HEIGHT;
    int indices[REEL_FRAMES];
    int n = reel_frame_points(h, indices, REEL_FRAMES);

    worker_frame *frame = calloc(1, sizeof *frame);
    worker_images *images = calloc(1, sizeof *images);
    int side = sample->in_height > sample->in_width ? sample->in_height : sample->in_width;
    lf_status st = frame && images ? LF_OK
                                   : lf_fail(err, LF_ERR_NOMEM, "out of memory for the reel");
    if (st == LF_OK)
        st = lf_snapshot_init(&images->snap, side, err);
    scene *sc = NULL;
    if (st == LF_OK && !lf_snapshot_copy(&images->snap, sample))
        st = lf_fail(err, LF_ERR_NOMEM, "%s: the sample does not fit", path);
    if (st == LF_OK && !(sc = scene_create(width, height, side, err)))
        st = err ? err->status : LF_ERR_NOMEM;
    if (st == LF_OK && o.on_frame && !scene_record_texts(sc))
        st = lf_fail(err, LF_ERR_NOMEM, "out of memory for the reel's captions");
    recorder *rec = NULL;
    if (st == LF_OK) {
        scene_set_present(sc, true);
        /* Every frame is kept (the recorder waits rather than drops): a
         * reel is made once, at leisure. */
        recorder_options ro = {.path = path, .width = width, .height = height, .fps = 25,
                               .wait_when_full = true, .last_frame_seconds = REEL_HOLD_SECONDS};
        rec = recorder_create(&ro, err);
        if (!rec)
            st = err ? err->status : LF_ERR_IO;
    }
    const int taps = h->kh * h->kw;
    lf_conv_shape shape = lf_conv_shape_make(sample->in_height, sample->in_width, h->kh, h->kw,
                                             sample->padding);
    double spacing = n > 1 ? (REEL_SECONDS - REEL_HOLD_SECONDS) / (n - 1) : 0;
    bool refused = false;
    for (int i = 0; st == LF_OK && i < n; i++) {
        const reel_point *p = &h->points[indices[i]];
        const float *w = h->weights + (size_t)indices[i] * taps;
        /* The kernels and figures of then... */
        frame->snap = *sample;
        frame->snap.has_images = false;
        frame->snap.input = frame->snap.output = frame->snap.expected = NULL;
        frame->snap.capacity = 0;
        memcpy(frame->snap.learned.weights, w, sizeof(float) * (size_t)taps);
        frame->snap.bias = p->bias;
        frame->snap.figures.step = p->step;
        frame->snap.figures.epoch = p->epoch;
        frame->snap.figures.rel_err = p->rel_err;
        frame->snap.figures.train_loss = p->train_loss;
        frame->snap.last_step.taps = 0; /* no step to explain */
        if (o.chart_from_run)
            cut_history(&frame->snap.steps, p->step);
        else
            points_history(&frame->snap.steps, h, indices[i]);
        cut_history(&frame->snap.epochs, p->step);
        double tol = o.tolerance > 0 ? o.tolerance : 0.01;
        frame->state = p->rel_err <= tol ? WORKER_CONVERGED : WORKER_RUNNING;
        frame->tolerance = tol;
        frame->trains_past_tolerance = true;
        frame->file_count = o.file_count;
        frame->kernel_index = -1;
        frame->serial = (unsigned)i + 1;
        /* ... and what they made of the sample. */
        if (shape.out_height == sample->out_height && shape.out_width == sample->out_width)
            conv2d_forward(images->snap.output, images->snap.input, w, p->bias, &shape);
        images->serial = (unsigned)i + 1;
        int stride;
        const uint8_t *pixels = scene_draw_view(sc, frame, images, &stride);
        if (o.on_frame)
            o.on_frame(o.user, i, p, drawn_caption(scene_render(sc)));
        if (!recorder_submit(rec, pixels, stride, i * spacing)) {
            st = lf_fail(err, LF_ERR_IO, "%s: the movie stopped taking frames", path);
            refused = true;
        } else if (frames)
            *frames = i + 1;
        if (st == LF_OK && o.on_progress)
            o.on_progress(o.user, i + 1, n);
    }
    if (rec) {
        lf_error fin;
        lf_status done = recorder_finish(rec, &fin);
        /* A refused frame means the encoder failed: its reason (a full
         * disk, ffmpeg gone) says more. */
        if ((st == LF_OK || refused) && done != LF_OK) {
            st = done;
            if (err)
                *err = fin;
        }
        recorder_destroy(rec);
    }
    scene_destroy(sc);
    if (images)
        lf_snapshot_deinit(&images->snap);
    free(images);
    free(frame);
    return st;
}

lf_status reel_write_trainer(const char *path, const reel_history *h, lf_trainer *t,
                             const reel_options *options, int *frames, lf_error *err)
{
    const lf_dataset *ds = lf_trainer_dataset(t);
    int side = ds->patch_size;
    /* The sample the window opens on: the patch where the true filter
     * responds most, so the reel shows the filter at work. */
    int best[SAMPLES_MAX_FILES], files = 0;
    int patch = samples_pick(ds, &lf_trainer_get_options(t)->target, best, SAMPLES_MAX_FILES,
                             &files);

    lf_snapshot *snap = calloc(1, sizeof *snap);
    if (!snap)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the reel");
    lf_status st = lf_snapshot_init(snap, side, err);
    if (st == LF_OK) {
        lf_trainer_snapshot(t, snap, false);
        int shown = snap->sample_patch; /* put back afterwards: the run's state is the run's */
        if (patch >= 0)
            lf_trainer_set_sample_patch(t, patch);
        lf_trainer_snapshot(t, snap, true);
        lf_trainer_set_sample_patch(t, shown);
        st = reel_write(path, h, snap, options, frames, err);
        lf_snapshot_deinit(snap);
    }
    free(snap);
    return st;
}

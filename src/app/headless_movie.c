/*
 * headless_movie.c: the headless trainer's kernel movie. See
 * headless_movie.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "headless_movie.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void headless_movie_close(headless_movie *hm)
{
    for (int i = 0; i < hm->output_count; i++)
        recorder_destroy(hm->outputs[i]);
    movie_destroy(hm->painter);
    scene_destroy(hm->full);
    memset(hm, 0, sizeof *hm);
}

/* Opens the painter and the files now, so a bad path fails before a long
 * run rather than after it. */
lf_status headless_movie_open(headless_movie *hm, const cli_options *o, const app_setup *setup,
                              lf_error *err)
{
    memset(hm, 0, sizeof *hm);
    hm->last_step = -1;
    hm->fps = o->gif_fps > 0 ? o->gif_fps : 10;
    const lf_trainer_options *topt = lf_trainer_get_options(setup->trainer);
    const lf_train_settings *ts = &topt->settings;
    char footer[256];
    int n = snprintf(footer, sizeof footer, "learnfilter  \xc2\xb7  %s %dx%d  \xc2\xb7  %s lr %g",
                     setup->kernel.name, setup->kernel.height, setup->kernel.width,
                     lf_optimizer_name(ts->optimizer), (double)ts->learning_rate);
    if (ts->optimizer == LF_OPTIMIZER_SGD && ts->momentum > 0 && n > 0 && n < (int)sizeof footer)
        n += snprintf(footer + n, sizeof footer - (size_t)n, " momentum %g%s",
                      (double)ts->momentum, ts->nesterov ? " Nesterov" : "");
    if (n > 0 && n < (int)sizeof footer)
        snprintf(footer + n, sizeof footer - (size_t)n, "  \xc2\xb7  batch %d  \xc2\xb7  seed %llu",
                 ts->batch_size, (unsigned long long)topt->seed);
    int width, height;
    if (o->gif_layout == CLI_GIF_LAYOUT_FULL) {
        hm->full = scene_create(o->width ? o->width : 1280, o->height ? o->height : 720,
                                setup->dataset.patch_size, err);
        if (!hm->full)
            return err ? err->status : LF_ERR_INPUT;
        hm->file_count = setup->dataset.file_count;
        width = scene_width(hm->full);
        height = scene_height(hm->full);
    } else {
        movie_options mo = {.target = &setup->kernel, .footer = footer};
        hm->painter = movie_create(&mo, err);
        if (!hm->painter)
            return err ? err->status : LF_ERR_INPUT;
        width = movie_width(hm->painter);
        height = movie_height(hm->painter);
    }
    hm->start = now_seconds();
    const char *paths[2] = {o->gif, o->video};
    for (int i = 0; i < 2; i++) {
        if (!paths[i])
            continue;
        recorder_options ro = {.path = paths[i],
                               .width = width,
                               .height = height,
                               .fps = hm->fps,
                               .loop = o->gif_loop,
                               .wait_when_full = true,
                               .last_frame_seconds = MOVIE_LAST_FRAME_SECONDS};
        recorder *r = recorder_create(&ro, err);
        if (!r) {
            headless_movie_close(hm);
            return err ? err->status : LF_ERR_IO;
        }
        hm->outputs[hm->output_count++] = r;
    }
    return LF_OK;
}

/* True when a movie's frames are log-spaced in steps: a run to a tolerance
 * with no epoch limit and no --gif-every. */
bool headless_movie_log_spaced(const cli_options *o)
{
    return o->gif_every == 0 && o->tol > 0 && o->epochs == 0;
}

/* Whether the step just taken gets a frame; *next_log is the next
 * log-spaced step, moved on when it is reached. */
bool headless_movie_frame_due(const cli_options *o, const lf_figures *f, long *next_log)
{
    if (o->gif_every > 0)
        return f->step % o->gif_every == 0;
    if (!headless_movie_log_spaced(o))
        return f->step_in_epoch == 0;
    if (f->step < *next_log)
        return false;
    *next_log = movie_next_log_step(f->step, MOVIE_LOG_FRAMES_PER_DECADE);
    return true;
}

/* Draws the kernel now and hands the frame to every output; past
 * MOVIE_MAX_FRAMES only the last frame (is_last) is added. */
void headless_movie_add_frame(headless_movie *hm, lf_trainer *trainer, bool by_epoch, bool is_last)
{
    const lf_figures *f = lf_trainer_figures(trainer);
    if (hm->frames >= MOVIE_MAX_FRAMES) {
        if (!is_last) {
            hm->left_out++;
            hm->last_left_out = f->step;
            return;
        }
        if (hm->left_out > 0 && hm->last_left_out == f->step)
            hm->left_out--; /* counted out in the loop, but in after all */
    }
    char title[64], subtitle[128];
    bool between = f->step_in_epoch != 0 && f->step > 0;
    if (by_epoch && !between)
        snprintf(title, sizeof title, "Epoch %d", f->epoch);
    else
        snprintf(title, sizeof title, "Step %ld", f->step);
    if (by_epoch && !between)
        snprintf(subtitle, sizeof subtitle, "step %ld   \xc2\xb7   relative error %.2f%%", f->step,
                 100.0 * f->rel_err);
    else
        snprintf(subtitle, sizeof subtitle, "epoch %.2f   \xc2\xb7   relative error %.2f%%",
                 f->epoch + (double)f->step_in_epoch / f->steps_per_epoch, 100.0 * f->rel_err);
    int stride;
    const uint8_t *pixels;
    if (hm->full) {
        double seconds = now_seconds() - hm->start;
        scene_info info = {.steps_per_second = seconds > 0 ? f->step / seconds : 0,
                           .file_count = hm->file_count};
        pixels = scene_draw(hm->full, trainer, &info, &stride);
    } else {
        const lf_kernel *k = &lf_trainer_get_options(trainer)->target;
        pixels = movie_draw(hm->painter, lf_trainer_weights(trainer), k->height * k->width, title,
                            subtitle, &stride);
    }
    double t = (double)hm->frames / hm->fps;
    for (int i = 0; i < hm->output_count; i++)
        recorder_submit(hm->outputs[i], pixels, stride, t);
    hm->frames++;
    hm->last_step = f->step;
}

/* Completes every output; prints where each went or why it failed. */
bool headless_movie_finish(headless_movie *hm, const cli_options *o)
{
    bool ok = true;
    if (hm->left_out)
        fprintf(stderr,
                "learnfilter: %s: a movie holds at most %d frames; %ld later ones were left out "
                "(the last frame still shows where the run stopped)\n",
                o->gif ? "--gif" : "--video", MOVIE_MAX_FRAMES, hm->left_out);
    for (int i = 0; i < hm->output_count; i++) {
        lf_error err;
        if (recorder_finish(hm->outputs[i], &err) != LF_OK) {
            fprintf(stderr, "learnfilter: %s\n", err.message);
            ok = false;
        } else {
            recorder_status s;
            recorder_poll(hm->outputs[i], &s);
            fprintf(stderr, "learnfilter: %s\n", s.message);
        }
    }
    headless_movie_close(hm);
    return ok;
}


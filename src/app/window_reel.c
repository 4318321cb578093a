/*
 * window_reel.c: the window's reels. See window_reel.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "window_reel.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "reel.h"

#define WINDOW_REEL_PATH_MAX 4096

/* One reel being written: its own copies, so the window goes on. */
typedef struct reel_job {
    reel_history history;
    lf_snapshot sample;
    int width, height, frames;
    char path[WINDOW_REEL_PATH_MAX];
    lf_status status;
    lf_error err;
    atomic_bool done;
    pthread_t thread;
} reel_job;

struct window_reel {
    const char *dir;
    reel_history history;
    unsigned generation;
    bool started;
    reel_job *job;
    char last_path[WINDOW_REEL_PATH_MAX];
};

window_reel *window_reel_create(const char *dir)
{
    window_reel *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    lf_error err;
    /* Room for the largest kernel once, so a kernel switch allocates nothing. */
    if (reel_history_init(&w->history, LF_KERNEL_MAX_SIDE, LF_KERNEL_MAX_SIDE, &err) != LF_OK) {
        free(w);
        return NULL;
    }
    w->dir = dir;
    return w;
}

static void job_free(reel_job *j)
{
    if (!j)
        return;
    reel_history_deinit(&j->history);
    lf_snapshot_deinit(&j->sample);
    free(j);
}

void window_reel_destroy(window_reel *w)
{
    if (!w)
        return;
    if (w->job) {
        pthread_join(w->job->thread, NULL);
        job_free(w->job);
    }
    reel_history_deinit(&w->history);
    free(w);
}

void window_reel_observe(window_reel *w, const worker_frame *f)
{
    const lf_snapshot *s = &f->snap;
    if (!w->started || f->generation != w->generation || s->learned.height != w->history.kh ||
        s->learned.width != w->history.kw) {
        /* A restart or another kernel: the reel is of this run only. */
        w->started = reel_history_reshape(&w->history, s->learned.height, s->learned.width);
        w->generation = f->generation;
        if (!w->started)
            return;
    }
    reel_history_observe(&w->history, s, false);
}

static void *job_main(void *arg)
{
    reel_job *j = arg;
    reel_options ro = {.width = j->width, .height = j->height};
    j->status = reel_write(j->path, &j->history, &j->sample, &ro, &j->frames, &j->err);
    /* SDL keeps per-thread data (its error string) for any thread that
     * calls it; a thread SDL did not start must free it itself. */
    SDL_TLSCleanup();
    atomic_store(&j->done, true);
    return NULL;
}

/* dir/learnfilter-reel-<kernel>-YYYYmmdd-HHMMSS.gif, with -2, -3, ... when taken. */
static bool reel_name(char *out, size_t size, const char *dir, const char *kernel)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char safe[64];
    int n = 0;
    for (const char *c = kernel; *c && n < (int)sizeof safe - 1; c++)
        safe[n++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                            (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'
                        ? *c
                        : '_';
    safe[n] = 0;
    for (int k = 1; k < 100; k++) {
        char suffix[8] = "";
        if (k > 1)
            snprintf(suffix, sizeof suffix, "-%d", k);
        if ((size_t)snprintf(out, size, "%s%slearnfilter-reel-%s-%s%s.gif", dir ? dir : "",
                             dir && dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", safe,
                             stamp, suffix) >= size)
            return false;
        struct stat st;
        if (stat(out, &st) != 0)
            return true;
    }
    return false;
}

bool window_reel_start(window_reel *w, const worker_frame *frame, const worker_images *images,
                       int width, int height, char *message, int size)
{
    if (w->job) {
        snprintf(message, (size_t)size, "still writing the last reel: M again in a moment");
        return false;
    }
    const lf_snapshot *s = &frame->snap;
    if (!w->started || w->history.count < 1 || !images->snap.has_images ||
        images->generation != frame->generation) {
        snprintf(message, (size_t)size, "no reel yet: nothing trained to show");
        return false;
    }
    reel_job *j = calloc(1, sizeof *j);
    lf_error err;
    int side = images->snap.in_height > images->snap.in_width ? images->snap.in_height
                                                              : images->snap.in_width;
    bool ok = j && reel_history_init(&j->history, w->history.kh, w->history.kw, &err) == LF_OK &&
              lf_snapshot_init(&j->sample, side, &err) == LF_OK &&
              lf_snapshot_copy(&j->sample, &images->snap);
    if (!ok) {
        job_free(j);
        snprintf(message, (size_t)size, "cannot write a reel: out of memory");
        return false;
    }
    /* The history so far, and the sample with this frame's kernels and
     * histories (the images' snapshot carries the images). */
    int taps = w->history.kh * w->history.kw;
    j->history.count = w->history.count;
    j->history.per_decade = w->history.per_decade;
    memcpy(j->history.points, w->history.points, sizeof(reel_point) * (size_t)w->history.count);
    memcpy(j->history.weights, w->history.weights,
           sizeof(float) * (size_t)taps * (size_t)w->history.count);
    j->sample.target = s->target;
    j->sample.steps = s->steps;
    j->sample.epochs = s->epochs;
    j->sample.settings = s->settings;
    j->width = width;
    j->height = height;
    if (!reel_name(j->path, sizeof j->path, w->dir, s->target.name)) {
        job_free(j);
        snprintf(message, (size_t)size, "cannot write a reel: no free file name");
        return false;
    }
    /* The reel's drawing opens the fonts' library again and closes it when
     * done: one more reference now, on this thread, keeps the window's. */
    TTF_Init();
    if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
        TTF_Quit();
        job_free(j);
        snprintf(message, (size_t)size, "cannot write a reel: no thread");
        return false;
    }
    w->job = j;
    snprintf(message, (size_t)size, "writing a reel of %d steps\xe2\x80\xa6", (int)s->figures.step);
    return true;
}

bool window_reel_poll(window_reel *w, char *message, int size, bool *is_error)
{
    if (!w->job || !atomic_load(&w->job->done))
        return false;
    pthread_join(w->job->thread, NULL);
    reel_job *j = w->job;
    w->job = NULL;
    *is_error = j->status != LF_OK;
    if (j->status == LF_OK) {
        snprintf(message, (size_t)size, "reel: %s (%d frames, %.0f s)", j->path, j->frames,
                 REEL_SECONDS);
        snprintf(w->last_path, sizeof w->last_path, "%s", j->path);
    } else {
        snprintf(message, (size_t)size, "cannot write the reel: %s", j->err.message);
    }
    job_free(j);
    return true;
}

const char *window_reel_last_path(const window_reel *w) { return w->last_path; }

bool window_reel_frame(window_reel *w, bool *pressed, const worker_frame *frame,
                       const worker_images *images, char *message, int size, bool *is_error)
{
    bool said = false;
    *is_error = false;
    if (*pressed) {
        *pressed = false;
        *is_error = !window_reel_start(w, frame, images, REEL_WIDTH, REEL_HEIGHT, message, size);
        said = true;
    }
    if (window_reel_poll(w, message, size, is_error)) {
        fprintf(stderr, "learnfilter: %s%s\n", *is_error ? "error: " : "", message);
        said = true;
    }
    return said;
}

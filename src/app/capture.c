/*
 * capture.c: window movies and screenshots. See capture.h.
 *
 * Two pieces of work can be under way at once: one movie (recording, or
 * being finished by the recorder's thread after G) and one screenshot (a
 * thread encoding a copy of a frame). A second G while a movie is still
 * being finished, or a second P while a screenshot is still being written,
 * is refused with a message rather than queued: both finish in well under a
 * second, and refusing keeps the memory bounded.
 */
#define _POSIX_C_SOURCE 200809L
#include "capture.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "learnfilter/gif.h"
#include "learnfilter/png.h"
#include "recorder.h"

#define CAPTURE_POOL_BYTES (64u << 20) /* most memory for frames waiting to be encoded */

/* A screenshot on its way to disk, owned by its thread until done is set. */
typedef struct shot_job {
    pthread_t thread;
    unsigned char *pixels;       /* w x h RGBA, a copy of the frame */
    int w, h;
    char path[4096];
    atomic_bool done;
    lf_status status;
    lf_error err;
} shot_job;

struct capture {
    capture_options options;
    /* the movie */
    recorder *rec;               /* recording or finishing; NULL when idle */
    bool recording;              /* rec takes frames */
    int rec_w, rec_h;
    double rec_start, next_due;  /* seconds on options.clock */
    char stop_reason[128];       /* said before the recorder's own message */
    /* the screenshot */
    bool shot_wanted;
    char shot_kernel[64];
    shot_job *shot;              /* a thread writing one; NULL when idle */
    /* what to tell the user */
    unsigned serial;
    bool is_error;
    bool brief;                  /* a notice, not an outcome: shown for a moment */
    char message[CAPTURE_MESSAGE_MAX];
    capture_counts counts;
};

static double seconds_now(const capture *c) { return app_clock_seconds(&c->options.clock); }

__attribute__((format(printf, 3, 4))) static void say(capture *c, bool is_error,
                                                      const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(c->message, sizeof c->message, format, args);
    va_end(args);
    c->is_error = is_error;
    c->brief = false;
    c->serial++;
    if (c->options.on_message)
        c->options.on_message(c->options.user, c->message, is_error);
}

/* dir/learnfilter-<kernel>-YYYYmmdd-HHMMSS<ext>, with -2, -3, ... before
 * the extension when the name is taken (two presses in one second). The
 * kernel name keeps only characters safe in any file system. False when the
 * name does not fit out: a shortened name would be another file. */
static bool new_file_name(char *out, size_t size, const char *dir, const char *kernel,
                          const char *ext)
{
    char safe[64];
    int n = 0;
    for (const char *k = kernel ? kernel : "kernel"; *k && n < (int)sizeof safe - 1; k++) {
        char ch = *k;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
        safe[n++] = ok ? ch : '_';
    }
    safe[n] = 0;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const char *folder = dir && dir[0] ? dir : ".";
    for (int i = 1; i < 100; i++) {
        int len;
        if (i == 1)
            len = snprintf(out, size, "%s/learnfilter-%s-%s%s", folder, safe, stamp, ext);
        else
            len = snprintf(out, size, "%s/learnfilter-%s-%s-%d%s", folder, safe, stamp, i, ext);
        if (len < 0 || (size_t)len >= size)
            return false;
        struct stat st;
        if (stat(out, &st) != 0)
            return true;
    }
    return true;
}

capture *capture_create(const capture_options *options)
{
    capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->options = *options;
    if (c->options.fps <= 0)
        c->options.fps = CAPTURE_FPS;
    /* About 30 ms: here, not on the first G. */
    lf_gif_palette_default();
    return c;
}

/* ========================================================== the movie */

bool capture_start(capture *c, const char *path, const char *kernel_name, int w, int h)
{
    if (c->rec) {
        say(c, true, c->recording ? "already recording" : "still finishing the last movie: "
                                                          "press G again in a moment");
        return false;
    }
    char name[4096];
    bool fits = path ? (size_t)snprintf(name, sizeof name, "%s", path) < sizeof name
                     : new_file_name(name, sizeof name, c->options.dir, kernel_name, ".gif");
    if (!fits) {
        say(c, true, "cannot record: the file's path would be longer than %zu bytes",
            sizeof name - 1);
        return false;
    }
    /* Enough buffers to ride out an encoder hiccup at 1280x720 (8), fewer
     * for a large fullscreen window so the pool stays near 64 MB. */
    size_t frame_bytes = (size_t)w * (size_t)h * 4;
    size_t pool = CAPTURE_POOL_BYTES / (frame_bytes ? frame_bytes : 1);
    recorder_options ro = {
        .path = name,
        .width = w,
        .height = h,
        .fps = c->options.fps,
        .loop = c->options.loop,
        .pool_frames = pool < 2 ? 2 : pool > RECORDER_DEFAULT_POOL ? RECORDER_DEFAULT_POOL
                                                                    : (int)pool,
        .wait_when_full = c->options.wait_when_full,
    };
    lf_error err;
    c->rec = recorder_create(&ro, &err);
    if (!c->rec) {
        say(c, true, "cannot record: %s", err.message);
        c->counts.movies_failed++;
        return false;
    }
    c->recording = true;
    c->rec_w = w;
    c->rec_h = h;
    c->rec_start = seconds_now(c);
    c->next_due = c->rec_start;
    c->stop_reason[0] = 0;
    c->counts.movies_started++;
    /* Short, and briefly: it is in the movie's first frames. The name comes
     * when the movie is written. */
    say(c, false, "recording (G stops)");
    c->brief = true;
    return true;
}

void capture_stop(capture *c, const char *why)
{
    if (!c->rec || !c->recording)
        return;
    c->recording = false;
    snprintf(c->stop_reason, sizeof c->stop_reason, "%s", why ? why : "");
    recorder_stop(c->rec);
    say(c, false, "%s%sfinishing the movie\xe2\x80\xa6", c->stop_reason,
        c->stop_reason[0] ? ": " : "");
}

void capture_toggle(capture *c, const char *kernel_name, int w, int h)
{
    if (c->recording)
        capture_stop(c, NULL);
    else
        capture_start(c, NULL, kernel_name, w, h);
}

bool capture_is_recording(const capture *c) { return c->recording; }

bool capture_wants_frame(const capture *c) { return c->recording || c->shot_wanted; }

/* Takes in a movie whose recorder has finished: its message, its counts. */
static void movie_done(capture *c, const recorder_status *s)
{
    c->counts.frames_dropped += s->frames_dropped;
    if (s->state == RECORDER_DONE) {
        c->counts.movies_written++;
        snprintf(c->counts.last_movie, sizeof c->counts.last_movie, "%s", s->path);
        say(c, false, "%s%s%s", c->stop_reason, c->stop_reason[0] ? ": " : "", s->message);
    } else {
        c->counts.movies_failed++;
        say(c, true, "%s%srecording failed: %s", c->stop_reason, c->stop_reason[0] ? ": " : "",
            s->message);
    }
    recorder_destroy(c->rec);
    c->rec = NULL;
}

/* ===================================================== the screenshot */

static void *shot_main(void *arg)
{
    shot_job *job = arg;
    job->status = lf_png_write_rgba(job->path, job->pixels, job->w, job->h, job->w * 4, &job->err);
    atomic_store(&job->done, true);
    return NULL;
}

void capture_request_screenshot(capture *c, const char *kernel_name)
{
    if (c->shot) {
        say(c, true, "still writing the last screenshot: press P again in a moment");
        return;
    }
    c->shot_wanted = true;
    snprintf(c->shot_kernel, sizeof c->shot_kernel, "%s", kernel_name ? kernel_name : "kernel");
}

static void shot_done(capture *c)
{
    shot_job *job = c->shot;
    pthread_join(job->thread, NULL);
    if (job->status == LF_OK) {
        c->counts.screenshots_written++;
        snprintf(c->counts.last_screenshot, sizeof c->counts.last_screenshot, "%s", job->path);
        say(c, false, "screenshot written to %s", job->path);
    } else {
        c->counts.screenshots_failed++;
        say(c, true, "screenshot not written: %s", job->err.message);
    }
    free(job->pixels);
    free(job);
    c->shot = NULL;
}

/* Copies the frame and hands it to a thread. On any failure, says why. */
static void start_screenshot(capture *c, SDL_Renderer *renderer, int w, int h)
{
    c->shot_wanted = false;
    shot_job *job = calloc(1, sizeof *job);
    unsigned char *pixels = job ? malloc((size_t)w * 4 * (size_t)h) : NULL;
    if (!pixels) {
        free(job);
        c->counts.screenshots_failed++;
        say(c, true, "screenshot not written: out of memory");
        return;
    }
    if (SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGBA32, pixels, w * 4) != 0) {
        c->counts.screenshots_failed++;
        say(c, true, "screenshot not written: cannot read the frame back: %s", SDL_GetError());
        free(pixels);
        free(job);
        return;
    }
    job->pixels = pixels;
    job->w = w;
    job->h = h;
    if (!new_file_name(job->path, sizeof job->path, c->options.dir, c->shot_kernel, ".png")) {
        c->counts.screenshots_failed++;
        say(c, true, "screenshot not written: the file's path would be longer than %zu bytes",
            sizeof job->path - 1);
        free(pixels);
        free(job);
        return;
    }
    atomic_init(&job->done, false);
    if (pthread_create(&job->thread, NULL, shot_main, job) != 0) {
        c->counts.screenshots_failed++;
        say(c, true, "screenshot not written: cannot start a thread");
        free(pixels);
        free(job);
        return;
    }
    c->shot = job;
}

/* ======================================================= each frame */

void capture_update(capture *c)
{
    if (c->rec && !c->recording) {
        recorder_status s;
        recorder_poll(c->rec, &s);
        if (s.state == RECORDER_DONE || s.state == RECORDER_FAILED)
            movie_done(c, &s);
    } else if (c->rec) {
        /* A full disk stops a recording by itself: say so at once. */
        recorder_status s;
        recorder_poll(c->rec, &s);
        if (s.state == RECORDER_FAILED) {
            c->recording = false;
            movie_done(c, &s);
        }
    }
    if (c->shot && atomic_load(&c->shot->done))
        shot_done(c);
}

void capture_frame(capture *c, SDL_Renderer *renderer, int w, int h)
{
    if (c->shot_wanted && !c->shot)
        start_screenshot(c, renderer, w, h);
    if (!c->recording)
        return;
    if (w != c->rec_w || h != c->rec_h) {
        /* A GIF has one size: end this movie whole rather than scale or
         * crop frames into it. */
        capture_stop(c, "window resized, recording stopped");
        return;
    }
    double now = seconds_now(c);
    if (now < c->next_due)
        return;
    double period = 1.0 / c->options.fps;
    c->next_due += period;
    if (c->next_due < now) /* a stall: carry on from now, do not catch up */
        c->next_due = now + period;
    uint8_t *buffer = recorder_begin_frame(c->rec);
    if (!buffer)
        return; /* every buffer busy: the recorder counted the drop */
    if (SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGBA32, buffer, w * 4) != 0)
        memset(buffer, 0, (size_t)w * 4 * (size_t)h); /* a black frame beats a torn movie */
    recorder_end_frame(c->rec, now - c->rec_start);
    c->counts.frames_taken++;
}

void capture_marker_dot(const layout *L, int *x, int *y, int *radius)
{
    float scale = L->scale;
    int r = (int)lroundf(6 * scale);
    *radius = r < 3 ? 3 : r;
    *x = L->status.x + L->status.w - (int)lroundf(88 * scale);
    *y = L->status.y + L->status.h + (int)lroundf(14 * scale);
}

void capture_draw_marker(capture *c, SDL_Renderer *renderer, text_ctx *text, const layout *L)
{
    if (!c->recording)
        return;
    int x, y, r;
    capture_marker_dot(L, &x, &y, &r);
    int elapsed = (int)(seconds_now(c) - c->rec_start);
    char label[32];
    snprintf(label, sizeof label, "REC %d:%02d", elapsed / 60, elapsed % 60);
    int line = text_line_height(text, TEXT_MONO);
    int pad = (int)lroundf(5 * L->scale);
    int right = L->status.x + L->status.w;
    SDL_Rect back = {x - r - pad, y - line / 2 - pad / 2, right - (x - r - pad), line + pad};
    SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(renderer, 20, 22, 26, 220);
    SDL_RenderFillRect(renderer, &back);
    SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(renderer, 230, 30, 30, 255);
    for (int dy = -r; dy <= r; dy++) {
        int half = (int)sqrt((double)(r * r - dy * dy));
        SDL_RenderDrawLine(renderer, x - half, y + dy, x + half, y + dy);
    }
    text_draw(text, TEXT_MONO, x + r + pad, y - line / 2, label, (SDL_Color){240, 240, 240, 255},
              TEXT_LEFT);
}

const char *capture_message(const capture *c, unsigned *serial, bool *is_error, bool *brief)
{
    *serial = c->serial;
    *is_error = c->is_error;
    *brief = c->brief;
    return c->message;
}

const capture_counts *capture_get_counts(const capture *c) { return &c->counts; }

void capture_finish(capture *c)
{
    if (c->recording)
        capture_stop(c, "closing");
    if (c->rec) {
        /* Keep the movie so far: wait for the recorder to finish it. */
        lf_error err;
        recorder_finish(c->rec, &err);
        recorder_status s;
        recorder_poll(c->rec, &s);
        movie_done(c, &s);
    }
    if (c->shot)
        shot_done(c);
    c->shot_wanted = false;
}

void capture_destroy(capture *c)
{
    if (!c)
        return;
    capture_finish(c);
    free(c);
}

/*
 * window_reel.c: the window's reels. See window_reel.h.
 *
 * A reel goes through three places: asked of the worker (asked), collected
 * and waiting for the one being written (waiting), and written on a thread
 * (job). The thread only reads its own copy of the points and reports its
 * progress through atomics, which the window reads each frame.
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
#include <sys/statvfs.h>
#include <time.h>

#include "recorder.h"
#include "rewind_reel.h"
#include "worker.h"

/* One reel being written: its own points, so the window goes on. */
typedef struct reel_job {
    rewind_reel *points;
    char path[WINDOW_REEL_PATH_MAX];
    int frames;
    lf_status status;
    lf_error err;
    atomic_int done_frames, total_frames; /* progress, for the window */
    atomic_bool done;
    pthread_t thread;
    window_reel_record *record; /* where the captions go (NULL: nowhere) */
} reel_job;

struct window_reel {
    const char *dir;
    int asked;                  /* a format asked of the worker and not collected, or -1 */
    rewind_reel *waiting;       /* collected while another was being written */
    reel_job *job;
    int shown_done;             /* the progress last said */
    int started;                /* reels started: the first WINDOW_REEL_KEPT are recorded */
    char before[160];           /* how the reel before this one ended, said with its progress */
    window_reel_counts counts;
    window_reel_record scratch; /* captions of reels past the first WINDOW_REEL_KEPT */
};

window_reel *window_reel_create(const char *dir)
{
    window_reel *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->dir = dir;
    w->asked = -1;
    return w;
}

static void job_free(reel_job *j)
{
    if (!j)
        return;
    rewind_reel_destroy(j->points);
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
    rewind_reel_destroy(w->waiting);
    free(w);
}

static void on_frame(void *user, int index, const reel_point *p, const char *caption)
{
    (void)p;
    reel_job *j = user;
    if (j->record && index >= 0 && index < REEL_FRAMES)
        snprintf(j->record->captions[index], WINDOW_REEL_CAPTION_MAX, "%s", caption);
}

static void on_progress(void *user, int done, int total)
{
    reel_job *j = user;
    atomic_store(&j->total_frames, total);
    atomic_store(&j->done_frames, done);
}

static void *job_main(void *arg)
{
    reel_job *j = arg;
    rewind_reel *r = j->points;
    reel_options ro = {.width = REEL_WIDTH, .height = REEL_HEIGHT, .tolerance = r->tolerance,
                       .file_count = r->file_count, .chart_from_run = true, .on_frame = j->record ? on_frame : NULL, .on_progress = on_progress,
                       .user = j};
    j->status = reel_write(j->path, &r->history, &r->sample, &ro, &j->frames, &j->err);
    /* SDL keeps per-thread data (its error string) for any thread that
     * calls it; a thread SDL did not start must free it itself. */
    SDL_TLSCleanup();
    atomic_store(&j->done, true);
    return NULL;
}

/* dir/learnfilter-reel-<kernel>-YYYYmmdd-HHMMSS.<ext>, with -2, -3, ... when taken. */
static bool reel_name(char *out, size_t size, const char *dir, const char *kernel,
                      const char *ext)
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
        if ((size_t)snprintf(out, size, "%s%slearnfilter-reel-%s-%s%s.%s", dir ? dir : "",
                             dir && dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", safe,
                             stamp, suffix, ext) >= size)
            return false;
        struct stat st;
        if (stat(out, &st) != 0)
            return true;
    }
    return false;
}

/* "writing reel 31/78", with how the reel before ended when it ended just
 * before this one began. */
static void say_progress(const window_reel *w, int done, int total, char *message, int size)
{
    snprintf(message, (size_t)size, "writing reel %d/%d%s%s%s", done, total,
             w->before[0] ? " (" : "", w->before, w->before[0] ? ")" : "");
}

/* Starts writing the points (taking them); false with message when it
 * cannot. */
static bool start_job(window_reel *w, rewind_reel *points, char *message, int size)
{
    reel_job *j = calloc(1, sizeof *j);
    if (!j) {
        rewind_reel_destroy(points);
        snprintf(message, (size_t)size, "cannot write a reel: out of memory");
        return false;
    }
    j->points = points;
    const char *ext = points->format == RECORDER_MP4 ? "mp4" : "gif";
    if (!reel_name(j->path, sizeof j->path, w->dir, points->sample.target.name, ext)) {
        job_free(j);
        snprintf(message, (size_t)size, "cannot write a reel: no free file name");
        return false;
    }
    int slot = w->started++;
    j->record = slot < WINDOW_REEL_KEPT ? &w->counts.first[slot] : &w->scratch;
    memset(j->record, 0, sizeof *j->record);
    atomic_init(&j->total_frames, points->history.count);
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
    w->shown_done = 0;
    say_progress(w, 0, points->history.count, message, size);
    return true;
}

/* The outcome of a finished job, in message; frees it. */
static void end_job(window_reel *w, char *message, int size, bool *is_error)
{
    pthread_join(w->job->thread, NULL);
    reel_job *j = w->job;
    w->job = NULL;
    *is_error = j->status != LF_OK;
    if (j->status == LF_OK) {
        struct stat st;
        long bytes = stat(j->path, &st) == 0 ? (long)st.st_size : -1;
        snprintf(message, (size_t)size, "reel written: %s (%d frames, %.0f s, %.1f MB)", j->path,
                 j->frames, REEL_SECONDS, bytes / 1e6);
        if (j->record != &w->scratch) {
            snprintf(j->record->path, sizeof j->record->path, "%s", j->path);
            j->record->format = j->points->format;
            j->record->frames = j->frames;
            j->record->bytes = bytes;
        }
        w->counts.written++;
    } else {
        /* The encoder says "write failed" or "ffmpeg failed"; whether the
         * disk is full is plain from the folder. */
        struct statvfs fs;
        bool full = j->err.status == LF_ERR_IO && statvfs(w->dir ? w->dir : ".", &fs) == 0 &&
                    (double)fs.f_bavail * (double)fs.f_frsize < 1e6;
        snprintf(message, (size_t)size, "cannot write the reel: %s%s", j->err.message,
                 full ? " (the disk is full)" : "");
        if (j->record != &w->scratch)
            memset(j->record, 0, sizeof *j->record);
        w->counts.failed++;
    }
    fprintf(stderr, "learnfilter: %s%s\n", *is_error ? "error: " : "", message);
    /* When the next reel starts at once, its progress replaces this
     * message: it keeps a short form. */
    const char *name = strrchr(j->path, '/');
    snprintf(w->before, sizeof w->before, "%.100s %s", name ? name + 1 : j->path,
             j->status == LF_OK ? "written" : "failed");
    job_free(j);
}

/* A key: asks the worker for the points, or says why not. */
static bool ask(window_reel *w, worker *source, int format, char *message, int size)
{
    const char *key = format == RECORDER_MP4 ? "Shift+M" : "M";
    if (w->asked >= 0 || w->waiting) {
        snprintf(message, (size_t)size, "two reels in hand already: %s again when one is done",
                 key);
        return false;
    }
    if (format == RECORDER_MP4 && !recorder_ffmpeg_available()) {
        snprintf(message, (size_t)size,
                 "an MP4 reel needs ffmpeg, which is not installed (apt-get install ffmpeg); "
                 "M writes a GIF");
        return false;
    }
    if (!worker_request(source, &(worker_req){.kind = WORKER_REQ_REEL, .value = format})) {
        snprintf(message, (size_t)size, "busy: %s again in a moment", key);
        return false;
    }
    w->asked = format;
    snprintf(message, (size_t)size, "%s reel: taking the stored states\xe2\x80\xa6",
             format == RECORDER_MP4 ? "an MP4" : "a GIF");
    return true;
}

/* Points the worker has collected: written now, or kept for after the
 * one being written. */
static bool collect(window_reel *w, worker *source, char *message, int size, bool *is_error)
{
    rewind_reel *r = worker_take_reel(source);
    if (!r)
        return false;
    w->asked = -1;
    if (r->status != LF_OK) {
        snprintf(message, (size_t)size, "cannot write a reel: %s", r->err.message);
        rewind_reel_destroy(r);
        *is_error = true;
        w->counts.failed++;
        return true;
    }
    if (w->job) {
        w->waiting = r;
        return false;
    }
    *is_error = !start_job(w, r, message, size);
    return true;
}

bool window_reel_frame(window_reel *w, worker *source, bool *gif, bool *mp4, char *message,
                       int size, bool *is_error)
{
    bool said = false;
    *is_error = false;
    if (w->job && atomic_load(&w->job->done)) {
        end_job(w, message, size, is_error);
        said = true;
    }
    if (w->asked >= 0 && collect(w, source, message, size, is_error))
        said = true;
    if (!w->job && w->waiting) {
        rewind_reel *r = w->waiting;
        w->waiting = NULL;
        *is_error = !start_job(w, r, message, size);
        said = true;
    } else if (!w->job && w->asked < 0) {
        w->before[0] = 0; /* nothing follows the last reel: its own message stands */
    }
    for (int k = 0; k < 2; k++) {
        bool *pressed = k == 0 ? gif : mp4;
        if (*pressed) {
            *pressed = false;
            *is_error = !ask(w, source, k == 0 ? RECORDER_GIF : RECORDER_MP4, message, size);
            said = true;
        }
    }
    if (!said && w->job) {
        int done = atomic_load(&w->job->done_frames);
        if (done != w->shown_done) {
            w->shown_done = done;
            say_progress(w, done, atomic_load(&w->job->total_frames), message, size);
            said = true;
        }
    }
    return said;
}

void window_reel_finish(window_reel *w, worker *source)
{
    if (!w)
        return;
    char message[WINDOW_REEL_PATH_MAX + 256];
    bool is_error;
    for (;;) {
        if (w->job)
            end_job(w, message, sizeof message, &is_error); /* joins its thread */
        if (w->asked >= 0)
            collect(w, source, message, sizeof message, &is_error);
        if (w->waiting) {
            rewind_reel *r = w->waiting;
            w->waiting = NULL;
            start_job(w, r, message, sizeof message);
        }
        if (!w->job)
            return;
    }
}

const window_reel_counts *window_reel_get_counts(const window_reel *w) { return &w->counts; }

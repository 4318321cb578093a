/*
 * recorder.c: the recording thread. See recorder.h.
 *
 * Buffers move between three places under one mutex: the free stack, the
 * queue (filled, waiting for the encoder, oldest first) and the encoder,
 * which holds at most two: the frame it is writing and the one after it,
 * whose time says how long the first one shows. The feeding thread only
 * ever takes from the free stack, so it never waits on encoding.
 */
#define _POSIX_C_SOURCE 200809L
#include "recorder.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "learnfilter/export.h"
#include "learnfilter/gif.h"

typedef struct queued_frame {
    int buffer;  /* index into frames */
    double time; /* seconds, the caller's clock */
} queued_frame;

struct recorder {
    recorder_options options;
    recorder_format format;
    size_t frame_bytes;            /* width * height * 4 */
    uint8_t **frames;              /* pool_frames buffers */

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t work;           /* a frame was queued, or stop asked */
    pthread_cond_t space;          /* a buffer came free, or the thread ended */

    /* under lock */
    int *free_stack, free_count;
    queued_frame *queue;
    int queue_head, queue_count;
    bool stop_requested;
    recorder_status status;
    double last_time;              /* time of the last accepted frame */
    int producing;                 /* buffer handed out by begin_frame, or -1 */

    /* the encoding thread's own */
    lf_gif_writer gif;
    FILE *ffmpeg;                  /* popen'd */
    lf_atomic_file mp4_file;       /* the temporary name ffmpeg writes to */
    double first_time;             /* time of the first frame: movie time 0 */
    long written_cs;               /* GIF: centiseconds of delay written */
    long written_video_frames;     /* MP4: frames piped, repeats included */
    lf_error error;
};

/* ========================================================= file names */

int recorder_format_for_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strcasecmp(dot, ".gif"))
        return RECORDER_GIF;
    if (dot && !strcasecmp(dot, ".mp4"))
        return RECORDER_MP4;
    return -1;
}

bool recorder_ffmpeg_available(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char candidate[4096];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + 8 < sizeof candidate) {
            snprintf(candidate, sizeof candidate, "%.*s/ffmpeg", (int)n, path);
            struct stat st;
            if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
                return true;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return false;
}

/* s in single quotes for sh, with any single quote closed, escaped and
 * reopened. false when it does not fit. */
static bool shell_quote(char *out, size_t size, const char *s)
{
    size_t n = 0;
    if (n + 1 >= size)
        return false;
    out[n++] = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            if (n + 4 >= size)
                return false;
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            if (n + 1 >= size)
                return false;
            out[n++] = *s;
        }
    }
    if (n + 2 > size)
        return false;
    out[n++] = '\'';
    out[n] = 0;
    return true;
}

/* ============================================================= outputs */

static lf_status open_mp4(recorder *r, lf_error *err)
{
    const recorder_options *o = &r->options;
    if (!recorder_ffmpeg_available())
        return lf_fail(err, LF_ERR_IO,
                       "%s: recording MP4 needs ffmpeg, which is not installed "
                       "(apt-get install ffmpeg), or record a .gif instead",
                       o->path);
    /* Reserve a temporary name beside the final one: ffmpeg writes it (an
     * MP4 needs a seekable file, not a pipe) and we rename it when done. */
    lf_status st = lf_atomic_open(&r->mp4_file, o->path, err);
    if (st != LF_OK)
        return st;
    fclose(r->mp4_file.stream);
    r->mp4_file.stream = NULL;
    char quoted[8192], command[9000];
    if (!shell_quote(quoted, sizeof quoted, r->mp4_file.temp_path)) {
        lf_atomic_abandon(&r->mp4_file);
        return lf_fail(err, LF_ERR_ARGUMENT, "%s: path is too long", o->path);
    }
    snprintf(command, sizeof command,
             "ffmpeg -y -hide_banner -loglevel error -f rawvideo -pix_fmt rgba -s %dx%d -r %d "
             "-i - -pix_fmt yuv420p -vf 'pad=ceil(iw/2)*2:ceil(ih/2)*2' -f mp4 %s",
             o->width, o->height, o->fps, quoted);
    r->ffmpeg = popen(command, "w");
    if (!r->ffmpeg) {
        int e = errno;
        lf_atomic_abandon(&r->mp4_file);
        return lf_fail(err, LF_ERR_IO, "%s: cannot start ffmpeg: %s", o->path, strerror(e));
    }
    return LF_OK;
}

/* Writes one frame that shows from t until t_next. */
static lf_status encode(recorder *r, const uint8_t *pixels, double t, double t_next)
{
    const recorder_options *o = &r->options;
    if (r->format == RECORDER_GIF) {
        /* Cumulative rounding keeps the movie in step with the clock; 2 cs
         * is the shortest delay viewers honour (less plays as 10). */
        long end_cs = lround((t_next - r->first_time) * 100.0);
        long delay = end_cs - r->written_cs;
        if (delay < 2)
            delay = 2;
        r->written_cs += delay;
        return lf_gif_writer_add_rgba(&r->gif, pixels, o->width * 4, (int)delay, &r->error);
    }
    /* MP4 at a fixed rate: repeat the frame until the next one is due; a
     * frame due no time at all is skipped. */
    long end_frame = lround((t_next - r->first_time) * o->fps);
    (void)t;
    for (; r->written_video_frames < end_frame; r->written_video_frames++) {
        errno = 0;
        if (fwrite(pixels, 1, r->frame_bytes, r->ffmpeg) != r->frame_bytes)
            return lf_fail(&r->error, LF_ERR_IO, "%s: ffmpeg stopped taking frames%s%s",
                           o->path, errno ? ": " : "", errno ? strerror(errno) : "");
    }
    return LF_OK;
}

/* Completes the file under its final name, or removes it. */
static lf_status close_output(recorder *r, bool keep)
{
    if (r->format == RECORDER_GIF) {
        if (!keep) {
            lf_gif_writer_abandon(&r->gif);
            return LF_OK;
        }
        return lf_gif_writer_close(&r->gif, &r->error);
    }
    int status = r->ffmpeg ? pclose(r->ffmpeg) : -1;
    r->ffmpeg = NULL;
    if (!keep) {
        lf_atomic_abandon(&r->mp4_file);
        return LF_OK;
    }
    if (r->written_video_frames == 0) {
        lf_atomic_abandon(&r->mp4_file);
        return lf_fail(&r->error, LF_ERR_ARGUMENT, "%s: no frames were recorded; nothing written",
                       r->options.path);
    }
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        lf_atomic_abandon(&r->mp4_file);
        return lf_fail(&r->error, LF_ERR_IO, "%s: ffmpeg failed (exit status %d); see its message above",
                       r->options.path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    if (rename(r->mp4_file.temp_path, r->mp4_file.final_path) != 0) {
        int e = errno;
        lf_atomic_abandon(&r->mp4_file);
        return lf_fail(&r->error, LF_ERR_IO, "%s: cannot rename the finished movie: %s",
                       r->options.path, strerror(e));
    }
    r->mp4_file.temp_path[0] = 0;
    return LF_OK;
}

/* =========================================================== the thread */

static void release_buffer(recorder *r, int buffer)
{
    pthread_mutex_lock(&r->lock);
    r->free_stack[r->free_count++] = buffer;
    pthread_cond_signal(&r->space);
    pthread_mutex_unlock(&r->lock);
}

static void *encoder_main(void *arg)
{
    recorder *r = arg;
    /* A dead ffmpeg must fail our write with EPIPE, not kill the program:
     * SIGPIPE for a write goes to the thread that wrote, so blocking it here
     * changes nothing for the rest of the program. */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);

    int held = -1;           /* the frame waiting for its successor's time */
    double held_time = 0;
    bool failed = false;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (r->queue_count == 0 && !r->stop_requested)
            pthread_cond_wait(&r->work, &r->lock);
        if (r->queue_count == 0) { /* stop asked and nothing left */
            pthread_mutex_unlock(&r->lock);
            break;
        }
        queued_frame next = r->queue[r->queue_head];
        r->queue_head = (r->queue_head + 1) % r->options.pool_frames;
        r->queue_count--;
        pthread_mutex_unlock(&r->lock);

        if (r->options.on_take)
            r->options.on_take(r->options.on_take_user);
        if (failed) {
            release_buffer(r, next.buffer);
            continue;
        }
        if (held < 0) {
            r->first_time = next.time;
        } else {
            lf_status st = encode(r, r->frames[held], held_time, next.time);
            release_buffer(r, held);
            pthread_mutex_lock(&r->lock);
            if (st == LF_OK) {
                r->status.frames_written++;
                r->status.movie_seconds = next.time - r->first_time;
            }
            pthread_mutex_unlock(&r->lock);
            if (st != LF_OK) {
                failed = true;
                release_buffer(r, next.buffer);
                held = -1;
                /* Refuse further frames at once rather than encode them. */
                pthread_mutex_lock(&r->lock);
                r->status.state = RECORDER_FAILED;
                pthread_mutex_unlock(&r->lock);
                continue;
            }
        }
        held = next.buffer;
        held_time = next.time;
    }

    if (held >= 0) {
        double last = r->options.last_frame_seconds > 0 ? r->options.last_frame_seconds
                                                        : 1.0 / r->options.fps;
        lf_status st = encode(r, r->frames[held], held_time, held_time + last);
        release_buffer(r, held);
        if (st != LF_OK)
            failed = true;
        else {
            pthread_mutex_lock(&r->lock);
            r->status.frames_written++;
            r->status.movie_seconds = held_time + last - r->first_time;
            pthread_mutex_unlock(&r->lock);
        }
    }
    lf_status st = close_output(r, !failed);

    pthread_mutex_lock(&r->lock);
    if (!failed && st == LF_OK) {
        r->status.state = RECORDER_DONE;
        struct stat info;
        r->status.bytes = stat(r->options.path, &info) == 0 ? (long)info.st_size : 0;
        int n = snprintf(r->status.message, sizeof r->status.message,
                         "Wrote %s (%ld frames, %.1f s, %.2f MB", r->options.path,
                         r->status.frames_written, r->status.movie_seconds,
                         (double)r->status.bytes / 1e6);
        if (n > 0 && (size_t)n < sizeof r->status.message && r->status.frames_dropped > 0)
            n += snprintf(r->status.message + n, sizeof r->status.message - (size_t)n,
                          "; %ld frames dropped", r->status.frames_dropped);
        if (n > 0 && (size_t)n < sizeof r->status.message)
            snprintf(r->status.message + n, sizeof r->status.message - (size_t)n, ")");
    } else {
        r->status.state = RECORDER_FAILED;
        snprintf(r->status.message, sizeof r->status.message, "%s", r->error.message);
    }
    pthread_cond_broadcast(&r->space);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* ============================================================ the feeder */

static void free_all(recorder *r)
{
    if (r->frames)
        for (int i = 0; i < r->options.pool_frames; i++)
            free(r->frames[i]);
    free(r->frames);
    free(r->free_stack);
    free(r->queue);
    free(r);
}

recorder *recorder_create(const recorder_options *options, lf_error *err)
{
    recorder_options o = *options;
    if (!o.path || !*o.path) {
        lf_fail(err, LF_ERR_ARGUMENT, "recording: no file name");
        return NULL;
    }
    int format = recorder_format_for_path(o.path);
    if (format < 0) {
        lf_fail(err, LF_ERR_ARGUMENT, "%s: movies are .gif or .mp4", o.path);
        return NULL;
    }
    if (o.width < 1 || o.height < 1 || o.width > LF_GIF_MAX_SIDE || o.height > LF_GIF_MAX_SIDE) {
        lf_fail(err, LF_ERR_ARGUMENT, "%s: frame size %dx%d is outside 1..%d", o.path, o.width,
                o.height, LF_GIF_MAX_SIDE);
        return NULL;
    }
    if (o.fps <= 0)
        o.fps = 10;
    if (o.fps > 100)
        o.fps = 100;
    if (o.pool_frames <= 0)
        o.pool_frames = RECORDER_DEFAULT_POOL;
    if (o.pool_frames < 2)
        o.pool_frames = 2; /* the encoder holds one back for its timing */
    if (o.pool_frames > RECORDER_MAX_POOL)
        o.pool_frames = RECORDER_MAX_POOL;

    recorder *r = calloc(1, sizeof *r);
    if (!r) {
        lf_fail(err, LF_ERR_NOMEM, "%s: no memory to record", o.path);
        return NULL;
    }
    r->options = o;
    r->format = (recorder_format)format;
    r->producing = -1;
    r->last_time = -1;
    r->frame_bytes = (size_t)o.width * (size_t)o.height * 4;
    r->frames = calloc((size_t)o.pool_frames, sizeof *r->frames);
    r->free_stack = calloc((size_t)o.pool_frames, sizeof *r->free_stack);
    r->queue = calloc((size_t)o.pool_frames, sizeof *r->queue);
    bool ok = r->frames && r->free_stack && r->queue;
    for (int i = 0; ok && i < o.pool_frames; i++) {
        r->frames[i] = malloc(r->frame_bytes);
        ok = r->frames[i] != NULL;
        r->free_stack[r->free_count++] = i;
    }
    if (!ok) {
        free_all(r);
        lf_fail(err, LF_ERR_NOMEM, "%s: no memory for %d frames of %dx%d", o.path, o.pool_frames,
                o.width, o.height);
        return NULL;
    }
    /* The copy of path the options point to must live as long as we do. */
    snprintf(r->status.path, sizeof r->status.path, "%s", o.path);
    r->options.path = r->status.path;
    r->status.format = r->format;
    r->status.state = RECORDER_RECORDING;

    lf_status st;
    if (r->format == RECORDER_GIF) {
        lf_gif_options g = {.width = o.width,
                            .height = o.height,
                            .delay_cs = (100 + o.fps / 2) / o.fps,
                            .loop = o.loop};
        st = lf_gif_writer_open(&r->gif, r->options.path, &g, err);
    } else {
        st = open_mp4(r, err);
    }
    if (st != LF_OK) {
        free_all(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->work, NULL);
    pthread_cond_init(&r->space, NULL);
    if (pthread_create(&r->thread, NULL, encoder_main, r) != 0) {
        close_output(r, false);
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->work);
        pthread_cond_destroy(&r->space);
        free_all(r);
        lf_fail(err, LF_ERR_NOMEM, "%s: cannot start the recording thread", o.path);
        return NULL;
    }
    r->thread_started = true;
    return r;
}

uint8_t *recorder_begin_frame(recorder *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->status.state == RECORDER_RECORDING && !r->stop_requested && r->free_count == 0 &&
           r->options.wait_when_full)
        pthread_cond_wait(&r->space, &r->lock);
    uint8_t *buffer = NULL;
    if (r->status.state == RECORDER_RECORDING && !r->stop_requested) {
        if (r->free_count > 0) {
            r->producing = r->free_stack[--r->free_count];
            buffer = r->frames[r->producing];
        } else {
            r->status.frames_dropped++;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return buffer;
}

void recorder_end_frame(recorder *r, double time_seconds)
{
    pthread_mutex_lock(&r->lock);
    if (r->producing >= 0) {
        double period = 1.0 / r->options.fps;
        if (time_seconds < 0)
            time_seconds = r->last_time < 0 ? 0 : r->last_time + period;
        /* Times must increase; a clock that stalls still advances a frame. */
        if (r->last_time >= 0 && time_seconds <= r->last_time)
            time_seconds = r->last_time + period;
        r->last_time = time_seconds;
        int tail = (r->queue_head + r->queue_count) % r->options.pool_frames;
        r->queue[tail] = (queued_frame){.buffer = r->producing, .time = time_seconds};
        r->queue_count++;
        r->producing = -1;
        r->status.frames_accepted++;
        pthread_cond_signal(&r->work);
    }
    pthread_mutex_unlock(&r->lock);
}

bool recorder_submit(recorder *r, const void *pixels, int stride, double time_seconds)
{
    uint8_t *buffer = recorder_begin_frame(r);
    if (!buffer)
        return false;
    size_t row = (size_t)r->options.width * 4;
    for (int y = 0; y < r->options.height; y++)
        memcpy(buffer + (size_t)y * row, (const uint8_t *)pixels + (size_t)y * (size_t)stride, row);
    recorder_end_frame(r, time_seconds);
    return true;
}

void recorder_stop(recorder *r)
{
    pthread_mutex_lock(&r->lock);
    if (!r->stop_requested) {
        r->stop_requested = true;
        if (r->status.state == RECORDER_RECORDING)
            r->status.state = RECORDER_FINISHING;
        pthread_cond_signal(&r->work);
        pthread_cond_broadcast(&r->space);
    }
    pthread_mutex_unlock(&r->lock);
}

void recorder_poll(recorder *r, recorder_status *status)
{
    pthread_mutex_lock(&r->lock);
    *status = r->status;
    pthread_mutex_unlock(&r->lock);
}

lf_status recorder_finish(recorder *r, lf_error *err)
{
    recorder_stop(r);
    if (r->thread_started) {
        pthread_join(r->thread, NULL);
        r->thread_started = false;
    }
    pthread_mutex_lock(&r->lock);
    lf_status st = r->status.state == RECORDER_DONE ? LF_OK : r->error.status;
    if (st == LF_OK && r->status.state != RECORDER_DONE)
        st = LF_ERR_IO;
    if (st != LF_OK)
        lf_fail(err, st, "%s", r->status.message);
    pthread_mutex_unlock(&r->lock);
    return st;
}

void recorder_destroy(recorder *r)
{
    if (!r)
        return;
    recorder_finish(r, NULL);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->work);
    pthread_cond_destroy(&r->space);
    free_all(r);
}

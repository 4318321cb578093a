/*
 * recorder.h: recording frames to a movie on a thread of its own.
 *
 * The window records itself and the headless trainer records the kernel;
 * both hand frames to a recorder, which copies them into one of a few
 * preallocated buffers and encodes them on its own thread, so neither the
 * frame loop nor training waits on the encoder. A .gif goes through the GIF
 * writer (gif.h); a .mp4 is piped as raw RGBA to ffmpeg when it is installed.
 *
 *   recorder_options o = { .path = "run.gif", .width = w, .height = h };
 *   recorder *r = recorder_create(&o, &err);        // fails now on a bad path
 *   each frame:  recorder_submit(r, pixels, stride, seconds_since_start);
 *   to stop:     recorder_stop(r); then recorder_poll(r, &status) each frame
 *                until status.state is DONE or FAILED; recorder_destroy(r);
 *   or at once:  recorder_finish(r, &err); recorder_destroy(r);
 *
 * Timing: each frame carries the time it was taken. A frame shows until the
 * next one's time, so a movie plays at the speed it was recorded even when
 * frames were dropped or came unevenly; in the GIF by its delays, in the MP4
 * by repeating or skipping frames at the fixed rate.
 *
 * When every buffer is busy the newest frame is dropped and counted (never
 * blocking the caller) unless wait_when_full asks to wait, as a headless
 * run that must keep every epoch does. A failed write (full disk) stops the
 * recording: nothing is kept, later frames are refused, and the status says
 * why. Stopping, or destroying a recorder that is still running, keeps the
 * movie so far.
 *
 * Threads: one thread feeds frames (create, submit, begin/end_frame, stop,
 * finish, destroy); recorder_poll may be called from any thread.
 */
#ifndef LEARNFILTER_RECORDER_H
#define LEARNFILTER_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "learnfilter/error.h"

#define RECORDER_DEFAULT_POOL 8 /* frame buffers: 29 MB at 1280x720 */
#define RECORDER_MAX_POOL 64

typedef enum recorder_state {
    RECORDER_RECORDING, /* taking frames */
    RECORDER_FINISHING, /* stop asked: encoding the frames still queued */
    RECORDER_DONE,      /* the movie is complete under its name */
    RECORDER_FAILED     /* nothing was kept; the message says why */
} recorder_state;

typedef enum recorder_format { RECORDER_GIF, RECORDER_MP4 } recorder_format;

/* Zero means default, given in brackets. */
typedef struct recorder_options {
    const char *path;           /* ending in .gif or .mp4 [required] */
    int width, height;          /* frame size in pixels [required] */
    int fps;                    /* frames a second when frames carry no time [10] */
    int loop;                   /* GIF repeat count [0: forever]; -1: plays once */
    int pool_frames;            /* frame buffers [RECORDER_DEFAULT_POOL] */
    bool wait_when_full;        /* wait for a free buffer [false: drop the frame] */
    double last_frame_seconds;  /* how long the last frame shows [one frame at fps] */
    /* Called on the encoding thread each time it takes a frame, before
     * encoding it [none]. Lets a test hold the encoder still. */
    void (*on_take)(void *user);
    void *on_take_user;
} recorder_options;

typedef struct recorder_status {
    recorder_state state;
    recorder_format format;
    long frames_accepted;       /* taken into a buffer */
    long frames_written;        /* encoded into the file */
    long frames_dropped;        /* refused because every buffer was busy */
    long bytes;                 /* file size once DONE */
    double movie_seconds;       /* length of the movie encoded so far */
    char path[4096];            /* the final file name */
    char message[LF_ERROR_MESSAGE_MAX]; /* DONE: where it went and its size; FAILED: why */
} recorder_status;

typedef struct recorder recorder;

/* "gif" or "mp4" from path's extension (any case); -1 for anything else. */
int recorder_format_for_path(const char *path);

/* True when an ffmpeg executable is on PATH (a .mp4 needs it). */
bool recorder_ffmpeg_available(void);

/* Allocates the buffers, opens the output (a temporary file beside path, or
 * ffmpeg) and starts the encoding thread. NULL on failure with err set:
 * LF_ERR_ARGUMENT for a bad size or extension, LF_ERR_IO for a folder that
 * cannot be written or a missing ffmpeg, LF_ERR_NOMEM. */
recorder *recorder_create(const recorder_options *options, lf_error *err);

/* Copies one frame (width x height pixels, 4 bytes each R G B A, rows
 * stride bytes apart) taken at time_seconds (any clock, increasing; < 0:
 * one frame after the last). Returns false when the frame was not taken:
 * every buffer busy (counted as dropped), or no longer recording. */
bool recorder_submit(recorder *r, const void *pixels, int stride, double time_seconds);

/* The same without the copy: a free buffer (width * 4 bytes a row) to draw
 * or read pixels into, or NULL as submit would refuse. Each non-NULL
 * begin_frame must be followed by end_frame before the next. */
uint8_t *recorder_begin_frame(recorder *r);
void recorder_end_frame(recorder *r, double time_seconds);

/* Asks the thread to encode what is queued and close the movie; returns at
 * once. Poll for DONE or FAILED. */
void recorder_stop(recorder *r);

/* The state and counts now. Never blocks for long. */
void recorder_poll(recorder *r, recorder_status *status);

/* Stops, waits for the movie to be complete and says how it went (the
 * status message in err on failure). */
lf_status recorder_finish(recorder *r, lf_error *err);

/* Finishes (keeping the movie so far) if still running, joins the thread
 * and frees everything. Accepts NULL. */
void recorder_destroy(recorder *r);

#endif

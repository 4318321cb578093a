/*
 * window_reel.h: the window's M and Shift+M: a reel (reel.h) of the run so
 * far, a GIF or an MP4.
 *
 * The reel is drawn from the rewind ring's stored states: a key asks the
 * worker, which owns the ring, for the points (WORKER_REQ_REEL,
 * rewind_reel.h), log-spaced as the headless --reel spaces its frames. The
 * window collects them a frame or so later, and a thread of its own draws
 * and encodes them (into the recording folder) while the window and
 * training go on: no frame waits for it. Each frame the window is told how
 * far it got ("writing reel 31/78"), and once it is done, where it went and
 * its size, or why it failed (no ffmpeg for an MP4, a full disk).
 *
 * One reel is written at a time; one more may be asked for meanwhile (M
 * then Shift+M writes both, one after the other). Closing the window
 * finishes the reels asked for (window_reel_finish).
 */
#ifndef LEARNFILTER_WINDOW_REEL_H
#define LEARNFILTER_WINDOW_REEL_H

#include <stdbool.h>

#include "reel.h"

typedef struct worker worker;
typedef struct window_reel window_reel;

#define WINDOW_REEL_PATH_MAX 4096
#define WINDOW_REEL_KEPT 2           /* reels the counts describe in full */
#define WINDOW_REEL_CAPTION_MAX 96

/* A reel written, for tests: where, what, and each frame's caption as
 * drawn (the texts the frame's status line drew). */
typedef struct window_reel_record {
    char path[WINDOW_REEL_PATH_MAX];
    int format;                      /* RECORDER_GIF or RECORDER_MP4 */
    int frames;
    long bytes;
    char captions[REEL_FRAMES][WINDOW_REEL_CAPTION_MAX];
} window_reel_record;

typedef struct window_reel_counts {
    int written, failed;
    window_reel_record first[WINDOW_REEL_KEPT]; /* the first ones written, in order */
} window_reel_counts;

/* NULL when out of memory. dir: where reels go (NULL: the current folder);
 * the string must outlive the reel. */
window_reel *window_reel_create(const char *dir);

/* Waits for a reel being written, then frees everything. Accepts NULL. */
void window_reel_destroy(window_reel *w);

/* Once a frame: asks the worker for a reel's points when *gif (M) or *mp4
 * (Shift+M) is set (both cleared here), starts writing the points
 * collected, and follows the reel being written. True when there is
 * something to say, written into message: what was asked, the progress,
 * and the outcome (also to stderr: the status is gone once the window
 * closes). *is_error for a reel that cannot be made. */
bool window_reel_frame(window_reel *w, worker *source, bool *gif, bool *mp4, char *message,
                       int size, bool *is_error);

/* On closing, before the worker goes: writes the reels asked for and
 * waits for them. */
void window_reel_finish(window_reel *w, worker *source);

/* What was written so far. */
const window_reel_counts *window_reel_get_counts(const window_reel *w);

#endif

/*
 * reel.h: a short captioned movie of a run so far.
 *
 * As a run trains, a reel_history keeps the weights, the bias and the
 * figures at log-spaced steps (20 to each factor of ten, as a --tol movie
 * spaces its frames; thinned to 10, 5, ... when its fixed room fills), so
 * both the fast first drop and the slow tail are there however long the
 * run. reel_write draws up to REEL_FRAMES of those points in the
 * presentation layout (layout_compute_present), each captioned with its
 * step and kernel error (present.h), and writes them as a GIF or, through
 * ffmpeg, an MP4 (recorder.h) of REEL_SECONDS: the frames share
 * REEL_SECONDS - REEL_HOLD_SECONDS evenly and the last one holds for
 * REEL_HOLD_SECONDS.
 *
 * A point's output image is the kept weights and bias applied to the
 * sample patch by the core's convolution, so a past frame shows what the
 * network made of the sample then. The chart shows the loss history up
 * to the point's step.
 *
 *   reel_history h;
 *   reel_history_init(&h, kh, kw, &err);
 *   each step:   if (reel_history_due(&h, step)) reel_history_add(&h, ...);
 *   at the end:  reel_write(path, &h, &sample, &opt, &err);
 *   reel_history_deinit(&h);
 *
 * The headless trainer (--reel FILE) keeps its history as it trains. The
 * window (M, Shift+M) fills one from the rewind ring's stored states
 * (rewind_reel.h), choosing those nearest to the steps the headless reel
 * of the same run would show (reel_schedule_steps, reel_choose_held).
 */
#ifndef LEARNFILTER_REEL_H
#define LEARNFILTER_REEL_H

#include <stdbool.h>

#include "learnfilter/error.h"
#include "learnfilter/trainer.h"

#define REEL_MAX_POINTS 256     /* points kept; a full history is thinned */
#define REEL_PER_DECADE 20      /* points to each factor of ten in steps, at first */
#define REEL_FRAMES 100         /* frames in a reel at most */
#define REEL_SECONDS 10.0       /* a reel's length */
#define REEL_HOLD_SECONDS 2.0   /* of which the last frame holds */
#define REEL_WIDTH 1280         /* frame size when none is given */
#define REEL_HEIGHT 720

typedef struct reel_point {
    long step;
    int epoch;
    double rel_err, train_loss; /* as the trainer's figures hold them */
    float bias;
} reel_point;

typedef struct reel_history {
    int kh, kw;              /* the kernel's shape: kh * kw weights a point */
    int capacity_taps;       /* weights a point has room for (reel_history_reshape) */
    int count;
    int per_decade;          /* the spacing now: REEL_PER_DECADE, halved by each thinning */
    long next_step;          /* the step due for the next point */
    reel_point points[REEL_MAX_POINTS];
    float *weights;          /* REEL_MAX_POINTS * kh * kw, point i's at i * kh * kw */
} reel_history;

/* For a kh x kw kernel (up to LF_KERNEL_MAX_SIDE a side). LF_ERR_ARGUMENT
 * for a bad shape, LF_ERR_NOMEM. */
lf_status reel_history_init(reel_history *h, int kh, int kw, lf_error *err);
void reel_history_deinit(reel_history *h);
/* Forgets every point (a restart); keeps the shape and the memory. */
void reel_history_clear(reel_history *h);
/* Clears and takes a new kernel shape within the room allocated (a kernel
 * switch in the window); false, changing nothing, when it does not fit. */
bool reel_history_reshape(reel_history *h, int kh, int kw);

/* True when a point at this step is due (the first step, 0, always is). */
bool reel_history_due(const reel_history *h, long step);

/* Keeps a point: the weights (count of them, kh * kw expected: fewer are
 * padded with zeros, more are cut), the bias and the figures. A step not
 * after the last point's replaces it. */
void reel_history_add(reel_history *h, const reel_point *p, const float *weights, int count);

/* Keeps a point from a trainer on the caller's thread (its learned
 * kernel, bias and figures) when one is due or when force (the run's last
 * step, or a stored state the window's reel visits). */
void reel_history_observe_trainer(reel_history *h, const lf_trainer *t, bool force);

/* Which points a reel of the history shows: writes up to capacity indices
 * into the history, in order; returns how many (at most REEL_FRAMES). */
int reel_frame_points(const reel_history *h, int *indices, int capacity);

/* The steps a reel of a run from first_step to last_step shows, as the
 * headless --reel keeps and picks them (a point at every due step, then
 * reel_frame_points): writes up to capacity of them, in order; returns how
 * many. */
int reel_schedule_steps(long first_step, long last_step, long *steps, int capacity);

/* The window's reel is drawn from stored states, not from every step:
 * for each wanted step (ascending), the held state nearest to it (the
 * earlier of two as near), each state once. held: ascending steps.
 * Writes up to capacity indices into held, in order; returns how many. */
int reel_choose_held(const long *held, int held_count, const long *wanted, int wanted_count,
                     int *chosen, int capacity);

/* Zero means default, in brackets. */
typedef struct reel_options {
    int width, height;       /* frame size [REEL_WIDTH x REEL_HEIGHT] */
    int file_count;          /* photographs in the dataset [0] */
    double tolerance;        /* a frame at or below it says "learned" [0.01] */
    /* Each frame's chart is the sample's step history cut at its step (as
     * the window's chart showed it), not the history's own points: for a
     * history of a few stored states, too sparse for a curve [false]. */
    bool chart_from_run;
    /* Called after each frame is drawn, with its point and the caption
     * drawn at its head (for tests) [none]. */
    void (*on_frame)(void *user, int index, const reel_point *p, const char *caption);
    void *user;
    /* Called after each frame is handed to the encoder, with the frames
     * done and the reel's total (progress on screen) [none]. */
    void (*on_progress)(void *user, int done, int total);
} reel_options;

/* Writes the reel of history to path (.gif, or .mp4 through ffmpeg).
 * sample is a snapshot with images (has_images): the sample patch, the
 * target and the settings, whose step and loss histories the chart shows
 * up to each point. Fails with LF_ERR_ARGUMENT
 * (an empty history, a bad extension, no images), LF_ERR_INPUT (fonts),
 * LF_ERR_IO (the file, or ffmpeg missing for .mp4), LF_ERR_NOMEM. *frames
 * (may be NULL) gets the number of frames written. */
lf_status reel_write(const char *path, const reel_history *h, const lf_snapshot *sample,
                     const reel_options *options, int *frames, lf_error *err);

/* reel_write with the trainer's sample and settings as they are now. */
lf_status reel_write_trainer(const char *path, const reel_history *h, lf_trainer *t,
                             const reel_options *options, int *frames, lf_error *err);

#endif

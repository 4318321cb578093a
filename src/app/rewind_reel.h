/*
 * rewind_reel.h: what a reel of the window's run is drawn from, taken on
 * the worker thread from the rewind ring (rewind.h).
 *
 * The window keeps no history of its own for a reel: M and Shift+M ask the
 * worker, which owns the trainer and the ring, for a rewind_reel. It lists
 * the points the ring can go to (the stored states and the latest point),
 * asks which steps the headless --reel of a run ending here would show
 * (reel_schedule_steps), takes the stored point nearest to each
 * (reel_choose_held) and visits those (rewind_visit): each one's weights,
 * bias and figures go into a reel history, exactly as the state holds
 * them. So the window's reel and the headless reel of the same run show
 * the same steps wherever the ring holds them, and the window never sees
 * the trainer move. The sample patch shown, with the run's loss curves,
 * comes from the latest point. Drawing and encoding happen elsewhere
 * (window_reel.h), off both the worker and the render thread.
 *
 * No SDL here.
 */
#ifndef LEARNFILTER_REWIND_REEL_H
#define LEARNFILTER_REWIND_REEL_H

#include "learnfilter/rewind.h"
#include "reel.h"
#include "rewind.h"

typedef struct rewind_reel {
    int format;                 /* what was asked: RECORDER_GIF or RECORDER_MP4 (recorder.h) */
    unsigned generation;        /* the run it is of (worker_frame.generation) */
    lf_status status;           /* LF_OK, or why there is no reel (err) */
    lf_error err;
    int held_count;             /* the points it chose from: the ring's, then the latest */
    long held[LF_REWIND_SLOTS + 1];
    int wanted_count;           /* the steps the headless reel would show */
    long wanted[REEL_FRAMES];
    reel_history history;       /* the chosen points, oldest first */
    lf_snapshot sample;         /* the latest point with the sample images (has_images) */
    double tolerance;           /* the run's: a frame at or below it says "learned" */
    int file_count;             /* photographs in the dataset */
} rewind_reel;

/* Takes the reel's points from the ring and the trainer (on the thread
 * that owns both); a failure is said in status and err. NULL only when out
 * of memory for the rewind_reel itself. */
rewind_reel *rewind_reel_collect(rewind_ctl *c, lf_trainer *trainer, int format);

/* Frees everything; accepts NULL. */
void rewind_reel_destroy(rewind_reel *r);

#endif

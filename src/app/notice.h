/*
 * notice.h: what the window says when something happens, in words.
 *
 * Three kinds, all worked out here from requests and published frames,
 * without SDL, so the tests can hold the words to the events:
 *
 *   acknowledgements  a request answered on screen the moment it is made
 *                     ("Switching to smiley…"), before the worker takes it;
 *   large notices     what changed the run, said plainly for a few seconds:
 *                     a new learning rate ("Learning rate 0.01 → 0.0316"), a
 *                     restart after a divergence ("Diverged: restarted at
 *                     step 0 with lr 0.00316"), a branch from a past point
 *                     ("Branched at step 1,200: the 3,800 later steps ...
 *                     dropped"); they last NOTICE_FRAMES
 *                     frames, counted per frame drawn, never by wall time;
 *   progress          a kernel's first epoch builds per-patch statistics,
 *                     which makes it slow: "Building statistics 12/44".
 */
#ifndef LEARNFILTER_NOTICE_H
#define LEARNFILTER_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

#include "worker.h"

#define NOTICE_FRAMES 180      /* a large notice stays 3 s at 60 frames a second */
#define NOTICE_FADE_FRAMES 30  /* and fades over its last half second */
#define NOTICE_TEXT_MAX 160
#define NOTICE_PROGRESS_FRAMES 6 /* statistics still building after this many frames of
                                    training are shown: a 3x3 kernel's take one frame */

/* The acknowledgement of req, given the frame on screen when it was made
 * (NULL: none yet). False for requests that need none (quit, a dropped
 * file, which the window names itself). */
bool notice_for_request(const worker_req *req, const worker_frame *shown, char *out, size_t size);

/* Watches the published frames for changes worth a large notice. */
typedef struct notice_tracker {
    bool seen;                 /* a frame was observed */
    unsigned generation;
    worker_state state;
    float learning_rate;
    int optimizer;
    char kernel[LF_KERNEL_NAME_MAX];
    char text[NOTICE_TEXT_MAX];
    int frames_left;           /* 0: no notice */
    int building_frames;       /* frames observed training with statistics missing */
    unsigned branch_serial;    /* of the last rewind branch seen (rewind.h) */
} notice_tracker;

/* Takes the frame the window shows now. */
void notice_observe(notice_tracker *n, const worker_frame *f);
/* One frame drawn: the notice shown moves one frame towards its end. */
void notice_tick(notice_tracker *n);
/* The notice to show now and its opacity (0..1), or NULL. */
const char *notice_current(const notice_tracker *n, float *alpha);

/* "Building statistics 12/44" while the kernel's statistics are being
 * built (training, in the first epoch) and have been for
 * NOTICE_PROGRESS_FRAMES frames; false otherwise. */
bool notice_progress(const notice_tracker *n, const worker_frame *f, char *out, size_t size);

#endif

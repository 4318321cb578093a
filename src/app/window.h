/*
 * window.h: the live SDL2 window.
 */
#ifndef LEARNFILTER_WINDOW_H
#define LEARNFILTER_WINDOW_H

#include <SDL.h>

#include "capture.h"
#include "window_reel.h"
#include "cli.h"
#include "clock.h"

/* For tests: a way into the running loop, and what happened in it. */
typedef struct window_hooks {
    /* Called at the start of every frame, before the events are read, so a
     * test can push events (keys, drops, resizes) as a user would. */
    void (*before_frame)(void *user, long frame, SDL_Window *window);
    /* Called when a frame is complete (recording marker included) and about
     * to be presented, with what the worker published for it (a const
     * worker_frame *, as void * to keep worker.h out of this header) and
     * the message at the bottom (NULL when none). */
    void (*before_present)(void *user, long frame, SDL_Renderer *renderer,
                           const void *worker_frame, const char *message_shown);
    void *user;
    /* The time the loop, the worker and the recording run on [zero: the real
     * clock]. On a simulated clock (clock.h) the loop's wait for its next
     * frame moves the clock on by one frame, so N frames are N/60 s of
     * training, of movie and of messages on any machine. */
    app_clock clock;
    /* Recording waits for a free frame buffer rather than drop the frame
     * [false: drops, as for users], so a movie's frame count depends only
     * on the frames drawn. */
    bool capture_wait_when_full;
    /* Each frame waits until the worker has carried out the requests made
     * so far and the work due by the clock (worker_settle), so what a frame
     * shows follows from the frames and events alone [false]. */
    bool lockstep;
} window_hooks;

typedef struct window_report {
    long frames;
    long steps;
    unsigned long requests_queued;     /* accepted by the worker's queue */
    unsigned long requests_refused;    /* queue full: the user was told */
    unsigned long requests_taken;      /* carried out by the worker */
    unsigned long requests_misordered; /* taken out of turn: must be 0 */
    capture_counts capture;
    window_reel_counts reels;          /* M and Shift+M: the reels written */
    long races_started;                /* key C presses that started a race */
    long race_step, race_first_step;   /* the last race's second and first run at the end */
    double race_rel_err, race_first_rel_err;
} window_report;

/* Opens the window, trains on a worker thread while showing it, and returns
 * the program's exit code when the user quits (or after --frames). */
int window_run(const cli_options *options);

/* The same, with hooks (may be NULL) and a report (may be NULL). With hooks,
 * the window waits on closing (up to 300 s, a hang guard) until the worker has taken every
 * request queued, so the report's counts are final. */
int window_run_with(const cli_options *options, const window_hooks *hooks, window_report *report);

#endif

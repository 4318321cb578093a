/*
 * rewind.h: going back through a run in the window, and branching off.
 *
 * The worker keeps a rewind ring (learnfilter/rewind.h) of the run's
 * states as it trains. Scrubbing (J, L, End, the timeline) puts the
 * trainer itself back to a stored state, so every panel shows the run at
 * that point, drawn by the same code as a live run: kernels, sample
 * images, figures. Only three things are not the restored trainer's: the
 * loss curves stay the whole run's (with a marker at the point shown), the
 * step explained under the kernels is the one that led to the state shown
 * (kept beside each state: the state file does not hold it), and the latest
 * point is kept aside so End comes back to it exactly.
 *
 * Training on from a past point (Space, a step, a new rate or optimizer, a
 * weight set by hand) starts a branch: the later states and the later loss
 * history are dropped, and the window says so (branch_serial).
 *
 * All of it runs on the worker thread; the window sees rewind_view in
 * each frame. No SDL here.
 */
#ifndef LEARNFILTER_APP_REWIND_H
#define LEARNFILTER_APP_REWIND_H

#include <stdbool.h>

#include "learnfilter/rewind.h"
#include "learnfilter/trainer.h"

#define REWIND_BIG_JUMP 8 /* stored states Shift+J and Shift+L move by */

/* What the window shows of the rewind, in every frame. */
typedef struct rewind_view {
    int count;                   /* stored states */
    long steps[LF_REWIND_SLOTS]; /* their steps, oldest first */
    int view;                    /* the state shown: 0..count-1, or count: the latest point */
    long view_step;              /* the step shown */
    long latest_step;            /* the run's newest step */
    bool scrubbing;              /* a past point is shown (training paused) */
    unsigned branch_serial;      /* changes when a branch dropped later history */
    long branch_step;            /* the step the last branch started from */
    long branch_dropped_steps;   /* the steps of history it dropped */
    int branch_dropped_states;   /* and the stored states */
} rewind_view;

typedef struct rewind_ctl rewind_ctl;

/* NULL when out of memory. Destroy accepts NULL. */
rewind_ctl *rewind_create(void);
void rewind_destroy(rewind_ctl *c);

/* A new run (a restart, a new kernel or photos): forgets the old one and
 * keeps the trainer's state now as the first. */
void rewind_restart(rewind_ctl *c, lf_trainer *trainer);

/* After a training step: keeps the state when the ring wants it. */
void rewind_stepped(rewind_ctl *c, lf_trainer *trainer);

/* Whether a past point is shown, and the states stored (the latest point
 * has index count). */
bool rewind_scrubbing(const rewind_ctl *c);
int rewind_count(const rewind_ctl *c);

/* Shows stored state index (count or more: the latest point); a request
 * for the step shown changes nothing. Returns false with err set when the
 * state cannot be restored (the trainer is then at the latest point). */
bool rewind_show(rewind_ctl *c, lf_trainer *trainer, int index, lf_error *err);
/* The index rewind_show takes for moving by states (J, L: -1, +1) from
 * the one shown, and for the point nearest to step (the timeline; the
 * latest point included). live_step: the trainer's step now. */
int rewind_index_moved(const rewind_ctl *c, long live_step, int by);
int rewind_index_near(const rewind_ctl *c, long live_step, double step);

/* Before training on: at a past point, drops the later states and
 * history, and the point becomes the latest. Returns true when it did. */
bool rewind_branch(rewind_ctl *c, lf_trainer *trainer);

/* The view for a frame; while a past point is shown, also puts the whole
 * run's loss curves and the stored step detail into snap. */
void rewind_fill(const rewind_ctl *c, const lf_trainer *trainer, rewind_view *view,
                 lf_snapshot *snap);

/* ---- Visiting the stored points (the reel, rewind_reel.h). */

/* The steps of the points a visit can go to, oldest first: the stored
 * states, then the latest point when it is past them (so index
 * rewind_count() is the latest point, as for rewind_show). Writes at most
 * capacity (LF_REWIND_SLOTS + 1 is enough); returns how many. */
int rewind_points(const rewind_ctl *c, long live_step, long *steps, int capacity);

/* Puts the trainer at each of the points indices[0..count) (ascending
 * indices into rewind_points' list) in turn and calls visit there, then
 * puts it back at the point shown, which the window never sees change.
 * Like a scrub, it restores whole states, so the engine's caches are
 * built again at the next step. false with err set when a state cannot be
 * restored (the trainer is put back all the same). */
bool rewind_visit(rewind_ctl *c, lf_trainer *trainer, const int *indices, int count,
                  void (*visit)(void *user, int k, lf_trainer *trainer), void *user,
                  lf_error *err);

/* ---- The timeline's arithmetic (pure; render and input share it). */

/* The step at x on a timeline from track_x to track_x + track_w - 1 that
 * spans steps 0 .. latest, and the x of a step on it. */
double rewind_timeline_step(int track_x, int track_w, long latest, int x);
int rewind_timeline_x(int track_x, int track_w, long latest, long step);

#endif

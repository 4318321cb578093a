/*
 * rewind.c: scrubbing back through a run and branching off, on the worker
 * thread. See rewind.h.
 *
 * The ring holds the states; beside it this keeps the step detail of each
 * stored step (by step, since thinning reorders the ring's slots), the
 * latest point while a past one is shown, and that point's loss curves.
 */
#include "rewind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct stored_detail {
    long step;              /* -1: free */
    lf_step_detail detail;  /* the step that led to the state at step */
} stored_detail;

struct rewind_ctl {
    lf_rewind *ring;
    lf_state *latest;        /* the latest point, kept while a past one is shown */
    lf_step_detail latest_detail;
    lf_history latest_steps, latest_epochs; /* its loss curves, shown meanwhile */
    long latest_step;
    bool scrubbing;
    int view;                /* the stored state shown while scrubbing */
    stored_detail details[LF_REWIND_SLOTS + 1];
    lf_snapshot scratch;     /* for the step detail; never holds images */
    unsigned branch_serial;
    long branch_step, branch_dropped_steps;
    int branch_dropped_states;
    /* The latest point's step detail before a visit moved the trainer (a
     * restored state has none): shown until the next step makes its own. */
    lf_step_detail visited_detail;
};

rewind_ctl *rewind_create(void)
{
    rewind_ctl *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ring = lf_rewind_create();
    c->latest = lf_state_create();
    if (!c->ring || !c->latest) {
        rewind_destroy(c);
        return NULL;
    }
    for (int i = 0; i <= LF_REWIND_SLOTS; i++)
        c->details[i].step = -1;
    return c;
}

void rewind_destroy(rewind_ctl *c)
{
    if (!c)
        return;
    lf_rewind_destroy(c->ring);
    lf_state_destroy(c->latest);
    free(c);
}

static bool ring_holds(const rewind_ctl *c, long step)
{
    int i = lf_rewind_nearest(c->ring, (double)step);
    return i >= 0 && lf_rewind_step_at(c->ring, i) == step;
}

static const lf_step_detail *detail_of(const rewind_ctl *c, long step)
{
    for (int i = 0; i <= LF_REWIND_SLOTS; i++)
        if (c->details[i].step == step)
            return &c->details[i].detail;
    return NULL;
}

/* Keeps the detail of the step just taken: in its step's place when it
 * has one (a branch may come back to a dropped step), else in a place
 * whose step the ring no longer holds (there is one more place than
 * slots). */
static void keep_detail(rewind_ctl *c, lf_trainer *trainer, long step)
{
    int at = -1;
    for (int i = 0; i <= LF_REWIND_SLOTS && at < 0; i++)
        if (c->details[i].step == step)
            at = i;
    for (int i = 0; i <= LF_REWIND_SLOTS && at < 0; i++)
        if (c->details[i].step < 0 || !ring_holds(c, c->details[i].step))
            at = i;
    if (at < 0)
        return;
    lf_trainer_snapshot(trainer, &c->scratch, false);
    c->details[at].step = step;
    c->details[at].detail = c->scratch.last_step;
}

void rewind_restart(rewind_ctl *c, lf_trainer *trainer)
{
    lf_rewind_clear(c->ring);
    for (int i = 0; i <= LF_REWIND_SLOTS; i++)
        c->details[i].step = -1;
    c->scrubbing = false;
    c->visited_detail.step = 0;
    rewind_stepped(c, trainer);
}

void rewind_stepped(rewind_ctl *c, lf_trainer *trainer)
{
    long step = lf_trainer_figures(trainer)->step;
    if (c->scrubbing || !lf_rewind_due(c->ring, step))
        return;
    bool kept = false;
    /* Out of memory for a state only leaves a gap in the timeline. */
    if (lf_rewind_record(c->ring, trainer, &kept, NULL) == LF_OK && kept)
        keep_detail(c, trainer, step);
}

bool rewind_scrubbing(const rewind_ctl *c) { return c->scrubbing; }

int rewind_count(const rewind_ctl *c) { return lf_rewind_count(c->ring); }

/* The index shown: a stored state, or count for the latest point. */
static int shown_index(const rewind_ctl *c)
{
    return c->scrubbing ? c->view : lf_rewind_count(c->ring);
}

static long latest_step(const rewind_ctl *c, long live_step)
{
    return c->scrubbing ? c->latest_step : live_step;
}

int rewind_index_moved(const rewind_ctl *c, long live_step, int by)
{
    int count = lf_rewind_count(c->ring);
    int from = shown_index(c);
    /* From the latest point, a stored state at the same step is the same
     * point: the first step back goes past it. */
    if (from == count && count > 0 && by < 0 &&
        lf_rewind_step_at(c->ring, count - 1) == latest_step(c, live_step))
        from = count - 1;
    long to = (long)from + by;
    return to < 0 ? 0 : to > count ? count : (int)to;
}

int rewind_index_near(const rewind_ctl *c, long live_step, double step)
{
    int count = lf_rewind_count(c->ring);
    long latest = latest_step(c, live_step);
    int i = lf_rewind_nearest(c->ring, step);
    if (i < 0 || step >= (double)latest)
        return count;
    double to_latest = fabs((double)latest - step);
    return to_latest < fabs((double)lf_rewind_step_at(c->ring, i) - step) ? count : i;
}

bool rewind_show(rewind_ctl *c, lf_trainer *trainer, int index, lf_error *err)
{
    int count = lf_rewind_count(c->ring);
    index = index < 0 ? 0 : index > count ? count : index;
    if (!c->scrubbing) {
        /* Leaving the latest point: keep it to come back to. */
        long step = lf_trainer_figures(trainer)->step;
        if (index == count || lf_rewind_step_at(c->ring, index) == step)
            return true; /* already there */
        if (lf_trainer_save_state(trainer, c->latest, err) != LF_OK)
            return false;
        lf_trainer_snapshot(trainer, &c->scratch, false);
        c->latest_detail = c->scratch.last_step;
        c->latest_steps = c->scratch.steps;
        c->latest_epochs = c->scratch.epochs;
        c->latest_step = step;
    }
    if (index < count && lf_rewind_step_at(c->ring, index) == c->latest_step)
        index = count; /* the same point as the latest */
    lf_status st = index == count ? lf_trainer_restore_state(trainer, c->latest, err)
                                  : lf_rewind_restore(c->ring, index, trainer, err);
    if (st != LF_OK) {
        lf_trainer_restore_state(trainer, c->latest, NULL);
        c->scrubbing = false;
        return false;
    }
    c->scrubbing = index < count;
    c->view = index;
    return true;
}

bool rewind_branch(rewind_ctl *c, lf_trainer *trainer)
{
    if (!c->scrubbing)
        return false;
    long step = lf_trainer_figures(trainer)->step;
    c->branch_dropped_states = lf_rewind_truncate(c->ring, c->view + 1);
    c->branch_step = step;
    c->branch_dropped_steps = c->latest_step - step;
    c->branch_serial++;
    c->scrubbing = false;
    return true;
}

void rewind_fill(const rewind_ctl *c, const lf_trainer *trainer, rewind_view *view,
                 lf_snapshot *snap)
{
    long live = lf_trainer_figures(trainer)->step;
    view->count = lf_rewind_steps(c->ring, view->steps, LF_REWIND_SLOTS);
    view->view = shown_index(c);
    view->view_step = live;
    view->latest_step = latest_step(c, live);
    view->scrubbing = c->scrubbing;
    view->branch_serial = c->branch_serial;
    view->branch_step = c->branch_step;
    view->branch_dropped_steps = c->branch_dropped_steps;
    view->branch_dropped_states = c->branch_dropped_states;
    if (!c->scrubbing && snap && snap->last_step.step == 0 && c->visited_detail.step > 0 &&
        c->visited_detail.step == live)
        snap->last_step = c->visited_detail; /* a visit restored this point's state */
    if (!c->scrubbing || !snap)
        return;
    snap->steps = c->latest_steps;
    snap->epochs = c->latest_epochs;
    const lf_step_detail *d = detail_of(c, live);
    if (d)
        snap->last_step = *d;
    else
        memset(&snap->last_step, 0, sizeof snap->last_step);
}

int rewind_points(const rewind_ctl *c, long live_step, long *steps, int capacity)
{
    int n = lf_rewind_steps(c->ring, steps, capacity);
    long latest = latest_step(c, live_step);
    if (n < capacity && (n == 0 || steps[n - 1] < latest))
        steps[n++] = latest;
    return n;
}

bool rewind_visit(rewind_ctl *c, lf_trainer *trainer, const int *indices, int count,
                  void (*visit)(void *user, int k, lf_trainer *trainer), void *user,
                  lf_error *err)
{
    int stored = lf_rewind_count(c->ring);
    bool moved = false, ok = true;
    for (int k = 0; k < count && ok; k++) {
        int i = indices[k];
        bool latest = i >= stored;
        if (latest && !c->scrubbing && !moved) {
            visit(user, k, trainer); /* the trainer is there already */
            continue;
        }
        if (!moved && !c->scrubbing) {
            /* Leaving the latest point: kept where a scrub keeps it, which
             * is free while none is shown. */
            if (lf_trainer_save_state(trainer, c->latest, err) != LF_OK)
                return false;
            lf_trainer_snapshot(trainer, &c->scratch, false);
            c->visited_detail = c->scratch.last_step;
        }
        moved = true;
        lf_status st = latest ? lf_trainer_restore_state(trainer, c->latest, err)
                              : lf_rewind_restore(c->ring, i, trainer, err);
        if (st == LF_OK)
            visit(user, k, trainer);
        ok = st == LF_OK;
    }
    if (moved) {
        /* Back to the point shown. Both states were restored before, so
         * this does not fail short of memory. */
        lf_status st = c->scrubbing ? lf_rewind_restore(c->ring, c->view, trainer, NULL)
                                    : lf_trainer_restore_state(trainer, c->latest, NULL);
        ok = ok && st == LF_OK;
        if (st != LF_OK)
            lf_fail(err, st, "the trainer could not be put back after the reel");
    }
    return ok;
}

double rewind_timeline_step(int track_x, int track_w, long latest, int x)
{
    if (track_w <= 1 || latest <= 0)
        return 0;
    double share = (double)(x - track_x) / (track_w - 1);
    share = share < 0 ? 0 : share > 1 ? 1 : share;
    return share * (double)latest;
}

int rewind_timeline_x(int track_x, int track_w, long latest, long step)
{
    if (track_w <= 1 || latest <= 0)
        return track_x;
    double share = (double)step / (double)latest;
    share = share < 0 ? 0 : share > 1 ? 1 : share;
    return track_x + (int)lround(share * (track_w - 1));
}

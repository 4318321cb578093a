/*
 * notice.c: acknowledgements, large notices and progress, in words
 * (notice.h).
 */
#include "notice.h"
#include "count_format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pace.h"

#define ELLIPSIS "\xe2\x80\xa6"
#define ARROW "\xe2\x86\x92"

/* A rate as the status line prints it: plain decimals, three significant
 * digits ("0.01", "0.0316", "3.16e-05" only when tiny). */
static void rate_text(char *out, size_t size, double lr)
{
    if (lr > 0 && lr < 1e-4)
        snprintf(out, size, "%.3g", lr);
    else {
        int decimals = lr > 0 ? 2 - (int)floor(log10(lr) + 1e-9) : 2;
        decimals = decimals < 0 ? 0 : decimals > 8 ? 8 : decimals;
        snprintf(out, size, "%.*f", decimals, lr);
        /* no trailing zeros: "0.0100" reads "0.01" */
        char *dot = strchr(out, '.');
        if (dot) {
            char *end = out + strlen(out) - 1;
            while (end > dot && *end == '0')
                *end-- = 0;
            if (end == dot)
                *end = 0;
        }
    }
}

static const char *catalog_name(int index)
{
    const lf_kernel_info *info = lf_kernel_catalog_get(index);
    return info ? info->name : NULL;
}

bool notice_for_request(const worker_req *req, const worker_frame *shown, char *out, size_t size)
{
    const lf_snapshot *s = shown ? &shown->snap : NULL;
    char a[32], b[32];
    switch (req->kind) {
    case WORKER_REQ_PAUSE_TOGGLE: {
        bool running = shown && (shown->state == WORKER_RUNNING ||
                                 (shown->state == WORKER_CONVERGED && shown->steps_per_second > 0));
        snprintf(out, size, running ? "Pausing" ELLIPSIS : "Training" ELLIPSIS);
        return true;
    }
    case WORKER_REQ_PAUSE:
        snprintf(out, size, req->value ? "Pausing" ELLIPSIS : "Training" ELLIPSIS);
        return true;
    case WORKER_REQ_STEP:
        if (req->value == WORKER_STEP_EPOCH)
            snprintf(out, size, "Training to the end of the epoch" ELLIPSIS);
        else if (req->value > 1)
            snprintf(out, size, "Taking %d steps" ELLIPSIS, req->value);
        else
            snprintf(out, size, "One step" ELLIPSIS);
        return true;
    case WORKER_REQ_RESET:
        snprintf(out, size, "Restarting at step 0 from the same weights" ELLIPSIS);
        return true;
    case WORKER_REQ_RESEED:
        snprintf(out, size, "Restarting at step 0 with new weights (seed %llu)" ELLIPSIS,
                 s ? (unsigned long long)s->seed + 1 : 0ull);
        return true;
    case WORKER_REQ_KERNEL:
    case WORKER_REQ_KERNEL_NEXT: {
        int index = req->value;
        if (req->kind == WORKER_REQ_KERNEL_NEXT) {
            /* As the worker picks it. */
            int n = lf_kernel_catalog_count(), at = shown ? shown->kernel_index : -1;
            int from = at >= 0 ? at : (req->value > 0 ? -1 : 0);
            index = n > 0 ? ((from + req->value) % n + n) % n : -1;
        }
        const char *name = catalog_name(index);
        if (!name)
            return false;
        snprintf(out, size, "Switching to %s" ELLIPSIS, name);
        return true;
    }
    case WORKER_REQ_LR_SCALE:
        if (!s)
            return false;
        rate_text(a, sizeof a, s->settings.learning_rate);
        rate_text(b, sizeof b, fmin(fmax(s->settings.learning_rate * req->factor, 1e-7), 1e3));
        snprintf(out, size, "Learning rate %s " ARROW " %s" ELLIPSIS, a, b);
        return true;
    case WORKER_REQ_OPTIMIZER:
        snprintf(out, size, "Switching to %s" ELLIPSIS,
                 s && s->settings.optimizer == LF_OPTIMIZER_SGD ? "Adam" : "SGD");
        return true;
    case WORKER_REQ_SPEED: {
        double next = pace_next(shown ? shown->speed : 0, req->value);
        if (next > 0) {
            snprintf(a, sizeof a, "%.0f", next);
            snprintf(out, size, "Speed: %s steps/s" ELLIPSIS, a);
        } else {
            snprintf(out, size, "Speed: as fast as possible" ELLIPSIS);
        }
        return true;
    }
    case WORKER_REQ_SAMPLE_NEXT:
        snprintf(out, size, req->value > 0 ? "Next sample patch" ELLIPSIS
                                           : "Previous sample patch" ELLIPSIS);
        return true;
    case WORKER_REQ_TARGET:
        snprintf(out, size, "Learning %s" ELLIPSIS, req->path);
        return true;
    case WORKER_REQ_SET_WEIGHT:
        snprintf(out, size, "Weight set to %.3g: training goes on" ELLIPSIS, (double)req->factor);
        return true;
    case WORKER_REQ_SET_TRUE_WEIGHT:
        snprintf(out, size, "True kernel cell set to %.3g: learning the custom kernel" ELLIPSIS,
                 (double)req->factor);
        return true;
    case WORKER_REQ_SAMPLE:
        snprintf(out, size, "Showing patch %d" ELLIPSIS, req->value + 1);
        return true;
    case WORKER_REQ_LOAD:
    case WORKER_REQ_REWIND:      /* the timeline shows where it went */
    case WORKER_REQ_REWIND_MOVE:
    case WORKER_REQ_REEL:        /* the reel says how it goes itself */
    case WORKER_REQ_QUIT:
        return false;
    }
    return false;
}

static void start_notice(notice_tracker *n, const char *text)
{
    snprintf(n->text, sizeof n->text, "%s", text);
    n->frames_left = NOTICE_FRAMES;
}

void notice_observe(notice_tracker *n, const worker_frame *f)
{
    const lf_snapshot *s = &f->snap;
    bool same_run_kind = n->seen && !strcmp(n->kernel, s->target.name) &&
                         n->optimizer == (int)s->settings.optimizer;
    char a[32], b[32], text[NOTICE_TEXT_MAX];
    if (same_run_kind && n->state == WORKER_DIVERGED && f->state != WORKER_DIVERGED &&
        f->generation != n->generation) {
        /* A divergence ended by a restart: a new rate, or R back to the
         * starting one. */
        rate_text(a, sizeof a, s->settings.learning_rate);
        snprintf(text, sizeof text, "Diverged: restarted at step 0 with lr %s", a);
        start_notice(n, text);
    } else if (same_run_kind && n->learning_rate != s->settings.learning_rate) {
        rate_text(a, sizeof a, n->learning_rate);
        rate_text(b, sizeof b, s->settings.learning_rate);
        snprintf(text, sizeof text, "Learning rate %s " ARROW " %s", a, b);
        start_notice(n, text);
    }
    if (n->seen && f->rewind.branch_serial != n->branch_serial) {
        /* Training on from a past point: what went is said plainly. */
        const rewind_view *r = &f->rewind;
        char at[32], steps[32];
        count_format(at, sizeof at, r->branch_step);
        count_format(steps, sizeof steps, r->branch_dropped_steps);
        snprintf(text, sizeof text,
                 "Branched at step %s: the %s later steps (%d saved state%s) and their loss "
                 "history dropped",
                 at, steps, r->branch_dropped_states, r->branch_dropped_states == 1 ? "" : "s");
        start_notice(n, text);
    }
    n->branch_serial = f->rewind.branch_serial;
    bool building = f->state == WORKER_RUNNING && s->stats_total > 0 &&
                    s->stats_built < s->stats_total;
    n->building_frames = building ? n->building_frames + 1 : 0;
    n->seen = true;
    n->generation = f->generation;
    n->state = f->state;
    n->learning_rate = s->settings.learning_rate;
    n->optimizer = (int)s->settings.optimizer;
    snprintf(n->kernel, sizeof n->kernel, "%s", s->target.name);
}

void notice_tick(notice_tracker *n)
{
    if (n->frames_left > 0)
        n->frames_left--;
}

const char *notice_current(const notice_tracker *n, float *alpha)
{
    if (n->frames_left <= 0)
        return NULL;
    *alpha = n->frames_left >= NOTICE_FADE_FRAMES ? 1.0f
                                                  : (float)n->frames_left / NOTICE_FADE_FRAMES;
    return n->text;
}

bool notice_progress(const notice_tracker *n, const worker_frame *f, char *out, size_t size)
{
    const lf_snapshot *s = &f->snap;
    if (n->building_frames < NOTICE_PROGRESS_FRAMES || s->stats_built >= s->stats_total)
        return false;
    snprintf(out, size, "Building statistics %d/%d", s->stats_built, s->stats_total);
    return true;
}

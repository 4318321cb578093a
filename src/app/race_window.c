/*
 * race_window.c: a race in the window: the second worker, what acts on
 * both, and who is ahead. See race_window.h.
 */
#include "race_window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "race.h"
#include "count_format.h"
#include "window.h"

void race_window_init(race_window *rw, const app_setup *setup, const cli_options *options,
                      app_clock clock)
{
    memset(rw, 0, sizeof *rw);
    rw->cli = options;
    rw->clock = clock;
    lf_error err;
    rw->has_patches = race_dataset_copy(&rw->patches, &setup->dataset, &err) == LF_OK;
}

void race_window_end(race_window *rw)
{
    worker_destroy(rw->second);
    rw->second = NULL;
}

void race_window_deinit(race_window *rw)
{
    race_window_end(rw);
    if (rw->has_patches)
        lf_dataset_deinit(&rw->patches);
    rw->has_patches = false;
}

/* The first run's settings as command-line options, so the race's options
 * go on top of them as they do headless. */
static cli_options current_options(const cli_options *base, const worker_frame *f)
{
    cli_options o = *base;
    const lf_train_settings *s = &f->snap.settings;
    o.optimizer = (int)s->optimizer;
    o.lr = s->learning_rate;
    o.momentum = s->momentum;
    o.nesterov = s->nesterov;
    o.batch = s->batch_size;
    o.seed = f->snap.seed;
    o.padding = f->snap.padding;
    o.tol = f->tolerance;
    o.race = NULL;
    return o;
}

/* What b has that a has not, short enough for a legend: with another
 * optimizer, its name and rate ("Adam lr 0.001"). */
static void short_label(const lf_train_settings *a, lf_engine ea, const lf_train_settings *b,
                        lf_engine eb, char *out, size_t size)
{
    race_describe(a, ea, b, eb, out, size);
    char *more = a->optimizer != b->optimizer ? strstr(out, " momentum") : NULL;
    if (more)
        *more = 0;
}

bool race_window_start(race_window *rw, worker *first, const worker_frame *f, char *message,
                       size_t size)
{
    race_window_end(rw);
    if (!f)
        f = worker_acquire_frame(first, NULL);
    if (!rw->has_patches || f->snap.learning_operation ||
        f->snap.patch_count != rw->patches.patch_count ||
        f->snap.train_count != rw->patches.train_count ||
        f->file_count != rw->patches.file_count) {
        snprintf(message, size, "%s",
                 f->snap.learning_operation
                     ? "C races a kernel, not an operation: choose a kernel first"
                     : "C races on the photographs the window opened with: drop no folder "
                       "before a race");
        return false;
    }
    cli_options cur = current_options(rw->cli, f), second;
    lf_error err;
    if (rw->cli->race) {
        if (race_options(&cur, rw->cli->race, &second, &err) != LF_OK) {
            snprintf(message, size, "%s", err.message);
            return false;
        }
    } else {
        /* The other optimizer with its usual settings; the batch stays. */
        second = cur;
        second.optimizer = f->snap.settings.optimizer == LF_OPTIMIZER_ADAM ? LF_OPTIMIZER_SGD
                                                                           : LF_OPTIMIZER_ADAM;
        second.lr = 0;
        second.momentum = -1;
        second.nesterov = -1;
    }
    app_setup s;
    memset(&s, 0, sizeof s);
    s.best_rel_err_to_kernel = NAN;
    s.kernel = f->snap.target;
    s.layer = (lf_layer_options){.channels = 1, .filters = 1, .stride = 1, .pool = 1};
    if (race_dataset_copy(&s.dataset, &rw->patches, &err) != LF_OK ||
        app_setup_trainer(&s, &second, &err) != LF_OK) {
        lf_dataset_deinit(&s.dataset);
        snprintf(message, size, "race: %s", err.message);
        return false;
    }
    const lf_train_settings *a = &f->snap.settings;
    const lf_train_settings *b = &lf_trainer_get_options(s.trainer)->settings;
    lf_engine ea = f->snap.engine, eb = lf_trainer_engine(s.trainer);
    worker_options wopt = {.start_paused = f->state != WORKER_RUNNING,
                           .speed = f->speed > 0 ? f->speed : -1,
                           .cli = rw->cli,
                           .clock = rw->clock};
    rw->second = worker_create(&s, &wopt, &err);
    if (!rw->second) {
        app_setup_destroy(&s);
        snprintf(message, size, "race: %s", err.message);
        return false;
    }
    worker_request(first, &(worker_req){.kind = WORKER_REQ_RESET});
    if (f->state == WORKER_CONVERGED) /* stopped at the tolerance: both start paused */
        worker_request(first, &(worker_req){.kind = WORKER_REQ_PAUSE, .value = 1});
    short_label(b, eb, a, ea, rw->first_label, sizeof rw->first_label);
    short_label(a, ea, b, eb, rw->second_label, sizeof rw->second_label);
    if (!strcmp(rw->first_label, "nothing")) {
        snprintf(rw->first_label, sizeof rw->first_label, "first");
        snprintf(rw->second_label, sizeof rw->second_label, "second");
    }
    rw->started++;
    snprintf(message, size, "Race: %s", rw->second_label); /* the rest is on screen */
    return true;
}

bool race_window_forward(race_window *rw, const worker_req *req, const worker_frame *shown,
                         char *message, size_t size)
{
    if (!rw->second)
        return false;
    worker_req copy = *req;
    switch (req->kind) {
    case WORKER_REQ_PAUSE_TOGGLE:
        /* Both end in the state the first goes to, even when the second
         * had stopped at the tolerance on its own. */
        copy.kind = WORKER_REQ_PAUSE;
        copy.value = shown && shown->state == WORKER_RUNNING ? 1 : 0;
        worker_request(rw->second, &copy);
        return false;
    case WORKER_REQ_PAUSE:
    case WORKER_REQ_STEP:
    case WORKER_REQ_RESET:
    case WORKER_REQ_SPEED:
    case WORKER_REQ_SAMPLE_NEXT:
    case WORKER_REQ_SAMPLE:
        worker_request(rw->second, &copy);
        return false;
    default:
        race_window_end(rw);
        snprintf(message, size, "Race ended: the first run changed (C starts another)");
        return true;
    }
}

const worker_frame *race_window_frame(race_window *rw, bool *is_new)
{
    if (!rw->second) {
        if (is_new)
            *is_new = false;
        return NULL;
    }
    return worker_acquire_frame(rw->second, is_new);
}

const worker_frame *race_window_view(race_window *rw, const worker_frame *first, bool *changed,
                                     char *lead, size_t size)
{
    bool is_new = false;
    const worker_frame *second = race_window_frame(rw, &is_new);
    lead[0] = 0;
    if (second)
        race_window_lead(rw, first, second, lead, size);
    if (is_new)
        *changed = true;
    return second;
}

void race_window_report(race_window *rw, struct window_report *report,
                        const worker_frame *first)
{
    if (!report)
        return;
    report->races_started = rw->started;
    const worker_frame *second = race_window_frame(rw, NULL);
    if (!second)
        return;
    report->race_step = second->snap.figures.step;
    report->race_rel_err = second->snap.figures.rel_err;
    report->race_first_step = first->snap.figures.step;
    report->race_first_rel_err = first->snap.figures.rel_err;
}

void race_window_settle(race_window *rw)
{
    if (rw->second)
        worker_settle(rw->second);
}

void race_window_lead(const race_window *rw, const worker_frame *first,
                      const worker_frame *second, char *out, size_t size)
{
    const lf_figures *a = &first->snap.figures, *b = &second->snap.figures;
    const char *na = rw->first_label, *nb = rw->second_label;
    char ea[32], eb[32], tol[32];
    snprintf(ea, sizeof ea, "%.3g", 100.0 * a->rel_err);
    snprintf(eb, sizeof eb, "%.3g", 100.0 * b->rel_err);
    snprintf(tol, sizeof tol, "%g%%", 100.0 * first->tolerance);
    long ca = a->converged_step, cb = b->converged_step;
    if (ca >= 0 || cb >= 0) {
        bool first_won = ca >= 0 && (cb < 0 || ca < cb);
        long won = first_won ? ca : cb, lost = first_won ? cb : ca;
        char won_text[32], lead_text[32];
        count_format(won_text, sizeof won_text, won);
        count_format(lead_text, sizeof lead_text, lost - won);
        if (ca >= 0 && ca == cb)
            snprintf(out, size, "Tie: both reached %s at step %s", tol, won_text);
        else if (lost >= 0)
            snprintf(out, size, "%s reached %s first: step %s, %s steps before %s",
                     first_won ? na : nb, tol, won_text, lead_text, first_won ? nb : na);
        else
            snprintf(out, size, "%s reached %s first, at step %s; %s is at %s%%",
                     first_won ? na : nb, tol, won_text, first_won ? nb : na,
                     first_won ? eb : ea);
        return;
    }
    if (!(a->rel_err != b->rel_err) || !isfinite(a->rel_err) || !isfinite(b->rel_err)) {
        snprintf(out, size, "Level: kernel error %s%% each", ea);
        return;
    }
    bool first_ahead = a->rel_err < b->rel_err;
    double ratio = first_ahead ? b->rel_err / a->rel_err : a->rel_err / b->rel_err;
    snprintf(out, size, "%s is ahead: kernel error %s%% vs %s%% (%.1f\xc3\x97 lower)",
             first_ahead ? na : nb, first_ahead ? ea : eb, first_ahead ? eb : ea, ratio);
}

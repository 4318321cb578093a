/*
 * rewind_reel.c: a reel's points from the rewind ring. See rewind_reel.h.
 */
#include "rewind_reel.h"

#include <stdlib.h>
#include <string.h>

void rewind_reel_destroy(rewind_reel *r)
{
    if (!r)
        return;
    reel_history_deinit(&r->history);
    lf_snapshot_deinit(&r->sample);
    free(r);
}

typedef struct visit_ctx {
    rewind_reel *r;
    int last;                   /* the visit that takes the sample */
} visit_ctx;

static void take_point(void *user, int k, lf_trainer *trainer)
{
    visit_ctx *v = user;
    reel_history_observe_trainer(&v->r->history, trainer, true);
    if (k == v->last)
        lf_trainer_snapshot(trainer, &v->r->sample, true);
}

rewind_reel *rewind_reel_collect(rewind_ctl *c, lf_trainer *trainer, int format)
{
    rewind_reel *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->format = format;
    r->tolerance = lf_trainer_get_options(trainer)->tolerance;
    r->file_count = lf_trainer_dataset(trainer)->file_count;
    const lf_trainer_options *o = lf_trainer_get_options(trainer);
    long live = lf_trainer_figures(trainer)->step;
    r->held_count = rewind_points(c, live, r->held, LF_REWIND_SLOTS + 1);
    long latest = r->held_count > 0 ? r->held[r->held_count - 1] : 0;
    if (!lf_layer_options_plain(&o->layer)) {
        r->status = lf_fail(&r->err, LF_ERR_ARGUMENT,
                            "a reel shows one gray filter at stride 1: record a layer with G");
        return r;
    }
    if (r->held_count < 1 || latest < 1) {
        r->status = lf_fail(&r->err, LF_ERR_ARGUMENT, "no reel yet: nothing trained to show");
        return r;
    }
    r->wanted_count = reel_schedule_steps(r->held[0], latest, r->wanted, REEL_FRAMES);
    int chosen[REEL_FRAMES];
    int n = reel_choose_held(r->held, r->held_count, r->wanted, r->wanted_count, chosen,
                             REEL_FRAMES);
    r->status = reel_history_init(&r->history, o->target.height, o->target.width, &r->err);
    if (r->status == LF_OK)
        r->status = lf_snapshot_init(&r->sample, lf_trainer_dataset(trainer)->patch_size, &r->err);
    if (r->status != LF_OK)
        return r;
    visit_ctx v = {.r = r, .last = n - 1};
    if (!rewind_visit(c, trainer, chosen, n, take_point, &v, &r->err))
        r->status = r->err.status;
    else if (r->history.count != n || !r->sample.has_images)
        r->status = lf_fail(&r->err, LF_ERR_ARGUMENT, "the reel's points could not be taken");
    return r;
}

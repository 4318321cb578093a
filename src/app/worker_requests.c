/*
 * worker_requests.c: each request the window sends, carried out on the
 * worker thread between steps. See worker.h for what each kind means and
 * worker_internal.h for what the worker's files share.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel_edit.h"
#include "learnfilter/image.h"
#include "learnfilter/state.h"
#include "rewind_reel.h"
#include "worker_internal.h"

static bool is_folder(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static bool has_extension(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    if (n < e)
        return false;
    for (size_t i = 0; i < e; i++) {
        char c = path[n - e + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return false;
    }
    return true;
}

static bool use_kernel(worker *w, const lf_kernel *k, int catalog_index)
{
    lf_error err;
    if (lf_trainer_set_kernel(w->trainer, k, NULL, &err) != LF_OK) {
        worker_set_message(w, true, "%s", err.message);
        return false;
    }
    w->kernel_index = catalog_index;
    w->speed = pace_for_steps(pace_expected_steps(catalog_index));
    w->start_rate = lf_trainer_get_options(w->trainer)->settings.learning_rate;
    w->generation++;
    worker_refresh_strip(w, true);
    return true;
}

static void use_catalog_kernel(worker *w, int index)
{
    const lf_kernel_info *info = lf_kernel_catalog_get(index);
    if (!info)
        return;
    lf_kernel k;
    lf_error err;
    if (lf_kernel_from_name(&k, info->name, lf_trainer_get_options(w->trainer)->seed, &err) !=
        LF_OK) {
        worker_set_message(w, true, "%s", err.message);
        return;
    }
    use_kernel(w, &k, index);
}

/* An operation to learn (explore's "learn this"): the layer's kernel of
 * its window, against its best linear filter. */
static void use_target(worker *w, const char *spec)
{
    lf_target *target = malloc(sizeof *target); /* holds a kernel: not on the stack */
    lf_error err;
    if (!target) {
        worker_set_message(w, true, "out of memory for the operation %s", spec);
        return;
    }
    if (lf_target_parse(target, spec, lf_trainer_get_options(w->trainer)->seed, &err) != LF_OK ||
        lf_trainer_set_target(w->trainer, target, &err) != LF_OK) {
        worker_set_message(w, true, "%s", err.message);
    } else {
        w->kernel_index = -1;
        w->speed = pace_for_steps(pace_expected_steps(-1));
        w->start_rate = lf_trainer_get_options(w->trainer)->settings.learning_rate;
        w->generation++;
        worker_refresh_strip(w, true);
        worker_set_message(w, false, "learning %s: the best a linear filter can do is the floor", spec);
    }
    free(target);
}

/* A dropped path becomes the training images (a folder, a JPEG, a PNG larger
 * than any kernel) or the target (a .npy, text matrix or small PNG). The new
 * data is loaded beside the old, and the old is only let go once the new is
 * in use, so a file that fails leaves training exactly as it was. */
static void load_path(worker *w, const char *path)
{
    lf_error err;
    bool as_images = is_folder(path) || has_extension(path, ".jpg") ||
                     has_extension(path, ".jpeg");
    if (!as_images && has_extension(path, ".png")) {
        lf_image probe;
        if (lf_image_load(&probe, path, &err) != LF_OK) {
            worker_set_message(w, true, "%s", err.message);
            return;
        }
        as_images = probe.width > LF_KERNEL_MAX_SIDE || probe.height > LF_KERNEL_MAX_SIDE;
        lf_image_deinit(&probe);
    }
    if (!as_images) {
        lf_kernel k;
        if (lf_kernel_load(&k, path, &err) != LF_OK) {
            worker_set_message(w, true, "%s", err.message);
            return;
        }
        if (use_kernel(w, &k, -1))
            worker_set_message(w, false, "learning the kernel in %s (%dx%d)", base_name(path), k.height,
                        k.width);
        return;
    }

    w->loading = true;
    worker_publish_frame(w); /* show "loading" while the files are read */
    int spare = 1 - w->active_dataset;
    lf_dataset_options d = app_dataset_options(w->cli);
    const char *paths[1] = {path};
    d.paths = paths;
    d.path_count = 1;
    d.patch_size = w->datasets[w->active_dataset].patch_size; /* the snapshots are sized for it */
    lf_status st = lf_dataset_load(&w->datasets[spare], &d, &err);
    if (st == LF_OK) {
        st = lf_trainer_set_dataset(w->trainer, &w->datasets[spare], &err);
        if (st != LF_OK)
            lf_dataset_deinit(&w->datasets[spare]);
    }
    w->loading = false;
    if (st != LF_OK) {
        worker_set_message(w, true, "%s", err.message);
        return;
    }
    lf_dataset_deinit(&w->datasets[w->active_dataset]);
    w->active_dataset = spare;
    w->generation++;
    worker_refresh_strip(w, true);
    const lf_dataset *ds = &w->datasets[spare];
    worker_set_message(w, false, "training on %s: %d photo%s, %d patches", base_name(path),
                ds->file_count, ds->file_count == 1 ? "" : "s", ds->patch_count);
}

/* Training on from a past point starts a branch there (rewind.h). */
static void branch_here(worker *w)
{
    worker_keep_state(w);
    rewind_branch(w->rewind, w->trainer);
}

/* J, L, End and the timeline: the trainer goes to a stored state. Moving
 * away from the latest point pauses training there. */
static void rewind_to(worker *w, const worker_req *r)
{
    worker_keep_state(w);
    long live = lf_trainer_figures(w->trainer)->step;
    int index = r->kind == WORKER_REQ_REWIND ? rewind_index_near(w->rewind, live, r->factor)
                                             : rewind_index_moved(w->rewind, live, r->value);
    lf_error err;
    if (rewind_count(w->rewind) == 0 && !rewind_scrubbing(w->rewind)) {
        /* Nothing stored: the trainer's state cannot be saved (a layer, for
         * now). Say why rather than do nothing. */
        lf_state *probe = lf_state_create();
        if (probe && lf_trainer_save_state(w->trainer, probe, &err) != LF_OK)
            worker_set_message(w, true, "rewind is off: %s", err.message);
        lf_state_destroy(probe);
        return;
    }
    if (!rewind_scrubbing(w->rewind) && index >= rewind_count(w->rewind))
        return; /* at the latest point already */
    worker_set_paused(w, true);
    if (!rewind_show(w->rewind, w->trainer, index, &err))
        worker_set_message(w, true, "%s", err.message);
}

/* Carries out one request. Returns true when what the window shows changed
 * in a way it should see at once (not at the next periodic publication). */
bool worker_handle_request(worker *w, const worker_req *r)
{
    lf_trainer *t = w->trainer;
    lf_error err;
    switch (r->kind) {
    case WORKER_REQ_PAUSE_TOGGLE:
        if (w->paused)
            branch_here(w);
        worker_set_paused(w, !w->paused);
        return true;
    case WORKER_REQ_PAUSE:
        if (r->value == 0)
            branch_here(w);
        worker_set_paused(w, r->value != 0);
        return true;
    case WORKER_REQ_STEP: {
        branch_here(w);
        worker_sync_tolerance(w);
        w->paused = true;
        const lf_figures *fig = lf_trainer_figures(t);
        long count = r->value == WORKER_STEP_EPOCH ? fig->steps_per_epoch - fig->step_in_epoch
                                                   : r->value;
        count = count < 1 ? 1 : count > WORKER_STEP_MAX ? WORKER_STEP_MAX : count;
        for (long i = 0; i < count && !fig->diverged; i++) {
            if (lf_trainer_step(t, &err) != LF_OK) {
                worker_set_message(w, true, "diverged: lower the learning rate (Down) or reset (R)");
                break;
            }
            atomic_fetch_add(&w->total_steps, 1);
            worker_keep_state(w);
            if (worker_stop_at_tolerance(w))
                break; /* a bigger step stops at the tolerance too */
        }
        return true;
    }
    case WORKER_REQ_RESET:
        if (lf_trainer_figures(t)->diverged) {
            /* The same weights at the same rate would only diverge again:
             * after a divergence R also restores the rate training began
             * with. */
            lf_trainer_set_learning_rate(t, w->start_rate, NULL);
            worker_set_message(w, false, "reset, learning rate back to %g", (double)w->start_rate);
        }
        lf_trainer_reset(t);
        w->generation++;
        return true;
    case WORKER_REQ_RESEED:
        lf_trainer_reseed(t, lf_trainer_get_options(t)->seed + 1);
        w->generation++;
        return true;
    case WORKER_REQ_KERNEL:
        use_catalog_kernel(w, r->value);
        return true;
    case WORKER_REQ_KERNEL_NEXT: {
        int n = lf_kernel_catalog_count();
        int from = w->kernel_index >= 0 ? w->kernel_index : (r->value > 0 ? -1 : 0);
        use_catalog_kernel(w, ((from + r->value) % n + n) % n);
        return true;
    }
    case WORKER_REQ_LR_SCALE: {
        branch_here(w);
        bool was_diverged = lf_trainer_figures(t)->diverged;
        double lr = lf_trainer_get_options(t)->settings.learning_rate * r->factor;
        lr = fmin(fmax(lr, 1e-7), 1e3);
        if (lf_trainer_set_learning_rate(t, (float)lr, &err) != LF_OK)
            worker_set_message(w, true, "%s", err.message);
        else if (was_diverged)
            w->generation++;
        return true;
    }
    case WORKER_REQ_OPTIMIZER: {
        branch_here(w);
        lf_optimizer_kind k = lf_trainer_get_options(t)->settings.optimizer;
        lf_trainer_set_optimizer(t, k == LF_OPTIMIZER_SGD ? LF_OPTIMIZER_ADAM : LF_OPTIMIZER_SGD);
        w->start_rate = lf_trainer_get_options(t)->settings.learning_rate;
        return true;
    }
    case WORKER_REQ_SPEED:
        w->speed = pace_next(w->speed, r->value);
        return true;
    case WORKER_REQ_SAMPLE_NEXT:
        lf_trainer_set_sample_patch(t, lf_trainer_get_options(t)->sample_patch + r->value);
        return true;
    case WORKER_REQ_LOAD:
        load_path(w, r->path);
        return true;
    case WORKER_REQ_TARGET:
        use_target(w, r->path);
        return true;
    case WORKER_REQ_SET_WEIGHT:
        branch_here(w);
        if (lf_trainer_set_weight(t, r->value, (float)r->factor, &err) != LF_OK)
            worker_set_message(w, true, "%s", err.message);
        return true;
    case WORKER_REQ_SET_TRUE_WEIGHT: /* the kernel becomes "custom" (kernel_edit.h) */
        if (kernel_edit_apply_true(t, r->value, r->factor, &err) != LF_OK) {
            worker_set_message(w, true, "%s", err.message);
        } else {
            w->kernel_index = -1;
            w->speed = pace_for_steps(pace_expected_steps(-1));
            w->generation++;
            worker_refresh_strip(w, false);
            worker_set_message(w, false, "custom kernel: learning it from the start");
        }
        return true;
    case WORKER_REQ_SAMPLE:
        lf_trainer_set_sample_patch(t, r->value);
        return true;
    case WORKER_REQ_REWIND:
    case WORKER_REQ_REWIND_MOVE:
        rewind_to(w, r);
        return true;
    case WORKER_REQ_REEL: {
        worker_keep_state(w);
        rewind_reel *reel = rewind_reel_collect(w->rewind, t, r->value);
        if (reel)
            reel->generation = w->generation;
        else
            worker_set_message(w, true, "out of memory for a reel");
        /* One not taken yet is older than this one: it goes. */
        rewind_reel_destroy(atomic_exchange(&w->reel_out, reel));
        return false;
    }
    case WORKER_REQ_QUIT:
        atomic_store(&w->quit, true);
        return false;
    }
    return false;
}

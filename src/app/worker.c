/*
 * worker.c: the training thread and its hand-over to the window.
 * See worker.h for the contract.
 *
 * Only this thread touches the trainer and the datasets after
 * worker_create returns. The main thread's only ways in are the request
 * queue (a mutex held for one copy) and the two triple buffers (one atomic
 * exchange each way), so a long step never holds anything the window waits
 * on, and a slow frame never holds up a step.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rewind_reel.h"
#include "samples.h"
#include "worker_internal.h"

const char *worker_state_name(worker_state state)
{
    switch (state) {
    case WORKER_RUNNING: return "running";
    case WORKER_PAUSED: return "paused";
    case WORKER_CONVERGED: return "converged";
    case WORKER_DIVERGED: return "diverged";
    case WORKER_LOADING: return "loading";
    }
    return "?";
}

/* ====================================================== triple buffer */

static void triple_init(triple *t)
{
    t->back = 0;
    atomic_init(&t->middle, 1u);
    t->front = 2;
}

static void triple_publish(triple *t)
{
    t->back = atomic_exchange_explicit(&t->middle, t->back | TRIPLE_NEW, memory_order_acq_rel) &
              3u;
}

static bool triple_acquire(triple *t)
{
    if (!(atomic_load_explicit(&t->middle, memory_order_acquire) & TRIPLE_NEW))
        return false;
    t->front = atomic_exchange_explicit(&t->middle, t->front, memory_order_acq_rel) & 3u;
    return true;
}

/* ============================================================= worker */

double worker_now(const worker *w) { return app_clock_seconds(&w->clock); }

void worker_set_message(worker *w, bool is_error, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(w->message, sizeof w->message, format, args);
    va_end(args);
    w->message_is_error = is_error;
    w->message_serial++;
}

static worker_state current_state(const worker *w)
{
    const lf_figures *f = lf_trainer_figures(w->trainer);
    if (w->loading)
        return WORKER_LOADING;
    if (f->diverged)
        return WORKER_DIVERGED;
    if (w->paused)
        return w->stopped_at_tolerance ? WORKER_CONVERGED : WORKER_PAUSED;
    return f->converged ? WORKER_CONVERGED : WORKER_RUNNING;
}

/* A restart (reset, reseed, a new kernel or new data: a new generation)
 * forgets a stop at the tolerance, and resumes training if that stop was
 * what paused it. */
void worker_sync_tolerance(worker *w)
{
    if (w->tolerance_generation == w->generation)
        return;
    w->tolerance_generation = w->generation;
    if (w->stopped_at_tolerance)
        w->paused = false;
    w->stopped_at_tolerance = w->train_past_tolerance = false;
}

/* The first time the kernel is within the tolerance, training stops there,
 * so a class sees the moment rather than a counter racing on. Returns true
 * when it stopped now. */
bool worker_stop_at_tolerance(worker *w)
{
    worker_sync_tolerance(w);
    if (w->train_past_tolerance || w->stopped_at_tolerance ||
        !lf_trainer_figures(w->trainer)->converged)
        return false;
    w->paused = true;
    w->stopped_at_tolerance = true;
    return true;
}

/* Space or a resume request: after a stop at the tolerance, trains on past
 * it without stopping again until a restart. */
void worker_set_paused(worker *w, bool paused)
{
    worker_sync_tolerance(w);
    if (!paused && w->stopped_at_tolerance) {
        w->stopped_at_tolerance = false;
        w->train_past_tolerance = true;
    }
    w->paused = paused;
}

void worker_keep_state(worker *w)
{
    if (w->rewind_generation != w->generation) {
        w->rewind_generation = w->generation;
        rewind_restart(w->rewind, w->trainer);
        return;
    }
    rewind_stepped(w->rewind, w->trainer);
}

void worker_publish_frame(worker *w)
{
    worker_sync_tolerance(w);
    worker_keep_state(w);
    worker_frame *f = &w->frames[w->frame_buffers.back];
    lf_trainer_snapshot(w->trainer, &f->snap, false);
    rewind_fill(w->rewind, w->trainer, &f->rewind, &f->snap);
    worker_layer_fill_frame(w, &f->layer);
    f->state = current_state(w);
    f->steps_per_second = !w->paused && (f->state == WORKER_RUNNING ||
                                         f->state == WORKER_CONVERGED) ? w->rate : 0;
    f->speed = w->speed;
    f->expected_steps = pace_expected_steps(w->kernel_index);
    f->tolerance = lf_trainer_get_options(w->trainer)->tolerance;
    f->trains_past_tolerance = w->train_past_tolerance;
    f->kernel_index = w->kernel_index;
    f->file_count = w->datasets[w->active_dataset].file_count;
    f->generation = w->generation;
    f->serial = ++w->frame_serial;
    f->message_serial = w->message_serial;
    f->requests_taken = atomic_load(&w->taken);
    f->message_is_error = w->message_is_error;
    memcpy(f->message, w->message, sizeof f->message);
    triple_publish(&w->frame_buffers);
    atomic_store(&w->published_taken, f->requests_taken);
}

/* Returns the seconds it took, which bounds how often it may run. */
static double publish_images(worker *w)
{
    double start = worker_now(w);
    worker_images *im = &w->images[w->image_buffers.back];
    lf_trainer_snapshot(w->trainer, &im->snap, true);
    worker_layer_fill_images(w, &im->layer);
    if (im->strip.serial != w->strip.serial)
        im->strip = w->strip;
    im->generation = w->generation;
    im->serial = ++w->image_serial;
    triple_publish(&w->image_buffers);
    return worker_now(w) - start;
}

/* The strip of photos for the dataset and true kernel in use; with
 * show_best, the sample shown becomes the patch the filter responds to
 * most (a new kernel or photos; not a hand-edited cell). */
void worker_refresh_strip(worker *w, bool show_best)
{
    const lf_dataset *ds = &w->datasets[w->active_dataset];
    int files = 0;
    int best = samples_pick(ds, &lf_trainer_get_options(w->trainer)->target, w->strip.patch,
                            WORKER_STRIP_MAX, &files);
    w->strip.count = files;
    for (int i = 0; i < files; i++)
        if (w->strip.patch[i] >= 0)
            samples_thumbnail(ds, w->strip.patch[i],
                              w->strip.thumbs + i * WORKER_THUMB_SIDE * WORKER_THUMB_SIDE,
                              WORKER_THUMB_SIDE);
    w->strip.serial++;
    if (show_best)
        lf_trainer_set_sample_patch(w->trainer, best);
}

/* Takes every queued request. The lock is held only to copy each one out. */
static bool take_requests(worker *w)
{
    if (atomic_load_explicit(&w->pending, memory_order_acquire) == 0)
        return false;
    bool changed = false;
    worker_req r;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        if (w->queue_count == 0) {
            pthread_mutex_unlock(&w->lock);
            break;
        }
        r = w->queue[w->queue_head];
        w->queue_head = (w->queue_head + 1) % WORKER_QUEUE_SIZE;
        w->queue_count--;
        atomic_fetch_sub(&w->pending, 1);
        pthread_mutex_unlock(&w->lock);
        /* The soak test holds the queue to its promise: every request is
         * taken once, in the order it was queued. */
        unsigned long n = atomic_fetch_add(&w->taken, 1) + 1;
        if (r.seq != n)
            atomic_fetch_add(&w->misordered, 1);
        changed |= worker_handle_request(w, &r);
        if (atomic_load(&w->quit))
            break;
    }
    return changed;
}

/* Sleeps until the given time or the next request, whichever comes first:
 * paused or between slow steps the thread uses no CPU. */
static void wait_for_request(worker *w, double until)
{
    if (until - worker_now(w) <= 0)
        return;
    /* One nanosecond past the time, rounded up: once the clock reads that,
     * the caller's comparison in seconds sees the time reached, so a wait
     * never returns early into a loop. */
    int64_t until_ns = (int64_t)ceil(until * 1e9) + 1;
    pthread_mutex_lock(&w->lock);
    while (w->queue_count == 0 && !atomic_load(&w->quit)) {
        /* Idle as of now: each time it goes back to sleep, the clock may
         * have moved on (a simulated clock wakes it on every move). */
        atomic_store(&w->idle_since, app_clock_now(&w->clock));
        if (!app_clock_wait_until(&w->clock, &w->wake, &w->lock, until_ns))
            break;
    }
    atomic_store(&w->idle_since, -1);
    pthread_mutex_unlock(&w->lock);
    atomic_fetch_add_explicit(&w->wakes, 1, memory_order_relaxed);
}

/* ========================================================= the thread */

static void *worker_main(void *arg)
{
    worker *w = arg;
    lf_error err;
    double now = worker_now(w);
    double next_frame = now, next_image = now, next_step = now;
    double rate_start = now, last_tick = now;
    long rate_steps = 0;
    int burst = 1; /* steps between looks at the clock, at full speed */
    while (!atomic_load(&w->quit)) {
        bool changed = take_requests(w);
        if (atomic_load(&w->quit))
            break;
        worker_sync_tolerance(w);
        const lf_figures *fig = lf_trainer_figures(w->trainer);
        bool training = !w->paused && !fig->diverged;
        atomic_store_explicit(&w->unpaced, training && !(w->speed > 0), memory_order_relaxed);
        if (training) {
            double limit = w->speed;
            if (limit > 0) {
                now = worker_now(w);
                if (now < next_step && !changed) {
                    /* A publication that fell due first goes out now: waiting
                     * "until" a time already past would return at once and
                     * spin until the step is due. */
                    if (now >= next_frame) {
                        worker_publish_frame(w);
                        next_frame = now + 1.0 / WORKER_FRAME_HZ;
                    }
                    wait_for_request(w, fmin(next_step, next_frame));
                    continue;
                }
                /* After a long stall, start counting afresh rather than
                 * racing to catch up. */
                next_step = fmax(next_step, now - 0.05) + 1.0 / limit;
            }
            /* At full speed, steps go in bursts: a 3x3 step takes well under
             * a microsecond, so reading the clock and the request counter
             * after every one would cost a quarter of the training. A burst
             * grows while it lasts under half a millisecond and shrinks past
             * two, and ends at once when a request arrives. */
            int count = limit > 0 ? 1 : burst;
            int done = 0;
            bool ok = true;
            while (done < count) {
                if (lf_trainer_step(w->trainer, &err) != LF_OK) {
                    ok = false;
                    break;
                }
                done++;
                worker_keep_state(w);
                if ((fig->converged && !w->train_past_tolerance) ||
                    atomic_load_explicit(&w->pending, memory_order_relaxed) != 0 ||
                    atomic_load_explicit(&w->quit, memory_order_relaxed))
                    break;
            }
            atomic_fetch_add_explicit(&w->total_steps, done, memory_order_relaxed);
            rate_steps += done;
            if (!ok) {
                /* Diverged: the trainer kept the last finite weights and
                 * stops; say what brings it back. */
                worker_set_message(w, true, "diverged: lower the learning rate (Down) or reset (R)");
                changed = true;
            }
            if (worker_stop_at_tolerance(w))
                changed = true;
            if (limit <= 0 && done == count) {
                double took = worker_now(w) - last_tick;
                if (took < 0.5e-3 && burst < 65536)
                    burst *= 2;
                else if (took > 2e-3 && burst > 1)
                    burst /= 2;
            }
        }
        now = worker_now(w);
        if (training)
            /* Nanoseconds, rounded: a small kernel's step takes well under a
             * microsecond, so microseconds truncated to zero every time. */
            atomic_fetch_add_explicit(&w->total_nanos, llround((now - last_tick) * 1e9),
                                      memory_order_relaxed);
        last_tick = now;
        if (!training) {
            rate_start = now;
            rate_steps = 0;
            /* A resume starts the pace afresh: no burst of the steps a
             * pause would have taken. */
            next_step = now;
        } else if (now - rate_start >= 0.5) {
            w->rate = rate_steps / (now - rate_start);
            rate_start = now;
            rate_steps = 0;
        }
        /* Images while training follow the clock; after a change they go out
         * at once, so a paused step or a reset shows its own images. */
        if (changed || (training && now >= next_image)) {
            double cost = publish_images(w);
            next_image = now + fmax(1.0 / WORKER_IMAGE_HZ, cost / WORKER_IMAGE_SHARE);
        }
        if (changed || now >= next_frame) {
            worker_publish_frame(w);
            next_frame = now + 1.0 / WORKER_FRAME_HZ;
        }
        if (!training && !changed)
            wait_for_request(w, now + 0.25);
    }
    atomic_store(&w->finished, true);
    return NULL;
}

/* ========================================================== lifecycle */

worker *worker_create(app_setup *setup, const worker_options *options, lf_error *err)
{
    worker *w = calloc(1, sizeof *w);
    if (!w) {
        lf_fail(err, LF_ERR_NOMEM, "out of memory for the worker");
        return NULL;
    }
    int side = setup->dataset.patch_size;
    for (int i = 0; i < 3; i++)
        if (lf_snapshot_init(&w->images[i].snap, side, err) != LF_OK) {
            for (int j = 0; j < i; j++)
                lf_snapshot_deinit(&w->images[j].snap);
            free(w);
            return NULL;
        }
    if (!(w->rewind = rewind_create())) {
        for (int i = 0; i < 3; i++)
            lf_snapshot_deinit(&w->images[i].snap);
        free(w);
        lf_fail(err, LF_ERR_NOMEM, "out of memory for the rewind ring");
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    app_clock_cond_init(&w->wake);
    w->clock = options->clock;
    atomic_init(&w->idle_since, -1);
    triple_init(&w->frame_buffers);
    triple_init(&w->image_buffers);

    /* Move the dataset into the worker, then point the trainer at its new
     * address (this restarts it, at step 0 anyway). */
    w->datasets[0] = setup->dataset;
    w->trainer = setup->trainer;
    if (lf_trainer_set_dataset(w->trainer, &w->datasets[0], err) != LF_OK) {
        /* Hand everything back untouched: setup still owns it. */
        lf_trainer_set_dataset(w->trainer, &setup->dataset, NULL);
        for (int i = 0; i < 3; i++)
            lf_snapshot_deinit(&w->images[i].snap);
        rewind_destroy(w->rewind);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return NULL;
    }
    memset(&setup->dataset, 0, sizeof setup->dataset);
    setup->trainer = NULL;
    lf_error layer_err; /* without room for a layer's maps, its kernels still show */
    if (worker_layer_create(w, &layer_err) != LF_OK)
        worker_set_message(w, true, "%s", layer_err.message);

    static const cli_options no_options; /* every field at its default */
    w->cli = options->cli ? options->cli : &no_options;
    w->paused = options->start_paused;
    w->kernel_index = lf_kernel_catalog_find(lf_trainer_get_options(w->trainer)->target.name);
    w->speed = options->speed > 0   ? fmin(options->speed, CLI_SPEED_LIMIT)
               : options->speed < 0 ? 0
                                    : pace_for_steps(pace_expected_steps(w->kernel_index));
    w->start_rate = lf_trainer_get_options(w->trainer)->settings.learning_rate;
    /* The first sample is the patch the filter responds to most. */
    worker_refresh_strip(w, true);
    rewind_restart(w->rewind, w->trainer); /* step 0 is the timeline's first state */
    /* The first frame and images exist before the thread starts, so the
     * window always has something to draw. */
    publish_images(w);
    worker_publish_frame(w);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        lf_fail(err, LF_ERR_NOMEM, "cannot start the training thread");
        setup->trainer = w->trainer; /* give back what we took */
        setup->dataset = w->datasets[0];
        lf_trainer_set_dataset(setup->trainer, &setup->dataset, NULL);
        w->trainer = NULL;
        memset(&w->datasets[0], 0, sizeof w->datasets[0]);
        worker_destroy(w);
        return NULL;
    }
    w->started = true;
    return w;
}

void worker_destroy(worker *w)
{
    if (!w)
        return;
    if (w->started) {
        worker_req quit = {.kind = WORKER_REQ_QUIT};
        worker_request(w, &quit);
        pthread_join(w->thread, NULL);
    }
    lf_trainer_destroy(w->trainer);
    lf_dataset_deinit(&w->datasets[0]);
    lf_dataset_deinit(&w->datasets[1]);
    for (int i = 0; i < 3; i++)
        lf_snapshot_deinit(&w->images[i].snap);
    worker_layer_destroy(w);
    rewind_destroy(w->rewind);
    rewind_reel_destroy(atomic_exchange(&w->reel_out, NULL));
    app_clock_forget(&w->clock, &w->wake, &w->lock); /* a simulated clock outlives us */
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}

bool worker_request(worker *w, const worker_req *req)
{
    if (req->kind == WORKER_REQ_QUIT) {
        /* A flag, not a queue entry: quitting must work with a full queue. */
        pthread_mutex_lock(&w->lock);
        atomic_store(&w->quit, true);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
        return true;
    }
    pthread_mutex_lock(&w->lock);
    bool accepted = w->queue_count < WORKER_QUEUE_SIZE;
    if (accepted) {
        int slot = (w->queue_head + w->queue_count) % WORKER_QUEUE_SIZE;
        w->queue[slot] = *req;
        w->queue[slot].path[WORKER_PATH_MAX - 1] = 0;
        w->queue[slot].seq = ++w->queued;
        atomic_store(&w->queued_seen, w->queued);
        w->queue_count++;
        atomic_fetch_add_explicit(&w->pending, 1, memory_order_release);
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    return accepted;
}

const worker_frame *worker_acquire_frame(worker *w, bool *is_new)
{
    bool fresh = triple_acquire(&w->frame_buffers);
    if (is_new)
        *is_new = fresh;
    return &w->frames[w->frame_buffers.front];
}

const worker_images *worker_acquire_images(worker *w, bool *is_new)
{
    bool fresh = triple_acquire(&w->image_buffers);
    if (is_new)
        *is_new = fresh;
    return &w->images[w->image_buffers.front];
}

void worker_totals(worker *w, long *steps, double *seconds)
{
    *steps = atomic_load(&w->total_steps);
    *seconds = (double)atomic_load(&w->total_nanos) * 1e-9;
}

void worker_request_counts(worker *w, unsigned long *queued, unsigned long *taken,
                           unsigned long *misordered)
{
    *queued = atomic_load(&w->queued_seen);
    *taken = atomic_load(&w->taken);
    *misordered = atomic_load(&w->misordered);
}

bool worker_finished(worker *w) { return atomic_load(&w->finished); }

struct rewind_reel *worker_take_reel(worker *w) { return atomic_exchange(&w->reel_out, NULL); }

unsigned long worker_wakes(worker *w) { return atomic_load(&w->wakes); }

void worker_settle(worker *w)
{
    struct timespec pause = {0, 100000};
    for (;;) {
        unsigned long queued = atomic_load(&w->queued_seen);
        bool published = atomic_load(&w->published_taken) >= queued;
        long long idle = atomic_load(&w->idle_since);
        bool caught_up = atomic_load(&w->unpaced) || atomic_load(&w->finished) ||
                         (idle >= 0 && idle >= app_clock_now(&w->clock));
        if (published && caught_up)
            return;
        nanosleep(&pause, NULL);
    }
}

double worker_cpu_seconds(worker *w)
{
    clockid_t clock;
    struct timespec ts;
    if (!w->started || pthread_getcpuclockid(w->thread, &clock) != 0 ||
        clock_gettime(clock, &ts) != 0)
        return NAN;
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

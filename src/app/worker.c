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
#include "worker.h"

#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kernel_edit.h"
#include "samples.h"
#include "learnfilter/image.h"

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

/* Three slots: the writer owns back, the reader owns front, and middle
 * (with a "new" bit) is swapped by each side in one atomic exchange. */
#define TRIPLE_NEW 4u
typedef struct triple {
    atomic_uint middle;
    unsigned back;  /* writer's slot */
    unsigned front; /* reader's slot */
} triple;

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

struct worker {
    pthread_t thread;
    bool started;
    /* requests: guarded by lock, which is only held to copy one in or out */
    pthread_mutex_t lock;
    pthread_cond_t wake;        /* signalled on every request */
    worker_req queue[WORKER_QUEUE_SIZE];
    int queue_head, queue_count;
    atomic_int pending;         /* queue_count, readable without the lock */
    unsigned long queued;       /* requests accepted so far, under lock */
    atomic_ulong queued_seen;   /* the same, readable without the lock */
    atomic_ulong taken;         /* requests the thread has taken */
    atomic_ulong misordered;    /* taken with a sequence number out of turn */
    atomic_bool quit;
    atomic_bool finished;
    atomic_long total_steps;
    atomic_llong total_nanos;   /* time spent training, for the average rate */
    /* hand-over */
    triple frame_buffers;
    triple image_buffers;
    worker_frame frames[3];
    worker_images images[3];
    /* owned by the worker thread from here on */
    const cli_options *cli;
    app_clock clock;            /* every pace is read from it (options.clock) */
    atomic_ulong wakes;         /* times the thread woke from a wait */
    atomic_llong idle_since;    /* clock time a wait began with nothing left to do; -1 awake */
    atomic_ulong published_taken; /* requests_taken of the newest frame published */
    atomic_bool unpaced;        /* training with no speed limit: it never waits */
    lf_trainer *trainer;
    lf_dataset datasets[2];     /* the active one, and room to load the next */
    int active_dataset;
    bool paused, loading;
    bool stopped_at_tolerance;  /* paused because the tolerance was reached */
    bool train_past_tolerance;  /* Space trained on after that: no stop until a restart */
    unsigned tolerance_generation; /* the generation the two flags above belong to */
    double speed;               /* steps per second, 0 for no limit */
    int kernel_index;
    unsigned generation, frame_serial, image_serial;
    double rate;                /* steps per second, last measurement */
    float start_rate;           /* the learning rate this kernel and optimizer began with */
    unsigned message_serial;
    bool message_is_error;
    char message[WORKER_MESSAGE_MAX];
    worker_strip strip;         /* the photos to pick the sample from (samples.h) */
};

static double now_seconds(const worker *w) { return app_clock_seconds(&w->clock); }

__attribute__((format(printf, 3, 4))) static void set_message(worker *w, bool is_error,
                                                              const char *format, ...)
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
static void sync_tolerance(worker *w)
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
static bool stop_at_tolerance(worker *w)
{
    sync_tolerance(w);
    if (w->train_past_tolerance || w->stopped_at_tolerance ||
        !lf_trainer_figures(w->trainer)->converged)
        return false;
    w->paused = true;
    w->stopped_at_tolerance = true;
    return true;
}

/* Space or a resume request: after a stop at the tolerance, trains on past
 * it without stopping again until a restart. */
static void set_paused(worker *w, bool paused)
{
    sync_tolerance(w);
    if (!paused && w->stopped_at_tolerance) {
        w->stopped_at_tolerance = false;
        w->train_past_tolerance = true;
    }
    w->paused = paused;
}

static void publish_frame(worker *w)
{
    sync_tolerance(w);
    worker_frame *f = &w->frames[w->frame_buffers.back];
    lf_trainer_snapshot(w->trainer, &f->snap, false);
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
    double start = now_seconds(w);
    worker_images *im = &w->images[w->image_buffers.back];
    lf_trainer_snapshot(w->trainer, &im->snap, true);
    if (im->strip.serial != w->strip.serial)
        im->strip = w->strip;
    im->generation = w->generation;
    im->serial = ++w->image_serial;
    triple_publish(&w->image_buffers);
    return now_seconds(w) - start;
}

/* The strip of photos for the dataset and true kernel in use; with
 * show_best, the sample shown becomes the patch the filter responds to
 * most (a new kernel or photos; not a hand-edited cell). */
static void refresh_strip(worker *w, bool show_best)
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

/* ======================================================== requests */

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
        set_message(w, true, "%s", err.message);
        return false;
    }
    w->kernel_index = catalog_index;
    w->speed = pace_for_steps(pace_expected_steps(catalog_index));
    w->start_rate = lf_trainer_get_options(w->trainer)->settings.learning_rate;
    w->generation++;
    refresh_strip(w, true);
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
        set_message(w, true, "%s", err.message);
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
        set_message(w, true, "out of memory for the operation %s", spec);
        return;
    }
    if (lf_target_parse(target, spec, lf_trainer_get_options(w->trainer)->seed, &err) != LF_OK ||
        lf_trainer_set_target(w->trainer, target, &err) != LF_OK) {
        set_message(w, true, "%s", err.message);
    } else {
        w->kernel_index = -1;
        w->speed = pace_for_steps(pace_expected_steps(-1));
        w->start_rate = lf_trainer_get_options(w->trainer)->settings.learning_rate;
        w->generation++;
        refresh_strip(w, true);
        set_message(w, false, "learning %s: the best a linear filter can do is the floor", spec);
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
            set_message(w, true, "%s", err.message);
            return;
        }
        as_images = probe.width > LF_KERNEL_MAX_SIDE || probe.height > LF_KERNEL_MAX_SIDE;
        lf_image_deinit(&probe);
    }
    if (!as_images) {
        lf_kernel k;
        if (lf_kernel_load(&k, path, &err) != LF_OK) {
            set_message(w, true, "%s", err.message);
            return;
        }
        if (use_kernel(w, &k, -1))
            set_message(w, false, "learning the kernel in %s (%dx%d)", base_name(path), k.height,
                        k.width);
        return;
    }

    w->loading = true;
    publish_frame(w); /* show "loading" while the files are read */
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
        set_message(w, true, "%s", err.message);
        return;
    }
    lf_dataset_deinit(&w->datasets[w->active_dataset]);
    w->active_dataset = spare;
    w->generation++;
    refresh_strip(w, true);
    const lf_dataset *ds = &w->datasets[spare];
    set_message(w, false, "training on %s: %d photo%s, %d patches", base_name(path),
                ds->file_count, ds->file_count == 1 ? "" : "s", ds->patch_count);
}

/* Carries out one request. Returns true when what the window shows changed
 * in a way it should see at once (not at the next periodic publication). */
static bool handle_request(worker *w, const worker_req *r)
{
    lf_trainer *t = w->trainer;
    lf_error err;
    switch (r->kind) {
    case WORKER_REQ_PAUSE_TOGGLE:
        set_paused(w, !w->paused);
        return true;
    case WORKER_REQ_PAUSE:
        set_paused(w, r->value != 0);
        return true;
    case WORKER_REQ_STEP: {
        sync_tolerance(w);
        w->paused = true;
        const lf_figures *fig = lf_trainer_figures(t);
        long count = r->value == WORKER_STEP_EPOCH ? fig->steps_per_epoch - fig->step_in_epoch
                                                   : r->value;
        count = count < 1 ? 1 : count > WORKER_STEP_MAX ? WORKER_STEP_MAX : count;
        for (long i = 0; i < count && !fig->diverged; i++) {
            if (lf_trainer_step(t, &err) != LF_OK) {
                set_message(w, true, "diverged: lower the learning rate (Down) or reset (R)");
                break;
            }
            atomic_fetch_add(&w->total_steps, 1);
            if (stop_at_tolerance(w))
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
            set_message(w, false, "reset, learning rate back to %g", (double)w->start_rate);
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
        bool was_diverged = lf_trainer_figures(t)->diverged;
        double lr = lf_trainer_get_options(t)->settings.learning_rate * r->factor;
        lr = fmin(fmax(lr, 1e-7), 1e3);
        if (lf_trainer_set_learning_rate(t, (float)lr, &err) != LF_OK)
            set_message(w, true, "%s", err.message);
        else if (was_diverged)
            w->generation++;
        return true;
    }
    case WORKER_REQ_OPTIMIZER: {
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
        if (lf_trainer_set_weight(t, r->value, (float)r->factor, &err) != LF_OK)
            set_message(w, true, "%s", err.message);
        return true;
    case WORKER_REQ_SET_TRUE_WEIGHT: /* the kernel becomes "custom" (kernel_edit.h) */
        if (kernel_edit_apply_true(t, r->value, r->factor, &err) != LF_OK) {
            set_message(w, true, "%s", err.message);
        } else {
            w->kernel_index = -1;
            w->speed = pace_for_steps(pace_expected_steps(-1));
            w->generation++;
            refresh_strip(w, false);
            set_message(w, false, "custom kernel: learning it from the start");
        }
        return true;
    case WORKER_REQ_SAMPLE:
        lf_trainer_set_sample_patch(t, r->value);
        return true;
    case WORKER_REQ_QUIT:
        atomic_store(&w->quit, true);
        return false;
    }
    return false;
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
        changed |= handle_request(w, &r);
        if (atomic_load(&w->quit))
            break;
    }
    return changed;
}

/* Sleeps until the given time or the next request, whichever comes first:
 * paused or between slow steps the thread uses no CPU. */
static void wait_for_request(worker *w, double until)
{
    if (until - now_seconds(w) <= 0)
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
    double now = now_seconds(w);
    double next_frame = now, next_image = now, next_step = now;
    double rate_start = now, last_tick = now;
    long rate_steps = 0;
    int burst = 1; /* steps between looks at the clock, at full speed */
    while (!atomic_load(&w->quit)) {
        bool changed = take_requests(w);
        if (atomic_load(&w->quit))
            break;
        sync_tolerance(w);
        const lf_figures *fig = lf_trainer_figures(w->trainer);
        bool training = !w->paused && !fig->diverged;
        atomic_store_explicit(&w->unpaced, training && !(w->speed > 0), memory_order_relaxed);
        if (training) {
            double limit = w->speed;
            if (limit > 0) {
                now = now_seconds(w);
                if (now < next_step && !changed) {
                    /* A publication that fell due first goes out now: waiting
                     * "until" a time already past would return at once and
                     * spin until the step is due. */
                    if (now >= next_frame) {
                        publish_frame(w);
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
                set_message(w, true, "diverged: lower the learning rate (Down) or reset (R)");
                changed = true;
            }
            if (stop_at_tolerance(w))
                changed = true;
            if (limit <= 0 && done == count) {
                double took = now_seconds(w) - last_tick;
                if (took < 0.5e-3 && burst < 65536)
                    burst *= 2;
                else if (took > 2e-3 && burst > 1)
                    burst /= 2;
            }
        }
        now = now_seconds(w);
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
            publish_frame(w);
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
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return NULL;
    }
    memset(&setup->dataset, 0, sizeof setup->dataset);
    setup->trainer = NULL;

    static const cli_options no_options; /* every field at its default */
    w->cli = options->cli ? options->cli : &no_options;
    w->paused = options->start_paused;
    w->kernel_index = lf_kernel_catalog_find(lf_trainer_get_options(w->trainer)->target.name);
    w->speed = options->speed > 0   ? fmin(options->speed, CLI_SPEED_LIMIT)
               : options->speed < 0 ? 0
                                    : pace_for_steps(pace_expected_steps(w->kernel_index));
    w->start_rate = lf_trainer_get_options(w->trainer)->settings.learning_rate;
    /* The first sample is the patch the filter responds to most. */
    refresh_strip(w, true);
    /* The first frame and images exist before the thread starts, so the
     * window always has something to draw. */
    publish_images(w);
    publish_frame(w);
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

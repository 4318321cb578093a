/*
 * worker.h: the training thread behind the window.
 *
 * The worker owns the trainer and its dataset and trains continuously. The
 * window never touches the trainer: it sends requests (pause, step, reset,
 * kernel switch, learning rate, rewind, quit, ...) that the worker takes
 * between steps, and it reads what the worker publishes:
 *
 *   worker_frame   the kernels, figures, loss histories and worker state,
 *                  published about 120 times a second (cheap: a copy);
 *   worker_images  the sample patch, the network's output and the target,
 *                  which cost one forward pass, so they are refreshed at
 *                  most WORKER_IMAGE_HZ times a second and never with more
 *                  than WORKER_IMAGE_SHARE of the worker's time.
 *
 * Each goes through its own triple buffer: the worker fills a back buffer
 * and swaps it with the middle one in one atomic exchange; the window swaps
 * the middle one with its front buffer the same way when it is marked new.
 * Neither side ever waits for the other, and neither ever sees a buffer the
 * other is writing. Requests go through a short queue under a mutex held
 * only to copy one request in or out.
 *
 * Usage:
 *   worker *w = worker_create(&setup, &(worker_options){0}, &err);  // takes setup
 *   worker_request(w, &(worker_req){.kind = WORKER_REQ_PAUSE_TOGGLE});
 *   const worker_frame *f = worker_acquire_frame(w, &is_new);
 *   worker_destroy(w);   // asks it to quit and joins the thread
 */
#ifndef LEARNFILTER_WORKER_H
#define LEARNFILTER_WORKER_H

#include <stdbool.h>

#include "clock.h"
#include "learnfilter/trainer.h"
#include "pace.h"
#include "rewind.h"
#include "samples.h"
#include "setup.h"

#define WORKER_FRAME_HZ 120      /* state publications per second while training */
#define WORKER_IMAGE_HZ 15       /* most image refreshes per second */
#define WORKER_IMAGE_SHARE 0.10  /* most share of worker time spent on images */
#define WORKER_QUEUE_SIZE 64     /* pending requests; more are refused */
#define WORKER_PATH_MAX 4096     /* longest dropped path with its NUL: Linux's PATH_MAX,
                                    the longest path the system opens at all */
#define WORKER_MESSAGE_MAX 256

typedef enum worker_state {
    WORKER_RUNNING = 0, /* training */
    WORKER_PAUSED,      /* waiting for a step or resume request */
    WORKER_CONVERGED,   /* within tolerance of the true kernel: stopped there (paused) at
                           first, still training after Space trains on */
    WORKER_DIVERGED,    /* stopped on a runaway value; reset, reseed or a new rate restarts */
    WORKER_LOADING      /* reading a dropped file; training resumes afterwards */
} worker_state;

const char *worker_state_name(worker_state state);

/* The number of speed levels + and - step through (pace.h). */
#define WORKER_SPEED_LEVELS PACE_LEVELS

typedef enum worker_req_kind {
    WORKER_REQ_PAUSE_TOGGLE,
    WORKER_REQ_PAUSE,       /* value: 1 pause, 0 resume */
    WORKER_REQ_STEP,        /* value steps (0 or 1: one; WORKER_STEP_EPOCH: to the end of
                               the epoch); pauses first if running */
    WORKER_REQ_RESET,       /* same seed, step 0 */
    WORKER_REQ_RESEED,      /* next seed, step 0 */
    WORKER_REQ_KERNEL,      /* value: catalog index, with its default settings */
    WORKER_REQ_KERNEL_NEXT, /* value: +1 or -1 through the catalog, wrapping */
    WORKER_REQ_LR_SCALE,    /* factor: multiplies the learning rate */
    WORKER_REQ_OPTIMIZER,   /* switches between SGD and Adam */
    WORKER_REQ_SPEED,       /* value: +1 faster or -1 slower, one level */
    WORKER_REQ_SAMPLE_NEXT, /* value: +1 or -1: the patch shown */
    WORKER_REQ_LOAD,        /* path: a kernel file, an image or a folder of images */
    WORKER_REQ_TARGET,      /* path: an operation to learn, as --target takes it */
    WORKER_REQ_SET_WEIGHT,  /* value: learned weight (row-major cell) or, at the kernel's
                               size, the bias; factor: its new value. Training goes on */
    WORKER_REQ_SET_TRUE_WEIGHT, /* value: cell of the true kernel; factor: its new value.
                               The kernel becomes "custom" and training restarts */
    WORKER_REQ_SAMPLE,      /* value: the patch shown (wraps around) */
    WORKER_REQ_REWIND,      /* factor: a step; shows the stored state nearest to it, or the
                               latest point (End: a step past it). Pauses training */
    WORKER_REQ_REWIND_MOVE, /* value: stored states to move by from the one shown (J: -1,
                               L: +1); past the newest, the latest point. Pauses training */
    WORKER_REQ_REEL,        /* value: a RECORDER_GIF or RECORDER_MP4 reel (M, Shift+M): takes
                               its points from the stored states for worker_take_reel */
    WORKER_REQ_QUIT
} worker_req_kind;

#define WORKER_STEP_EPOCH (-1) /* a step request that ends the current epoch */
#define WORKER_STEP_MAX 100000 /* most steps one request takes */

typedef struct worker_req {
    worker_req_kind kind;
    int value;
    double factor;
    char path[WORKER_PATH_MAX];
    unsigned long seq;          /* set by worker_request: 1, 2, ... in the order queued */
} worker_req;

/* A layer beyond one gray filter (render_layer.c draws it; worker_layer.c
 * fills it): the weights now, filter by filter. The true bank is
 * snap.target's weights, (F, C, kh, kw), as the trainer holds it; snap's
 * learned kernel is only the first filter's first channel. */
typedef struct worker_layer {
    bool active;               /* the trainer's layer is not one gray filter */
    int filters, channels, k_height, k_width, stride, pool;
    lf_activation activation;
    float learned[LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE]; /* (F, C, kh, kw), as target's */
    float biases[LF_KERNEL_MAX_FILTERS];
    double rel_err[LF_KERNEL_MAX_FILTERS]; /* ||w_f - k_f|| / ||k_f|| per filter */
} worker_layer;

/* A layer's sample: the patch and, per filter, the layer's output now and
 * the target, both after activation and pooling. Made on the worker at
 * image time (one forward pass with each set of weights), never per frame. */
typedef struct worker_layer_images {
    bool has;                  /* filled (a layer, and room for it) */
    int channels, in_height, in_width;
    int filters, out_height, out_width;
    size_t in_capacity, out_capacity; /* floats in input; in maps and in targets each */
    float *input;              /* (C, in_height, in_width), on [0, 1] */
    float *maps;               /* (F, out_height, out_width): the network's feature maps */
    float *targets;            /* (F, out_height, out_width): the true layer's */
} worker_layer_images;

/* What the window draws besides the images. */
typedef struct worker_frame {
    lf_snapshot snap;          /* kernels, figures and histories; no images */
    worker_state state;
    double steps_per_second;   /* over the last half second of training */
    double speed;              /* the speed limit in steps per second, 0 for none */
    long expected_steps;       /* what this kernel takes to converge, for the speed words */
    double tolerance;          /* relative kernel error at which training stops */
    bool trains_past_tolerance; /* Space after a stop at the tolerance: no stop again */
    int kernel_index;          /* catalog index of the target, or -1 for a file */
    int file_count;            /* photographs in the dataset */
    unsigned generation;       /* changes on every restart: reset, kernel, dataset */
    unsigned serial;           /* changes on every publication */
    unsigned message_serial;   /* changes when message does */
    unsigned long requests_taken; /* requests carried out so far: the last one's sequence number */
    bool message_is_error;
    char message[WORKER_MESSAGE_MAX]; /* the last notice: a load that failed or worked */
    rewind_view rewind;        /* the stored states and the point shown (rewind.h); while a
                                  past point is shown, snap holds the whole run's curves */
    worker_layer layer;        /* a layer's weights; layer.active false for one gray filter */
} worker_frame;

/* The strip of photos to pick the sample from (samples.h): each photo's
 * patch where the true filter responds most, with a thumbnail of it. */
#define WORKER_STRIP_MAX SAMPLES_STRIP_MAX /* photos in the strip; more are left out */
#define WORKER_THUMB_SIDE 40   /* thumbnail side, pixels of the patch averaged down */
typedef struct worker_strip {
    int count;
    int patch[WORKER_STRIP_MAX];
    float thumbs[WORKER_STRIP_MAX * WORKER_THUMB_SIDE * WORKER_THUMB_SIDE]; /* on [0, 1] */
    unsigned serial;           /* changes with the dataset or the kernel */
} worker_strip;

typedef struct worker_images {
    lf_snapshot snap;          /* has_images: input, output and expected */
    worker_strip strip;
    worker_layer_images layer; /* a layer's sample and feature maps; layer.has false else */
    unsigned generation;       /* the frame generation these belong to */
    unsigned serial;
} worker_images;

/* Zero means default, in brackets. */
typedef struct worker_options {
    bool start_paused;          /* [false] */
    double speed;               /* steps per second [0: the kernel's pace, pace_for_steps];
                                   negative: no limit. A kernel switch goes to the new
                                   kernel's pace. */
    const cli_options *cli;     /* dataset options for dropped folders, borrowed: it must
                                   outlive the worker [the defaults] */
    app_clock clock;            /* the time every pace is measured on [the real monotonic
                                   clock]; tests run the worker on simulated time */
} worker_options;

typedef struct worker worker;

/* Starts the thread. Takes ownership of setup's trainer and dataset (setup
 * is left empty) on success only. NULL with err set when out of memory or
 * the thread cannot start. */
worker *worker_create(app_setup *setup, const worker_options *options, lf_error *err);
/* Asks the worker to quit, joins it and frees everything; accepts NULL. */
void worker_destroy(worker *w);

/* Queues a request. Returns false when the queue is full (the request is
 * dropped; the caller may say so). Never blocks for longer than a copy.
 * A quit request is never dropped. */
bool worker_request(worker *w, const worker_req *req);

/* The newest frame and images. The pointer stays valid, and its content
 * unchanged, until the next call of the same function. is_new says whether
 * anything was published since that call. */
const worker_frame *worker_acquire_frame(worker *w, bool *is_new);
const worker_images *worker_acquire_images(worker *w, bool *is_new);

/* Steps taken and seconds spent training (paused time excluded), for the
 * average rate printed by --stats. Safe from any thread. */
void worker_totals(worker *w, long *steps, double *seconds);

/* Requests queued so far, taken by the thread so far, and taken out of
 * the order they were queued in (always 0 unless the queue is broken).
 * Safe from any thread; a quit request is not counted. */
void worker_request_counts(worker *w, unsigned long *queued, unsigned long *taken,
                           unsigned long *misordered);

/* How many times the thread has woken from a wait (for a step that is due,
 * a request or a periodic look). Paused, it wakes a few times a second,
 * never in a busy loop. Safe from any thread. */
unsigned long worker_wakes(worker *w);

/* For tests on a simulated clock: returns once every request queued so far
 * is carried out and published, and the thread has done all the work due
 * by the clock's time now and waits (at once when it trains with no speed
 * limit, which never waits). Waits as long as that takes. */
void worker_settle(worker *w);

/* The points of the reel last asked for (WORKER_REQ_REEL; rewind_reel.h),
 * once the thread has taken them, else NULL. The caller owns it
 * (rewind_reel_destroy). Never blocks. */
struct rewind_reel *worker_take_reel(worker *w);

/* True once the thread has finished (after a quit request). */
bool worker_finished(worker *w);

/* CPU time the training thread has used so far, in seconds (NaN where the
 * system cannot tell). With the steps, it gives steps per CPU-second: the
 * worker's speed apart from how much of a core it was given. */
double worker_cpu_seconds(worker *w);

#endif

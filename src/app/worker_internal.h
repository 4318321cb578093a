/*
 * worker_internal.h: what the worker's files share, and nothing outside
 * them uses.
 *
 *   worker.c           the thread, its hand-over to the window (triple
 *                      buffers, the request queue), lifecycle
 *   worker_requests.c  each request carried out: pause and step, restarts,
 *                      a new kernel, operation or photos, a weight set by
 *                      hand, the rewind (rewind.h)
 *
 * Everything here belongs to the worker thread once worker_create has
 * returned, except the fields marked atomic or guarded by lock.
 */
#ifndef LEARNFILTER_WORKER_INTERNAL_H
#define LEARNFILTER_WORKER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "rewind.h"
#include "worker.h"

/* Three slots: the writer owns back, the reader owns front, and middle
 * (with a "new" bit) is swapped by each side in one atomic exchange. */
#define TRIPLE_NEW 4u
typedef struct triple {
    atomic_uint middle;
    unsigned back;  /* writer's slot */
    unsigned front; /* reader's slot */
} triple;

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
    rewind_ctl *rewind;         /* past states to scrub back to (rewind.h) */
    unsigned rewind_generation; /* the generation its states belong to */
    struct worker_layer_work *layer_work; /* a layer's scratch (worker_layer.c), or NULL */
    /* A reel's points, handed over in one atomic exchange each way: the
     * side that takes the pointer owns it. */
    _Atomic(struct rewind_reel *) reel_out;
};

/* The time on the worker's clock, in seconds. */
double worker_now(const worker *w);

/* The notice the window shows next (a load that failed or worked). */
__attribute__((format(printf, 3, 4))) void worker_set_message(worker *w, bool is_error,
                                                              const char *format, ...);

/* The stop at the tolerance (worker.c says when it stops and when not):
 * sync forgets it after a restart, stop pauses there the first time (true
 * when it stopped now), set_paused is Space's pause and resume. */
void worker_sync_tolerance(worker *w);
bool worker_stop_at_tolerance(worker *w);
void worker_set_paused(worker *w, bool paused);

/* Publishes the frame now (the window sees "loading" before a long load). */
void worker_publish_frame(worker *w);

/* The strip of photos for the dataset and kernel in use; with show_best,
 * the sample shown becomes the patch the filter responds to most. */
void worker_refresh_strip(worker *w, bool show_best);

/* After a step, and before the rewind is used: a new generation starts a
 * new ring; the state now is offered to it. */
void worker_keep_state(worker *w);

/* A layer's part of the publications (worker_layer.c): create allocates
 * the images' buffers and the scratch when the trainer is a layer (nothing
 * otherwise); the fills copy the weights into a frame and run the sample
 * through the layer for the images; destroy accepts what create left. */
lf_status worker_layer_create(worker *w, lf_error *err);
void worker_layer_destroy(worker *w);
void worker_layer_fill_frame(const worker *w, worker_layer *out);
void worker_layer_fill_images(worker *w, worker_layer_images *out);

/* Carries out one request (worker_requests.c). Returns true when what the
 * window shows changed in a way it should see at once. */
bool worker_handle_request(worker *w, const worker_req *r);

#endif

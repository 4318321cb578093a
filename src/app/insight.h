/*
 * insight.h: the numbers behind the window's "why is it slow" views,
 * computed off the frame loop.
 *
 * F shows the kernels as frequencies beside the photos' power spectrum
 * (spectrum.h) and how the remaining error splits between the directions
 * the photos excite and the rest (gramspec.h); W shows the loss bowl over
 * two weights picked by clicking cells (bowl.h). The transforms, the mean
 * Gram matrix and its eigen-decomposition take from milliseconds to
 * seconds (the smiley's 1,025 x 1,025 matrix about 3 s), so they run on a
 * thread of their own: the window hands over the newest frame (a copy of
 * the kernels, never waiting) and takes whatever has been published, and
 * says "computing…" until then.
 *
 * The photos are the training patches of the run's command line (the same
 * options the worker loaded, so the same patches), loaded on that thread
 * the first time a view opens. A folder dropped later is not followed (the
 * caption says how many patches the view shows).
 *
 * The bowl itself is cheap once the thread has the mean Gram matrix
 * (at most INSIGHT_BOWL_MAX_PARAMS parameters): it is recomputed on the
 * main thread for every new frame, into fixed buffers, as are the contour
 * levels; so is the path of the two weights, kept from the frames the
 * window was shown (all parameters of each, thinned as the run grows, so a
 * pair picked late still has its whole path).
 */
#ifndef LEARNFILTER_INSIGHT_H
#define LEARNFILTER_INSIGHT_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "learnfilter/bowl.h"
#include "learnfilter/dataset.h"
#include "learnfilter/gram.h"
#include "learnfilter/gramspec.h"
#include "learnfilter/spectrum.h"
#include "learnfilter/trainer.h"

#define INSIGHT_CUTOFF 0.25      /* cycles per pixel: "fine detail" is above half the highest */
#define INSIGHT_WEAK 1e-3        /* eigenvalues below this share of the largest are "weak" */
#define INSIGHT_SPECTRUM_MAX 128 /* transform side for the largest kernel (64x64) */
#define INSIGHT_BOWL_MAX_SIDE 7  /* the bowl is for kernels up to 7x7 */
#define INSIGHT_BOWL_MAX_PARAMS (INSIGHT_BOWL_MAX_SIDE * INSIGHT_BOWL_MAX_SIDE + 1)
#define INSIGHT_BOWL_GRID 61     /* grid points per side of the bowl */
#define INSIGHT_BOWL_LEVELS 10   /* contour levels drawn */
#define INSIGHT_PATH_MAX 2048    /* frames of the path kept; more are thinned by half */
#define INSIGHT_POST_FRAMES 6    /* the thread gets a new kernel at most every 6th frame */
#define INSIGHT_TEXT_MAX 640

typedef enum insight_mode { INSIGHT_OFF = 0, INSIGHT_FREQUENCY, INSIGHT_BOWL } insight_mode;

/* How far a part of the computation has come. */
typedef enum insight_phase {
    INSIGHT_NONE = 0,  /* not asked for yet */
    INSIGHT_COMPUTING, /* on the thread */
    INSIGHT_READY,
    INSIGHT_FAILED,    /* message says why */
    INSIGHT_UNSUPPORTED /* this run's layer or kernel is beyond the view */
} insight_phase;

/* What the thread publishes. */
typedef struct insight_result {
    unsigned serial;           /* changes on every publication */
    insight_phase photos, spectra, directions, gram;
    char message[INSIGHT_TEXT_MAX]; /* why something failed or is left out */
    /* The photos: their mean power spectrum, photo_side^2, owned by the
     * thread and unchanged once photos is READY. */
    int photo_count, photo_side;
    const float *photo_power;
    /* The kernel the spectra and figures are of. */
    unsigned generation;       /* the worker frame's generation */
    long step;                 /* the step of the learned weights used */
    char name[LF_KERNEL_NAME_MAX];
    int kh, kw, size;          /* kernel and transform sides */
    float true_mag[INSIGHT_SPECTRUM_MAX * INSIGHT_SPECTRUM_MAX];
    float learned_mag[INSIGHT_SPECTRUM_MAX * INSIGHT_SPECTRUM_MAX];
    float diff_mag[INSIGHT_SPECTRUM_MAX * INSIGHT_SPECTRUM_MAX];
    lf_spectrum_facts facts;   /* of the true kernel, with the error learned - true */
    /* The directions: the split of the present error and the steps the model
     * says are left, for the learned weights of `step`. */
    int params;
    lf_direction_split split;
    lf_descent_model model;
    lf_descent_estimate estimate;
    bool adam;                 /* the run uses Adam: the estimate is for SGD */
    /* The mean Gram matrix, for the bowl (params up to INSIGHT_BOWL_MAX_PARAMS). */
    double gram_matrix[INSIGHT_BOWL_MAX_PARAMS * INSIGHT_BOWL_MAX_PARAMS];
} insight_result;

/* The bowl as the view draws it. */
typedef struct insight_bowl {
    bool ok;
    int i, j;                  /* the two parameters (row-major taps) */
    lf_bowl bowl;
    double loss[INSIGHT_BOWL_GRID * INSIGHT_BOWL_GRID];
    double levels[INSIGHT_BOWL_LEVELS];
    int level_count;
    double ratio;              /* the bowl's long axis over its short one */
} insight_bowl;

/* What render_insight.c draws. */
typedef struct insight_view {
    insight_mode mode;
    const insight_result *result;  /* NULL until the thread published */
    const lf_snapshot *snap;       /* the frame shown */
    unsigned generation;           /* its generation: a result of another is not its own */
    char sentence[INSIGHT_TEXT_MAX];   /* why the fine detail is slow, with figures */
    char directions[INSIGHT_TEXT_MAX]; /* the error's split and the steps left */
    /* The bowl view: the cells picked (pick_count of them, the newest last). */
    int picked[2], pick_count;
    const insight_bowl *bowl;
    const float *path_x, *path_y;  /* path_count points: the two weights over the run */
    int path_count;
    char bowl_text[INSIGHT_TEXT_MAX];
    bool fresh;                    /* the thread published since the last call: draw again */
} insight_view;

typedef struct insight insight;

/* Borrows options (it must outlive the result); starts the thread, which
 * loads nothing until a view opens. NULL with err set when out of memory or
 * the thread cannot start. */
insight *insight_create(const cli_options *options, lf_error *err);
/* Stops and joins the thread; accepts NULL. */
void insight_destroy(insight *in);

/* Called every frame. Turns the view on and off by mode; while on, hands
 * the frame to the thread (at most every INSIGHT_POST_FRAMES frames, at
 * once after a change of kernel) and keeps the bowl's path; tolerance is
 * the run's, for the steps estimate. pick (-1: none)
 * is a cell clicked in the bowl view. Returns the view to draw, valid until
 * the next call, or NULL when off. Never waits for the thread. */
const insight_view *insight_frame(insight *in, insight_mode mode, int pick,
                                  const lf_snapshot *snap, unsigned generation, double tolerance);

/* ---- The computations, also called by the tests. */

/* The photos' power spectrum over the dataset's training patches (gray):
 * power holds patch_size^2 values. */
lf_status insight_photo_power(float *power, size_t capacity, const lf_dataset *ds,
                              lf_error *err);

/* The view's sentence on why the fine detail is slow, from facts (whose
 * cutoff it names) and the kernel's name. */
void insight_sentence(char *out, size_t size, const char *name, const lf_spectrum_facts *facts);

/* The directions' line from a result whose directions are READY. */
void insight_directions_text(char *out, size_t size, const insight_result *r);

/* Spectra and facts of truth and the learned weights (k_h x k_w) against the
 * photos' power (side x side) into r (its kh, kw, size, *_mag, facts). */
lf_status insight_spectra(insight_result *r, const float *truth, const float *learned, int kh,
                          int kw, const float *photo_power, int side, lf_error *err);

/* The bowl over parameters i and j (i != j, both below p) with the others
 * at params (p values: taps, then the bias), for the mean Gram matrix a
 * (p x p), with its range widened to hold the count points (xs, ys) of the
 * path (count may be 0); the levels as lf_bowl_levels gives them. */
lf_status insight_bowl_compute(insight_bowl *b, const double *a, int p, const float *params,
                               const float *truth, int i, int j, const float *xs,
                               const float *ys, int count, lf_error *err);

#endif

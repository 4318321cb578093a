/*
 * movie.h: frames of the kernel converging, drawn without a display.
 *
 * The original experiment ended with a GIF of the learned kernel after
 * every epoch: a heatmap on a fixed colour scale with a colorbar labelled
 * "Weight value", the values printed in the cells, and "Epoch N" above.
 * These are those frames, with the true kernel beside the learned one on
 * the same scale, drawn with SDL's software renderer into a surface (no
 * window, no video driver) and SDL_ttf with the bundled DejaVu font.
 *
 *   movie_options mo = { .target = &kernel };
 *   movie *m = movie_create(&mo, &err);
 *   const uint8_t *rgba = movie_draw(m, weights, count, "Epoch 3", "step 33  error 12.5%",
 *                                     &stride);
 *   ... hand rgba to a recorder ...
 *   movie_destroy(m);
 *
 * Colours are the GIF palette's diverging samples (white at zero), so the
 * heatmaps go through the fixed palette almost unchanged. The scale is
 * fixed for the whole movie: +-1.25 times the largest true weight, rounded
 * up to 1, 2, 2.5 or 5 times a power of ten, so colours compare across
 * frames and an overshoot shows as saturated cells.
 */
#ifndef LEARNFILTER_MOVIE_H
#define LEARNFILTER_MOVIE_H

#include <stdint.h>

#include "learnfilter/error.h"
#include "learnfilter/kernel.h"

#define MOVIE_VALUES_MAX_SIDE 7 /* kernels up to 7x7 get their values printed */

/* Zero means default, given in brackets. */
typedef struct movie_options {
    const lf_kernel *target;  /* the true kernel; its shape is the learned one's [required] */
    int width, height;        /* frame size [960x540]; at least 480x270 */
    float limit;              /* colour scale +-limit [from the target, see above] */
    const char *footer;       /* small line at the bottom [none] */
} movie_options;

typedef struct movie movie;

/* Opens the fonts and the software renderer. NULL on failure with err set
 * (LF_ERR_INPUT when the font is missing, LF_ERR_ARGUMENT, LF_ERR_NOMEM). */
movie *movie_create(const movie_options *options, lf_error *err);

/* Draws one frame: the learned weights (target's shape, row-major; weights
 * holds weight_count values, and cells past them show the no-value colour),
 * a title ("Epoch 12") and a subtitle line under it (may be NULL). Returns the
 * pixels, 4 bytes each R G B A, rows *stride bytes apart; they stay valid
 * until the next draw or destroy. */
const uint8_t *movie_draw(movie *m, const float *weights, int weight_count, const char *title,
                          const char *subtitle, int *stride);

int movie_width(const movie *m);
int movie_height(const movie *m);
/* Where the learned heatmap, the true one and the colorbar are in the
 * frame. */
typedef struct movie_box {
    int x, y, w, h;
} movie_box;
typedef struct movie_boxes {
    movie_box learned, target, colorbar;
} movie_boxes;
movie_boxes movie_layout(const movie *m);
/* The colour scale in use: cells show -limit..+limit. */
float movie_limit(const movie *m);

/* Frees everything; accepts NULL. */
void movie_destroy(movie *m);

/* Frames of a movie that runs until a tolerance is reached: spaced evenly
 * on a log scale of steps, this many to each factor of ten, so the fast
 * first drop and the slow tail both show. About 10 s at 10 frames a second
 * for a run of 10,000 to 1,000,000 steps. */
#define MOVIE_LOG_FRAMES_PER_DECADE 20

/* The step of the frame after the one at step (>= 0), frames_per_decade to
 * each factor of ten: every step while steps are closer than that. */
long movie_next_log_step(long step, int frames_per_decade);

/* The nice limit for a largest absolute weight: 1.25 x rounded up to 1, 2,
 * 2.5 or 5 x 10^k. Exposed for tests and for the window to agree with. */
float movie_scale_for(float max_abs_weight);

#endif

/*
 * chart.h: the loss chart of the window.
 *
 * Training is fast at first and slow later: with a linear step axis, the
 * whole learning phase of a run that trained on for a million steps is a
 * vertical line at the left edge. So the x axis is the step on a log scale,
 * from step 1 to a round end just past the last step, where every decade
 * of steps gets the same width. The y axis is the loss on a log scale,
 * from the first loss down at most CHART_MAX_DECADES decades: a loss that
 * falls to the float's floor (Adam reaches 1e-38) stays on the floor
 * rather than flattening the rest of the curve.
 *
 * The axis arithmetic is pure and tested; chart_draw draws with SDL.
 */
#ifndef LEARNFILTER_CHART_H
#define LEARNFILTER_CHART_H

#include <SDL.h>

#include "layout.h"
#include "learnfilter/trainer.h"
#include "text.h"

#define CHART_MAX_DECADES 8 /* the y axis spans at most this many decades below the top */

/* The end of the step axis: the smallest 1, 2 or 5 times a power of ten
 * that is at least last_step, and at least 10. */
double chart_step_axis_end(long last_step);

/* Where a step sits on an axis from step 1 to axis_end, as a share of its
 * width: log(step) / log(axis_end), clamped to [0, 1]; steps below 1 sit
 * at 0. */
double chart_step_position(double step, double axis_end);

/* The steps with a tick (the powers of ten from 1 to axis_end) into
 * ticks[0..capacity); returns how many were written. */
int chart_step_ticks(double axis_end, double *ticks, int capacity);

/* A tick label: 1, 10, 100, 1k, 10k, 100k, 1M, 10M, ... */
void chart_step_label(char *out, int size, double step);

/* The decades the loss axis spans, whole powers of ten: from below the
 * smallest loss to above the largest, but never more than
 * CHART_MAX_DECADES below the top (top = ceil(log10(first))) when first, the
 * first loss of the run, is known (> 0), nor less than one decade. */
void chart_loss_decades(double first, double lo, double hi, int *log_lo, int *log_hi);

/* The points of one curve (the training losses of the step history, or the
 * validation losses of the epoch history) in plot's pixels, into
 * points[0..capacity); returns how many. Losses that are not positive and
 * finite are left out; every point lies inside plot, a loss off the axis
 * on its edge. */
int chart_curve_points(const lf_history *h, bool validation, layout_rect plot, double x_end,
                       int log_lo, int log_hi, SDL_FPoint *points, int capacity);

typedef struct chart_style {
    float scale;  /* UI scale: pixel sizes are multiplied by it */
    SDL_Color panel, outline, text, dim, train, validation;
    bool marker;        /* a vertical line at marker_step: the rewound point shown */
    double marker_step;
    SDL_Color marker_color;
} chart_style;

/* Where chart_draw puts the plot in area, and its axes: the plot (empty
 * when the area is too small: false), and, once there is a curve
 * (has_curve), the step axis's end and the loss decades. The hover
 * read-out finds the point under the mouse with it. */
typedef struct chart_axes {
    layout_rect plot;
    bool has_curve;
    double x_end;
    int log_lo, log_hi;
} chart_axes;
bool chart_axes_for(text_ctx *text, const chart_style *style, layout_rect area,
                    const lf_snapshot *s, chart_axes *out);

/* Draws the title, the axes, both curves and the legend into area. */
void chart_draw(SDL_Renderer *renderer, text_ctx *text, const chart_style *style,
                layout_rect area, const lf_snapshot *s);

#endif

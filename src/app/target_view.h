/*
 * target_view.h: what the window shows differently when the layer learns
 * an operation (--target) instead of a kernel.
 *
 * Then the kernel the learned weights are compared with is the best linear
 * filter over the training patches (the trainer's reference, in the
 * snapshot's target), and its loss is a floor the loss curve approaches
 * and cannot pass. Two small hooks carry that into the window: panel titles
 * that say "best linear filter" instead of "true kernel", and a floor line
 * on the loss chart labelled "best possible". A snapshot without an
 * operation (best.values == 0) draws exactly as before.
 */
#ifndef LEARNFILTER_TARGET_VIEW_H
#define LEARNFILTER_TARGET_VIEW_H

#include <SDL.h>

#include "chart.h"
#include "learnfilter/trainer.h"
#include "text.h"

/* Whether s comes from a trainer learning an operation. */
bool target_view_active(const lf_snapshot *s);

/* The title of layout panel `panel` (layout.h's LAYOUT_*): title itself
 * unless an operation is learned and the panel shows the reference or its
 * output. */
const char *target_view_title(const lf_snapshot *s, int panel, const char *title);

/* The loss the chart's axis must reach down to: the floor when there is
 * one, else NaN. */
double target_view_floor(const lf_snapshot *s);

/* Draws the floor as a dashed line across plot, a loss axis from 10^log_lo
 * (bottom) to 10^log_hi (top), labelled "best possible" at its right end.
 * Nothing without a floor or when it lies outside the axis. */
void target_view_draw_floor(SDL_Renderer *renderer, text_ctx *text, const chart_style *style,
                            SDL_Rect plot, int log_lo, int log_hi, const lf_snapshot *s);

#endif

/*
 * hover_math.h: the arithmetic behind one output pixel, for the hover
 * read-out.
 *
 * The window explains the network by showing, for the pixel under the
 * mouse, the numbers that made it: the input values under the kernel's
 * window, the weights, their products, the sum, the bias and the output,
 * beside the target and the residual there. They are read from one images
 * snapshot (input, output, target and the weights that made the output all
 * come from the same moment), so the sum plus the bias is the output the
 * panel shows, up to float rounding. No SDL here: the tests check it
 * against the trainer's own output.
 */
#ifndef LEARNFILTER_HOVER_MATH_H
#define LEARNFILTER_HOVER_MATH_H

#include <stdbool.h>

#include "learnfilter/trainer.h"

/* Kernels up to this side get every number; larger ones the sum only. */
#define HOVER_MAX_SIDE 7

typedef struct hover_math {
    int out_x, out_y;            /* the output pixel */
    int in_x0, in_y0;            /* the window's top-left input pixel (may be outside) */
    int in_cx, in_cy;            /* the input pixel at the window's centre, clamped inside */
    int kh, kw;
    bool has_terms;              /* kernel within HOVER_MAX_SIDE: the arrays are filled */
    float input[HOVER_MAX_SIDE * HOVER_MAX_SIDE];   /* 0 outside the image (padding) */
    bool inside[HOVER_MAX_SIDE * HOVER_MAX_SIDE];   /* false: a padding zero */
    float weight[HOVER_MAX_SIDE * HOVER_MAX_SIDE];
    float product[HOVER_MAX_SIDE * HOVER_MAX_SIDE];
    double sum;                  /* of all products (every kernel size) */
    float bias;
    double computed;             /* sum + bias */
    float output, target, residual; /* as the snapshot holds them */
} hover_math;

/* The output pixel that panel pixel (px, py) of image slot `slot` (0 the
 * input, 1 output, 2 target, 3 residual) stands for: the same pixel for the
 * output-sized images; for the input, the output pixel whose window is
 * centred on it (clamped to the output). False when s has no images or the
 * pixel is outside. */
bool hover_output_pixel(const lf_snapshot *s, int slot, int px, int py, int *out_x, int *out_y);

/* Fills m for output pixel (x, y) of s (with images). False when there are
 * none or the pixel is outside the output. */
bool hover_math_compute(const lf_snapshot *s, int x, int y, hover_math *m);

#endif

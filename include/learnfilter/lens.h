/*
 * lens.h: one position of a sliding-window operation, taken apart the way
 * the lecture slides do it by hand: which cells lie under the window (the
 * "lens"), what each contributes, and how they combine into the one output
 * number, with the arithmetic written out as a person would read it.
 *
 *   lf_lens_cell cells[LF_LENS_MAX_CELLS];
 *   lf_lens_step step;
 *   lf_lens_explain(&op, grid, 7, 7, out_y, out_x, cells, LF_LENS_MAX_CELLS, &step, &err);
 *   lf_lens_arithmetic(&op, cells, step.cell_count, &step, text, sizeof text);
 *       // "2×1 + 5×0 + 1×(−1) + ... = 7"  or  "max(2, 6, 5, 8, 9) = 9"
 *
 * The result is the same number lf_op_apply_reference writes at that
 * output position for one application (a test holds the two together for
 * every position, operation, padding and stride); repeat is ignored, since
 * the lens explains one pass: for the n-th pass, explain on the result of
 * the first n - 1.
 *
 * The built-in grids are the slides' 7x7 grids of numbers and their 8x8
 * step image, as they were given, so the lens can replay the slides.
 */
#ifndef LEARNFILTER_LENS_H
#define LEARNFILTER_LENS_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/error.h"
#include "learnfilter/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest window the lens takes apart: 9 x 9 cells (a person cannot
 * read more arithmetic than that on one screen). */
#define LF_LENS_MAX_SIDE 9
#define LF_LENS_MAX_CELLS (LF_LENS_MAX_SIDE * LF_LENS_MAX_SIDE)

/* One cell of the window's bounding box. */
typedef struct lf_lens_cell {
    int y, x;     /* position in the input (outside it at the border) */
    bool in_lens; /* part of the window's shape (false: a corner of the plus) */
    bool inside;  /* in_lens and inside the image: the cell takes part */
    float value;  /* the input's value there; 0 outside (zero padding) */
    float weight; /* the kernel's weight (LF_OP_KERNEL); 1 otherwise */
    int rank;     /* median: place in the sorted values (0 = smallest); else -1 */
    bool picked;  /* max, min, median: the cell whose value is the result */
} lf_lens_cell;

/* The whole step at one output position. */
typedef struct lf_lens_step {
    int out_y, out_x;       /* output position */
    int centre_y, centre_x; /* the window's centre in the input */
    int box_h, box_w;       /* the window's bounding box: cells are box_h x box_w */
    int cell_count;         /* box_h * box_w */
    int taking_part;        /* cells inside the image */
    double sum;             /* sum of weight x value over those cells */
    float result;           /* the output value */
} lf_lens_step;

/* Positions one application of op has on an in_h x in_w input (the output
 * is out_h x out_w, visited row by row). */
void lf_lens_output_size(const lf_op *op, int in_h, int in_w, int *out_h, int *out_w);

/* Takes apart output (out_y, out_x) of one application of op to in
 * (in_h x in_w, row-major): fills cells (box_h x box_w of them, row-major
 * over the window's bounding box, at most cell_capacity) and *step.
 * LF_ERR_ARGUMENT for an invalid op, a window larger than LF_LENS_MAX_SIDE,
 * a position outside the output, or cells too few for the window. */
lf_status lf_lens_explain(const lf_op *op, const float *in, int in_h, int in_w, int out_y,
                          int out_x, lf_lens_cell *cells, size_t cell_capacity,
                          lf_lens_step *step, lf_error *err);

/* Writes the step's arithmetic as one line of UTF-8 text into text
 * (capacity bytes, always terminated), cut with "…" when it does not fit;
 * the cells taking part stand in reading order:
 *   kernel  "2×1 + 5×0 + 1×(−1) = 1"      (the cells taking part)
 *   sum     "2 + 5 + 1 + 6 + 8 = 22"
 *   mean    "(2 + 5 + 1 + 6 + 8) / 5 = 4.4"
 *   max     "max(2, 5, 1, 6, 8) = 8"      (min likewise)
 *   median  "sorted 1 2 5 6 8: middle = 5"
 * Returns the bytes written without the terminator. */
size_t lf_lens_arithmetic(const lf_op *op, const lf_lens_cell *cells, int cell_count,
                          const lf_lens_step *step, char *text, size_t capacity);

/* A grid of numbers built in from the slides. */
typedef struct lf_grid {
    const char *name;        /* "grid-a", ... */
    const char *description; /* what the slides use it for */
    int height, width;
    const float *values;     /* height x width, row-major */
} lf_grid;

/* The built-in grids, in the slides' order, and their count. */
const lf_grid *lf_grids(int *count);

/* The grid of that name (any case), or NULL. */
const lf_grid *lf_grid_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif

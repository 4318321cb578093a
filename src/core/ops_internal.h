/*
 * ops_internal.h: what the two halves of the operations share: ops.c (the
 * definitions, the reference loops and the driver that lays out the
 * scratch) and ops_fast.c (the fast path).
 */
#ifndef LEARNFILTER_OPS_INTERNAL_H
#define LEARNFILTER_OPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "learnfilter/ops.h"

/* The geometry of one application: input size, window reach before and
 * after the centre on each axis, and which centres the outputs sit on. */
typedef struct pass {
    int in_h, in_w;
    int up, down, left, right; /* window reach around the centre */
    int out_h, out_w;
    int first_y, first_x;      /* centre of output (0, 0) */
    int stride;
} pass;

/* Scratch for one application and its repeats, carved from one block sized
 * for the first input (each pass's input is no larger: 'valid' padding and
 * strides only shrink it). Only the pieces the operation uses are laid out;
 * the rest stay NULL. */
typedef struct scratch {
    float *map;       /* the operation at every centre: in_h x in_w */
    double *prefix;   /* running sums: max(in_h, in_w) + 1 */
    double *row_sums; /* in_h x in_w, window sums along rows */
    float *row_ext;   /* in_h x in_w, window max/min along rows */
    int *queue;       /* max(in_h, in_w) indices */
    float *values;    /* window values for the median (and every reference reduction) */
    float *across;    /* in_h x in_w: a gradient's correlation with the transpose */
    float *transposed; /* a gradient's kernel, transposed */
    float *buffers[2]; /* in_h x in_w each, between repeats; NULL for one application */
    float *columns;   /* 3 x in_w: a 3x3 median's sorted column triples */
    int value_capacity;
} scratch;

/* Collects the values under the window centred at (cy, cx) that lie inside
 * the image, in row-major order; returns how many (at most capacity). */
int ops_gather(const lf_op *op, const pass *p, const float *in, int cy, int cx, float *values,
               int capacity);
/* Reduces count (>= 1) values as op's kind says; sorts them for the median. */
float ops_reduce_reference(lf_op_kind kind, float *values, int count);
/* Whether op is the 3x3 square median, which the fast path does by columns
 * (and whose scratch holds them). */
bool ops_is_median3(const lf_op *op);
/* One application, fast, into out (p->out_h x p->out_w), with s laid out
 * for op by ops.c. */
lf_status ops_pass_fast(const lf_op *op, const pass *p, const float *in, float *out, scratch *s,
                        lf_error *err);

#endif

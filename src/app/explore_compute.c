/*
 * explore_compute.c: what the explore mode shows, made from its state
 * (explore.h): the result columns (the user's operation or a comparison),
 * the lens's grid and output, the 1-D plots, and the words and formulas
 * that label them.
 *
 * Results are recomputed only when an action changed something (dirty),
 * never per frame: a 9x9 median over a 256x256 photo is a few
 * milliseconds, a key press's worth, not a frame's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "explore_internal.h"

void explore_op_name(const lf_op *op, const lf_kernel *kernel, char *out, size_t capacity)
{
    char extra[64] = "";
    int repeat = op->repeat > 0 ? op->repeat : 1;
    if (repeat > 1)
        snprintf(extra, sizeof extra, ", %d times", repeat);
    if (op->kind == LF_OP_KERNEL)
        snprintf(out, capacity, "%s (%dx%d)%s", kernel && kernel->name[0] ? kernel->name : "kernel",
                 op->kernel_h, op->kernel_w, extra);
    else if (op->window == LF_WINDOW_PLUS)
        snprintf(out, capacity, "%s over the plus lens%s", lf_op_kind_name(op->kind), extra);
    else
        snprintf(out, capacity, "%s %dx%d%s", lf_op_kind_name(op->kind), op->size, op->size, extra);
}

void explore_size_formula(const lf_op *op, int n, char *out, size_t capacity)
{
    int fh, fw;
    lf_op_window(op, &fh, &fw);
    int f = fw, stride = op->stride > 0 ? op->stride : 1;
    int two_p = op->padding == LF_PADDING_SAME ? f - 1 : 0; /* both sides together */
    int numerator = n - f + two_p;
    int result = numerator >= 0 ? numerator / stride + 1 : 0;
    /* ⌊ ⌋ and the minus sign, as the slides write it. */
    snprintf(out, capacity,
             "\xE2\x8C\x8A(n \xE2\x88\x92 f + 2p)/s\xE2\x8C\x8B + 1 = "
             "\xE2\x8C\x8A(%d \xE2\x88\x92 %d + %d)/%d\xE2\x8C\x8B + 1 = %d",
             n, f, two_p, stride, result);
}

static int compare_floats(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The range, and the limit signed and |value| colours use: the 99.5th
 * percentile of |value|, as the training window's images do, so a few
 * extreme pixels do not wash the rest out. scratch holds the values. */
static void range_of(explore_result *r, float *scratch)
{
    size_t n = (size_t)r->height * (size_t)r->width;
    r->lo = r->hi = n ? r->values[0] : 0.0f;
    for (size_t i = 0; i < n; i++) {
        if (r->values[i] < r->lo)
            r->lo = r->values[i];
        if (r->values[i] > r->hi)
            r->hi = r->values[i];
        scratch[i] = fabsf(r->values[i]);
    }
    r->limit = 0;
    if (n) {
        qsort(scratch, n, sizeof *scratch, compare_floats);
        r->limit = scratch[(size_t)((double)(n - 1) * 0.995)];
    }
    if (!(r->limit > 0))
        r->limit = fmaxf(fabsf(r->lo), fabsf(r->hi));
}

/* A Gaussian of standard deviation sigma as a normalised kernel of side
 * 6 sigma + 1 (at most the kernel limit), from the 1-D window. */
static void gaussian_kernel(lf_kernel *k, double sigma)
{
    float taps[LF_KERNEL_MAX_SIDE];
    int side = (int)(6 * sigma) + 1;
    if (side > LF_KERNEL_MAX_SIDE)
        side = LF_KERNEL_MAX_SIDE - (LF_KERNEL_MAX_SIDE % 2 ? 0 : 1);
    lf_error err;
    memset(k, 0, sizeof *k);
    if (lf_window1d_make(LF_WINDOW1D_GAUSSIAN, side, sigma, taps, LF_KERNEL_MAX_SIDE, &err) !=
        LF_OK)
        return;
    double sum = 0;
    for (int i = 0; i < side; i++)
        for (int j = 0; j < side; j++)
            sum += (double)taps[i] * taps[j];
    for (int i = 0; i < side; i++)
        for (int j = 0; j < side; j++)
            k->weights[i * side + j] = (float)(taps[i] * taps[j] / sum);
    k->height = k->width = side;
    snprintf(k->name, sizeof k->name, "Gaussian \xCF\x83 %g", sigma);
}

/* Sets result i to the catalog kernel called name. */
static void catalog_column(explore_result *r, const char *name)
{
    lf_error err;
    if (lf_kernel_from_name(&r->kernel, name, 1, &err) != LF_OK)
        memset(&r->kernel, 0, sizeof r->kernel);
    r->op = (lf_op){.kind = LF_OP_KERNEL, .kernel = r->kernel.weights,
                    .kernel_h = r->kernel.height, .kernel_w = r->kernel.width};
}

/* The columns a comparison shows, before the user's stride and padding. */
static int build_columns(explore_state *s)
{
    explore_result *r = s->results;
    switch (s->compare) {
    case EXPLORE_COMPARE_BOX_SIZE:
        catalog_column(&r[0], "box3");
        catalog_column(&r[1], "box7");
        return 2;
    case EXPLORE_COMPARE_REPEAT:
        for (int i = 0; i < 4; i++)
            r[i].op = (lf_op){.kind = LF_OP_MEAN, .size = 3, .repeat = explore_repeats[i]};
        return 4;
    case EXPLORE_COMPARE_MEDIAN:
        r[0].op = (lf_op){.kind = LF_OP_MEDIAN, .size = 9};
        r[1].op = (lf_op){.kind = LF_OP_MEAN, .size = 9};
        return 2;
    case EXPLORE_COMPARE_GAUSSIAN:
        for (int i = 0; i < 2; i++) {
            gaussian_kernel(&r[i].kernel, i ? 8.0 : 2.0);
            r[i].op = (lf_op){.kind = LF_OP_KERNEL, .kernel = r[i].kernel.weights,
                              .kernel_h = r[i].kernel.height, .kernel_w = r[i].kernel.width};
        }
        return 2;
    case EXPLORE_COMPARE_EDGES:
        catalog_column(&r[0], "edge-x");
        catalog_column(&r[1], "edge-y");
        catalog_column(&r[2], "line");
        return 3;
    default:
        r[0].op = explore_current_op(s, &r[0].kernel);
        return 1;
    }
}

static lf_status update_results(explore_state *s, lf_error *err)
{
    const explore_image *in = &s->images[s->image_index];
    int count = build_columns(s);
    for (int i = 0; i < count; i++) {
        explore_result *r = &s->results[i];
        if (s->compare != EXPLORE_COMPARE_NONE) {
            r->op.stride = s->stride;
            r->op.padding = s->padding;
        }
        lf_status st = lf_op_apply(&r->op, in->values, in->height, in->width, r->values,
                                   (size_t)EXPLORE_MAX_SIDE * EXPLORE_MAX_SIDE, &r->height,
                                   &r->width, err);
        if (st != LF_OK) {
            s->result_count = 0;
            return st;
        }
        explore_op_name(&r->op, r->op.kind == LF_OP_KERNEL ? &r->kernel : NULL, r->label,
                        sizeof r->label);
        range_of(r, s->scratch);
        r->shown = s->display != EXPLORE_DISPLAY_AUTO ? s->display
                   : r->lo < 0                       ? EXPLORE_DISPLAY_SIGNED
                                                     : EXPLORE_DISPLAY_GRAY;
    }
    s->result_count = count;
    if (s->compare != EXPLORE_COMPARE_NONE && s->display == EXPLORE_DISPLAY_AUTO) {
        /* A comparison shares one scale, so equal shades mean equal values
         * across the columns: ten means look flatter than one. */
        float lo = s->results[0].lo, hi = s->results[0].hi, limit = 0;
        bool signed_any = false;
        for (int i = 0; i < count; i++) {
            lo = fminf(lo, s->results[i].lo);
            hi = fmaxf(hi, s->results[i].hi);
            limit = fmaxf(limit, s->results[i].limit);
            signed_any |= s->results[i].shown == EXPLORE_DISPLAY_SIGNED;
        }
        for (int i = 0; i < count; i++) {
            s->results[i].shared_lo = lo;
            s->results[i].shared_hi = hi;
            s->results[i].limit = limit;
            s->results[i].shown = signed_any ? EXPLORE_DISPLAY_SIGNED : EXPLORE_DISPLAY_GRAY;
        }
    } else {
        for (int i = 0; i < count; i++) {
            s->results[i].shared_lo = s->results[i].lo;
            s->results[i].shared_hi = s->results[i].hi;
        }
    }
    return LF_OK;
}

/* The lens input: the grid itself, or a crop of the photo's centre as
 * 8-bit numbers (what a person reads off a zoomed-in picture). */
static lf_status update_lens_input(explore_state *s, lf_error *err)
{
    const explore_image *img = &s->images[s->image_index];
    free(s->lens_input.values);
    memset(&s->lens_input, 0, sizeof s->lens_input);
    if (img->is_grid)
        return explore_image_from_values(&s->lens_input, img->name, img->values, img->height,
                                 img->width, true, err);
    int side = EXPLORE_CROP_SIDE;
    int h = img->height < side ? img->height : side, w = img->width < side ? img->width : side;
    float crop[EXPLORE_CROP_SIDE * EXPLORE_CROP_SIDE];
    int y0 = (img->height - h) / 2, x0 = (img->width - w) / 2;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            crop[y * w + x] = roundf(255.0f * img->values[(y0 + y) * img->width + x0 + x]);
    char name[96];
    snprintf(name, sizeof name, "%.40s, centre %dx%d", img->name, h, w);
    return explore_image_from_values(&s->lens_input, name, crop, h, w, false, err);
}

static lf_status update_lens(explore_state *s, lf_error *err)
{
    lf_status st = update_lens_input(s, err);
    if (st != LF_OK)
        return st;
    s->lens_positions = 0;
    s->lens_text[0] = '\0';
    s->lens_message[0] = '\0';
    lf_kernel kernel;
    lf_op op = explore_current_op(s, &kernel);
    op.repeat = 1;
    int fh, fw;
    lf_op_window(&op, &fh, &fw);
    if (fh > LF_LENS_MAX_SIDE || fw > LF_LENS_MAX_SIDE) {
        snprintf(s->lens_message, sizeof s->lens_message,
                 "the lens shows windows up to %dx%d: this one is %dx%d", LF_LENS_MAX_SIDE,
                 LF_LENS_MAX_SIDE, fh, fw);
        return LF_OK;
    }
    const explore_image *in = &s->lens_input;
    int oh, ow;
    lf_lens_output_size(&op, in->height, in->width, &oh, &ow);
    if (oh <= 0 || ow <= 0) {
        snprintf(s->lens_message, sizeof s->lens_message,
                 "a %dx%d window does not fit the %dx%d grid without padding", fh, fw,
                 in->height, in->width);
        return LF_OK;
    }
    st = lf_op_apply_reference(&op, in->values, in->height, in->width, s->lens_output,
                               sizeof s->lens_output / sizeof s->lens_output[0], &oh, &ow, err);
    if (st != LF_OK)
        return st;
    s->lens_out_h = oh;
    s->lens_out_w = ow;
    s->lens_positions = oh * ow;
    if (s->lens_position >= s->lens_positions)
        s->lens_position = 0;
    /* Explain the current position (a step of zero). */
    s->lens_position = (s->lens_position + s->lens_positions - 1) % s->lens_positions;
    return explore_lens_action(s, EXPLORE_LENS_STEP) ? LF_OK
                                                   : lf_fail(err, LF_ERR_ARGUMENT, "%s",
                                                             s->message);
}

static lf_status update_signal(explore_state *s, lf_error *err)
{
    lf_signal_step(s->signal, EXPLORE_SIGNAL_LENGTH, EXPLORE_SIGNAL_LENGTH);
    lf_status st = lf_window1d_make(s->signal_window, s->signal_taps, 0, s->signal_kernel,
                                    EXPLORE_SIGNAL_MAX_TAPS, err);
    if (st != LF_OK)
        return st;
    return lf_convolve1d_normalised(s->signal, EXPLORE_SIGNAL_LENGTH, s->signal_kernel,
                                    s->signal_taps, s->signal_out, EXPLORE_SIGNAL_LENGTH, err);
}

lf_status explore_update(explore_state *s, lf_error *err)
{
    if (!s->dirty)
        return LF_OK;
    if (s->image_count < 1)
        return lf_fail(err, LF_ERR_INPUT, "explore has no images");
    lf_status st = update_results(s, err);
    if (st == LF_OK)
        st = update_lens(s, err);
    if (st == LF_OK)
        st = update_signal(s, err);
    if (st != LF_OK)
        explore_set_message(s, err->message);
    s->dirty = false;
    s->version++;
    return st;
}

const explore_image *explore_lens_input(const explore_state *s)
{
    return &s->lens_input;
}

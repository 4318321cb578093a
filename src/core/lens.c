/*
 * lens.c: one output position of a sliding-window operation, taken apart
 * (lens.h), and the slides' built-in grids.
 *
 * The cells are visited in the order ops.c's reference visits them (row by
 * row; the plus lens as centre, up, down, left, right), and the sums are
 * made in double in that order, so the result here is the reference's to
 * the bit, not merely close: the window shows the number the operation
 * wrote, and the test can hold the two equal.
 */
#include "learnfilter/lens.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The plus lens in the reference's order: centre, up, down, left, right. */
static const int plus_order[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};

/* The operation as one application. */
static lf_op one_pass(const lf_op *op)
{
    lf_op once = *op;
    once.repeat = 1;
    return once;
}

void lf_lens_output_size(const lf_op *op, int in_h, int in_w, int *out_h, int *out_w)
{
    lf_op once = one_pass(op);
    lf_op_output_size(&once, in_h, in_w, out_h, out_w);
}

/* Index into the bounding box of the k-th cell the reference visits, or -1
 * when the box has fewer cells in the lens. */
static int visit_order(const lf_op *op, int box_w, int cell_count, int k)
{
    if (op->kind != LF_OP_KERNEL && op->window == LF_WINDOW_PLUS) {
        if (k >= 5)
            return -1;
        return (1 + plus_order[k][0]) * box_w + (1 + plus_order[k][1]);
    }
    return k < cell_count ? k : -1;
}

/* Fills the box's cells: position, shape, value, weight. */
static void fill_cells(const lf_op *op, const float *in, int in_h, int in_w, lf_lens_step *s,
                       lf_lens_cell *cells)
{
    int up = (s->box_h - 1) / 2, left = (s->box_w - 1) / 2;
    for (int i = 0; i < s->box_h; i++)
        for (int j = 0; j < s->box_w; j++) {
            lf_lens_cell *c = &cells[i * s->box_w + j];
            c->y = s->centre_y - up + i;
            c->x = s->centre_x - left + j;
            bool plus = op->kind != LF_OP_KERNEL && op->window == LF_WINDOW_PLUS;
            c->in_lens = !plus || i == 1 || j == 1;
            bool in_image = c->y >= 0 && c->y < in_h && c->x >= 0 && c->x < in_w;
            c->inside = c->in_lens && in_image;
            c->value = in_image ? in[(size_t)c->y * (size_t)in_w + (size_t)c->x] : 0.0f;
            c->weight = op->kind == LF_OP_KERNEL ? op->kernel[i * op->kernel_w + j] : 1.0f;
            c->rank = -1;
            c->picked = false;
        }
}

/* Ranks the cells taking part by value, ties in visiting order (the
 * reference's insertion sort is stable too), and marks the lower middle. */
static float rank_for_median(const lf_op *op, lf_lens_step *s, lf_lens_cell *cells)
{
    int order[LF_LENS_MAX_CELLS], n = 0;
    for (int k = 0;; k++) {
        int idx = visit_order(op, s->box_w, s->cell_count, k);
        if (idx < 0)
            break;
        if (!cells[idx].inside)
            continue;
        /* Insertion: after every equal value already placed. */
        int j = n - 1;
        while (j >= 0 && cells[order[j]].value > cells[idx].value) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = idx;
        n++;
    }
    for (int r = 0; r < n; r++)
        cells[order[r]].rank = r;
    lf_lens_cell *middle = &cells[order[(n - 1) / 2]];
    middle->picked = true;
    return middle->value;
}

/* Combines the cells taking part as op says; fills s->sum, taking_part and
 * result, and marks the picked cell of a max or min. */
static void combine(const lf_op *op, lf_lens_step *s, lf_lens_cell *cells)
{
    double acc = 0;
    int best = -1, n = 0;
    for (int k = 0;; k++) {
        int idx = visit_order(op, s->box_w, s->cell_count, k);
        if (idx < 0)
            break;
        const lf_lens_cell *c = &cells[idx];
        if (!c->inside)
            continue;
        n++;
        acc += (double)c->weight * c->value;
        if (best < 0 || (op->kind == LF_OP_MAX && c->value > cells[best].value) ||
            (op->kind == LF_OP_MIN && c->value < cells[best].value))
            best = idx;
    }
    s->taking_part = n;
    s->sum = acc;
    switch (op->kind) {
    case LF_OP_KERNEL:
    case LF_OP_SUM:
        s->result = (float)acc;
        break;
    case LF_OP_MEAN:
        s->result = (float)(acc / n);
        break;
    case LF_OP_MAX:
    case LF_OP_MIN:
        cells[best].picked = true;
        s->result = cells[best].value;
        break;
    case LF_OP_MEDIAN:
        s->result = rank_for_median(op, s, cells);
        break;
    case LF_OP_ABS:
    case LF_OP_GRADIENT: /* refused by lf_lens_explain */
        break;
    }
}

lf_status lf_lens_explain(const lf_op *op, const float *in, int in_h, int in_w, int out_y,
                          int out_x, lf_lens_cell *cells, size_t cell_capacity,
                          lf_lens_step *step, lf_error *err)
{
    lf_op once = one_pass(op);
    lf_status st = lf_op_validate(&once, err);
    if (st != LF_OK)
        return st;
    if (!in || in_h <= 0 || in_w <= 0)
        return lf_fail(err, LF_ERR_ARGUMENT, "the lens needs an input of at least 1x1");
    if (once.kind == LF_OP_ABS || once.kind == LF_OP_GRADIENT)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the lens shows one window's sum at a time; %s combines whole results",
                       lf_op_kind_name(once.kind));
    int box_h, box_w;
    lf_op_window(&once, &box_h, &box_w);
    if (box_h > LF_LENS_MAX_SIDE || box_w > LF_LENS_MAX_SIDE)
        return lf_fail(err, LF_ERR_ARGUMENT,
                       "the lens shows windows up to %dx%d; this one is %dx%d",
                       LF_LENS_MAX_SIDE, LF_LENS_MAX_SIDE, box_h, box_w);
    if (!cells || cell_capacity < (size_t)box_h * (size_t)box_w)
        return lf_fail(err, LF_ERR_ARGUMENT, "room for %zu cells; the window has %d",
                       cell_capacity, box_h * box_w);
    int out_h, out_w;
    lf_op_output_size(&once, in_h, in_w, &out_h, &out_w);
    if (out_y < 0 || out_y >= out_h || out_x < 0 || out_x >= out_w)
        return lf_fail(err, LF_ERR_ARGUMENT, "position (%d, %d) is outside the %dx%d output",
                       out_y, out_x, out_h, out_w);
    int stride = once.stride > 0 ? once.stride : 1;
    bool valid = once.padding == LF_PADDING_VALID;
    lf_lens_step s = {.out_y = out_y, .out_x = out_x, .box_h = box_h, .box_w = box_w,
                      .cell_count = box_h * box_w};
    s.centre_y = (valid ? (box_h - 1) / 2 : 0) + out_y * stride;
    s.centre_x = (valid ? (box_w - 1) / 2 : 0) + out_x * stride;
    fill_cells(&once, in, in_h, in_w, &s, cells);
    combine(&once, &s, cells);
    *step = s;
    return LF_OK;
}

/* =========================================================== the text */

/* A bounded writer: appends while there is room, remembers that it ran
 * out, and never splits a UTF-8 character. */
typedef struct writer {
    char *text;
    size_t capacity, used;
    bool cut;
} writer;

static void put(writer *w, const char *s)
{
    if (w->cut)
        return;
    size_t n = strlen(s);
    /* Keep room for "…" (3 bytes) and the terminator. */
    if (w->used + n + 4 > w->capacity) {
        w->cut = true;
        const char ellipsis[] = "\xE2\x80\xA6";
        if (w->used + sizeof ellipsis <= w->capacity) {
            memcpy(w->text + w->used, ellipsis, sizeof ellipsis);
            w->used += sizeof ellipsis - 1;
        }
        return;
    }
    memcpy(w->text + w->used, s, n + 1);
    w->used += n;
}

/* A number as a person writes it: whole numbers without decimals, others
 * with up to four significant digits; a minus sign, not a hyphen. */
static void put_number(writer *w, double v, bool parenthesise_negative)
{
    char digits[32];
    double mag = fabs(v);
    if (mag == floor(mag) && mag < 1e7)
        snprintf(digits, sizeof digits, "%.0f", mag);
    else
        snprintf(digits, sizeof digits, "%.4g", mag);
    bool negative = v < 0 && strcmp(digits, "0") != 0;
    if (negative && parenthesise_negative)
        put(w, "(");
    if (negative)
        put(w, "\xE2\x88\x92"); /* U+2212 minus */
    put(w, digits);
    if (negative && parenthesise_negative)
        put(w, ")");
}

size_t lf_lens_arithmetic(const lf_op *op, const lf_lens_cell *cells, int cell_count,
                          const lf_lens_step *step, char *text, size_t capacity)
{
    if (!text || capacity == 0)
        return 0;
    text[0] = '\0';
    writer w = {.text = text, .capacity = capacity};
    if (!cells || !step || cell_count < step->cell_count)
        return 0;
    /* The cells taking part in reading order (row by row), as they stand
     * on the screen; the sum's order does not change the number shown. */
    int order[LF_LENS_MAX_CELLS], n = 0;
    for (int idx = 0; idx < step->cell_count && idx < LF_LENS_MAX_CELLS; idx++)
        if (cells[idx].inside)
            order[n++] = idx;
    switch (op->kind) {
    case LF_OP_KERNEL:
        for (int i = 0; i < n; i++) {
            if (i)
                put(&w, " + ");
            put_number(&w, cells[order[i]].value, true);
            put(&w, "\xC3\x97"); /* × */
            put_number(&w, cells[order[i]].weight, true);
        }
        put(&w, " = ");
        break;
    case LF_OP_SUM:
    case LF_OP_MEAN:
        if (op->kind == LF_OP_MEAN)
            put(&w, "(");
        for (int i = 0; i < n; i++) {
            if (i)
                put(&w, " + ");
            put_number(&w, cells[order[i]].value, true);
        }
        if (op->kind == LF_OP_MEAN) {
            char count[32];
            snprintf(count, sizeof count, ") / %d", n);
            put(&w, count);
        }
        put(&w, " = ");
        break;
    case LF_OP_MAX:
    case LF_OP_MIN:
        put(&w, op->kind == LF_OP_MAX ? "max(" : "min(");
        for (int i = 0; i < n; i++) {
            if (i)
                put(&w, ", ");
            put_number(&w, cells[order[i]].value, false);
        }
        put(&w, ") = ");
        break;
    case LF_OP_MEDIAN: {
        put(&w, "sorted");
        for (int r = 0; r < n; r++)
            for (int i = 0; i < n; i++)
                if (cells[order[i]].rank == r) {
                    put(&w, " ");
                    put_number(&w, cells[order[i]].value, false);
                }
        put(&w, n % 2 ? ": middle = " : ": lower middle = ");
        break;
    }
    case LF_OP_ABS:
    case LF_OP_GRADIENT:
        break;
    }
    put_number(&w, step->result, false);
    return w.used;
}

/* ========================================================== the grids */

/* The slides' grids, row by row, exactly as given. */
static const float grid_a[49] = {2, 5, 1, 3, 4, 8, 9, 6, 8, 9, 2, 3, 7, 9, 5, 9, 5,
                                 9, 0, 8, 9, 7, 1, 3, 4, 6, 9, 5, 3, 9, 2, 3, 7, 1,
                                 3, 8, 6, 0, 1, 3, 9, 2, 7, 3, 4, 2, 4, 8, 6};
static const float grid_b[49] = {2, 2, 1, 0, 2, 1, 1, 3, 2, 1, 2, 3, 2, 0, 1, 0, 2,
                                 1, 0, 2, 1, 1, 0, 2, 1, 0, 2, 1, 2, 1, 1, 0, 2, 2,
                                 1, 1, 2, 2, 0, 2, 3, 2, 2, 1, 0, 2, 2, 0, 2};
static const float grid_c[49] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1,
                                 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                                 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const float step_8[64] = {1, 1, 1, 1, 5, 5, 5, 5, 1, 1, 1, 1, 5, 5, 5, 5,
                                 1, 1, 1, 1, 5, 5, 5, 5, 1, 1, 1, 1, 5, 5, 5, 5,
                                 1, 1, 1, 1, 5, 5, 5, 5, 1, 1, 1, 1, 5, 5, 5, 5,
                                 1, 1, 1, 1, 5, 5, 5, 5, 1, 1, 1, 1, 5, 5, 5, 5};

static const lf_grid grids[] = {
    {"grid-a", "sum and max of pixels", 7, 7, grid_a},
    {"grid-b", "weighted sum and median", 7, 7, grid_b},
    {"grid-c", "a binary shape: dilation (max) and mean", 7, 7, grid_c},
    {"step-8", "a step, for the edge kernel [-1 0 1] without padding", 8, 8, step_8},
};

const lf_grid *lf_grids(int *count)
{
    if (count)
        *count = (int)(sizeof grids / sizeof grids[0]);
    return grids;
}

const lf_grid *lf_grid_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof grids / sizeof grids[0]; i++)
        if (!strcasecmp(grids[i].name, name))
            return &grids[i];
    return NULL;
}

/*
 * chart.c: the loss chart: a log-step x axis and a clamped log-loss y
 * axis. See chart.h.
 */
#include "chart.h"

#include <math.h>
#include <stdio.h>

#include "target_view.h"

/* ========================================================== the axes */

double chart_step_axis_end(long last_step)
{
    double want = last_step > 10 ? (double)last_step : 10;
    static const double mantissas[3] = {1, 2, 5};
    for (double power = 10;; power *= 10)
        for (int i = 0; i < 3; i++)
            if (mantissas[i] * power >= want * (1 - 1e-12))
                return mantissas[i] * power;
}

double chart_step_position(double step, double axis_end)
{
    if (!(step > 1) || !(axis_end > 1))
        return 0;
    double p = log10(step) / log10(axis_end);
    return p > 1 ? 1 : p;
}

int chart_step_ticks(double axis_end, double *ticks, int capacity)
{
    int n = 0;
    for (double t = 1; t <= axis_end * (1 + 1e-12) && n < capacity; t *= 10)
        ticks[n++] = t;
    return n;
}

void chart_step_label(char *out, int size, double step)
{
    static const char *const suffixes[] = {"", "k", "M", "G"};
    int group = 0;
    while (step >= 1000 && group < 3) {
        step /= 1000;
        group++;
    }
    snprintf(out, (size_t)size, "%.0f%s", step, suffixes[group]);
}

void chart_loss_decades(double first, double lo, double hi, int *log_lo, int *log_hi)
{
    int top = (int)ceil(log10(hi));
    int bottom = (int)floor(log10(lo));
    if (first > 0 && isfinite(first)) {
        int first_top = (int)ceil(log10(first));
        if (first_top > top)
            top = first_top;
        if (bottom < first_top - CHART_MAX_DECADES)
            bottom = first_top - CHART_MAX_DECADES;
    }
    if (top - bottom < 1)
        bottom = top - 1;
    *log_lo = bottom;
    *log_hi = top;
}

int chart_curve_points(const lf_history *h, bool validation, layout_rect plot, double x_end,
                       int log_lo, int log_hi, SDL_FPoint *points, int capacity)
{
    if (plot.w < 1 || plot.h < 1 || capacity < 1)
        return 0;
    const double span = log_hi > log_lo ? log_hi - log_lo : 1;
    const float left = (float)plot.x, right = (float)(plot.x + plot.w - 1);
    const float top = (float)plot.y, bottom = (float)(plot.y + plot.h - 1);
    int n = 0;
    int count = h->count < LF_HISTORY_MAX ? h->count : LF_HISTORY_MAX;
    for (int i = 0; i < count && n < capacity; i++) {
        double v = validation ? h->points[i].val_loss : h->points[i].train_loss;
        if (!(v > 0) || !isfinite(v))
            continue;
        double level = fmin(fmax(log10(v), (double)log_lo), (double)log_hi);
        double x = plot.x + chart_step_position((double)h->points[i].step, x_end) * (plot.w - 1);
        double y = plot.y + plot.h - 1 - (level - log_lo) / span * (plot.h - 1);
        if (!isfinite(x) || !isfinite(y))
            continue;
        /* Every point inside the plot, whatever the numbers: a coordinate
         * far outside it sends the software renderer's line clipping into
         * huge allocations. */
        points[n].x = fminf(fmaxf((float)x, left), right);
        points[n].y = fminf(fmaxf((float)y, top), bottom);
        n++;
    }
    return n;
}

/* ============================================================ drawing */

static int px(const chart_style *st, int pixels)
{
    int v = (int)(pixels * st->scale + 0.5f);
    return v < 1 ? 1 : v;
}

static void set_color(SDL_Renderer *R, SDL_Color c) { SDL_SetRenderDrawColor(R, c.r, c.g, c.b, c.a); }

static void fill(SDL_Renderer *R, layout_rect rect, SDL_Color c)
{
    set_color(R, c);
    SDL_Rect s = {rect.x, rect.y, rect.w, rect.h};
    /* Opaque: no blending, which the software renderer does pixel by pixel. */
    SDL_BlendMode mode = SDL_BLENDMODE_NONE;
    SDL_GetRenderDrawBlendMode(R, &mode);
    if (c.a == 255 && mode == SDL_BLENDMODE_BLEND)
        SDL_SetRenderDrawBlendMode(R, SDL_BLENDMODE_NONE);
    SDL_RenderFillRect(R, &s);
    SDL_SetRenderDrawBlendMode(R, mode);
}

/* Both curves' finite, positive losses: their range, the last step, and the
 * first loss of the run (the top of the y axis). */
static bool loss_extent(const lf_snapshot *s, double *first, double *lo, double *hi,
                        long *last_step)
{
    *first = NAN;
    *lo = INFINITY;
    *hi = -INFINITY;
    *last_step = 1;
    for (int curve = 0; curve < 2; curve++) {
        const lf_history *h = curve == 0 ? &s->steps : &s->epochs;
        for (int i = 0; i < h->count; i++) {
            double v = curve == 0 ? h->points[i].train_loss : h->points[i].val_loss;
            if (h->points[i].step > *last_step)
                *last_step = h->points[i].step;
            if (!(v > 0) || !isfinite(v))
                continue;
            if (curve == 0 && isnan(*first))
                *first = v;
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    }
    return *lo <= *hi;
}

bool chart_axes_for(text_ctx *text, const chart_style *st, layout_rect area,
                    const lf_snapshot *s, chart_axes *out)
{
    *out = (chart_axes){0};
    if (area.w < px(st, 80) || area.h < px(st, 60))
        return false;
    int small = text_line_height(text, TEXT_SMALL);
    int title_h = px(st, 22);
    layout_rect plot = {area.x + px(st, 46), area.y + title_h + px(st, 4), 0, 0};
    plot.w = area.x + area.w - plot.x - px(st, 6);
    plot.h = area.y + area.h - plot.y - small * 2 - px(st, 8);
    if (plot.w < 20 || plot.h < 20)
        return false;
    out->plot = plot;
    double first, lo, hi;
    long last_step;
    if (!loss_extent(s, &first, &lo, &hi, &last_step))
        return true; /* a plot, but no curve yet */
    double floor = target_view_floor(s); /* the best linear filter's loss, if any */
    if (floor > 0)
        lo = fmin(lo, floor);
    chart_loss_decades(first, lo, hi, &out->log_lo, &out->log_hi);
    out->x_end = chart_step_axis_end(last_step);
    out->has_curve = true;
    return true;
}

void chart_draw(SDL_Renderer *R, text_ctx *text, const chart_style *st, layout_rect area,
                const lf_snapshot *s)
{
    if (area.w < px(st, 80) || area.h < px(st, 60))
        return;
    int title_h = px(st, 22);
    int ty = area.y + (title_h - text_line_height(text, TEXT_TITLE)) / 2;
    /* Titles and notes are left out rather than cut when the chart is narrow. */
    const char *title = text_width(text, TEXT_TITLE, "Loss (MSE, log scale)") <= area.w
                            ? "Loss (MSE, log scale)"
                            : "Loss";
    if (text_width(text, TEXT_TITLE, title) <= area.w)
        text_draw(text, TEXT_TITLE, area.x, ty, title, st->text, TEXT_LEFT);

    int small = text_line_height(text, TEXT_SMALL);
    chart_axes axes;
    if (!chart_axes_for(text, st, area, s, &axes))
        return;
    layout_rect plot = axes.plot;
    fill(R, plot, st->panel);
    if (!axes.has_curve) {
        const char *note = "the curve starts with the first step";
        if (text_width(text, TEXT_BODY, note) > plot.w - px(st, 8))
            note = "no steps yet";
        if (text_width(text, TEXT_BODY, note) <= plot.w - px(st, 8))
            text_draw(text, TEXT_BODY, plot.x + plot.w / 2, plot.y + plot.h / 2 - small / 2, note,
                      st->dim, TEXT_CENTER);
        return;
    }
    int log_lo = axes.log_lo, log_hi = axes.log_hi;
    double x_end = axes.x_end;

    /* Grid: a line per decade of loss (labelled as room allows) and one per
     * decade of steps. */
    int decades = log_hi - log_lo;
    int label_every = 1 + decades / (plot.h / (small * 2) > 0 ? plot.h / (small * 2) : 1);
    for (int d = 0; d <= decades; d++) {
        int y = plot.y + plot.h - 1 - (int)((double)d / decades * (plot.h - 1));
        SDL_SetRenderDrawColor(R, 255, 255, 255, 28);
        SDL_RenderDrawLine(R, plot.x, y, plot.x + plot.w - 1, y);
        if (d % label_every)
            continue;
        char label[32];
        int e = log_lo + d;
        if (e < 0)
            snprintf(label, sizeof label, "1e\xe2\x88\x92%d", -e);
        else
            snprintf(label, sizeof label, "1e%d", e);
        text_draw(text, TEXT_SMALL, plot.x - px(st, 4), y - small / 2, label, st->dim,
                  TEXT_RIGHT);
    }
    double ticks[16];
    int count = chart_step_ticks(x_end, ticks, (int)(sizeof ticks / sizeof ticks[0]));
    for (int i = 0; i < count; i++) {
        int x = plot.x + (int)(chart_step_position(ticks[i], x_end) * (plot.w - 1));
        SDL_SetRenderDrawColor(R, 255, 255, 255, 18);
        SDL_RenderDrawLine(R, x, plot.y, x, plot.y + plot.h - 1);
        char label[32];
        chart_step_label(label, sizeof label, ticks[i]);
        /* Centred under its tick, but not past the chart's right edge. */
        int label_w = text_width(text, TEXT_SMALL, label);
        bool at_end = i > 0 && x - label_w / 2 + label_w > area.x + area.w;
        text_draw(text, TEXT_SMALL, at_end ? area.x + area.w : x, plot.y + plot.h + px(st, 2),
                  label, st->dim, i == 0 ? TEXT_LEFT : at_end ? TEXT_RIGHT : TEXT_CENTER);
    }
    if (count > 0 && ticks[count - 1] < x_end) {
        /* The end of the axis, when it is not a power of ten and there is
         * room beside the last one. */
        char label[32];
        chart_step_label(label, sizeof label, x_end);
        int last_x = plot.x + (int)(chart_step_position(ticks[count - 1], x_end) * (plot.w - 1));
        int w = text_width(text, TEXT_SMALL, label);
        if (plot.x + plot.w - last_x > 2 * w + px(st, 8))
            text_draw(text, TEXT_SMALL, plot.x + plot.w, plot.y + plot.h + px(st, 2), label,
                      st->dim, TEXT_RIGHT);
    }
    text_draw(text, TEXT_SMALL, plot.x + plot.w, plot.y + plot.h + px(st, 2) + small,
              "step (log scale)", st->dim, TEXT_RIGHT);
    set_color(R, st->outline);
    SDL_Rect frame = {plot.x, plot.y, plot.w, plot.h};
    SDL_RenderDrawRect(R, &frame);

    /* The curves, clipped to the plot; a loss below the floor is drawn on
     * it. */
    SDL_RenderSetClipRect(R, &frame);
    SDL_FPoint points[LF_HISTORY_MAX + 1];
    for (int curve = 0; curve < 2; curve++) {
        const lf_history *h = curve == 0 ? &s->steps : &s->epochs;
        int n = chart_curve_points(h, curve == 1, plot, x_end, log_lo, log_hi, points,
                                   LF_HISTORY_MAX + 1);
        SDL_Color ink = curve == 0 ? st->train : st->validation;
        if (curve == 0 && n > 1) {
            /* Per-step losses are noisy (one batch each): draw them faint,
             * then their running mean (in log space, as the axis is) on top. */
            SDL_SetRenderDrawColor(R, ink.r, ink.g, ink.b, 90);
            SDL_RenderDrawLinesF(R, points, n);
            float mean = points[0].y;
            for (int i = 0; i < n; i++) {
                mean += 0.08f * (points[i].y - mean);
                points[i].y = mean;
            }
        }
        set_color(R, ink);
        if (n > 1) {
            SDL_RenderDrawLinesF(R, points, n);
            /* A second pass one pixel lower makes the line readable on a
             * projector without a thick-line primitive. */
            if (st->scale >= 1.25f) {
                for (int i = 0; i < n; i++)
                    points[i].y += 1;
                SDL_RenderDrawLinesF(R, points, n);
            }
        }
        /* Dots mark the epochs while they are few enough to tell apart. */
        if (curve == 1 && n <= 20)
            for (int i = 0; i < n; i++) {
                int d = px(st, 2);
                SDL_FRect dot = {points[i].x - d, points[i].y - d, 2.0f * d + 1, 2.0f * d + 1};
                SDL_RenderFillRectF(R, &dot);
            }
    }
    target_view_draw_floor(R, text, st, frame, log_lo, log_hi, s);
    if (st->marker) {
        /* The rewound point: the curves to its right are the run's later
         * history, which training on from here drops. */
        int x = plot.x + (int)(chart_step_position(st->marker_step, x_end) * (plot.w - 1));
        fill(R, (layout_rect){x - px(st, 1), plot.y, px(st, 2) + 1, plot.h}, st->marker_color);
    }
    SDL_RenderSetClipRect(R, NULL);

    /* Legend, top right inside the plot. */
    int lx = plot.x + plot.w - px(st, 8);
    int ly = plot.y + px(st, 6);
    const char *names[2] = {"validation", "training"}; /* the help says which is which */
    SDL_Color colors[2] = {st->validation, st->train};
    for (int i = 0; i < 2; i++) {
        int w = text_draw(text, TEXT_SMALL, lx, ly, names[i], st->text, TEXT_RIGHT);
        fill(R, (layout_rect){lx - w - px(st, 18), ly + small / 2 - px(st, 1), px(st, 12),
                              px(st, 3)},
             colors[i]);
        ly += small + px(st, 2);
    }
}

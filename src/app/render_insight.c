/*
 * render_insight.c: the "why is it slow" views, drawn in place of the image
 * row (insight.h computes what they show).
 *
 * F, the frequency view: the magnitude of the true kernel's, the learned
 * kernel's and their difference's 2-D DFT on one log scale, and the photos'
 * power spectrum on its own, each centred (low frequencies in the middle,
 * 0.5 cycles/pixel at the edges) with a ring at the cut-off the sentence
 * above them names; the sentence and the eigen-direction figures above.
 * W, the loss bowl: the loss over two picked weights as contours over a
 * shaded map, the path those two weights took, where they are now and the
 * bottom; the explanation to its right.
 *
 * Colours: a dark-to-bright sequential map (dark is small), so a log scale
 * reads as "more" without a sign.
 */
#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdio.h>
#include <string.h>

#include "insight.h"
#include "render_internal.h"

static const SDL_Color color_path = {80, 220, 255, 255};
static const SDL_Color color_bottom = {255, 220, 60, 255};
static const SDL_Color color_contour = {235, 235, 235, 200};

/* ====================================================== colour map */

/* Dark violet through red and orange to pale yellow. */
static SDL_Color sequential(float t)
{
    static const Uint8 anchors[5][3] = {
        {10, 8, 30}, {85, 25, 120}, {185, 55, 115}, {250, 140, 90}, {252, 245, 190}};
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    float f = t * 4;
    int k = f >= 4 ? 3 : (int)f;
    float u = f - k;
    SDL_Color c = {0, 0, 0, 255};
    c.r = (Uint8)(anchors[k][0] + u * (anchors[k + 1][0] - anchors[k][0]));
    c.g = (Uint8)(anchors[k][1] + u * (anchors[k + 1][1] - anchors[k][1]));
    c.b = (Uint8)(anchors[k][2] + u * (anchors[k + 1][2] - anchors[k][2]));
    return c;
}

/* Fills texture slot (recreated on a size change) with side x side values
 * coloured on [lo, hi] after log10 (log_scale) or as they are. */
static SDL_Texture *upload(render_ctx *r, int slot, const float *values, int cols, int rows,
                           double lo, double hi, bool log_scale, bool smooth)
{
    SDL_Texture **t = &r->insight_textures[slot];
    if (!*t || r->insight_tex_w[slot] != cols || r->insight_tex_h[slot] != rows) {
        if (*t)
            SDL_DestroyTexture(*t);
        *t = SDL_CreateTexture(r->renderer, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                               cols, rows);
        r->insight_tex_w[slot] = *t ? cols : 0;
        r->insight_tex_h[slot] = *t ? rows : 0;
        if (!*t)
            return NULL;
        SDL_SetTextureBlendMode(*t, SDL_BLENDMODE_NONE);
    }
    SDL_SetTextureScaleMode(*t, smooth ? SDL_ScaleModeLinear : SDL_ScaleModeNearest);
    void *pixels;
    int pitch;
    if (SDL_LockTexture(*t, NULL, &pixels, &pitch) != 0)
        return NULL;
    for (int y = 0; y < rows; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)pixels + (long)y * pitch);
        for (int x = 0; x < cols; x++) {
            double v = values[(long)y * cols + x];
            if (log_scale)
                v = log10(fmax(v, 1e-30));
            SDL_Color c = sequential(hi > lo ? (float)((v - lo) / (hi - lo)) : 0.5f);
            row[x] = 0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b;
        }
    }
    SDL_UnlockTexture(*t);
    return *t;
}

/* "1e−3" for a whole power of ten, as the loss chart labels its axis. */
static void format_power(char *out, int size, int e)
{
    snprintf(out, (size_t)size, "1e%s%d", e < 0 ? "\xe2\x88\x92" : "", e < 0 ? -e : e);
}

/* A vertical bar of the map on [lo, hi] (log10 units), labelled with the
 * powers of ten at its ends. */
static void draw_log_bar(render_ctx *r, layout_rect bar, double lo, double hi)
{
    for (int y = 0; y < bar.h; y++) {
        SDL_Color c = sequential(1.0f - (float)y / (bar.h > 1 ? bar.h - 1 : 1));
        SDL_SetRenderDrawColor(r->renderer, c.r, c.g, c.b, 255);
        SDL_RenderDrawLine(r->renderer, bar.x, bar.y + y, bar.x + bar.w - 1, bar.y + y);
    }
    render_outline(r->renderer, bar, render_color_outline);
    char top[24], bottom[24];
    format_power(top, sizeof top, (int)floor(hi + 1e-9));
    format_power(bottom, sizeof bottom, (int)ceil(lo - 1e-9));
    int x = bar.x + bar.w + render_px(r, 3), line = text_line_height(r->text, TEXT_SMALL);
    text_draw(r->text, TEXT_SMALL, x, bar.y, top, render_color_dim, TEXT_LEFT);
    text_draw(r->text, TEXT_SMALL, x, bar.y + bar.h - line, bottom, render_color_dim, TEXT_LEFT);
}

/* Draws text broken at spaces into lines of at most w pixels (only
 * measures it without color); returns the height used. */
static int wrapped(render_ctx *r, text_font font, int x, int y, int w, const char *text,
                   const SDL_Color *color)
{
    int line = text_line_height(r->text, font), used = 0;
    char buf[INSIGHT_TEXT_MAX];
    const char *p = text;
    while (*p == ' ')
        p++;
    while (*p) {
        int len = 0, fit = 0;
        for (;;) {
            const char *space = strchr(p + len + (len > 0), ' ');
            int next = space ? (int)(space - p) : (int)strlen(p);
            if (next >= (int)sizeof buf)
                next = (int)sizeof buf - 1;
            memcpy(buf, p, (size_t)next);
            buf[next] = 0;
            if (fit > 0 && text_width(r->text, font, buf) > w)
                break;
            fit = next;
            len = next;
            if (!space || next == (int)sizeof buf - 1)
                break;
        }
        if (fit < 1)
            fit = 1; /* never stand still, whatever the text */
        memcpy(buf, p, (size_t)fit);
        buf[fit] = 0;
        if (color)
            text_draw(r->text, font, x, y + used, buf, *color, TEXT_LEFT);
        used += line;
        p += fit;
        while (*p == ' ')
            p++;
    }
    return used;
}

static int draw_wrapped(render_ctx *r, text_font font, int x, int y, int w, const char *text,
                        SDL_Color color)
{
    return wrapped(r, font, x, y, w, text, &color);
}

/* ================================================== frequency view */

/* A ring at radius `cycles` (cycles per pixel) in a centred plot. */
static void draw_ring(render_ctx *r, layout_rect plot, double cycles)
{
    double cx = plot.x + plot.w / 2.0, cy = plot.y + plot.h / 2.0;
    double rx = cycles * plot.w, ry = cycles * plot.h;
    SDL_SetRenderDrawColor(r->renderer, 255, 255, 255, 170);
    for (int k = 0; k < 96; k += 2) { /* dashed */
        double a0 = k * M_PI / 48, a1 = (k + 1) * M_PI / 48;
        SDL_RenderDrawLine(r->renderer, (int)(cx + rx * cos(a0)), (int)(cy + ry * sin(a0)),
                           (int)(cx + rx * cos(a1)), (int)(cy + ry * sin(a1)));
    }
}

/* One spectrum with its title, ring, colorbar and axis words; its texture
 * is made anew only when fresh (a new result), not every frame. */
static void spectrum_panel(render_ctx *r, layout_rect box, const char *name, const char *title,
                           int slot, const float *values, int side, double lo, double hi,
                           bool fresh)
{
    render_record_panel(r, name, box);
    int line = text_line_height(r->text, TEXT_TITLE), small = text_line_height(r->text, TEXT_SMALL);
    int bar_w = render_px(r, 10), labels = text_width(r->text, TEXT_SMALL, "1e\xe2\x88\x92" "10") + render_px(r, 6);
    int plot_side = box.w - bar_w - labels - render_px(r, 6);
    int room = box.h - line - small - render_px(r, 4);
    if (room < plot_side)
        plot_side = room;
    if (plot_side < 16)
        return;
    const char *titles[1] = {title};
    render_text_fitting(r, TEXT_TITLE, box.x, box.y, box.w, titles, 1, render_color_text,
                        TEXT_LEFT);
    layout_rect plot = {box.x, box.y + line, plot_side, plot_side};
    if (!values) { /* the thread has not published it yet */
        render_outline(r->renderer, plot, render_color_outline);
        text_draw(r->text, TEXT_BODY, plot.x + plot.w / 2, plot.y + plot.h / 2 - line / 2,
                  "computing\xe2\x80\xa6", render_color_dim, TEXT_CENTER);
        return;
    }
    SDL_Texture *t = fresh || !r->insight_textures[slot]
                         ? upload(r, slot, values, side, side, lo, hi, true, false)
                         : r->insight_textures[slot];
    SDL_Rect dst = render_sdl_rect(plot);
    if (t)
        SDL_RenderCopy(r->renderer, t, NULL, &dst);
    draw_ring(r, plot, INSIGHT_CUTOFF);
    render_outline(r->renderer, plot, render_color_outline);
    layout_rect bar = {plot.x + plot.w + render_px(r, 6), plot.y, bar_w, plot.h};
    draw_log_bar(r, bar, lo, hi);
    int y = plot.y + plot.h + render_px(r, 2);
    text_draw(r->text, TEXT_SMALL, plot.x, y, "high", render_color_dim, TEXT_LEFT);
    text_draw(r->text, TEXT_SMALL, plot.x + plot.w / 2, y, "low", render_color_dim, TEXT_CENTER);
    text_draw(r->text, TEXT_SMALL, plot.x + plot.w, y, "high", render_color_dim, TEXT_RIGHT);
}

static void max_log(const float *v, int n, double *hi, bool skip_centre, int side)
{
    for (int i = 0; v && i < n; i++)
        if (!(skip_centre && i == (side / 2) * side + side / 2) && v[i] > 0)
            *hi = fmax(*hi, log10(v[i]));
}

static void draw_frequency(render_ctx *r, layout_rect area, const insight_view *v)
{
    const insight_result *res = v->result;
    int gap = render_px(r, 8);
    const char *sentence =
        v->sentence[0] ? v->sentence : "Loading the photos and their spectra\xe2\x80\xa6";
    int height = wrapped(r, TEXT_STATUS, area.x, area.y, area.w, sentence, NULL) +
                 wrapped(r, TEXT_BODY, area.x, area.y, area.w, v->directions, NULL);
    render_record_panel(r, "insight_text", (layout_rect){area.x, area.y, area.w, height});
    int used = draw_wrapped(r, TEXT_STATUS, area.x, area.y, area.w, sentence, render_color_text);
    used += draw_wrapped(r, TEXT_BODY, area.x, area.y + used, area.w, v->directions,
                         render_color_dim);
    int caption = text_line_height(r->text, TEXT_SMALL);
    layout_rect row = {area.x, area.y + used + gap, area.w, area.h - used - gap - caption};
    if (row.h < 40)
        return;
    /* Spectra of another kernel (just switched) are not shown as this one's. */
    bool kernel = res && res->spectra == INSIGHT_READY && res->generation == v->generation;
    bool photos = res && res->photos == INSIGHT_READY;
    int size = kernel ? res->size : 0, ps = photos ? res->photo_side : 0, pn = ps * ps;
    bool fresh = res && res->serial != r->insight_uploaded;
    if (fresh) {
        /* The scales change only with a new result: the photos' 65,536
         * logarithms are not taken every frame. */
        double hi = -INFINITY, photo_hi = -INFINITY, photo_lo = INFINITY;
        max_log(kernel ? res->true_mag : NULL, size * size, &hi, false, size);
        max_log(kernel ? res->learned_mag : NULL, size * size, &hi, false, size);
        hi = isfinite(hi) ? ceil(hi) : 0;
        max_log(photos ? res->photo_power : NULL, pn, &photo_hi, true, ps);
        for (int i = 0; i < pn; i++)
            if (res->photo_power[i] > 0)
                photo_lo = fmin(photo_lo, log10(res->photo_power[i]));
        photo_hi = isfinite(photo_hi) ? ceil(photo_hi) : 0;
        photo_lo = fmax(isfinite(photo_lo) ? floor(photo_lo) : photo_hi - 6, photo_hi - 6);
        /* Four decades for the kernels: the fine detail is orders below the rest. */
        r->insight_scale[0] = hi - 4;
        r->insight_scale[1] = hi;
        r->insight_scale[2] = photo_lo;
        r->insight_scale[3] = photo_hi;
        r->insight_uploaded = res->serial;
    }
    double lo = r->insight_scale[0], hi = r->insight_scale[1];
    double photo_lo = r->insight_scale[2], photo_hi = r->insight_scale[3];
    int w = (row.w - 3 * gap) / 4;
    char title[LF_KERNEL_NAME_MAX + 32];
    snprintf(title, sizeof title, "|DFT| of %s", v->snap->target.name);
    spectrum_panel(r, (layout_rect){row.x, row.y, w, row.h}, "spectrum_true", title, 0,
                   kernel ? res->true_mag : NULL, size, lo, hi, fresh);
    spectrum_panel(r, (layout_rect){row.x + (w + gap), row.y, w, row.h}, "spectrum_learned",
                   "|DFT| learned", 1, kernel ? res->learned_mag : NULL, size, lo, hi, fresh);
    spectrum_panel(r, (layout_rect){row.x + 2 * (w + gap), row.y, w, row.h}, "spectrum_diff",
                   "|DFT| learned \xe2\x88\x92 true", 2, kernel ? res->diff_mag : NULL, size,
                   lo, hi, fresh);
    spectrum_panel(r, (layout_rect){row.x + 3 * (w + gap), row.y, w, row.h}, "photo_power",
                   "Power of the photos", 3, photos ? res->photo_power : NULL, ps, photo_lo,
                   photo_hi, fresh);
    if (!photos)
        return;
    char note[160];
    snprintf(note, sizeof note,
             "Centre: low frequencies (smooth areas); edges: high, 0.5 cycles/pixel (fine "
             "detail). Ring: %.2g cycles/pixel. Log scales; %d photo patches.",
             INSIGHT_CUTOFF, res->photo_count);
    render_record_panel(r, "insight_caption", (layout_rect){area.x, area.y + area.h - caption, area.w, caption});
    const char *notes[2] = {note, "Centre: low frequencies; edges: high (fine detail)."};
    render_text_fitting(r, TEXT_SMALL, area.x, area.y + area.h - caption, area.w, notes, 2,
                        render_color_dim, TEXT_LEFT);
}

/* ======================================================= bowl view */

/* One contour level by marching squares over the grid. */
static void draw_contour(render_ctx *r, layout_rect plot, const insight_bowl *b, double level)
{
    const int n = INSIGHT_BOWL_GRID;
    const double *g = b->loss;
    double sx = (double)plot.w / (n - 1), sy = (double)plot.h / (n - 1);
    for (int y = 0; y + 1 < n; y++)
        for (int x = 0; x + 1 < n; x++) {
            /* Corners counter-clockwise; rows grow upwards on screen. */
            double v[4] = {g[y * n + x], g[y * n + x + 1], g[(y + 1) * n + x + 1],
                           g[(y + 1) * n + x]};
            double px[4] = {x, x + 1, x + 1, x}, py[4] = {y, y, y + 1, y + 1};
            double cx[4], cy[4];
            int k = 0;
            for (int e = 0; e < 4 && k < 4; e++) {
                double a = v[e] - level, c = v[(e + 1) % 4] - level;
                if ((a < 0) == (c < 0))
                    continue;
                double t = a / (a - c);
                cx[k] = px[e] + t * (px[(e + 1) % 4] - px[e]);
                cy[k] = py[e] + t * (py[(e + 1) % 4] - py[e]);
                k++;
            }
            for (int s = 0; s + 1 < k; s += 2)
                SDL_RenderDrawLine(r->renderer, plot.x + (int)(cx[s] * sx),
                                   plot.y + plot.h - 1 - (int)(cy[s] * sy),
                                   plot.x + (int)(cx[s + 1] * sx),
                                   plot.y + plot.h - 1 - (int)(cy[s + 1] * sy));
        }
}

static void to_plot(layout_rect plot, const lf_bowl *b, double wx, double wy, int *x, int *y)
{
    *x = plot.x + (int)lround((wx - b->x0) / (b->x1 - b->x0) * (plot.w - 1));
    *y = plot.y + plot.h - 1 - (int)lround((wy - b->y0) / (b->y1 - b->y0) * (plot.h - 1));
}

static void mark(render_ctx *r, int x, int y, int s, SDL_Color c, bool cross)
{
    SDL_SetRenderDrawColor(r->renderer, c.r, c.g, c.b, 255);
    for (int t = -1; t <= 1; t++)
        if (cross) {
            SDL_RenderDrawLine(r->renderer, x - s, y - s + t, x + s, y + s + t);
            SDL_RenderDrawLine(r->renderer, x - s, y + s + t, x + s, y - s + t);
        } else {
            SDL_Rect q = {x - s + 1 - t, y - s + 1 - t, 2 * s - 2 + 2 * t, 2 * s - 2 + 2 * t};
            SDL_RenderFillRect(r->renderer, &q);
        }
}

static void draw_bowl_plot(render_ctx *r, layout_rect plot, const insight_view *v)
{
    const insight_bowl *b = v->bowl;
    const int n = INSIGHT_BOWL_GRID;
    /* Shade by log of the height above the bottom, so the rings near the
     * bottom show as well as the steep sides. */
    static float shade[INSIGHT_BOWL_GRID * INSIGHT_BOWL_GRID];
    double bottom = b->bowl.min_found ? b->bowl.min_loss : b->bowl.grid_min;
    double top = log10(fmax(b->bowl.grid_max - bottom, 1e-30));
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) /* texture rows run downwards */
            shade[(n - 1 - y) * n + x] = (float)fmax(b->loss[y * n + x] - bottom, 1e-30);
    SDL_Texture *t = upload(r, 4, shade, n, n, top - 4, top, true, true);
    SDL_Rect dst = render_sdl_rect(plot);
    if (t)
        SDL_RenderCopy(r->renderer, t, NULL, &dst);
    SDL_SetRenderDrawColor(r->renderer, color_contour.r, color_contour.g, color_contour.b,
                           color_contour.a);
    for (int k = 0; k < b->level_count; k++)
        draw_contour(r, plot, b, b->levels[k]);
    SDL_RenderSetClipRect(r->renderer, &dst);
    SDL_SetRenderDrawColor(r->renderer, color_path.r, color_path.g, color_path.b, 255);
    int px = 0, py = 0;
    for (int k = 0; k < v->path_count; k++) {
        int x, y;
        to_plot(plot, &b->bowl, v->path_x[k], v->path_y[k], &x, &y);
        if (k > 0) {
            SDL_RenderDrawLine(r->renderer, px, py, x, y);
            SDL_RenderDrawLine(r->renderer, px + 1, py, x + 1, y);
        }
        px = x;
        py = y;
    }
    int s = render_px(r, 6), x, y;
    if (b->bowl.min_found) {
        to_plot(plot, &b->bowl, b->bowl.min_x, b->bowl.min_y, &x, &y);
        mark(r, x, y, s, color_bottom, true);
    }
    to_plot(plot, &b->bowl, b->bowl.current_x, b->bowl.current_y, &x, &y);
    mark(r, x, y, s, color_path, false);
    SDL_RenderSetClipRect(r->renderer, NULL);
    render_outline(r->renderer, plot, render_color_outline);
    /* The axes' ends. */
    char lo[32], hi[32];
    int line = text_line_height(r->text, TEXT_SMALL);
    double span = b->bowl.x1 - b->bowl.x0;
    render_format_value(lo, sizeof lo, b->bowl.x0, span);
    render_format_value(hi, sizeof hi, b->bowl.x1, span);
    text_draw(r->text, TEXT_SMALL, plot.x, plot.y + plot.h + 2, lo, render_color_dim, TEXT_LEFT);
    text_draw(r->text, TEXT_SMALL, plot.x + plot.w, plot.y + plot.h + 2, hi, render_color_dim,
              TEXT_RIGHT);
    render_format_value(lo, sizeof lo, b->bowl.y0, span);
    render_format_value(hi, sizeof hi, b->bowl.y1, span);
    text_draw(r->text, TEXT_SMALL, plot.x - 3, plot.y + plot.h - line, lo, render_color_dim,
              TEXT_RIGHT);
    text_draw(r->text, TEXT_SMALL, plot.x - 3, plot.y, hi, render_color_dim, TEXT_RIGHT);
}

static void draw_bowl(render_ctx *r, layout_rect area, const insight_view *v)
{
    int gap = render_px(r, 10), line = text_line_height(r->text, TEXT_SMALL);
    int margin = text_width(r->text, TEXT_SMALL, "\xe2\x88\x92" "0.000") + render_px(r, 4);
    int side = area.h - 2 * line - render_px(r, 4);
    if (side > area.w / 2)
        side = area.w / 2;
    layout_rect box = {area.x, area.y, margin + side, area.h};
    layout_rect plot = {area.x + margin, area.y + text_line_height(r->text, TEXT_TITLE), side,
                        side - text_line_height(r->text, TEXT_TITLE)};
    plot.w = plot.h; /* square: the range is the same on both axes */
    render_record_panel(r, "bowl", box);
    char title[64] = "Loss bowl";
    if (v->bowl) {
        int kw = v->snap->target.width;
        snprintf(title, sizeof title, "Loss over w[%d,%d] \xe2\x86\x92 and w[%d,%d] \xe2\x86\x91",
                 v->bowl->i / kw, v->bowl->i % kw, v->bowl->j / kw, v->bowl->j % kw);
    }
    text_draw(r->text, TEXT_TITLE, box.x, box.y, title, render_color_text, TEXT_LEFT);
    if (v->bowl && plot.h >= 16)
        draw_bowl_plot(r, plot, v);
    layout_rect text = {box.x + box.w + gap, area.y, area.w - box.w - gap, area.h};
    render_record_panel(r, "bowl_text", text);
    int y = text.y;
    y += draw_wrapped(r, TEXT_STATUS, text.x, y, text.w, v->bowl_text, render_color_text);
    y += render_px(r, 6);
    const lf_kernel *k = &v->snap->target;
    if (k->height <= INSIGHT_BOWL_MAX_SIDE && k->width <= INSIGHT_BOWL_MAX_SIDE)
        y += draw_wrapped(r, TEXT_BODY, text.x, y, text.w,
                          "Click two cells of the learned kernel to choose the weights: while "
                          "this view is on, a click picks a cell instead of editing it. W "
                          "closes it.",
                          render_color_dim);
    y += render_px(r, 6);
    /* The same statistics say how fast each direction learns. */
    y += draw_wrapped(r, TEXT_BODY, text.x, y, text.w, v->directions, render_color_text);
    y += render_px(r, 6);
    if (!v->bowl)
        return;
    char now[32], bottom[32], bx[32], by[32], numbers[224];
    render_format_plain(now, sizeof now, v->bowl->bowl.current_loss);
    render_format_plain(bottom, sizeof bottom, v->bowl->bowl.min_loss);
    render_format_plain(bx, sizeof bx, v->bowl->bowl.min_x);
    render_format_plain(by, sizeof by, v->bowl->bowl.min_y);
    snprintf(numbers, sizeof numbers, "Loss now %s; at the bottom %s (these two weights %s and %s).",
             now, bottom, bx, by);
    if (v->bowl->bowl.min_found)
        y += draw_wrapped(r, TEXT_BODY, text.x, y, text.w, numbers, render_color_text);
    y += render_px(r, 6);
    int s = render_px(r, 5), x = text.x + s, body = text_line_height(r->text, TEXT_BODY);
    SDL_SetRenderDrawColor(r->renderer, color_path.r, color_path.g, color_path.b, 255);
    SDL_RenderDrawLine(r->renderer, text.x, y + body / 2, text.x + 2 * s, y + body / 2);
    text_draw(r->text, TEXT_BODY, x + 2 * s, y, "the two weights' path so far", render_color_text,
              TEXT_LEFT);
    y += body;
    mark(r, x, y + body / 2, s, color_path, false);
    text_draw(r->text, TEXT_BODY, x + 2 * s, y, "where they are now", render_color_text, TEXT_LEFT);
    y += body;
    mark(r, x, y + body / 2, s, color_bottom, true);
    text_draw(r->text, TEXT_BODY, x + 2 * s, y, "the bottom, with the other weights as now",
              render_color_text, TEXT_LEFT);
}

/* ============================================================ entry */

layout_rect render_insight_take(layout *L)
{
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
    for (int i = LAYOUT_INPUT; i <= LAYOUT_RESIDUAL; i++) {
        layout_rect f = L->panels[i].frame;
        if (f.w < 1 || f.h < 1)
            continue;
        x0 = f.x < x0 ? f.x : x0;
        y0 = f.y < y0 ? f.y : y0;
        x1 = f.x + f.w > x1 ? f.x + f.w : x1;
        y1 = f.y + f.h > y1 ? f.y + f.h : y1;
        L->panels[i] = (layout_panel){0};
    }
    /* The strip of photos to pick the sample from goes too: it picks what
     * the image row showed. */
    if (x1 >= 0 && L->strip.h > 0 && L->strip.y >= y1) {
        y1 = L->strip.y + L->strip.h;
        L->strip = (layout_rect){0};
    }
    return x1 < 0 ? (layout_rect){0} : (layout_rect){x0, y0, x1 - x0, y1 - y0};
}

void render_insight_draw(render_ctx *r, layout_rect area, const insight_view *v)
{
    if (area.w < 64 || area.h < 64 || !v)
        return;
    if (v->mode == INSIGHT_FREQUENCY)
        draw_frequency(r, area, v);
    else if (v->mode == INSIGHT_BOWL)
        draw_bowl(r, area, v);
    render_record_panel(r, NULL, (layout_rect){0});
}

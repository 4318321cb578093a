/*
 * render_panels.c: the panel table. Each panel of the window is one row:
 * its name (as --layout-out writes it), its titles, where the layout put
 * it, and the function that draws it. render_draw_panels walks the table
 * in order; a panel the layout left out (an empty box) is skipped, so a
 * narrow window or a big UI scale drops panels without any special case
 * here.
 *
 * Heatmap panels share one frame: a title above (the long one when it
 * fits, else the short one; never cut), the plot, a colorbar with tick
 * labels to its right, and for kernels a caption line below (the bias,
 * the kernel's name, the error).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "learnfilter/colormap.h"
#include "render_internal.h"
#include "target_view.h"

typedef struct panel_def panel_def;
struct panel_def {
    const char *name;        /* in --layout-out */
    const char *title;       /* above the panel, when it fits */
    const char *short_title; /* when the title does not */
    int heatmap;             /* a layout_panel_id, or -1 */
    layout_rect (*box)(const layout *L, const panel_def *p);
    void (*draw)(render_ctx *r, const layout *L, const panel_def *p, const render_view *v);
};

/* ============================================================ boxes */

static layout_rect heatmap_box(const layout *L, const panel_def *p)
{
    return L->panels[p->heatmap].plot.w >= 8 ? L->panels[p->heatmap].frame : (layout_rect){0};
}
static layout_rect status_box(const layout *L, const panel_def *p) { (void)p; return L->status; }
static layout_rect chart_box(const layout *L, const panel_def *p) { (void)p; return L->chart; }
static layout_rect footer_box(const layout *L, const panel_def *p) { (void)p; return L->footer; }
static layout_rect timeline_box(const layout *L, const panel_def *p)
{
    (void)p;
    return L->timeline;
}

/* ======================================================== colorbars */

static void draw_colorbar(render_ctx *r, const layout_panel *p, render_scale s)
{
    layout_rect bar = p->colorbar;
    if (bar.h < 4 || bar.w < 1)
        return;
    SDL_Rect dst = render_sdl_rect(bar);
    SDL_RenderCopy(r->renderer, r->bar_textures[s.map], NULL, &dst);
    render_outline(r->renderer, bar, render_color_outline);
    int line = text_line_height(r->text, TEXT_SMALL);
    if (line > bar.h)
        return; /* no room for a label beside the bar */
    int max_ticks = bar.h / (line * 2);
    max_ticks = max_ticks < 2 ? 2 : max_ticks > 9 ? 9 : max_ticks;
    double ticks[16];
    int count = lf_scale_ticks(s.lo, s.hi, max_ticks, ticks, (int)(sizeof ticks / sizeof ticks[0]));
    double spacing = count > 1 ? ticks[1] - ticks[0] : lf_scale_nice_limit(fabs(s.hi - s.lo));
    int label_x = bar.x + bar.w + render_px(r, 6);
    int label_w = p->frame.x + p->frame.w - label_x;
    for (int i = 0; i < count; i++) {
        double f = s.hi > s.lo ? (s.hi - ticks[i]) / (s.hi - s.lo) : 0.5;
        int y = bar.y + (int)(f * (bar.h - 1) + 0.5);
        SDL_SetRenderDrawColor(r->renderer, render_color_dim.r, render_color_dim.g,
                               render_color_dim.b, 255);
        SDL_RenderDrawLine(r->renderer, bar.x + bar.w, y, bar.x + bar.w + render_px(r, 3), y);
        char label[32];
        render_format_tick(label, sizeof label, ticks[i], spacing);
        /* Beside its tick, but inside the bar's height: never up into the
         * title nor down into the caption. */
        int top = y - line / 2;
        if (top + line > bar.y + bar.h)
            top = bar.y + bar.h - line;
        if (top < bar.y)
            top = bar.y;
        const char *one[1] = {label};
        render_text_fitting(r, TEXT_SMALL, label_x, top, label_w, one, 1, render_color_dim,
                            TEXT_LEFT);
    }
}

/* ============================================================ titles */

static void draw_title(render_ctx *r, const layout_panel *p, const panel_def *def,
                       const lf_snapshot *s)
{
    /* With an operation as the target, the true-kernel panel shows the best
     * linear filter and says so. */
    const char *title = target_view_title(s, def->heatmap, def->title);
    const char *titles[2] = {title, title == def->title ? def->short_title : title};
    int y = p->title.y + (p->title.h - text_line_height(r->text, TEXT_TITLE)) / 2;
    if (render_text_fitting(r, TEXT_TITLE, p->title.x, y, p->title.w, titles, 2, render_color_text,
                            TEXT_LEFT) == 0) {
        y = p->title.y + (p->title.h - text_line_height(r->text, TEXT_BODY)) / 2;
        render_text_fitting(r, TEXT_BODY, p->title.x, y, p->title.w, titles + 1, 1,
                            render_color_text, TEXT_LEFT);
    }
}

/* The caption under a kernel panel: the first of the notes that fits. */
static void draw_caption(render_ctx *r, const layout_panel *p, const char *const *notes, int count)
{
    layout_rect c = p->caption;
    if (c.h < 1)
        return;
    int y = c.y + (c.h - text_line_height(r->text, TEXT_BODY)) / 2;
    if (y < c.y)
        return; /* a caption line too low for the font: leave it out */
    render_text_fitting(r, TEXT_BODY, c.x, y, c.w, notes, count, render_color_dim, TEXT_LEFT);
}

/* ============================================================ kernels */

/* Where a kh x kw kernel is drawn in a plot: square cells of whole pixels,
 * except that a long thin kernel (the 1x50 Hann window) is stretched across
 * to a quarter of the plot, or its strip would be a few pixels thick. */
layout_rect render_kernel_grid(layout_rect plot, int kh, int kw)
{
    layout_rect grid = layout_grid_fit(plot, kh, kw);
    if (grid.h > 0 && grid.h < plot.h / 4 && kh > 0) {
        int h = plot.h / 4 / kh * kh;
        grid.y = plot.y + (plot.h - h) / 2;
        grid.h = h;
    }
    if (grid.w > 0 && grid.w < plot.w / 4 && kw > 0) {
        int w = plot.w / 4 / kw * kw;
        grid.x = plot.x + (plot.w - w) / 2;
        grid.w = w;
    }
    return grid;
}

/* The values printed in a small kernel's cells, how many, and the factor
 * they were multiplied by (1, or a power of ten the caption names). */
typedef struct cell_labels {
    char text[CELL_TEXT_MAX_SIDE * CELL_TEXT_MAX_SIDE][32];
    int count;
    double factor;
} cell_labels;

/* v * factor with the given decimals, a true minus, and no "-0.0". */
static void format_cell(char *out, int size, double v, int decimals)
{
    if (!isfinite(v)) {
        render_format_value(out, size, v, 1);
        return;
    }
    if (fabs(v) < 0.5 * pow(10.0, -decimals))
        v = 0;
    snprintf(out, (size_t)size, "%.*f", decimals, v);
    render_typographic_minus(out, size);
}

static bool labels_fit(const render_ctx *r, text_font font, const cell_labels *l, int cell)
{
    if (text_line_height(r->text, font) > cell)
        return false;
    for (int i = 0; i < l->count; i++)
        if (text_width(r->text, font, l->text[i]) > cell - LAYOUT_CELL_MARGIN)
            return false;
    return true;
}

/* Chooses the labels and font for a kernel panel: the largest value font
 * up to the layout's value_px, and at each size the most digits that fit:
 * three significant digits of the scale, then two, then the values times a
 * power of ten with one decimal (box7's 0.0204 as 2.0, "× 0.01" in the
 * caption). Returns TEXT_FONT_COUNT when nothing fits. */
static text_font kernel_labels(const render_ctx *r, int panel, const lf_snapshot *s, int cell,
                               int value_px, cell_labels *l)
{
    double hi = r->scales[panel].hi > 0 ? r->scales[panel].hi : 1;
    int digits3 = 2 - (int)floor(log10(hi));
    digits3 = digits3 < 1 ? 1 : digits3 > 6 ? 6 : digits3;
    int power = (int)floor(log10(hi)); /* hi / 10^power in [1, 10) */
    for (int f = TEXT_VALUE_LAST; f >= TEXT_VALUE_FIRST; f--) {
        if (text_font_pixels(r->text, (text_font)f) > value_px && f > TEXT_VALUE_FIRST)
            continue;
        for (int variant = 0; variant < 3; variant++) {
            int decimals = variant == 0 ? digits3 : variant == 1 ? digits3 - 1 : 1;
            double factor = variant == 2 && power < 0 ? pow(10.0, -power) : 1;
            if (variant == 1 && decimals < 1)
                continue;
            for (int i = 0; i < l->count; i++)
                format_cell(l->text[i], sizeof l->text[i], render_kernel_value(s, panel, i) * factor,
                            decimals);
            l->factor = factor;
            if (labels_fit(r, (text_font)f, l, cell))
                return (text_font)f;
        }
    }
    return TEXT_FONT_COUNT;
}

/* Thin lines between a kernel's cells (while the cells are big enough for
 * them to help) and an outline around the grid, in the given colour. */
void render_kernel_grid_frame(render_ctx *r, layout_rect grid, int kh, int kw, SDL_Color outline)
{
    int cell = kw > 0 ? grid.w / kw : 0;
    if (kh <= GRID_LINE_MAX_SIDE && kw <= GRID_LINE_MAX_SIDE && cell >= 6) {
        SDL_SetRenderDrawColor(r->renderer, 0, 0, 0, 70);
        for (int i = 1; i < kw; i++)
            SDL_RenderDrawLine(r->renderer, grid.x + i * cell, grid.y, grid.x + i * cell,
                               grid.y + grid.h - 1);
        for (int i = 1; i < kh; i++)
            SDL_RenderDrawLine(r->renderer, grid.x, grid.y + i * cell, grid.x + grid.w - 1,
                               grid.y + i * cell);
    }
    render_outline(r->renderer, (layout_rect){grid.x - 1, grid.y - 1, grid.w + 2, grid.h + 2},
                   outline);
}

/* Draws the grid and its values; returns the factor the values were
 * multiplied by (1 when none, or none printed). */
static double draw_kernel_body(render_ctx *r, const layout *L, const layout_panel *p, int panel,
                               const lf_snapshot *s)
{
    int kh = r->kernel_h, kw = r->kernel_w;
    render_fill(r->renderer, p->plot, render_color_panel);
    if (kh < 1)
        return 1;
    layout_rect grid = render_kernel_grid(p->plot, kh, kw);
    if (r->frame_dirty || grid.w != r->texture_w[panel] || grid.h != r->texture_h[panel])
        render_upload_kernel(r, panel, grid);
    SDL_Rect dst = render_sdl_rect(grid);
    if (r->textures[panel])
        SDL_RenderCopy(r->renderer, r->textures[panel], NULL, &dst);
    int cell = grid.w / kw;
    render_kernel_grid_frame(r, grid, kh, kw, render_color_outline);
    if (kh > CELL_TEXT_MAX_SIDE || kw > CELL_TEXT_MAX_SIDE)
        return 1;
    cell_labels labels = {.count = kh * kw, .factor = 1}; /* within capacity: checked above */
    text_font font = kernel_labels(r, panel, s, cell, L->value_px, &labels);
    if (font == TEXT_FONT_COUNT)
        return 1;
    render_scale sc = r->scales[panel];
    for (int y = 0; y < kh; y++)
        for (int x = 0; x < kw; x++) {
            SDL_Color bg = render_color_of(sc, render_kernel_value(s, panel, y * kw + x));
            float luminance = 0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b;
            SDL_Color ink = luminance < 140 ? (SDL_Color){255, 255, 255, 255}
                                            : (SDL_Color){20, 22, 26, 255};
            int cx = grid.x + x * cell + cell / 2;
            int cy = grid.y + y * cell + (cell - text_line_height(r->text, font)) / 2;
            text_draw(r->text, font, cx, cy, labels.text[y * kw + x], ink, TEXT_CENTER);
        }
    return labels.factor;
}

static void draw_kernel(render_ctx *r, const layout *L, const panel_def *def, const render_view *v)
{
    const layout_panel *p = &L->panels[def->heatmap];
    const lf_snapshot *s = &v->frame->snap;
    draw_title(r, p, def, s);
    double factor = draw_kernel_body(r, L, p, def->heatmap, s);
    draw_colorbar(r, p, r->scales[def->heatmap]);
    char note[160], medium[96] = "", shorter[96], factor_note[48] = "";
    if (factor != 1)
        snprintf(factor_note, sizeof factor_note, " \xc2\xb7 values \xc3\x97 %g", factor);
    if (def->heatmap == LAYOUT_LEARNED) {
        char bias[32];
        render_format_value(bias, sizeof bias, s->bias, r->scales[def->heatmap].hi / 10);
        snprintf(note, sizeof note, "bias %s%s", bias, factor_note);
        snprintf(shorter, sizeof shorter, "bias %s", bias);
        if (v->race) { /* which run, and its error beside the race's */
            char err[32];
            render_format_plain(err, sizeof err, 100.0 * s->figures.rel_err);
            snprintf(note, sizeof note, "bias %s \xc2\xb7 %s \xc2\xb7 error %s%%", bias,
                     v->race_first, err);
            snprintf(medium, sizeof medium, "bias %s \xc2\xb7 error %s%%", bias, err);
        }
    } else if (def->heatmap == LAYOUT_TRUE) {
        snprintf(note, sizeof note, "%s, %dx%d%s", s->target.name, s->target.height,
                 s->target.width, factor_note);
        snprintf(shorter, sizeof shorter, "%s", s->target.name);
    } else {
        char err[32];
        render_format_plain(err, sizeof err, 100.0 * s->figures.rel_err);
        snprintf(note, sizeof note, "kernel error %s%%%s", err, factor_note);
        snprintf(shorter, sizeof shorter, "%s%%", err);
        if (!s->learning_operation && isfinite(s->best_rel_err_to_kernel)) {
            /* With noisy inputs the best linear filter is not the kernel:
             * the error cannot go below its distance. */
            char best[32];
            render_format_plain(best, sizeof best, 100.0 * s->best_rel_err_to_kernel);
            snprintf(note, sizeof note, "kernel error %s%% \xc2\xb7 with noise, best %s%%%s", err,
                     best, factor_note);
            snprintf(medium, sizeof medium, "error %s%% (best %s%%)", err, best);
        }
    }
    const char *notes[3] = {note, medium[0] ? medium : shorter, shorter};
    draw_caption(r, p, notes, 3);
}

/* ============================================================ images */

/* The image's rectangle inside a square plot, keeping its aspect ratio. */
layout_rect render_image_rect(layout_rect plot, int h, int w)
{
    if (h < 1 || w < 1)
        return plot;
    if (w >= h) {
        int dh = (int)((long)plot.h * h / w);
        return (layout_rect){plot.x, plot.y + (plot.h - dh) / 2, plot.w, dh};
    }
    int dw = (int)((long)plot.w * w / h);
    return (layout_rect){plot.x + (plot.w - dw) / 2, plot.y, dw, plot.h};
}

static void draw_image(render_ctx *r, const layout *L, const panel_def *def, const render_view *v)
{
    int panel = def->heatmap, slot = panel - LAYOUT_INPUT;
    const layout_panel *p = &L->panels[panel];
    draw_title(r, p, def, &v->frame->snap);
    render_fill(r->renderer, p->plot, render_color_panel);
    if (!r->has_images) {
        static const char *const waiting[2] = {"waiting for the first images\xe2\x80\xa6",
                                               "waiting\xe2\x80\xa6"};
        int y = p->plot.y + (p->plot.h - text_line_height(r->text, TEXT_BODY)) / 2;
        render_text_fitting(r, TEXT_BODY, p->plot.x + p->plot.w / 2, y, p->plot.w, waiting, 2,
                            render_color_dim, TEXT_CENTER);
    } else {
        layout_rect shown = render_image_rect(p->plot, r->image_h[slot], r->image_w[slot]);
        if (r->images_dirty || shown.w != r->texture_w[panel] || shown.h != r->texture_h[panel]) {
            const lf_snapshot *s = &r->images->snap;
            const float *src = slot == 0   ? s->input
                               : slot == 1 ? s->output
                               : slot == 2 ? s->expected
                                           : r->residual;
            render_upload_image(r, panel, shown, src, r->image_h[slot], r->image_w[slot]);
        }
        SDL_Rect dst = render_sdl_rect(shown);
        if (r->textures[panel])
            SDL_RenderCopy(r->renderer, r->textures[panel], NULL, &dst);
        render_outline(r->renderer, (layout_rect){dst.x - 1, dst.y - 1, dst.w + 2, dst.h + 2},
                       render_color_outline);
    }
    draw_colorbar(r, p, r->scales[panel]);
}

/* ============================================================ others */

static void draw_status(render_ctx *r, const layout *L, const panel_def *def, const render_view *v)
{
    (void)def;
    if (L->present)
        render_draw_present_status(r, L->status, v);
    else
        render_draw_status(r, L->status, v);
}

static void draw_chart(render_ctx *r, const layout *L, const panel_def *def, const render_view *v)
{
    (void)def;
    chart_style style = {.scale = r->scale, .panel = render_color_panel,
                         .outline = render_color_outline, .text = render_color_text,
                         .dim = render_color_dim, .train = render_color_train,
                         .validation = render_color_validation,
                         .marker = v->frame->rewind.scrubbing,
                         .marker_step = (double)v->frame->rewind.view_step,
                         .marker_color = render_color_rewind};
    chart_draw(r->renderer, r->text, &style, L->chart, &v->frame->snap);
    render_draw_race_chart(r, L, v); /* a race's second curve and legend */
}

static void draw_footer(render_ctx *r, const layout *L, const panel_def *def, const render_view *v)
{
    (void)def;
    render_draw_footer(r, L->footer, v);
}

/* ============================================================= table */

#define MINUS "\xe2\x88\x92"

static const panel_def panels[] = {
    {"status", NULL, NULL, -1, status_box, draw_status},
    {"learned", "Learned weights", "Learned", LAYOUT_LEARNED, heatmap_box, draw_kernel},
    {"true", "True kernel", "True", LAYOUT_TRUE, heatmap_box, draw_kernel},
    {"diff", "Learned " MINUS " true", "Error", LAYOUT_DIFF, heatmap_box, draw_kernel},
    {"input", "Input (grayscale)", "Input", LAYOUT_INPUT, heatmap_box, draw_image},
    {"output", "Network output", "Output", LAYOUT_OUTPUT, heatmap_box, draw_image},
    {"target", "Target (true filter)", "Target", LAYOUT_TARGET, heatmap_box, draw_image},
    {"residual", "Residual: output " MINUS " target", "Residual", LAYOUT_RESIDUAL, heatmap_box,
     draw_image},
    {"chart", NULL, NULL, -1, chart_box, draw_chart},
    {"timeline", NULL, NULL, -1, timeline_box, render_draw_timeline},
    {"footer", NULL, NULL, -1, footer_box, draw_footer},
};

void render_draw_panels(render_ctx *r, const layout *L, const render_view *v)
{
    for (size_t i = 0; i < sizeof panels / sizeof panels[0]; i++) {
        layout_rect box = panels[i].box(L, &panels[i]);
        if (box.w < 1 || box.h < 1 || (v->race && panels[i].heatmap == LAYOUT_DIFF))
            continue; /* in a race, the second run's kernel is drawn there */
        const layout_rect a = r->step_area;
        if (a.w > 0 && box.x < a.x + a.w && a.x < box.x + box.w && box.y < a.y + a.h &&
            a.y < box.y + box.h)
            continue; /* the step box has this place */
        render_record_panel(r, panels[i].name, box);
        panels[i].draw(r, L, &panels[i], v);
    }
}

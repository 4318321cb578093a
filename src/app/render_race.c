/*
 * render_race.c: a race on screen (race_window.h). The second run's learned
 * kernel takes the place of learned − true, beside the first's (on the
 * same colour scale); its loss curve joins the first's on the chart in its
 * own colour with a legend naming both (drawn with the chart); and a line where the photo strip
 * was says what differs and which run is ahead, by how much.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "render_internal.h"

/* The second run's colour: apart from training blue and validation orange. */
static const SDL_Color race_color = {224, 92, 214, 255};

#define RACE_SAMPLE "\xe2\x88\x92" "0.00" /* the widest value a 3x3 kernel prints */

/* The largest value font that fits a cell and the window's value size. */
static text_font value_font(render_ctx *r, int cell, int value_px)
{
    for (int f = TEXT_VALUE_LAST; f >= TEXT_VALUE_FIRST; f--) {
        int px = text_font_pixels(r->text, (text_font)f);
        if (px <= value_px && text_width(r->text, (text_font)f, RACE_SAMPLE) + LAYOUT_CELL_MARGIN <= cell &&
            text_line_height(r->text, (text_font)f) <= cell)
            return (text_font)f;
    }
    return TEXT_FONT_COUNT;
}

static void draw_kernel(render_ctx *r, const layout *L, const render_view *v)
{
    const layout_panel *p = &L->panels[LAYOUT_DIFF];
    if (p->plot.w < 8)
        return;
    const lf_snapshot *s = &v->race->snap;
    render_record_panel(r, "race_learned", p->frame);
    char title[160];
    snprintf(title, sizeof title, "Race: %s", v->race_second);
    const char *titles[3] = {title, v->race_second, "Race"};
    render_text_fitting(r, TEXT_TITLE, p->title.x, p->title.y, p->title.w, titles, 3,
                        race_color, TEXT_LEFT);
    render_fill(r->renderer, p->plot, render_color_panel);
    int kh = s->learned.height, kw = s->learned.width;
    if (kh < 1 || kw < 1)
        return;
    layout_rect grid = render_kernel_grid(p->plot, kh, kw);
    render_scale sc = r->scales[LAYOUT_LEARNED];
    int cell = grid.w / kw;
    for (int y = 0; y < kh; y++)
        for (int x = 0; x < kw; x++) {
            SDL_Color c = render_color_of(sc, s->learned.weights[y * kw + x]);
            render_fill(r->renderer, (layout_rect){grid.x + x * cell, grid.y + y * cell, cell, cell},
                        c);
        }
    render_kernel_grid_frame(r, grid, kh, kw, race_color);
    text_font font = kh <= CELL_TEXT_MAX_SIDE && kw <= CELL_TEXT_MAX_SIDE
                         ? value_font(r, cell, L->value_px)
                         : TEXT_FONT_COUNT;
    for (int y = 0; font != TEXT_FONT_COUNT && y < kh; y++)
        for (int x = 0; x < kw; x++) {
            float w = s->learned.weights[y * kw + x];
            SDL_Color bg = render_color_of(sc, w);
            float luminance = 0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b;
            SDL_Color ink = luminance < 140 ? (SDL_Color){255, 255, 255, 255}
                                            : (SDL_Color){20, 22, 26, 255};
            char value[32];
            render_format_value(value, sizeof value, w, sc.hi);
            int cx = grid.x + x * cell + cell / 2;
            int cy = grid.y + y * cell + (cell - text_line_height(r->text, font)) / 2;
            text_draw(r->text, font, cx, cy, value, ink, TEXT_CENTER);
        }
    char err[32], step[32], note[128], shorter[64];
    render_format_plain(err, sizeof err, 100.0 * s->figures.rel_err);
    count_format(step, sizeof step, s->figures.step);
    snprintf(note, sizeof note, "kernel error %s%% \xc2\xb7 step %s%s", err, step,
             v->race->state == WORKER_CONVERGED ? " \xc2\xb7 stopped" : "");
    snprintf(shorter, sizeof shorter, "error %s%%", err);
    const char *notes[2] = {note, shorter};
    render_text_fitting(r, TEXT_BODY, p->caption.x, p->caption.y, p->caption.w, notes, 2,
                        render_color_dim, TEXT_LEFT);
}

/* The second run's training loss on the first's axes, and a legend; drawn
 * as part of the chart (its texts are the chart's). */
void render_draw_race_chart(render_ctx *r, const layout *L, const render_view *v)
{
    if (!v->race)
        return;
    chart_style style = {.scale = r->scale, .panel = render_color_panel,
                         .outline = render_color_outline, .text = render_color_text,
                         .dim = render_color_dim, .train = render_color_train,
                         .validation = render_color_validation};
    chart_axes axes;
    if (L->chart.w < 1 || !chart_axes_for(r->text, &style, L->chart, &v->frame->snap, &axes) ||
        !axes.has_curve)
        return;
    static SDL_FPoint points[LF_HISTORY_MAX + 1]; /* the main thread's only: no allocation */
    int n = chart_curve_points(&v->race->snap.steps, false, axes.plot, axes.x_end, axes.log_lo,
                               axes.log_hi, points, LF_HISTORY_MAX + 1);
    if (n > 1) {
        /* The running mean, as the first run's curve is drawn. */
        float mean = points[0].y;
        for (int i = 0; i < n; i++) {
            mean += 0.08f * (points[i].y - mean);
            points[i].y = mean;
        }
        SDL_SetRenderDrawColor(r->renderer, race_color.r, race_color.g, race_color.b, 255);
        for (int pass = 0; pass < 2; pass++) {
            SDL_RenderDrawLinesF(r->renderer, points, n);
            for (int i = 0; i < n; i++)
                points[i].y += 1;
        }
    }
    /* The legend, bottom left inside the plot, where a falling loss
     * leaves room. */
    const char *names[2] = {v->race_first, v->race_second};
    SDL_Color inks[2] = {render_color_train, race_color};
    int line = text_line_height(r->text, TEXT_SMALL), pad = render_px(r, 4);
    int swatch = render_px(r, 14), w = 0;
    for (int i = 0; i < 2; i++) {
        int tw = text_width(r->text, TEXT_SMALL, names[i]);
        w = tw > w ? tw : w;
    }
    layout_rect box = {axes.plot.x + pad, axes.plot.y + axes.plot.h - 2 * line - 3 * pad,
                       swatch + 3 * pad + w, 2 * line + 2 * pad};
    if (box.w > axes.plot.w - 2 * pad || box.y < axes.plot.y)
        return;
    render_fill(r->renderer, box, render_color_panel);
    render_outline(r->renderer, box, render_color_outline);
    for (int i = 0; i < 2; i++) {
        int y = box.y + pad + i * line;
        render_fill(r->renderer, (layout_rect){box.x + pad, y + line / 2 - 1, swatch, 3}, inks[i]);
        text_draw(r->text, TEXT_SMALL, box.x + 2 * pad + swatch, y, names[i], render_color_text,
                  TEXT_LEFT);
    }
}

/* What differs and who is ahead, where the photo strip was. */
static void draw_lead(render_ctx *r, const layout *L, const render_view *v)
{
    layout_rect a = L->strip;
    if (a.h < 1 || !v->race_lead)
        return;
    render_record_panel(r, "race_lead", a);
    char full[400], mid[320];
    snprintf(full, sizeof full, "Race: %s (left) vs %s (right), same start and batches  \xc2\xb7  %s",
             v->race_first, v->race_second, v->race_lead);
    snprintf(mid, sizeof mid, "Race  \xc2\xb7  %s", v->race_lead);
    const char *lines[3] = {full, mid, v->race_lead};
    text_font font = text_line_height(r->text, TEXT_STATUS) <= a.h ? TEXT_STATUS : TEXT_BODY;
    int y = a.y + (a.h - text_line_height(r->text, font)) / 2;
    render_text_fitting(r, font, a.x, y, a.w, lines, 3, race_color, TEXT_LEFT);
}

void render_draw_race(render_ctx *r, const layout *L, const render_view *v)
{
    if (!v->race)
        return;
    draw_kernel(r, L, v);
    draw_lead(r, L, v);
}

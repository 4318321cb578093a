/*
 * render_overlay.c: what is drawn over the panels: the hover read-out, the
 * help overlay (the key table's rows and what each panel is) and the
 * message at the bottom.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "render_internal.h"

/* ============================================================= hover */

static void draw_tooltip(render_ctx *r, const layout *L, int x, int y, const char *text)
{
    int w = text_width(r->text, TEXT_BODY, text) + render_px(r, 12);
    int h = text_line_height(r->text, TEXT_BODY) + render_px(r, 8);
    int bx = x + render_px(r, 14), by = y + render_px(r, 14);
    if (bx + w > L->width)
        bx = x - w - render_px(r, 6);
    if (by + h > L->height)
        by = y - h - render_px(r, 6);
    render_fill(r->renderer, (layout_rect){bx, by, w, h}, (SDL_Color){12, 13, 16, 235});
    render_outline(r->renderer, (layout_rect){bx, by, w, h}, render_color_outline);
    text_draw(r->text, TEXT_BODY, bx + render_px(r, 6), by + render_px(r, 4), text, render_color_text, TEXT_LEFT);
}

void render_draw_hover(render_ctx *r, const layout *L, const render_view *v)
{
    int panel = layout_panel_at(L, v->mouse_x, v->mouse_y);
    if (panel < 0)
        return;
    const lf_snapshot *s = &v->frame->snap;
    char text[256], a[32], b[32], c[32];
    if (panel < LAYOUT_KERNEL_PANELS) {
        int kh = r->kernel_h, kw = r->kernel_w, row, col;
        layout_rect grid = render_kernel_grid(L->panels[panel].plot, kh, kw);
        if (kh < 1 || !layout_grid_cell(grid, kh, kw, v->mouse_x, v->mouse_y, &row, &col))
            return;
        int i = row * kw + col;
        double limit = r->scales[LAYOUT_LEARNED].hi / 10;
        render_format_value(a, sizeof a, s->learned.weights[i], limit);
        render_format_value(b, sizeof b, s->target.weights[i], limit);
        render_format_value(c, sizeof c, s->learned.weights[i] - s->target.weights[i], limit);
        snprintf(text, sizeof text, "w[%d][%d]: learned %s \xc2\xb7 true %s \xc2\xb7 diff %s", row,
                 col, a, b, c);
    } else {
        if (!r->has_images || !v->images || !v->images->snap.has_images)
            return;
        const lf_snapshot *im = &v->images->snap;
        int slot = panel - LAYOUT_INPUT;
        layout_rect shown = render_image_rect(L->panels[panel].plot, r->image_h[slot], r->image_w[slot]);
        if (!layout_contains(shown, v->mouse_x, v->mouse_y))
            return;
        int ix = (int)((long)(v->mouse_x - shown.x) * r->image_w[slot] / shown.w);
        int iy = (int)((long)(v->mouse_y - shown.y) * r->image_h[slot] / shown.h);
        if (slot == 0) {
            render_format_value(a, sizeof a, im->input[iy * im->in_width + ix], 1);
            snprintf(text, sizeof text, "input (%d, %d) = %s", ix, iy, a);
        } else {
            int i = iy * im->out_width + ix;
            double limit = fmax(fabs(r->scales[LAYOUT_TARGET].lo), fabs(r->scales[LAYOUT_TARGET].hi));
            render_format_value(a, sizeof a, im->output[i], limit);
            render_format_value(b, sizeof b, im->expected[i], limit);
            render_format_value(c, sizeof c, im->output[i] - im->expected[i], limit);
            snprintf(text, sizeof text, "(%d, %d): output %s \xc2\xb7 target %s \xc2\xb7 residual %s",
                     ix, iy, a, b, c);
        }
    }
    render_record_panel(r, "tooltip", (layout_rect){0});
    draw_tooltip(r, L, v->mouse_x, v->mouse_y, text);
}

/* ============================================================== help */

/* What each panel is, under the keys. */
static const char *const panel_notes[] = {
    "Learned weights: the network's kernel now, one cell per weight.",
    "True kernel: the filter it is learning. Both share one colour scale;",
    "    white is zero, so equal colours are equal values.",
    "Learned \xe2\x88\x92 true: the error per weight, on the same scale (white when learned).",
    "Input: the grayscale photo patch fed to the network.",
    "Network output and target (the true filter's output) share one scale.",
    "Residual: output \xe2\x88\x92 target, on its own scale; it fades once learned.",
    "Loss: training (running mean of the steps) and validation (per epoch) MSE,",
    "    both axes on a log scale, so every decade of steps gets the same width.",
    "Training stops when the kernel error reaches the tolerance (1%); Space trains on.",
    "Mouse: each button below does what its key does; a photo in the strip shows it.",
    "Click a weight (kernels up to 7x7) and type a value, Enter sets it; or drag it",
    "    up or down. A learned weight: training recovers. A true one: a new kernel.",
    "Hover over an image for the sum at that pixel, over the chart for its values.",
};
#define PANEL_NOTES ((int)(sizeof panel_notes / sizeof panel_notes[0]))

/* The help's rows: every row of the key table, then the drop notes. */
static int help_rows(const char **labels, const char **lines, int capacity)
{
    int keys, drops, n = 0;
    const keymap_entry *e = keymap_entries(&keys);
    const keymap_note *d = keymap_drop_notes(&drops);
    for (int i = 0; i < keys && n < capacity; i++, n++) {
        labels[n] = e[i].keys_label;
        lines[n] = e[i].help;
    }
    for (int i = 0; i < drops && n < capacity; i++, n++) {
        labels[n] = d[i].label;
        lines[n] = d[i].help;
    }
    return n;
}

typedef enum notes_place { NOTES_BELOW, NOTES_BESIDE, NOTES_NONE } notes_place;

typedef struct help_shape {
    text_font font;
    int key_columns;   /* 1 or 2 */
    notes_place notes;
} help_shape;

/* The help's arrangements, the most readable first: the body font before
 * the small one, the panel notes before leaving them out. */
static const help_shape help_shapes[] = {
    {TEXT_BODY, 1, NOTES_BELOW},  {TEXT_BODY, 1, NOTES_BESIDE},  {TEXT_BODY, 2, NOTES_BELOW},
    {TEXT_SMALL, 1, NOTES_BELOW}, {TEXT_SMALL, 1, NOTES_BESIDE}, {TEXT_SMALL, 2, NOTES_BELOW},
    {TEXT_BODY, 1, NOTES_NONE},   {TEXT_BODY, 2, NOTES_NONE},    {TEXT_SMALL, 1, NOTES_NONE},
    {TEXT_SMALL, 2, NOTES_NONE},
};

void render_draw_help(render_ctx *r, const layout *L)
{
    enum { MAX_ROWS = 64 };
    const char *labels[MAX_ROWS], *lines[MAX_ROWS];
    const int n_rows = help_rows(labels, lines, MAX_ROWS);
    SDL_Renderer *R = r->renderer;
    SDL_SetRenderDrawBlendMode(R, SDL_BLENDMODE_BLEND);
    render_fill(R, (layout_rect){0, 0, L->width, L->height}, (SDL_Color){0, 0, 0, 170});
    const int pad = render_px(r, 16), column_gap = render_px(r, 20), section_gap = render_px(r, 12);
    const int title_h = text_line_height(r->text, TEXT_TITLE) + render_px(r, 8);

    help_shape shape = help_shapes[0];
    int key_w = 0, desc_w = 0, notes_w = 0, line = 0, box_w = 0, box_h = 0, per_column = 0;
    bool fits = false;
    const int n_shapes = (int)(sizeof help_shapes / sizeof help_shapes[0]);
    for (int attempt = 0; attempt < n_shapes && !fits; attempt++) {
        shape = help_shapes[attempt];
        key_w = desc_w = notes_w = 0;
        for (int i = 0; i < n_rows; i++) {
            int w = text_width(r->text, shape.font, labels[i]);
            key_w = w > key_w ? w : key_w;
            w = text_width(r->text, shape.font, lines[i]);
            desc_w = w > desc_w ? w : desc_w;
        }
        for (int i = 0; i < PANEL_NOTES; i++) {
            int w = text_width(r->text, shape.font, panel_notes[i]);
            notes_w = w > notes_w ? w : notes_w;
        }
        line = text_line_height(r->text, shape.font) + render_px(r, 3);
        per_column = (n_rows + shape.key_columns - 1) / shape.key_columns;
        int keys_w = shape.key_columns * (key_w + column_gap + desc_w) +
                     (shape.key_columns - 1) * 2 * column_gap;
        int keys_h = title_h + per_column * line, notes_h = title_h + PANEL_NOTES * line;
        if (shape.notes == NOTES_NONE) {
            box_w = keys_w;
            box_h = keys_h;
        } else if (shape.notes == NOTES_BESIDE) {
            box_w = keys_w + 2 * column_gap + notes_w;
            box_h = keys_h > notes_h ? keys_h : notes_h;
        } else {
            box_w = keys_w > notes_w ? keys_w : notes_w;
            box_h = keys_h + section_gap + notes_h;
        }
        box_w += 2 * pad;
        box_h += 2 * pad;
        fits = box_w <= L->width && box_h <= L->height;
    }
    if (!fits) {
        /* A projector scale on a small window: the keys alone, as many rows
         * as the window holds. */
        box_w = box_w < L->width ? box_w : L->width;
        box_h = L->height;
    }
    layout_rect box = {(L->width - box_w) / 2, (L->height - box_h) / 2, box_w, box_h};
    render_record_panel(r, "help", box);
    render_fill(R, box, (SDL_Color){30, 33, 40, 250});
    render_outline(R, box, render_color_outline);
    const int right = box.x + box.w, bottom = box.y + box.h;
    int x = box.x + pad, y = box.y + pad;
    if (y + text_line_height(r->text, TEXT_TITLE) <= bottom &&
        x + text_width(r->text, TEXT_TITLE, "Keys") <= right)
        text_draw(r->text, TEXT_TITLE, x, y, "Keys", render_color_text, TEXT_LEFT);
    int rows_top = y + title_h;
    for (int i = 0; i < n_rows; i++) {
        int column = i / per_column, row = i % per_column;
        int cx = x + column * (key_w + column_gap + desc_w + 2 * column_gap);
        int cy = rows_top + row * line;
        if (cy + line > bottom || cx + key_w + column_gap +
                                          text_width(r->text, shape.font, lines[i]) > right)
            continue; /* left out rather than cut */
        text_draw(r->text, shape.font, cx, cy, labels[i], render_color_train, TEXT_LEFT);
        text_draw(r->text, shape.font, cx + key_w + column_gap, cy, lines[i], render_color_text,
                  TEXT_LEFT);
    }
    if (!fits || shape.notes == NOTES_NONE)
        return;
    if (shape.notes == NOTES_BESIDE) {
        x += shape.key_columns * (key_w + column_gap + desc_w) +
             (shape.key_columns - 1) * 2 * column_gap + 2 * column_gap;
    } else {
        y = rows_top + per_column * line + section_gap;
    }
    text_draw(r->text, TEXT_TITLE, x, y, "Panels and mouse", render_color_text, TEXT_LEFT);
    y += title_h;
    for (int i = 0; i < PANEL_NOTES; i++, y += line)
        text_draw(r->text, shape.font, x, y, panel_notes[i], render_color_text, TEXT_LEFT);
}

void render_draw_toast(render_ctx *r, const layout *L, const render_view *v)
{
    SDL_Renderer *R = r->renderer;
    /* The body font, or the small one for a long message in a narrow
     * window; what still does not fit is clipped at the box. */
    const int room = L->width - 2 * L->margin, inset = render_px(r, 24);
    text_font font = TEXT_BODY;
    if (text_width(r->text, font, v->toast) + inset > room)
        font = TEXT_SMALL;
    int w = text_width(r->text, font, v->toast) + inset;
    if (w > room)
        w = room;
    int line = text_line_height(r->text, font);
    int h = line + render_px(r, 14);
    /* Above the buttons, at the right: it answers a press without covering
     * the button pressed or the photos of the strip, which start at the left. */
    const int above = L->buttons.h > 0 ? L->buttons.y : L->footer.y;
    layout_rect box = {L->width - L->margin - w, above - h - render_px(r, 6), w, h};
    if (box.x < 0)
        box.x = 0;
    if (box.y < 0)
        box.y = 0;
    Uint8 alpha = (Uint8)(255 * fminf(fmaxf(v->toast_alpha, 0), 1));
    SDL_Color edge = v->toast_is_error ? render_color_diverged : render_color_running;
    edge.a = alpha;
    render_fill(R, box, (SDL_Color){14, 15, 18, (Uint8)(alpha * 0.95f)});
    render_outline(R, box, edge);
    render_fill(R, (layout_rect){box.x, box.y, render_px(r, 4), box.h}, edge);
    render_record_panel(r, "toast", box);
    SDL_Rect clip = render_sdl_rect(box);
    SDL_RenderSetClipRect(R, &clip);
    SDL_Color ink = render_color_text;
    ink.a = alpha;
    text_draw(r->text, font, box.x + render_px(r, 12), box.y + (h - line) / 2, v->toast, ink,
              TEXT_LEFT);
    SDL_RenderSetClipRect(R, NULL);
}

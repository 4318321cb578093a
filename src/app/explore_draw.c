/*
 * explore_draw.c: places and draws the explore mode (explore_draw.h).
 *
 * Pictures are streaming textures filled only when the state's version
 * changes (a key press), so a frame is texture copies and text. Grids are
 * scaled with nearest-neighbour sampling, so each number's cell stays a
 * crisp square; photos with linear sampling.
 */
#include "explore_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buttons.h"
#include "learnfilter/colormap.h"

/* The pictures: the input, the kernel, then one per result column. */
#define PICTURES (2 + EXPLORE_MAX_RESULTS)
#define PICTURE_INPUT 0
#define PICTURE_KERNEL 1
#define PICTURE_RESULT 2
/* Thumbnails are this many pixels a side. */
#define THUMB_SIDE 64

struct explore_draw {
    SDL_Renderer *renderer;
    SDL_Texture *pictures[PICTURES];
    unsigned uploaded_version;
    int uploaded_image;
    SDL_Texture **thumbs; /* one per image, made when first shown */
    int thumb_capacity;
};

static const SDL_Color ink = {230, 232, 236, 255}, dim = {150, 156, 166, 255},
                       warn = {255, 190, 90, 255}, lens_colour = {255, 150, 40, 255},
                       pick_colour = {60, 200, 120, 255};

static int px(const explore_layout *L, int v)
{
    return (int)lroundf((float)v * L->scale);
}

/* ========================================================= lifecycle */

explore_draw *explore_draw_create(SDL_Renderer *renderer, lf_error *err)
{
    explore_draw *d = calloc(1, sizeof *d);
    if (!d) {
        lf_fail(err, LF_ERR_NOMEM, "out of memory for the explore view");
        return NULL;
    }
    d->renderer = renderer;
    d->uploaded_image = -1;
    for (int i = 0; i < PICTURES; i++) {
        d->pictures[i] = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGB888,
                                           SDL_TEXTUREACCESS_STREAMING, EXPLORE_MAX_SIDE,
                                           EXPLORE_MAX_SIDE);
        if (!d->pictures[i]) {
            lf_fail(err, LF_ERR_NOMEM, "cannot make the explore view's textures: %s",
                    SDL_GetError());
            explore_draw_destroy(d);
            return NULL;
        }
        SDL_SetTextureBlendMode(d->pictures[i], SDL_BLENDMODE_NONE);
    }
    return d;
}

void explore_draw_destroy(explore_draw *d)
{
    if (!d)
        return;
    for (int i = 0; i < PICTURES; i++)
        if (d->pictures[i])
            SDL_DestroyTexture(d->pictures[i]);
    for (int i = 0; i < d->thumb_capacity; i++)
        if (d->thumbs[i])
            SDL_DestroyTexture(d->thumbs[i]);
    free(d->thumbs);
    free(d);
}

/* ========================================================== pictures */

/* The colour of v as a result is shown: signed on a symmetric limit, or
 * gray over [lo, hi] (of |v| for EXPLORE_DISPLAY_ABS). */
static lf_rgb shade(explore_display shown, float v, float lo, float hi, float limit)
{
    switch (shown) {
    case EXPLORE_DISPLAY_SIGNED:
        return lf_colormap_diverging(limit > 0 ? v / limit : 0);
    case EXPLORE_DISPLAY_ABS:
        return lf_colormap_gray(limit > 0 ? fabsf(v) / limit : 0);
    default:
        return lf_colormap_gray(hi > lo ? (v - lo) / (hi - lo) : 0.5f);
    }
}

static void upload(SDL_Texture *tex, const float *values, int h, int w, explore_display shown,
                   float lo, float hi, float limit, bool crisp)
{
    void *pixels;
    int pitch;
    if (h <= 0 || w <= 0 || SDL_LockTexture(tex, NULL, &pixels, &pitch) != 0)
        return;
    for (int y = 0; y < h && y < EXPLORE_MAX_SIDE; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)pixels + (size_t)y * (size_t)pitch);
        for (int x = 0; x < w && x < EXPLORE_MAX_SIDE; x++) {
            lf_rgb c = shade(shown, values[(size_t)y * (size_t)w + (size_t)x], lo, hi, limit);
            row[x] = ((Uint32)c.r << 16) | ((Uint32)c.g << 8) | c.b;
        }
    }
    SDL_UnlockTexture(tex);
    SDL_SetTextureScaleMode(tex, crisp ? SDL_ScaleModeNearest : SDL_ScaleModeLinear);
}

static void upload_all(explore_draw *d, const explore_state *s)
{
    if (d->uploaded_version == s->version && d->uploaded_image == s->image_index)
        return;
    const explore_image *in = &s->images[s->image_index];
    float lo = in->values[0], hi = in->values[0];
    for (int i = 1; i < in->height * in->width; i++) {
        lo = fminf(lo, in->values[i]);
        hi = fmaxf(hi, in->values[i]);
    }
    if (!in->is_grid)
        lo = 0, hi = 1; /* intensities */
    upload(d->pictures[PICTURE_INPUT], in->values, in->height, in->width, EXPLORE_DISPLAY_GRAY, lo, hi, hi,
           in->is_grid);
    for (int i = 0; i < s->result_count; i++) {
        const explore_result *r = &s->results[i];
        upload(d->pictures[PICTURE_RESULT + i], r->values, r->height, r->width, r->shown, r->shared_lo,
               r->shared_hi, r->limit, in->is_grid);
    }
    lf_kernel k;
    explore_current_kernel(s, &k);
    float limit = 0;
    for (int i = 0; i < k.height * k.width; i++)
        limit = fmaxf(limit, fabsf(k.weights[i]));
    upload(d->pictures[PICTURE_KERNEL], k.weights, k.height, k.width, EXPLORE_DISPLAY_SIGNED,
           -limit, limit, limit, true);
    d->uploaded_version = s->version;
    d->uploaded_image = s->image_index;
}

/* The largest rectangle of aspect h:w inside area, centred at its top. */
static layout_rect fit(layout_rect area, int h, int w)
{
    if (h <= 0 || w <= 0 || area.w <= 0 || area.h <= 0)
        return (layout_rect){area.x, area.y, 0, 0};
    double k = fmin((double)area.w / w, (double)area.h / h);
    int fw = (int)(w * k), fh = (int)(h * k);
    return (layout_rect){area.x + (area.w - fw) / 2, area.y, fw, fh};
}

static void fill_rect(SDL_Renderer *r, layout_rect q, SDL_Color c)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    SDL_Rect rect = {q.x, q.y, q.w, q.h};
    SDL_RenderFillRect(r, &rect);
}

static void frame_rect(SDL_Renderer *r, layout_rect q, SDL_Color c, int thickness)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
    for (int i = 0; i < thickness; i++) {
        SDL_Rect rect = {q.x - i, q.y - i, q.w + 2 * i, q.h + 2 * i};
        SDL_RenderDrawRect(r, &rect);
    }
}

/* A picture with its title above and a caption below, inside column. */
static void draw_picture(explore_draw *d, text_ctx *t, const explore_layout *L, layout_rect column,
                         int index, int h, int w, const char *title, const char *caption)
{
    int line = text_line_height(t, TEXT_BODY);
    text_draw(t, TEXT_TITLE, column.x, column.y, title, ink, TEXT_LEFT);
    layout_rect area = {column.x, column.y + line + px(L, 6), column.w,
                        column.h - 4 * line - px(L, 12)};
    layout_rect q = fit(area, h, w);
    SDL_Rect src = {0, 0, w < EXPLORE_MAX_SIDE ? w : EXPLORE_MAX_SIDE,
                    h < EXPLORE_MAX_SIDE ? h : EXPLORE_MAX_SIDE};
    SDL_Rect dst = {q.x, q.y, q.w, q.h};
    SDL_RenderCopy(d->renderer, d->pictures[index], &src, &dst);
    frame_rect(d->renderer, q, dim, 1);
    if (caption)
        text_draw(t, TEXT_BODY, column.x, q.y + q.h + px(L, 6), caption, dim, TEXT_LEFT);
}

/* How a grid of numbers is shaded. */
typedef enum grid_shading { GRID_GRAY = 0, GRID_SIGNED } grid_shading;

/* A grid of numbers: cells shaded by value (pale, so dark numbers stay
 * readable), with lens and pick marks; cells from `filled` on are empty.
 * edit_cell (or -1) shows edit_text being typed instead of its number. */
static void draw_number_grid(SDL_Renderer *r, text_ctx *t, layout_rect area, const float *values,
                             int h, int w, int filled, const lf_lens_cell *cells, int cell_count,
                             int current, grid_shading shading, int edit_cell,
                             const char *edit_text)
{
    int side = h > 0 && w > 0 ? (area.w / w < area.h / h ? area.w / w : area.h / h) : 0;
    if (side <= 0)
        return;
    float lo = values[0], hi = values[0];
    for (int i = 1; i < h * w; i++)
        lo = fminf(lo, values[i]), hi = fmaxf(hi, values[i]);
    float limit = fmaxf(fabsf(lo), fabsf(hi));
    /* The largest number font that leaves a margin in the cell; the value
     * fonts keep their size whatever the UI scale, like the kernel panels'. */
    text_font font = TEXT_VALUE_FIRST;
    for (int f = TEXT_VALUE_FIRST; f <= TEXT_VALUE_LAST; f++)
        if (text_font_pixels(t, (text_font)f) * 5 <= side * 2)
            font = (text_font)f;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int i = y * w + x;
            layout_rect q = {area.x + x * side, area.y + y * side, side - 1, side - 1};
            if (i >= filled) {
                frame_rect(r, q, (SDL_Color){70, 76, 88, 255}, 1);
                continue;
            }
            SDL_Color fill;
            if (shading == GRID_SIGNED) {
                /* The kernel scale, pale: white at zero. */
                lf_rgb c = lf_colormap_diverging(limit > 0 ? 0.6f * values[i] / limit : 0);
                fill = (SDL_Color){c.r, c.g, c.b, 255};
            } else {
                float f = hi > lo ? (values[i] - lo) / (hi - lo) : 0.5f;
                Uint8 g = (Uint8)(120 + 135 * f);
                fill = (SDL_Color){g, g, g, 255};
            }
            fill_rect(r, q, fill);
            char text[32];
            if (i == edit_cell)
                snprintf(text, sizeof text, "%s|", edit_text);
            else
                snprintf(text, sizeof text, "%g", values[i]);
            bool light = fill.r + fill.g + fill.b > 3 * 150;
            SDL_Color number = light ? (SDL_Color){20, 20, 24, 255}
                                     : (SDL_Color){250, 250, 250, 255};
            text_draw(t, font, q.x + q.w / 2, q.y + (q.h - text_line_height(t, font)) / 2, text,
                      number, TEXT_CENTER);
            if (i == current || i == edit_cell)
                frame_rect(r, q, lens_colour, 3);
        }
    for (int k = 0; cells && k < cell_count; k++) {
        const lf_lens_cell *c = &cells[k];
        if (!c->in_lens)
            continue;
        layout_rect q = {area.x + c->x * side, area.y + c->y * side, side - 1, side - 1};
        frame_rect(r, q, c->picked ? pick_colour : lens_colour, c->picked ? 4 : 2);
    }
}

/* The kernel column: its numbers (clickable, to type a weight) when small,
 * else a picture on the signed scale. */
static void draw_kernel_column(explore_draw *d, text_ctx *t, const explore_state *s,
                               const explore_layout *L, layout_rect col)
{
    lf_kernel k;
    explore_current_kernel(s, &k);
    char title[96];
    snprintf(title, sizeof title, "Kernel %dx%d", k.height, k.width);
    int line = text_line_height(t, TEXT_BODY);
    if (L->kernel_h > 0) {
        text_draw(t, TEXT_TITLE, col.x, col.y, title, ink, TEXT_LEFT);
        draw_number_grid(d->renderer, t, L->kernel_grid, k.weights, k.height, k.width,
                         k.height * k.width, NULL, 0, -1, GRID_SIGNED, s->edit_cell,
                         s->edit_text);
        int y = L->kernel_grid.y + L->kernel_grid.h + px(L, 6);
        text_draw(t, TEXT_BODY, col.x, y, k.name, dim, TEXT_LEFT);
        text_draw(t, TEXT_BODY, col.x, y + line,
                  s->edit_cell >= 0 ? "type a number, Enter" : "click a cell to type a weight",
                  dim, TEXT_LEFT);
        return;
    }
    draw_picture(d, t, L, col, PICTURE_KERNEL, k.height, k.width, title, k.name);
}

static void draw_thumbs(explore_draw *d, const explore_state *s, const explore_layout *L)
{
    if (L->thumb_count == 0)
        return;
    if (d->thumb_capacity < s->image_count) {
        SDL_Texture **grown = realloc(d->thumbs, sizeof *grown * (size_t)s->image_count);
        if (!grown)
            return;
        for (int i = d->thumb_capacity; i < s->image_count; i++)
            grown[i] = NULL;
        d->thumbs = grown;
        d->thumb_capacity = s->image_count;
    }
    for (int i = 0; i < L->thumb_count; i++) {
        int index = L->thumbs[i].image;
        const explore_image *img = &s->images[index];
        if (!d->thumbs[index]) {
            /* Every THUMB_SIDE-th pixel of the picture: a glance, not a copy. */
            float small[THUMB_SIDE * THUMB_SIDE];
            float lo = img->values[0], hi = img->values[0];
            for (int p = 0; p < img->height * img->width; p++)
                lo = fminf(lo, img->values[p]), hi = fmaxf(hi, img->values[p]);
            for (int y = 0; y < THUMB_SIDE; y++)
                for (int x = 0; x < THUMB_SIDE; x++)
                    small[y * THUMB_SIDE + x] =
                        img->values[(y * img->height / THUMB_SIDE) * img->width +
                                    x * img->width / THUMB_SIDE];
            d->thumbs[index] = SDL_CreateTexture(d->renderer, SDL_PIXELFORMAT_RGB888,
                                                 SDL_TEXTUREACCESS_STREAMING, THUMB_SIDE,
                                                 THUMB_SIDE);
            if (!d->thumbs[index])
                continue;
            upload(d->thumbs[index], small, THUMB_SIDE, THUMB_SIDE, EXPLORE_DISPLAY_GRAY,
                   img->is_grid ? lo : 0, img->is_grid ? hi : 1, hi, img->is_grid);
        }
        layout_rect q = L->thumbs[i].rect;
        SDL_Rect dst = {q.x, q.y, q.w, q.h};
        SDL_RenderCopy(d->renderer, d->thumbs[index], NULL, &dst);
        bool shown = index == s->image_index;
        frame_rect(d->renderer, q, shown ? lens_colour : dim, shown ? 3 : 1);
    }
}

static void draw_image_view(explore_draw *d, text_ctx *t, const explore_state *s,
                            const explore_layout *L)
{
    const explore_image *in = &s->images[s->image_index];
    char title[160], caption[160];
    snprintf(title, sizeof title, "Input: %s (%dx%d)", in->name, in->height, in->width);
    draw_picture(d, t, L, L->columns[0], PICTURE_INPUT, in->height, in->width, title,
                 in->is_grid ? "numbers as given" : "gray intensities 0 to 1");
    int first_result = 1;
    if (L->kernel_column >= 0) {
        draw_kernel_column(d, t, s, L, L->columns[L->kernel_column]);
        first_result = L->kernel_column + 1;
    }
    for (int i = 0; i < s->result_count && first_result + i < L->column_count; i++) {
        const explore_result *r = &s->results[i];
        layout_rect col = L->columns[first_result + i];
        snprintf(title, sizeof title, "%s", r->label);
        char lo[32], hi[32];
        snprintf(lo, sizeof lo, "%.3g", r->lo);
        snprintf(hi, sizeof hi, "%.3g", r->hi);
        snprintf(caption, sizeof caption, "%dx%d, %s from %s to %s", r->height, r->width,
                 explore_display_name(r->shown), lo, hi);
        draw_picture(d, t, L, col, PICTURE_RESULT + i, r->height, r->width, title, caption);
        /* The output width written out: the rule on one line, its numbers
         * on the next, so four columns still have room. */
        char formula[160];
        explore_size_formula(&r->op, in->width, formula, sizeof formula);
        char *numbers = strstr(formula, " = ");
        int line = text_line_height(t, TEXT_BODY);
        layout_rect shown = fit((layout_rect){col.x, col.y + line + px(L, 6), col.w,
                                              col.h - 4 * line - px(L, 12)},
                                r->height, r->width);
        int y = shown.y + shown.h + px(L, 6) + 2 * line;
        if (numbers) {
            *numbers = '\0';
            char rule[176];
            snprintf(rule, sizeof rule, "width %s", formula);
            text_draw(t, TEXT_BODY, col.x, y - line, rule, dim, TEXT_LEFT);
            text_draw(t, TEXT_BODY, col.x, y, numbers + 1, ink, TEXT_LEFT);
        }
    }
}

static void draw_lens_view(explore_draw *d, text_ctx *t, const explore_state *s,
                           const explore_layout *L)
{
    const explore_image *in = explore_lens_input(s);
    int line = text_line_height(t, TEXT_BODY), gap = px(L, 24);
    int half = (L->body.w - gap) / 2;
    char title[200];
    snprintf(title, sizeof title, "Input: %s", in->name);
    text_draw(t, TEXT_TITLE, L->body.x, L->body.y, title, ink, TEXT_LEFT);
    if (s->lens_positions <= 0) {
        text_draw(t, TEXT_BODY, L->body.x, L->body.y + 2 * line, s->lens_message, warn,
                  TEXT_LEFT);
        return;
    }
    int big = text_line_height(t, TEXT_STATUS);
    layout_rect grids = {L->body.x, L->body.y + line + px(L, 8), half,
                         L->body.h - line - big - px(L, 24)};
    draw_number_grid(d->renderer, t, grids, in->values, in->height, in->width,
                     in->height * in->width, s->lens_cells, s->lens_step.cell_count, -1,
                     GRID_GRAY, -1, "");
    layout_rect out = {L->body.x + half + gap, grids.y, half, grids.h};
    lf_kernel kernel;
    lf_op op = explore_current_op(s, &kernel);
    op.repeat = 1;
    char formula[160], name[120];
    explore_size_formula(&op, in->width, formula, sizeof formula);
    explore_op_name(&op, &kernel, name, sizeof name);
    snprintf(title, sizeof title, "Output: %s, %dx%d", name, s->lens_out_h, s->lens_out_w);
    text_draw(t, TEXT_TITLE, out.x, L->body.y, title, ink, TEXT_LEFT);
    draw_number_grid(d->renderer, t, out, s->lens_output, s->lens_out_h, s->lens_out_w,
                     s->lens_position + 1, NULL, 0, s->lens_position, GRID_GRAY, -1, "");
    /* The arithmetic, as large as fits. */
    text_font fonts[3] = {TEXT_STATUS, TEXT_TITLE, TEXT_BODY};
    text_font font = TEXT_SMALL;
    for (int i = 0; i < 3; i++)
        if (text_width(t, fonts[i], s->lens_text) <= L->body.w) {
            font = fonts[i];
            break;
        }
    int y = L->body.y + L->body.h - big;
    text_draw(t, font, L->body.x, y, s->lens_text, lens_colour, TEXT_LEFT);
    char where[200];
    snprintf(where, sizeof where, "position %d of %d   width: %s", s->lens_position + 1,
             s->lens_positions, formula);
    text_draw(t, TEXT_BODY, L->body.x, y - line - px(L, 4), where, dim, TEXT_LEFT);
}

/* One plot of values against their index, with a zero line. */
static void draw_plot(SDL_Renderer *r, text_ctx *t, const explore_layout *L, layout_rect area,
                      const float *values, int n, const char *title)
{
    int line = text_line_height(t, TEXT_BODY);
    text_draw(t, TEXT_TITLE, area.x, area.y, title, ink, TEXT_LEFT);
    layout_rect plot = {area.x, area.y + line + px(L, 4), area.w, area.h - line - px(L, 10)};
    if (plot.h <= 2 || n < 1)
        return;
    /* Room at the left for the value labels. */
    int label_w = text_width(t, TEXT_SMALL, "\xE2\x88\x92" "0.00") + px(L, 6);
    plot.x += label_w;
    plot.w -= label_w;
    if (plot.w <= 2)
        return;
    frame_rect(r, plot, dim, 1);
    float lo = 0, hi = 1;
    for (int i = 0; i < n; i++)
        lo = fminf(lo, values[i]), hi = fmaxf(hi, values[i]);
    float span = hi - lo > 0 ? hi - lo : 1;
    int zero = plot.y + plot.h - 1 - (int)((0 - lo) / span * (plot.h - 1));
    SDL_SetRenderDrawColor(r, 90, 96, 108, 255);
    SDL_RenderDrawLine(r, plot.x, zero, plot.x + plot.w - 1, zero);
    int small = text_line_height(t, TEXT_SMALL);
    char label[32];
    float marks[3] = {hi, 0, lo};
    for (int i = 0; i < 3; i++) {
        if (i == 2 && lo == 0)
            break;
        snprintf(label, sizeof label, "%s%.2g", marks[i] < 0 ? "\xE2\x88\x92" : "",
                 fabs(marks[i]));
        int y = plot.y + plot.h - 1 - (int)((marks[i] - lo) / span * (plot.h - 1));
        text_draw(t, TEXT_SMALL, plot.x - px(L, 4), y - small / 2, label, dim, TEXT_RIGHT);
    }
    SDL_SetRenderDrawColor(r, 110, 170, 255, 255);
    int thick = px(L, 2) > 2 ? px(L, 2) : 2; /* thick enough for a projector */
    int prev_x = 0, prev_y = 0;
    for (int i = 0; i < n; i++) {
        int x = plot.x + (n > 1 ? (int)((long)i * (plot.w - 1) / (n - 1)) : plot.w / 2);
        int y = plot.y + plot.h - 1 - (int)((values[i] - lo) / span * (plot.h - 1));
        if (i)
            for (int k = 0; k < thick; k++)
                SDL_RenderDrawLine(r, prev_x, prev_y + k - thick / 2, x, y + k - thick / 2);
        prev_x = x, prev_y = y;
    }
}

static void draw_signal_view(explore_draw *d, text_ctx *t, const explore_state *s,
                             const explore_layout *L)
{
    int gap = px(L, 10), h = (L->body.h - 2 * gap) / 3;
    char title[160];
    layout_rect a = {L->body.x, L->body.y, L->body.w, h};
    draw_plot(d->renderer, t, L, a, s->signal, EXPLORE_SIGNAL_LENGTH,
              "Signal: a step up and down (300 samples)");
    snprintf(title, sizeof title, "Kernel: %s window, %d taps", lf_window1d_name(s->signal_window),
             s->signal_taps);
    a.y += h + gap;
    draw_plot(d->renderer, t, L, a, s->signal_kernel, s->signal_taps, title);
    a.y += h + gap;
    draw_plot(d->renderer, t, L, a, s->signal_out, EXPLORE_SIGNAL_LENGTH,
              "Convolved ('same'), divided by the kernel's sum: the steps are smoothed");
}

void explore_draw_frame(explore_draw *d, text_ctx *t, const explore_state *s,
                        const explore_layout *L, int mouse_x, int mouse_y)
{
    SDL_SetRenderDrawColor(d->renderer, 24, 26, 32, 255);
    SDL_RenderClear(d->renderer);
    text_draw(t, TEXT_TITLE, L->title.x, L->title.y, "Explore: what a filter does to a picture",
              ink, TEXT_LEFT);
    text_draw(t, TEXT_BODY, L->title.x + L->title.w, L->title.y,
              "X: back to training \xC2\xB7 H: help", dim, TEXT_RIGHT);
    for (int i = 0; i < L->button_count; i++) {
        const explore_button *b = &L->buttons[i];
        /* Drawn as the training window's buttons are. */
        buttons_draw_one(d->renderer, t, b->rect, b->label, NULL,
                         layout_contains(b->rect, mouse_x, mouse_y));
    }
    if (s->image_count > 0) {
        upload_all(d, s);
        draw_thumbs(d, s, L);
        if (s->view == EXPLORE_VIEW_IMAGE)
            draw_image_view(d, t, s, L);
        else if (s->view == EXPLORE_VIEW_LENS)
            draw_lens_view(d, t, s, L);
        else
            draw_signal_view(d, t, s, L);
    }
    if (s->message[0])
        text_draw(t, TEXT_BODY, L->footer.x, L->footer.y, s->message, warn, TEXT_LEFT);
}

void explore_draw_help(explore_draw *d, text_ctx *t, const explore_layout *L,
                       const char *const *keys, const char *const *helps, int n)
{
    int line = text_line_height(t, TEXT_BODY) + px(L, 4);
    int key_w = 0, help_w = 0;
    for (int i = 0; i < n; i++) {
        int kw = text_width(t, TEXT_BODY, keys[i]), hw = text_width(t, TEXT_BODY, helps[i]);
        key_w = kw > key_w ? kw : key_w;
        help_w = hw > help_w ? hw : help_w;
    }
    int pad = px(L, 16), gap = px(L, 20);
    int w = pad * 2 + key_w + gap + help_w, h = pad * 2 + (n + 3) * line;
    layout_rect box = {(L->width - w) / 2, (L->height - h) / 2, w, h};
    SDL_SetRenderDrawBlendMode(d->renderer, SDL_BLENDMODE_BLEND);
    fill_rect(d->renderer, box, (SDL_Color){16, 18, 24, 240});
    SDL_SetRenderDrawBlendMode(d->renderer, SDL_BLENDMODE_NONE);
    frame_rect(d->renderer, box, dim, 1);
    int y = box.y + pad;
    text_draw(t, TEXT_TITLE, box.x + pad, y, "Explore: keys (each is also a button)", ink,
              TEXT_LEFT);
    y += 2 * line;
    for (int i = 0; i < n; i++, y += line) {
        text_draw(t, TEXT_BODY, box.x + pad + key_w, y, keys[i], lens_colour, TEXT_RIGHT);
        text_draw(t, TEXT_BODY, box.x + pad + key_w + gap, y, helps[i], ink, TEXT_LEFT);
    }
    text_draw(t, TEXT_BODY, box.x + pad, y, "X or Esc: back to training \xC2\xB7 H: close this help",
              dim, TEXT_LEFT);
}

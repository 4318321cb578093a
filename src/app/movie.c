/*
 * movie.c: drawing kernel frames for movies. See movie.h.
 *
 * Layout, at the default 960x540 (everything scales with the height):
 *
 *   |               Epoch 12                                  |
 *   |        step 132   relative error 4.2%                   |
 *   |   Learned weights            True kernel         +2.5 - |
 *   |   +-------------+          +-------------+        | |   |
 *   |   |  heatmap    |          |  heatmap    |        | | W |
 *   |   +-------------+          +-------------+        | |   |
 *   |   footer                                         -2.5 - |
 *
 * Static text (panel titles, tick labels, the colorbar label, the footer)
 * becomes textures once at creation; only the title, the subtitle and the
 * cell values are rendered per frame.
 */
#include "movie.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/colormap.h"
#include "learnfilter/gif.h"
#include "setup.h"

#define MAX_TICKS 9

typedef struct label {
    SDL_Texture *texture;
    int w, h;
} label;

struct movie {
    lf_kernel target;
    int width, height;
    float limit;
    float scale;                       /* height / 540 */
    SDL_Surface *surface;              /* RGBA32: the frame */
    SDL_Renderer *renderer;            /* software, drawing into surface */
    TTF_Font *title_font, *text_font, *small_font, *value_font;
    label learned_label, target_label, axis_label, footer;
    int tick_count;
    double ticks[MAX_TICKS];
    label tick_labels[MAX_TICKS];
    int value_decimals;                /* for the numbers in the cells */
    /* layout */
    SDL_Rect learned_rect, target_rect, bar_rect;
};

static const SDL_Color ink = {34, 34, 34, 255};
static const SDL_Color soft_ink = {102, 102, 102, 255};

/* ============================================================== scales */

float movie_scale_for(float max_abs)
{
    return (float)lf_scale_nice_limit(1.25 * (double)max_abs);
}

/* Fewest decimals that show step exactly (0.05 -> 2, 2.5 -> 1, 1 -> 0). */
static int decimals_for(double step)
{
    for (int d = 0; d < 6; d++) {
        double scaled = step * pow(10.0, d);
        if (fabs(scaled - round(scaled)) < 1e-6)
            return d;
    }
    return 6;
}

/* ================================================================ text */

static lf_status open_font(TTF_Font **font, int size, lf_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/DejaVuSans.ttf", app_assets_dir());
    *font = TTF_OpenFont(path, size < 6 ? 6 : size);
    if (!*font)
        return lf_fail(err, LF_ERR_INPUT, "%s: cannot open the font: %s", path, TTF_GetError());
    return LF_OK;
}

/* A texture of text; an empty label when there is none or rendering fails
 * (a frame without a word is still a frame). */
static label make_label(SDL_Renderer *renderer, TTF_Font *font, const char *text, SDL_Color color)
{
    label l = {0};
    if (!text || !*text)
        return l;
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, text, color);
    if (!s)
        return l;
    l.texture = SDL_CreateTextureFromSurface(renderer, s);
    l.w = s->w;
    l.h = s->h;
    SDL_FreeSurface(s);
    return l;
}

static void free_label(label *l)
{
    if (l->texture)
        SDL_DestroyTexture(l->texture);
    l->texture = NULL;
}

/* Draws l with its anchor at (x, y): align_x 0 left, 1 centre, 2 right;
 * y is the top, or the middle when middle is set. */
static void draw_label(SDL_Renderer *r, const label *l, int x, int y, int align_x, bool middle)
{
    if (!l->texture)
        return;
    SDL_Rect dst = {x - (align_x == 1 ? l->w / 2 : align_x == 2 ? l->w : 0),
                    middle ? y - l->h / 2 : y, l->w, l->h};
    SDL_RenderCopy(r, l->texture, NULL, &dst);
}

static void draw_text(SDL_Renderer *r, TTF_Font *font, const char *text, SDL_Color color, int x,
                      int y, int align_x, bool middle)
{
    label l = make_label(r, font, text, color);
    draw_label(r, &l, x, y, align_x, middle);
    free_label(&l);
}

/* ============================================================= drawing */

static void value_color(const movie *m, float v, SDL_Color *c)
{
    lf_rgb rgb = isfinite(v) ? lf_colormap_diverging(v / m->limit) : lf_colormap_nan();
    *c = (SDL_Color){rgb.r, rgb.g, rgb.b, 255};
}

/* The kernel as a heatmap filling rect, cell edges rounded so the cells
 * tile it exactly; the values printed in cells when the kernel is small. */
static void draw_heatmap(movie *m, const float *weights, int weight_count, SDL_Rect rect)
{
    SDL_Renderer *r = m->renderer;
    int kh = m->target.height, kw = m->target.width;
    bool values = kh <= MOVIE_VALUES_MAX_SIDE && kw <= MOVIE_VALUES_MAX_SIDE;
    for (int i = 0; i < kh; i++) {
        int y0 = rect.y + rect.h * i / kh, y1 = rect.y + rect.h * (i + 1) / kh;
        for (int j = 0; j < kw; j++) {
            int x0 = rect.x + rect.w * j / kw, x1 = rect.x + rect.w * (j + 1) / kw;
            /* A cell past the caller's array shows as "no value". */
            float v = i * kw + j < weight_count ? weights[i * kw + j] : NAN;
            SDL_Color c;
            value_color(m, v, &c);
            SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
            SDL_Rect cell = {x0, y0, x1 - x0, y1 - y0};
            SDL_RenderFillRect(r, &cell);
            if (values) {
                char text[32];
                /* A value that rounds to zero prints as 0, not -0. */
                if (isfinite(v))
                    snprintf(text, sizeof text, "%.*f", m->value_decimals,
                             fabs(v) < 0.5 * pow(10.0, -m->value_decimals) ? 0.0 : (double)v);
                else
                    snprintf(text, sizeof text, "%s", isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
                /* Dark text on light cells, white on dark ones. */
                double luma = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b;
                SDL_Color t = luma > 140 ? ink : (SDL_Color){255, 255, 255, 255};
                draw_text(r, m->value_font, text, t, (x0 + x1) / 2, (y0 + y1) / 2, 1, true);
            }
        }
    }
    /* Grid lines where cells are wide enough to need them, and a frame. */
    int cell = rect.w / kw < rect.h / kh ? rect.w / kw : rect.h / kh;
    if (cell >= 14) {
        SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
        for (int i = 1; i < kh; i++) {
            int y = rect.y + rect.h * i / kh;
            SDL_RenderDrawLine(r, rect.x, y, rect.x + rect.w - 1, y);
        }
        for (int j = 1; j < kw; j++) {
            int x = rect.x + rect.w * j / kw;
            SDL_RenderDrawLine(r, x, rect.y, x, rect.y + rect.h - 1);
        }
    }
    SDL_SetRenderDrawColor(r, soft_ink.r, soft_ink.g, soft_ink.b, 255);
    SDL_Rect frame = {rect.x - 1, rect.y - 1, rect.w + 2, rect.h + 2};
    SDL_RenderDrawRect(r, &frame);
}

/* The colorbar: the palette's own steps from +limit at the top to -limit at
 * the bottom, tick marks and values on the right, "Weight value" beside. */
static void draw_colorbar(movie *m)
{
    SDL_Renderer *r = m->renderer;
    SDL_Rect b = m->bar_rect;
    for (int y = 0; y < b.h; y++) {
        float v = m->limit * (1.0f - 2.0f * ((float)y + 0.5f) / (float)b.h);
        SDL_Color c;
        value_color(m, v, &c);
        SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
        SDL_RenderDrawLine(r, b.x, b.y + y, b.x + b.w - 1, b.y + y);
    }
    SDL_SetRenderDrawColor(r, soft_ink.r, soft_ink.g, soft_ink.b, 255);
    SDL_Rect frame = {b.x - 1, b.y - 1, b.w + 2, b.h + 2};
    SDL_RenderDrawRect(r, &frame);
    int tick_len = (int)(6 * m->scale);
    int label_right = 0;
    for (int i = 0; i < m->tick_count; i++) {
        int y = b.y + (int)lround((1.0 - m->ticks[i] / m->limit) * 0.5 * (b.h - 1));
        SDL_SetRenderDrawColor(r, ink.r, ink.g, ink.b, 255);
        SDL_RenderDrawLine(r, b.x + b.w, y, b.x + b.w + tick_len, y);
        int x = b.x + b.w + tick_len + (int)(4 * m->scale);
        draw_label(r, &m->tick_labels[i], x, y, 0, true);
        if (x + m->tick_labels[i].w > label_right)
            label_right = x + m->tick_labels[i].w;
    }
    /* The axis label, turned to read upwards, centred on the bar. */
    label *a = &m->axis_label;
    if (a->texture) {
        int cx = label_right + (int)(10 * m->scale) + a->h / 2;
        int cy = b.y + b.h / 2;
        SDL_Rect dst = {cx - a->w / 2, cy - a->h / 2, a->w, a->h};
        SDL_RenderCopyEx(r, a->texture, NULL, &dst, -90.0, NULL, SDL_FLIP_NONE);
    }
}

const uint8_t *movie_draw(movie *m, const float *weights, int weight_count, const char *title,
                          const char *subtitle, int *stride)
{
    SDL_Renderer *r = m->renderer;
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderClear(r);
    int s = (int)(m->scale * 100);
    draw_text(r, m->title_font, title, ink, m->width / 2, 14 * s / 100, 1, false);
    draw_text(r, m->text_font, subtitle, soft_ink, m->width / 2, 56 * s / 100, 1, false);
    int label_y = m->learned_rect.y - (int)(8 * m->scale) - m->learned_label.h;
    draw_label(r, &m->learned_label, m->learned_rect.x + m->learned_rect.w / 2, label_y, 1, false);
    draw_label(r, &m->target_label, m->target_rect.x + m->target_rect.w / 2, label_y, 1, false);
    draw_heatmap(m, weights, weight_count, m->learned_rect);
    draw_heatmap(m, m->target.weights, m->target.height * m->target.width, m->target_rect);
    draw_colorbar(m);
    draw_label(r, &m->footer, m->learned_rect.x,
               m->height - (int)(10 * m->scale) - m->footer.h, 0, false);
    SDL_RenderPresent(r);
    *stride = m->surface->pitch;
    return m->surface->pixels;
}

/* ============================================================ lifetime */

movie *movie_create(const movie_options *o, lf_error *err)
{
    if (!o->target || o->target->height < 1 || o->target->width < 1) {
        lf_fail(err, LF_ERR_ARGUMENT, "movie: no kernel to draw");
        return NULL;
    }
    int width = o->width ? o->width : 960, height = o->height ? o->height : 540;
    if (width < 480 || height < 270 || width > LF_KERNEL_MAX_SIDE * 256 || height > 8192) {
        lf_fail(err, LF_ERR_ARGUMENT, "movie: frame size %dx%d is outside 480x270..8192", width,
                height);
        return NULL;
    }
    movie *m = calloc(1, sizeof *m);
    if (!m) {
        lf_fail(err, LF_ERR_NOMEM, "movie: out of memory");
        return NULL;
    }
    m->target = *o->target;
    m->width = width;
    m->height = height;
    m->scale = (float)height / 540.0f;
    m->limit = o->limit > 0 ? o->limit : movie_scale_for(lf_kernel_max_abs(&m->target));

    if (TTF_Init() != 0) {
        lf_fail(err, LF_ERR_NOMEM, "movie: cannot start SDL_ttf: %s", TTF_GetError());
        free(m);
        return NULL;
    }
    m->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_RGBA32);
    m->renderer = m->surface ? SDL_CreateSoftwareRenderer(m->surface) : NULL;
    if (!m->renderer) {
        lf_fail(err, LF_ERR_NOMEM, "movie: cannot draw a %dx%d frame: %s", width, height,
                SDL_GetError());
        movie_destroy(m);
        return NULL;
    }
    SDL_SetRenderDrawBlendMode(m->renderer, SDL_BLENDMODE_NONE);

    /* Two equal squares side by side, the colorbar and its labels after. */
    float sc = m->scale;
    int top = (int)(124 * sc), bottom = (int)(46 * sc), margin = (int)(36 * sc);
    int side = height - top - bottom;
    /* bar_space: the bar, its tick labels and the turned axis label */
    int gap = (int)(56 * sc), bar_gap = (int)(36 * sc), bar_w = (int)(22 * sc),
        bar_space = (int)(96 * sc);
    int total = 2 * side + gap + bar_gap + bar_space;
    if (total > width - 2 * margin) {
        side = (width - 2 * margin - gap - bar_gap - bar_space) / 2;
        total = 2 * side + gap + bar_gap + bar_space;
    }
    int left = (width - total) / 2;
    m->bar_rect = (SDL_Rect){left + 2 * side + gap + bar_gap, top, bar_w, side};
    /* Square cells, the heatmap centred in its square; a kernel much longer
     * than wide (a 1x50 window) still gets a sixth of the square across. */
    int kh = m->target.height, kw = m->target.width;
    int cell_side = side / kw < side / kh ? side / kw : side / kh;
    int heat_w = cell_side * kw, heat_h = cell_side * kh;
    if (heat_w < side / 6)
        heat_w = side / 6;
    if (heat_h < side / 6)
        heat_h = side / 6;
    m->learned_rect = (SDL_Rect){left + (side - heat_w) / 2, top + (side - heat_h) / 2, heat_w,
                                 heat_h};
    m->target_rect = m->learned_rect;
    m->target_rect.x += side + gap;

    int value_size = (int)(cell_side * 0.24f);
    if (value_size > (int)(26 * sc))
        value_size = (int)(26 * sc);
    lf_status st = open_font(&m->title_font, (int)(30 * sc), err);
    if (st == LF_OK)
        st = open_font(&m->text_font, (int)(17 * sc), err);
    if (st == LF_OK)
        st = open_font(&m->small_font, (int)(14 * sc), err);
    if (st == LF_OK)
        st = open_font(&m->value_font, value_size, err);
    if (st != LF_OK) {
        movie_destroy(m);
        return NULL;
    }
    TTF_SetFontStyle(m->title_font, TTF_STYLE_BOLD);

    m->learned_label = make_label(m->renderer, m->text_font, "Learned weights", ink);
    char target_title[LF_KERNEL_NAME_MAX + 32];
    snprintf(target_title, sizeof target_title, "True kernel (%s)", m->target.name);
    m->target_label = make_label(m->renderer, m->text_font,
                                 m->target.name[0] ? target_title : "True kernel", ink);
    m->axis_label = make_label(m->renderer, m->text_font, "Weight value", ink);
    m->footer = make_label(m->renderer, m->small_font, o->footer, soft_ink);
    double step;
    /* Ticks at a nice step across [-limit, limit], zero among them. */
    m->tick_count = lf_scale_ticks(-m->limit, m->limit, 7, m->ticks, MAX_TICKS);
    step = m->tick_count > 1 ? m->ticks[1] - m->ticks[0] : m->limit;
    int decimals = decimals_for(step);
    for (int i = 0; i < m->tick_count; i++) {
        char text[32];
        double v = fabs(m->ticks[i]) < step * 1e-6 ? 0.0 : m->ticks[i];
        snprintf(text, sizeof text, "%.*f", decimals, v);
        m->tick_labels[i] = make_label(m->renderer, m->small_font, text, ink);
    }
    /* Two decimals, as the original printed Sobel's weights, or enough for
     * a tenth of the scale when it is small: 3 for a kernel of 0.02s. */
    m->value_decimals = (int)ceil(-log10(m->limit / 10.0));
    if (m->value_decimals < 2)
        m->value_decimals = 2;
    if (m->value_decimals > 4)
        m->value_decimals = 4;
    return m;
}

void movie_destroy(movie *m)
{
    if (!m)
        return;
    free_label(&m->learned_label);
    free_label(&m->target_label);
    free_label(&m->axis_label);
    free_label(&m->footer);
    for (int i = 0; i < m->tick_count; i++)
        free_label(&m->tick_labels[i]);
    TTF_Font *fonts[] = {m->title_font, m->text_font, m->small_font, m->value_font};
    for (int i = 0; i < 4; i++)
        if (fonts[i])
            TTF_CloseFont(fonts[i]);
    if (m->renderer)
        SDL_DestroyRenderer(m->renderer);
    if (m->surface)
        SDL_FreeSurface(m->surface);
    TTF_Quit();
    free(m);
}

int movie_width(const movie *m)
{
    return m->width;
}

int movie_height(const movie *m)
{
    return m->height;
}

static movie_box box_of(SDL_Rect r)
{
    return (movie_box){r.x, r.y, r.w, r.h};
}

movie_boxes movie_layout(const movie *m)
{
    return (movie_boxes){.learned = box_of(m->learned_rect),
                         .target = box_of(m->target_rect),
                         .colorbar = box_of(m->bar_rect)};
}

float movie_limit(const movie *m)
{
    return m->limit;
}

long movie_next_log_step(long step, int frames_per_decade)
{
    if (step < 1 || frames_per_decade < 1)
        return step < 0 ? 0 : step + 1;
    double next = ceil((double)step * pow(10.0, 1.0 / frames_per_decade));
    if (!(next < (double)LONG_MAX / 2)) /* far past any run: no more frames */
        return LONG_MAX;
    long n = (long)next;
    return n > step ? n : step + 1;
}

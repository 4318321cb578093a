/*
 * render_layer.c: a convolution layer of F filters over C channels in the
 * window: learned and true kernels, the sample's feature maps beside their
 * targets, the error of each filter. See render_layer.h.
 */
#include "render_layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learnfilter/colormap.h"
#include "render_internal.h"

/* ============================================================ helpers */

static Uint32 pixel_of(SDL_Color c) { return 0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b; }

SDL_Texture *render_layer_texture(SDL_Renderer *renderer, SDL_Texture **t, int w, int h)
{
    int tw = 0, th = 0;
    if (*t && SDL_QueryTexture(*t, NULL, NULL, &tw, &th) == 0 && tw == w && th == h)
        return *t;
    if (*t)
        SDL_DestroyTexture(*t);
    *t = NULL;
    if (w < 1 || h < 1 || w > HEATMAP_MAX_SIDE || h > HEATMAP_MAX_SIDE)
        return NULL;
    *t = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (*t) /* opaque: a plain copy, which the software renderer does fastest */
        SDL_SetTextureBlendMode(*t, SDL_BLENDMODE_NONE);
    return *t;
}

void render_layer_free(render_layer_state *s)
{
    if (!s)
        return;
    if (s->canvas)
        SDL_DestroyTexture(s->canvas);
    if (s->sample)
        SDL_DestroyTexture(s->sample);
    if (s->x_canvas)
        SDL_DestroyTexture(s->x_canvas);
    free(s->pixels);
    free(s);
}

static float max_abs(const float *a, int n)
{
    float m = 0;
    for (int i = 0; i < n; i++)
        m = fmaxf(m, fabsf(a[i]));
    return m;
}

render_scale render_layer_kernel_scale(const worker_layer *layer, const lf_kernel *truth, int f)
{
    int n = layer->channels * layer->k_height * layer->k_width;
    float biggest = fmaxf(max_abs(truth->weights + (size_t)f * n, n),
                          max_abs(layer->learned + (size_t)f * n, n) / 1.1f);
    float limit = (float)lf_scale_nice_limit(biggest);
    return (render_scale){RENDER_DIVERGING, -limit, limit};
}

/* The scale a filter's feature map and target share, from the target. */
static render_scale map_scale(const float *target, int n)
{
    float lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        lo = fminf(lo, target[i]);
        hi = fmaxf(hi, target[i]);
    }
    if (!(hi - lo > 1e-6f * fmaxf(1.0f, fabsf(hi)))) {
        /* A flat target (a colour filter on a gray patch): white for zero. */
        float m = fmaxf(fmaxf(fabsf(lo), fabsf(hi)), 1e-3f);
        return (render_scale){RENDER_DIVERGING, -m, m};
    }
    if (!(lo < 0))
        return (render_scale){RENDER_GRAY, lo, hi};
    /* Edge responses are sparse: the 99.5th percentile of |target|, not its
     * largest, or nearly everything would be white. */
    enum { BINS = 256 };
    float biggest = fmaxf(-lo, hi);
    int counts[BINS] = {0};
    for (int i = 0; i < n; i++) {
        int k = (int)(fabsf(target[i]) / biggest * (BINS - 1));
        counts[k < 0 ? 0 : k >= BINS ? BINS - 1 : k]++;
    }
    int keep = n - n / 200, seen = 0;
    float limit = biggest;
    for (int k = 0; k < BINS; k++) {
        seen += counts[k];
        if (seen >= keep) {
            limit = biggest * (float)(k + 1) / (BINS - 1);
            break;
        }
    }
    return (render_scale){RENDER_DIVERGING, -limit, limit};
}

/* ============================================================ painting */

/* The CPU copy of the table's pixels (state's buffer), so a new frame
 * repaints only the kernels and new images only the maps. */
typedef struct canvas {
    Uint32 *pixels;
    int pitch; /* in pixels */
    layout_rect box;
} canvas;

static Uint32 *canvas_row(const canvas *cv, int y) { return cv->pixels + (long)(y - cv->box.y) * cv->pitch - cv->box.x; }

/* A kh x kw kernel in crisp square cells inside rect, the rest panel-coloured:
 * one colour per cell, worked out once. */
static void paint_kernel(canvas *cv, layout_rect rect, const float *w, int kh, int kw,
                         render_scale sc)
{
    layout_rect g = layout_grid_fit(rect, kh, kw);
    Uint32 panel = pixel_of(render_color_panel);
    Uint32 cells[LF_KERNEL_MAX_SIDE * LF_KERNEL_MAX_SIDE];
    for (int i = 0; i < kh * kw; i++)
        cells[i] = pixel_of(render_color_of(sc, w[i]));
    for (int y = rect.y; y < rect.y + rect.h; y++) {
        Uint32 *row = canvas_row(cv, y);
        bool in_rows = y >= g.y && y < g.y + g.h;
        const Uint32 *src = in_rows ? cells + (long)(y - g.y) * kh / g.h * kw : NULL;
        for (int x = rect.x; x < rect.x + rect.w; x++)
            row[x] = in_rows && x >= g.x && x < g.x + g.w ? src[(long)(x - g.x) * kw / g.w]
                                                          : panel;
    }
}

/* Paints n pixels of an image's source row `row` into dst: pixel k shows
 * column cols[k]. */
typedef void (*row_painter)(Uint32 *dst, const int *cols, int n, int row, const void *context);

/* An h x w image fitted into rect (nearest pixel), the rest of rect
 * panel-coloured; paint_row colours its rows. The source column of each
 * pixel is worked out once a call, into cols (capacity: pixels of it;
 * columns past it are left panel-coloured), and the source row once a
 * row: no division per pixel. */
static void paint_image(canvas *cv, layout_rect rect, int h, int w, int *cols, int capacity,
                        row_painter paint_row, const void *context)
{
    layout_rect shown = render_image_rect(rect, h, w);
    Uint32 panel = pixel_of(render_color_panel);
    int x0 = shown.x > rect.x ? shown.x : rect.x;
    int x1 = shown.x + shown.w < rect.x + rect.w ? shown.x + shown.w : rect.x + rect.w;
    if (h < 1 || w < 1 || x1 < x0)
        x1 = x0; /* nothing to show: all panel */
    if (x1 - x0 > capacity)
        x1 = x0 + capacity;
    for (int x = x0; x < x1; x++)
        cols[x - x0] = (int)((long)(x - shown.x) * w / shown.w);
    for (int y = rect.y; y < rect.y + rect.h; y++) {
        Uint32 *row = canvas_row(cv, y);
        bool in_rows = x1 > x0 && y >= shown.y && y < shown.y + shown.h;
        int left = in_rows ? x0 : rect.x + rect.w;
        for (int x = rect.x; x < left; x++)
            row[x] = panel;
        if (!in_rows)
            continue;
        paint_row(row + x0, cols, x1 - x0, (int)((long)(y - shown.y) * h / shown.h), context);
        for (int x = x1; x < rect.x + rect.w; x++)
            row[x] = panel;
    }
}

/* One plane on a scale through the renderer's lookup table (render_lut_color:
 * clamped to the scale, NaN in the colormap's NaN colour). */
typedef struct map_source {
    const float *values; /* h x w */
    int w;
    render_lut_map colors;
} map_source;

static void map_row(Uint32 *dst, const int *cols, int n, int row, const void *context)
{
    const map_source *m = context;
    const float *src = m->values + (size_t)row * m->w;
    for (int k = 0; k < n; k++)
        dst[k] = render_lut_color(&m->colors, src[cols[k]]);
}

static void paint_map(const render_ctx *r, canvas *cv, layout_rect rect, const float *src, int h,
                      int w, render_scale sc, int *cols, int capacity)
{
    map_source m = {src, w, render_scale_lut_map(r, sc)};
    paint_image(cv, rect, h, w, cols, capacity, map_row, &m);
}

/* R, G, B planes on [0, 1] (h x w each) in their own colours, or one gray plane. */
typedef struct photo_source {
    const float *planes[3]; /* the same plane thrice for gray */
    int w;
} photo_source;

static void photo_row(Uint32 *dst, const int *cols, int n, int row, const void *context)
{
    const photo_source *p = context;
    size_t at = (size_t)row * p->w;
    for (int k = 0; k < n; k++) {
        Uint32 c = 0xFF000000u;
        for (int i = 0; i < 3; i++) {
            float v = p->planes[i][at + cols[k]];
            c |= (Uint32)(int)((v < 0 ? 0 : v > 1 ? 1 : v) * 255 + 0.5f) << (16 - 8 * i);
        }
        dst[k] = c;
    }
}

static void paint_photo(canvas *cv, layout_rect rect, const float *src, int h, int w, int planes,
                        int *cols, int capacity)
{
    size_t area = (size_t)h * w;
    photo_source p = {{src, src + (planes == 3 ? area : 0), src + (planes == 3 ? 2 * area : 0)},
                      w};
    paint_image(cv, rect, h, w, cols, capacity, photo_row, &p);
}

/* The table's bounding box: the column titles, every row and caption. */
static layout_rect table_box(const layer_layout *LL) { return LL->table; }

/* Makes the buffer box's size; true when it was remade (all to repaint). */
static bool canvas_fit(render_layer_state *s, layout_rect box, canvas *cv)
{
    size_t need = (size_t)box.w * box.h;
    bool remade = memcmp(&box, &s->canvas_box, sizeof box) != 0 || !s->pixels;
    if (need > s->pixel_capacity) {
        free(s->pixels);
        s->pixels = malloc(sizeof(Uint32) * need); /* on a layout change, not per frame */
        s->pixel_capacity = s->pixels ? need : 0;
        if (!s->pixels)
            return false;
    }
    *cv = (canvas){s->pixels, box.w, box};
    if (remade) {
        Uint32 bg = pixel_of(render_color_background);
        for (size_t i = 0; i < need; i++)
            s->pixels[i] = bg;
        s->canvas_box = box;
    }
    return remade;
}

static void paint_table(render_ctx *r, render_layer_state *s, const render_view *v,
                        bool kernels, bool images)
{
    const layer_layout *LL = &s->LL;
    const worker_layer *l = &v->frame->layer;
    const worker_layer_images *im = v->images ? &v->images->layer : NULL;
    bool maps = im && im->has && im->filters == l->filters;
    layout_rect box = table_box(LL);
    canvas cv;
    if (canvas_fit(s, box, &cv))
        kernels = images = true;
    if (!s->pixels)
        return;
    int kh = l->k_height, kw = l->k_width, C = l->channels, taps = kh * kw;
    for (int f = 0; f < LL->filters; f++) {
        render_scale ks = render_layer_kernel_scale(l, &v->frame->snap.target, f);
        for (int c = 0; c < LL->channels && kernels; c++) {
            size_t at = ((size_t)f * C + c) * taps;
            paint_kernel(&cv, LL->learned[f][c], l->learned + at, kh, kw, ks);
            paint_kernel(&cv, LL->truth[f][c], v->frame->snap.target.weights + at, kh, kw, ks);
        }
        if (!maps || !images)
            continue;
        int n = im->out_height * im->out_width;
        const float *map = im->maps + (size_t)f * n, *target = im->targets + (size_t)f * n;
        render_scale ms = map_scale(target, n);
        paint_map(r, &cv, LL->map[f], map, im->out_height, im->out_width, ms, r->column_x0,
                  HEATMAP_MAX_SIDE);
        paint_map(r, &cv, LL->target[f], target, im->out_height, im->out_width, ms,
                  r->column_x0, HEATMAP_MAX_SIDE);
    }
    SDL_Texture *t = render_layer_texture(r->renderer, &s->canvas, box.w, box.h);
    if (t)
        SDL_UpdateTexture(t, NULL, s->pixels, box.w * (int)sizeof(Uint32));
}

static void paint_sample(render_ctx *r, render_layer_state *s, const render_view *v)
{
    const worker_layer_images *im = v->images ? &v->images->layer : NULL;
    layout_rect rect = s->LL.input;
    SDL_Texture *t = rect.w > 0 ? render_layer_texture(r->renderer, &s->sample, rect.w, rect.h)
                                : NULL;
    void *mem;
    int pitch;
    if (!im || !im->has || !t || SDL_LockTexture(t, NULL, &mem, &pitch) != 0)
        return;
    canvas cv = {mem, pitch / 4, rect};
    paint_photo(&cv, rect, im->input, im->in_height, im->in_width, im->channels == 3 ? 3 : 1,
                r->column_x0, HEATMAP_MAX_SIDE);
    SDL_UnlockTexture(t);
}

/* ============================================================ drawing */

static void text_in(render_ctx *r, text_font font, layout_rect box, const char *const *texts,
                    int count, SDL_Color color)
{
    /* The font asked for, else the small one when the line is too low for it. */
    if (text_line_height(r->text, font) > box.h)
        font = TEXT_SMALL;
    int y = box.y + (box.h - text_line_height(r->text, font)) / 2;
    if (y < box.y)
        return; /* a line too low for any font: left out */
    render_text_fitting(r, font, box.x, y, box.w, texts, count, color, TEXT_LEFT);
}

/* The name of filter f: the bank's f-th entry when it was a list of names. */
static void filter_name(char *out, size_t size, const char *bank, int f, int filters)
{
    out[0] = 0;
    int commas = 0;
    for (const char *p = bank; *p; p++)
        commas += *p == ',';
    if (commas != filters - 1 || filters < 2)
        return;
    const char *p = bank;
    for (int i = 0; i < f; i++)
        p = strchr(p, ',') + 1;
    size_t n = strcspn(p, ",");
    snprintf(out, size, "%.*s", (int)(n < 40 ? n : 40), p);
}

static void draw_lines(render_ctx *r, layout_rect rect, int kh, int kw)
{
    layout_rect g = layout_grid_fit(rect, kh, kw);
    int cell = kw > 0 ? g.w / kw : 0;
    if (kh <= GRID_LINE_MAX_SIDE && kw <= GRID_LINE_MAX_SIDE && cell >= 6) {
        SDL_SetRenderDrawColor(r->renderer, 0, 0, 0, 70);
        for (int i = 1; i < kw; i++)
            SDL_RenderDrawLine(r->renderer, g.x + i * cell, g.y, g.x + i * cell, g.y + g.h - 1);
        for (int i = 1; i < kh; i++)
            SDL_RenderDrawLine(r->renderer, g.x, g.y + i * cell, g.x + g.w - 1, g.y + i * cell);
    }
    render_outline(r->renderer, (layout_rect){g.x - 1, g.y - 1, g.w + 2, g.h + 2},
                   render_color_outline);
}

static void draw_table(render_ctx *r, render_layer_state *s, const render_view *v)
{
    const layer_layout *LL = &s->LL;
    const worker_layer *l = &v->frame->layer;
    render_record_panel(r, "layer", table_box(LL));
    SDL_Rect dst = render_sdl_rect(s->canvas_box);
    if (s->canvas)
        SDL_RenderCopy(r->renderer, s->canvas, NULL, &dst);
    bool rgb = LL->channels == 3;
    static const char *const heads[3][2] = {{"Learned (R G B)", "Learned"},
                                            {"True (R G B)", "True"},
                                            {"Feature map \xc2\xb7 target", "Map \xc2\xb7 target"}};
    static const text_font fonts[3] = {TEXT_TITLE, TEXT_BODY, TEXT_SMALL};
    /* One font for the four titles: the largest in which each fits, long or short. */
    text_font font = TEXT_SMALL;
    for (int k = 0; k < 3; k++) {
        bool all = text_line_height(r->text, fonts[k]) <= LL->head[0][0].h;
        for (int i = 0; i < 3 && all; i++)
            all = text_width(r->text, fonts[k], heads[i][1]) <= LL->head[0][i].w;
        if (all) {
            font = fonts[k];
            break;
        }
    }
    for (int k = 0; k < LL->columns; k++)
        for (int i = 0; i < 3; i++) {
            layout_rect h = LL->head[k][i];
            int y = h.y + (h.h - text_line_height(r->text, font)) / 2;
            if (y >= h.y)
                render_text_fitting(r, font, h.x, y, h.w, heads[i] + (rgb || i > 1 ? 0 : 1),
                                    rgb || i > 1 ? 2 : 1, render_color_text, TEXT_LEFT);
        }
    const worker_layer_images *im = v->images ? &v->images->layer : NULL;
    bool maps = im && im->has && im->filters == l->filters;
    for (int f = 0; f < LL->filters; f++) {
        for (int c = 0; c < LL->channels; c++) {
            draw_lines(r, LL->learned[f][c], l->k_height, l->k_width);
            draw_lines(r, LL->truth[f][c], l->k_height, l->k_width);
        }
        for (int k = 0; k < 2; k++) {
            layout_rect m = k ? LL->target[f] : LL->map[f];
            if (maps)
                m = render_image_rect(m, im->out_height, im->out_width);
            render_outline(r->renderer, (layout_rect){m.x - 1, m.y - 1, m.w + 2, m.h + 2},
                           render_color_outline);
        }
        char name[48], err[32], scale[32], line[160], mid[120], brief[64];
        filter_name(name, sizeof name, v->frame->snap.target.name, f, l->filters);
        render_format_plain(err, sizeof err, 100.0 * l->rel_err[f]);
        render_format_value(scale, sizeof scale,
                            render_layer_kernel_scale(l, &v->frame->snap.target, f).hi, 1);
        snprintf(line, sizeof line, "filter %d%s%s \xc2\xb7 error %s%% \xc2\xb7 colours \xc2\xb1%s",
                 f + 1, name[0] ? " \xc2\xb7 " : "", name, err, scale);
        snprintf(mid, sizeof mid, "filter %d%s%s \xc2\xb7 error %s%%", f + 1,
                 name[0] ? " \xc2\xb7 " : "", name, err);
        snprintf(brief, sizeof brief, "%d: error %s%%", f + 1, err);
        const char *const lines[3] = {line, mid, brief};
        text_in(r, TEXT_BODY, LL->caption[f], lines, 3, render_color_dim);
    }
    if (LL->input.w > 0) {
        layout_rect box = {LL->input_title.x, LL->input_title.y, LL->input_title.w,
                           LL->input.y + LL->input.h - LL->input_title.y};
        render_record_panel(r, "layer_sample", box);
        static const char *const titles[2] = {"Sample patch (input)", "Sample"};
        static const char *const gray[2] = {"Sample patch (grayscale)", "Sample"};
        text_in(r, TEXT_TITLE, LL->input_title, rgb ? titles : gray, 2, render_color_text);
        if (s->sample && im && im->has) {
            SDL_Rect d = render_sdl_rect(LL->input);
            SDL_RenderCopy(r->renderer, s->sample, NULL, &d);
        } else {
            render_fill(r->renderer, LL->input, render_color_panel);
        }
        render_outline(r->renderer, LL->input, render_color_outline);
    }
    if (!maps && LL->side > 0) {
        static const char *const waiting[2] = {"feature maps: waiting for the first images\xe2\x80\xa6",
                                               "waiting\xe2\x80\xa6"};
        render_record_panel(r, "layer", table_box(LL));
        layout_rect where = {LL->map[0].x, LL->map[0].y,
                             LL->target[0].x + LL->side - LL->map[0].x, LL->side};
        text_in(r, TEXT_BODY, where, waiting, 2, render_color_dim);
    }
}

/* ========================================================= the frame */

static render_layer_state *state_of(render_ctx *r)
{
    if (!r->layer_state)
        r->layer_state = calloc(1, sizeof(render_layer_state));
    return r->layer_state;
}

layout_rect render_layer_take(render_ctx *r, layout *L, const render_view *v)
{
    layout_rect area = layer_layout_content(L);
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++)
        L->panels[i] = (layout_panel){0};
    L->chart = L->timeline = (layout_rect){0};
    render_layer_state *s = state_of(r);
    if (!s)
        return (layout_rect){0};
    if (v->layer_x) {
        /* The experiment has nothing to do with the sample photos. */
        L->strip = (layout_rect){0};
        return area;
    }
    const worker_layer *l = &v->frame->layer;
    layer_layout_compute(&s->LL, area, l->filters, l->channels, L->scale);
    L->chart = s->LL.chart;
    /* The timeline under the chart, as the window's own layout puts it. */
    int timeline_h = (int)(34 * L->scale + 0.5f);
    if (L->chart.h >= 4 * timeline_h + L->gap / 2) {
        L->timeline = (layout_rect){L->chart.x, L->chart.y + L->chart.h - timeline_h, L->chart.w,
                                    timeline_h};
        L->chart.h -= timeline_h + L->gap / 2;
    }
    return area;
}

void render_layer_draw(render_ctx *r, const layout *L, layout_rect area, const render_view *v)
{
    (void)L;
    render_layer_state *s = r->layer_state;
    if (!s || area.w < 1 || area.h < 1)
        return;
    if (v->layer_x) {
        render_layer_x_draw(r, area, v);
        return;
    }
    if (s->LL.side < 1)
        return;
    layout_rect box = table_box(&s->LL);
    bool moved = memcmp(&box, &s->canvas_box, sizeof box) != 0 || !s->canvas;
    bool new_frame = s->frame_update != r->frame_updates;
    bool new_images = s->image_update != r->image_updates;
    if (moved || new_frame || new_images)
        paint_table(r, s, v, new_frame, new_images);
    if (moved || new_images || memcmp(&s->LL.input, &s->sample_box, sizeof s->sample_box) != 0) {
        paint_sample(r, s, v);
        s->sample_box = s->LL.input;
    }
    s->frame_update = r->frame_updates;
    s->image_update = r->image_updates;
    draw_table(r, s, v);
    render_record_panel(r, NULL, (layout_rect){0});
}

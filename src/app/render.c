/*
 * render.c: the panels, the chart, the status line and the overlays.
 * See render.h.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "learnfilter/colormap.h"
#include "learnfilter/optimizer.h"
#include "target_view.h"

/* ============================================================ palette */

static const SDL_Color color_background = {24, 26, 31, 255};
static const SDL_Color color_panel = {34, 37, 44, 255};
static const SDL_Color color_outline = {70, 75, 86, 255};
static const SDL_Color color_text = {226, 229, 235, 255};
static const SDL_Color color_dim = {150, 156, 168, 255};
static const SDL_Color color_train = {95, 165, 255, 255};
static const SDL_Color color_validation = {255, 165, 70, 255};
static const SDL_Color color_running = {70, 190, 110, 255};
static const SDL_Color color_paused = {230, 180, 60, 255};
static const SDL_Color color_converged = {90, 165, 255, 255};
static const SDL_Color color_diverged = {230, 75, 75, 255};

#define KERNEL_TEXTURE_SIDE LF_KERNEL_MAX_SIDE
#define HEATMAP_MAX_SIDE 8192 /* widest heatmap drawn, pixels */
#define BAR_LEVELS 256
#define CELL_TEXT_MAX_SIDE 7 /* kernels up to this size print their values */
#define GRID_LINE_MAX_SIDE 16 /* and up to this size get lines between cells */

static const char *const panel_titles[LAYOUT_PANEL_COUNT] = {
    [LAYOUT_LEARNED] = "Learned weights",
    [LAYOUT_TRUE] = "True kernel",
    [LAYOUT_DIFF] = "Learned \xe2\x88\x92 true",
    [LAYOUT_INPUT] = "Input (grayscale)",
    [LAYOUT_OUTPUT] = "Network output",
    [LAYOUT_TARGET] = "Target (true filter)",
    [LAYOUT_RESIDUAL] = "Residual: output \xe2\x88\x92 target",
};

#define LUT_SIZE 4096 /* colormap lookup entries for image uploads */

struct render_ctx {
    SDL_Renderer *renderer;
    text_ctx *text;
    float scale;
    /* One texture per heatmap, at the size it is drawn: the scaling happens
     * once per upload here, not in every frame's copy, which matters for
     * the software renderer (Xvfb, the dummy driver, screenshots). */
    SDL_Texture *textures[LAYOUT_PANEL_COUNT];
    int texture_w[LAYOUT_PANEL_COUNT], texture_h[LAYOUT_PANEL_COUNT];
    SDL_Texture *bar_textures[2]; /* 1 x BAR_LEVELS, per colormap */
    int image_side;               /* largest image accepted */
    /* What the heatmaps show, and whether their textures are out of date. */
    const worker_frame *frame;
    const worker_images *images;
    bool frame_dirty, images_dirty;
    int kernel_h, kernel_w;
    bool has_images;
    int image_h[4], image_w[4];
    render_scale scales[LAYOUT_PANEL_COUNT];
    Uint32 lut[2][LUT_SIZE]; /* diverging on [-1, 1], gray on [0, 1] */
    float *residual;         /* image_side^2: output - target of the current images */
    int column_x0[HEATMAP_MAX_SIDE], column_x1[HEATMAP_MAX_SIDE]; /* resampling, per column */
    float column_wx[HEATMAP_MAX_SIDE];
};

/* ============================================================ helpers */

static int px(const render_ctx *r, int pixels)
{
    int v = (int)(pixels * r->scale + 0.5f);
    return v < 1 ? 1 : v;
}

static Uint32 argb(lf_rgb c) { return 0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b; }

static void set_color(SDL_Renderer *renderer, SDL_Color c)
{
    SDL_SetRenderDrawColor(renderer, c.r, c.g, c.b, c.a);
}

static void fill(SDL_Renderer *renderer, layout_rect rect, SDL_Color c)
{
    set_color(renderer, c);
    SDL_Rect s = {rect.x, rect.y, rect.w, rect.h};
    SDL_RenderFillRect(renderer, &s);
}

static void outline(SDL_Renderer *renderer, layout_rect rect, SDL_Color c)
{
    set_color(renderer, c);
    SDL_Rect s = {rect.x, rect.y, rect.w, rect.h};
    SDL_RenderDrawRect(renderer, &s);
}

static SDL_Rect sdl_rect(layout_rect r) { return (SDL_Rect){r.x, r.y, r.w, r.h}; }

SDL_Color render_color_of(render_scale s, float value)
{
    lf_rgb c;
    if (s.map == RENDER_DIVERGING)
        c = lf_colormap_diverging(s.hi > 0 ? value / s.hi : 0.0f);
    else
        c = lf_colormap_gray(s.hi > s.lo ? (value - s.lo) / (s.hi - s.lo) : 0.5f);
    return (SDL_Color){c.r, c.g, c.b, 255};
}

/* Replaces a leading '-' by the typographic minus sign. */
static void typographic_minus(char *out, int size)
{
    if (out[0] != '-' || (int)strlen(out) + 3 >= size)
        return;
    memmove(out + 3, out + 1, strlen(out));
    out[0] = (char)0xE2;
    out[1] = (char)0x88;
    out[2] = (char)0x92;
}

void render_format_value(char *out, int size, double v, double limit)
{
    if (!isfinite(v)) {
        snprintf(out, (size_t)size, "%s", isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
        return;
    }
    limit = fabs(limit);
    if (limit > 0 && (limit >= 1e5 || limit < 1e-4)) {
        snprintf(out, (size_t)size, "%.2e", v);
    } else {
        /* Three significant digits of the range, at least two decimals. */
        int decimals = limit > 0 ? 2 - (int)floor(log10(limit)) : 2;
        decimals = decimals < 2 ? 2 : decimals > 6 ? 6 : decimals;
        if (fabs(v) < 0.5 * pow(10.0, -decimals))
            v = 0; /* no "-0.00" */
        snprintf(out, (size_t)size, "%.*f", decimals, v);
    }
    typographic_minus(out, size);
}

/* A tick label: as many decimals as the spacing needs, no more. */
static void format_tick(char *out, int size, double v, double spacing)
{
    if (spacing >= 1e3 && spacing < 1e12) {
        /* Long runs count epochs in the hundred thousands: "200k" reads at
         * a glance where "2.0e+05" does not, and fits under its tick. */
        double a = fabs(v);
        if (a < spacing * 1e-6)
            snprintf(out, (size_t)size, "0");
        else if (a >= 1e9)
            snprintf(out, (size_t)size, "%.3gG", v / 1e9);
        else if (a >= 1e6)
            snprintf(out, (size_t)size, "%.3gM", v / 1e6);
        else
            snprintf(out, (size_t)size, "%.3gk", v / 1e3);
    } else if (spacing >= 1e12 || (spacing > 0 && spacing < 1e-4)) {
        snprintf(out, (size_t)size, "%.1e", v);
    } else {
        int d = 0;
        while (d < 6) {
            double scaled_spacing = spacing * pow(10.0, d);
            if (fabs(scaled_spacing - round(scaled_spacing)) < 1e-6 * scaled_spacing)
                break;
            d++;
        }
        snprintf(out, (size_t)size, "%.*f", d, fabs(v) < spacing * 1e-6 ? 0.0 : v);
    }
    typographic_minus(out, size);
}

/* "1.23e-03" with a real minus in the exponent. */
static void format_loss(char *out, int size, double v)
{
    if (!isfinite(v)) {
        snprintf(out, (size_t)size, "\xe2\x80\x94"); /* em dash: not known yet */
        return;
    }
    snprintf(out, (size_t)size, "%.3e", v);
}

/* ========================================================== lifecycle */

static SDL_Texture *make_texture(SDL_Renderer *renderer, int w, int h, SDL_ScaleMode mode)
{
    /* Opaque pixels (the usual window format, so a copy is a plain memcpy),
     * and no blending when copied: a blended copy costs the
     * software renderer several times a plain one. */
    SDL_Texture *t = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGB888,
                                       SDL_TEXTUREACCESS_STREAMING, w, h);
    if (t) {
        SDL_SetTextureScaleMode(t, mode);
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_NONE);
    }
    return t;
}

static bool fill_bar(SDL_Texture *t, render_colormap map)
{
    void *pixels;
    int pitch;
    if (SDL_LockTexture(t, NULL, &pixels, &pitch) != 0)
        return false;
    for (int i = 0; i < BAR_LEVELS; i++) {
        /* Row 0 is the top of the bar: the highest value. */
        float f = 1.0f - (float)i / (BAR_LEVELS - 1);
        lf_rgb c = map == RENDER_DIVERGING ? lf_colormap_diverging(2 * f - 1) : lf_colormap_gray(f);
        *(Uint32 *)((Uint8 *)pixels + i * pitch) = argb(c);
    }
    SDL_UnlockTexture(t);
    return true;
}

render_ctx *render_create(SDL_Renderer *renderer, const char *assets_dir, float scale,
                          int max_image_side, lf_error *err)
{
    render_ctx *r = SDL_calloc(1, sizeof *r);
    if (!r) {
        lf_fail(err, LF_ERR_NOMEM, "out of memory for the renderer");
        return NULL;
    }
    r->renderer = renderer;
    r->scale = scale;
    r->image_side = max_image_side;
    r->text = text_create(renderer, assets_dir, scale, err);
    r->residual = SDL_malloc(sizeof(float) * (size_t)max_image_side * (size_t)max_image_side);
    bool ok = r->text != NULL && r->residual != NULL;
    for (int i = 0; i < LUT_SIZE; i++) {
        float f = (float)i / (LUT_SIZE - 1);
        r->lut[RENDER_DIVERGING][i] = argb(lf_colormap_diverging(2 * f - 1));
        r->lut[RENDER_GRAY][i] = argb(lf_colormap_gray(f));
    }
    for (int i = 0; ok && i < 2; i++)
        ok = (r->bar_textures[i] = make_texture(renderer, 1, BAR_LEVELS, SDL_ScaleModeNearest)) &&
             fill_bar(r->bar_textures[i], (render_colormap)i);
    if (!ok) {
        if (r->text)
            lf_fail(err, LF_ERR_NOMEM, "textures: %s", SDL_GetError());
        render_destroy(r);
        return NULL;
    }
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++)
        r->scales[i] = (render_scale){RENDER_DIVERGING, -1, 1};
    r->scales[LAYOUT_INPUT] = (render_scale){RENDER_GRAY, 0, 1};
    return r;
}

void render_destroy(render_ctx *r)
{
    if (!r)
        return;
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++)
        if (r->textures[i])
            SDL_DestroyTexture(r->textures[i]);
    for (int i = 0; i < 2; i++)
        if (r->bar_textures[i])
            SDL_DestroyTexture(r->bar_textures[i]);
    text_destroy(r->text);
    SDL_free(r->residual);
    SDL_free(r);
}

bool render_set_scale(render_ctx *r, float scale)
{
    if (!text_set_scale(r->text, scale))
        return false;
    r->scale = scale;
    return true;
}

text_ctx *render_text(render_ctx *r) { return r->text; }

render_scale render_panel_scale(const render_ctx *r, layout_panel_id panel)
{
    return r->scales[panel];
}

/* ============================================================ uploads */

static float kernel_value(const lf_snapshot *s, int panel, int i)
{
    switch (panel) {
    case LAYOUT_LEARNED: return s->learned.weights[i];
    case LAYOUT_TRUE: return s->target.weights[i];
    default: return s->learned.weights[i] - s->target.weights[i];
    }
}

void render_update_frame(render_ctx *r, const worker_frame *frame)
{
    const lf_snapshot *s = &frame->snap;
    int kh = s->target.height, kw = s->target.width;
    r->frame = frame;
    r->frame_dirty = true;
    if (kh < 1 || kw < 1 || kh > KERNEL_TEXTURE_SIDE || kw > KERNEL_TEXTURE_SIDE) {
        r->kernel_h = r->kernel_w = 0;
        return;
    }
    r->kernel_h = kh;
    r->kernel_w = kw;
    /* Learned weights may overshoot the true kernel's largest by 10% before
     * the scale grows: a weight settling on 2.0 from above would otherwise
     * flip the scale between 2 and 2.5 every few frames. */
    float biggest = fmaxf(lf_kernel_max_abs(&s->target), lf_kernel_max_abs(&s->learned) / 1.1f);
    float limit = (float)lf_scale_nice_limit(biggest);
    for (int p = 0; p < LAYOUT_KERNEL_PANELS; p++)
        r->scales[p] = (render_scale){RENDER_DIVERGING, -limit, limit};
}

/* A limit that ignores the largest 0.5% of |a - b| (|a| without b): edge
 * responses of photographs are sparse, and scaling to the single largest one
 * would leave almost the whole image white. 0 when all are zero. */
static float robust_limit(const float *a, const float *b, int n)
{
    enum { BINS = 512 };
    float biggest = 0;
    for (int i = 0; i < n; i++)
        biggest = fmaxf(biggest, fabsf(b ? a[i] - b[i] : a[i]));
    if (!(biggest > 0) || !isfinite(biggest))
        return 0.0f;
    int counts[BINS] = {0};
    for (int i = 0; i < n; i++) {
        int k = (int)(fabsf(b ? a[i] - b[i] : a[i]) / biggest * (BINS - 1));
        counts[k < 0 ? 0 : k >= BINS ? BINS - 1 : k]++;
    }
    int keep = n - n / 200, seen = 0;
    for (int k = 0; k < BINS; k++) {
        seen += counts[k];
        if (seen >= keep)
            return biggest * (float)(k + 1) / (BINS - 1);
    }
    return biggest;
}

/* Makes sure panel's texture is w x h, recreating it on a size change (a
 * window resize, not a frame). Returns false when there is none. */
static bool ensure_texture(render_ctx *r, int panel, int w, int h)
{
    if (w < 1 || h < 1)
        return false;
    if (r->textures[panel] && r->texture_w[panel] == w && r->texture_h[panel] == h)
        return true;
    if (r->textures[panel])
        SDL_DestroyTexture(r->textures[panel]);
    r->textures[panel] = make_texture(r->renderer, w, h, SDL_ScaleModeNearest);
    r->texture_w[panel] = r->textures[panel] ? w : 0;
    r->texture_h[panel] = r->textures[panel] ? h : 0;
    return r->textures[panel] != NULL;
}

/* Fills a kernel panel's texture: each cell one flat colour, drawn at
 * exactly the size of its on-screen grid, so cells stay crisp. */
static void upload_kernel(render_ctx *r, int panel, layout_rect grid)
{
    const lf_snapshot *s = &r->frame->snap;
    int kh = r->kernel_h, kw = r->kernel_w;
    if (!ensure_texture(r, panel, grid.w, grid.h))
        return;
    Uint32 colors[KERNEL_TEXTURE_SIDE * KERNEL_TEXTURE_SIDE];
    for (int i = 0; i < kh * kw; i++) {
        SDL_Color c = render_color_of(r->scales[panel], kernel_value(s, panel, i));
        colors[i] = 0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b;
    }
    void *pixels;
    int pitch;
    if (SDL_LockTexture(r->textures[panel], NULL, &pixels, &pitch) != 0)
        return;
    int *cols = r->column_x0;
    int w = grid.w < HEATMAP_MAX_SIDE ? grid.w : HEATMAP_MAX_SIDE;
    for (int x = 0; x < w; x++)
        cols[x] = (int)((long)x * kw / grid.w);
    for (int y = 0; y < grid.h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)pixels + (long)y * pitch);
        const Uint32 *src = colors + (long)y * kh / grid.h * kw;
        for (int x = 0; x < w; x++)
            row[x] = src[cols[x]];
    }
    SDL_UnlockTexture(r->textures[panel]);
}

/* Resamples one h x w float image bilinearly to the texture's on-screen
 * size and colours it. The column weights are worked out once per row
 * length, not per pixel: this runs for four images at every image refresh. */
static void upload_image(render_ctx *r, int panel, layout_rect shown, const float *src, int h,
                         int w)
{
    if (!ensure_texture(r, panel, shown.w, shown.h) || shown.w > HEATMAP_MAX_SIDE)
        return;
    render_scale sc = r->scales[panel];
    /* value -> t on [0, 1] for the lookup table, as render_color_of maps it. */
    float gain, offset;
    if (sc.map == RENDER_DIVERGING) {
        gain = sc.hi > 0 ? 0.5f / sc.hi : 0;
        offset = 0.5f;
    } else {
        gain = sc.hi > sc.lo ? 1.0f / (sc.hi - sc.lo) : 0;
        offset = sc.hi > sc.lo ? -sc.lo * gain : 0.5f;
    }
    const Uint32 *lut = r->lut[sc.map];
    Uint32 nan_color = argb(lf_colormap_nan());
    float step_x = (float)w / shown.w, step_y = (float)h / shown.h;
    for (int x = 0; x < shown.w; x++) {
        float fx = (x + 0.5f) * step_x - 0.5f;
        fx = fx < 0 ? 0 : fx > w - 1 ? (float)(w - 1) : fx;
        r->column_x0[x] = (int)fx;
        r->column_x1[x] = (int)fx + 1 < w ? (int)fx + 1 : (int)fx;
        r->column_wx[x] = fx - (int)fx;
    }
    void *pixels;
    int pitch;
    if (SDL_LockTexture(r->textures[panel], NULL, &pixels, &pitch) != 0)
        return;
    for (int y = 0; y < shown.h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)pixels + (long)y * pitch);
        float fy = (y + 0.5f) * step_y - 0.5f;
        fy = fy < 0 ? 0 : fy > h - 1 ? (float)(h - 1) : fy;
        int y0 = (int)fy, y1 = y0 + 1 < h ? y0 + 1 : y0;
        float wy = fy - y0;
        const float *top = src + (long)y0 * w, *bottom = src + (long)y1 * w;
        for (int x = 0; x < shown.w; x++) {
            int x0 = r->column_x0[x], x1 = r->column_x1[x];
            float wx = r->column_wx[x];
            float upper = top[x0] + wx * (top[x1] - top[x0]);
            float lower = bottom[x0] + wx * (bottom[x1] - bottom[x0]);
            float t = (upper + wy * (lower - upper)) * gain + offset;
            if (t != t) {
                row[x] = nan_color;
                continue;
            }
            int i = (int)(t * (LUT_SIZE - 1) + 0.5f);
            row[x] = lut[i < 0 ? 0 : i >= LUT_SIZE ? LUT_SIZE - 1 : i];
        }
    }
    SDL_UnlockTexture(r->textures[panel]);
}

void render_update_images(render_ctx *r, const worker_images *images)
{
    const lf_snapshot *s = &images->snap;
    r->images = images;
    r->images_dirty = true;
    if (!s->has_images || s->in_height > r->image_side || s->in_width > r->image_side ||
        s->out_height > r->image_side || s->out_width > r->image_side) {
        r->has_images = false;
        return;
    }
    int n = s->out_height * s->out_width;
    float lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        lo = fminf(lo, s->expected[i]);
        hi = fmaxf(hi, s->expected[i]);
    }
    render_scale shared;
    float magnitude = robust_limit(s->expected, NULL, n);
    if (!(magnitude > 0))
        magnitude = 1; /* an all-zero target still needs a scale */
    if (lo < 0) {
        shared = (render_scale){RENDER_DIVERGING, -magnitude, magnitude};
    } else {
        if (!(hi > lo))
            hi = lo + 1;
        shared = (render_scale){RENDER_GRAY, lo, hi};
    }
    r->scales[LAYOUT_INPUT] = (render_scale){RENDER_GRAY, 0, 1};
    r->scales[LAYOUT_OUTPUT] = shared;
    r->scales[LAYOUT_TARGET] = shared;
    /* The residual gets its own symmetric scale, so its structure shows
     * while training, but never finer than 1% of the target's: once the
     * network has converged it fades to white instead of magnifying noise. */
    float residual = robust_limit(s->output, s->expected, n);
    float limit = (float)lf_scale_nice_limit(fmaxf(residual, 0.01f * magnitude));
    if (limit > magnitude)
        limit = magnitude;
    r->scales[LAYOUT_RESIDUAL] = (render_scale){RENDER_DIVERGING, -limit, limit};
    for (int i = 0; i < n; i++)
        r->residual[i] = s->output[i] - s->expected[i];
    r->image_h[0] = s->in_height;
    r->image_w[0] = s->in_width;
    for (int i = 1; i < 4; i++) {
        r->image_h[i] = s->out_height;
        r->image_w[i] = s->out_width;
    }
    r->has_images = true;
}

/* ========================================================= colorbars */

static void draw_colorbar(render_ctx *r, const layout_panel *p, render_scale s)
{
    layout_rect bar = p->colorbar;
    if (bar.h < 4 || bar.w < 1)
        return;
    SDL_Rect dst = sdl_rect(bar);
    SDL_RenderCopy(r->renderer, r->bar_textures[s.map], NULL, &dst);
    outline(r->renderer, bar, color_outline);
    int line = text_line_height(r->text, TEXT_SMALL);
    int max_ticks = bar.h / (line * 2);
    max_ticks = max_ticks < 2 ? 2 : max_ticks > 9 ? 9 : max_ticks;
    double ticks[16];
    int count = lf_scale_ticks(s.lo, s.hi, max_ticks, ticks, (int)(sizeof ticks / sizeof ticks[0]));
    double spacing = count > 1 ? ticks[1] - ticks[0] : lf_scale_nice_limit(fabs(s.hi - s.lo));
    int label_x = bar.x + bar.w + px(r, 6);
    int bottom = p->frame.y + p->frame.h;
    for (int i = 0; i < count; i++) {
        double f = s.hi > s.lo ? (s.hi - ticks[i]) / (s.hi - s.lo) : 0.5;
        int y = bar.y + (int)(f * (bar.h - 1) + 0.5);
        set_color(r->renderer, color_dim);
        SDL_RenderDrawLine(r->renderer, bar.x + bar.w, y, bar.x + bar.w + px(r, 3), y);
        char label[32];
        format_tick(label, sizeof label, ticks[i], spacing);
        int top = y - line / 2;
        if (top < bar.y - px(r, 3))
            top = bar.y - px(r, 3); /* not up into the title */
        if (top + line > bottom)
            top = bottom - line;
        text_draw(r->text, TEXT_SMALL, label_x, top, label, color_dim, TEXT_LEFT);
    }
}

/* ============================================================ panels */

static void draw_title(render_ctx *r, const layout_panel *p, const char *title, const char *note)
{
    int y = p->title.y + (p->title.h - text_line_height(r->text, TEXT_TITLE)) / 2;
    int w = text_draw(r->text, TEXT_TITLE, p->title.x, y, title, color_text, TEXT_LEFT);
    if (note && *note) {
        int yn = p->title.y + (p->title.h - text_line_height(r->text, TEXT_SMALL)) / 2 + px(r, 1);
        text_draw(r->text, TEXT_SMALL, p->title.x + w + px(r, 8), yn, note, color_dim, TEXT_LEFT);
    }
}

/* Where a kh x kw kernel is drawn in a plot: square cells of whole pixels,
 * except that a long thin kernel (the 1x50 Hann window) is stretched across
 * to a quarter of the plot, or its strip would be a few pixels thick. */
static layout_rect kernel_grid(layout_rect plot, int kh, int kw)
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

/* The values printed in a small kernel's cells; count of them used. */
typedef struct cell_labels {
    char text[CELL_TEXT_MAX_SIDE * CELL_TEXT_MAX_SIDE][32];
    int count;
} cell_labels;

/* The largest font in which every label fits its cell, or TEXT_FONT_COUNT. */
static text_font cell_font(const render_ctx *r, const cell_labels *labels, int cell)
{
    static const text_font choices[] = {TEXT_CELL_L, TEXT_CELL_M, TEXT_BODY, TEXT_CELL_S};
    const int capacity = (int)(sizeof labels->text / sizeof labels->text[0]);
    const int count = labels->count < capacity ? labels->count : capacity;
    for (size_t c = 0; c < sizeof choices / sizeof choices[0]; c++) {
        bool fits = text_line_height(r->text, choices[c]) <= cell;
        for (int i = 0; fits && i < count; i++)
            fits = text_width(r->text, choices[c], labels->text[i]) <= cell - cell / 8;
        if (fits)
            return choices[c];
    }
    return TEXT_FONT_COUNT;
}

static void draw_kernel_panel(render_ctx *r, const layout_panel *p, int panel,
                              const lf_snapshot *s)
{
    int kh = r->kernel_h, kw = r->kernel_w;
    fill(r->renderer, p->plot, color_panel);
    if (kh < 1)
        return;
    layout_rect grid = kernel_grid(p->plot, kh, kw);
    if (r->frame_dirty || grid.w != r->texture_w[panel] || grid.h != r->texture_h[panel])
        upload_kernel(r, panel, grid);
    SDL_Rect dst = sdl_rect(grid);
    if (r->textures[panel])
        SDL_RenderCopy(r->renderer, r->textures[panel], NULL, &dst);
    int cell = grid.w / kw;
    if (kh <= GRID_LINE_MAX_SIDE && kw <= GRID_LINE_MAX_SIDE && cell >= 6) {
        SDL_SetRenderDrawColor(r->renderer, 0, 0, 0, 70);
        for (int i = 1; i < kw; i++)
            SDL_RenderDrawLine(r->renderer, grid.x + i * cell, grid.y, grid.x + i * cell,
                               grid.y + grid.h - 1);
        for (int i = 1; i < kh; i++)
            SDL_RenderDrawLine(r->renderer, grid.x, grid.y + i * cell, grid.x + grid.w - 1,
                               grid.y + i * cell);
    }
    outline(r->renderer, (layout_rect){grid.x - 1, grid.y - 1, grid.w + 2, grid.h + 2},
            color_outline);
    if (kh > CELL_TEXT_MAX_SIDE || kw > CELL_TEXT_MAX_SIDE)
        return;
    /* One font for the whole panel, the largest in which every value fits;
     * if none does, one decimal fewer before giving up on printing them. */
    render_scale sc = r->scales[panel];
    cell_labels labels = {.count = kh * kw}; /* at most the capacity: checked above */
    text_font font = TEXT_FONT_COUNT;
    for (int attempt = 0; attempt < 2 && font == TEXT_FONT_COUNT; attempt++) {
        for (int i = 0; i < labels.count; i++)
            render_format_value(labels.text[i], sizeof labels.text[i], kernel_value(s, panel, i),
                                attempt == 0 ? sc.hi : sc.hi * 10);
        font = cell_font(r, &labels, cell);
    }
    if (font == TEXT_FONT_COUNT)
        return;
    for (int y = 0; y < kh; y++)
        for (int x = 0; x < kw; x++) {
            SDL_Color bg = render_color_of(sc, kernel_value(s, panel, y * kw + x));
            float luminance = 0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b;
            SDL_Color ink = luminance < 140 ? (SDL_Color){255, 255, 255, 255}
                                            : (SDL_Color){20, 22, 26, 255};
            int cx = grid.x + x * cell + cell / 2;
            int cy = grid.y + y * cell + (cell - text_line_height(r->text, font)) / 2;
            text_draw(r->text, font, cx, cy, labels.text[y * kw + x], ink, TEXT_CENTER);
        }
}

/* The image's rectangle inside a square plot, keeping its aspect ratio. */
static layout_rect image_rect(layout_rect plot, int h, int w)
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

static void draw_image_panel(render_ctx *r, const layout_panel *p, int slot)
{
    fill(r->renderer, p->plot, color_panel);
    if (!r->has_images) {
        text_draw(r->text, TEXT_BODY, p->plot.x + p->plot.w / 2, p->plot.y + p->plot.h / 2,
                  "waiting for the first images\xe2\x80\xa6", color_dim, TEXT_CENTER);
        return;
    }
    int panel = LAYOUT_INPUT + slot;
    layout_rect shown = image_rect(p->plot, r->image_h[slot], r->image_w[slot]);
    if (r->images_dirty || shown.w != r->texture_w[panel] || shown.h != r->texture_h[panel]) {
        const lf_snapshot *s = &r->images->snap;
        const float *src = slot == 0   ? s->input
                           : slot == 1 ? s->output
                           : slot == 2 ? s->expected
                                       : r->residual;
        upload_image(r, panel, shown, src, r->image_h[slot], r->image_w[slot]);
    }
    SDL_Rect dst = sdl_rect(shown);
    if (r->textures[panel])
        SDL_RenderCopy(r->renderer, r->textures[panel], NULL, &dst);
    outline(r->renderer, (layout_rect){dst.x - 1, dst.y - 1, dst.w + 2, dst.h + 2}, color_outline);
}

/* ============================================================= chart */

static void draw_chart(render_ctx *r, layout_rect area, const lf_snapshot *s)
{
    chart_style style = {.scale = r->scale, .panel = color_panel, .outline = color_outline,
                         .text = color_text, .dim = color_dim, .train = color_train,
                         .validation = color_validation};
    chart_draw(r->renderer, r->text, &style, area, s);
}

/* ============================================================ status */

static SDL_Color state_color(worker_state st)
{
    switch (st) {
    case WORKER_RUNNING: return color_running;
    case WORKER_PAUSED: return color_paused;
    case WORKER_CONVERGED: return color_converged;
    case WORKER_DIVERGED: return color_diverged;
    default: return color_dim;
    }
}

static void draw_status(render_ctx *r, layout_rect area, const render_view *v)
{
    const worker_frame *f = v->frame;
    const lf_snapshot *s = &f->snap;
    const lf_figures *fig = &s->figures;
    const lf_train_settings *set = &s->settings;
    char optimizer[64], lr[32], train[32], val[32], err[32], fps[32];
    if (set->optimizer == LF_OPTIMIZER_SGD)
        snprintf(optimizer, sizeof optimizer, "SGD (momentum %.2g%s)", (double)set->momentum,
                 set->nesterov ? ", Nesterov" : "");
    else
        snprintf(optimizer, sizeof optimizer, "Adam");
    snprintf(lr, sizeof lr, "%.2e", (double)set->learning_rate);
    format_loss(train, sizeof train, fig->train_loss);
    format_loss(val, sizeof val, fig->val_loss);
    if (isfinite(fig->rel_err))
        snprintf(err, sizeof err, "%.2f%%", 100.0 * fig->rel_err);
    else
        snprintf(err, sizeof err, "\xe2\x80\x94");
    if (v->fps >= 0)
        snprintf(fps, sizeof fps, "%.0f fps", v->fps);
    else
        fps[0] = 0;
    char speed[96];
    if (f->state == WORKER_CONVERGED && !f->trains_past_tolerance)
        snprintf(speed, sizeof speed, "stopped at %g%%: Space trains on",
                 100.0 * f->tolerance);
    else
        pace_words(speed, sizeof speed, f->speed, f->expected_steps,
                           f->state == WORKER_RUNNING || f->state == WORKER_CONVERGED
                               ? f->steps_per_second
                               : 0);
    /* The items of the status line, in reading order. They go on two
     * lines, training settings then results, when those fit; otherwise they
     * flow over as many lines as the status area holds. */
    char items[12][96];
    int n_items = 0, results_from;
    snprintf(items[n_items++], 96, "%s %dx%d", s->target.name, s->target.height, s->target.width);
    snprintf(items[n_items++], 96, "%s", optimizer);
    snprintf(items[n_items++], 96, "lr %s", lr);
    snprintf(items[n_items++], 96, "batch %d", set->batch_size);
    snprintf(items[n_items++], 96, "seed %llu", (unsigned long long)s->seed);
    snprintf(items[n_items++], 96, "epoch %d (%d/%d)", fig->epoch, fig->step_in_epoch,
             fig->steps_per_epoch);
    snprintf(items[n_items++], 96, "step %ld", fig->step);
    results_from = n_items;
    snprintf(items[n_items++], 96, "loss: train %s  val %s", train, val);
    snprintf(items[n_items++], 96, "kernel error %s", err);
    snprintf(items[n_items++], 96, "%.0f steps/s", f->steps_per_second);
    if (fps[0])
        snprintf(items[n_items++], 96, "%s", fps);
    snprintf(items[n_items++], 96, "%s", speed);
    /* The state badge, right-aligned: the first thing a screenshot says. */
    char badge[32];
    const char *name = worker_state_name(f->state);
    int n = 0;
    for (; name[n] && n < 30; n++)
        badge[n] = (char)(name[n] >= 'a' && name[n] <= 'z' ? name[n] - 32 : name[n]);
    badge[n] = 0;
    int bw = text_width(r->text, TEXT_TITLE, badge) + px(r, 20);
    int bh = text_line_height(r->text, TEXT_TITLE) + px(r, 8);
    layout_rect b = {area.x + area.w - bw, area.y + (area.h - bh) / 2, bw, bh};
    fill(r->renderer, b, state_color(f->state));
    text_draw(r->text, TEXT_TITLE, b.x + bw / 2, b.y + px(r, 4), badge, (SDL_Color){20, 22, 26, 255},
              TEXT_CENTER);

    int line = text_line_height(r->text, TEXT_MONO);
    int room = area.w - bw - px(r, 12);
    int max_lines = (area.h + px(r, 2)) / (line + px(r, 2));
    if (max_lines < 1)
        max_lines = 1;
    const char *separator = " \xc2\xb7 ";
    int sep_w = text_width(r->text, TEXT_MONO, separator);
    int widths[12], line_of[12];
    for (int i = 0; i < n_items; i++)
        widths[i] = text_width(r->text, TEXT_MONO, items[i]);
    /* Greedy flow, breaking before the results when it keeps two lines. */
    int lines = 1, x = 0;
    for (int i = 0; i < n_items; i++) {
        bool forced = i == results_from && max_lines == 2;
        if (i > 0 && (forced || x + sep_w + widths[i] > room)) {
            lines++;
            x = 0;
        } else if (i > 0) {
            x += sep_w;
        }
        line_of[i] = lines - 1;
        x += widths[i];
    }
    if (lines > max_lines) { /* too narrow even so: pack without the forced break */
        lines = 1;
        x = 0;
        for (int i = 0; i < n_items; i++) {
            if (i > 0 && x + sep_w + widths[i] > room) {
                lines++;
                x = 0;
            } else if (i > 0) {
                x += sep_w;
            }
            line_of[i] = lines - 1;
            x += widths[i];
        }
    }
    int y0 = area.y + (area.h - lines * line - (lines - 1) * px(r, 2)) / 2;
    SDL_Rect clip = {area.x, area.y, room, area.h};
    SDL_RenderSetClipRect(r->renderer, &clip);
    x = area.x;
    for (int i = 0; i < n_items; i++) {
        int y = y0 + line_of[i] * (line + px(r, 2));
        if (i > 0 && line_of[i] == line_of[i - 1])
            x += text_draw(r->text, TEXT_MONO, x, y, separator, color_dim, TEXT_LEFT);
        else
            x = area.x;
        x += text_draw(r->text, TEXT_MONO, x, y, items[i], color_text, TEXT_LEFT);
    }
    SDL_RenderSetClipRect(r->renderer, NULL);
}

static void draw_footer(render_ctx *r, layout_rect area, const render_view *v)
{
    const lf_snapshot *s = &v->frame->snap;
    int y = area.y + (area.h - text_line_height(r->text, TEXT_SMALL)) / 2;
    const char *keys = "H help \xc2\xb7 Space pause \xc2\xb7 N / Shift+N / E step 1 / 10 / "
                       "epoch \xc2\xb7 R reset \xc2\xb7 "
                       "\xe2\x86\x90/\xe2\x86\x92 kernel \xc2\xb7 \xe2\x86\x91/\xe2\x86\x93 "
                       "learning rate \xc2\xb7 O optimizer \xc2\xb7 +/\xe2\x88\x92 speed \xc2\xb7 "
                       "I image \xc2\xb7 G record \xc2\xb7 Q quit";
    char data[160];
    snprintf(data, sizeof data, "%d photos \xc2\xb7 %d patches (%d train, %d validation) \xc2\xb7 "
             "showing patch %d",
             v->frame->file_count, s->patch_count, s->train_count, s->validation_count,
             s->sample_patch + 1);
    int dw = text_width(r->text, TEXT_SMALL, data);
    int kw = text_width(r->text, TEXT_SMALL, keys);
    text_draw(r->text, TEXT_SMALL, area.x, y, keys, color_dim, TEXT_LEFT);
    if (kw + dw + px(r, 24) <= area.w)
        text_draw(r->text, TEXT_SMALL, area.x + area.w, y, data, color_dim, TEXT_RIGHT);
}

/* ============================================================= hover */

static void draw_tooltip(render_ctx *r, const layout *L, int x, int y, const char *text)
{
    int w = text_width(r->text, TEXT_BODY, text) + px(r, 12);
    int h = text_line_height(r->text, TEXT_BODY) + px(r, 8);
    int bx = x + px(r, 14), by = y + px(r, 14);
    if (bx + w > L->width)
        bx = x - w - px(r, 6);
    if (by + h > L->height)
        by = y - h - px(r, 6);
    fill(r->renderer, (layout_rect){bx, by, w, h}, (SDL_Color){12, 13, 16, 235});
    outline(r->renderer, (layout_rect){bx, by, w, h}, color_outline);
    text_draw(r->text, TEXT_BODY, bx + px(r, 6), by + px(r, 4), text, color_text, TEXT_LEFT);
}

static void draw_hover(render_ctx *r, const layout *L, const render_view *v)
{
    int panel = layout_panel_at(L, v->mouse_x, v->mouse_y);
    if (panel < 0)
        return;
    const lf_snapshot *s = &v->frame->snap;
    char text[256], a[32], b[32], c[32];
    if (panel < LAYOUT_KERNEL_PANELS) {
        int kh = r->kernel_h, kw = r->kernel_w, row, col;
        layout_rect grid = kernel_grid(L->panels[panel].plot, kh, kw);
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
        layout_rect shown = image_rect(L->panels[panel].plot, r->image_h[slot], r->image_w[slot]);
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
    draw_tooltip(r, L, v->mouse_x, v->mouse_y, text);
}

/* ============================================================== help */

static void draw_help(render_ctx *r, const layout *L)
{
    static const char *const keys[][2] = {
        {"Space", "pause / resume training"},
        {"N  or  .", "one training step (pauses first)"},
        {"Shift+N", "ten training steps"},
        {"E", "train to the end of the epoch"},
        {"R", "reset: same starting weights (and rate, after a divergence)"},
        {"Shift+R", "reset with a new seed"},
        {"\xe2\x86\x90 \xe2\x86\x92  or  [ ]", "previous / next kernel of the catalog"},
        {"1 \xe2\x80\xa6 9", "the first nine kernels directly"},
        {"\xe2\x86\x91 \xe2\x86\x93", "learning rate up / down (\xc3\x97 or \xc3\xb7 3.16)"},
        {"O", "switch optimizer (SGD / Adam, with its usual rate)"},
        {"+  \xe2\x88\x92", "faster / slower: 60 steps/s \xe2\x80\xa6 as fast as possible"},
        {"I  /  Shift+I", "next / previous sample image shown"},
        {"Ctrl +  Ctrl \xe2\x88\x92  Ctrl 0", "bigger / smaller / automatic UI scale"},
        {"F11", "fullscreen"},
        {"G", "record the window to a GIF; G again stops"},
        {"P  or  F12", "screenshot of the window (PNG)"},
        {"H  or  F1", "this help"},
        {"Esc  or  Q", "quit"},
        {"drop a photo", "a photo or a folder of them: train on it"},
        {"drop a kernel", "a .txt or .npy matrix, or a PNG up to 64x64: learn it"},
    };
    static const char *const panels[] = {
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
        "Hover over any panel to read the value under the mouse.",
    };
    SDL_Renderer *R = r->renderer;
    SDL_SetRenderDrawBlendMode(R, SDL_BLENDMODE_BLEND);
    fill(R, (layout_rect){0, 0, L->width, L->height}, (SDL_Color){0, 0, 0, 170});
    const int n_keys = (int)(sizeof keys / sizeof keys[0]);
    const int n_panels = (int)(sizeof panels / sizeof panels[0]);
    const int pad = px(r, 16), column_gap = px(r, 20), section_gap = px(r, 12);

    /* The first arrangement that fits the window: the keys above the panel
     * notes in the body font, or beside them, then the same in smaller
     * fonts (a projector scale on a small screen). */
    static const text_font fonts[] = {TEXT_BODY, TEXT_SMALL, TEXT_CELL_S};
    text_font font = TEXT_BODY;
    bool beside = false, keys_only = false;
    int key_w = 0, desc_w = 0, panel_w = 0, line = 0, title_h = 0, box_w = 0, box_h = 0;
    /* Last resort, for a projector scale on a small window: the keys alone. */
    for (int attempt = 0; attempt < 9; attempt++) {
        keys_only = attempt >= 6;
        font = fonts[keys_only ? attempt - 6 : attempt / 2];
        beside = !keys_only && attempt % 2 == 1;
        key_w = desc_w = panel_w = 0;
        for (int i = 0; i < n_keys; i++) {
            int w = text_width(r->text, font, keys[i][0]);
            key_w = w > key_w ? w : key_w;
            w = text_width(r->text, font, keys[i][1]);
            desc_w = w > desc_w ? w : desc_w;
        }
        for (int i = 0; i < n_panels; i++) {
            int w = text_width(r->text, font, panels[i]);
            panel_w = w > panel_w ? w : panel_w;
        }
        line = text_line_height(r->text, font) + px(r, 3);
        title_h = text_line_height(r->text, TEXT_TITLE) + px(r, 8);
        int keys_w = key_w + column_gap + desc_w, keys_h = title_h + n_keys * line;
        int panels_h = title_h + n_panels * line;
        if (keys_only) {
            box_w = keys_w + 2 * pad;
            box_h = keys_h + 2 * pad;
        } else if (beside) {
            box_w = keys_w + 2 * column_gap + panel_w + 2 * pad;
            box_h = (keys_h > panels_h ? keys_h : panels_h) + 2 * pad;
        } else {
            box_w = (keys_w > panel_w ? keys_w : panel_w) + 2 * pad;
            box_h = keys_h + section_gap + panels_h + 2 * pad;
        }
        if (box_w <= L->width && box_h <= L->height)
            break;
    }
    layout_rect box = {(L->width - box_w) / 2, (L->height - box_h) / 2, box_w, box_h};
    if (box.x < 0)
        box.x = 0;
    if (box.y < 0)
        box.y = 0;
    fill(R, box, (SDL_Color){30, 33, 40, 250});
    outline(R, box, color_outline);
    int x = box.x + pad, y = box.y + pad;
    text_draw(r->text, TEXT_TITLE, x, y, "Keys", color_text, TEXT_LEFT);
    y += title_h;
    for (int i = 0; i < n_keys; i++, y += line) {
        text_draw(r->text, font, x, y, keys[i][0], color_train, TEXT_LEFT);
        text_draw(r->text, font, x + key_w + column_gap, y, keys[i][1], color_text, TEXT_LEFT);
    }
    if (keys_only)
        return;
    if (beside) {
        x += key_w + column_gap + desc_w + 2 * column_gap;
        y = box.y + pad;
    } else {
        y += section_gap;
    }
    text_draw(r->text, TEXT_TITLE, x, y, "Panels", color_text, TEXT_LEFT);
    y += title_h;
    for (int i = 0; i < n_panels; i++, y += line)
        text_draw(r->text, font, x, y, panels[i], color_text, TEXT_LEFT);
}

static void draw_toast(render_ctx *r, const layout *L, const render_view *v)
{
    SDL_Renderer *R = r->renderer;
    int w = text_width(r->text, TEXT_BODY, v->toast) + px(r, 24);
    if (w > L->width - 2 * L->margin)
        w = L->width - 2 * L->margin;
    int h = text_line_height(r->text, TEXT_BODY) + px(r, 14);
    layout_rect box = {(L->width - w) / 2, L->footer.y - h - px(r, 8), w, h};
    Uint8 alpha = (Uint8)(255 * fminf(fmaxf(v->toast_alpha, 0), 1));
    SDL_Color edge = v->toast_is_error ? color_diverged : color_running;
    edge.a = alpha;
    fill(R, box, (SDL_Color){14, 15, 18, (Uint8)(alpha * 0.95f)});
    outline(R, box, edge);
    fill(R, (layout_rect){box.x, box.y, px(r, 4), box.h}, edge);
    SDL_Rect clip = sdl_rect(box);
    SDL_RenderSetClipRect(R, &clip);
    SDL_Color ink = color_text;
    ink.a = alpha;
    text_draw(r->text, TEXT_BODY, box.x + px(r, 12), box.y + px(r, 7), v->toast, ink, TEXT_LEFT);
    SDL_RenderSetClipRect(R, NULL);
}

/* ============================================================= frame */

void render_draw(render_ctx *r, const layout *L, const render_view *v)
{
    SDL_Renderer *R = r->renderer;
    SDL_SetRenderDrawBlendMode(R, SDL_BLENDMODE_BLEND);
    set_color(R, color_background);
    SDL_RenderClear(R);
    const lf_snapshot *s = &v->frame->snap;

    if (L->status.w > 0)
        draw_status(r, L->status, v);
    for (int p = 0; p < LAYOUT_PANEL_COUNT; p++) {
        const layout_panel *panel = &L->panels[p];
        if (panel->plot.w < 8)
            continue;
        char note[128] = "";
        if (p == LAYOUT_LEARNED) {
            char bias[32];
            render_format_value(bias, sizeof bias, s->bias, r->scales[p].hi / 10);
            snprintf(note, sizeof note, "bias %s", bias);
        } else if (p == LAYOUT_TRUE) {
            snprintf(note, sizeof note, "%s, %dx%d", s->target.name, s->target.height,
                     s->target.width);
        }
        draw_title(r, panel, target_view_title(s, p, panel_titles[p]), note);
        if (p < LAYOUT_KERNEL_PANELS)
            draw_kernel_panel(r, panel, p, s);
        else
            draw_image_panel(r, panel, p - LAYOUT_INPUT);
        draw_colorbar(r, panel, r->scales[p]);
    }
    draw_chart(r, L->chart, s);
    if (L->footer.w > 0)
        draw_footer(r, L->footer, v);
    if (v->mouse_inside && !v->show_help)
        draw_hover(r, L, v);
    if (v->toast && v->toast[0] && v->toast_alpha > 0)
        draw_toast(r, L, v);
    if (v->show_help)
        draw_help(r, L);
    r->frame_dirty = false;
    r->images_dirty = false;
}

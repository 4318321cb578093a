/*
 * render.c: the renderer's lifecycle, colour scales and texture uploads,
 * and the frame: the panel table (render_panels.c) drawn in order, then the
 * overlays. See render.h; render_internal.h says which file draws what.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "learnfilter/colormap.h"
#include "render_internal.h"
#include "render_layer.h"

/* ============================================================ palette */

const SDL_Color render_color_background = {24, 26, 31, 255};
const SDL_Color render_color_panel = {34, 37, 44, 255};
const SDL_Color render_color_outline = {70, 75, 86, 255};
const SDL_Color render_color_text = {226, 229, 235, 255};
const SDL_Color render_color_dim = {150, 156, 168, 255};
const SDL_Color render_color_train = {95, 165, 255, 255};
const SDL_Color render_color_validation = {255, 165, 70, 255};
const SDL_Color render_color_running = {70, 190, 110, 255};
const SDL_Color render_color_paused = {230, 180, 60, 255};
const SDL_Color render_color_converged = {90, 165, 255, 255};
const SDL_Color render_color_diverged = {230, 75, 75, 255};
const SDL_Color render_color_rewind = {235, 110, 220, 255}; /* the rewound point, everywhere */

/* ============================================================ helpers */

int render_px(const render_ctx *r, int pixels)
{
    int v = (int)(pixels * r->scale + 0.5f);
    return v < 1 ? 1 : v;
}

static Uint32 argb(lf_rgb c) { return 0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b; }

static void set_color(SDL_Renderer *renderer, SDL_Color c)
{
    SDL_SetRenderDrawColor(renderer, c.r, c.g, c.b, c.a);
}

void render_fill(SDL_Renderer *renderer, layout_rect rect, SDL_Color c)
{
    set_color(renderer, c);
    SDL_Rect s = {rect.x, rect.y, rect.w, rect.h};
    /* An opaque colour blended is the colour itself, but the software
     * renderer blends a fill pixel by pixel whenever blending is on: the
     * panels' backgrounds cover most of the window. */
    SDL_BlendMode mode = SDL_BLENDMODE_NONE;
    SDL_GetRenderDrawBlendMode(renderer, &mode);
    if (c.a == 255 && mode == SDL_BLENDMODE_BLEND)
        SDL_SetRenderDrawBlendMode(renderer, SDL_BLENDMODE_NONE);
    SDL_RenderFillRect(renderer, &s);
    SDL_SetRenderDrawBlendMode(renderer, mode);
}

void render_outline(SDL_Renderer *renderer, layout_rect rect, SDL_Color c)
{
    set_color(renderer, c);
    SDL_Rect s = {rect.x, rect.y, rect.w, rect.h};
    SDL_RenderDrawRect(renderer, &s);
}

int render_text_fitting(render_ctx *r, text_font font, int x, int y, int max_w,
                        const char *const *candidates, int count, SDL_Color color,
                        text_align align)
{
    for (int i = 0; i < count; i++) {
        if (!candidates[i] || !candidates[i][0])
            continue;
        if (text_width(r->text, font, candidates[i]) <= max_w)
            return text_draw(r->text, font, x, y, candidates[i], color, align);
    }
    return 0;
}

SDL_Color render_color_of(render_scale s, float value)
{
    lf_rgb c;
    if (s.map == RENDER_DIVERGING)
        c = lf_colormap_diverging(s.hi > 0 ? value / s.hi : 0.0f);
    else
        c = lf_colormap_gray(s.hi > s.lo ? (value - s.lo) / (s.hi - s.lo) : 0.5f);
    return (SDL_Color){c.r, c.g, c.b, 255};
}

render_lut_map render_scale_lut_map(const render_ctx *r, render_scale sc)
{
    render_lut_map m = {.lut = r->lut[sc.map], .nan = argb(lf_colormap_nan())};
    if (sc.map == RENDER_DIVERGING) {
        m.gain = sc.hi > 0 ? 0.5f / sc.hi : 0;
        m.offset = 0.5f;
    } else {
        m.gain = sc.hi > sc.lo ? 1.0f / (sc.hi - sc.lo) : 0;
        m.offset = sc.hi > sc.lo ? -sc.lo * m.gain : 0.5f;
    }
    return m;
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
    size_t image = (size_t)max_image_side * (size_t)max_image_side;
    r->residual = SDL_malloc(sizeof(float) * image);
    r->scaled_target = SDL_malloc(sizeof(float) * image);
    bool ok = r->text != NULL && r->residual != NULL && r->scaled_target != NULL;
    for (int i = 0; ok && i < LAYOUT_PANEL_COUNT; i++) {
        size_t n = i < LAYOUT_KERNEL_PANELS ? KERNEL_TEXTURE_SIDE * KERNEL_TEXTURE_SIDE : image;
        ok = (r->filled_values[i] = SDL_malloc(sizeof(float) * n)) != NULL;
    }
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
    if (r->strip_texture)
        SDL_DestroyTexture(r->strip_texture);
    for (int i = 0; i < 5; i++)
        if (r->insight_textures[i])
            SDL_DestroyTexture(r->insight_textures[i]);
    render_layer_free(r->layer_state);
    text_destroy(r->text);
    SDL_free(r->residual);
    SDL_free(r->scaled_target);
    for (int i = 0; i < LAYOUT_PANEL_COUNT; i++)
        SDL_free(r->filled_values[i]);
    SDL_free(r->record);
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

const layout *render_layout(const render_ctx *r) { return &r->layout; }

render_scale render_panel_scale(const render_ctx *r, layout_panel_id panel)
{
    return r->scales[panel];
}

/* ============================================================ uploads */

float render_kernel_value(const lf_snapshot *s, int panel, int i)
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
    r->frame_updates++;
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

long render_texture_fills(const render_ctx *r, layout_panel_id panel)
{
    return panel >= 0 && panel < LAYOUT_PANEL_COUNT ? r->fills[panel] : 0;
}

static bool same_scale(render_scale a, render_scale b)
{
    return a.map == b.map && a.lo == b.lo && a.hi == b.hi;
}

/* True when panel's texture is w x h and already shows the h x w values
 * (within the capacity of filled_values: checked by the callers) on the
 * panel's scale. Values compare bit for bit, so a NaN matches itself. */
static bool texture_shows(const render_ctx *r, int panel, const float *values, int h, int w,
                          int tex_w, int tex_h)
{
    return r->textures[panel] && r->texture_w[panel] == tex_w && r->texture_h[panel] == tex_h &&
           r->filled_h[panel] == h && r->filled_w[panel] == w &&
           same_scale(r->filled_scale[panel], r->scales[panel]) &&
           memcmp(r->filled_values[panel], values, sizeof(float) * (size_t)h * (size_t)w) == 0;
}

/* Locks panel's texture for filling with h x w values; they are
 * remembered as what it shows (texture_shows) once it is unlocked. NULL
 * when it cannot be locked: then it shows nothing known. */
static void *begin_fill(render_ctx *r, int panel, const float *values, int h, int w, int *pitch)
{
    void *pixels;
    r->filled_h[panel] = r->filled_w[panel] = 0;
    if (SDL_LockTexture(r->textures[panel], NULL, &pixels, pitch) != 0)
        return NULL;
    memcpy(r->filled_values[panel], values, sizeof(float) * (size_t)h * (size_t)w);
    r->filled_h[panel] = h;
    r->filled_w[panel] = w;
    r->filled_scale[panel] = r->scales[panel];
    r->fills[panel]++;
    return pixels;
}

/* Fills a kernel panel's texture: each cell one flat colour, drawn at
 * exactly the size of its on-screen grid, so cells stay crisp. Nothing to
 * do when it shows these values already. */
void render_upload_kernel(render_ctx *r, int panel, layout_rect grid)
{
    const lf_snapshot *s = &r->frame->snap;
    int kh = r->kernel_h, kw = r->kernel_w;
    float values[KERNEL_TEXTURE_SIDE * KERNEL_TEXTURE_SIDE]; /* kh, kw <= the side: checked
                                                               by render_update_frame */
    for (int i = 0; i < kh * kw; i++)
        values[i] = render_kernel_value(s, panel, i);
    if (texture_shows(r, panel, values, kh, kw, grid.w, grid.h) ||
        !ensure_texture(r, panel, grid.w, grid.h))
        return;
    Uint32 colors[KERNEL_TEXTURE_SIDE * KERNEL_TEXTURE_SIDE];
    for (int i = 0; i < kh * kw; i++) {
        SDL_Color c = render_color_of(r->scales[panel], values[i]);
        colors[i] = 0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b;
    }
    int pitch;
    void *pixels = begin_fill(r, panel, values, kh, kw, &pitch);
    if (!pixels)
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
 * length, not per pixel: this runs for the images that changed at every
 * image refresh. Nothing to do when it shows this image already. */
void render_upload_image(render_ctx *r, int panel, layout_rect shown, const float *src, int h,
                         int w)
{
    if (h < 1 || w < 1 || h > r->image_side || w > r->image_side ||
        texture_shows(r, panel, src, h, w, shown.w, shown.h) ||
        !ensure_texture(r, panel, shown.w, shown.h) || shown.w > HEATMAP_MAX_SIDE)
        return;
    render_lut_map colors = render_scale_lut_map(r, r->scales[panel]);
    float step_x = (float)w / shown.w, step_y = (float)h / shown.h;
    for (int x = 0; x < shown.w; x++) {
        float fx = (x + 0.5f) * step_x - 0.5f;
        fx = fx < 0 ? 0 : fx > w - 1 ? (float)(w - 1) : fx;
        r->column_x0[x] = (int)fx;
        r->column_x1[x] = (int)fx + 1 < w ? (int)fx + 1 : (int)fx;
        r->column_wx[x] = fx - (int)fx;
    }
    int pitch;
    void *pixels = begin_fill(r, panel, src, h, w, &pitch);
    if (!pixels)
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
            row[x] = render_lut_color(&colors, upper + wy * (lower - upper));
        }
    }
    SDL_UnlockTexture(r->textures[panel]);
}

void render_update_images(render_ctx *r, const worker_images *images)
{
    const lf_snapshot *s = &images->snap;
    r->images = images;
    r->image_updates++;
    if (!s->has_images || s->in_height > r->image_side || s->in_width > r->image_side ||
        s->out_height > r->image_side || s->out_width > r->image_side) {
        r->has_images = false;
        return;
    }
    int n = s->out_height * s->out_width;
    if (!r->target_scaled || n != r->scaled_n ||
        memcmp(r->scaled_target, s->expected, sizeof(float) * (size_t)n) != 0) {
        float lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < n; i++) {
            lo = fminf(lo, s->expected[i]);
            hi = fmaxf(hi, s->expected[i]);
        }
        float magnitude = robust_limit(s->expected, NULL, n);
        if (!(magnitude > 0))
            magnitude = 1; /* an all-zero target still needs a scale */
        if (lo < 0) {
            r->target_scale = (render_scale){RENDER_DIVERGING, -magnitude, magnitude};
        } else {
            if (!(hi > lo))
                hi = lo + 1;
            r->target_scale = (render_scale){RENDER_GRAY, lo, hi};
        }
        r->target_magnitude = magnitude;
        memcpy(r->scaled_target, s->expected, sizeof(float) * (size_t)n);
        r->scaled_n = n;
        r->target_scaled = true;
    }
    render_scale shared = r->target_scale;
    float magnitude = r->target_magnitude;
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

/* ============================================================= frame */

void render_draw(render_ctx *r, const layout *L, const render_view *v)
{
    SDL_Renderer *R = r->renderer;
    SDL_SetRenderDrawBlendMode(R, SDL_BLENDMODE_BLEND);
    set_color(R, render_color_background);
    SDL_RenderClear(R);
    /* A kernel bigger than 3x3 may need larger panels to print its values:
     * the same window and scale, refitted to its size. */
    int cells = r->kernel_h > r->kernel_w ? r->kernel_h : r->kernel_w;
    if (cells < 1 || cells > CELL_TEXT_MAX_SIDE)
        cells = 3;
    /* The frequency and bowl views keep the window's own layout, which has
     * the image row they take. */
    if (cells == L->kernel_cells || v->insight)
        r->layout = *L;
    else if (L->present)
        layout_compute_present(&r->layout, L->width, L->height, L->scale, cells);
    else
        layout_compute_for(&r->layout, L->width, L->height, L->scale, cells);
    L = &r->layout;
    layout_rect insight_area = v->insight ? render_insight_take(&r->layout) : (layout_rect){0};
    /* A layer (or the random-filters view) takes the panels' place. */
    bool layer = v->layer_x || v->frame->layer.active;
    layout_rect layer_area = layer ? render_layer_take(r, &r->layout, v) : (layout_rect){0};
    render_record_begin(r);
    if (L->present || layer) /* no step explained over these panels */
        r->step_area = r->step_box = (layout_rect){0};
    else
        render_plan_step(r, L, v);
    render_draw_panels(r, L, v);
    render_draw_race(r, L, v);
    if (v->insight)
        render_insight_draw(r, insight_area, v->insight);
    if (layer)
        render_layer_draw(r, L, layer_area, v);
    /* Both forget their last hit boxes when the layout has no room for them
     * (the presentation layout has none). */
    render_draw_buttons(r, L, v);
    if (!v->race) /* the race's lead line takes its place */
        render_draw_strip(r, L, v);
    else
        r->strip_hits.count = 0;
    /* The presentation layout shows the run, not the controls: no
     * explained step or hover boxes over its large panels. */
    if (!L->present) {
        render_draw_step(r, L, v);
        render_draw_edit(r, L, v);
        if (v->mouse_inside && !v->show_help && !render_hover_draw(r, L, v))
            render_draw_hover(r, L, v);
        render_draw_button_tip(r, L, v);
    }
    if (v->progress && v->progress[0] && !v->layer_x)
        render_draw_progress(r, L, v);
    if (v->notice && v->notice[0] && v->notice_alpha > 0)
        render_draw_notice(r, L, v);
    if (v->toast && v->toast[0] && v->toast_alpha > 0)
        render_draw_toast(r, L, v);
    if (v->show_help)
        render_draw_help(r, L);
    render_record_panel(r, NULL, (layout_rect){0});
}

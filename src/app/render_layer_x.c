/*
 * render_layer_x.c: the random-filters view (key X): the photo, the eight
 * random 3x3x3 filters as colour swatches and the feature map each makes
 * (layer_view.h computes them on its own thread). Painted into one opaque
 * texture when a new roll arrives or the layout changes; a frame copies it
 * and draws the labels.
 *
 * A filter's swatch shows its three channels as the R, G and B of each
 * cell, 0.5 + 0.5 w / m with m the largest |weight| of all eight, so gray
 * is zero and a reddish cell weighs red up. Each map is gray over its own
 * range (1st to 99th percentile), as feature maps are usually shown: the
 * point is the pattern each filter picks out, not their relative strength.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_internal.h"
#include "render_layer.h"

static Uint32 rgb(float r, float g, float b)
{
    float c[3] = {r, g, b};
    Uint32 out = 0xFF000000u;
    for (int k = 0; k < 3; k++) {
        float v = c[k] < 0 ? 0 : c[k] > 1 ? 1 : c[k];
        out |= (Uint32)(int)(v * 255 + 0.5f) << (16 - 8 * k);
    }
    return out;
}

/* The 1st and 99th percentiles of a map, from a sorted sample of it: the
 * maps are painted once per roll, so plain code does. */
static void map_range(const float *map, size_t n, float *lo, float *hi)
{
    enum { SAMPLE = 4096 };
    static float sample[SAMPLE]; /* painting happens on the render thread only */
    size_t step = n > SAMPLE ? n / SAMPLE : 1, count = 0;
    for (size_t i = 0; i < n && count < SAMPLE; i += step)
        sample[count++] = map[i];
    *lo = 0;
    *hi = 1;
    if (count == 0)
        return;
    /* An insertion sort of 4096 values per map, once per roll. */
    for (size_t i = 1; i < count; i++) {
        float v = sample[i];
        size_t j = i;
        for (; j > 0 && sample[j - 1] > v; j--)
            sample[j] = sample[j - 1];
        sample[j] = v;
    }
    *lo = sample[(count - 1) / 100];
    *hi = sample[(count - 1) * 99 / 100];
    if (!(*hi > *lo))
        *hi = *lo + 1;
}

static void paint(render_ctx *r, render_layer_state *s, const layer_view_result *res)
{
    const layer_x_layout *X = &s->X;
    layout_rect box = X->area;
    SDL_Texture *t = render_layer_texture(r->renderer, &s->x_canvas, box.w, box.h);
    void *mem;
    int pitch;
    if (!t || SDL_LockTexture(t, NULL, &mem, &pitch) != 0)
        return;
    s->x_box = box;
    Uint32 *px = mem;
    int stride = pitch / 4;
    const SDL_Color b = render_color_background;
    Uint32 bg = 0xFF000000u | (Uint32)b.r << 16 | (Uint32)b.g << 8 | b.b;
    for (int y = 0; y < box.h; y++)
        for (int x = 0; x < box.w; x++)
            px[(long)y * stride + x] = bg;
    if (res && res->ok) {
        int h = res->height, w = res->width;
        size_t area = (size_t)h * w;
        layout_rect shown = render_image_rect(X->photo, h, w);
        for (int y = 0; y < shown.h; y++)
            for (int x = 0; x < shown.w; x++) {
                size_t i = (size_t)((long)y * h / shown.h) * w + (size_t)((long)x * w / shown.w);
                px[(long)(shown.y - box.y + y) * stride + shown.x - box.x + x] =
                    rgb(res->photo[i], res->photo[area + i], res->photo[2 * area + i]);
            }
        float m = 0;
        for (int i = 0; i < LAYER_VIEW_TAPS; i++)
            m = fmaxf(m, fabsf(res->filters[i]));
        m = m > 0 ? m : 1;
        for (int f = 0; f < LAYER_X_FILTERS; f++) {
            layout_rect g = layout_grid_fit(X->swatch[f], 3, 3);
            const float *wf = res->filters + f * 27;
            for (int y = 0; y < g.h; y++)
                for (int x = 0; x < g.w; x++) {
                    int i = y * 3 / g.h, j = x * 3 / g.w, k = i * 3 + j;
                    px[(long)(g.y - box.y + y) * stride + g.x - box.x + x] =
                        rgb(0.5f + 0.5f * wf[k] / m, 0.5f + 0.5f * wf[9 + k] / m,
                            0.5f + 0.5f * wf[18 + k] / m);
                }
            const float *map = res->maps + (size_t)f * area;
            render_scale sc = {RENDER_GRAY, 0, 1};
            map_range(map, area, &sc.lo, &sc.hi);
            layout_rect ms = render_image_rect(X->map[f], h, w);
            for (int y = 0; y < ms.h; y++)
                for (int x = 0; x < ms.w; x++) {
                    float v = map[(size_t)((long)y * h / ms.h) * w + (size_t)((long)x * w / ms.w)];
                    v = v < sc.lo ? sc.lo : v > sc.hi ? sc.hi : v;
                    SDL_Color c = render_color_of(sc, v);
                    px[(long)(ms.y - box.y + y) * stride + ms.x - box.x + x] =
                        0xFF000000u | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b;
                }
        }
    }
    SDL_UnlockTexture(t);
}

static void line_in(render_ctx *r, text_font font, layout_rect box, const char *const *texts,
                    int count, SDL_Color color)
{
    int y = box.y + (box.h - text_line_height(r->text, font)) / 2;
    if (y < box.y)
        return;
    render_text_fitting(r, font, box.x, y, box.w, texts, count, color, TEXT_LEFT);
}

void render_layer_x_draw(render_ctx *r, layout_rect area, const render_view *v)
{
    render_layer_state *s = r->layer_state;
    const layer_view_result *res = v->layer_x_result;
    layer_x_layout_compute(&s->X, area, r->scale);
    const layer_x_layout *X = &s->X;
    unsigned roll = res ? res->roll : 0;
    if (roll != s->x_roll || memcmp(&X->area, &s->x_box, sizeof X->area) != 0 || !s->x_canvas) {
        paint(r, s, res);
        s->x_roll = roll;
    }
    render_record_panel(r, "random_filters", area);
    SDL_Rect dst = render_sdl_rect(s->x_box);
    if (s->x_canvas)
        SDL_RenderCopy(r->renderer, s->x_canvas, NULL, &dst);
    static const char *const titles[3] = {
        "8 random 3x3x3 filters over a colour photo: each makes one feature map",
        "8 random 3x3x3 filters: one feature map each", "8 random filters"};
    int y = X->title.y + (X->title.h - text_line_height(r->text, TEXT_NOTICE)) / 2;
    if (y < X->title.y ||
        !render_text_fitting(r, TEXT_NOTICE, X->title.x, y, X->title.w, titles, 2,
                             render_color_text, TEXT_LEFT))
        line_in(r, TEXT_TITLE, X->title, titles, 3, render_color_text);
    static const char *const hints[2] = {
        "Shift+X or R: 8 new random filters \xc2\xb7 Esc: back to the training",
        "Shift+X, R: new \xc2\xb7 Esc: back"};
    line_in(r, TEXT_BODY, X->hint, hints, 2, render_color_dim);
    if (!res || !res->ok) {
        char why[LAYER_VIEW_MESSAGE_MAX + 8];
        snprintf(why, sizeof why, "%s", res ? res->message : "rolling 8 random filters\xe2\x80\xa6");
        const char *const one[1] = {why};
        layout_rect mid = {area.x, area.y + area.h / 2 - area.h / 10, area.w, area.h / 5};
        line_in(r, TEXT_TITLE, mid, one, 1, res ? render_color_diverged : render_color_dim);
        return;
    }
    if (X->photo.w < 1)
        return;
    char photo[LAYER_VIEW_NAME_MAX + 32];
    snprintf(photo, sizeof photo, "Photo: %s", res->photo_name);
    const char *const ptitles[2] = {photo, "Photo"};
    line_in(r, TEXT_TITLE, X->photo_title, ptitles, 2, render_color_text);
    layout_rect shown = render_image_rect(X->photo, res->height, res->width);
    render_outline(r->renderer, (layout_rect){shown.x - 1, shown.y - 1, shown.w + 2, shown.h + 2},
                   render_color_outline);
    for (int f = 0; f < LAYER_X_FILTERS; f++) {
        if (X->map[f].w < 1)
            continue;
        char t[48];
        snprintf(t, sizeof t, "filter %d \xe2\x86\x92 map %d", f + 1, f + 1);
        char brief[16];
        snprintf(brief, sizeof brief, "%d", f + 1);
        const char *const cell[2] = {t, brief};
        line_in(r, TEXT_TITLE, X->cell_title[f], cell, 2, render_color_text);
        layout_rect g = layout_grid_fit(X->swatch[f], 3, 3);
        render_outline(r->renderer, (layout_rect){g.x - 1, g.y - 1, g.w + 2, g.h + 2},
                       render_color_outline);
        layout_rect m = render_image_rect(X->map[f], res->height, res->width);
        render_outline(r->renderer, (layout_rect){m.x - 1, m.y - 1, m.w + 2, m.h + 2},
                       render_color_outline);
    }
}

/*
 * render_strip.c: the strip of photos under the images: each photo's patch
 * where the true filter responds most (samples.h), as a thumbnail; the one
 * shown is outlined, and a click shows another (input.c).
 */
#include "render_internal.h"

static const SDL_Color shown_colour = {255, 210, 60, 255};

/* The thumbnails go into one gray texture, one above the other, when the
 * worker publishes new ones. */
static void upload(render_ctx *r, const worker_strip *s)
{
    const int side = WORKER_THUMB_SIDE;
    if (!r->strip_texture) {
        r->strip_texture = SDL_CreateTexture(r->renderer, SDL_PIXELFORMAT_ARGB8888,
                                             SDL_TEXTUREACCESS_STREAMING, side,
                                             side * WORKER_STRIP_MAX);
        if (!r->strip_texture)
            return;
    }
    void *pixels;
    int pitch;
    if (SDL_LockTexture(r->strip_texture, NULL, &pixels, &pitch) != 0)
        return;
    for (int y = 0; y < side * WORKER_STRIP_MAX; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)pixels + (long)y * pitch);
        for (int x = 0; x < side; x++) {
            float v = y / side < s->count ? s->thumbs[y * side + x] : 0;
            int g = (int)(v * 255 + 0.5f);
            g = g < 0 ? 0 : g > 255 ? 255 : g;
            row[x] = 0xFF000000u | (Uint32)g << 16 | (Uint32)g << 8 | (Uint32)g;
        }
    }
    SDL_UnlockTexture(r->strip_texture);
    r->strip_serial = s->serial;
}

void render_draw_strip(render_ctx *r, const layout *L, const render_view *v)
{
    r->strip_hits.count = 0;
    const worker_images *im = v->images;
    if (L->strip.h < 1 || !im || im->strip.count < 1)
        return;
    const worker_strip *s = &im->strip;
    if (s->serial != r->strip_serial)
        upload(r, s);
    if (!r->strip_texture)
        return;
    render_record_panel(r, "samples", L->strip);
    int side = L->strip.h, gap = render_px(r, 5);
    int x = L->strip.x, right = L->strip.x + L->strip.w;
    const char *label = "Sample from photo:";
    int label_w = text_width(r->text, TEXT_BODY, label);
    if (label_w + gap + side <= L->strip.w) {
        text_draw(r->text, TEXT_BODY, x,
                  L->strip.y + (side - text_line_height(r->text, TEXT_BODY)) / 2, label,
                  render_color_dim, TEXT_LEFT);
        x += label_w + 2 * gap;
    }
    for (int i = 0; i < s->count && i < WORKER_STRIP_MAX && x + side <= right; i++) {
        if (s->patch[i] < 0)
            continue;
        layout_rect box = {x, L->strip.y, side, side};
        SDL_Rect src = {0, i * WORKER_THUMB_SIDE, WORKER_THUMB_SIDE, WORKER_THUMB_SIDE};
        SDL_Rect dst = render_sdl_rect(box);
        SDL_RenderCopy(r->renderer, r->strip_texture, &src, &dst);
        bool shown = s->patch[i] == im->snap.sample_patch;
        bool hover = v->mouse_inside && !v->show_help && layout_contains(box, v->mouse_x,
                                                                         v->mouse_y);
        SDL_Color c = shown ? shown_colour : hover ? render_color_text : render_color_outline;
        for (int t = 0; t < (shown ? render_px(r, 3) : 1); t++)
            render_outline(r->renderer, (layout_rect){box.x + t, box.y + t, box.w - 2 * t,
                                                      box.h - 2 * t},
                           c);
        int n = r->strip_hits.count++;
        r->strip_hits.rect[n] = box;
        r->strip_hits.patch[n] = s->patch[i];
        x += side + gap;
    }
}

const samples_strip_hits *render_strip(const render_ctx *r) { return &r->strip_hits; }

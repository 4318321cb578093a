/*
 * test_offscreen.h: the training window's renderer drawing into a surface
 * in memory, with a frame to show, for tests that look at what is drawn
 * or click at what the layout reports without a window or a worker.
 *
 * to_open makes a w x h RGB surface, a software renderer on it and the
 * window's render context at the given UI scale, and a frame with the
 * named catalog kernel as both the true and the learned kernel, no figures
 * yet (NaN), in the given worker state; the layout for that size and
 * scale; and passes the frame to the renderer. The test changes the frame
 * and calls render_update_frame again as it needs; to_pixel reads what
 * was drawn. Static, as in test_util.h, so no helper library is needed.
 */
#ifndef LEARNFILTER_TEST_OFFSCREEN_H
#define LEARNFILTER_TEST_OFFSCREEN_H

#include <math.h>
#include <stdlib.h>

#include "layout.h"
#include "render.h"
#include "setup.h"

typedef struct to_view {
    SDL_Surface *surface;
    SDL_Renderer *renderer;
    render_ctx *view;
    worker_frame frame;
    layout L;
} to_view;

static inline void to_open(to_view *v, int w, int h, float scale, const char *kernel,
                           worker_state state)
{
    v->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    if (!v->surface)
        fail_msg("SDL_CreateRGBSurfaceWithFormat: %s", SDL_GetError());
    v->renderer = SDL_CreateSoftwareRenderer(v->surface);
    if (!v->renderer)
        fail_msg("SDL_CreateSoftwareRenderer: %s", SDL_GetError());
    lf_error err;
    v->view = render_create(v->renderer, app_assets_dir(), scale, 64, &err);
    if (!v->view)
        fail_msg("render_create: %s", err.message);
    if (lf_kernel_from_name(&v->frame.snap.target, kernel, 1, &err) != LF_OK)
        fail_msg("lf_kernel_from_name(%s): %s", kernel, err.message);
    v->frame.snap.learned = v->frame.snap.target;
    v->frame.snap.figures.rel_err = NAN;
    v->frame.snap.figures.train_loss = NAN;
    v->frame.snap.figures.val_loss = NAN;
    v->frame.state = state;
    layout_compute(&v->L, w, h, scale);
    render_update_frame(v->view, &v->frame);
}

/* The colour drawn at (x, y) of the surface. */
static inline SDL_Color to_pixel(const to_view *v, int x, int y)
{
    Uint32 p = ((const Uint32 *)((const Uint8 *)v->surface->pixels + y * v->surface->pitch))[x];
    SDL_Color c;
    SDL_GetRGB(p, v->surface->format, &c.r, &c.g, &c.b);
    c.a = 255;
    return c;
}

static inline void to_close(to_view *v)
{
    render_destroy(v->view);
    SDL_DestroyRenderer(v->renderer);
    SDL_FreeSurface(v->surface);
}

#endif

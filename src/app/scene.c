/*
 * scene.c: the window's layout in a surface. See scene.h.
 *
 * The frame and image snapshots are the window's own types (worker.h), so
 * render.c draws them exactly as it draws what the worker publishes; here
 * they are filled straight from the trainer on the calling thread.
 */
#include "scene.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "learnfilter/gif.h"
#include "render.h"
#include "setup.h"
#include "worker.h"

struct scene {
    SDL_Surface *surface;    /* RGBA32: its bytes are the frame handed out */
    SDL_Renderer *renderer;  /* software, drawing into surface */
    render_ctx *view;        /* textures and glyph atlases of this renderer */
    layout L;
    worker_frame frame;      /* 60 KB: why the scene lives on the heap */
    worker_images images;
    unsigned generation;
};

scene *scene_create(int width, int height, int max_patch_side, lf_error *err)
{
    if (width < SCENE_MIN_WIDTH || height < SCENE_MIN_HEIGHT || width > LF_GIF_MAX_SIDE ||
        height > LF_GIF_MAX_SIDE) {
        lf_fail(err, LF_ERR_ARGUMENT, "a %dx%d frame is outside %dx%d..%dx%d", width, height,
                SCENE_MIN_WIDTH, SCENE_MIN_HEIGHT, LF_GIF_MAX_SIDE, LF_GIF_MAX_SIDE);
        return NULL;
    }
    scene *s = calloc(1, sizeof *s);
    if (!s) {
        lf_fail(err, LF_ERR_NOMEM, "out of memory for the frame");
        return NULL;
    }
    if (lf_snapshot_init(&s->images.snap, max_patch_side, err) != LF_OK) {
        free(s);
        return NULL;
    }
    s->surface = SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_RGBA32);
    s->renderer = s->surface ? SDL_CreateSoftwareRenderer(s->surface) : NULL;
    if (!s->renderer) {
        lf_fail(err, LF_ERR_NOMEM, "cannot make a %dx%d drawing surface: %s", width, height,
                SDL_GetError());
        scene_destroy(s);
        return NULL;
    }
    float scale = layout_auto_scale(width, height);
    s->view = render_create(s->renderer, app_assets_dir(), scale, max_patch_side, err);
    if (!s->view) {
        scene_destroy(s);
        return NULL;
    }
    layout_compute(&s->L, width, height, scale);
    return s;
}

const uint8_t *scene_draw(scene *s, lf_trainer *trainer, const scene_info *info,
                          int *stride)
{
    worker_frame *f = &s->frame;
    lf_trainer_snapshot(trainer, &f->snap, false);
    const lf_figures *fig = &f->snap.figures;
    f->state = fig->diverged ? WORKER_DIVERGED : fig->converged ? WORKER_CONVERGED
                                                                : WORKER_RUNNING;
    f->steps_per_second = info ? info->steps_per_second : 0;
    f->speed = 0; /* a movie's frames show no pace */
    f->trains_past_tolerance = true;
    f->kernel_index = lf_kernel_catalog_find(f->snap.target.name);
    f->file_count = info ? info->file_count : 0;
    f->generation = s->generation;
    f->serial++;
    lf_trainer_snapshot(trainer, &s->images.snap, true);
    s->images.generation = s->generation;
    s->images.serial++;
    render_update_frame(s->view, f);
    render_update_images(s->view, &s->images);
    render_view v = {.frame = f, .images = &s->images, .fps = -1};
    render_draw(s->view, &s->L, &v);
    SDL_RenderPresent(s->renderer); /* a software renderer: makes sure the surface is complete */
    *stride = s->surface->pitch;
    return s->surface->pixels;
}

void scene_set_present(scene *s, bool present)
{
    if (present)
        layout_compute_present(&s->L, s->L.width, s->L.height, s->L.scale, 3);
    else
        layout_compute(&s->L, s->L.width, s->L.height, s->L.scale);
}

const uint8_t *scene_draw_view(scene *s, const worker_frame *frame, const worker_images *images,
                               int *stride)
{
    render_update_frame(s->view, frame);
    render_update_images(s->view, images);
    render_view v = {.frame = frame, .images = images, .fps = -1};
    render_draw(s->view, &s->L, &v);
    SDL_RenderPresent(s->renderer);
    *stride = s->surface->pitch;
    return s->surface->pixels;
}

bool scene_record_texts(scene *s) { return render_record_layout(s->view, true); }

const struct render_ctx *scene_render(const scene *s) { return s->view; }

int scene_width(const scene *s) { return s->surface->w; }
int scene_height(const scene *s) { return s->surface->h; }

void scene_destroy(scene *s)
{
    if (!s)
        return;
    render_destroy(s->view);
    if (s->renderer)
        SDL_DestroyRenderer(s->renderer);
    if (s->surface)
        SDL_FreeSurface(s->surface);
    lf_snapshot_deinit(&s->images.snap);
    free(s);
    TTF_Quit(); /* the fonts' library, opened by the first glyph atlas */
}

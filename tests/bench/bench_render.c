/*
 * bench_render.c: the CPU time the window's drawing takes per frame on
 * SDL's software renderer, the one the dummy video driver (and so
 * tests/bench/window_fps.py) draws with.
 *
 * The smiley trains between frames as the worker would; each frame gets a
 * new kernel frame (the worker publishes 120 a second, the window draws
 * 60) and every fourth new images too (15 a second: WORKER_IMAGE_HZ). The
 * time is the drawing thread's CPU time from taking the frame to the last
 * pixel drawn (render_update_*, render_draw and the renderer's flush), so
 * a busy machine slows the figures less than wall time would. Printed for
 * 1920x1080 in the full layout and 1280x720 in the presentation layout (the
 * one a recording uses): the median and the 99th percentile, for frames
 * with and without new images. A program, not a test.
 *
 * Usage: SDL_VIDEODRIVER=dummy ./bench_render [frames per size, default 400]
 */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "cli.h"
#include "layout.h"
#include "render.h"
#include "setup.h"
#include "worker.h"

#define STEPS_PER_FRAME 80 /* about the smiley's steps per 1/60 s on one core */
#define IMAGE_EVERY 4      /* frames per image refresh: 60 / WORKER_IMAGE_HZ */

static double percentile(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, bench_compare_doubles);
    int i = (int)(p * n);
    return v[i < n ? i : n - 1];
}

static int run_size(lf_trainer *trainer, worker_frame *frame, worker_images *images, int patch,
                    int w, int h, bool present, int frames)
{
    SDL_Surface *surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *renderer = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    lf_error err;
    float scale = layout_auto_scale(w, h);
    render_ctx *view = renderer ? render_create(renderer, app_assets_dir(), scale, patch, &err)
                                : NULL;
    double *plain = malloc(sizeof(double) * (size_t)frames);
    double *with_images = malloc(sizeof(double) * (size_t)frames);
    if (!view || !plain || !with_images) {
        fprintf(stderr, "bench_render: cannot draw %dx%d: %s\n", w, h,
                view ? "out of memory" : SDL_GetError());
        return 1;
    }
    layout L;
    layout_compute_mode(&L, w, h, scale, present);
    int n_plain = 0, n_images = 0;
    for (int i = 0; i < frames; i++) {
        for (int s = 0; s < STEPS_PER_FRAME; s++)
            if (lf_trainer_step(trainer, &err) != LF_OK)
                break;
        lf_trainer_snapshot(trainer, &frame->snap, false);
        frame->serial++;
        bool new_images = i % IMAGE_EVERY == 0;
        if (new_images) {
            lf_trainer_snapshot(trainer, &images->snap, true);
            images->serial++;
        }
        double t0 = bench_thread_seconds();
        render_update_frame(view, frame);
        if (new_images)
            render_update_images(view, images);
        render_view v = {.frame = frame, .images = images, .fps = 60};
        render_draw(view, &L, &v);
        SDL_RenderFlush(renderer);
        double ms = (bench_thread_seconds() - t0) * 1e3;
        if (i < IMAGE_EVERY)
            continue; /* the first frames fill every texture: not a frame of a run */
        if (new_images)
            with_images[n_images++] = ms;
        else
            plain[n_plain++] = ms;
    }
    printf("| %dx%d %s | %.2f | %.2f | %.2f | %.2f |\n", w, h, present ? "presentation" : "full",
           percentile(plain, n_plain, 0.5), percentile(plain, n_plain, 0.99),
           percentile(with_images, n_images, 0.5), percentile(with_images, n_images, 0.99));
    free(plain);
    free(with_images);
    render_destroy(view);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    return 0;
}

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 400;
    if (frames < 2 * IMAGE_EVERY)
        frames = 2 * IMAGE_EVERY;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "bench_render: %s (try SDL_VIDEODRIVER=dummy)\n", SDL_GetError());
        return 1;
    }
    char *args[] = {argv[0], "--kernel", "smiley"};
    cli_options o;
    lf_error err;
    app_setup setup;
    if (!cli_parse(3, args, &o, &err) ||
        app_setup_create(&setup, &o, NULL, NULL, NULL, &err) != LF_OK) {
        fprintf(stderr, "bench_render: %s\n", err.message);
        return 1;
    }
    int patch = setup.dataset.patch_size;
    worker_frame *frame = calloc(1, sizeof *frame);
    worker_images *images = calloc(1, sizeof *images);
    if (!frame || !images || lf_snapshot_init(&images->snap, patch, &err) != LF_OK) {
        fprintf(stderr, "bench_render: out of memory\n");
        return 1;
    }
    frame->state = WORKER_RUNNING;
    printf("drawing thread CPU ms per frame, %d frames per size (smiley, %dx%d patches)\n",
           frames, patch, patch);
    printf("| size, layout | new kernels: median | p99 | new images too: median | p99 |\n");
    printf("|---|---|---|---|---|\n");
    int failed = run_size(setup.trainer, frame, images, patch, 1920, 1080, false, frames) ||
                 run_size(setup.trainer, frame, images, patch, 1280, 720, true, frames);
    lf_snapshot_deinit(&images->snap);
    free(images);
    free(frame);
    app_setup_destroy(&setup);
    SDL_Quit();
    return failed;
}

/*
 * scene.h: the window's whole layout drawn without a display.
 *
 * The headless trainer's --gif-layout full records what the window would
 * show: the same layout and the same drawing code (render.h), drawn by
 * SDL's software renderer into a surface of its own, with its own glyph
 * atlases. No window, no video driver, no main-thread rule: a scene belongs
 * to the thread that made it.
 *
 *   scene *s = scene_create(1280, 720, patch_side, &err);
 *   const uint8_t *rgba = scene_draw(s, trainer, &draw, &stride);
 *   ... hand rgba to a recorder ...
 *   scene_destroy(s);
 */
#ifndef LEARNFILTER_SCENE_H
#define LEARNFILTER_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include "learnfilter/error.h"
#include "layout.h"
#include "learnfilter/trainer.h"

#define SCENE_MIN_WIDTH LAYOUT_MIN_WIDTH /* the window's own minimum size */
#define SCENE_MIN_HEIGHT LAYOUT_MIN_HEIGHT

/* What the status line says besides the trainer's own figures. */
typedef struct scene_info {
    double steps_per_second; /* measured by the caller; 0: not known */
    int file_count;          /* photographs in the dataset */
} scene_info;

typedef struct scene scene;

/* A width x height scene (SCENE_MIN_* .. LF_GIF_MAX_SIDE) that shows
 * patches up to max_patch_side. NULL with err set: LF_ERR_ARGUMENT for the
 * size, LF_ERR_INPUT when the fonts are missing, LF_ERR_NOMEM. */
scene *scene_create(int width, int height, int max_patch_side, lf_error *err);

/* Draws the trainer as it is now (kernels, chart, sample images, status
 * line). Returns the pixels, 4 bytes each R G B A, rows *stride bytes
 * apart, valid until the next draw or destroy. */
const uint8_t *scene_draw(scene *s, lf_trainer *trainer, const scene_info *info,
                          int *stride);

/* Draws the presentation layout (layout_compute_present) from now on, or
 * the window's full layout again. */
void scene_set_present(scene *s, bool present);

/* Draws a frame the caller filled (a reel's past point: kernels and
 * figures in frame, the sample and the output in images). Same pixels
 * contract as scene_draw. frame and images are struct worker_frame and
 * struct worker_images (worker.h). */
struct worker_frame;
struct worker_images;
const uint8_t *scene_draw_view(scene *s, const struct worker_frame *frame,
                               const struct worker_images *images, int *stride);

/* Records every drawn text from now on, for tests (render.h's
 * render_recorded_text on scene_render). false when out of memory. */
bool scene_record_texts(scene *s);
struct render_ctx;
const struct render_ctx *scene_render(const scene *s);

int scene_width(const scene *s);
int scene_height(const scene *s);

/* Frees everything; accepts NULL. */
void scene_destroy(scene *s);

#endif

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

int scene_width(const scene *s);
int scene_height(const scene *s);

/* Frees everything; accepts NULL. */
void scene_destroy(scene *s);

#endif

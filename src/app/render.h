/*
 * render.h: drawing the whole window through an SDL_Renderer.
 *
 * Everything goes through the renderer API (rectangles, lines, textures),
 * never through a window surface, so the same code draws the live window,
 * a software renderer over an SDL_Surface for tests and screenshots, and
 * later GIF or movie frames made without a display.
 *
 * Textures are made once: the heatmaps are streaming textures updated only
 * when the worker publishes something new (render_update_frame,
 * render_update_images), and text comes from glyph atlases (text.h). A
 * frame itself (render_draw) allocates nothing.
 *
 * Colour scales, shown by every panel's colorbar:
 *   kernels   one symmetric diverging scale for learned, true and their
 *             difference: a nice number at or above the largest |weight| of
 *             the true kernel, grown when learned weights go more than 10%
 *             beyond it; equal colours mean equal values and white is zero
 *             (a converged difference panel fades to white);
 *   input     gray on [0, 1];
 *   output, target  one shared scale from the target: diverging symmetric
 *             (to the 99.5th percentile of |target|, as edge responses are
 *             sparse) when the target has negative values, gray over its
 *             range otherwise; the output is clamped to it;
 *   residual  diverging, symmetric, on its own scale (the 99.5th percentile
 *             of |residual|, rounded to a nice number), but never finer than 1% of the target's scale:
 *             its structure shows while training, and it fades to white
 *             once the network has converged.
 */
#ifndef LEARNFILTER_RENDER_H
#define LEARNFILTER_RENDER_H

#include <SDL.h>
#include <stdbool.h>

#include "buttons.h"
#include "kernel_edit.h"
#include "layout.h"
#include "text.h"
#include "worker.h"

typedef enum render_colormap { RENDER_DIVERGING = 0, RENDER_GRAY } render_colormap;

/* The value range of one panel's colours. */
typedef struct render_scale {
    render_colormap map;
    float lo, hi; /* diverging: lo == -hi */
} render_scale;

/* What to draw this frame besides the published data. */
typedef struct render_view {
    const worker_frame *frame;   /* required */
    const worker_images *images; /* may be NULL or without images */
    double fps;                  /* measured by the window; negative: not shown */
    bool mouse_inside;
    int mouse_x, mouse_y;        /* in drawable pixels */
    bool show_help;
    const char *toast;           /* a message shown at the bottom, or NULL */
    bool toast_is_error;
    float toast_alpha;           /* 0..1, for fading out */
    bool recording;              /* a movie is being recorded (the record button says Stop) */
    const kernel_edit *edit;     /* a kernel cell being set by the mouse, or NULL */
    const char *notice;          /* a large notice (notice.h), or NULL */
    float notice_alpha;          /* 0..1 */
    const char *progress;        /* statistics being built: the run is dimmed under it, or NULL */
    /* A race (race_window.h): the second run's frame, or NULL; what each
     * run is where they differ ("SGD lr 0.01", "Adam lr 0.001"); who is ahead. */
    const worker_frame *race;
    const char *race_first, *race_second, *race_lead;
    const struct insight_view *insight; /* the frequency or bowl view in place of the
                                           images (insight.h), or NULL */
    bool layer_x;                /* the random-filters view (key X) is up */
    const struct layer_view_result *layer_x_result; /* its newest roll, or NULL: rolling */
} render_view;

typedef struct render_ctx render_ctx;

/* Creates the textures and fonts for renderer; images up to max_image_side
 * on each side can be shown. NULL on failure with the reason in err
 * (LF_ERR_INPUT: a font missing; LF_ERR_NOMEM). */
render_ctx *render_create(SDL_Renderer *renderer, const char *assets_dir, float scale,
                          int max_image_side, lf_error *err);
void render_destroy(render_ctx *r);
/* New UI scale: rebuilds the fonts. */
bool render_set_scale(render_ctx *r, float scale);
text_ctx *render_text(render_ctx *r);

/* Uploads the kernels of a new frame, and the images of a new image set. */
void render_update_frame(render_ctx *r, const worker_frame *frame);
void render_update_images(render_ctx *r, const worker_images *images);
/* How many times panel's texture has been filled so far: once per change
 * of what it shows (its values, scale or size), not once per frame or
 * publication. For tests. */
long render_texture_fills(const render_ctx *r, layout_panel_id panel);

/* The scale panel uses now (after the updates above). */
render_scale render_panel_scale(const render_ctx *r, layout_panel_id panel);

/* Draws everything for layout L. Does not present. A kernel above 3x3
 * whose values are printed gets L refitted to its size (layout_compute_for),
 * so its values stay readable; render_layout says what was drawn. */
void render_draw(render_ctx *r, const layout *L, const render_view *view);
const layout *render_layout(const render_ctx *r);
/* Where a kernel panel's plot draws the cells of a kh x kw kernel. */
layout_rect render_kernel_grid(layout_rect plot, int kh, int kw);
/* The buttons of the last frame drawn, in drawable pixels, for clicks. */
const button_bar *render_buttons(const render_ctx *r);
/* The strip's thumbnails of the last frame drawn, for clicks. */
const samples_strip_hits *render_strip(const render_ctx *r);

/* ---- Recording what was drawn, for tools (--layout-out) and tests. */

/* Starts (on) or stops recording each frame's panels and texts; the record
 * is allocated here, once. false when out of memory. */
bool render_record_layout(render_ctx *r, bool on);

/* One text of the last frame drawn: its string (valid until the next
 * frame), box, font size in pixels, whether it is a cell value, the panel
 * it belongs to, and whether it ran outside its clip rectangle. */
typedef struct render_text_box {
    const char *text;
    int x, y, w, h;
    int pixels;
    bool is_value;
    const char *panel;
    bool clipped;
} render_text_box;
int render_recorded_text_count(const render_ctx *r);
bool render_recorded_text(const render_ctx *r, int i, render_text_box *out);

/* Writes the last frame's record (and render_layout's sizes) as JSON to path: {"width", "height",
 * "scale", "value_px", "arrangement", "panels": [{"name", "x", "y", "w",
 * "h"}], "buttons": [{"name", "x", "y", "w", "h", "label", "key"}], "texts": [{"text", "x", "y", "w", "h", "px",
 * "font", "panel", "clipped"}]}. false with err set when nothing was
 * recorded (LF_ERR_ARGUMENT) or the file cannot be written (LF_ERR_IO). */
bool render_write_layout(const render_ctx *r, const char *path, lf_error *err);

/* The colour a value gets in a scale, as the heatmaps draw it. */
SDL_Color render_color_of(render_scale scale, float value);

/* Writes a short, readable form of v for a range of about +-limit, with a
 * true minus sign ("−0.25", "1.00", "0.0589"). */
void render_format_value(char *out, int size, double v, double limit);

#endif

/*
 * render_layer.h: drawing a convolution layer in the window, and the
 * random-filters view (key X), in place of the one-gray-filter panels.
 *
 * render_draw calls render_layer_take when the frame is a layer (or the X
 * view is up): it empties the kernel and image panels of the layout, puts
 * the loss chart and its timeline where the layer layout wants them
 * (layer_layout.h) and returns the area it took; render_layer_draw then
 * draws the table (or the X view) there, after the status line, chart and
 * footer. The squares are painted into one opaque texture, only when a new
 * frame, new images or a new layout came: a frame that changed nothing
 * costs one texture copy and the text.
 *
 * Colours (as render.h's scales): each filter's learned and true kernels
 * share one diverging scale, render_layer_kernel_scale; each filter's
 * feature map and target share the target's scale (diverging to the 99.5th
 * percentile of |target| when it has negative values, gray over its range
 * otherwise), the map clamped to it and NaN in the colormap's NaN colour
 * (render_lut_color, as the gray filter's images). The sample patch is shown in its own
 * colours (R, G, B on [0, 1]).
 */
#ifndef LEARNFILTER_RENDER_LAYER_H
#define LEARNFILTER_RENDER_LAYER_H

#include "layer_layout.h"
#include "layer_view.h"
#include "render.h"

/* The scale filter f's learned and true kernels are drawn on: a nice
 * number at or above its true weights' largest |value|, grown when the
 * learned ones go more than 10% beyond it (as the gray filter's). */
render_scale render_layer_kernel_scale(const worker_layer *layer, const lf_kernel *truth, int f);

/* What render_layer*.c keep between frames (render_ctx's layer_state). */
typedef struct render_layer_state {
    SDL_Texture *canvas;       /* the table's squares, opaque, at the size drawn */
    layout_rect canvas_box;    /* where it goes */
    unsigned frame_update, image_update; /* render_ctx's update counts it was painted at */
    Uint32 *pixels;            /* the canvas's pixels, canvas_box's size */
    size_t pixel_capacity;
    SDL_Texture *sample;       /* the sample patch in colour */
    layout_rect sample_box;    /* where it was painted for */
    SDL_Texture *x_canvas;     /* the X view's photo, swatches and maps */
    layout_rect x_box;
    unsigned x_roll;           /* the roll it was painted from; 0: none */
    layer_layout LL;           /* the layout last drawn */
    layer_x_layout X;
} render_layer_state;

void render_layer_free(render_layer_state *s);

/* An opaque streaming texture of w x h, remade when the size changes;
 * NULL when there is none. */
SDL_Texture *render_layer_texture(SDL_Renderer *renderer, SDL_Texture **t, int w, int h);

/* Takes the content area of L for the layer or the X view (see above). */
layout_rect render_layer_take(render_ctx *r, layout *L, const render_view *v);
void render_layer_draw(render_ctx *r, const layout *L, layout_rect area, const render_view *v);

/* The X view (render_layer_x.c), drawn by render_layer_draw when v->layer_x. */
void render_layer_x_draw(render_ctx *r, layout_rect area, const render_view *v);

#endif

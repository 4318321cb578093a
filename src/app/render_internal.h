/*
 * render_internal.h: what the renderer's files share, and nothing outside
 * them uses.
 *
 *   render.c          lifecycle, colour scales, texture uploads, the frame
 *                     (render_draw walks the panel table)
 *   render_panels.c   the panel table: heatmaps (kernels, images), their
 *                     titles, captions and colorbars, the chart
 *   render_status.c   the status line and the footer
 *   render_overlay.c  hover read-out over kernels, help overlay, toast
 *   render_hover.c    hover over images (the arithmetic) and the chart
 *   render_step.c     the last step explained while paused
 *   render_notice.c   large notices, and a kernel's statistics in progress
 *   render_format.c   numbers as the window prints them
 *   render_record.c   every drawn text's and panel's box, for --layout-out
 *   render_timeline.c the rewind timeline under the chart
 *   render_insight.c  the frequency and loss-bowl views, in place of the images
 */
#ifndef LEARNFILTER_RENDER_INTERNAL_H
#define LEARNFILTER_RENDER_INTERNAL_H

#include "buttons.h"
#include "count_format.h"
#include "render.h"

/* ============================================================ palette */

extern const SDL_Color render_color_background, render_color_panel, render_color_outline,
    render_color_text, render_color_dim, render_color_train, render_color_validation,
    render_color_running, render_color_paused, render_color_converged, render_color_diverged,
    render_color_rewind;

/* The badge colour of a run's state (running, paused, converged, diverged). */
SDL_Color render_state_color(worker_state st);

#define KERNEL_TEXTURE_SIDE LF_KERNEL_MAX_SIDE
#define HEATMAP_MAX_SIDE 8192 /* widest heatmap drawn, pixels */
#define BAR_LEVELS 256
#define CELL_TEXT_MAX_SIDE 7   /* kernels up to this size print their values */
#define GRID_LINE_MAX_SIDE 16  /* and up to this size get lines between cells */
#define LUT_SIZE 4096          /* colormap lookup entries for image uploads */

/* ===================================================== recording (tools) */

#define RECORD_TEXT_MAX 96     /* bytes of each drawn text kept */
#define RECORD_TEXTS 4096      /* texts kept per frame; more are counted, not kept */
#define RECORD_PANELS 32

typedef struct record_text {
    char text[RECORD_TEXT_MAX];
    SDL_Rect box;
    int pixels;          /* font size */
    text_font font;
    const char *panel;   /* the panel being drawn (static string) */
    bool clipped;        /* drawn partly outside the renderer's clip rectangle */
} record_text;

typedef struct record_panel {
    const char *name;
    layout_rect box;
} record_panel;

typedef struct render_record {
    const char *panel; /* the panel texts drawn now belong to */
    int text_count, texts_lost, panel_count;
    record_text texts[RECORD_TEXTS];
    record_panel panels[RECORD_PANELS];
} render_record;

/* ============================================================ context */

struct render_ctx {
    SDL_Renderer *renderer;
    text_ctx *text;
    float scale;
    /* One texture per heatmap, at the size it is drawn: the scaling happens
     * once per upload here, not in every frame's copy, which matters for
     * the software renderer (Xvfb, the dummy driver, screenshots). */
    SDL_Texture *textures[LAYOUT_PANEL_COUNT];
    int texture_w[LAYOUT_PANEL_COUNT], texture_h[LAYOUT_PANEL_COUNT];
    SDL_Texture *bar_textures[2]; /* 1 x BAR_LEVELS, per colormap */
    int image_side;               /* largest image accepted */
    /* What the heatmaps show. Every render_update_frame (_images) counts
     * one in frame_updates (image_updates): a texture painted from the
     * frame remembers the count it was painted at, so it knows it is out
     * of date even when the caller's serials repeat or frames came while it
     * was not drawn (the X view up). */
    const worker_frame *frame;
    const worker_images *images;
    unsigned frame_updates, image_updates;
    int kernel_h, kernel_w;
    bool has_images;
    int image_h[4], image_w[4];
    render_scale scales[LAYOUT_PANEL_COUNT];
    /* What each heatmap's texture was last filled from: the values, their
     * scale, and the texture's size. A texture is filled again only when
     * one of them changed: while training, the input, the target and the
     * true kernel stay as they were from one publication to the next, and
     * filling a panel at 1080p costs about a millisecond. */
    float *filled_values[LAYOUT_PANEL_COUNT]; /* image_side^2 or KERNEL_TEXTURE_SIDE^2 */
    int filled_h[LAYOUT_PANEL_COUNT], filled_w[LAYOUT_PANEL_COUNT]; /* of the values; 0: none */
    render_scale filled_scale[LAYOUT_PANEL_COUNT];
    long fills[LAYOUT_PANEL_COUNT]; /* textures filled so far (render_texture_fills) */
    /* The target last given a scale, and that scale: it changes with the
     * sample or the kernel, not with every publication of the images. */
    float *scaled_target; /* image_side^2 */
    int scaled_n;         /* values in it */
    bool target_scaled;   /* false: none yet */
    render_scale target_scale;
    float target_magnitude;
    Uint32 lut[2][LUT_SIZE]; /* diverging on [-1, 1], gray on [0, 1] */
    float *residual;         /* image_side^2: output - target of the current images */
    int column_x0[HEATMAP_MAX_SIDE], column_x1[HEATMAP_MAX_SIDE]; /* resampling, per column */
    float column_wx[HEATMAP_MAX_SIDE];
    render_record *record;   /* NULL unless recording the layout */
    layout layout;           /* the layout last drawn: the window's, refitted to the kernel */
    button_bar bar;          /* the buttons last drawn (render_buttons.c) */
    SDL_Texture *strip_texture; /* the strip's thumbnails, one above the other */
    unsigned strip_serial;      /* of the thumbnails in it; 0: none yet */
    samples_strip_hits strip_hits; /* where they were drawn last */
    /* The step box this frame (render_plan_step): its region, empty when
     * none; the panels there are not drawn, so nothing peeks out. */
    layout_rect step_area, step_box;
    int step_font;
    SDL_Texture *insight_textures[5]; /* the frequency view's four maps and the bowl */
    int insight_tex_w[5], insight_tex_h[5];
    unsigned insight_uploaded;    /* serial of the views' result in the spectra, 0: none */
    double insight_scale[4];      /* the spectra's and the photos' log ranges then */
    struct render_layer_state *layer_state; /* a layer's textures (render_layer.c), or NULL */
};

/* ==================================================== colour scales */

/* A scale's colours through the renderer's lookup table: a value v takes
 * entry (v * gain + offset) * (LUT_SIZE - 1), rounded and clamped to the
 * table (so values beyond the scale take its ends, as render_color_of
 * does), and NaN takes lf_colormap_nan()'s colour, so a diverged run is
 * flagged rather than drawn as the scale's low end. Every image drawn
 * through the table maps its values with render_scale_lut_map and
 * render_lut_color; render_color_of is the same mapping without the table. */
typedef struct render_lut_map {
    const Uint32 *lut;  /* the scale's colormap, LUT_SIZE entries (render_ctx's lut) */
    float gain, offset; /* value -> [0, 1] */
    Uint32 nan;         /* the colour of NaN, as the table's entries (0xFFRRGGBB) */
} render_lut_map;

render_lut_map render_scale_lut_map(const render_ctx *r, render_scale sc);

static inline Uint32 render_lut_color(const render_lut_map *m, float value)
{
    float t = value * m->gain + m->offset;
    if (t != t)
        return m->nan;
    int i = (int)(t * (LUT_SIZE - 1) + 0.5f);
    return m->lut[i < 0 ? 0 : i >= LUT_SIZE ? LUT_SIZE - 1 : i];
}

/* ============================================================ helpers */

int render_px(const render_ctx *r, int pixels); /* pixels at UI scale 1, scaled, >= 1 */
void render_fill(SDL_Renderer *renderer, layout_rect rect, SDL_Color c);
void render_outline(SDL_Renderer *renderer, layout_rect rect, SDL_Color c);
/* Lines between a kernel's cells (when they help) and an outline in the
 * given colour around its grid. */
void render_kernel_grid_frame(render_ctx *r, layout_rect grid, int kh, int kw, SDL_Color outline);
static inline SDL_Rect render_sdl_rect(layout_rect r) { return (SDL_Rect){r.x, r.y, r.w, r.h}; }

/* The value shown in kernel panel's cell i. */
float render_kernel_value(const lf_snapshot *s, int panel, int i);
/* Texture uploads (render.c), called by the panels when out of date. */
void render_upload_kernel(render_ctx *r, int panel, layout_rect grid);
void render_upload_image(render_ctx *r, int panel, layout_rect shown, const float *src, int h,
                         int w);

/* Draws the first of candidates[0..count) that fits max_w in font, at x
 * (per align) and y; returns its width, or 0 when none fits (then nothing
 * is drawn: text is left out rather than cut). */
int render_text_fitting(render_ctx *r, text_font font, int x, int y, int max_w,
                        const char *const *candidates, int count, SDL_Color color,
                        text_align align);

/* ============================================================ drawing */

/* The panels, status line, chart and footer, in drawing order. */
void render_draw_panels(render_ctx *r, const layout *L, const render_view *v);
void render_draw_status(render_ctx *r, layout_rect area, const render_view *v);
void render_draw_footer(render_ctx *r, layout_rect area, const render_view *v);
/* The presentation layout's caption ("Step 30,695 · error 0.99%") and plain
 * status line, in fixed decimals (render_present.c). */
void render_draw_present_status(render_ctx *r, layout_rect area, const render_view *v);
void render_draw_hover(render_ctx *r, const layout *L, const render_view *v);
void render_draw_help(render_ctx *r, const layout *L);
/* The hover over an image or the chart (render_hover.c): true when it drew
 * it; otherwise render_draw_hover's tooltip applies. */
bool render_hover_draw(render_ctx *r, const layout *L, const render_view *v);
/* The step just taken, explained, while paused (render_step.c): planned
 * before the panels, which leave its region to it, drawn after them. */
void render_plan_step(render_ctx *r, const layout *L, const render_view *v);
void render_draw_step(render_ctx *r, const layout *L, const render_view *v);
/* The statistics' progress over the dimmed run, and a large notice
 * (render_notice.c). */
void render_draw_progress(render_ctx *r, const layout *L, const render_view *v);
void render_draw_notice(render_ctx *r, const layout *L, const render_view *v);
void render_draw_toast(render_ctx *r, const layout *L, const render_view *v);
/* The button bar, and the hovered button's help line (render_buttons.c). */
void render_draw_buttons(render_ctx *r, const layout *L, const render_view *v);
void render_draw_button_tip(render_ctx *r, const layout *L, const render_view *v);
/* The rewind timeline under the chart (render_timeline.c); a panel row's
 * draw function, so its table can name it. */
struct panel_def;
void render_draw_timeline(render_ctx *r, const layout *L, const struct panel_def *p,
                          const render_view *v);
/* The strip of photos to pick the sample from (render_strip.c). */
void render_draw_strip(render_ctx *r, const layout *L, const render_view *v);
/* The kernel cell being edited and its value or field (render_edit.c). */
void render_draw_edit(render_ctx *r, const layout *L, const render_view *v);
layout_rect render_image_rect(layout_rect plot, int h, int w);
/* A race: the second run's kernel, curve and lead (render_race.c). */
void render_draw_race(render_ctx *r, const layout *L, const render_view *v);
void render_draw_race_chart(render_ctx *r, const layout *L, const render_view *v);
/* The frequency and bowl views (render_insight.c): the image row's area,
 * whose panels it takes out of L, and the view drawn there. */
layout_rect render_insight_take(layout *L);
void render_insight_draw(render_ctx *r, layout_rect area, const struct insight_view *v);

/* ============================================================ formats */

void render_format_tick(char *out, int size, double v, double spacing);
/* A number in plain decimals with three significant digits ("0.0182",
 * "0.01", "12.5"), e-notation only outside [1e-4, 1e6) ("3.2e−6"); an em
 * dash when not finite. */
void render_format_plain(char *out, int size, double v);
void render_typographic_minus(char *out, int size);

/* ========================================================== recording */

/* Names the panel the texts drawn next belong to, and records its box. */
void render_record_panel(render_ctx *r, const char *name, layout_rect box);
void render_record_begin(render_ctx *r);

#endif

/*
 * explore_draw.h: the explore mode on screen: a bar of buttons (every
 * action is a click as well as a key), then the view the state asks for:
 * the picture beside its results, the lens over a grid of numbers, or the
 * three 1-D plots.
 *
 * explore_layout_compute places everything for a window size and UI scale
 * and is pure arithmetic, so tests check that nothing overlaps and that a
 * click lands on the button it should; explore_draw_frame draws through an
 * SDL_Renderer like the training window (render.h), so the same code
 * serves the live window and screenshots.
 */
#ifndef LEARNFILTER_EXPLORE_DRAW_H
#define LEARNFILTER_EXPLORE_DRAW_H

#include <SDL.h>

#include "explore.h"
#include "layout.h"
#include "text.h"

#define EXPLORE_MAX_BUTTONS 16
#define EXPLORE_MAX_THUMBS 16
/* The picture view's columns: the input, the kernel, the results. */
#define EXPLORE_MAX_COLUMNS (2 + EXPLORE_MAX_RESULTS)

typedef struct explore_button {
    layout_rect rect;
    explore_action action;
    char label[48];
} explore_button;

typedef struct explore_thumb {
    layout_rect rect;
    int image; /* index into the state's images */
} explore_thumb;

typedef struct explore_layout {
    int width, height;
    float scale;
    layout_rect title;  /* one line: where we are and how to leave */
    explore_button buttons[EXPLORE_MAX_BUTTONS];
    int button_count;
    layout_rect body;   /* the view (above the thumbnails) */
    layout_rect footer; /* the settings in words, or the last refusal */
    explore_thumb thumbs[EXPLORE_MAX_THUMBS]; /* the images to pick from */
    int thumb_count;
    layout_rect columns[EXPLORE_MAX_COLUMNS]; /* picture view */
    int column_count;
    int kernel_column;       /* the kernel's column, or -1 */
    layout_rect kernel_grid; /* its cells, when shown as numbers (kernel_h > 0) */
    int kernel_h, kernel_w;
} explore_layout;

/* Places the title, the buttons of the state's view (labels showing the
 * current values) and the body for a width x height window. */
void explore_layout_compute(explore_layout *L, const explore_state *s, const text_ctx *t,
                            int width, int height);

/* The action of the button under (x, y), or -1; the image whose
 * thumbnail is there, or -1; the kernel cell (row-major) there, or -1. */
int explore_hit(const explore_layout *L, int x, int y);
int explore_hit_thumb(const explore_layout *L, int x, int y);
int explore_hit_kernel_cell(const explore_layout *L, int x, int y);

/* "auto", "signed", "|value|", "gray". */
const char *explore_display_name(explore_display display);

typedef struct explore_draw explore_draw;

/* Textures for the pictures; NULL with the reason in err. */
explore_draw *explore_draw_create(SDL_Renderer *renderer, lf_error *err);
void explore_draw_destroy(explore_draw *d);

/* Draws the whole explore screen (does not present). (mouse_x, mouse_y)
 * highlights the button under the pointer; pass -1 for none. */
void explore_draw_frame(explore_draw *d, text_ctx *t, const explore_state *s,
                        const explore_layout *L, int mouse_x, int mouse_y);

/* The key help over the screen: n lines of a key and what it does, then
 * how to leave. */
#define EXPLORE_HELP_MAX_LINES 24
void explore_draw_help(explore_draw *d, text_ctx *t, const explore_layout *L,
                       const char *const *keys, const char *const *helps, int n);

#endif

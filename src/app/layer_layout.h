/*
 * layer_layout.h: where a convolution layer goes in the window, as pure
 * rectangle arithmetic (no SDL, no fonts), so tests check it for any size.
 *
 * A layer of F filters over C channels (render_layer.c draws it) takes the
 * window's content area, between the status line and the photo strip:
 *
 *   Learned (R G B)   True (R G B)      Feature map · target        | Sample
 *   [ ][ ][ ]         [ ][ ][ ]         [      ]      [      ]    | [    ]
 *   filter 1 · sobel-x · error 3.2% · colours ±2                   | Loss chart
 *   ... one row per filter, up to APP_WINDOW_MAX_FILTERS ...       | timeline
 *
 * Every square of the table has one side, as large as both the height
 * (F rows, each with its caption line) and the width allow; when the
 * filters in two columns side by side get larger squares (a big UI scale
 * in a short window), they go in two. The right column (the colour sample
 * patch above the loss chart) gets the rest, and is left out when a narrow
 * window has no room for it beside a readable table.
 *
 * The "random filters" view (key X) takes the same area: a label line,
 * the photo on the left and the eight feature maps, two rows of four, each
 * with its filter as a small colour swatch.
 */
#ifndef LEARNFILTER_LAYER_LAYOUT_H
#define LEARNFILTER_LAYER_LAYOUT_H

#include "layout.h"
#include "setup.h"

#define LAYER_LAYOUT_MAX_FILTERS APP_WINDOW_MAX_FILTERS
#define LAYER_LAYOUT_MAX_CHANNELS 3 /* R, G, B; a layer has 1 or 3 (the dataset's) */
#define LAYER_X_FILTERS 8           /* the random filters of the X view */

typedef struct layer_layout {
    layout_rect area;       /* all of it */
    int filters, channels;  /* as drawn (clamped to the maxima above) */
    int side;               /* every square's side, pixels; 0: no room */
    int columns;            /* 1, or 2 when half the filters beside the others fit larger */
    layout_rect table;      /* all of the table: titles, rows, captions */
    layout_rect head[2][3]; /* per column: titles over learned, true, and map and target */
    layout_rect learned[LAYER_LAYOUT_MAX_FILTERS][LAYER_LAYOUT_MAX_CHANNELS];
    layout_rect truth[LAYER_LAYOUT_MAX_FILTERS][LAYER_LAYOUT_MAX_CHANNELS];
    layout_rect map[LAYER_LAYOUT_MAX_FILTERS];    /* the network's feature map */
    layout_rect target[LAYER_LAYOUT_MAX_FILTERS]; /* the true layer's */
    layout_rect caption[LAYER_LAYOUT_MAX_FILTERS]; /* under each filter's row */
    layout_rect input_title, input; /* the sample patch; empty when no room */
    layout_rect chart;      /* the loss chart goes here; empty when no room */
} layer_layout;

/* Fills LL for a layer of filters x channels in area at the UI scale. */
void layer_layout_compute(layer_layout *LL, layout_rect area, int filters, int channels,
                          float scale);

typedef struct layer_x_layout {
    layout_rect area;
    layout_rect title;      /* the label line */
    layout_rect photo_title, photo; /* photo: a square the photo is fitted into */
    layout_rect cell_title[LAYER_X_FILTERS]; /* "filter 1" */
    layout_rect swatch[LAYER_X_FILTERS];     /* the filter, 3x3 in colour */
    layout_rect map[LAYER_X_FILTERS];        /* a square its map is fitted into */
    layout_rect hint;       /* the keys, one line at the bottom */
} layer_x_layout;

void layer_x_layout_compute(layer_x_layout *X, layout_rect area, float scale);

/* The content area of a window layout: between the status line and the
 * photo strip (or the buttons, the footer, the bottom), full width. */
layout_rect layer_layout_content(const layout *L);

#endif

/*
 * layer_window.h: the window's part for layers and the random-filters view,
 * kept out of window.c.
 *
 * layer_window_refuse turns off, with the reason, what a layer cannot do
 * yet: the frequency and bowl views (F, W) explain one gray kernel, and the
 * window's race (C) starts its second run as one gray kernel. layer_window_result asks layer_view.h's thread for the roll
 * the user wants (X, and R while the view is up) and hands the newest
 * finished one to the renderer.
 */
#ifndef LEARNFILTER_LAYER_WINDOW_H
#define LEARNFILTER_LAYER_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "input.h"
#include "layer_view.h"
#include "worker.h"

typedef struct layer_window {
    layer_view *view;    /* started on the first X; NULL before, or when it cannot start */
    bool failed;         /* it could not start: the view says so */
    unsigned requested;  /* the roll asked for last */
    const cli_options *cli;
} layer_window;

/* Start with {.cli = options} (borrowed: it must outlive lw); deinit stops
 * the view's thread. */
void layer_window_deinit(layer_window *lw);

/* For the frame f shown (NULL: none yet). Returns true when it refused
 * something and wrote why into message. */
bool layer_window_refuse(ui_state *ui, const worker_frame *f, char *message, size_t size);

/* The roll to draw while ui->layer_x (NULL: still rolling); *changed is set
 * when a new one arrived. */
const layer_view_result *layer_window_result(layer_window *lw, const ui_state *ui, bool *changed);

#endif

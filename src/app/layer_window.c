/*
 * layer_window.c: the window's part for layers and the random-filters
 * view. See layer_window.h.
 */
#include "layer_window.h"

#include <stdio.h>

#include "setup.h"

void layer_window_deinit(layer_window *lw)
{
    layer_view_destroy(lw->view);
    lw->view = NULL;
}

bool layer_window_refuse(ui_state *ui, const worker_frame *f, char *message, size_t size)
{
    if (!f || !f->layer.active)
        return false;
    if (ui->insight != INSIGHT_OFF) {
        ui->insight = INSIGHT_OFF;
        snprintf(message, size, "%s", "F and W explain one gray kernel: they are off for a layer "
                                      "of several filters or channels");
        return true;
    }
    if (ui->race_start) {
        ui->race_start = false;
        snprintf(message, size, "%s", "C races one gray kernel: a layer of several filters or "
                                      "channels cannot race in the window yet");
        return true;
    }
    return false;
}

const layer_view_result *layer_window_result(layer_window *lw, const ui_state *ui, bool *changed)
{
    if (!ui->layer_x)
        return NULL;
    if (!lw->view && !lw->failed) {
        /* Started on the first X: most lessons never open it. */
        layer_view_options o = {.paths = (const char *const *)lw->cli->images,
                                .path_count = lw->cli->image_count,
                                .data_dir = app_data_dir(),
                                .seed = lw->cli->seed};
        lw->view = layer_view_create(&o);
        lw->failed = lw->view == NULL;
    }
    if (!lw->view)
        return NULL;
    if (ui->layer_x_roll != lw->requested) {
        lw->requested = ui->layer_x_roll;
        layer_view_request(lw->view, lw->requested);
    }
    bool fresh = false;
    const layer_view_result *r = layer_view_acquire(lw->view, &fresh);
    if (fresh && changed)
        *changed = true;
    return r;
}

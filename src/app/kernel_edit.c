/*
 * kernel_edit.c: setting a kernel cell's value with the mouse: the edit's
 * states, and the true kernel's change on the worker's side. See
 * kernel_edit.h.
 */
#include "kernel_edit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "worker.h"

layout_rect kernel_edit_grid(const layout *L, int panel, int kh, int kw)
{
    return render_kernel_grid(L->panels[panel].plot, kh, kw);
}

/* The drag's step: the kernel's scale (its largest |weight|, at least 0.1)
 * over KERNEL_EDIT_DRAG_PX, rounded down to 1, 2 or 5 times a power of ten,
 * so dragged values are round numbers. */
static float drag_step(const lf_kernel *k)
{
    double limit = 0.1;
    for (int i = 0; i < k->height * k->width; i++)
        limit = fmax(limit, fabs(k->weights[i]));
    double raw = limit / KERNEL_EDIT_DRAG_PX, p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (float)((m >= 5 ? 5 : m >= 2 ? 2 : 1) * p);
}

bool kernel_edit_press(kernel_edit *e, const layout *L, const lf_snapshot *s, int x, int y)
{
    *e = (kernel_edit){0};
    if (!L || !s)
        return false;
    const lf_kernel *k = &s->target;
    if (k->height < 1 || k->width < 1 || k->height > KERNEL_EDIT_MAX_SIDE ||
        k->width > KERNEL_EDIT_MAX_SIDE)
        return false;
    static const int editable[2] = {LAYOUT_LEARNED, LAYOUT_TRUE};
    for (int i = 0; i < 2; i++) {
        int row, col;
        layout_rect grid = kernel_edit_grid(L, editable[i], k->height, k->width);
        if (!layout_grid_cell(grid, k->height, k->width, x, y, &row, &col))
            continue;
        const lf_kernel *shown = editable[i] == LAYOUT_LEARNED ? &s->learned : &s->target;
        *e = (kernel_edit){.mode = KERNEL_EDIT_PRESSED, .panel = editable[i], .row = row,
                           .col = col, .kh = k->height, .kw = k->width, .press_y = y,
                           .per_pixel = drag_step(&s->target)};
        e->start_value = e->value = shown->weights[row * k->width + col];
        return true;
    }
    return false;
}

void kernel_edit_motion(kernel_edit *e, int y)
{
    if (e->mode != KERNEL_EDIT_PRESSED && e->mode != KERNEL_EDIT_DRAGGING)
        return;
    int up = e->press_y - y;
    if (e->mode == KERNEL_EDIT_PRESSED && abs(up) < KERNEL_EDIT_CLICK_PX)
        return;
    e->mode = KERNEL_EDIT_DRAGGING;
    /* From the start value on the step's grid, so the values stay round. */
    double steps = round(e->start_value / e->per_pixel) + up;
    e->value = (float)(steps * e->per_pixel);
}

static void set_request(const kernel_edit *e, float value, worker_req *out)
{
    out->path[0] = 0;
    out->kind = e->panel == LAYOUT_TRUE ? WORKER_REQ_SET_TRUE_WEIGHT : WORKER_REQ_SET_WEIGHT;
    out->value = e->row * e->kw + e->col;
    out->factor = value;
}

bool kernel_edit_release(kernel_edit *e, worker_req *out)
{
    if (e->mode == KERNEL_EDIT_PRESSED) {
        e->mode = KERNEL_EDIT_TYPING;
        e->text[0] = 0;
        return false;
    }
    if (e->mode != KERNEL_EDIT_DRAGGING)
        return false;
    e->mode = KERNEL_EDIT_NONE;
    if (e->value == e->start_value)
        return false;
    set_request(e, e->value, out);
    return true;
}

/* The character a key adds to a number, or 0. */
static char number_char(SDL_Keycode sym)
{
    if (sym >= SDLK_0 && sym <= SDLK_9)
        return (char)('0' + (sym - SDLK_0));
    if (sym >= SDLK_KP_1 && sym <= SDLK_KP_9)
        return (char)('1' + (sym - SDLK_KP_1));
    switch (sym) {
    case SDLK_KP_0: return '0';
    case SDLK_PERIOD: case SDLK_KP_PERIOD: case SDLK_COMMA: case SDLK_KP_COMMA: return '.';
    case SDLK_MINUS: case SDLK_KP_MINUS: return '-';
    case SDLK_e: return 'e';
    default: return 0;
    }
}

bool kernel_edit_key(kernel_edit *e, SDL_Keycode sym, worker_req *out)
{
    if (e->mode != KERNEL_EDIT_TYPING)
        return false;
    size_t n = strlen(e->text);
    if (sym == SDLK_ESCAPE) {
        e->mode = KERNEL_EDIT_NONE;
        return false;
    }
    if (sym == SDLK_BACKSPACE) {
        if (n > 0)
            e->text[n - 1] = 0;
        return false;
    }
    if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) {
        e->mode = KERNEL_EDIT_NONE;
        char *end = NULL;
        double v = strtod(e->text, &end);
        if (n == 0 || *end != 0 || !isfinite(v) || fabs(v) > 1e6)
            return false; /* not a number: nothing is set */
        set_request(e, (float)v, out);
        return true;
    }
    char c = number_char(sym);
    if (c && n + 1 < sizeof e->text) {
        e->text[n] = c;
        e->text[n + 1] = 0;
    }
    return false;
}

lf_status kernel_edit_apply_true(lf_trainer *t, int cell, double value, lf_error *err)
{
    const lf_trainer_options *o = lf_trainer_get_options(t);
    lf_kernel *k = malloc(sizeof *k); /* 16 KB: not on the worker's stack */
    if (!k)
        return lf_fail(err, LF_ERR_NOMEM, "out of memory for the custom kernel");
    *k = o->target;
    if (cell < 0 || cell >= k->height * k->width || !isfinite(value)) {
        free(k);
        return lf_fail(err, LF_ERR_ARGUMENT, "the true kernel has no cell %d, or %g is no value",
                       cell, value);
    }
    k->weights[cell] = (float)value;
    snprintf(k->name, sizeof k->name, "custom");
    /* A hand-made kernel has no defaults of its own: the settings in use
     * stay. */
    lf_train_settings settings = o->settings;
    lf_status st = lf_trainer_set_kernel(t, k, &settings, err);
    free(k);
    return st;
}

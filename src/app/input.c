/*
 * input.c: events to requests; what each key does, by the rows of the key
 * table (keymap.h). See input.h.
 */
#include "input.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "layout.h"

static bool request(worker_req *out, worker_req_kind kind, int value, double factor)
{
    /* Not a memset of the whole request: the path alone is 4 KB. */
    out->path[0] = 0;
    out->kind = kind;
    out->value = value;
    out->factor = factor;
    return true;
}

static void set_scale(ui_state *ui, float scale)
{
    if (scale != 0) {
        if (scale < LAYOUT_MIN_SCALE)
            scale = LAYOUT_MIN_SCALE;
        if (scale > LAYOUT_MAX_SCALE)
            scale = LAYOUT_MAX_SCALE;
    }
    ui->scale = scale;
    ui->layout_changed = true;
}

void input_to_drawable(const ui_state *ui, int x, int y, int *px, int *py)
{
    bool scaled = ui->window_w > 0 && ui->window_h > 0 && ui->draw_w > 0 && ui->draw_h > 0;
    *px = scaled ? (int)((long)x * ui->draw_w / ui->window_w) : x;
    *py = scaled ? (int)((long)y * ui->draw_h / ui->window_h) : y;
}

static bool handle_key(ui_state *ui, const SDL_KeyboardEvent *k, float current_scale,
                       worker_req *out)
{
    if (kernel_edit_typing(&ui->edit))
        return kernel_edit_key(&ui->edit, k->keysym.sym, out);
    int digit = 0;
    const keymap_entry *entry = keymap_find(k->keysym.sym, k->keysym.mod, &digit);
    if (!entry || (k->repeat && !entry->repeats))
        return false;
    if (entry->action == KEYMAP_REWIND_BACK || entry->action == KEYMAP_REWIND_FORWARD)
        digit = k->keysym.sym == SDLK_END         ? INPUT_REWIND_LATEST
                : (k->keysym.mod & KMOD_SHIFT) != 0 ? 1 /* the big jump */
                                                    : 0;
    return input_do_action(ui, entry->action, digit, current_scale, out);
}

/* The step under x on the timeline drawn last, as a rewind request. */
static bool timeline_request(const ui_state *ui, int x, worker_req *out)
{
    layout_rect t = ui->drawn->timeline;
    return request(out, WORKER_REQ_REWIND, 0,
                   rewind_timeline_step(t.x, t.w, ui->timeline_latest, x));
}

/* In the bowl view a click on a kernel cell picks that weight. */
static bool pick_cell(ui_state *ui, int x, int y)
{
    const lf_kernel *k = ui->shown ? &ui->shown->target : NULL;
    for (int panel = LAYOUT_LEARNED; k && ui->drawn && panel <= LAYOUT_TRUE; panel++) {
        int row, col;
        layout_rect grid = kernel_edit_grid(ui->drawn, panel, k->height, k->width);
        if (layout_grid_cell(grid, k->height, k->width, x, y, &row, &col)) {
            ui->insight_picked = true;
            ui->insight_pick = row * k->width + col;
        }
    }
    return false;
}

/* A left click or a tap on a button does what the button's key does. */
static bool handle_click(ui_state *ui, const SDL_MouseButtonEvent *b, float current_scale,
                         worker_req *out)
{
    if (b->button != SDL_BUTTON_LEFT || ui->show_help)
        return false;
    int x, y;
    input_to_drawable(ui, b->x, b->y, &x, &y);
    int i = ui->buttons ? buttons_hit(ui->buttons, x, y) : -1;
    /* A click anywhere closes an open field unset; on a cell it starts
     * another edit. */
    ui->edit.mode = KERNEL_EDIT_NONE;
    if (i >= 0)
        return input_do_action(ui, ui->buttons->items[i].action, 0, current_scale, out);
    int patch = ui->strip ? samples_strip_hit(ui->strip, x, y) : -1;
    if (patch >= 0)
        return request(out, WORKER_REQ_SAMPLE, patch, 0);
    if (ui->drawn && layout_contains(ui->drawn->timeline, x, y)) {
        ui->timeline_drag = true;
        return timeline_request(ui, x, out);
    }
    if (ui->insight == INSIGHT_BOWL)
        return pick_cell(ui, x, y);
    if (!ui->drawn || !ui->drawn->present) /* the presentation layout is not for editing */
        kernel_edit_press(&ui->edit, ui->drawn, ui->shown, x, y);
    return false;
}

bool input_do_action(ui_state *ui, keymap_action action, int digit, float current_scale,
                     worker_req *out)
{
    switch (action) {
    case KEYMAP_PAUSE: return request(out, WORKER_REQ_PAUSE_TOGGLE, 0, 0);
    case KEYMAP_STEP: return request(out, WORKER_REQ_STEP, 1, 0);
    case KEYMAP_STEP_TEN: return request(out, WORKER_REQ_STEP, INPUT_STEPS_WITH_SHIFT, 0);
    case KEYMAP_STEP_EPOCH: return request(out, WORKER_REQ_STEP, WORKER_STEP_EPOCH, 0);
    case KEYMAP_RESET:
        if (ui->layer_x) { /* R in the random-filters view rolls new ones */
            ui->layer_x_roll++;
            return false;
        }
        return request(out, WORKER_REQ_RESET, 0, 0);
    case KEYMAP_RESEED: return request(out, WORKER_REQ_RESEED, 0, 0);
    case KEYMAP_KERNEL_PREV: return request(out, WORKER_REQ_KERNEL_NEXT, -1, 0);
    case KEYMAP_KERNEL_NEXT: return request(out, WORKER_REQ_KERNEL_NEXT, +1, 0);
    case KEYMAP_KERNEL_DIGIT: return request(out, WORKER_REQ_KERNEL, digit, 0);
    case KEYMAP_LR_UP: return request(out, WORKER_REQ_LR_SCALE, 0, INPUT_LR_FACTOR);
    case KEYMAP_LR_DOWN: return request(out, WORKER_REQ_LR_SCALE, 0, 1.0 / INPUT_LR_FACTOR);
    case KEYMAP_OPTIMIZER: return request(out, WORKER_REQ_OPTIMIZER, 0, 0);
    case KEYMAP_FASTER: return request(out, WORKER_REQ_SPEED, +1, 0);
    case KEYMAP_SLOWER: return request(out, WORKER_REQ_SPEED, -1, 0);
    case KEYMAP_SAMPLE_NEXT: return request(out, WORKER_REQ_SAMPLE_NEXT, +1, 0);
    case KEYMAP_SAMPLE_PREV: return request(out, WORKER_REQ_SAMPLE_NEXT, -1, 0);
    case KEYMAP_REWIND_BACK:
        return request(out, WORKER_REQ_REWIND_MOVE, digit ? -REWIND_BIG_JUMP : -1, 0);
    case KEYMAP_REWIND_FORWARD:
        if (digit == INPUT_REWIND_LATEST)
            return request(out, WORKER_REQ_REWIND, 0, HUGE_VAL);
        return request(out, WORKER_REQ_REWIND_MOVE, digit ? REWIND_BIG_JUMP : 1, 0);
    case KEYMAP_SCALE_UP: set_scale(ui, current_scale * INPUT_SCALE_STEP); return false;
    case KEYMAP_SCALE_DOWN: set_scale(ui, current_scale / INPUT_SCALE_STEP); return false;
    case KEYMAP_SCALE_AUTO: set_scale(ui, 0); return false;
    case KEYMAP_FULLSCREEN:
        ui->fullscreen = !ui->fullscreen;
        ui->layout_changed = true;
        return false;
    case KEYMAP_RECORD: ui->record_toggle = true; return false;
    case KEYMAP_SCREENSHOT: ui->screenshot = true; return false;
    case KEYMAP_RACE: ui->race_start = true; return false;
    case KEYMAP_PRESENT:
        ui->present = !ui->present;
        ui->layout_changed = true;
        return false;
    case KEYMAP_REEL: ui->reel = true; return false;
    case KEYMAP_REEL_MP4: ui->reel_mp4 = true; return false;
    case KEYMAP_HELP: ui->show_help = !ui->show_help; return false;
    case KEYMAP_BACK:
        if (ui->show_help)
            ui->show_help = false;
        else if (ui->layer_x)
            ui->layer_x = false;
        else
            ui->quit = true;
        return false;
    case KEYMAP_QUIT: ui->quit = true; return false;
    case KEYMAP_FREQUENCY:
    case KEYMAP_BOWL: {
        insight_mode m = action == KEYMAP_FREQUENCY ? INSIGHT_FREQUENCY : INSIGHT_BOWL;
        ui->insight = ui->insight == m ? INSIGHT_OFF : m;
        return false;
    }
    case KEYMAP_RANDOM_FILTERS:
        ui->layer_x = true;
        ui->layer_x_roll++;
        return false;
    case KEYMAP_ACTION_COUNT: break;
    }
    return false;
}

bool input_handle_event(ui_state *ui, const SDL_Event *e, float current_scale, worker_req *out)
{
    switch (e->type) {
    case SDL_QUIT:
        ui->quit = true;
        return false;
    case SDL_KEYDOWN:
        return handle_key(ui, &e->key, current_scale, out);
    case SDL_MOUSEBUTTONDOWN:
        ui->mouse_inside = true;
        ui->mouse_x = e->button.x;
        ui->mouse_y = e->button.y;
        return handle_click(ui, &e->button, current_scale, out);
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT)
            ui->timeline_drag = false;
        return e->button.button == SDL_BUTTON_LEFT && kernel_edit_release(&ui->edit, out);
    case SDL_MOUSEMOTION: {
        ui->mouse_inside = true;
        ui->mouse_x = e->motion.x;
        ui->mouse_y = e->motion.y;
        int x, y;
        input_to_drawable(ui, e->motion.x, e->motion.y, &x, &y);
        if (ui->timeline_drag && ui->drawn)
            return timeline_request(ui, x, out); /* scrubbing follows the mouse */
        kernel_edit_motion(&ui->edit, y);
        return false;
    }
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_LEAVE)
            ui->mouse_inside = false;
        else if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            ui->layout_changed = true;
        return false;
    case SDL_DROPFILE: {
        if (!e->drop.file)
            return false;
        const size_t n = strlen(e->drop.file);
        if (n >= sizeof out->path) {
            /* A shortened path would name another file, or none: refuse it
             * and say why, quoting its end, which tells files apart. */
            snprintf(ui->refused, sizeof ui->refused,
                     "dropped path not loaded: it is %zu bytes long and the system opens "
                     "paths of at most %zu (...%s)",
                     n, sizeof out->path - 1, e->drop.file + n - 40);
            return false;
        }
        request(out, WORKER_REQ_LOAD, 0, 0);
        memcpy(out->path, e->drop.file, n + 1);
        return true;
    }
    default:
        return false;
    }
}

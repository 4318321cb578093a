/*
 * input.c: the key map. See input.h.
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

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

static bool handle_key(ui_state *ui, const SDL_KeyboardEvent *k, float current_scale,
                       worker_req *out)
{
    SDL_Keycode key = k->keysym.sym;
    Uint16 mod = k->keysym.mod;
    bool shift = (mod & KMOD_SHIFT) != 0, ctrl = (mod & (KMOD_CTRL | KMOD_GUI)) != 0;
    bool repeat = k->repeat != 0;

    if (ctrl) {
        /* UI scale, like a browser's zoom. */
        if (key == SDLK_PLUS || key == SDLK_EQUALS || key == SDLK_KP_PLUS)
            set_scale(ui, current_scale * INPUT_SCALE_STEP);
        else if (key == SDLK_MINUS || key == SDLK_KP_MINUS)
            set_scale(ui, current_scale / INPUT_SCALE_STEP);
        else if (key == SDLK_0 || key == SDLK_KP_0)
            set_scale(ui, 0);
        else if (key == SDLK_q)
            ui->quit = true;
        return false;
    }
    if (key >= SDLK_1 && key <= SDLK_9)
        return !repeat && request(out, WORKER_REQ_KERNEL, (int)(key - SDLK_1), 0);
    if (key >= SDLK_KP_1 && key <= SDLK_KP_9)
        return !repeat && request(out, WORKER_REQ_KERNEL, (int)(key - SDLK_KP_1), 0);
    switch (key) {
    case SDLK_ESCAPE:
        if (ui->show_help)
            ui->show_help = false;
        else
            ui->quit = true;
        return false;
    case SDLK_q:
        ui->quit = true;
        return false;
    case SDLK_h:
    case SDLK_F1:
        if (!repeat)
            ui->show_help = !ui->show_help;
        return false;
    case SDLK_F11:
        if (!repeat) {
            ui->fullscreen = !ui->fullscreen;
            ui->layout_changed = true;
        }
        return false;
    case SDLK_g:
        if (!repeat)
            ui->record_toggle = true;
        return false;
    case SDLK_p:
    case SDLK_F12:
        if (!repeat)
            ui->screenshot = true;
        return false;
    case SDLK_SPACE:
        return !repeat && request(out, WORKER_REQ_PAUSE_TOGGLE, 0, 0);
    case SDLK_n:
        /* Held down: steps on. Shift+N takes ten, to cross a dull stretch. */
        return request(out, WORKER_REQ_STEP, shift ? INPUT_STEPS_WITH_SHIFT : 1, 0);
    case SDLK_PERIOD:
        return request(out, WORKER_REQ_STEP, 1, 0);
    case SDLK_e:
        return request(out, WORKER_REQ_STEP, WORKER_STEP_EPOCH, 0);
    case SDLK_r:
        return !repeat && request(out, shift ? WORKER_REQ_RESEED : WORKER_REQ_RESET, 0, 0);
    case SDLK_LEFT:
    case SDLK_LEFTBRACKET:
        return request(out, WORKER_REQ_KERNEL_NEXT, -1, 0);
    case SDLK_RIGHT:
    case SDLK_RIGHTBRACKET:
        return request(out, WORKER_REQ_KERNEL_NEXT, +1, 0);
    case SDLK_UP:
        return request(out, WORKER_REQ_LR_SCALE, 0, INPUT_LR_FACTOR);
    case SDLK_DOWN:
        return request(out, WORKER_REQ_LR_SCALE, 0, 1.0 / INPUT_LR_FACTOR);
    case SDLK_o:
        return !repeat && request(out, WORKER_REQ_OPTIMIZER, 0, 0);
    case SDLK_PLUS:
    case SDLK_EQUALS: /* the + key without Shift on most layouts */
    case SDLK_KP_PLUS:
        return request(out, WORKER_REQ_SPEED, +1, 0);
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        return request(out, WORKER_REQ_SPEED, -1, 0);
    case SDLK_i:
        return request(out, WORKER_REQ_SAMPLE_NEXT, shift ? -1 : +1, 0);
    default:
        return false;
    }
}

bool input_handle_event(ui_state *ui, const SDL_Event *e, float current_scale, worker_req *out)
{
    switch (e->type) {
    case SDL_QUIT:
        ui->quit = true;
        return false;
    case SDL_KEYDOWN:
        return handle_key(ui, &e->key, current_scale, out);
    case SDL_MOUSEMOTION:
        ui->mouse_inside = true;
        ui->mouse_x = e->motion.x;
        ui->mouse_y = e->motion.y;
        return false;
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

/*
 * render_buttons.c: the button bar of the training window (buttons.h),
 * placed and drawn each frame for the layout drawn, and kept for the
 * window's clicks (render_buttons) and for --layout-out.
 */
#include "render_internal.h"

void render_draw_buttons(render_ctx *r, const layout *L, const render_view *v)
{
    buttons_state state = {.running = v->frame->state == WORKER_RUNNING,
                           .recording = v->recording};
    buttons_place(&r->bar, L->buttons, r->text, r->scale, &state);
    if (L->buttons.w < 1)
        return;
    render_record_panel(r, "buttons", L->buttons);
    buttons_draw(&r->bar, r->renderer, r->text, v->mouse_x, v->mouse_y,
                 v->mouse_inside && !v->show_help);
}

void render_draw_button_tip(render_ctx *r, const layout *L, const render_view *v)
{
    if (!v->mouse_inside || v->show_help || buttons_hit(&r->bar, v->mouse_x, v->mouse_y) < 0)
        return;
    render_record_panel(r, "tooltip", (layout_rect){0});
    buttons_draw_tooltip(&r->bar, r->renderer, r->text, L->width, v->mouse_x, v->mouse_y);
}

const button_bar *render_buttons(const render_ctx *r) { return &r->bar; }

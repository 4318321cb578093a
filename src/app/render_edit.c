/*
 * render_edit.c: the kernel cell being set with the mouse (kernel_edit.h):
 * the cell outlined, and under the kernel a box with the value the drag
 * has made or the field being typed into, saying how to finish.
 */
#include <stdio.h>

#include "render_internal.h"

static const SDL_Color edit_colour = {255, 210, 60, 255}, box_fill = {20, 22, 28, 245};

void render_draw_edit(render_ctx *r, const layout *L, const render_view *v)
{
    const kernel_edit *e = v->edit;
    if (!e || e->mode == KERNEL_EDIT_NONE || e->kh != r->kernel_h || e->kw != r->kernel_w)
        return;
    layout_rect grid = kernel_edit_grid(L, e->panel, e->kh, e->kw);
    if (grid.w < e->kw || grid.h < e->kh)
        return;
    int cw = grid.w / e->kw, ch = grid.h / e->kh;
    layout_rect cell = {grid.x + e->col * cw, grid.y + e->row * ch, cw, ch};
    for (int i = 0; i < render_px(r, 3); i++)
        render_outline(r->renderer, (layout_rect){cell.x - i, cell.y - i, cell.w + 2 * i,
                                                  cell.h + 2 * i},
                       edit_colour);
    if (e->mode == KERNEL_EDIT_PRESSED)
        return;
    char value[32], line[128];
    const char *which = e->panel == LAYOUT_TRUE ? "true" : "learned";
    if (e->mode == KERNEL_EDIT_DRAGGING) {
        render_format_plain(value, sizeof value, e->value);
        snprintf(line, sizeof line, "%s w[%d][%d] = %s \xc2\xb7 release to set", which, e->row,
                 e->col, value);
    } else {
        snprintf(line, sizeof line, "%s w[%d][%d] = %s| \xc2\xb7 Enter sets, Esc cancels",
                 which, e->row, e->col, e->text);
    }
    render_record_panel(r, "edit", (layout_rect){0});
    const text_font font = TEXT_STATUS; /* read from the back of a room */
    int pad = render_px(r, 5), h = text_line_height(r->text, font) + 2 * pad;
    int w = text_width(r->text, font, line) + 2 * pad;
    /* Under the kernel, over its caption, inside the window. */
    int x = grid.x, y = grid.y + grid.h + render_px(r, 4);
    if (x + w > L->width)
        x = L->width - w;
    if (x < 0)
        x = 0;
    if (y + h > L->height)
        y = grid.y - h - render_px(r, 4);
    layout_rect box = {x, y, w, h};
    render_fill(r->renderer, box, box_fill);
    render_outline(r->renderer, box, edit_colour);
    text_draw(r->text, font, x + pad, y + pad, line, render_color_text, TEXT_LEFT);
}

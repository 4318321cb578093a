/*
 * render_notice.c: the large notices (notice.h) and the progress of a
 * kernel's statistics.
 *
 * A notice is what changed the run, said in big letters in the middle of
 * the window for a few seconds: a class looking at the images must not
 * miss that the rate changed or that training restarted. While a kernel's
 * first epoch builds its statistics, the run under it is dimmed (its
 * numbers move slowly and mean little yet) and a bar says how far it is.
 */
#include <math.h>
#include <string.h>

#include "render_internal.h"

static const SDL_Color notice_color = {255, 214, 10, 255};

/* A box of text centred across the window at height y: the first line in
 * the notice font, the second (may be NULL) in the body font. */
static layout_rect centred_box(render_ctx *r, const layout *L, int y, const char *big,
                               const char *small, int extra_h)
{
    const int pad = render_px(r, 16);
    text_font font = TEXT_NOTICE;
    if (text_width(r->text, font, big) + 2 * pad > L->width)
        font = TEXT_STATUS; /* a narrow window: smaller, never cut */
    int w = text_width(r->text, font, big);
    int sw = small ? text_width(r->text, TEXT_BODY, small) : 0;
    w = (sw > w ? sw : w) + 2 * pad;
    w = w > L->width ? L->width : w;
    int h = text_line_height(r->text, font) + 2 * pad + extra_h +
            (small ? text_line_height(r->text, TEXT_BODY) + render_px(r, 6) : 0);
    return (layout_rect){(L->width - w) / 2, y, w, h};
}

void render_draw_progress(render_ctx *r, const layout *L, const render_view *v)
{
    SDL_Renderer *R = r->renderer;
    /* The run below, dimmed: everything between the status line and the
     * footer. */
    int top = L->status.y + L->status.h, bottom = L->footer.h > 0 ? L->footer.y : L->height;
    render_fill(R, (layout_rect){0, top, L->width, bottom - top}, (SDL_Color){10, 11, 14, 150});
    const char *small = "once per kernel: its first epoch is slow, then training speeds up";
    const int pad = render_px(r, 16), bar_h = render_px(r, 10);
    layout_rect box = centred_box(r, L, top + (bottom - top) / 3, v->progress, small,
                                  bar_h + render_px(r, 10));
    render_record_panel(r, "progress", box);
    render_fill(R, box, (SDL_Color){16, 18, 22, 245});
    render_outline(R, box, render_color_outline);
    text_font font = text_width(r->text, TEXT_NOTICE, v->progress) + 2 * pad > L->width
                         ? TEXT_STATUS
                         : TEXT_NOTICE;
    int y = box.y + pad;
    text_draw(r->text, font, box.x + box.w / 2, y, v->progress, render_color_text, TEXT_CENTER);
    y += text_line_height(r->text, font) + render_px(r, 6);
    if (text_width(r->text, TEXT_BODY, small) <= box.w - 2 * pad) {
        text_draw(r->text, TEXT_BODY, box.x + box.w / 2, y, small, render_color_dim, TEXT_CENTER);
        y += text_line_height(r->text, TEXT_BODY) + render_px(r, 10);
    }
    /* The bar: built of total. */
    const lf_snapshot *s = &v->frame->snap;
    layout_rect bar = {box.x + pad, y, box.w - 2 * pad, bar_h};
    render_outline(R, bar, render_color_dim);
    if (s->stats_total > 0) {
        int w = (int)((long)(bar.w - 2) * s->stats_built / s->stats_total);
        render_fill(R, (layout_rect){bar.x + 1, bar.y + 1, w, bar.h - 2}, render_color_running);
    }
}

void render_draw_notice(render_ctx *r, const layout *L, const render_view *v)
{
    SDL_Renderer *R = r->renderer;
    float a = fminf(fmaxf(v->notice_alpha, 0), 1);
    int top = L->status.y + L->status.h;
    layout_rect box = centred_box(r, L, top + render_px(r, 12), v->notice, NULL, 0);
    render_record_panel(r, "notice", box);
    render_fill(R, box, (SDL_Color){16, 18, 22, (Uint8)(245 * a)});
    SDL_Color edge = notice_color;
    edge.a = (Uint8)(255 * a);
    render_outline(R, box, edge);
    render_outline(R, (layout_rect){box.x + 1, box.y + 1, box.w - 2, box.h - 2}, edge);
    text_font font = text_width(r->text, TEXT_NOTICE, v->notice) + 2 * render_px(r, 16) > L->width
                         ? TEXT_STATUS
                         : TEXT_NOTICE;
    SDL_Color ink = notice_color;
    ink.a = (Uint8)(255 * a);
    text_draw(r->text, font, box.x + box.w / 2, box.y + render_px(r, 16), v->notice, ink,
              TEXT_CENTER);
}

/*
 * target_view.c: the window's view of an operation as the target. See
 * target_view.h.
 */
#include "target_view.h"

#include <math.h>

#include "layout.h"

bool target_view_active(const lf_snapshot *s) { return s->learning_operation && s->best.values > 0; }

const char *target_view_title(const lf_snapshot *s, int panel, const char *title)
{
    if (!target_view_active(s))
        return title;
    switch (panel) {
    case LAYOUT_TRUE: return "Best linear filter";
    case LAYOUT_DIFF: return "Learned \xe2\x88\x92 best";
    case LAYOUT_TARGET: return "Target (the operation)";
    default: return title;
    }
}

double target_view_floor(const lf_snapshot *s)
{
    /* An operation's best filter, or with input noise the kernel's. */
    return s->best.values > 0 && s->best.loss > 0 ? s->best.loss : NAN;
}

void target_view_draw_floor(SDL_Renderer *R, text_ctx *text, const chart_style *st, SDL_Rect plot,
                            int log_lo, int log_hi, const lf_snapshot *s)
{
    double floor = target_view_floor(s);
    if (!(floor > 0) || log_hi <= log_lo)
        return;
    double level = log10(floor);
    if (level < log_lo || level > log_hi)
        return;
    int y = plot.y + plot.h - 1 - (int)((level - log_lo) / (log_hi - log_lo) * (plot.h - 1));
    int dash = (int)(6 * st->scale + 0.5f), gap = (int)(4 * st->scale + 0.5f);
    if (dash < 2)
        dash = 2;
    if (gap < 1)
        gap = 1;
    /* The floor in the text colour, dashed, so it reads as a bound and not
     * as a third curve. */
    SDL_SetRenderDrawColor(R, st->text.r, st->text.g, st->text.b, 200);
    for (int x = plot.x; x < plot.x + plot.w; x += dash + gap) {
        int end = x + dash < plot.x + plot.w ? x + dash : plot.x + plot.w - 1;
        SDL_RenderDrawLine(R, x, y, end, y);
        if (st->scale >= 1.25f)
            SDL_RenderDrawLine(R, x, y + 1, end, y + 1);
    }
    int small = text_line_height(text, TEXT_SMALL);
    /* Above the line, unless that leaves the plot. */
    int ty = y - small - 2 >= plot.y ? y - small - 2 : y + 3;
    text_draw(text, TEXT_SMALL, plot.x + plot.w - (int)(8 * st->scale), ty, "best possible",
              st->text, TEXT_RIGHT);
}

/*
 * render_present.c: the head of the presentation layout: the caption in
 * the large notice font ("Step 30,695 · error 0.99%", present.h) with the
 * state's colour as a bar beside it, and under it one status line of plain
 * words: the kernel, the optimizer, the learning rate, the loss and what
 * the run is doing. Items that do not fit are left out, least needed
 * first, never cut; numbers have fixed decimals (present.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "present.h"
#include "render_internal.h"

#define PRESENT_ITEMS 6
#define PRESENT_ITEM_SIZE 96

/* What the run is doing, in words. */
static void state_words(char *out, int size, const worker_frame *f)
{
    switch (f->state) {
    case WORKER_RUNNING: snprintf(out, (size_t)size, "training"); break;
    case WORKER_PAUSED: snprintf(out, (size_t)size, "paused"); break;
    case WORKER_CONVERGED:
        snprintf(out, (size_t)size, "learned: error below %g%%", 100.0 * f->tolerance);
        break;
    case WORKER_DIVERGED: snprintf(out, (size_t)size, "diverged: the rate is too high"); break;
    default: snprintf(out, (size_t)size, "loading"); break;
    }
}

void render_draw_present_status(render_ctx *r, layout_rect area, const render_view *v)
{
    const worker_frame *f = v->frame;
    const lf_snapshot *s = &f->snap;
    const lf_figures *fig = &s->figures;
    int caption_h = text_line_height(r->text, TEXT_NOTICE);
    int line_h = text_line_height(r->text, TEXT_STATUS);
    if (caption_h > area.h)
        return;
    /* The caption, with a bar in the state's colour before it. */
    int bar_w = render_px(r, 8);
    render_fill(r->renderer, (layout_rect){area.x, area.y + render_px(r, 4), bar_w, caption_h - render_px(r, 6)},
                render_state_color(f->state));
    char caption[128], shorter[64], count[32];
    present_caption(caption, sizeof caption, fig->step, fig->rel_err);
    count_format(count, sizeof count, fig->step);
    snprintf(shorter, sizeof shorter, "Step %s", count);
    const char *captions[2] = {caption, shorter};
    int x = area.x + bar_w + render_px(r, 10);
    render_text_fitting(r, TEXT_NOTICE, x, area.y, area.x + area.w - x, captions, 2,
                        render_color_text, TEXT_LEFT);
    int y = area.y + caption_h + render_px(r, 4);
    if (y + line_h > area.y + area.h)
        return;

    /* The status line, in order of need: the first ones stay. */
    char items[PRESENT_ITEMS][PRESENT_ITEM_SIZE], a[48];
    int n = 0;
    state_words(items[n++], PRESENT_ITEM_SIZE, f);
    snprintf(items[n++], PRESENT_ITEM_SIZE, "%.40s %dx%d", s->target.name, s->target.height,
             s->target.width);
    present_fixed(a, sizeof a, s->settings.learning_rate,
                  present_rate_decimals(s->settings.learning_rate));
    if (s->settings.optimizer == LF_OPTIMIZER_SGD)
        snprintf(items[n++], PRESENT_ITEM_SIZE, "SGD, learning rate %s", a);
    else
        snprintf(items[n++], PRESENT_ITEM_SIZE, "Adam, learning rate %s", a);
    present_fixed(a, sizeof a, fig->train_loss, PRESENT_LOSS_DECIMALS);
    snprintf(items[n++], PRESENT_ITEM_SIZE, "loss %s", a);
    count_format(a, sizeof a, fig->epoch);
    snprintf(items[n++], PRESENT_ITEM_SIZE, "epoch %s", a);
    if (f->steps_per_second > 0) {
        count_format(a, sizeof a, lround(f->steps_per_second));
        snprintf(items[n++], PRESENT_ITEM_SIZE, "%s steps/s", a);
    }
    const char *separator = "  \xc2\xb7  ";
    int sep_w = text_width(r->text, TEXT_STATUS, separator);
    x = area.x;
    int right = area.x + area.w;
    for (int i = 0; i < n; i++) {
        int w = text_width(r->text, TEXT_STATUS, items[i]);
        int need = (x > area.x ? sep_w : 0) + w;
        if (x + need > right)
            continue; /* left out, not cut; a shorter later item may still fit */
        if (x > area.x)
            x += text_draw(r->text, TEXT_STATUS, x, y, separator, render_color_dim, TEXT_LEFT);
        x += text_draw(r->text, TEXT_STATUS, x, y, items[i], render_color_text, TEXT_LEFT);
    }
}

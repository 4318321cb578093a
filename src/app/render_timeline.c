/*
 * render_timeline.c: the rewind timeline under the loss chart.
 *
 * One line of text says where the view is ("Rewound to step 1,200 of
 * 3,400") or what the timeline holds; under it a track runs linearly from
 * step 0 to the run's latest point, with a tick at every stored state (the
 * points J, L and a click can go to), a brighter one at the latest point,
 * and a marker where the view is. While a past point is shown, the part
 * after it is shaded: training on from there drops it. Clicks map x to a
 * step with the same arithmetic (rewind_timeline_step), so what is drawn
 * under the mouse is where a click goes.
 */
#include <stdio.h>

#include "render_internal.h"

void render_draw_timeline(render_ctx *r, const layout *L, const struct panel_def *p,
                          const render_view *v)
{
    (void)p;
    layout_rect box = L->timeline;
    const rewind_view *rw = &v->frame->rewind;
    int line = text_line_height(r->text, TEXT_SMALL);
    int gap = render_px(r, 2);
    layout_rect track = {box.x, box.y + line + gap, box.w, box.h - line - gap};
    if (track.h < 4 || track.w < 8)
        return;

    char at[32], latest[32], text[3][128];
    count_format(at, sizeof at, rw->view_step);
    count_format(latest, sizeof latest, rw->latest_step);
    const char *candidates[4];
    int n = 0;
    if (rw->scrubbing) {
        snprintf(text[0], sizeof text[0],
                 "Rewound to step %s of %s \xc2\xb7 Space branches here \xc2\xb7 End: latest", at,
                 latest);
        snprintf(text[1], sizeof text[1], "Step %s of %s \xc2\xb7 End: latest", at, latest);
        snprintf(text[2], sizeof text[2], "Step %s of %s", at, latest);
    } else if (rw->count == 0 && v->frame->layer.active) {
        /* A layer's states cannot be saved yet: say so, not "0 states". */
        snprintf(text[0], sizeof text[0], "Rewind is off: a layer's training state cannot be saved yet");
        snprintf(text[1], sizeof text[1], "Rewind is off for a layer");
        snprintf(text[2], sizeof text[2], "Rewind off");
    } else {
        snprintf(text[0], sizeof text[0],
                 "Rewind: %d saved state%s \xc2\xb7 J back, L forward, or click", rw->count,
                 rw->count == 1 ? "" : "s");
        snprintf(text[1], sizeof text[1], "Rewind: %d saved states", rw->count);
        snprintf(text[2], sizeof text[2], "%d states", rw->count);
    }
    for (int i = 0; i < 3; i++)
        candidates[n++] = text[i];
    render_text_fitting(r, TEXT_SMALL, box.x, box.y, box.w, candidates, n,
                        rw->scrubbing ? render_color_rewind : render_color_dim, TEXT_LEFT);

    render_fill(r->renderer, track, render_color_panel);
    int mark_w = render_px(r, 1);
    int view_x = rewind_timeline_x(track.x, track.w, rw->latest_step, rw->view_step);
    if (rw->scrubbing) {
        /* What a branch from here would drop. */
        SDL_SetRenderDrawBlendMode(r->renderer, SDL_BLENDMODE_BLEND);
        SDL_Color shade = render_color_rewind;
        shade.a = 40;
        render_fill(r->renderer, (layout_rect){view_x, track.y, track.x + track.w - view_x, track.h},
                    shade);
    }
    int tick_h = track.h / 2 > 1 ? track.h / 2 : 1;
    int count = rw->count < LF_REWIND_SLOTS ? rw->count : LF_REWIND_SLOTS;
    for (int i = 0; i < count; i++) {
        int x = rewind_timeline_x(track.x, track.w, rw->latest_step, rw->steps[i]);
        render_fill(r->renderer,
                    (layout_rect){x, track.y + (track.h - tick_h) / 2, mark_w, tick_h},
                    render_color_dim);
    }
    int end_x = rewind_timeline_x(track.x, track.w, rw->latest_step, rw->latest_step);
    render_fill(r->renderer, (layout_rect){end_x - mark_w, track.y, 2 * mark_w, track.h},
                render_color_text);
    /* The view: a marker as tall as the track, in the colour the chart's
     * marker has; at the latest point while training is live. */
    int marker_w = render_px(r, 3);
    int mx = view_x - marker_w / 2;
    mx = mx < track.x ? track.x : mx + marker_w > track.x + track.w ? track.x + track.w - marker_w : mx;
    render_fill(r->renderer, (layout_rect){mx, track.y, marker_w, track.h},
                rw->scrubbing ? render_color_rewind : render_color_running);
    render_outline(r->renderer, track, render_color_outline);
}

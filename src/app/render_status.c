/*
 * render_status.c: the status line across the top and the footer across
 * the bottom.
 *
 * The status line is what a screenshot or a student at the back needs:
 * kernel, optimizer, rate, batch, seed, epoch and step, losses, the kernel
 * error, the speed and the state badge, in plain numbers ("lr 0.01",
 * "loss 0.0182", "step 30,695"). Its items flow over the lines the layout
 * gave it; when they do not fit, the least important ones are left out
 * rather than cut.
 *
 * The footer shows the key table's short hints (keymap.h), as many as fit
 * in table order, and on its right the dataset line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "learnfilter/optimizer.h"
#include "render_internal.h"

#define STATUS_ITEMS 12
#define STATUS_ITEM_SIZE 96

/* ============================================================ status */

SDL_Color render_state_color(worker_state st)
{
    switch (st) {
    case WORKER_RUNNING: return render_color_running;
    case WORKER_PAUSED: return render_color_paused;
    case WORKER_CONVERGED: return render_color_converged;
    case WORKER_DIVERGED: return render_color_diverged;
    default: return render_color_dim;
    }
}

typedef struct status_items {
    char text[STATUS_ITEMS][STATUS_ITEM_SIZE];
    int priority[STATUS_ITEMS]; /* 1 always shown ... 5 first left out */
    int count;
    int results_from;           /* the first item of the results: a line break before it */
} status_items;

/* The next item's buffer (STATUS_ITEM_SIZE bytes); past the capacity, a
 * scratch buffer that is not shown. */
static char *next_item(status_items *it, int priority)
{
    static char scratch[STATUS_ITEM_SIZE];
    if (it->count >= STATUS_ITEMS)
        return scratch;
    it->priority[it->count] = priority;
    return it->text[it->count++];
}

#define ITEM(it, priority, ...) snprintf(next_item(it, priority), STATUS_ITEM_SIZE, __VA_ARGS__)

static void status_fill(status_items *it, const render_view *v)
{
    const worker_frame *f = v->frame;
    const lf_snapshot *s = &f->snap;
    const lf_figures *fig = &s->figures;
    const lf_train_settings *set = &s->settings;
    char a[32], b[32];
    it->count = 0;
    ITEM(it, 1, "%.60s %dx%d", s->target.name, s->target.height, s->target.width);
    if (set->optimizer == LF_OPTIMIZER_SGD)
        ITEM(it, 2, "SGD (momentum %.2g%s)", (double)set->momentum,
             set->nesterov ? ", Nesterov" : "");
    else
        ITEM(it, 2, "Adam");
    render_format_plain(a, sizeof a, set->learning_rate);
    ITEM(it, 1, "lr %s", a);
    snprintf(a, sizeof a, "%d", set->batch_size);
    ITEM(it, 3, "batch %s", a);
    snprintf(a, sizeof a, "%llu", (unsigned long long)s->seed);
    ITEM(it, 4, "seed %s", a);
    count_format(a, sizeof a, fig->epoch);
    ITEM(it, 2, "epoch %s (%d/%d)", a, fig->step_in_epoch, fig->steps_per_epoch);
    count_format(a, sizeof a, fig->step);
    ITEM(it, 1, "step %s", a);
    it->results_from = it->count;
    render_format_plain(a, sizeof a, fig->train_loss);
    render_format_plain(b, sizeof b, fig->val_loss);
    ITEM(it, 1, "loss: train %s  val %s", a, b);
    if (isfinite(fig->rel_err)) {
        render_format_plain(a, sizeof a, 100.0 * fig->rel_err);
        ITEM(it, 1, "kernel error %s%%", a);
    } else {
        ITEM(it, 1, "kernel error \xe2\x80\x94");
    }
    count_format(a, sizeof a, lround(f->steps_per_second));
    ITEM(it, 3, "%s steps/s", a);
    if (v->fps >= 0) {
        ITEM(it, 5, "%.0f fps", v->fps);
    }
    char speed[96];
    if (f->state == WORKER_CONVERGED && !f->trains_past_tolerance)
        snprintf(speed, sizeof speed, "stopped at %g%%: Space trains on", 100.0 * f->tolerance);
    else
        pace_words(speed, sizeof speed, f->speed, f->expected_steps,
                   f->state == WORKER_RUNNING || f->state == WORKER_CONVERGED
                       ? f->steps_per_second
                       : 0);
    ITEM(it, 2, "%s", speed);
}

/* Flows the shown items into lines of width room: line_of[i] for each, -1
 * when left out. Returns the number of lines. */
static int status_flow(const int *widths, const bool *shown, int count, int sep_w, int room,
                       int break_at, int *line_of)
{
    int lines = 0, x = 0;
    bool first = true;
    for (int i = 0; i < count; i++) {
        line_of[i] = -1;
        if (!shown[i])
            continue;
        if (first || i == break_at || x + sep_w + widths[i] > room) {
            lines++;
            x = widths[i];
        } else {
            x += sep_w + widths[i];
        }
        first = false;
        line_of[i] = lines - 1;
    }
    return lines;
}

void render_draw_status(render_ctx *r, layout_rect area, const render_view *v)
{
    const worker_frame *f = v->frame;
    /* The state badge, right-aligned: the first thing a screenshot says. */
    char badge[32];
    const char *name = worker_state_name(f->state);
    int n = 0;
    for (; name[n] && n < 30; n++)
        badge[n] = (char)(name[n] >= 'a' && name[n] <= 'z' ? name[n] - 32 : name[n]);
    badge[n] = 0;
    int bw = text_width(r->text, TEXT_TITLE, badge) + render_px(r, 20);
    int bh = text_line_height(r->text, TEXT_TITLE) + render_px(r, 8);
    if (bw <= area.w && bh <= area.h) {
        layout_rect b = {area.x + area.w - bw, area.y + (area.h - bh) / 2, bw, bh};
        render_fill(r->renderer, b, render_state_color(f->state));
        text_draw(r->text, TEXT_TITLE, b.x + bw / 2, b.y + render_px(r, 4), badge,
                  (SDL_Color){20, 22, 26, 255}, TEXT_CENTER);
    }

    status_items items;
    status_fill(&items, v);
    const text_font font = TEXT_STATUS;
    int line = text_line_height(r->text, font), lead = render_px(r, 2);
    int room = area.w - bw - render_px(r, 12);
    int max_lines = (area.h + lead) / (line + lead);
    if (max_lines < 1 || room < 1)
        return;
    const char *separator = " \xc2\xb7 ";
    int sep_w = text_width(r->text, font, separator);
    int widths[STATUS_ITEMS], line_of[STATUS_ITEMS];
    bool shown[STATUS_ITEMS];
    for (int i = 0; i < items.count; i++) {
        widths[i] = text_width(r->text, font, items.text[i]);
        shown[i] = widths[i] <= room;
    }
    /* Settings on one line and results on the next when that fits; else a
     * plain flow; else leave out the least important items until it fits. */
    int lines = status_flow(widths, shown, items.count, sep_w, room, items.results_from, line_of);
    for (int drop = 5; lines > max_lines; drop--) {
        lines = status_flow(widths, shown, items.count, sep_w, room, -1, line_of);
        if (lines <= max_lines || drop < 1)
            break;
        for (int i = items.count - 1; i >= 0 && lines > max_lines; i--)
            if (shown[i] && items.priority[i] == drop) {
                shown[i] = false;
                lines = status_flow(widths, shown, items.count, sep_w, room, -1, line_of);
            }
    }
    lines = lines < max_lines ? lines : max_lines;
    int y0 = area.y + (area.h - lines * line - (lines - 1) * lead) / 2;
    int x = area.x, previous_line = -1;
    for (int i = 0; i < items.count; i++) {
        if (line_of[i] < 0 || line_of[i] >= max_lines)
            continue;
        int y = y0 + line_of[i] * (line + lead);
        if (line_of[i] == previous_line)
            x += text_draw(r->text, font, x, y, separator, render_color_dim, TEXT_LEFT);
        else
            x = area.x;
        x += text_draw(r->text, font, x, y, items.text[i], render_color_text, TEXT_LEFT);
        previous_line = line_of[i];
    }
}

/* ============================================================ footer */

void render_draw_footer(render_ctx *r, layout_rect area, const render_view *v)
{
    const lf_snapshot *s = &v->frame->snap;
    const text_font font = TEXT_SMALL;
    int y = area.y + (area.h - text_line_height(r->text, font)) / 2;
    if (y < area.y)
        return;
    const int gap = render_px(r, 24);
    char data[160], data_short[96];
    snprintf(data, sizeof data, "%d photos \xc2\xb7 %d patches (%d train, %d validation) \xc2\xb7 "
             "showing patch %d",
             v->frame->file_count, s->patch_count, s->train_count, s->validation_count,
             s->sample_patch + 1);
    snprintf(data_short, sizeof data_short, "%d patches \xc2\xb7 patch %d", s->patch_count,
             s->sample_patch + 1);
    const char *datas[2] = {data, data_short};
    int data_w = 0;
    for (int i = 0; i < 2 && !data_w; i++)
        if (text_width(r->text, font, datas[i]) <= area.w) {
            data_w = text_draw(r->text, font, area.x + area.w, y, datas[i], render_color_dim,
                               TEXT_RIGHT);
        }
    /* The hints, in table order, while they fit left of the data. */
    int count, x = area.x, limit = area.x + area.w - (data_w ? data_w + gap : 0);
    const keymap_entry *keys = keymap_entries(&count);
    const char *separator = " \xc2\xb7 ";
    int sep_w = text_width(r->text, font, separator);
    for (int i = 0; i < count; i++) {
        if (!keys[i].footer)
            continue;
        int w = text_width(r->text, font, keys[i].footer);
        int need = (x > area.x ? sep_w : 0) + w;
        if (x + need > limit)
            break;
        if (x > area.x)
            x += text_draw(r->text, font, x, y, separator, render_color_dim, TEXT_LEFT);
        x += text_draw(r->text, font, x, y, keys[i].footer, render_color_dim, TEXT_LEFT);
    }
}

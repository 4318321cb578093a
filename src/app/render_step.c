/*
 * render_step.c: the step just taken, explained, while training is paused.
 *
 * Stepping with N, Shift+N or E, a class should see why the weights moved:
 * each learned cell gets its gradient g (above the value) and the change
 * Δ = new w − old w (below it), and a box beside the kernels gives the
 * model and the loss with the step's numbers, the optimizer's update rule
 * with its constants, and the rule worked out for one weight (the one that
 * moved most) so the numbers can be followed by hand. Everything comes from
 * the snapshot's lf_step_detail, which the trainer fills only from what
 * the step computed; nothing is recomputed here. Kernels up to 7x7.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "render_internal.h"

#define MINUS "\xe2\x88\x92"
#define ARROW "\xe2\x86\x90"
#define DELTA "\xce\x94"
#define PARTIAL "\xe2\x88\x82"
#define STAR "\xe2\x8b\x86"
#define BETA "\xce\xb2"
#define MU "\xce\xbc"
#define EPS "\xce\xb5"
#define ROOT "\xe2\x88\x9a"
#define DOT "\xc2\xb7"
#define SQUARED "\xc2\xb2"

#define STEP_LINES 12
#define STEP_LINE_MAX 160

static const SDL_Color step_color = {120, 220, 160, 255};

/* ========================================================== numbers */

/* v with `decimals` decimals and a true minus sign; no "−0.000". */
static void fixed(char *out, int size, double v, int decimals)
{
    if (!isfinite(v)) {
        snprintf(out, (size_t)size, "%s", isnan(v) ? "NaN" : "inf");
        return;
    }
    if (fabs(v) < 0.5 * pow(10.0, -decimals))
        v = 0;
    snprintf(out, (size_t)size, "%.*f", decimals, v);
    render_typographic_minus(out, size);
}

/* The decimals that show v to `digits` significant digits, within [0, 8]. */
static int decimals_for(double v, int digits)
{
    if (!(fabs(v) > 0) || !isfinite(v))
        return digits;
    int d = digits - 1 - (int)floor(log10(fabs(v)));
    return d < 0 ? 0 : d > 8 ? 8 : d;
}

/* Three significant digits, e-notation below 1e-4 ("3.2e−6"). */
static void sig3(char *out, int size, double v)
{
    if (v != 0 && fabs(v) < 1e-4 && isfinite(v)) {
        snprintf(out, (size_t)size, "%.2e", v);
        render_typographic_minus(out, size);
        /* and the exponent's minus */
        char *e = strstr(out, "e-");
        if (e && (int)strlen(out) + 3 < size) {
            memmove(e + 4, e + 2, strlen(e + 2) + 1);
            memcpy(e + 1, MINUS, 3);
        }
        return;
    }
    fixed(out, size, v, decimals_for(v, 3));
}

/* A negative factor in brackets, as in 0.9·(−0.2). */
static void bracket_negative(char *e, size_t size)
{
    size_t n = strlen(e);
    if (strncmp(e, MINUS, 3) != 0 || n + 3 > size)
        return;
    memmove(e + 1, e, n);
    e[0] = '(';
    e[n + 1] = ')';
    e[n + 2] = 0;
}

/* =========================================================== shown? */

/* A step to explain: training paused (by the user or at the tolerance),
 * the snapshot describing the step it stands at, and a kernel up to 7x7. */
static const lf_step_detail *explained_step(const render_view *v)
{
    const worker_frame *f = v->frame;
    const lf_step_detail *d = &f->snap.last_step;
    if (v->race)
        return NULL; /* a race compares two runs: its place shows the second */
    bool paused = f->state == WORKER_PAUSED ||
                  (f->state == WORKER_CONVERGED && !(f->steps_per_second > 0));
    if (!paused || d->step <= 0 || d->step != f->snap.figures.step || d->taps < 1 ||
        d->taps != f->snap.learned.height * f->snap.learned.width ||
        f->snap.learned.height > CELL_TEXT_MAX_SIDE || f->snap.learned.width > CELL_TEXT_MAX_SIDE)
        return NULL;
    return d;
}

/* ============================================================ cells */

/* g above and Δ below each learned value, in the small font, when they fit
 * the cells beside the value. */
static void draw_cells(render_ctx *r, const layout *L, const lf_step_detail *d, int kh, int kw)
{
    const layout_panel *p = &L->panels[LAYOUT_LEARNED];
    if (p->plot.w < 8)
        return;
    layout_rect grid = render_kernel_grid(p->plot, kh, kw);
    int cell = grid.w / kw;
    int line = text_line_height(r->text, TEXT_SMALL);
    /* The value takes the middle of the cell (at most its value font's
     * line); g and Δ each need a line above and below it. */
    int value_line = L->value_px + L->value_px / 4;
    /* Small cells (7x7 at 720p) print their value smaller (at
     * LAYOUT_VALUE_SMALL_SHARE) and g and Δ in the smallest value font,
     * without the names the box gives them. */
    text_font font = TEXT_SMALL;
    bool named = true;
    if (cell < 2 * line + value_line + 4 || text_width(r->text, TEXT_SMALL, "g â" "0.000") >
                                                cell - LAYOUT_CELL_MARGIN) {
        font = TEXT_VALUE_10;
        named = false;
        line = text_line_height(r->text, font);
        value_line = (int)(L->value_px * LAYOUT_VALUE_SMALL_SHARE) + 2;
        if (cell < 2 * line + value_line + 2)
            return;
    }
    double gmax = 0, dmax = 0;
    for (int i = 0; i < d->taps; i++) {
        gmax = fmax(gmax, fabs(d->grad[i]));
        dmax = fmax(dmax, fabs((double)d->after[i] - d->before[i]));
    }
    int gdec = decimals_for(gmax, 2), ddec = decimals_for(dmax, 2);
    static char g_text[LF_STEP_DETAIL_MAX_TAPS][32], d_text[LF_STEP_DETAIL_MAX_TAPS][32];
    for (int i = 0; i < d->taps; i++) {
        char a[24], b[24];
        fixed(a, sizeof a, d->grad[i], gdec);
        fixed(b, sizeof b, (double)d->after[i] - d->before[i], ddec);
        snprintf(g_text[i], sizeof g_text[i], "%s%s", named ? "g " : "", a);
        snprintf(d_text[i], sizeof d_text[i], "%s%s", named ? DELTA " " : "", b);
        if (text_width(r->text, font, g_text[i]) > cell - LAYOUT_CELL_MARGIN ||
            text_width(r->text, font, d_text[i]) > cell - LAYOUT_CELL_MARGIN)
            return; /* left out rather than cut */
    }
    render_record_panel(r, "step_cells", grid);
    render_scale sc = r->scales[LAYOUT_LEARNED];
    for (int y = 0; y < kh; y++)
        for (int x = 0; x < kw; x++) {
            int i = y * kw + x;
            SDL_Color bg = render_color_of(sc, d->after[i]);
            float luminance = 0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b;
            SDL_Color ink = luminance < 140 ? (SDL_Color){255, 255, 255, 255}
                                            : (SDL_Color){20, 22, 26, 255};
            int cx = grid.x + x * cell + cell / 2, top = grid.y + y * cell;
            text_draw(r->text, font, cx, top + 1, g_text[i], ink, TEXT_CENTER);
            text_draw(r->text, font, cx, top + cell - line - 1, d_text[i], ink, TEXT_CENTER);
        }
}

/* ============================================================== box */

typedef struct step_text {
    char title[STEP_LINE_MAX];
    char lines[STEP_LINES][STEP_LINE_MAX];
    bool accent[STEP_LINES]; /* the worked example */
    int count;
} step_text;

__attribute__((format(printf, 3, 4))) static void add_line(step_text *t, bool accent,
                                                           const char *format, ...)
{
    if (t->count >= STEP_LINES)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(t->lines[t->count], STEP_LINE_MAX, format, args);
    va_end(args);
    t->accent[t->count++] = accent;
}

static void make_text(step_text *t, const lf_snapshot *s, const lf_step_detail *d)
{
    const lf_train_settings *st = &s->settings;
    const int taps = d->taps, kw = s->learned.width;
    char a[32], b[32], c[32], e[32], f[32];
    t->count = 0;
    char step[32];
    count_format(step, sizeof step, d->step);
    snprintf(t->title, sizeof t->title, "Step %s, explained", step);
    sig3(a, sizeof a, d->after[taps]);
    add_line(t, false, "output = input " STAR " w + b     (b = %s)", a);
    sig3(a, sizeof a, d->loss);
    add_line(t, false, "loss = mean((output " MINUS " target)" SQUARED ") = %s  on %d patch%s", a,
             d->batch, d->batch == 1 ? "" : "es");
    add_line(t, false, "g = " PARTIAL "loss/" PARTIAL "w (top of each learned cell)");
    add_line(t, false, DELTA " = new w " MINUS " old w (bottom of each cell)");

    /* The weight that moved most, worked out by the rule. */
    int k = 0;
    for (int i = 1; i < taps; i++)
        if (fabs((double)d->after[i] - d->before[i]) > fabs((double)d->after[k] - d->before[k]))
            k = i;
    double delta = (double)d->after[k] - d->before[k];
    int dec = decimals_for(delta, 2);
    dec = dec < decimals_for(d->before[k], 4) ? decimals_for(d->before[k], 4) : dec;
    fixed(a, sizeof a, d->before[k], dec);
    fixed(f, sizeof f, d->after[k], dec);
    render_format_plain(b, sizeof b, st->learning_rate); /* as the status line says it */
    sig3(c, sizeof c, d->grad[k]);
    char name[32];
    snprintf(name, sizeof name, "w[%d][%d]", k / kw, k % kw);
    if (st->optimizer == LF_OPTIMIZER_ADAM) {
        add_line(t, false, "m " ARROW " " BETA "1" DOT "m + (1 " MINUS " " BETA "1)" DOT "g");
        add_line(t, false, "v " ARROW " " BETA "2" DOT "v + (1 " MINUS " " BETA "2)" DOT "g" SQUARED);
        add_line(t, false, "w " ARROW " w " MINUS " lr" DOT "M / (" ROOT "V + " EPS ")");
        add_line(t, false, "M = m/(1 " MINUS " " BETA "1^t),  V = v/(1 " MINUS " " BETA "2^t)");
        add_line(t, false, "lr %s,  " BETA "1 %g,  " BETA "2 %g,  " EPS " %g,  t = %ld", b,
                 (double)st->beta1, (double)st->beta2, (double)st->epsilon, d->optimizer_step);
        double mh = d->first[k] / (1 - pow(st->beta1, (double)d->optimizer_step));
        double vh = d->second[k] / (1 - pow(st->beta2, (double)d->optimizer_step));
        sig3(c, sizeof c, mh);
        bracket_negative(c, sizeof c);
        sig3(e, sizeof e, vh);
        add_line(t, true, "%s: %s " MINUS " %s" DOT "%s / (" ROOT "%s + " EPS ") = %s", name, a, b,
                 c, e, f);
    } else if (st->momentum > 0) {
        sig3(e, sizeof e, d->first[k]);
        bracket_negative(e, sizeof e);
        char mu[16];
        snprintf(mu, sizeof mu, "%g", (double)st->momentum);
        if (st->nesterov) {
            add_line(t, false, "v " ARROW " " MU DOT "v + g,   w " ARROW " w " MINUS " lr" DOT
                     "(g + " MU DOT "v)   (Nesterov)");
            add_line(t, false, "lr %s,  " MU " %s", b, mu);
            add_line(t, true, "%s: %s " MINUS " %s" DOT "(%s + %s" DOT "%s) = %s", name, a, b, c,
                     mu, e, f);
        } else {
            add_line(t, false, "v " ARROW " " MU DOT "v + g,   w " ARROW " w " MINUS " lr" DOT "v");
            add_line(t, false, "lr %s,  " MU " %s", b, mu);
            add_line(t, true, "%s: %s " MINUS " %s" DOT "%s = %s", name, a, b, e, f);
        }
    } else {
        add_line(t, false, "w " ARROW " w " MINUS " lr" DOT "g   (lr %s)", b);
        add_line(t, true, "%s: %s " MINUS " %s" DOT "%s = %s", name, a, b, c, f);
    }
    sig3(a, sizeof a, d->grad[taps]);
    sig3(b, sizeof b, (double)d->after[taps] - d->before[taps]);
    add_line(t, false, "bias: g %s,  " DELTA " %s", a, b);
}

/* Lays out (and with draw, draws) the box at box's corner. */
static void step_box(render_ctx *r, text_font font, const step_text *t, layout_rect *box,
                     bool draw)
{
    const int pad = render_px(r, 8);
    const int line = text_line_height(r->text, font) + render_px(r, 3);
    const int title_line = text_line_height(r->text, TEXT_TITLE) + render_px(r, 6);
    int w = text_width(r->text, TEXT_TITLE, t->title);
    for (int i = 0; i < t->count; i++) {
        int lw = text_width(r->text, font, t->lines[i]);
        w = lw > w ? lw : w;
    }
    box->w = w + 2 * pad;
    box->h = 2 * pad + title_line + t->count * line;
    if (!draw)
        return;
    render_fill(r->renderer, *box, (SDL_Color){16, 18, 22, 245});
    render_outline(r->renderer, *box, step_color);
    int x = box->x + pad, y = box->y + pad;
    text_draw(r->text, TEXT_TITLE, x, y, t->title, step_color, TEXT_LEFT);
    y += title_line;
    for (int i = 0; i < t->count; i++, y += line)
        text_draw(r->text, font, x, y, t->lines[i], t->accent[i] ? step_color : render_color_text,
                  TEXT_LEFT);
}

/* Where the box may go: in place of the learned − true panel and the chart
 * beside it (what a paused step needs least), or the chart alone. */
static layout_rect step_region(const layout *L)
{
    layout_rect diff = L->panels[LAYOUT_DIFF].plot.w >= 8 ? L->panels[LAYOUT_DIFF].frame
                                                          : (layout_rect){0};
    layout_rect chart = L->chart;
    if (diff.w > 0 && chart.w > 0 && chart.x > diff.x && chart.y < diff.y + diff.h &&
        diff.y < chart.y + chart.h) {
        int top = diff.y < chart.y ? diff.y : chart.y;
        int bottom = diff.y + diff.h > chart.y + chart.h ? diff.y + diff.h : chart.y + chart.h;
        /* The rewind timeline under the chart stays: it shows where a
         * rewound step is. */
        if (L->timeline.w > 0 && L->timeline.y > top && bottom > L->timeline.y - L->gap / 2)
            bottom = L->timeline.y - L->gap / 2;
        return (layout_rect){diff.x, top, chart.x + chart.w - diff.x, bottom - top};
    }
    return diff.w > 0 ? diff : chart;
}

static const text_font step_fonts[] = {TEXT_STATUS, TEXT_BODY, TEXT_SMALL};
static step_text step_lines; /* 2 KB of strings: the main thread's only */

void render_plan_step(render_ctx *r, const layout *L, const render_view *v)
{
    r->step_area = r->step_box = (layout_rect){0};
    const lf_step_detail *d = explained_step(v);
    if (!d)
        return;
    make_text(&step_lines, &v->frame->snap, d);
    layout_rect region = step_region(L);
    for (int i = 0; i < (int)(sizeof step_fonts / sizeof step_fonts[0]); i++) {
        layout_rect box = {region.x, region.y, 0, 0};
        step_box(r, step_fonts[i], &step_lines, &box, false);
        if (box.w > region.w || box.h > region.h)
            continue;
        r->step_area = region;
        r->step_box = box;
        r->step_font = i;
        return;
    }
}

void render_draw_step(render_ctx *r, const layout *L, const render_view *v)
{
    const lf_step_detail *d = explained_step(v);
    if (!d)
        return;
    const lf_snapshot *s = &v->frame->snap;
    draw_cells(r, L, d, s->learned.height, s->learned.width);
    if (r->step_area.w < 1)
        return; /* no font fits the region: the cells alone */
    render_record_panel(r, "step", r->step_box);
    step_box(r, step_fonts[r->step_font], &step_lines, &r->step_box, true);
}

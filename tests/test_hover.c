/*
 * test_hover.c: the hover read-out says what the network computed.
 *
 * A real trainer takes a few steps and its snapshot (the images and the
 * weights that made them) is the data. The arithmetic for a pixel must add
 * up to the output the trainer's own convolution made there, for every
 * padding and kernel size; the window, drawn into a surface with the mouse
 * over an image, must print that output, mark the same pixel in all four
 * images, and put its box where it covers none of them; over the chart it
 * must read out the step and loss of the nearest point.
 */
#include "test_util.h"

#include <SDL.h>

#include "chart.h"
#include "hover_math.h"
#include "layout.h"
#include "learnfilter/image.h"
#include "render.h"
#include "render_internal.h"
#include "setup.h"

#define PATCH 64

typedef struct fixture {
    lf_dataset ds;
    lf_trainer *trainer;
    worker_frame frame;
    worker_images images;
} fixture;

/* A noise texture: every input value differs, so a wrong window position
 * or weight gives a different sum. */
static void make_dataset(lf_dataset *ds)
{
    lf_image img;
    assert_int_equal(lf_image_init(&img, PATCH * 4, PATCH * 3, NULL), LF_OK);
    lf_rng rng;
    lf_rng_seed(&rng, 7);
    tu_fill_uniform(img.pixels, (size_t)img.width * img.height, &rng, 0.0f, 1.0f);
    lf_dataset_options o = {.patch_size = PATCH, .validation_fraction = 0.25f, .seed = 3};
    lf_error err;
    if (lf_dataset_from_images(ds, &img, 1, &o, &err) != LF_OK)
        fail_msg("%s", err.message);
    lf_image_deinit(&img);
}

static void start(fixture *f, const char *kernel, lf_padding padding, int steps)
{
    make_dataset(&f->ds);
    lf_trainer_options o = {.padding = padding, .seed = 1};
    assert_int_equal(lf_kernel_from_name(&o.target, kernel, 1, NULL), LF_OK);
    lf_error err;
    f->trainer = lf_trainer_create(&o, &f->ds, &err);
    if (!f->trainer)
        fail_msg("%s", err.message);
    for (int i = 0; i < steps; i++)
        assert_int_equal(lf_trainer_step(f->trainer, &err), LF_OK);
    assert_int_equal(lf_snapshot_init(&f->images.snap, PATCH, NULL), LF_OK);
    lf_trainer_snapshot(f->trainer, &f->images.snap, true);
    lf_trainer_snapshot(f->trainer, &f->frame.snap, false);
    f->frame.state = WORKER_PAUSED;
    assert_true(f->images.snap.has_images);
}

static void stop(fixture *f)
{
    lf_snapshot_deinit(&f->images.snap);
    lf_trainer_destroy(f->trainer);
    lf_dataset_deinit(&f->ds);
}

/* The sum plus the bias is the output the trainer made, at every pixel of
 * the border and a spread inside; the products are input times weight. */
static void check_every_pixel(const lf_snapshot *s)
{
    double scale = 0;
    for (int i = 0; i < s->out_height * s->out_width; i++)
        scale = fmax(scale, fabs(s->output[i]));
    for (int y = 0; y < s->out_height; y++)
        for (int x = 0; x < s->out_width; x++) {
            hover_math m;
            assert_true(hover_math_compute(s, x, y, &m));
            tu_assert_near(m.computed, s->output[y * s->out_width + x], 1e-5 * (scale + 1));
            assert_true(m.output == s->output[y * s->out_width + x]);
            tu_assert_near(m.residual, s->output[y * s->out_width + x] -
                                           s->expected[y * s->out_width + x], 1e-6);
            if (!m.has_terms)
                continue;
            double sum = 0;
            for (int k = 0; k < m.kh * m.kw; k++) {
                int iy = m.in_y0 + k / m.kw, ix = m.in_x0 + k % m.kw;
                bool inside = iy >= 0 && ix >= 0 && iy < s->in_height && ix < s->in_width;
                assert_int_equal(m.inside[k], inside);
                float in = inside ? s->input[iy * s->in_width + ix] : 0;
                assert_true(m.input[k] == in);
                assert_true(m.weight[k] == s->learned.weights[k]);
                tu_assert_near(m.product[k], (double)in * s->learned.weights[k], 1e-6);
                sum += m.product[k];
            }
            tu_assert_near(sum, m.sum, 1e-5);
        }
    hover_math m;
    assert_false(hover_math_compute(s, s->out_width, 0, &m));
    assert_false(hover_math_compute(s, 0, -1, &m));
}

static void test_sum_is_the_output_same(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "sobel-x", LF_PADDING_SAME, 5);
    check_every_pixel(&f.images.snap);
    stop(&f);
}

static void test_sum_is_the_output_valid_7x7(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "box7", LF_PADDING_VALID, 5);
    assert_int_equal(f.images.snap.out_width, PATCH - 6);
    check_every_pixel(&f.images.snap);
    /* The input pixel at a window's centre stands for that output pixel. */
    int ox, oy;
    assert_true(hover_output_pixel(&f.images.snap, 0, 10, 20, &ox, &oy));
    assert_int_equal(ox, 7);
    assert_int_equal(oy, 17);
    assert_true(hover_output_pixel(&f.images.snap, 2, 10, 20, &ox, &oy));
    assert_int_equal(ox, 10);
    assert_int_equal(oy, 20);
    stop(&f);
}

static void test_large_kernel_sum_only(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "gaussian", LF_PADDING_SAME, 2);
    hover_math m;
    assert_true(hover_math_compute(&f.images.snap, 30, 31, &m));
    assert_false(m.has_terms);
    assert_int_equal(m.kh, 13);
    tu_assert_near(m.computed, f.images.snap.output[31 * PATCH + 30], 1e-5);
    stop(&f);
}

/* ============================================================ drawing */

typedef struct screen {
    SDL_Surface *surface;
    SDL_Renderer *renderer;
    render_ctx *view;
    layout L;
} screen;

static void screen_open(screen *sc, int w, int h)
{
    sc->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    sc->renderer = SDL_CreateSoftwareRenderer(sc->surface);
    lf_error err;
    sc->view = render_create(sc->renderer, app_assets_dir(), layout_auto_scale(w, h), PATCH, &err);
    if (!sc->view)
        fail_msg("render_create: %s", err.message);
    assert_true(render_record_layout(sc->view, true));
    layout_compute(&sc->L, w, h, layout_auto_scale(w, h));
}

static void screen_close(screen *sc)
{
    render_destroy(sc->view);
    SDL_DestroyRenderer(sc->renderer);
    SDL_FreeSurface(sc->surface);
}

static void draw_with_mouse(screen *sc, fixture *f, int x, int y)
{
    render_update_frame(sc->view, &f->frame);
    render_update_images(sc->view, &f->images);
    render_view v = {.frame = &f->frame, .images = &f->images, .fps = 60, .mouse_inside = true,
                     .mouse_x = x, .mouse_y = y};
    render_draw(sc->view, &sc->L, &v);
    SDL_RenderFlush(sc->renderer);
}

static const record_panel *recorded_panel(const screen *sc, const char *name)
{
    const render_record *rec = sc->view->record;
    for (int i = 0; i < rec->panel_count; i++)
        if (!strcmp(rec->panels[i].name, name))
            return &rec->panels[i];
    return NULL;
}

static bool panel_has_text(const screen *sc, const char *panel, const char *text)
{
    render_text_box t;
    for (int i = 0; render_recorded_text(sc->view, i, &t); i++)
        if (!strcmp(t.panel, panel) && strstr(t.text, text))
            return true;
    return false;
}

static bool intersects(layout_rect a, layout_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static SDL_Color pixel(const screen *sc, int x, int y)
{
    Uint32 v = ((const Uint32 *)((const Uint8 *)sc->surface->pixels + y * sc->surface->pitch))[x];
    SDL_Color c = {0, 0, 0, 255};
    SDL_GetRGB(v, sc->surface->format, &c.r, &c.g, &c.b);
    return c;
}

static double max_abs_weights(const lf_snapshot *s)
{
    double m = 0;
    for (int i = 0; i < s->learned.height * s->learned.width; i++)
        m = fmax(m, fabs(s->learned.weights[i]));
    return m;
}

/* The screen position of image pixel (x, y) of a panel, at its centre. */
static void screen_point(const screen *sc, int panel, int x, int y, int *sx, int *sy)
{
    const layout *L = render_layout(sc->view)->width > 0 ? render_layout(sc->view) : &sc->L;
    layout_rect shown = render_image_rect(L->panels[panel].plot, PATCH, PATCH);
    *sx = shown.x + (int)((x + 0.5) * shown.w / PATCH);
    *sy = shown.y + (int)((y + 0.5) * shown.h / PATCH);
}

/* Hovering over each image at each size: the box names the pixel, prints
 * the output the trainer made there, and covers no image; the same pixel
 * is marked in the other images. */
static void test_box_prints_the_output_and_covers_no_image(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "sobel-x", LF_PADDING_SAME, 8);
    const int sizes[][2] = {{1280, 720}, {1920, 1080}, {800, 600}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        screen sc;
        screen_open(&sc, sizes[s][0], sizes[s][1]);
        for (int panel = LAYOUT_INPUT; panel <= LAYOUT_RESIDUAL; panel++) {
            const int px = 40, py = 21;
            int mx, my;
            screen_point(&sc, panel, px, py, &mx, &my);
            draw_with_mouse(&sc, &f, mx, my);
            const record_panel *box = recorded_panel(&sc, "hover");
            if (!box)
                fail_msg("no hover box at %dx%d over panel %d", sizes[s][0], sizes[s][1], panel);
            const layout *L = render_layout(&sc.view[0]);
            for (int p = LAYOUT_INPUT; p <= LAYOUT_RESIDUAL; p++)
                if (L->panels[p].plot.w >= 8 && intersects(box->box, L->panels[p].frame))
                    fail_msg("the box covers image panel %d at %dx%d", p, sizes[s][0],
                             sizes[s][1]);
            /* The output pixel: the same for the output-sized images; for the
             * input, the one whose window is centred there (same padding:
             * the same). */
            hover_math m;
            assert_true(hover_math_compute(&f.images.snap, px, py, &m));
            char want[64], value[32];
            snprintf(want, sizeof want, "Pixel (%d, %d)", px, py);
            assert_true(panel_has_text(&sc, "hover", want));
            double limit = fmax(fmax(fabs(m.computed), fabs(m.target)), fabs(m.sum));
            for (int k = 0; k < 9; k++)
                limit = fmax(limit, fabs(m.product[k]));
            render_format_value(value, sizeof value, f.images.snap.output[py * PATCH + px],
                                limit / 10);
            snprintf(want, sizeof want, "= output %s", value);
            if (!panel_has_text(&sc, "hover", want))
                fail_msg("no '%s' in the box", want);
            render_format_value(value, sizeof value, f.images.snap.learned.weights[4],
                                max_abs_weights(&f.images.snap));
            assert_true(panel_has_text(&sc, "hover", value)); /* the centre weight */
            /* The mark: the mark's colour just outside the pixel in every
             * other image. */
            for (int p = LAYOUT_OUTPUT; p <= LAYOUT_RESIDUAL; p++) {
                int cx, cy;
                screen_point(&sc, p, px, py, &cx, &cy);
                int half = render_px(sc.view, 7) / 2;
                bool found = false;
                for (int d = half - 1; d <= half + 3 && !found; d++) {
                    SDL_Color c = pixel(&sc, cx - d, cy);
                    found = c.r > 240 && c.g > 200 && c.g < 230 && c.b < 40;
                }
                if (!found)
                    fail_msg("no mark around the pixel in panel %d", p);
            }
        }
        screen_close(&sc);
    }
    stop(&f);
}

/* Over the chart, the nearest point's step and loss, in a box that does
 * not cover the point. */
static void test_chart_reads_out_the_nearest_point(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "sobel-x", LF_PADDING_SAME, 1);
    /* A curve of known points: step 10^(i/10), loss 1 / step. */
    lf_history *h = &f.frame.snap.steps;
    lf_history_clear(h);
    for (int i = 0; i <= 40; i++) {
        long step = (long)round(pow(10, i / 10.0));
        if (h->count && h->points[h->count - 1].step >= step)
            continue;
        h->points[h->count++] = (lf_history_point){step, 0, 1.0f / (float)step, NAN, 0};
    }
    lf_history_clear(&f.frame.snap.epochs);
    screen sc;
    screen_open(&sc, 1280, 720);
    const layout *L = &sc.L;
    chart_style style = {.scale = L->scale};
    chart_axes axes;
    assert_true(chart_axes_for(render_text(sc.view), &style, L->chart, &f.frame.snap, &axes));
    assert_true(axes.has_curve);
    /* The mouse right over step 1,000's point. */
    int x = axes.plot.x + (int)lround(chart_step_position(1000, axes.x_end) * (axes.plot.w - 1));
    int y = axes.plot.y + axes.plot.h / 2;
    draw_with_mouse(&sc, &f, x, y);
    const record_panel *box = recorded_panel(&sc, "chart_readout");
    assert_non_null(box);
    assert_true(panel_has_text(&sc, "chart_readout", "step 1,000: training loss 0.001"));
    /* The point itself stays in view. */
    double level = log10(0.001);
    int py = axes.plot.y + axes.plot.h - 1 -
             (int)((level - axes.log_lo) / (axes.log_hi - axes.log_lo) * (axes.plot.h - 1));
    assert_false(layout_contains(box->box, x, py));
    /* Off the chart: no read-out. */
    draw_with_mouse(&sc, &f, L->chart.x - 5, L->status.y + 2);
    assert_null(recorded_panel(&sc, "chart_readout"));
    screen_close(&sc);
    stop(&f);
}

/* Paused after steps, the explained step's worked example ends at the
 * weight the trainer holds, each cell's change is after − before, and the
 * box leaves the learned weights in view; running, nothing is explained. */
static void test_step_explained(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "sobel-x", LF_PADDING_SAME, 3);
    const lf_step_detail *d = &f.frame.snap.last_step;
    assert_int_equal(d->step, 3);
    screen sc;
    screen_open(&sc, 1280, 720);
    draw_with_mouse(&sc, &f, 0, 0);
    const record_panel *box = recorded_panel(&sc, "step");
    assert_non_null(box);
    assert_true(panel_has_text(&sc, "step", "Step 3, explained"));
    const layout *L = render_layout(sc.view);
    assert_false(intersects(box->box, L->panels[LAYOUT_LEARNED].frame));
    /* The example: "w[r][c]: before − lr·(...) = after". */
    render_text_box t;
    bool found = false;
    for (int i = 0; render_recorded_text(sc.view, i, &t); i++) {
        if (strcmp(t.panel, "step") || strncmp(t.text, "w[", 2))
            continue;
        int row, col;
        assert_int_equal(sscanf(t.text, "w[%d][%d]", &row, &col), 2);
        const char *eq = strrchr(t.text, '=');
        assert_non_null(eq);
        const char *num = eq + 2;
        double sign = 1;
        if (!strncmp(num, "\xe2\x88\x92", 3)) {
            sign = -1;
            num += 3;
        }
        double shown = sign * atof(num);
        int k = row * 3 + col;
        tu_assert_near(shown, d->after[k], 1e-4 * fabs(d->after[k]) + 1e-6);
        /* It is the weight that moved most. */
        for (int i2 = 0; i2 < 9; i2++)
            assert_true(fabs(d->after[i2] - d->before[i2]) <= fabs(d->after[k] - d->before[k]));
        found = true;
    }
    assert_true(found);
    /* Each cell's change, as printed, is after − before. */
    int cells = 0;
    for (int i = 0; render_recorded_text(sc.view, i, &t); i++) {
        if (strcmp(t.panel, "step_cells") || strncmp(t.text, "\xce\x94 ", 3))
            continue;
        const char *num = t.text + 3;
        double sign = 1;
        if (!strncmp(num, "\xe2\x88\x92", 3)) {
            sign = -1;
            num += 3;
        }
        double shown = sign * atof(num);
        const layout_rect grid = render_kernel_grid(L->panels[LAYOUT_LEARNED].plot, 3, 3);
        int c = (t.x + t.w / 2 - grid.x) / (grid.w / 3), r = (t.y - grid.y) / (grid.w / 3);
        int k = r * 3 + c;
        double want = (double)d->after[k] - d->before[k];
        /* Within half a unit of the last decimal printed. */
        const char *point = strchr(num, '.');
        int decimals = point ? (int)strlen(point + 1) : 0;
        tu_assert_near(shown, want, 0.5 * pow(10, -decimals) + 1e-7);
        cells++;
    }
    assert_int_equal(cells, 9);
    /* Running: nothing to explain. */
    f.frame.state = WORKER_RUNNING;
    f.frame.steps_per_second = 1000;
    draw_with_mouse(&sc, &f, 0, 0);
    assert_null(recorded_panel(&sc, "step"));
    screen_close(&sc);
    stop(&f);
}

/* While statistics are built, the run is dimmed under the progress: a lit
 * pixel of the images is darker, and the progress says how far it is. */
static void test_progress_dims_the_run(void **state)
{
    (void)state;
    fixture f = {0};
    start(&f, "sobel-x", LF_PADDING_SAME, 1);
    screen sc;
    screen_open(&sc, 1280, 720);
    draw_with_mouse(&sc, &f, 0, 0);
    const layout *L = render_layout(sc.view);
    layout_rect t = L->panels[LAYOUT_TARGET].plot;
    int x = t.x + 3, y = t.y + t.h - 4; /* a corner the box in the middle leaves alone */
    SDL_Color before = pixel(&sc, x, y);
    assert_true(before.r + before.g + before.b > 300);
    render_update_frame(sc.view, &f.frame);
    render_view v = {.frame = &f.frame, .images = &f.images, .fps = 60,
                     .progress = "Building statistics 12/44"};
    render_draw(sc.view, &sc.L, &v);
    SDL_RenderFlush(sc.renderer);
    SDL_Color after = pixel(&sc, x, y);
    assert_true(after.r + after.g + after.b < (before.r + before.g + before.b) * 2 / 3);
    assert_non_null(recorded_panel(&sc, "progress"));
    assert_true(panel_has_text(&sc, "progress", "Building statistics 12/44"));
    screen_close(&sc);
    stop(&f);
}

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sum_is_the_output_same),
        cmocka_unit_test(test_sum_is_the_output_valid_7x7),
        cmocka_unit_test(test_large_kernel_sum_only),
        cmocka_unit_test(test_box_prints_the_output_and_covers_no_image),
        cmocka_unit_test(test_chart_reads_out_the_nearest_point),
        cmocka_unit_test(test_step_explained),
        cmocka_unit_test(test_progress_dims_the_run),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}

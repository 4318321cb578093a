/*
 * test_explore.c: the explore mode. Its state as actions change it (the
 * results are the operations' own, the lens follows the slides, the 1-D
 * view is the notebook's), its keys and buttons (every button does what a
 * key does, none overlap), and its screen drawn by a software renderer:
 * the lens cells lit where the lens is, the output filling in.
 *
 * With LF_EXPLORE_SHOTS=DIR set, each drawn state is also written there as
 * a PNG at 1280x720 and 1920x1080, to look at.
 */
#include "test_util.h" /* first: it sets the POSIX level */

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <SDL_ttf.h>

#include "explore.h"
#include "explore_draw.h"
#include "explore_window.h"
#include "learnfilter/png.h"
#include "setup.h"

static const char *photo = LF_SOURCE_DATA_DIR "/camera.jpg";

static void init_with_photo(explore_state *s)
{
    lf_error err;
    assert_int_equal(explore_init(s, &photo, 1, &err), LF_OK);
    assert_int_equal(s->image_count, 5); /* the photo and the slides' four grids */
    assert_int_equal(explore_update(s, &err), LF_OK);
}

static void show_grid(explore_state *s, const char *name)
{
    for (int i = 0; i < s->image_count; i++)
        if (!strcmp(s->images[i].name, name)) {
            s->image_index = i;
            s->dirty = true;
            lf_error err;
            assert_int_equal(explore_update(s, &err), LF_OK);
            return;
        }
    fail_msg("no image %s", name);
}

/* The result shown is exactly what ops.h computes for the chosen op. */
static void test_results_are_the_operations(void **state)
{
    (void)state;
    explore_state s;
    init_with_photo(&s);
    assert_true(s.images[0].width <= EXPLORE_MAX_SIDE && s.images[0].height <= EXPLORE_MAX_SIDE);
    /* median 5x5, stride 2, valid, twice */
    explore_apply(&s, EXPLORE_NEXT_KIND); /* sum */
    explore_apply(&s, EXPLORE_PREV_KIND); /* kernel */
    for (int i = 0; i < 5; i++)
        explore_apply(&s, EXPLORE_NEXT_KIND);
    assert_int_equal(s.kind, LF_OP_MEDIAN);
    explore_apply(&s, EXPLORE_GROW);
    explore_apply(&s, EXPLORE_STRIDE_UP);
    explore_apply(&s, EXPLORE_TOGGLE_PADDING);
    explore_apply(&s, EXPLORE_NEXT_REPEAT);
    lf_error err;
    assert_int_equal(explore_update(&s, &err), LF_OK);
    assert_int_equal(s.result_count, 1);
    lf_op op = {.kind = LF_OP_MEDIAN, .size = 5, .stride = 2, .padding = LF_PADDING_VALID,
                .repeat = 2};
    const explore_image *in = &s.images[0];
    float *want = malloc(sizeof(float) * (size_t)in->height * (size_t)in->width);
    int h, w;
    assert_int_equal(lf_op_apply_reference(&op, in->values, in->height, in->width, want,
                                           (size_t)in->height * (size_t)in->width, &h, &w, &err),
                     LF_OK);
    assert_int_equal(s.results[0].height, h);
    assert_int_equal(s.results[0].width, w);
    assert_memory_equal(s.results[0].values, want, sizeof(float) * (size_t)h * (size_t)w);
    assert_string_equal(s.results[0].label, "median 5x5, 2 times");
    free(want);
    explore_deinit(&s);
}

/* The slides' comparisons: the right columns, and the repeats blur more. */
static void test_comparisons(void **state)
{
    (void)state;
    explore_state s;
    init_with_photo(&s);
    lf_error err;
    static const int columns[EXPLORE_COMPARE_COUNT] = {1, 2, 4, 2, 2, 3};
    for (int c = 1; c < EXPLORE_COMPARE_COUNT; c++) {
        explore_apply(&s, EXPLORE_NEXT_COMPARE);
        assert_int_equal(s.compare, c);
        assert_int_equal(explore_update(&s, &err), LF_OK);
        assert_int_equal(s.result_count, columns[c]);
        if (c == EXPLORE_COMPARE_REPEAT) {
            /* Each further mean smooths: the range of values shrinks. */
            for (int i = 1; i < 4; i++)
                assert_true(s.results[i].hi - s.results[i].lo <
                            s.results[i - 1].hi - s.results[i - 1].lo);
            assert_string_equal(s.results[3].label, "mean 3x3, 10 times");
        }
        if (c == EXPLORE_COMPARE_GAUSSIAN) {
            /* sigma 2 and 8: sides 13 and 49, each summing to 1. */
            assert_int_equal(s.results[0].op.kernel_w, 13);
            assert_int_equal(s.results[1].op.kernel_w, 49);
            double sum = 0;
            for (int i = 0; i < 49 * 49; i++)
                sum += s.results[1].op.kernel[i];
            assert_true(fabs(sum - 1) < 1e-4);
        }
    }
    explore_deinit(&s);
}

static void test_size_formula(void **state)
{
    (void)state;
    char text[160];
    lf_op op = {.kind = LF_OP_MEAN, .size = 3, .stride = 2};
    explore_size_formula(&op, 256, text, sizeof text);
    assert_non_null(strstr(text, "(256 \xE2\x88\x92 3 + 2)/2\xE2\x8C\x8B + 1 = 128"));
    /* The walk-through's rule without padding: n - f + 1. */
    op = (lf_op){.kind = LF_OP_SUM, .size = 5, .padding = LF_PADDING_VALID};
    explore_size_formula(&op, 7, text, sizeof text);
    assert_non_null(strstr(text, "(7 \xE2\x88\x92 5 + 0)/1\xE2\x8C\x8B + 1 = 3"));
    /* Every formula agrees with the size ops.h gives. */
    for (int n = 5; n < 30; n += 3)
        for (int f = 1; f <= 5; f++)
            for (int st = 1; st <= 4; st++)
                for (int p = 0; p < 2; p++) {
                    op = (lf_op){.kind = LF_OP_MAX, .size = f, .stride = st,
                                 .padding = p ? LF_PADDING_VALID : LF_PADDING_SAME};
                    int h, w;
                    lf_op_output_size(&op, n, n, &h, &w);
                    explore_size_formula(&op, n, text, sizeof text);
                    char want[32];
                    snprintf(want, sizeof want, " = %d", w);
                    size_t len = strlen(text), wl = strlen(want);
                    assert_true(len > wl && !strcmp(text + len - wl, want));
                }
}

/* The lens on grid A replays the slides: sum over the plus lens. */
static void test_lens_steps_through_the_grid(void **state)
{
    (void)state;
    explore_state s;
    init_with_photo(&s);
    show_grid(&s, "grid-a");
    explore_apply(&s, EXPLORE_NEXT_KIND); /* sum */
    explore_apply(&s, EXPLORE_TOGGLE_SHAPE);
    lf_error err;
    assert_int_equal(explore_update(&s, &err), LF_OK);
    assert_int_equal(s.lens_positions, 49);
    assert_int_equal(s.lens_position, 0);
    assert_string_equal(s.lens_text, "2 + 5 + 6 = 13");
    for (int i = 0; i < 8; i++)
        assert_true(explore_apply(&s, EXPLORE_LENS_STEP));
    assert_int_equal(s.lens_position, 8); /* (1, 1) */
    assert_string_equal(s.lens_text, "5 + 6 + 8 + 9 + 9 = 37");
    assert_true(s.lens_output[8] == 37.0f);
    assert_true(explore_apply(&s, EXPLORE_LENS_BACK));
    assert_int_equal(s.lens_position, 7);
    /* Past the end it starts again. */
    s.lens_position = 48;
    explore_apply(&s, EXPLORE_LENS_STEP);
    assert_int_equal(s.lens_position, 0);
    /* A photo's lens shows the centre crop as 8-bit numbers. */
    s.image_index = 0;
    s.dirty = true;
    assert_int_equal(explore_update(&s, &err), LF_OK);
    const explore_image *crop = explore_lens_input(&s);
    assert_int_equal(crop->height, EXPLORE_CROP_SIDE);
    for (int i = 0; i < crop->height * crop->width; i++)
        assert_true(crop->values[i] == roundf(crop->values[i]) && crop->values[i] <= 255);
    /* A window too large for the lens says so instead. */
    explore_apply(&s, EXPLORE_TOGGLE_SHAPE); /* square */
    for (int i = 0; i < 4; i++)
        explore_apply(&s, EXPLORE_GROW); /* 3 -> 11 */
    assert_int_equal(explore_update(&s, &err), LF_OK);
    assert_int_equal(s.lens_positions, 0);
    assert_non_null(strstr(s.lens_message, "up to 9x9"));
    assert_false(explore_apply(&s, EXPLORE_LENS_STEP));
    explore_deinit(&s);
}

static void test_signal_view(void **state)
{
    (void)state;
    explore_state s;
    init_with_photo(&s);
    /* Hann, 50 taps: flat stretches keep their height, the steps are
     * smoothed over about the window's length. */
    assert_true(fabsf(s.signal_out[150] - 1.0f) < 1e-5f);
    assert_true(fabsf(s.signal_out[20]) < 1e-6f);
    assert_true(s.signal_out[100] > 0.3f && s.signal_out[100] < 0.7f);
    explore_apply(&s, EXPLORE_SIGNAL_NEXT_TAPS); /* 100 */
    lf_error err;
    assert_int_equal(explore_update(&s, &err), LF_OK);
    assert_int_equal(s.signal_taps, 100);
    float wide = s.signal_out[80];
    assert_true(wide > 0.01f); /* reaches 20 samples before the step */
    explore_apply(&s, EXPLORE_SIGNAL_NEXT_WINDOW);
    assert_int_equal(s.signal_window, LF_WINDOW1D_EXPONENTIAL);
    explore_deinit(&s);
}

/* "Learn this" hands the operation over as --target takes it, and says
 * why when a network cannot learn it as set. */
static void test_learn_this(void **state)
{
    (void)state;
    explore_state s;
    init_with_photo(&s);
    assert_true(explore_apply(&s, EXPLORE_LEARN_THIS));
    assert_string_equal(s.learn, "edge-x");
    for (int i = 0; i < 5; i++)
        explore_apply(&s, EXPLORE_NEXT_KIND); /* median */
    explore_apply(&s, EXPLORE_GROW);
    s.learn[0] = '\0';
    assert_true(explore_apply(&s, EXPLORE_LEARN_THIS));
    assert_string_equal(s.learn, "median:5");
    explore_apply(&s, EXPLORE_TOGGLE_SHAPE);
    assert_true(explore_apply(&s, EXPLORE_LEARN_THIS));
    assert_string_equal(s.learn, "median:plus");
    s.learn[0] = '\0';
    explore_apply(&s, EXPLORE_STRIDE_UP);
    assert_false(explore_apply(&s, EXPLORE_LEARN_THIS));
    assert_string_equal(s.learn, "");
    assert_non_null(strstr(s.message, "stride 1"));
    explore_deinit(&s);
}

static void test_refusals_say_why(void **state)
{
    (void)state;
    explore_state s;
    init_with_photo(&s);
    assert_false(explore_apply(&s, EXPLORE_TOGGLE_SHAPE)); /* a kernel */
    assert_non_null(strstr(s.message, "own shape"));
    explore_apply(&s, EXPLORE_NEXT_KIND);
    assert_false(explore_apply(&s, EXPLORE_STRIDE_DOWN));
    assert_non_null(strstr(s.message, "already 1"));
    explore_apply(&s, EXPLORE_TOGGLE_SHAPE);
    assert_false(explore_apply(&s, EXPLORE_GROW));
    assert_non_null(strstr(s.message, "always 3x3"));
    /* A window that does not fit a grid without padding: the old result
     * stays and the message says why. */
    show_grid(&s, "grid-b");
    explore_apply(&s, EXPLORE_TOGGLE_SHAPE);
    for (int i = 0; i < 3; i++)
        explore_apply(&s, EXPLORE_GROW); /* 9x9 */
    explore_apply(&s, EXPLORE_TOGGLE_PADDING);
    lf_error err;
    assert_int_equal(explore_update(&s, &err), LF_ERR_ARGUMENT);
    assert_true(s.message[0] != '\0');
    /* A photo that cannot be read is refused with its name. */
    assert_int_not_equal(explore_add_photo(&s, "/nonexistent/x.png", &err), LF_OK);
    assert_non_null(strstr(err.message, "x.png"));
    explore_deinit(&s);
}

/* =========================================================== drawn */

typedef struct screen {
    SDL_Surface *surface;
    SDL_Renderer *renderer;
    text_ctx *text;
    explore_session x;
    bool help;
} screen;

static void screen_open(screen *sc, int w, int h)
{
    lf_error err;
    memset(sc, 0, sizeof *sc);
    sc->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    sc->renderer = SDL_CreateSoftwareRenderer(sc->surface);
    assert_non_null(sc->renderer);
    sc->text = text_create(sc->renderer, app_assets_dir(), layout_auto_scale(w, h), &err);
    assert_non_null(sc->text);
    assert_true(explore_session_init(&sc->x, sc->renderer, NULL, &photo, 1, &err));
    sc->x.active = true;
}

static void screen_close(screen *sc)
{
    explore_session_deinit(&sc->x);
    text_destroy(sc->text);
    SDL_DestroyRenderer(sc->renderer);
    SDL_FreeSurface(sc->surface);
}

static Uint32 pixel(const screen *sc, int x, int y)
{
    return ((const Uint32 *)sc->surface->pixels)[y * sc->surface->pitch / 4 + x] & 0xFFFFFF;
}

static void draw(screen *sc, const char *name)
{
    explore_session_frame(&sc->x, sc->text, 0, sc->surface->w, sc->surface->h, -1, -1,
                          sc->help);
    const char *dir = getenv("LF_EXPLORE_SHOTS");
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%d.png", dir, name, sc->surface->w);
    SDL_Surface *rgba = SDL_ConvertSurfaceFormat(sc->surface, SDL_PIXELFORMAT_ABGR8888, 0);
    lf_error err;
    lf_png_write_rgba(path, rgba->pixels, rgba->w, rgba->h, rgba->pitch, &err);
    SDL_FreeSurface(rgba);
}

static void press(screen *sc, SDL_Keycode key)
{
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.keysym.sym = key;
    assert_true(explore_session_event(&sc->x, &e, sc->surface->w, sc->surface->h,
                                      sc->surface->w, sc->surface->h));
}

/* Every button's click does what its key does, and no two overlap or
 * leave the window, in every view and at both sizes. */
static void test_buttons_and_keys(void **state)
{
    (void)state;
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (int z = 0; z < 2; z++) {
        screen sc;
        screen_open(&sc, sizes[z][0], sizes[z][1]);
        for (int view = 0; view < EXPLORE_VIEW_COUNT; view++) {
            draw(&sc, "buttons");
            const explore_layout *L = &sc.x.layout;
            assert_true(L->button_count >= 3);
            for (int i = 0; i < L->button_count; i++) {
                layout_rect a = L->buttons[i].rect;
                assert_true(a.x >= 0 && a.y >= 0 && a.x + a.w <= L->width &&
                            a.y + a.h <= L->body.y);
                for (int j = i + 1; j < L->button_count; j++) {
                    layout_rect b = L->buttons[j].rect;
                    assert_false(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
                                 b.y < a.y + a.h);
                }
                assert_int_equal(explore_hit(L, a.x + a.w / 2, a.y + a.h / 2),
                                 L->buttons[i].action);
            }
            assert_int_equal(explore_hit(L, L->width / 2, L->height - 2), -1);
            /* A click on the view button moves to the next view. */
            SDL_Event click = {.type = SDL_MOUSEBUTTONDOWN};
            click.button.button = SDL_BUTTON_LEFT;
            click.button.x = L->buttons[0].rect.x + 4;
            click.button.y = L->buttons[0].rect.y + 4;
            assert_int_equal(L->buttons[0].action, EXPLORE_NEXT_VIEW);
            explore_session_event(&sc.x, &click, L->width, L->height, L->width, L->height);
            assert_int_equal(sc.x.state.view, (view + 1) % EXPLORE_VIEW_COUNT);
        }
        /* Keys: Tab, arrows and letters do what the buttons say. */
        explore_state *s = &sc.x.state;
        press(&sc, SDLK_TAB);
        assert_int_equal(s->view, EXPLORE_VIEW_LENS);
        press(&sc, SDLK_RIGHT);
        assert_int_equal(s->kind, LF_OP_SUM);
        press(&sc, SDLK_RIGHTBRACKET);
        assert_int_equal(s->stride, 2);
        press(&sc, SDLK_p);
        assert_int_equal(s->padding, LF_PADDING_VALID);
        press(&sc, SDLK_ESCAPE);
        assert_false(sc.x.active);
        press(&sc, EXPLORE_TOGGLE_KEY);
        assert_true(sc.x.active);
        /* Quit and help stay the window's. */
        SDL_Event q = {.type = SDL_KEYDOWN};
        q.key.keysym.sym = SDLK_q;
        assert_false(explore_session_event(&sc.x, &q, 1, 1, 1, 1));
        screen_close(&sc);
    }
}

/* The lens drawn: the cells under the plus are outlined in the lens
 * colour, the picked cell of a max in green, and the output shows only
 * the positions reached so far. */
static void lens_drawn_at(int width, int height)
{
    screen sc;
    screen_open(&sc, width, height);
    explore_state *s = &sc.x.state;
    show_grid(s, "grid-a");
    press(&sc, SDLK_TAB); /* lens */
    for (int i = 0; i < 3; i++)
        press(&sc, SDLK_RIGHT); /* max */
    assert_int_equal(s->kind, LF_OP_MAX);
    press(&sc, SDLK_l); /* plus */
    explore_session_frame(&sc.x, sc.text, 0, width, height, -1, -1, false);
    for (int i = 0; i < 8; i++)
        press(&sc, SDLK_n);
    draw(&sc, "lens");
    assert_string_equal(s->lens_text, "max(5, 6, 8, 9, 9) = 9");
    /* Find the drawn lens colour and the pick colour on screen. */
    int lens = 0, pick = 0;
    const layout_rect body = sc.x.layout.body; /* not the thumbnails' frames */
    for (int y = body.y; y < body.y + body.h; y += 1)
        for (int x = 0; x < width / 2; x += 1) {
            Uint32 p = pixel(&sc, x, y);
            lens += p == 0xFF9628;
            pick += p == 0x3CC878;
        }
    assert_true(lens > 100);
    assert_true(pick > 100);
    draw(&sc, "lens");
    press(&sc, SDLK_TAB); /* 1-D */
    draw(&sc, "signal");
    press(&sc, SDLK_TAB); /* picture */
    press(&sc, SDLK_c);
    press(&sc, SDLK_c);
    draw(&sc, "compare");
    screen_close(&sc);
}

static void test_lens_drawn(void **state)
{
    (void)state;
    lens_drawn_at(1280, 720);
    lens_drawn_at(1920, 1080);
}

static void click_at(screen *sc, int x, int y)
{
    SDL_Event e = {.type = SDL_MOUSEBUTTONDOWN};
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    explore_session_event(&sc->x, &e, sc->surface->w, sc->surface->h, sc->surface->w,
                          sc->surface->h);
}

static void type_text(screen *sc, const char *text)
{
    SDL_Event e = {.type = SDL_TEXTINPUT};
    snprintf(e.text.text, sizeof e.text.text, "%s", text);
    assert_true(explore_session_event(&sc->x, &e, 1, 1, 1, 1));
}

/* A thumbnail click shows its image; a kernel cell click, typed digits
 * and Enter make that weight, and the result follows; a dropped kernel
 * file becomes the kernel. */
static void test_clicks_typing_and_drops(void **state)
{
    (void)state;
    screen sc;
    screen_open(&sc, 1280, 720);
    explore_state *s = &sc.x.state;
    draw(&sc, "picture");
    const explore_layout *L = &sc.x.layout;
    assert_int_equal(L->thumb_count, 5);
    layout_rect grid_c = L->thumbs[3].rect;
    click_at(&sc, grid_c.x + 2, grid_c.y + 2);
    assert_string_equal(s->images[s->image_index].name, "grid-c");
    draw(&sc, "picture");
    /* edge-x is shown as numbers; make its centre 4. */
    assert_int_equal(L->kernel_h, 3);
    layout_rect g = L->kernel_grid;
    click_at(&sc, g.x + g.w / 2, g.y + g.h / 2);
    assert_int_equal(s->edit_cell, 4);
    /* Letters are not explore keys while typing. */
    press(&sc, SDLK_p);
    assert_int_equal(s->padding, LF_PADDING_SAME);
    type_text(&sc, "4x");
    assert_string_equal(s->edit_text, "4");
    press(&sc, SDLK_RETURN);
    assert_int_equal(s->edit_cell, -1);
    assert_int_equal(s->kernel_index, lf_kernel_catalog_count()); /* the custom kernel */
    static const float want[9] = {-1, 0, 1, -1, 4, 1, -1, 0, 1};
    assert_memory_equal(s->custom.weights, want, sizeof want);
    draw(&sc, "typed");
    /* Grid C at (2, 2) is 1 with neighbours (1,1)=0 (1,2)=1 (1,3)=0,
     * (2,1)=1 (2,3)=1, (3,1)=0 (3,2)=1 (3,3)=1: -0 + 0 + 0 - 1 + 4 + 1 - 0 + 0 + 1 = 5. */
    assert_true(s->results[0].values[2 * 7 + 2] == 5.0f);
    /* Text that is not a number is refused and the cell stays open. */
    click_at(&sc, g.x + 2, g.y + 2);
    type_text(&sc, "-");
    press(&sc, SDLK_RETURN);
    assert_int_equal(s->edit_cell, 0);
    assert_non_null(strstr(s->message, "not a number"));
    press(&sc, SDLK_ESCAPE);
    assert_int_equal(s->edit_cell, -1);
    assert_true(sc.x.active);
    /* A dropped kernel file. */
    char dir[64], named[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(named, sizeof named, "%s/k.txt", dir);
    FILE *f = fopen(named, "w");
    fputs("0 1\n2 3\n", f);
    fclose(f);
    SDL_Event drop = {.type = SDL_DROPFILE};
    drop.drop.file = named;
    explore_session_event(&sc.x, &drop, 1, 1, 1, 1);
    assert_int_equal(s->custom.height, 2);
    assert_true(s->custom.weights[3] == 3.0f);
    tu_remove_tree(dir);
    screen_close(&sc);
}

/* Every action has a key and a button, and the help lists the keys. */
static void test_everything_by_key_and_by_mouse(void **state)
{
    (void)state;
    screen sc;
    screen_open(&sc, 1280, 720);
    bool by_key[EXPLORE_ACTION_COUNT] = {false}, by_button[EXPLORE_ACTION_COUNT] = {false};
    static const SDL_Keycode keys[] = {SDLK_TAB, SDLK_LEFT, SDLK_RIGHT, SDLK_UP, SDLK_DOWN,
                                       SDLK_LEFTBRACKET, SDLK_RIGHTBRACKET, SDLK_r, SDLK_p,
                                       SDLK_l, SDLK_i, SDLK_c, SDLK_d, SDLK_n, SDLK_b,
                                       SDLK_RETURN, SDLK_w, SDLK_t, SDLK_e};
    for (int view = 0; view < EXPLORE_VIEW_COUNT; view++) {
        sc.x.state.view = (explore_view)view;
        for (int kind = 0; kind < 2; kind++) { /* a kernel, then a reduction */
            sc.x.state.kind = kind ? LF_OP_MAX : LF_OP_KERNEL;
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                int a = explore_action_for_key(keys[k], &sc.x.state);
                if (a >= 0)
                    by_key[a] = true;
            }
            explore_layout_compute(&sc.x.layout, &sc.x.state, sc.text, 1280, 720);
            for (int i = 0; i < sc.x.layout.button_count; i++)
                by_button[sc.x.layout.buttons[i].action] = true;
        }
    }
    for (int a = 0; a < EXPLORE_ACTION_COUNT; a++) {
        if (!by_key[a] || !by_button[a])
            fail_msg("action %d: key %d, button %d", a, by_key[a], by_button[a]);
    }
    const char *names[EXPLORE_HELP_MAX_LINES], *helps[EXPLORE_HELP_MAX_LINES];
    int n = explore_help_lines(names, helps, EXPLORE_HELP_MAX_LINES);
    assert_true(n >= 15);
    assert_int_equal(explore_help_lines(names, helps, 3), 3); /* capacity holds */
    /* The help is drawn: key names in the lens colour in the middle. */
    sc.x.state.view = EXPLORE_VIEW_IMAGE;
    sc.help = true;
    draw(&sc, "help");
    int keys_drawn = 0;
    for (int y = 100; y < 620; y++)
        for (int x = 300; x < 980; x++)
        {
            Uint32 p = pixel(&sc, x, y); /* orange, anti-aliased or not */
            keys_drawn += (p >> 16) > 200 && ((p >> 8) & 0xFF) > 100 &&
                          ((p >> 8) & 0xFF) < 170 && (p & 0xFF) < 90;
        }
    assert_true(keys_drawn > 300);
    screen_close(&sc);
}

int main(void)
{
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_are_the_operations),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_size_formula),
        cmocka_unit_test(test_lens_steps_through_the_grid),
        cmocka_unit_test(test_signal_view),
        cmocka_unit_test(test_learn_this),
        cmocka_unit_test(test_refusals_say_why),
        cmocka_unit_test(test_buttons_and_keys),
        cmocka_unit_test(test_lens_drawn),
        cmocka_unit_test(test_everything_by_key_and_by_mouse),
        cmocka_unit_test(test_clicks_typing_and_drops),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    TTF_Quit();
    SDL_Quit();
    return failed;
}

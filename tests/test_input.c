/*
 * test_input.c: events in, requests and window state out, as documented in
 * input.h; and the same keys driving a real worker.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "input.h"
#include "keymap.h"
#include "layout.h"
#include "render.h"
#include "test_offscreen.h"

static SDL_Event key(SDL_Keycode sym, Uint16 mod, bool repeat)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    e.key.keysym.mod = mod;
    e.key.repeat = repeat ? 1 : 0;
    return e;
}

/* Presses sym and returns the request it made; fails if it made none. */
static worker_req expect_request(ui_state *ui, SDL_Keycode sym, Uint16 mod)
{
    worker_req r;
    SDL_Event e = key(sym, mod, false);
    if (!input_handle_event(ui, &e, 1.0f, &r))
        fail_msg("key %d made no request", (int)sym);
    return r;
}

static void expect_none(ui_state *ui, SDL_Keycode sym, Uint16 mod, bool repeat)
{
    worker_req r;
    SDL_Event e = key(sym, mod, repeat);
    assert_false(input_handle_event(ui, &e, 1.0f, &r));
}

/* Shift+X: the random filters come up at roll 1, Shift+X and R roll new
 * ones (R no longer resets), Esc leaves them (not the window), and R is
 * a reset again. */
static void test_random_filters_keys(void **state)
{
    (void)state;
    ui_state ui = {0};
    expect_none(&ui, SDLK_x, KMOD_LSHIFT, false);
    assert_true(ui.layer_x);
    assert_int_equal(ui.layer_x_roll, 1);
    expect_none(&ui, SDLK_x, KMOD_LSHIFT, false);
    assert_int_equal(ui.layer_x_roll, 2);
    expect_none(&ui, SDLK_r, 0, false);
    assert_int_equal(ui.layer_x_roll, 3);
    expect_none(&ui, SDLK_ESCAPE, 0, false);
    assert_false(ui.layer_x);
    assert_false(ui.quit);
    assert_int_equal(expect_request(&ui, SDLK_r, 0).kind, WORKER_REQ_RESET);
    assert_int_equal(ui.layer_x_roll, 3);
}

static void test_training_keys(void **state)
{
    (void)state;
    ui_state ui = {0};
    assert_int_equal(expect_request(&ui, SDLK_SPACE, 0).kind, WORKER_REQ_PAUSE_TOGGLE);
    assert_int_equal(expect_request(&ui, SDLK_n, 0).kind, WORKER_REQ_STEP);
    assert_int_equal(expect_request(&ui, SDLK_PERIOD, 0).kind, WORKER_REQ_STEP);
    assert_int_equal(expect_request(&ui, SDLK_r, 0).kind, WORKER_REQ_RESET);
    assert_int_equal(expect_request(&ui, SDLK_r, KMOD_LSHIFT).kind, WORKER_REQ_RESEED);
    worker_req r = expect_request(&ui, SDLK_LEFT, 0);
    assert_int_equal(r.kind, WORKER_REQ_KERNEL_NEXT);
    assert_int_equal(r.value, -1);
    r = expect_request(&ui, SDLK_RIGHTBRACKET, 0);
    assert_int_equal(r.kind, WORKER_REQ_KERNEL_NEXT);
    assert_int_equal(r.value, 1);
    assert_int_equal(expect_request(&ui, SDLK_LEFTBRACKET, 0).value, -1);
    assert_int_equal(expect_request(&ui, SDLK_RIGHT, 0).value, 1);
    r = expect_request(&ui, SDLK_3, 0);
    assert_int_equal(r.kind, WORKER_REQ_KERNEL);
    assert_int_equal(r.value, 2);
    assert_int_equal(expect_request(&ui, SDLK_1, 0).value, 0);
    assert_int_equal(expect_request(&ui, SDLK_9, 0).value, 8);
    r = expect_request(&ui, SDLK_UP, 0);
    assert_int_equal(r.kind, WORKER_REQ_LR_SCALE);
    assert_float_equal(r.factor, sqrt(10.0), 1e-6);
    assert_float_equal(expect_request(&ui, SDLK_DOWN, 0).factor, 1 / sqrt(10.0), 1e-6);
    assert_int_equal(expect_request(&ui, SDLK_o, 0).kind, WORKER_REQ_OPTIMIZER);
    r = expect_request(&ui, SDLK_EQUALS, 0);
    assert_int_equal(r.kind, WORKER_REQ_SPEED);
    assert_int_equal(r.value, 1);
    assert_int_equal(expect_request(&ui, SDLK_KP_PLUS, 0).value, 1);
    assert_int_equal(expect_request(&ui, SDLK_MINUS, 0).value, -1);
    r = expect_request(&ui, SDLK_i, 0);
    assert_int_equal(r.kind, WORKER_REQ_SAMPLE_NEXT);
    assert_int_equal(r.value, 1);
    assert_int_equal(expect_request(&ui, SDLK_i, KMOD_RSHIFT).value, -1);
    /* Toggles ignore key repeat; stepping does not. */
    expect_none(&ui, SDLK_SPACE, 0, true);
    expect_none(&ui, SDLK_o, 0, true);
    worker_req held;
    SDL_Event e = key(SDLK_n, 0, true);
    assert_true(input_handle_event(&ui, &e, 1.0f, &held));
    assert_int_equal(held.kind, WORKER_REQ_STEP);
    expect_none(&ui, SDLK_z, 0, false);
    /* No training key touched the window state. */
    assert_false(ui.quit);
    assert_false(ui.show_help);
}

static void test_window_keys(void **state)
{
    (void)state;
    ui_state ui = {0};
    expect_none(&ui, SDLK_h, 0, false);
    assert_true(ui.show_help);
    expect_none(&ui, SDLK_F1, 0, false);
    assert_false(ui.show_help);
    expect_none(&ui, SDLK_h, 0, false);
    expect_none(&ui, SDLK_ESCAPE, 0, false); /* closes the help first */
    assert_false(ui.show_help);
    assert_false(ui.quit);
    expect_none(&ui, SDLK_F11, 0, false);
    assert_true(ui.fullscreen);
    assert_true(ui.layout_changed);
    ui.layout_changed = false;
    SDL_Event e = key(SDLK_EQUALS, KMOD_LCTRL, false);
    worker_req r;
    assert_false(input_handle_event(&ui, &e, 1.0f, &r));
    assert_float_equal(ui.scale, INPUT_SCALE_STEP, 1e-6);
    assert_true(ui.layout_changed);
    e = key(SDLK_MINUS, KMOD_LCTRL, false);
    input_handle_event(&ui, &e, 2.0f, &r);
    assert_float_equal(ui.scale, 2.0f / INPUT_SCALE_STEP, 1e-6);
    e = key(SDLK_EQUALS, KMOD_LCTRL, false);
    input_handle_event(&ui, &e, 3.9f, &r);
    assert_float_equal(ui.scale, 4.0f, 1e-6); /* clamped */
    e = key(SDLK_0, KMOD_LCTRL, false);
    input_handle_event(&ui, &e, 2.0f, &r);
    assert_float_equal(ui.scale, 0.0f, 0); /* back to automatic */
    expect_none(&ui, SDLK_ESCAPE, 0, false);
    assert_true(ui.quit);
    ui.quit = false;
    expect_none(&ui, SDLK_q, 0, false);
    assert_true(ui.quit);
    ui.quit = false;
    SDL_Event q = {.type = SDL_QUIT};
    assert_false(input_handle_event(&ui, &q, 1.0f, &r));
    assert_true(ui.quit);
    /* Recording and screenshots are the window's: flags, no request; a
     * held key does not toggle recording on and off. */
    expect_none(&ui, SDLK_g, 0, false);
    assert_true(ui.record_toggle);
    ui.record_toggle = false;
    expect_none(&ui, SDLK_g, 0, true);
    assert_false(ui.record_toggle);
    expect_none(&ui, SDLK_p, 0, false);
    assert_true(ui.screenshot);
    ui.screenshot = false;
    expect_none(&ui, SDLK_F12, 0, false);
    assert_true(ui.screenshot);
}

static void test_mouse_and_drop(void **state)
{
    (void)state;
    ui_state ui = {0};
    worker_req r;
    SDL_Event m = {.type = SDL_MOUSEMOTION};
    m.motion.x = 123;
    m.motion.y = 45;
    assert_false(input_handle_event(&ui, &m, 1.0f, &r));
    assert_true(ui.mouse_inside);
    assert_int_equal(ui.mouse_x, 123);
    assert_int_equal(ui.mouse_y, 45);
    SDL_Event leave = {.type = SDL_WINDOWEVENT};
    leave.window.event = SDL_WINDOWEVENT_LEAVE;
    input_handle_event(&ui, &leave, 1.0f, &r);
    assert_false(ui.mouse_inside);
    char path[] = "/home/teacher/photos/cats";
    SDL_Event d = {.type = SDL_DROPFILE};
    d.drop.file = path;
    assert_true(input_handle_event(&ui, &d, 1.0f, &r));
    assert_int_equal(r.kind, WORKER_REQ_LOAD);
    assert_string_equal(r.path, path);
    assert_string_equal(ui.refused, "");

    /* Paths far past 1 KB, up to what the system opens, arrive whole; a
     * longer one is refused with its length named, never cut short. */
    static char longer[8000];
    for (size_t n = 1; n < sizeof longer; n++) {
        memset(longer, 'a', n);
        longer[0] = '/';
        longer[n - 1] = 'z';
        longer[n] = 0;
        d.drop.file = longer;
        memset(&r, 0x5a, sizeof r);
        ui.refused[0] = 0;
        bool made = input_handle_event(&ui, &d, 1.0f, &r);
        if (n < sizeof r.path) {
            assert_true(made);
            assert_int_equal(r.kind, WORKER_REQ_LOAD);
            assert_int_equal(strlen(r.path), n);
            assert_memory_equal(r.path, longer, n);
            assert_string_equal(ui.refused, "");
        } else {
            assert_false(made);
            char expect[64];
            snprintf(expect, sizeof expect, "it is %zu bytes long", n);
            assert_non_null(strstr(ui.refused, expect));
            assert_non_null(strstr(ui.refused, "z)")); /* its end is quoted */
        }
        if (n > 5000)
            n += 997; /* past the limit a few lengths are enough */
    }
}


/* What each action of the key table must do, written out here on its own
 * so that a row wired to the wrong action fails: a request (kind, value,
 * factor) or a change of the window state. */
typedef struct expectation {
    bool makes_request;
    worker_req_kind kind;
    int value;
    double factor;
} expectation;

static expectation expected_effect(keymap_action action, int digit, SDL_Keycode sym,
                                   bool shift)
{
    switch (action) {
    case KEYMAP_PAUSE: return (expectation){true, WORKER_REQ_PAUSE_TOGGLE, 0, 0};
    case KEYMAP_STEP: return (expectation){true, WORKER_REQ_STEP, 1, 0};
    case KEYMAP_STEP_TEN: return (expectation){true, WORKER_REQ_STEP, 10, 0};
    case KEYMAP_STEP_EPOCH: return (expectation){true, WORKER_REQ_STEP, WORKER_STEP_EPOCH, 0};
    case KEYMAP_RESET: return (expectation){true, WORKER_REQ_RESET, 0, 0};
    case KEYMAP_RESEED: return (expectation){true, WORKER_REQ_RESEED, 0, 0};
    case KEYMAP_KERNEL_PREV: return (expectation){true, WORKER_REQ_KERNEL_NEXT, -1, 0};
    case KEYMAP_KERNEL_NEXT: return (expectation){true, WORKER_REQ_KERNEL_NEXT, 1, 0};
    case KEYMAP_KERNEL_DIGIT: return (expectation){true, WORKER_REQ_KERNEL, digit, 0};
    case KEYMAP_LR_UP: return (expectation){true, WORKER_REQ_LR_SCALE, 0, sqrt(10.0)};
    case KEYMAP_LR_DOWN: return (expectation){true, WORKER_REQ_LR_SCALE, 0, 1 / sqrt(10.0)};
    case KEYMAP_OPTIMIZER: return (expectation){true, WORKER_REQ_OPTIMIZER, 0, 0};
    case KEYMAP_FASTER: return (expectation){true, WORKER_REQ_SPEED, 1, 0};
    case KEYMAP_SLOWER: return (expectation){true, WORKER_REQ_SPEED, -1, 0};
    case KEYMAP_SAMPLE_NEXT: return (expectation){true, WORKER_REQ_SAMPLE_NEXT, 1, 0};
    case KEYMAP_SAMPLE_PREV: return (expectation){true, WORKER_REQ_SAMPLE_NEXT, -1, 0};
    /* Shift jumps eight saved states; End goes to the latest point. */
    case KEYMAP_REWIND_BACK: return (expectation){true, WORKER_REQ_REWIND_MOVE, shift ? -8 : -1, 0};
    case KEYMAP_REWIND_FORWARD:
        if (sym == SDLK_END)
            return (expectation){true, WORKER_REQ_REWIND, 0, INFINITY};
        return (expectation){true, WORKER_REQ_REWIND_MOVE, shift ? 8 : 1, 0};
    default: return (expectation){false, 0, 0, 0};
    }
}

/* The window-state change of a row that makes no request, from a fresh
 * state at scale 2. */
static void check_window_effect(keymap_action action, const ui_state *ui, const char *what)
{
    switch (action) {
    case KEYMAP_SCALE_UP:
        if (fabsf(ui->scale - 2.0f * INPUT_SCALE_STEP) > 1e-5f || !ui->layout_changed)
            fail_msg("%s: scale %g, expected %g", what, ui->scale, 2.0 * INPUT_SCALE_STEP);
        break;
    case KEYMAP_SCALE_DOWN:
        if (fabsf(ui->scale - 2.0f / INPUT_SCALE_STEP) > 1e-5f || !ui->layout_changed)
            fail_msg("%s: scale %g, expected %g", what, ui->scale, 2.0 / INPUT_SCALE_STEP);
        break;
    case KEYMAP_SCALE_AUTO:
        if (ui->scale != 0 || !ui->layout_changed)
            fail_msg("%s: scale %g, expected 0 (automatic)", what, ui->scale);
        break;
    case KEYMAP_FULLSCREEN:
        if (!ui->fullscreen || !ui->layout_changed)
            fail_msg("%s: not fullscreen", what);
        break;
    case KEYMAP_RECORD:
        if (!ui->record_toggle)
            fail_msg("%s: recording not toggled", what);
        break;
    case KEYMAP_SCREENSHOT:
        if (!ui->screenshot)
            fail_msg("%s: no screenshot asked", what);
        break;
    case KEYMAP_RACE:
        if (!ui->race_start)
            fail_msg("%s: no race started", what);
        break;
    case KEYMAP_PRESENT:
        if (!ui->present || !ui->layout_changed)
            fail_msg("%s: not the presentation layout", what);
        break;
    case KEYMAP_REEL:
        if (!ui->reel || ui->reel_mp4)
            fail_msg("%s: no GIF reel asked", what);
        break;
    case KEYMAP_REEL_MP4:
        if (!ui->reel_mp4 || ui->reel)
            fail_msg("%s: no MP4 reel asked", what);
        break;
    case KEYMAP_HELP:
        if (!ui->show_help)
            fail_msg("%s: help not shown", what);
        break;
    case KEYMAP_BACK:
    case KEYMAP_QUIT:
        if (!ui->quit)
            fail_msg("%s: did not quit", what);
        break;
    case KEYMAP_FREQUENCY:
        if (ui->insight != INSIGHT_FREQUENCY)
            fail_msg("%s: the frequency view is not on", what);
        break;
    case KEYMAP_BOWL:
        if (ui->insight != INSIGHT_BOWL)
            fail_msg("%s: the bowl view is not on", what);
        break;
    case KEYMAP_RANDOM_FILTERS:
        if (!ui->layer_x || ui->layer_x_roll != 1)
            fail_msg("%s: the random filters are not up at their first roll", what);
        break;
    default:
        fail_msg("%s: row %d has no expected effect", what, (int)action);
    }
}

static Uint16 modifiers_for(keymap_mods mods, bool with_shift)
{
    switch (mods) {
    case KEYMAP_PLAIN: return 0;
    case KEYMAP_SHIFT: return KMOD_LSHIFT;
    case KEYMAP_ANY_SHIFT: return with_shift ? KMOD_LSHIFT : 0;
    case KEYMAP_CTRL: return KMOD_LCTRL | (with_shift ? KMOD_LSHIFT : 0);
    }
    return 0;
}

/* Every key of every row, with each modifier it accepts, does what the
 * row says; and every action appears in the table. */
static void test_every_key_in_the_table(void **state)
{
    (void)state;
    int count;
    const keymap_entry *rows = keymap_entries(&count);
    bool seen[KEYMAP_ACTION_COUNT] = {false};
    for (int i = 0; i < count; i++) {
        seen[rows[i].action] = true;
        for (int k = 0; k < KEYMAP_MAX_KEYS && rows[i].keys[k].sym; k++) {
            const keymap_key *binding = &rows[i].keys[k];
            int span = binding->span > 1 ? binding->span : 1;
            for (int d = 0; d < span; d++)
                for (int shifted = 0; shifted < 2; shifted++) {
                    Uint16 mod = modifiers_for(binding->mods, shifted);
                    char what[96];
                    snprintf(what, sizeof what, "row %d (%s), key %d, mod 0x%x", i,
                             rows[i].keys_label, (int)(binding->sym + d), mod);
                    ui_state ui = {0};
                    worker_req r;
                    memset(&r, 0, sizeof r);
                    SDL_Event e = key(binding->sym + d, mod, false);
                    bool made = input_handle_event(&ui, &e, 2.0f, &r);
                    expectation want =
                        expected_effect(rows[i].action, d, binding->sym, (mod & KMOD_SHIFT) != 0);
                    if (made != want.makes_request)
                        fail_msg("%s: request %d, expected %d", what, made, want.makes_request);
                    if (made) {
                        if (r.kind != want.kind || r.value != want.value ||
                            fabs(r.factor - want.factor) > 1e-9)
                            fail_msg("%s: request %d/%d/%g, expected %d/%d/%g", what, r.kind,
                                     r.value, r.factor, want.kind, want.value, want.factor);
                    } else {
                        check_window_effect(rows[i].action, &ui, what);
                    }
                    /* A held key acts again only on rows that say so. */
                    ui_state held_ui = {0};
                    e.key.repeat = 1;
                    bool again = input_handle_event(&held_ui, &e, 2.0f, &r);
                    bool changed = again || held_ui.quit || held_ui.show_help ||
                                   held_ui.record_toggle || held_ui.screenshot ||
                                   held_ui.race_start ||
                                   held_ui.layout_changed;
                    if (changed != rows[i].repeats)
                        fail_msg("%s: held key acts %d, the table says %d", what, changed,
                                 rows[i].repeats);
                }
        }
    }
    for (int a = 0; a < KEYMAP_ACTION_COUNT; a++)
        if (!seen[a])
            fail_msg("action %d has no row in the key table", a);
    /* Keys in no row do nothing. */
    ui_state ui = {0};
    expect_none(&ui, SDLK_z, 0, false);
    expect_none(&ui, SDLK_n, KMOD_LCTRL, false);
    assert_false(ui.quit || ui.show_help || ui.layout_changed);
}

/* Draws a frame with the help shown or not and says whether text (an
 * exact string) was drawn, in panel (NULL: any). */
typedef to_view drawn;

static void draw_frame(drawn *d, int w, int h, bool help)
{
    layout L;
    layout_compute(&L, w, h, 1.0f);
    render_view v = {.frame = &d->frame, .fps = -1, .show_help = help};
    render_draw(d->view, &L, &v);
}

static bool was_drawn(const drawn *d, const char *text, const char *panel)
{
    render_text_box t;
    for (int i = 0; render_recorded_text(d->view, i, &t); i++)
        if (!strcmp(t.text, text) && (!panel || !strcmp(t.panel, panel)))
            return true;
    return false;
}

/* Every row is in the help with its keys and line; every footer hint is in
 * the footer of a wide window, and a narrow one shows the first hints in
 * table order, with none skipped. */
static void test_table_feeds_help_and_footer(void **state)
{
    (void)state;
    drawn *d = calloc(1, sizeof *d);
    to_open(d, 2560, 1440, 1.0f, "sobel-x", WORKER_PAUSED);
    assert_true(render_record_layout(d->view, true));

    int count;
    const keymap_entry *rows = keymap_entries(&count);
    draw_frame(d, 2560, 1440, true);
    for (int i = 0; i < count; i++) {
        if (!was_drawn(d, rows[i].keys_label, "help"))
            fail_msg("help lacks the keys \"%s\"", rows[i].keys_label);
        if (!was_drawn(d, rows[i].help, "help"))
            fail_msg("help lacks \"%s\"", rows[i].help);
    }
    int notes;
    const keymap_note *drops = keymap_drop_notes(&notes);
    for (int i = 0; i < notes; i++)
        assert_true(was_drawn(d, drops[i].help, "help"));

    draw_frame(d, 2560, 1440, false);
    for (int i = 0; i < count; i++)
        if (rows[i].footer && !was_drawn(d, rows[i].footer, "footer"))
            fail_msg("footer lacks \"%s\"", rows[i].footer);
    /* A pair hinted once: the second row of each pair has no hint, and the
     * first row's hint names its keys. */
    assert_true(was_drawn(d, "\xe2\x86\x91 \xe2\x86\x93 learning rate", "footer"));

    draw_frame(d, 800, 450, false);
    bool gap = false;
    int shown = 0;
    for (int i = 0; i < count; i++) {
        if (!rows[i].footer)
            continue;
        bool here = was_drawn(d, rows[i].footer, "footer");
        if (here && gap)
            fail_msg("footer skips a hint before \"%s\"", rows[i].footer);
        gap |= !here;
        shown += here;
    }
    assert_true(shown >= 3);  /* the first hints fit */
    assert_true(gap);         /* and not all of them in 800 pixels */
    to_close(d);
    free(d);
}

/* The same keys reaching a real worker change its state as the help says. */
static void test_keys_drive_a_worker(void **state)
{
    (void)state;
    lf_image images[1];
    assert_int_equal(lf_image_init(&images[0], 64, 64, NULL), LF_OK);
    for (int i = 0; i < 64 * 64; i++)
        images[0].pixels[i] = (float)((i * 37 % 101) / 100.0);
    app_setup s = {0};
    lf_dataset_options d = {.patch_size = 16, .validation_fraction = 0.25f, .seed = 1};
    assert_int_equal(lf_dataset_from_images(&s.dataset, images, 1, &d, NULL), LF_OK);
    lf_image_deinit(&images[0]);
    lf_kernel_from_name(&s.kernel, "sobel-x", 1, NULL);
    lf_trainer_options t = {.target = s.kernel, .seed = 1};
    s.trainer = lf_trainer_create(&t, &s.dataset, NULL);
    assert_non_null(s.trainer);
    worker *w = worker_create(&s, &(worker_options){0}, NULL);
    assert_non_null(w);
    ui_state ui = {0};
    worker_req r = expect_request(&ui, SDLK_SPACE, 0);
    assert_true(worker_request(w, &r));
    r = expect_request(&ui, SDLK_2, 0);
    assert_true(worker_request(w, &r));
    /* Both requests carried out: the frame published after them says so.
     * Bounded by the worker's work (the test's time-out is the guard),
     * not by a count of polls of the wall clock. */
    struct timespec pause = {0, 1000000};
    const worker_frame *f = worker_acquire_frame(w, NULL);
    while (f->requests_taken < 2) {
        nanosleep(&pause, NULL);
        f = worker_acquire_frame(w, NULL);
    }
    assert_int_equal(f->state, WORKER_PAUSED);
    assert_string_equal(f->snap.target.name, "sobel-y");
    worker_destroy(w);
    app_setup_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_training_keys),
        cmocka_unit_test(test_random_filters_keys),
        cmocka_unit_test(test_window_keys),
        cmocka_unit_test(test_mouse_and_drop),
        cmocka_unit_test(test_keys_drive_a_worker),
        cmocka_unit_test(test_every_key_in_the_table),
        cmocka_unit_test(test_table_feeds_help_and_footer),
    };
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}

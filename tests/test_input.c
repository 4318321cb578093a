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
        cmocka_unit_test(test_window_keys),
        cmocka_unit_test(test_mouse_and_drop),
        cmocka_unit_test(test_keys_drive_a_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

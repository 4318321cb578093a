/*
 * test_kernel_edit.c: setting kernel cells with the mouse. Clicks, typing
 * and drags at the cells' rectangles make the documented requests; a real
 * worker then has the learned weight set (and trains it back), or learns a
 * custom true kernel.
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
#include "kernel_edit.h"
#include "layout.h"
#include "render.h"
#include "setup.h"
#include "test_offscreen.h"

typedef struct fixture {
    to_view v;
    ui_state ui;
} fixture;

/* The kernel drawn paused, its learned cells 0, 0.1, 0.2, ... so that each
 * differs from the true one. */
static fixture *open_view(const char *kernel)
{
    fixture *f = calloc(1, sizeof *f);
    to_open(&f->v, 1280, 720, 1.0f, kernel, WORKER_PAUSED);
    lf_kernel *learned = &f->v.frame.snap.learned;
    for (int i = 0; i < learned->height * learned->width; i++)
        learned->weights[i] = 0.1f * (float)i;
    render_update_frame(f->v.view, &f->v.frame);
    render_view rv = {.frame = &f->v.frame, .fps = -1};
    render_draw(f->v.view, &f->v.L, &rv);
    f->ui.drawn = render_layout(f->v.view);
    f->ui.shown = &f->v.frame.snap;
    f->ui.buttons = render_buttons(f->v.view);
    return f;
}

static void close_view(fixture *f)
{
    to_close(&f->v);
    free(f);
}

/* The middle of a cell, in drawable pixels, from the layout drawn. */
static void cell_centre(const fixture *f, int panel, int row, int col, int *x, int *y)
{
    const lf_kernel *k = &f->v.frame.snap.target;
    layout_rect g = render_kernel_grid(render_layout(f->v.view)->panels[panel].plot, k->height,
                                       k->width);
    assert_true(g.w > 0);
    *x = g.x + (2 * col + 1) * g.w / (2 * k->width);
    *y = g.y + (2 * row + 1) * g.h / (2 * k->height);
}

static bool send(fixture *f, SDL_Event e, worker_req *r)
{
    memset(r, 0, sizeof *r);
    return input_handle_event(&f->ui, &e, 1.0f, r);
}

static SDL_Event mouse(Uint32 type, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = x;
        e.motion.y = y;
        e.motion.state = SDL_BUTTON_LMASK;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = x;
        e.button.y = y;
    }
    return e;
}

static SDL_Event key(SDL_Keycode sym)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    return e;
}

static void test_click_and_type(void **state)
{
    (void)state;
    fixture *f = open_view("sobel-x");
    worker_req r;
    int x, y;
    cell_centre(f, LAYOUT_LEARNED, 1, 2, &x, &y);
    assert_false(send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r));
    assert_false(send(f, mouse(SDL_MOUSEBUTTONUP, x, y), &r));
    assert_true(kernel_edit_typing(&f->ui.edit));
    /* Keys type into the field: N does not step, Esc does not quit. */
    const SDL_Keycode typed[] = {SDLK_MINUS, SDLK_0, SDLK_PERIOD, SDLK_7, SDLK_9, SDLK_BACKSPACE,
                                 SDLK_5, SDLK_n};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
        assert_false(send(f, key(typed[i]), &r));
    assert_string_equal(f->ui.edit.text, "-0.75");
    assert_true(send(f, key(SDLK_RETURN), &r));
    assert_int_equal(r.kind, WORKER_REQ_SET_WEIGHT);
    assert_int_equal(r.value, 1 * 3 + 2);
    assert_float_equal(r.factor, -0.75, 1e-9);
    assert_false(kernel_edit_typing(&f->ui.edit));
    /* Keys are keys again. */
    assert_true(send(f, key(SDLK_n), &r));
    assert_int_equal(r.kind, WORKER_REQ_STEP);

    /* Esc cancels; the window stays open. */
    cell_centre(f, LAYOUT_TRUE, 2, 0, &x, &y);
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    send(f, mouse(SDL_MOUSEBUTTONUP, x, y), &r);
    assert_int_equal(f->ui.edit.panel, LAYOUT_TRUE);
    assert_false(send(f, key(SDLK_3), &r));
    assert_false(send(f, key(SDLK_ESCAPE), &r));
    assert_false(f->ui.quit);
    assert_false(kernel_edit_typing(&f->ui.edit));
    /* Text that is no number sets nothing. */
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    send(f, mouse(SDL_MOUSEBUTTONUP, x, y), &r);
    assert_false(send(f, key(SDLK_MINUS), &r));
    assert_false(send(f, key(SDLK_RETURN), &r));
    assert_false(kernel_edit_typing(&f->ui.edit));
    /* A click elsewhere closes the field unset. */
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    send(f, mouse(SDL_MOUSEBUTTONUP, x, y), &r);
    send(f, key(SDLK_1), &r);
    assert_false(send(f, mouse(SDL_MOUSEBUTTONDOWN, 5, 300), &r));
    assert_false(kernel_edit_typing(&f->ui.edit));
    assert_false(send(f, key(SDLK_RETURN), &r));
    /* Outside the cells (the diff panel, the images) nothing starts. */
    cell_centre(f, LAYOUT_DIFF, 1, 1, &x, &y);
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    assert_int_equal(f->ui.edit.mode, KERNEL_EDIT_NONE);
    close_view(f);
}

static void test_drag(void **state)
{
    (void)state;
    fixture *f = open_view("sobel-x"); /* largest |weight| 2: a step of 0.02 per pixel */
    worker_req r;
    int x, y;
    cell_centre(f, LAYOUT_TRUE, 0, 0, &x, &y); /* holds -1 */
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    assert_false(send(f, mouse(SDL_MOUSEMOTION, x, y - 10), &r));
    assert_false(send(f, mouse(SDL_MOUSEMOTION, x, y - 30), &r));
    assert_int_equal(f->ui.edit.mode, KERNEL_EDIT_DRAGGING);
    assert_float_equal(f->ui.edit.value, -1 + 30 * 0.02, 1e-5);
    assert_true(send(f, mouse(SDL_MOUSEBUTTONUP, x, y - 30), &r));
    assert_int_equal(r.kind, WORKER_REQ_SET_TRUE_WEIGHT);
    assert_int_equal(r.value, 0);
    assert_float_equal(r.factor, -0.4, 1e-5);
    /* Down lowers the value; a learned cell (0.1 * 4 at the centre). */
    cell_centre(f, LAYOUT_LEARNED, 1, 1, &x, &y);
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    send(f, mouse(SDL_MOUSEMOTION, x, y + 25), &r);
    assert_true(send(f, mouse(SDL_MOUSEBUTTONUP, x, y + 25), &r));
    assert_int_equal(r.kind, WORKER_REQ_SET_WEIGHT);
    assert_int_equal(r.value, 4);
    assert_float_equal(r.factor, 0.4 - 25 * 0.02, 1e-5);
    /* A 7x7 kernel's cells are editable too; its step follows its scale
     * (box7's weights, 1/49, are below the least scale of 0.1: a step of
     * 0.001 per pixel, from 0.020 on that grid). */
    close_view(f);
    f = open_view("box7");
    cell_centre(f, LAYOUT_TRUE, 6, 3, &x, &y);
    send(f, mouse(SDL_MOUSEBUTTONDOWN, x, y), &r);
    send(f, mouse(SDL_MOUSEMOTION, x, y - 100), &r);
    assert_true(send(f, mouse(SDL_MOUSEBUTTONUP, x, y - 100), &r));
    assert_int_equal(r.value, 6 * 7 + 3);
    assert_float_equal(r.factor, 0.020 + 100 * 0.001, 1e-5);
    close_view(f);
}

/* A real worker: waits until it has carried out `count` requests. */
static const worker_frame *wait_taken(worker *w, unsigned long count)
{
    struct timespec pause = {0, 1000000};
    const worker_frame *f = worker_acquire_frame(w, NULL);
    while (f->requests_taken < count) {
        nanosleep(&pause, NULL);
        f = worker_acquire_frame(w, NULL);
    }
    return f;
}

static double rel_error(const float *w, const float *k, int n)
{
    double d = 0, s = 0;
    for (int i = 0; i < n; i++) {
        d += ((double)w[i] - k[i]) * ((double)w[i] - k[i]);
        s += (double)k[i] * k[i];
    }
    return sqrt(d / s);
}

static worker *start_worker(app_setup *s)
{
    lf_image images[1];
    assert_int_equal(lf_image_init(&images[0], 64, 64, NULL), LF_OK);
    for (int i = 0; i < 64 * 64; i++)
        images[0].pixels[i] = (float)((i * 37 % 101) / 100.0);
    lf_dataset_options d = {.patch_size = 16, .validation_fraction = 0.25f, .seed = 1};
    assert_int_equal(lf_dataset_from_images(&s->dataset, images, 1, &d, NULL), LF_OK);
    lf_image_deinit(&images[0]);
    lf_kernel_from_name(&s->kernel, "sobel-x", 1, NULL);
    lf_trainer_options t = {.target = s->kernel, .seed = 1};
    s->trainer = lf_trainer_create(&t, &s->dataset, NULL);
    assert_non_null(s->trainer);
    worker *w = worker_create(s, &(worker_options){.start_paused = true}, NULL);
    assert_non_null(w);
    return w;
}

static void test_worker_sets_learned_weight(void **state)
{
    (void)state;
    app_setup s = {0};
    worker *w = start_worker(&s);
    worker_req r = {.kind = WORKER_REQ_SET_WEIGHT, .value = 4, .factor = 3.0};
    assert_true(worker_request(w, &r));
    const worker_frame *f = wait_taken(w, 1);
    assert_float_equal(f->snap.learned.weights[4], 3.0, 0);
    assert_int_equal(f->snap.figures.step, 0);
    /* The kernel error says so at once. */
    assert_float_equal(f->snap.figures.rel_err,
                       rel_error(f->snap.learned.weights, f->snap.target.weights, 9), 1e-6);
    double perturbed = f->snap.figures.rel_err;
    /* Training brings it back: 300 steps later the centre weight (0 in
     * Sobel x) and the error are well down. */
    r = (worker_req){.kind = WORKER_REQ_STEP, .value = 300};
    assert_true(worker_request(w, &r));
    f = wait_taken(w, 2);
    assert_int_equal(f->snap.figures.step, 300);
    assert_true(fabsf(f->snap.learned.weights[4]) < 1.5f);
    assert_true(f->snap.figures.rel_err < perturbed * 0.7);
    /* The bias is the cell after the last; beyond it is refused. */
    r = (worker_req){.kind = WORKER_REQ_SET_WEIGHT, .value = 9, .factor = 0.25};
    assert_true(worker_request(w, &r));
    f = wait_taken(w, 3);
    assert_float_equal(f->snap.bias, 0.25, 0);
    r = (worker_req){.kind = WORKER_REQ_SET_WEIGHT, .value = 10, .factor = 1};
    assert_true(worker_request(w, &r));
    f = wait_taken(w, 4);
    assert_true(f->message_is_error);
    worker_destroy(w);
    app_setup_destroy(&s);
}

static void test_worker_makes_custom_kernel(void **state)
{
    (void)state;
    app_setup s = {0};
    worker *w = start_worker(&s);
    float sobel[9];
    memcpy(sobel, worker_acquire_frame(w, NULL)->snap.target.weights, sizeof sobel);
    worker_req r = {.kind = WORKER_REQ_STEP, .value = 20};
    assert_true(worker_request(w, &r));
    r = (worker_req){.kind = WORKER_REQ_SET_TRUE_WEIGHT, .value = 4, .factor = 0.5};
    assert_true(worker_request(w, &r));
    const worker_frame *f = wait_taken(w, 2);
    assert_string_equal(f->snap.target.name, "custom");
    assert_int_equal(f->kernel_index, -1);
    for (int i = 0; i < 9; i++)
        assert_float_equal(f->snap.target.weights[i], i == 4 ? 0.5f : sobel[i], 0);
    /* Training starts again, against the custom kernel. */
    assert_int_equal(f->snap.figures.step, 0);
    assert_float_equal(f->snap.figures.rel_err,
                       rel_error(f->snap.learned.weights, f->snap.target.weights, 9), 1e-6);
    r = (worker_req){.kind = WORKER_REQ_STEP, .value = 400};
    assert_true(worker_request(w, &r));
    f = wait_taken(w, 3);
    /* ... and learns it: the centre weight heads for 0.5. */
    assert_true(fabsf(f->snap.learned.weights[4] - 0.5f) < 0.25f);
    /* A second edit keeps the first. */
    r = (worker_req){.kind = WORKER_REQ_SET_TRUE_WEIGHT, .value = 0, .factor = -2};
    assert_true(worker_request(w, &r));
    f = wait_taken(w, 4);
    assert_float_equal(f->snap.target.weights[4], 0.5f, 0);
    assert_float_equal(f->snap.target.weights[0], -2.0f, 0);
    worker_destroy(w);
    app_setup_destroy(&s);
}

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_click_and_type),
        cmocka_unit_test(test_drag),
        cmocka_unit_test(test_worker_sets_learned_weight),
        cmocka_unit_test(test_worker_makes_custom_kernel),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}

/*
 * test_buttons.c: the training window's buttons. Each is drawn where
 * --layout-out says, a click at its rectangle makes the request its key
 * makes, a click elsewhere makes none, and a presentation clicker's keys
 * step and play.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buttons.h"
#include "input.h"
#include "keymap.h"
#include "layout.h"
#include "render.h"
#include "setup.h"
#include "test_offscreen.h"

typedef to_view fixture;

static fixture *open_view(int w, int h, float scale)
{
    fixture *f = calloc(1, sizeof *f);
    to_open(f, w, h, scale, "sobel-x", WORKER_RUNNING);
    return f;
}

static void draw(fixture *f, bool recording)
{
    render_view v = {.frame = &f->frame, .fps = -1, .recording = recording};
    render_draw(f->view, &f->L, &v);
}

static void close_view(fixture *f)
{
    to_close(f);
    free(f);
}

static SDL_Event click_at(int x, int y, Uint8 which)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = which;
    e.button.state = SDL_PRESSED;
    e.button.clicks = 1;
    e.button.x = x;
    e.button.y = y;
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

/* What each button must ask for, written out here rather than taken from
 * the key table: the request kind and value (factor for the rate), or a
 * window flag (record). */
typedef struct expected {
    const char *name;
    int kind; /* -1: no request, the record flag */
    int value;
    double factor;
} expected;

static const expected expectations[] = {
    {"pause", WORKER_REQ_PAUSE_TOGGLE, 0, 0},
    {"step", WORKER_REQ_STEP, 1, 0},
    {"reset", WORKER_REQ_RESET, 0, 0},
    {"slower", WORKER_REQ_SPEED, -1, 0},
    {"faster", WORKER_REQ_SPEED, +1, 0},
    {"rate_down", WORKER_REQ_LR_SCALE, 0, 0.31622776601683794},
    {"rate_up", WORKER_REQ_LR_SCALE, 0, 3.1622776601683795},
    {"optimizer", WORKER_REQ_OPTIMIZER, 0, 0},
    {"kernel_prev", WORKER_REQ_KERNEL_NEXT, -1, 0},
    {"kernel_next", WORKER_REQ_KERNEL_NEXT, +1, 0},
    {"record", -1, 0, 0},
};
#define EXPECTED_COUNT ((int)(sizeof expectations / sizeof expectations[0]))

/* Clicks the middle of every button of a w x h window and checks the
 * request; the mouse is given in window coordinates of win_w x win_h. */
static void click_every_button(int w, int h, float scale, int win_w, int win_h)
{
    fixture *f = open_view(w, h, scale);
    draw(f, false);
    const button_bar *bar = render_buttons(f->view);
    int shown = 0;
    for (int i = 0; i < EXPECTED_COUNT; i++) {
        const expected *x = &expectations[i];
        const button *b = buttons_find(bar, x->name);
        if (!b)
            fail_msg("no button %s", x->name);
        if (b->rect.w < 1)
            continue; /* left out for want of room */
        shown++;
        /* The button lies inside the bar, inside the window. */
        assert_true(b->rect.x >= f->L.buttons.x && b->rect.y >= f->L.buttons.y);
        assert_true(b->rect.x + b->rect.w <= w && b->rect.y + b->rect.h <= h);
        ui_state ui = {.buttons = bar, .window_w = win_w, .window_h = win_h, .draw_w = w,
                       .draw_h = h};
        int cx = (b->rect.x + b->rect.w / 2) * win_w / w, cy = (b->rect.y + b->rect.h / 2) * win_h / h;
        SDL_Event e = click_at(cx, cy, SDL_BUTTON_LEFT);
        worker_req r;
        memset(&r, 0, sizeof r);
        bool made = input_handle_event(&ui, &e, scale, &r);
        if (x->kind < 0) {
            assert_false(made);
            assert_true(ui.record_toggle);
            continue;
        }
        if (!made)
            fail_msg("clicking %s made no request", x->name);
        assert_int_equal(r.kind, x->kind);
        assert_int_equal(r.value, x->value);
        assert_float_equal(r.factor, x->factor, 1e-6);
        /* The right button does nothing. */
        e = click_at(cx, cy, SDL_BUTTON_RIGHT);
        assert_false(input_handle_event(&ui, &e, scale, &r));
    }
    /* At 1280x720 and more, every button has room. */
    if (w >= 1280 && scale <= 1.5f)
        assert_int_equal(shown, EXPECTED_COUNT);
    else if (f->L.buttons.h > 0)
        assert_true(shown >= 2);
    else
        assert_int_equal(shown, 0); /* no bar: a huge scale in a small window */
    close_view(f);
}

static void test_each_button_makes_its_request(void **state)
{
    (void)state;
    click_every_button(1280, 720, 1.0f, 1280, 720);
    click_every_button(1920, 1080, 1.5f, 1920, 1080);
    click_every_button(800, 450, 0.9f, 800, 450);
    /* A high-DPI screen: the mouse in window coordinates, half the pixels. */
    click_every_button(2560, 1440, 2.0f, 1280, 720);
    /* A bigger scale in a small window drops buttons rather than cut
     * them; a huge one leaves the bar out. */
    click_every_button(800, 450, 1.2f, 800, 450);
    click_every_button(800, 450, 2.5f, 800, 450);
}

/* A click makes exactly the request the button's key makes. */
static void test_click_equals_key(void **state)
{
    (void)state;
    fixture *f = open_view(1280, 720, 1.0f);
    draw(f, false);
    const button_bar *bar = render_buttons(f->view);
    int count;
    const keymap_entry *rows = keymap_entries(&count);
    for (int i = 0; i < bar->count; i++) {
        const button *b = &bar->items[i];
        const keymap_entry *row = NULL;
        for (int k = 0; k < count; k++)
            if (rows[k].action == b->action)
                row = &rows[k];
        assert_non_null(row);
        /* The label names the row's first key. */
        char name[16];
        buttons_key_name(b->action, name, sizeof name);
        assert_string_equal(b->key, name);
        assert_true(strncmp(row->keys_label, name, strlen(name)) == 0);
        ui_state by_key = {0}, by_click = {.buttons = bar};
        worker_req rk, rc;
        memset(&rk, 0, sizeof rk);
        memset(&rc, 0, sizeof rc);
        SDL_Event k = key(row->keys[0].sym);
        k.key.keysym.mod = row->keys[0].mods == KEYMAP_SHIFT ? KMOD_LSHIFT
                           : row->keys[0].mods == KEYMAP_CTRL ? KMOD_LCTRL
                                                               : 0;
        SDL_Event c = click_at(b->rect.x + 2, b->rect.y + 2, SDL_BUTTON_LEFT);
        bool a = input_handle_event(&by_key, &k, 1.0f, &rk);
        bool bb = input_handle_event(&by_click, &c, 1.0f, &rc);
        assert_int_equal(a, bb);
        if (a) {
            assert_int_equal(rk.kind, rc.kind);
            assert_int_equal(rk.value, rc.value);
            assert_true(rk.factor == rc.factor);
        }
        assert_int_equal(by_key.record_toggle, by_click.record_toggle);
    }
    close_view(f);
}

static void test_clicks_off_buttons_do_nothing(void **state)
{
    (void)state;
    fixture *f = open_view(1280, 720, 1.0f);
    draw(f, false);
    const button_bar *bar = render_buttons(f->view);
    ui_state ui = {.buttons = bar};
    worker_req r;
    int xs[] = {5, 640, 1275}, ys[] = {5, 300, f->L.buttons.y - 2, 719};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            SDL_Event e = click_at(xs[i], ys[j], SDL_BUTTON_LEFT);
            assert_false(input_handle_event(&ui, &e, 1.0f, &r));
        }
    /* The gap between two buttons of a group is no button. */
    const button *a = buttons_find(bar, "step"), *b = buttons_find(bar, "reset");
    assert_true(a->rect.x + a->rect.w < b->rect.x);
    SDL_Event e = click_at(a->rect.x + a->rect.w, a->rect.y + 3, SDL_BUTTON_LEFT);
    assert_false(input_handle_event(&ui, &e, 1.0f, &r));
    /* With the help open, the buttons are under it: no request. */
    ui.show_help = true;
    const button *p = buttons_find(bar, "pause");
    e = click_at(p->rect.x + 3, p->rect.y + 3, SDL_BUTTON_LEFT);
    assert_false(input_handle_event(&ui, &e, 1.0f, &r));
    assert_false(ui.record_toggle);
    close_view(f);
}

/* The labels follow the state: Play when paused, Stop when recording. */
static void test_labels_follow_state(void **state)
{
    (void)state;
    fixture *f = open_view(1280, 720, 1.0f);
    draw(f, false);
    assert_string_equal(buttons_find(render_buttons(f->view), "pause")->label, "Pause");
    assert_string_equal(buttons_find(render_buttons(f->view), "record")->label, "Record");
    f->frame.state = WORKER_PAUSED;
    draw(f, true);
    assert_string_equal(buttons_find(render_buttons(f->view), "pause")->label, "Play");
    assert_string_equal(buttons_find(render_buttons(f->view), "record")->label,
                        "Stop recording");
    close_view(f);
}

/* A presentation clicker: PageDown and B (or .) step, PageUp plays or
 * pauses. */
static void test_clicker_keys(void **state)
{
    (void)state;
    ui_state ui = {0};
    worker_req r;
    SDL_Event e = key(SDLK_PAGEDOWN);
    assert_true(input_handle_event(&ui, &e, 1.0f, &r));
    assert_int_equal(r.kind, WORKER_REQ_STEP);
    assert_int_equal(r.value, 1);
    e = key(SDLK_b);
    assert_true(input_handle_event(&ui, &e, 1.0f, &r));
    assert_int_equal(r.kind, WORKER_REQ_STEP);
    e = key(SDLK_PERIOD);
    assert_true(input_handle_event(&ui, &e, 1.0f, &r));
    assert_int_equal(r.kind, WORKER_REQ_STEP);
    e = key(SDLK_PAGEUP);
    assert_true(input_handle_event(&ui, &e, 1.0f, &r));
    assert_int_equal(r.kind, WORKER_REQ_PAUSE_TOGGLE);
    assert_false(ui.quit);
}

/* --layout-out lists the buttons drawn, the pause button by that name. */
static void test_layout_out_lists_buttons(void **state)
{
    (void)state;
    fixture *f = open_view(1280, 720, 1.0f);
    assert_true(render_record_layout(f->view, true));
    draw(f, false);
    char path[] = "/tmp/test_buttons_layout_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lf_error err;
    assert_true(render_write_layout(f->view, path, &err));
    FILE *in = fopen(path, "r");
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, in);
    text[n] = 0;
    fclose(in);
    remove(path);
    const button *p = buttons_find(render_buttons(f->view), "pause");
    char want[160];
    snprintf(want, sizeof want, "{\"name\": \"pause\", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d",
             p->rect.x, p->rect.y, p->rect.w, p->rect.h);
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "\"name\": \"kernel_next\""));
    close_view(f);
}

int main(void)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_button_makes_its_request),
        cmocka_unit_test(test_click_equals_key),
        cmocka_unit_test(test_clicks_off_buttons_do_nothing),
        cmocka_unit_test(test_labels_follow_state),
        cmocka_unit_test(test_clicker_keys),
        cmocka_unit_test(test_layout_out_lists_buttons),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    SDL_Quit();
    return failed;
}

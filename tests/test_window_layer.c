/*
 * test_window_layer.c: a convolution layer in the running window.
 *
 * A 2-filter colour layer trains for a bounded number of steps (60 steps/s
 * on the simulated clock, in lockstep with the worker); in the last frame
 * every kernel cell drawn must have the colour its published weight has on
 * the colour map, at a scale the test works out itself from the weights
 * (the true filter's largest |weight|, grown when a learned one goes 10%
 * beyond it, to a nice number). Then what a layer cannot do yet (the
 * frequency and bowl views, a race) must say so on screen, and nothing may
 * crash. A layer's rewind (J after a few steps) goes back to a stored step:
 * the weights published and drawn are those published at that step.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include "layer_layout.h"
#include "learnfilter/colormap.h"
#include "render.h"
#include "test_window_util.h"

#define W 1280
#define H 720
#define FRAMES 30

typedef struct seen {
    worker_layer first;   /* the weights of the second frame presented */
    worker_layer last;    /* and of the last */
    long last_step;
    int cells_checked, cells_wrong;
    char messages[16][256];
    int message_count;
} seen;

static float max_abs(const float *a, int n)
{
    float m = 0;
    for (int i = 0; i < n; i++)
        m = fmaxf(m, fabsf(a[i]));
    return m;
}

/* Compares the cells of one kernel square with their weights' colours. */
static void check_square(seen *s, const unsigned char *rgba, layout_rect square, const float *w,
                         int kh, int kw, float limit)
{
    layout_rect g = layout_grid_fit(square, kh, kw);
    assert_true(g.w >= kw && g.h >= kh);
    for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++) {
            int x = g.x + (2 * j + 1) * g.w / (2 * kw), y = g.y + (2 * i + 1) * g.h / (2 * kh);
            const unsigned char *p = rgba + ((size_t)y * W + x) * 4;
            lf_rgb want = lf_colormap_diverging(w[i * kw + j] / limit);
            s->cells_checked++;
            if (abs(p[0] - want.r) > 2 || abs(p[1] - want.g) > 2 || abs(p[2] - want.b) > 2) {
                s->cells_wrong++;
                print_message("cell (%d, %d) at %d,%d: drawn %d %d %d, weight %g wants %d %d %d\n",
                              i, j, x, y, p[0], p[1], p[2], w[i * kw + j], want.r, want.g,
                              want.b);
            }
        }
}

static void check_drawn_weights(seen *s, SDL_Renderer *renderer, const worker_frame *f,
                                const float *learned_weights);

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *message)
{
    seen *s = user;
    const worker_frame *f = wf;
    if (message && message[0] && s->message_count < 16 &&
        (s->message_count == 0 || strcmp(s->messages[s->message_count - 1], message)))
        snprintf(s->messages[s->message_count++], sizeof s->messages[0], "%s", message);
    if (frame == 1)
        s->first = f->layer;
    if (frame != FRAMES - 1)
        return;
    s->last = f->layer;
    s->last_step = f->snap.figures.step;
    check_drawn_weights(s, renderer, f, f->layer.learned);
}

/* Every kernel cell drawn against the colour of its weight: learned as
 * given (F, C, kh, kw), the true ones the frame's. */
static void check_drawn_weights(seen *s, SDL_Renderer *renderer, const worker_frame *f,
                                const float *learned_weights)
{
    const worker_layer *l = &f->layer;
    assert_true(l->active);
    static unsigned char rgba[W * H * 4];
    assert_int_equal(SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGBA32, rgba, W * 4), 0);
    /* Where the window puts the layer: its own layout for this size. */
    layout L;
    layout_compute(&L, W, H, 1.0f);
    layer_layout LL;
    layer_layout_compute(&LL, layer_layout_content(&L), l->filters, l->channels, 1.0f);
    assert_true(LL.side > 0);
    int n = l->channels * l->k_height * l->k_width, taps = l->k_height * l->k_width;
    for (int fi = 0; fi < l->filters; fi++) {
        const float *learned = learned_weights + (size_t)fi * n;
        const float *truth = f->snap.target.weights + (size_t)fi * n;
        float limit = (float)lf_scale_nice_limit(fmaxf(max_abs(truth, n), max_abs(learned, n) / 1.1f));
        for (int c = 0; c < l->channels; c++) {
            check_square(s, rgba, LL.learned[fi][c], learned + c * taps, l->k_height, l->k_width,
                         limit);
            check_square(s, rgba, LL.truth[fi][c], truth + c * taps, l->k_height, l->k_width,
                         limit);
        }
    }
}

static void test_panels_show_the_published_weights(void **state)
{
    (void)state;
    seen s = {0};
    window_hooks hooks = {.before_present = before_present, .user = &s, .lockstep = true};
    const char *args[] = {"--images", LF_SOURCE_DATA_DIR "/chelsea.jpg", "--size", "64",
                          "--color", "--kernel", "sobel-x,sobel-y", "--speed", "60",
                          "--frames", "30", "--width", "1280", "--height", "720",
                          "--scale", "1", "--optimizer", "adam", "--lr", "0.05",
                          "--engine", "direct"}; /* no statistics' progress dimming the run */
    assert_int_equal(tw_run(&hooks, NULL, args, (int)(sizeof args / sizeof args[0])), EXIT_OK);
    assert_true(s.last.active);
    assert_int_equal(s.last.filters, 2);
    assert_int_equal(s.last.channels, 3);
    /* Bounded by the frames: about a step a frame, and some were taken. */
    assert_true(s.last_step > 0 && s.last_step <= FRAMES + 2);
    /* 2 filters x 3 channels x (learned, true) x 9 cells, all as published. */
    assert_int_equal(s.cells_checked, 2 * 3 * 2 * 9);
    assert_int_equal(s.cells_wrong, 0);
    /* It trained: the published weights moved between the frames. */
    int moved = 0;
    for (int i = 0; i < 2 * 27; i++)
        moved += s.first.learned[i] != s.last.learned[i];
    assert_true(moved > 0);
}

/* Pushes keys, one a frame from the second. */
typedef struct keys {
    seen s;
    const char *const *names;
    int count;
} keys;

static void push_keys(void *user, long frame, SDL_Window *window)
{
    (void)window;
    keys *k = user;
    if (frame >= 1 && frame <= k->count) {
        const char *name = k->names[frame - 1];
        bool shift = !strncmp(name, "Shift+", 6);
        tw_push_key_mod(SDL_GetKeyFromName(shift ? name + 6 : name),
                        shift ? KMOD_LSHIFT : KMOD_NONE);
    }
}

static void messages_seen(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                          const char *message)
{
    (void)frame;
    (void)renderer;
    (void)wf;
    seen *s = &((keys *)user)->s;
    if (message && message[0] && s->message_count < 16 &&
        (s->message_count == 0 || strcmp(s->messages[s->message_count - 1], message)))
        snprintf(s->messages[s->message_count++], sizeof s->messages[0], "%s", message);
}

static bool said(const seen *s, const char *part)
{
    for (int i = 0; i < s->message_count; i++)
        if (strstr(s->messages[i], part))
            return true;
    return false;
}

/* Each key on its own run, so every message has the screen to itself. */
static void run_key(const char *name, keys *k)
{
    static const char *one[1];
    one[0] = name;
    memset(k, 0, sizeof *k);
    k->names = one;
    k->count = 1;
    window_hooks hooks = {.before_frame = push_keys, .before_present = messages_seen, .user = k,
                          .lockstep = true};
    const char *args[] = {"--images", LF_SOURCE_DATA_DIR "/chelsea.jpg", "--size", "64",
                          "--color", "--kernel", "sobel-x,sobel-y,laplacian", "--paused",
                          "--frames", "12"};
    assert_int_equal(tw_run(&hooks, NULL, args, (int)(sizeof args / sizeof args[0])), EXIT_OK);
}

/* Steps, then J: a layer's rewind goes back to a stored state, and the
 * panels' weights are then those published at that step. */
enum { REWIND_FRAMES = 10 };

typedef struct rewound {
    keys k;
    float at_step[8][54]; /* the layer's weights published at steps 0..7 */
    bool have[8];
    bool scrubbing;
    long step;
    float shown[54];
} rewound;

static void rewind_seen(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                        const char *message)
{
    rewound *r = user;
    const worker_frame *f = wf;
    messages_seen(&r->k, frame, renderer, wf, message);
    long step = f->snap.figures.step;
    if (!f->rewind.scrubbing && step >= 0 && step < 8 && !r->have[step]) {
        memcpy(r->at_step[step], f->layer.learned, sizeof r->at_step[step]);
        r->have[step] = true;
    }
    r->scrubbing = f->rewind.scrubbing;
    r->step = step;
    memcpy(r->shown, f->layer.learned, sizeof r->shown);
    /* The last frame, rewound: its cells drawn in the stored step's colours. */
    if (frame == REWIND_FRAMES - 1 && f->rewind.scrubbing && step >= 0 && step < 8 &&
        r->have[step])
        check_drawn_weights(&r->k.s, renderer, f, r->at_step[step]);
}

static void test_rewind_shows_the_stored_layer(void **state)
{
    (void)state;
    static rewound r;
    static const char *const presses[] = {"N", "N", "N", "N", "J"};
    memset(&r, 0, sizeof r);
    r.k.names = presses;
    r.k.count = 5;
    window_hooks hooks = {.before_frame = push_keys, .before_present = rewind_seen, .user = &r,
                          .lockstep = true};
    const char *args[] = {"--images", LF_SOURCE_DATA_DIR "/chelsea.jpg", "--size", "64",
                          "--color", "--kernel", "sobel-x,sobel-y", "--paused", "--frames", "10",
                          "--width", "1280", "--height", "720", "--scale", "1"};
    assert_int_equal(tw_run(&hooks, NULL, args, (int)(sizeof args / sizeof args[0])), EXIT_OK);
    assert_true(r.have[4]); /* four steps were shown */
    assert_false(said(&r.k.s, "rewind is off"));
    assert_true(r.scrubbing); /* J went back */
    assert_true(r.step >= 0 && r.step < 4);
    assert_true(r.have[r.step]);
    assert_memory_equal(r.shown, r.at_step[r.step], sizeof r.shown);
    assert_memory_not_equal(r.shown, r.at_step[4], sizeof r.shown);
    /* 2 filters x 3 channels x (learned, true) x 9 cells drawn, all in
     * the colours of the stored step's weights. */
    assert_int_equal(r.k.s.cells_checked, 2 * 3 * 2 * 9);
    assert_int_equal(r.k.s.cells_wrong, 0);
}

static void test_what_a_layer_cannot_do_says_so(void **state)
{
    (void)state;
    static keys k;
    run_key("F", &k);
    assert_true(said(&k.s, "off for a layer"));
    run_key("W", &k);
    assert_true(said(&k.s, "off for a layer"));
    run_key("C", &k);
    assert_true(said(&k.s, "cannot race"));
    /* These only have to work: the presentation layout, the random
     * filters, a kernel switch the layer refuses, a step, a new sample. */
    static const char *const others[] = {"V", "Shift+X", "Right", "N", "I", "M", "Escape"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        run_key(others[i], &k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panels_show_the_published_weights),
        cmocka_unit_test(test_what_a_layer_cannot_do_says_so),
        cmocka_unit_test(test_rewind_shows_the_stored_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_soak_window.c: the window cannot be broken by what a user can do.
 *
 * The whole program's window runs under SDL's dummy video driver, training,
 * while a hook pushes random events every frame for a bounded time: keys
 * (every key of the map, with and without Shift and Ctrl, some as
 * auto-repeats; never the ones that quit), dropped files (good and corrupt
 * images, good and bad kernel files, an empty folder, a folder of photos, a
 * missing path), resizes and fullscreen toggles, recording (G) and
 * screenshots (P). Then it closes the window and checks:
 *
 *   - every request the keys and drops made reached the worker's queue,
 *     and the worker carried out every one, once, in the order sent (the
 *     count it echoes in each frame never goes back, and ends equal);
 *
 * Like a user who waits when the program is busy, the soak sends requests
 * only while fewer than SOAK_MAX_OUTSTANDING are waiting (the worker can be
 * slow: a kernel switch recomputes statistics over the whole dataset, and a
 * drop loads photos); meanwhile it sends events the window handles alone
 * (help, scale, mouse, keys without a meaning). So no request is refused
 * for a full queue, and each one can be checked.
 *   - no frame put a non-finite weight or figure on the screen;
 *   - the program ended with exit code 0 (and, in the sanitizer builds, no
 *     leak, no race, no undefined behaviour: those abort the test).
 *
 * LF_SOAK_SECONDS sets the duration (default 3; scripts/test runs 20 under
 * ThreadSanitizer), LF_SOAK_SEED the random sequence (default 1). The
 * figures are printed as one line for the record.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "cli.h"
#include "input.h"
#include "learnfilter/png.h"
#include "learnfilter/rng.h"
#include "test_util.h"
#include "window.h"
#include "worker.h"

#define SOAK_EVENTS_PER_FRAME 20
/* The soak lasts its time and at least this many frames, so what it checks
 * (more than 10 frames, more than 100 keys) holds however slow the machine. */
#define SOAK_MIN_FRAMES 20
#define SOAK_PATHS 9
/* Checked before each event; one event adds at most 8 requests (a burst),
 * so the queue never holds more than half its room. */
#define SOAK_MAX_OUTSTANDING (WORKER_QUEUE_SIZE / 2 - 8)

typedef struct soak {
    double seconds, start;
    lf_rng rng;
    char paths[SOAK_PATHS][512];
    bool quit_sent;
    /* counted by the hook */
    long keys, drops, resizes, fullscreens, mouse_moves;
    long expected_requests;  /* what input_handle_event turns into requests */
    long nonfinite_frames;   /* frames that would have shown a non-finite number */
    long diverged_frames;
    long frames_seen;
    unsigned long taken_echo;  /* requests carried out, as the last frame said */
    long echo_went_back;       /* frames whose echo was below the one before */
} soak;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int pick(soak *s, int n) { return (int)(lf_rng_uniform(&s->rng) * n) % n; }

/* Counts the event as a request if the window's own key map makes one of
 * it: the map is the oracle, what is checked is the delivery. */
static void push(soak *s, SDL_Event *e)
{
    ui_state scratch = {0};
    worker_req req;
    if (input_handle_event(&scratch, e, 1.0f, &req))
        s->expected_requests++;
    SDL_PushEvent(e);
}

static void push_random_key(soak *s)
{
    static const SDL_Keycode keys[] = {
        SDLK_SPACE, SDLK_n,     SDLK_PERIOD, SDLK_r,  SDLK_LEFT,        SDLK_RIGHT,
        SDLK_UP,    SDLK_DOWN,  SDLK_o,      SDLK_PLUS, SDLK_EQUALS,    SDLK_MINUS,
        SDLK_i,     SDLK_h,     SDLK_F1,     SDLK_1,  SDLK_5,           SDLK_9,
        SDLK_KP_3,  SDLK_LEFTBRACKET, SDLK_RIGHTBRACKET, SDLK_0, SDLK_a, SDLK_F11,
        SDLK_g,     SDLK_p,
    };
    int n = (int)(sizeof keys / sizeof keys[0]);
    SDL_Keycode key = keys[pick(s, n)];
    /* Recording and screenshots are slower work: rarer, like a user's. */
    if ((key == SDLK_g || key == SDLK_p || key == SDLK_F11) && pick(s, 8) != 0)
        key = SDLK_n;
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.keysym.sym = key;
    e.key.state = SDL_PRESSED;
    e.key.repeat = pick(s, 5) == 0;
    /* Shift often; Ctrl (UI scale with + - 0, which rebuilds the glyph
     * atlases) seldom. */
    int m = pick(s, 80);
    e.key.keysym.mod = m < 8 ? KMOD_LSHIFT : m == 8 ? KMOD_LCTRL : KMOD_NONE;
    s->keys++;
    if (key == SDLK_F11)
        s->fullscreens++;
    push(s, &e);
}

/* An event the window handles without the worker. */
static void push_window_only(soak *s)
{
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.state = SDL_PRESSED;
    /* A new UI scale rebuilds every glyph atlas, a real cost for a key a
     * user presses now and then: rarely here too. */
    int what = pick(s, 40) == 0 ? 3 : pick(s, 5);
    switch (what) {
    case 0: e.key.keysym.sym = SDLK_h; break;
    case 1: e.key.keysym.sym = SDLK_F1; break;
    case 2: e.key.keysym.sym = SDLK_a; break;
    case 3:
        e.key.keysym.sym = pick(s, 3) == 0 ? SDLK_0 : pick(s, 2) ? SDLK_EQUALS : SDLK_MINUS;
        e.key.keysym.mod = KMOD_LCTRL;
        break;
    default:
        e.type = SDL_MOUSEMOTION;
        e.motion.x = pick(s, 1280);
        e.motion.y = pick(s, 720);
        s->mouse_moves++;
        push(s, &e);
        return;
    }
    s->keys++;
    push(s, &e);
}

static void push_random_drop(soak *s)
{
    SDL_Event e = {.type = SDL_DROPFILE};
    e.drop.file = SDL_strdup(s->paths[pick(s, SOAK_PATHS)]);
    s->drops++;
    push(s, &e);
}

static void before_frame(void *user, long frame, SDL_Window *window)
{
    (void)frame;
    soak *s = user;
    if (s->quit_sent)
        return;
    if (frame == 0) /* the clock starts with the window, not with loading the photos */
        s->start = now_seconds();
    if (now_seconds() - s->start >= s->seconds && frame >= SOAK_MIN_FRAMES) {
        SDL_Event e = {.type = SDL_QUIT};
        SDL_PushEvent(&e);
        s->quit_sent = true;
        return;
    }
    for (int i = 0; i < SOAK_EVENTS_PER_FRAME; i++) {
        int what = pick(s, 100);
        if ((unsigned long)s->expected_requests - s->taken_echo >= SOAK_MAX_OUTSTANDING) {
            push_window_only(s);
        } else if (what < 3) {
            push_random_drop(s);
        } else if (what < 4) {
            SDL_SetWindowSize(window, 480 + pick(s, 1000), 320 + pick(s, 600));
            s->resizes++;
        } else if (what < 5) {
            /* A burst of Up: the rate runs away and training diverges, to
             * be brought back by later Down or R presses. */
            for (int k = 0; k < 8; k++) {
                SDL_Event e = {.type = SDL_KEYDOWN};
                e.key.keysym.sym = SDLK_UP;
                e.key.state = SDL_PRESSED;
                s->keys++;
                push(s, &e);
            }
        } else {
            push_random_key(s);
        }
    }
}

static bool finite_frame(const worker_frame *f)
{
    const lf_snapshot *snap = &f->snap;
    for (int i = 0; i < snap->learned.height * snap->learned.width; i++)
        if (!isfinite(snap->learned.weights[i]))
            return false;
    return isfinite(snap->bias) != 0; /* losses not known yet are NaN, drawn as a dash */
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)frame;
    (void)renderer;
    soak *s = user;
    (void)shown;
    const worker_frame *f = wf;
    s->frames_seen++;
    if (f->requests_taken < s->taken_echo)
        s->echo_went_back++;
    s->taken_echo = f->requests_taken;
    if (!finite_frame(f))
        s->nonfinite_frames++;
    if (f->state == WORKER_DIVERGED)
        s->diverged_frames++;
}

static void write_photo(const char *path, int side)
{
    uint8_t *pixels = malloc((size_t)side * side * 4);
    for (int i = 0; i < side * side; i++) {
        int x = i % side, y = i / side;
        pixels[4 * i] = (uint8_t)(x * 3 + y);
        pixels[4 * i + 1] = (uint8_t)((x ^ y) & 255);
        pixels[4 * i + 2] = (uint8_t)(y * 2);
        pixels[4 * i + 3] = 255;
    }
    assert_int_equal(lf_png_write_rgba(path, pixels, side, side, side * 4, NULL), LF_OK);
    free(pixels);
}

static void test_soak(void **state)
{
    (void)state;
    soak s = {0};
    const char *env = getenv("LF_SOAK_SECONDS");
    s.seconds = env && atof(env) > 0 ? atof(env) : 3.0;
    env = getenv("LF_SOAK_SEED");
    lf_rng_seed(&s.rng, env ? strtoull(env, NULL, 10) : 1);

    char dir[64], record[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(record, sizeof record, "%s/record", dir);
    mkdir(record, 0755);
    /* good and bad things to drop */
    snprintf(s.paths[0], 512, "%s/photo.png", dir);
    write_photo(s.paths[0], 300);
    snprintf(s.paths[1], 512, "%s/corrupt.png", dir);
    tu_write_file(s.paths[1], "\x89PNG\r\n\x1a\nnot really", 18);
    snprintf(s.paths[2], 512, "%s/corrupt.jpg", dir);
    tu_write_file(s.paths[2], "\xff\xd8\xff\xe0 truncated", 15);
    snprintf(s.paths[3], 512, "%s/kernel.txt", dir);
    tu_write_file(s.paths[3], "1 0 -1\n2 0 -2\n1 0 -1\n", 21);
    snprintf(s.paths[4], 512, "%s/bad-kernel.txt", dir);
    tu_write_file(s.paths[4], "1 2 x\n3\n", 8);
    snprintf(s.paths[5], 512, "%s/empty", dir);
    mkdir(s.paths[5], 0755);
    snprintf(s.paths[6], 512, "%s/photos", dir);
    mkdir(s.paths[6], 0755);
    char one[600];
    snprintf(one, sizeof one, "%s/a.png", s.paths[6]);
    write_photo(one, 320);
    snprintf(s.paths[7], 512, "%s/missing/nothing.png", dir);
    snprintf(s.paths[8], 512, "%s/kernel.npy", dir);
    tu_write_file(s.paths[8], "\x93NUMPY garbage", 14);

    /* A smaller window than the default draws faster under the sanitizers,
     * so more events go through in the time; resizes make it larger. */
    char *argv[] = {"learnfilter", "--frames", "1000000", "--record-dir", record, "--size", "64",
                    "--width", "800", "--height", "500", NULL};
    cli_options o;
    assert_true(cli_parse(11, argv, &o, NULL));
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = &s};
    window_report rep;
    assert_int_equal(window_run_with(&o, &hooks, &rep), EXIT_OK);
    double took = now_seconds() - s.start;

    printf("soak: %.1f s, %ld frames, %ld events (%ld keys, %ld drops, %ld resizes, "
           "%ld mouse moves; %ld fullscreen toggles among the keys), %ld requests: "
           "%lu queued, %lu refused (queue full), %lu carried out, %lu out of order; "
           "%ld steps; %ld diverged frames, %ld non-finite; movies %ld written / %ld failed, "
           "%ld frames (%ld dropped); screenshots %ld / %ld\n",
           took, rep.frames, s.keys + s.drops + s.resizes + s.mouse_moves, s.keys, s.drops,
           s.resizes, s.mouse_moves, s.fullscreens, s.expected_requests, rep.requests_queued,
           rep.requests_refused, rep.requests_taken, rep.requests_misordered, rep.steps,
           s.diverged_frames, s.nonfinite_frames, rep.capture.movies_written,
           rep.capture.movies_failed, rep.capture.frames_taken, rep.capture.frames_dropped,
           rep.capture.screenshots_written, rep.capture.screenshots_failed);
    assert_true(s.quit_sent);
    assert_true(took < s.seconds + 30);
    assert_true(rep.frames > 10);
    assert_true(s.keys > 100);
    assert_int_equal(rep.requests_refused, 0);
    assert_int_equal(rep.requests_queued, (unsigned long)s.expected_requests);
    assert_int_equal(s.echo_went_back, 0);
    assert_int_equal(rep.requests_taken, rep.requests_queued);
    assert_int_equal(rep.requests_misordered, 0);
    assert_int_equal(s.nonfinite_frames, 0);
    assert_int_equal(rep.capture.movies_failed, 0);
    assert_int_equal(rep.capture.screenshots_failed, 0);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

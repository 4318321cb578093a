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
 *   - training diverged on some frames (the bursts of Up see to it) and
 *     came back from it (a later frame was not diverged): random Down and
 *     R presses may bring it back, and a few frames after each sure
 *     divergence an R does, on a frame that waits for the worker.
 *
 * The requests expected are counted by the soak's own table of what each
 * key does (from the README's key table), not by the input handler under
 * test. The window runs on a simulated clock (clock.h): each frame is 1/60 s
 * of simulated time however long it took, so what is checked depends on
 * the events sent, never on the machine's speed.
 *
 * LF_SOAK_EVENTS sets how many events are sent (default 3,000; scripts/test
 * sends more under ThreadSanitizer), LF_SOAK_SEED the random sequence
 * (default 1). The figures are printed as one line for the record.
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
#include <cmocka.h>

#include "input.h"
#include "learnfilter/png.h"
#include "learnfilter/rng.h"
#include "test_util.h"
#include "test_window_util.h"
#include "worker.h"

#define SOAK_EVENTS_PER_FRAME 20
#define SOAK_PATHS 9
/* Checked before each event; one event adds at most 8 requests (a burst),
 * and a divergence (below) 25, so the queue never fills. */
#define SOAK_MAX_OUTSTANDING (WORKER_QUEUE_SIZE / 2 - 8)

typedef struct soak {
    long events_wanted;
    lf_rng rng;
    char paths[SOAK_PATHS][512];
    bool quit_sent;
    /* counted by the hook */
    long keys, drops, resizes, fullscreens, mouse_moves, events;
    long expected_requests;  /* what input_handle_event turns into requests */
    long nonfinite_frames;   /* frames that would have shown a non-finite number */
    long diverged_frames;
    long recovered_frames;    /* frames not diverged that follow a diverged one */
    bool was_diverged;
    long event_frames;        /* frames on which events were sent */
    long quiet_until;         /* frames before it send only window-only events */
    long next_divergence;     /* the first frame the next divergence may be sent on */
    long recover_at;          /* the frame that sends R after a divergence; 0: none due */
    long divergences_sent;
    long settle_until;        /* frames before it, after an R, wait for the worker */
    window_hooks *hooks;      /* the soak's own: lockstep is switched per frame */
    long frames_seen;
    unsigned long taken_echo;  /* requests carried out, as the last frame said */
    long echo_went_back;       /* frames whose echo was below the one before */
} soak;

static int pick(soak *s, int n) { return (int)(lf_rng_uniform(&s->rng) * n) % n; }

/* Whether a key press makes a worker request, from the README's key table
 * rather than from input.c: Ctrl+key is the UI scale or quit; digits pick a
 * kernel; Space, R and O act once per press (an auto-repeat does nothing);
 * N . E, the arrows, [ ], + = -, I act on every repeat too; H, F1, F11, G,
 * P and keys without a meaning are the window's own. */
static bool key_makes_request(SDL_Keycode key, Uint16 mod, bool repeat)
{
    if (mod & (KMOD_CTRL | KMOD_GUI))
        return false;
    if ((key >= SDLK_1 && key <= SDLK_9) || (key >= SDLK_KP_1 && key <= SDLK_KP_9))
        return !repeat;
    static const SDL_Keycode once[] = {SDLK_SPACE, SDLK_r, SDLK_o};
    static const SDL_Keycode every[] = {SDLK_n,     SDLK_PERIOD, SDLK_e,           SDLK_LEFT,
                                        SDLK_RIGHT, SDLK_UP,     SDLK_DOWN,        SDLK_LEFTBRACKET,
                                        SDLK_RIGHTBRACKET, SDLK_PLUS, SDLK_EQUALS, SDLK_KP_PLUS,
                                        SDLK_MINUS, SDLK_KP_MINUS, SDLK_i};
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++)
        if (key == once[i])
            return !repeat;
    for (size_t i = 0; i < sizeof every / sizeof every[0]; i++)
        if (key == every[i])
            return true;
    return false;
}

/* Counts the event as a request when the table above (or a drop, which
 * always loads) says it makes one. */
static void push(soak *s, SDL_Event *e)
{
    if ((e->type == SDL_KEYDOWN &&
         key_makes_request(e->key.keysym.sym, e->key.keysym.mod, e->key.repeat != 0)) ||
        e->type == SDL_DROPFILE)
        s->expected_requests++;
    s->events++;
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
     * user presses now and then (about a quarter of a second of drawing):
     * rarely here too, about once in twenty frames. */
    int what = pick(s, 400) == 0 ? 3 : pick(s, 5);
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

static void push_key(soak *s, SDL_Keycode key, Uint16 mod)
{
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.keysym.sym = key;
    e.key.keysym.mod = mod;
    e.key.state = SDL_PRESSED;
    s->keys++;
    push(s, &e);
}

static void before_frame(void *user, long frame, SDL_Window *window)
{
    (void)frame;
    soak *s = user;
    if (s->quit_sent)
        return;
    /* Lockstep with the worker (the frame waits for it) only on the frames
     * of a divergence and of its recovery; every other frame races the
     * worker, as for users. */
    s->hooks->lockstep = false;
    bool outstanding_low =
        (unsigned long)s->expected_requests - s->taken_echo < SOAK_MAX_OUTSTANDING;
    bool budget_spent = s->events >= s->events_wanted;
    /* A divergence and its recovery are due at set frames, and at the end
     * if none was sent yet. While one is due the soak sends nothing the
     * worker takes, so a slow worker (a kernel switch under a sanitizer)
     * catches up and the queue has room: each is sent whatever the
     * machine's speed. */
    if (frame < s->settle_until) {
        /* Just after the R: these frames wait for the worker too, so the
         * restarted run is on screen before anything else happens (and
         * before the soak may end). */
        s->hooks->lockstep = true;
        return;
    }
    bool recovery_due = s->recover_at && frame >= s->recover_at;
    bool divergence_due = !s->recover_at && frame >= s->next_divergence &&
                          (budget_spent ? !s->divergences_sent : frame % 25 >= 10);
    if (!s->recover_at && !divergence_due && budget_spent) {
        tw_push_quit();
        s->quit_sent = true;
        return;
    }
    if ((recovery_due || divergence_due) && !outstanding_low) {
        s->hooks->lockstep = true; /* wait for the worker rather than spin frames */
        if (!budget_spent)
            for (int i = 0; i < SOAK_EVENTS_PER_FRAME; i++)
                push_window_only(s);
        return;
    }
    if (recovery_due) {
        /* The way back, whatever the random keys did meanwhile: R restarts
         * a diverged run at its starting rate. This frame waits for the
         * worker too, so it shows the run restarted. */
        s->hooks->lockstep = true;
        s->recover_at = 0;
        s->settle_until = frame + 4;
        push_key(s, SDLK_r, 0);
        return;
    }
    s->event_frames++;
    if (divergence_due) {
        /* Now and then a sure divergence: the rate to its ceiling from any
         * rate, and a step. This frame waits for the worker, so it shows
         * the divergence whatever the machine's speed, and the next frames
         * send nothing the worker takes. */
        s->hooks->lockstep = true;
        s->divergences_sent++;
        s->next_divergence = frame + 25 - frame % 25 + 10;
        for (int k = 0; k < 20; k++)
            push_key(s, SDLK_UP, 0);
        for (int k = 0; k < 5; k++) /* Shift+N: ten steps each, until it runs away */
            push_key(s, SDLK_n, KMOD_LSHIFT);
        s->quiet_until = frame + 3;
        s->recover_at = frame + 5;
        if (!budget_spent)
            for (int i = 0; i < SOAK_EVENTS_PER_FRAME; i++)
                push_window_only(s);
        return;
    }
    for (int i = 0; i < SOAK_EVENTS_PER_FRAME; i++) {
        int what = pick(s, 100);
        if (frame < s->quiet_until) {
            push_window_only(s);
            continue;
        }
        if ((unsigned long)s->expected_requests - s->taken_echo >= SOAK_MAX_OUTSTANDING) {
            push_window_only(s);
        } else if (what < 3) {
            push_random_drop(s);
        } else if (what < 4) {
            SDL_SetWindowSize(window, 480 + pick(s, 1000), 320 + pick(s, 600));
            s->resizes++;
            s->events++;
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
    else if (s->was_diverged)
        s->recovered_frames++;
    s->was_diverged = f->state == WORKER_DIVERGED;
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
    const char *env = getenv("LF_SOAK_EVENTS");
    s.events_wanted = env && atol(env) > 0 ? atol(env) : 3000;
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
    const char *args[] = {"--frames", "1000000", "--record-dir", record, "--size", "64",
                          "--width", "800", "--height", "500"};
    /* Its own simulated clock, to say how much time the soak covered. */
    app_fake_clock clock;
    app_fake_clock_init(&clock, 0);
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = &s, .clock = app_fake_clock_get(&clock)};
    s.hooks = &hooks;
    window_report rep;
    assert_int_equal(tw_run(&hooks, &rep, args, 10), EXIT_OK);
    double took = app_fake_clock_read(&clock) * 1e-9;
    app_fake_clock_deinit(&clock);

    printf("soak: %.1f simulated s, %ld frames, %ld events (%ld keys, %ld drops, %ld resizes, "
           "%ld mouse moves; %ld fullscreen toggles among the keys), %ld requests: "
           "%lu queued, %lu refused (queue full), %lu carried out, %lu out of order; "
           "%ld steps; %ld diverged frames, %ld recovered, %ld non-finite; movies %ld written / %ld failed, "
           "%ld frames (%ld dropped); screenshots %ld / %ld\n",
           took, rep.frames, s.keys + s.drops + s.resizes + s.mouse_moves, s.keys, s.drops,
           s.resizes, s.mouse_moves, s.fullscreens, s.expected_requests, rep.requests_queued,
           rep.requests_refused, rep.requests_taken, rep.requests_misordered, rep.steps,
           s.diverged_frames, s.recovered_frames, s.nonfinite_frames, rep.capture.movies_written,
           rep.capture.movies_failed, rep.capture.frames_taken, rep.capture.frames_dropped,
           rep.capture.screenshots_written, rep.capture.screenshots_failed);
    assert_true(s.quit_sent);
    assert_true(s.events >= s.events_wanted);
    /* Every frame that sent events was drawn, and one more to quit. */
    assert_true(rep.frames > s.event_frames);
    assert_true(s.keys > s.events_wanted / 2);
    /* Bursts of Up diverge training, and R, Down or a new kernel bring it
     * back. */
    assert_true(s.diverged_frames > 0);
    assert_true(s.recovered_frames > 0);
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

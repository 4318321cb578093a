/*
 * test_window_util.h: the harness the window tests share for running the
 * whole program's window under SDL's dummy video driver.
 *
 * A test parses a command line as main() would, runs window_run_with on a
 * simulated clock (one frame is 1/60 s of training, of movie and of
 * messages on any machine), and from its hooks pushes the events a user
 * makes: key presses, drops, mouse moves, a close. Files the window writes
 * are read back with tw_load_png and tw_only_file (and test_util.h's
 * tu_read_file).
 *
 * Usage:
 *   window_hooks hooks = {.before_frame = push_things, .user = &mine, .lockstep = true};
 *   window_report rep;
 *   const char *args[] = {"--frames", "60", "--paused"};
 *   assert_int_equal(tw_run(&hooks, &rep, args, 3), EXIT_OK);
 *
 * A scripted run (tw_script) does both at once: its actions say what to
 * push on which frame, and it keeps what every presented frame showed
 * (step, state, kernels, the message), in lockstep with the worker, so what
 * a frame shows follows from the frames and events alone.
 *
 * Include after <cmocka.h> (its asserts are used here).
 */
#ifndef LEARNFILTER_TEST_WINDOW_UTIL_H
#define LEARNFILTER_TEST_WINDOW_UTIL_H

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "cli.h"
#include "clock.h"
#include "test_util.h"
#include "window.h"
#include "worker.h"

#define TW_MAX_ARGS 31 /* options after the program's name */

unsigned char *stbi_load_from_memory(const unsigned char *buffer, int len, int *x, int *y,
                                     int *channels_in_file, int desired_channels);
void stbi_image_free(void *retval_from_stbi_load);

/* A key pressed (not an auto-repeat) with the modifiers mod. */
static inline void tw_push_key_mod(SDL_Keycode key, Uint16 mod)
{
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.keysym.sym = key;
    e.key.keysym.mod = mod;
    e.key.state = SDL_PRESSED;
    SDL_PushEvent(&e);
}

static inline void tw_push_key(SDL_Keycode key) { tw_push_key_mod(key, KMOD_NONE); }

/* A file or folder dropped on the window (SDL frees the copy). */
static inline void tw_push_drop(const char *path)
{
    SDL_Event e = {.type = SDL_DROPFILE};
    e.drop.file = SDL_strdup(path);
    SDL_PushEvent(&e);
}

/* The mouse moved to (x, y) in window coordinates. */
static inline void tw_push_mouse(int x, int y)
{
    SDL_Event e = {.type = SDL_MOUSEMOTION};
    e.motion.x = x;
    e.motion.y = y;
    SDL_PushEvent(&e);
}

/* The window closed, as by its close button. */
static inline void tw_push_quit(void)
{
    SDL_Event e = {.type = SDL_QUIT};
    SDL_PushEvent(&e);
}

/* Runs the window with args (n of them, after the program's name) and the
 * hooks (may be NULL), on a simulated clock unless the hooks bring their
 * own; returns the program's exit code and fills report (may be NULL). The
 * command line must parse. The hooks are used in place, so a hook may
 * change them while the window runs (the soak switches lockstep per
 * frame). */
static inline int tw_run(window_hooks *hooks, window_report *report, const char *const *args,
                         int n)
{
    assert_true(n >= 0 && n <= TW_MAX_ARGS);
    char *argv[TW_MAX_ARGS + 2] = {"learnfilter"};
    for (int i = 0; i < n; i++)
        argv[1 + i] = (char *)args[i];
    cli_options o;
    lf_error err = {0};
    if (!cli_parse(n + 1, argv, &o, &err))
        fail_msg("command line refused: %s", err.message);
    app_fake_clock clock;
    app_fake_clock_init(&clock, 0);
    window_hooks none = {0};
    window_hooks *h = hooks ? hooks : &none;
    bool own_clock = !h->clock.now_ns;
    if (own_clock)
        h->clock = app_fake_clock_get(&clock);
    int code = window_run_with(&o, h, report);
    if (own_clock)
        h->clock = (app_clock){0};
    app_fake_clock_deinit(&clock);
    return code;
}

/* A PNG the window wrote, as RGBA: fails the test when it cannot be read.
 * Free with stbi_image_free. */
static inline unsigned char *tw_load_png(const char *path, int *w, int *h)
{
    size_t size = 0;
    unsigned char *bytes = (unsigned char *)tu_read_file(path, &size);
    if (!bytes)
        fail_msg("%s: cannot read", path);
    int channels;
    unsigned char *rgba = stbi_load_from_memory(bytes, (int)size, w, h, &channels, 4);
    free(bytes);
    if (!rgba)
        fail_msg("%s: not a PNG", path);
    return rgba;
}

/* The one file in dir whose name ends in ext, or "" when there is not
 * exactly one. */
static inline void tw_only_file(const char *dir, const char *ext, char *out, size_t size)
{
    out[0] = 0;
    int found = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name), el = strlen(ext);
        if (len > el && !strcmp(e->d_name + len - el, ext)) {
            found++;
            snprintf(out, size, "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    if (found != 1)
        out[0] = 0;
}

/* ------------------------------------------------------ scripted runs */

#define TW_MAX_ACTIONS 16
#define TW_SEEN_WEIGHTS (LF_KERNEL_MAX_SIDE * 4) /* the first weights are enough to tell */

/* What one presented frame showed. */
typedef struct tw_seen {
    bool drawn;            /* frames with nothing new are not drawn again */
    long step;
    unsigned generation, message_serial;
    worker_state state;
    bool message_is_error;
    bool finite;           /* every weight and the bias drawn as a number */
    float target[TW_SEEN_WEIGHTS];
    int target_h, target_w;
    float learned[TW_SEEN_WEIGHTS];
    int out_w, out_h;      /* the renderer's size */
    bool fullscreen;       /* the window, as the frame began */
    /* The loss chart's data: the smallest and largest positive loss of
     * both curves (lo > hi when none) and the last step with a point. */
    double loss_lo, loss_hi;
    long last_point_step;
    char message[WORKER_MESSAGE_MAX];
    char shown[WORKER_MESSAGE_MAX + 32]; /* the message on screen, "" when none */
} tw_seen;

/* What to push on a frame: a drop, a key (times times, with mod), a mouse
 * move or a close. */
typedef struct tw_action {
    long frame;
    const char *drop;
    SDL_Keycode key;
    Uint16 mod;
    int times;             /* 0 or 1: once */
    bool mouse;            /* move the mouse to (x, y) */
    int x, y;
    bool quit;
} tw_action;

typedef struct tw_script {
    tw_action actions[TW_MAX_ACTIONS];
    tw_seen *seen;         /* max_frames of them: tw_script_run allocates */
    long max_frames;
    long frames;           /* frames presented up to the last */
    window_report report;
} tw_script;

static inline void tw_script_before_frame(void *user, long frame, SDL_Window *window)
{
    tw_script *r = user;
    if (frame >= 0 && frame < r->max_frames)
        r->seen[frame].fullscreen = (SDL_GetWindowFlags(window) & SDL_WINDOW_FULLSCREEN) != 0;
    for (int i = 0; i < TW_MAX_ACTIONS; i++) {
        const tw_action *a = &r->actions[i];
        if (a->frame != frame || (!a->drop && !a->key && !a->mouse && !a->quit))
            continue;
        if (a->drop)
            tw_push_drop(a->drop);
        if (a->mouse)
            tw_push_mouse(a->x, a->y);
        for (int k = 0; a->key && k < (a->times ? a->times : 1); k++)
            tw_push_key_mod(a->key, a->mod);
        if (a->quit)
            tw_push_quit();
    }
}

static inline void tw_script_before_present(void *user, long frame, SDL_Renderer *renderer,
                                            const void *wf, const char *shown)
{
    tw_script *r = user;
    const worker_frame *f = wf;
    if (frame < 0 || frame >= r->max_frames)
        return;
    tw_seen *s = &r->seen[frame];
    s->drawn = true;
    s->step = f->snap.figures.step;
    s->generation = f->generation;
    s->message_serial = f->message_serial;
    s->message_is_error = f->message_is_error;
    s->state = f->state;
    s->target_h = f->snap.target.height;
    s->target_w = f->snap.target.width;
    int n = s->target_h * s->target_w;
    memcpy(s->target, f->snap.target.weights,
           sizeof(float) * (size_t)(n < TW_SEEN_WEIGHTS ? n : TW_SEEN_WEIGHTS));
    n = f->snap.learned.height * f->snap.learned.width;
    memcpy(s->learned, f->snap.learned.weights,
           sizeof(float) * (size_t)(n < TW_SEEN_WEIGHTS ? n : TW_SEEN_WEIGHTS));
    /* A loss that is not known yet is NaN by design, drawn as a dash. */
    s->finite = isfinite(f->snap.bias) != 0;
    for (int i = 0; i < n; i++)
        s->finite &= isfinite(f->snap.learned.weights[i]) != 0;
    SDL_GetRendererOutputSize(renderer, &s->out_w, &s->out_h);
    s->loss_lo = INFINITY;
    s->loss_hi = -INFINITY;
    s->last_point_step = 0;
    for (int curve = 0; curve < 2; curve++) {
        const lf_history *h = curve == 0 ? &f->snap.steps : &f->snap.epochs;
        for (int i = 0; i < h->count; i++) {
            double v = curve == 0 ? h->points[i].train_loss : h->points[i].val_loss;
            if (h->points[i].step > s->last_point_step)
                s->last_point_step = h->points[i].step;
            if (v > 0 && isfinite(v)) {
                s->loss_lo = fmin(s->loss_lo, v);
                s->loss_hi = fmax(s->loss_hi, v);
            }
        }
    }
    snprintf(s->message, sizeof s->message, "%s", f->message);
    snprintf(s->shown, sizeof s->shown, "%s", shown ? shown : "");
    if (frame + 1 > r->frames)
        r->frames = frame + 1;
}

/* Runs "--frames frames" and args (n of them) in lockstep with the worker,
 * carrying out r's actions and keeping what each frame showed; the run must
 * end with exit code 0 after all its frames. Free r->seen afterwards. */
static inline void tw_script_run(tw_script *r, long frames, const char *const *args, int n)
{
    assert_true(n + 2 <= TW_MAX_ARGS);
    char count[24];
    snprintf(count, sizeof count, "%ld", frames);
    const char *all[TW_MAX_ARGS] = {"--frames", count};
    for (int i = 0; i < n; i++)
        all[2 + i] = args[i];
    r->max_frames = frames;
    r->seen = calloc((size_t)frames, sizeof(tw_seen));
    assert_non_null(r->seen);
    window_hooks hooks = {.before_frame = tw_script_before_frame,
                          .before_present = tw_script_before_present, .user = r,
                          .lockstep = true};
    assert_int_equal(tw_run(&hooks, &r->report, all, n + 2), EXIT_OK);
    assert_int_equal(r->frames, frames); /* the last frame is always drawn */
}

/* What the screen showed on frame f: the last frame drawn up to f. */
static inline const tw_seen *tw_shown(const tw_script *r, long f)
{
    while (f > 0 && !r->seen[f].drawn)
        f--;
    return &r->seen[f];
}

static inline bool tw_same_target(const tw_seen *a, const tw_seen *b)
{
    return a->target_h == b->target_h && a->target_w == b->target_w &&
           !memcmp(a->target, b->target, sizeof a->target);
}

#endif

/*
 * test_notice.c: the window says what happens, in words, at once.
 *
 * The words for each request and each change of the run (notice.h), how
 * many frames a large notice lasts, and then the whole window on simulated
 * time with lockstep: a key's acknowledgement is on screen in the frame of
 * the key press, a new learning rate's notice is in the frames after it for
 * NOTICE_FRAMES frames and gone after, as --layout-out records them.
 */
#include "test_util.h"

#include <SDL.h>

#include "cli.h"
#include "notice.h"
#include "window.h"

#define ELLIPSIS "\xe2\x80\xa6"
#define ARROW "\xe2\x86\x92"

static worker_frame frame_with(const char *kernel, float lr, worker_state state, unsigned gen)
{
    worker_frame f;
    memset(&f, 0, sizeof f);
    assert_int_equal(lf_kernel_from_name(&f.snap.target, kernel, 1, NULL), LF_OK);
    f.snap.settings = lf_settings_for_kernel(&f.snap.target);
    f.snap.settings.learning_rate = lr;
    f.state = state;
    f.generation = gen;
    f.kernel_index = lf_kernel_catalog_find(kernel);
    return f;
}

static void test_acknowledgements(void **state)
{
    (void)state;
    char s[NOTICE_TEXT_MAX];
    static worker_frame f;
    f = frame_with("sobel-x", 0.01f, WORKER_RUNNING, 1);
    worker_req r = {.kind = WORKER_REQ_KERNEL, .value = lf_kernel_catalog_find("smiley")};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Switching to smiley" ELLIPSIS);
    r = (worker_req){.kind = WORKER_REQ_KERNEL_NEXT, .value = 1};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Switching to sobel-y" ELLIPSIS);
    r.value = -1; /* before the first: the last of the catalog */
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    char want[96];
    snprintf(want, sizeof want, "Switching to %s" ELLIPSIS,
             lf_kernel_catalog_get(lf_kernel_catalog_count() - 1)->name);
    assert_string_equal(s, want);
    r = (worker_req){.kind = WORKER_REQ_LR_SCALE, .factor = 2};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Learning rate 0.01 " ARROW " 0.02" ELLIPSIS);
    r = (worker_req){.kind = WORKER_REQ_STEP, .value = 10};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Taking 10 steps" ELLIPSIS);
    r = (worker_req){.kind = WORKER_REQ_STEP, .value = WORKER_STEP_EPOCH};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Training to the end of the epoch" ELLIPSIS);
    r = (worker_req){.kind = WORKER_REQ_PAUSE_TOGGLE};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Pausing" ELLIPSIS);
    r = (worker_req){.kind = WORKER_REQ_OPTIMIZER};
    assert_true(notice_for_request(&r, &f, s, sizeof s));
    assert_string_equal(s, "Switching to Adam" ELLIPSIS);
    r = (worker_req){.kind = WORKER_REQ_QUIT};
    assert_false(notice_for_request(&r, &f, s, sizeof s));
    r = (worker_req){.kind = WORKER_REQ_RESET};
    assert_true(notice_for_request(&r, NULL, s, sizeof s)); /* before any frame */
}

/* A new rate: its notice lasts NOTICE_FRAMES frames, at full strength
 * until the last NOTICE_FADE_FRAMES. */
static void test_rate_notice_lasts_its_frames(void **state)
{
    (void)state;
    notice_tracker n = {0};
    static worker_frame a, b;
    a = frame_with("sobel-x", 0.01f, WORKER_RUNNING, 1);
    b = frame_with("sobel-x", 0.02f, WORKER_RUNNING, 1);
    float alpha = -1;
    notice_observe(&n, &a);
    assert_null(notice_current(&n, &alpha));
    notice_observe(&n, &b);
    const char *text = notice_current(&n, &alpha);
    assert_non_null(text);
    assert_string_equal(text, "Learning rate 0.01 " ARROW " 0.02");
    for (int i = 0; i < NOTICE_FRAMES; i++) {
        assert_non_null(notice_current(&n, &alpha));
        if (i <= NOTICE_FRAMES - NOTICE_FADE_FRAMES)
            assert_true(alpha == 1.0f);
        else
            assert_true(alpha > 0 && alpha < 1);
        notice_observe(&n, &b); /* the same frame again changes nothing */
        notice_tick(&n);
    }
    assert_null(notice_current(&n, &alpha));
}

static void test_restart_after_divergence(void **state)
{
    (void)state;
    notice_tracker n = {0};
    static worker_frame a, b, c;
    a = frame_with("sobel-x", 0.5f, WORKER_DIVERGED, 3);
    b = frame_with("sobel-x", 0.005f, WORKER_RUNNING, 4);
    float alpha;
    notice_observe(&n, &a);
    notice_observe(&n, &b);
    assert_string_equal(notice_current(&n, &alpha), "Diverged: restarted at step 0 with lr 0.005");
    /* A new kernel with another rate is not a rate change. */
    notice_tracker m = {0};
    c = frame_with("smiley", 0.001f, WORKER_RUNNING, 5);
    notice_observe(&m, &b);
    notice_observe(&m, &c);
    assert_null(notice_current(&m, &alpha));
}

static void test_statistics_progress(void **state)
{
    (void)state;
    notice_tracker n = {0};
    static worker_frame f;
    f = frame_with("smiley", 0.001f, WORKER_RUNNING, 1);
    f.snap.stats_built = 12;
    f.snap.stats_total = 44;
    char s[NOTICE_TEXT_MAX];
    for (int i = 0; i < NOTICE_PROGRESS_FRAMES; i++) {
        assert_false(notice_progress(&n, &f, s, sizeof s));
        notice_observe(&n, &f);
    }
    assert_true(notice_progress(&n, &f, s, sizeof s));
    assert_string_equal(s, "Building statistics 12/44");
    f.state = WORKER_PAUSED; /* paused, nothing is being built */
    notice_observe(&n, &f);
    assert_false(notice_progress(&n, &f, s, sizeof s));
}

/* ============================================================ window */

typedef struct script {
    long key_at;
    SDL_Keycode key;
    char shown[NOTICE_TEXT_MAX]; /* the message on screen in the frame of the key */
} script;

static void before_frame(void *user, long frame, SDL_Window *window)
{
    (void)window;
    script *s = user;
    if (frame == s->key_at) {
        SDL_Event e = {.type = SDL_KEYDOWN};
        e.key.keysym.sym = s->key;
        e.key.state = SDL_PRESSED;
        SDL_PushEvent(&e);
    }
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)renderer;
    (void)wf;
    script *s = user;
    if (frame == s->key_at)
        snprintf(s->shown, sizeof s->shown, "%s", shown ? shown : "");
}

/* Runs the window paused for `frames` frames on simulated time, pressing
 * Up at frame 2; returns the --layout-out JSON of the last frame. */
static char *run_window(script *s, int frames, size_t *size)
{
    char dir[256], path[300], count[16];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layout.json", dir);
    snprintf(count, sizeof count, "%d", frames);
    char *argv[] = {"learnfilter", "--paused", "--frames", count, "--layout-out", path, NULL};
    cli_options o;
    assert_true(cli_parse(6, argv, &o, NULL));
    app_fake_clock clock;
    app_fake_clock_init(&clock, 0);
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = s, .clock = app_fake_clock_get(&clock), .lockstep = true};
    assert_int_equal(window_run_with(&o, &hooks, NULL), 0);
    app_fake_clock_deinit(&clock);
    char *json = tu_read_file(path, size);
    tu_remove_tree(dir);
    return json;
}

static void test_window_acknowledges_and_notices(void **state)
{
    (void)state;
    script s = {.key_at = 2, .key = SDLK_UP};
    size_t size;
    /* A few frames after the key: the notice is up. */
    char *json = run_window(&s, 12, &size);
    assert_string_equal(s.shown, "Learning rate 0.01 " ARROW " 0.0316" ELLIPSIS);
    assert_non_null(strstr(json, "\"text\": \"Learning rate 0.01 " ARROW " 0.0316\""));
    assert_non_null(strstr(json, "\"name\": \"notice\""));
    free(json);
    /* NOTICE_FRAMES frames after the change it is gone. */
    memset(s.shown, 0, sizeof s.shown);
    json = run_window(&s, 2 + NOTICE_FRAMES + 4, &size);
    assert_null(strstr(json, "\"name\": \"notice\""));
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acknowledgements),
        cmocka_unit_test(test_rate_notice_lasts_its_frames),
        cmocka_unit_test(test_restart_after_divergence),
        cmocka_unit_test(test_statistics_progress),
        cmocka_unit_test(test_window_acknowledges_and_notices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_window_reel.c: M and Shift+M in the running window: reels drawn
 * from the rewind ring's stored states.
 *
 * The window runs under SDL's dummy video driver on a simulated clock in
 * lockstep with the worker, so the steps trained, and so the states the
 * ring holds, follow from the frames alone. The run is paused, then M and
 * Shift+M are pressed; the test reads the ring's steps from the frame the
 * window showed and works out on its own which steps the reel must show:
 * the headless reel's log-spaced steps (20 to each factor of ten, every
 * step at first, the run's last step last), each replaced by the stored
 * state nearest to it, each state once. Then:
 *
 *   - the GIF has one frame per state chosen, 10 s in all, the last 2 s,
 *     and each frame's caption names the state's step; the last one the
 *     error the window showed;
 *   - the MP4 has 10 s of 25 frames a second (the stsz box of its track,
 *     and ffprobe's count where ffprobe is installed);
 *   - the window went on showing the point it showed: the reel moved the
 *     trainer through the stored states and back unseen;
 *   - without ffmpeg, Shift+M says so and writes nothing; with nothing
 *     trained, M says so.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "recorder.h"
#include "test_gif_read.h"
#include "test_util.h"
#include "test_window_util.h"

#define PAUSE_AT 120 /* 120 frames at 3,000 steps a second: 6,000 steps */
#define M_AT (PAUSE_AT + 3)
#define SHIFT_M_AT (PAUSE_AT + 6)
#define FRAMES (PAUSE_AT + 12)

typedef struct script {
    long pause_at, m_at, shift_m_at, back_at; /* frames keys are pressed on (0: none) */
    /* The frame before M: the ring's steps and what the window showed. */
    int held_count;
    long held[LF_REWIND_SLOTS + 1];
    long latest_step, shown_step;
    double latest_rel_err;
    float shown_weights[9];
    /* What the window showed afterwards, and said. */
    long after_step;
    float after_weights[9];
    char said_after_m[256];
    long listen_at;           /* a frame whose message is kept in heard (0: none) */
    char heard[256];
    bool said_writing, said_written;
} script;

static void before_frame(void *user, long frame, SDL_Window *window)
{
    (void)window;
    script *s = user;
    if (s->pause_at && frame == s->pause_at)
        tw_push_key(SDLK_SPACE);
    if (s->back_at && frame == s->back_at)
        tw_push_key(SDLK_j);
    if (s->m_at && frame == s->m_at)
        tw_push_key(SDLK_m);
    if (s->shift_m_at && frame == s->shift_m_at)
        tw_push_key_mod(SDLK_m, KMOD_LSHIFT);
}

static void before_present(void *user, long frame, SDL_Renderer *renderer, const void *wf,
                           const char *shown)
{
    (void)renderer;
    script *s = user;
    const worker_frame *f = wf;
    if (s->m_at && frame == s->m_at - 1) {
        const rewind_view *r = &f->rewind;
        s->held_count = r->count;
        memcpy(s->held, r->steps, sizeof(long) * (size_t)r->count);
        s->latest_step = r->latest_step;
        if (r->count == 0 || r->steps[r->count - 1] < r->latest_step)
            s->held[s->held_count++] = r->latest_step;
        s->shown_step = f->snap.figures.step;
        s->latest_rel_err = f->snap.figures.rel_err;
        memcpy(s->shown_weights, f->snap.learned.weights, sizeof s->shown_weights);
    }
    if (frame == s->listen_at && shown)
        snprintf(s->heard, sizeof s->heard, "%s", shown);
    if (s->m_at && frame == s->m_at + 1 && shown)
        snprintf(s->said_after_m, sizeof s->said_after_m, "%s", shown);
    if (frame == FRAMES - 1) {
        s->after_step = f->snap.figures.step;
        memcpy(s->after_weights, f->snap.learned.weights, sizeof s->after_weights);
    }
    if (shown && !strncmp(shown, "writing reel ", 13))
        s->said_writing = true;
    if (shown && !strncmp(shown, "reel written: ", 14))
        s->said_written = true;
}

static int run(script *s, window_report *report, const char *const *args, int n)
{
    window_hooks hooks = {.before_frame = before_frame, .before_present = before_present,
                          .user = s, .lockstep = true};
    return tw_run(&hooks, report, args, n);
}

/* The steps a headless reel of a run from 0 to last shows, from the rule
 * alone: a point at step 0, then at the first step at or past
 * ceil(step * 10^(1/20)) (the next step while that is not past it), and
 * the last step; at most REEL_FRAMES, evenly by index. */
static int headless_steps(long last, long *out)
{
    static long points[1000];
    int n = 0;
    points[n++] = 0;
    for (long step = 0;;) {
        long next = step < 1 ? step + 1 : (long)ceil((double)step * pow(10.0, 1.0 / 20));
        if (next <= step)
            next = step + 1;
        if (next > last)
            break;
        points[n++] = step = next;
    }
    if (points[n - 1] != last)
        points[n++] = last;
    assert_true(n < 256); /* no thinning in a run this short */
    int frames = n < REEL_FRAMES ? n : REEL_FRAMES;
    for (int i = 0; i < frames; i++)
        out[i] = frames > 1 ? points[(long)i * (n - 1) / (frames - 1)] : points[n - 1];
    return frames;
}

/* For each wanted step the held one nearest (the earlier of two as near),
 * each once. */
static int nearest_held(const long *held, int count, const long *wanted, int n, long *out)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        int best = 0;
        for (int k = 1; k < count; k++)
            if (labs(held[k] - wanted[i]) < labs(held[best] - wanted[i]))
                best = k;
        if (m == 0 || out[m - 1] != held[best])
            out[m++] = held[best];
    }
    return m;
}

/* "Step 1,234 · error 12.34%": the step, or -1. */
static long caption_step(const char *caption)
{
    if (strncmp(caption, "Step ", 5) != 0)
        return -1;
    long step = 0;
    const char *c = caption + 5;
    for (; (*c >= '0' && *c <= '9') || *c == ','; c++)
        if (*c != ',')
            step = step * 10 + (*c - '0');
    return c > caption + 5 ? step : -1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The sample count of the first video track's stsz box: the frames of an
 * MP4, from the container alone. -1 when there is none. */
static long mp4_samples(const unsigned char *p, size_t size)
{
    static const char *containers[] = {"moov", "trak", "mdia", "minf", "stbl"};
    size_t at = 0;
    while (at + 8 <= size) {
        uint64_t box = be32(p + at);
        size_t head = 8;
        if (box == 1 && at + 16 <= size) {
            box = (uint64_t)be32(p + at + 8) << 32 | be32(p + at + 12);
            head = 16;
        } else if (box == 0) {
            box = size - at;
        }
        if (box < head || box > size - at)
            return -1;
        const unsigned char *type = p + at + 4;
        if (!memcmp(type, "stsz", 4) && box >= 20)
            return be32(p + at + 16); /* version and flags, sample size, then the count */
        for (int i = 0; i < 5; i++)
            if (!memcmp(type, containers[i], 4)) {
                long n = mp4_samples(p + at + head, (size_t)box - head);
                if (n >= 0)
                    return n;
            }
        at += (size_t)box;
    }
    return -1;
}

/* ffprobe's frame count, or -1 when ffprobe is not installed. */
static long ffprobe_frames(const char *path)
{
    if (system("command -v ffprobe >/dev/null 2>&1") != 0)
        return -1;
    char command[1024];
    snprintf(command, sizeof command,
             "ffprobe -v error -select_streams v:0 -count_frames -show_entries "
             "stream=nb_read_frames -of csv=p=0 '%s'",
             path);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    long frames = -1;
    if (fscanf(pipe, "%ld", &frames) != 1)
        frames = -2;
    pclose(pipe);
    return frames;
}

static void test_m_and_shift_m_write_reels_of_the_stored_states(void **state)
{
    (void)state;
    char dir[64], frames_arg[16];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(frames_arg, sizeof frames_arg, "%d", FRAMES);
    script s = {.pause_at = PAUSE_AT, .m_at = M_AT, .shift_m_at = SHIFT_M_AT};
    window_report rep;
    const char *args[] = {"--frames", frames_arg, "--speed", "3000", "--record-dir", dir,
                          "--images", LF_SOURCE_DATA_DIR "/astronaut.jpg", "--size", "64"};
    assert_int_equal(run(&s, &rep, args, 10), EXIT_OK);

    /* The run was paused with the ring thinned: states a stride apart. */
    assert_in_range(s.latest_step, 5000, 7000);
    assert_true(s.held_count > 16);
    assert_true(s.held[1] > 16); /* so the early log-spaced steps are not held */
    long wanted[REEL_FRAMES], expect[REEL_FRAMES];
    int nw = headless_steps(s.latest_step, wanted);
    int n = nearest_held(s.held, s.held_count, wanted, nw, expect);
    assert_true(n > 10 && n < nw);
    /* Where the ring holds a step the headless reel shows, the window's
     * reel shows it too. */
    for (int i = 0; i < nw; i++)
        for (int k = 0; k < s.held_count; k++)
            if (s.held[k] == wanted[i]) {
                bool in = false;
                for (int j = 0; j < n; j++)
                    in |= expect[j] == wanted[i];
                assert_true(in);
            }

    /* The frame after M: the points are taken, writing begins. */
    char said[64];
    snprintf(said, sizeof said, "writing reel 0/%d", n);
    assert_string_equal(s.said_after_m, said);
    assert_true(s.said_writing);
    /* The window kept showing the point it showed. */
    assert_int_equal(s.after_step, s.shown_step);
    assert_memory_equal(s.after_weights, s.shown_weights, sizeof s.shown_weights);

    assert_int_equal(rep.reels.written, 2);
    assert_int_equal(rep.reels.failed, 0);
    const window_reel_record *gif = &rep.reels.first[0], *mp4 = &rep.reels.first[1];
    assert_int_equal(gif->format, RECORDER_GIF);
    assert_int_equal(mp4->format, RECORDER_MP4);
    assert_non_null(strstr(gif->path, "/learnfilter-reel-sobel-x-"));
    assert_true(strlen(gif->path) > 4 && !strcmp(gif->path + strlen(gif->path) - 4, ".gif"));
    assert_true(strlen(mp4->path) > 4 && !strcmp(mp4->path + strlen(mp4->path) - 4, ".mp4"));

    /* The GIF: a frame for each state chosen, captioned with its step. */
    gif_read_result g = gif_read(gif->path, -1);
    assert_true(g.ok);
    assert_int_equal(g.width, REEL_WIDTH);
    assert_int_equal(g.height, REEL_HEIGHT);
    assert_int_equal(g.frames, n);
    assert_int_equal(gif->frames, n);
    int total = 0;
    for (int i = 0; i < g.frames; i++)
        total += g.delays[i];
    assert_int_equal(total, 1000);
    assert_int_equal(g.delays[g.frames - 1], 200);
    for (int i = 0; i < n; i++) {
        if (caption_step(gif->captions[i]) != expect[i])
            fail_msg("frame %d: caption '%s', the state chosen is step %ld", i, gif->captions[i],
                     expect[i]);
    }
    char last_error[64];
    snprintf(last_error, sizeof last_error, "error %.2f%%", 100.0 * s.latest_rel_err);
    assert_non_null(strstr(gif->captions[n - 1], last_error));
    size_t size = 0;
    free(tu_read_file(gif->path, &size));
    assert_int_equal(gif->bytes, (long)size);

    /* The MP4: 10 s at 25 frames a second, the same captions. */
    for (int i = 0; i < n; i++)
        assert_string_equal(mp4->captions[i], gif->captions[i]);
    assert_int_equal(mp4->frames, n);
    unsigned char *bytes = (unsigned char *)tu_read_file(mp4->path, &size);
    assert_non_null(bytes);
    assert_int_equal((long)size, mp4->bytes);
    assert_int_equal(mp4_samples(bytes, size), (long)(REEL_SECONDS * 25));
    free(bytes);
    long probed = ffprobe_frames(mp4->path);
    if (probed != -1)
        assert_int_equal(probed, (long)(REEL_SECONDS * 25));
    tu_remove_tree(dir);
}

/* A reel while a past point is shown is still of the whole run, and the
 * window stays at the point it showed. */
static void test_a_reel_while_scrubbing(void **state)
{
    (void)state;
    char dir[64], frames_arg[16];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(frames_arg, sizeof frames_arg, "%d", FRAMES);
    script s = {.pause_at = PAUSE_AT, .back_at = PAUSE_AT + 1, .m_at = M_AT};
    window_report rep;
    const char *args[] = {"--frames", frames_arg, "--speed", "3000", "--record-dir", dir,
                          "--images", LF_SOURCE_DATA_DIR "/astronaut.jpg", "--size", "64"};
    assert_int_equal(run(&s, &rep, args, 10), EXIT_OK);
    assert_true(s.shown_step < s.latest_step); /* J went back a state */
    assert_int_equal(s.after_step, s.shown_step);
    assert_memory_equal(s.after_weights, s.shown_weights, sizeof s.shown_weights);
    long wanted[REEL_FRAMES], expect[REEL_FRAMES];
    int nw = headless_steps(s.latest_step, wanted);
    int n = nearest_held(s.held, s.held_count, wanted, nw, expect);
    assert_int_equal(rep.reels.written, 1);
    assert_int_equal(rep.reels.first[0].frames, n);
    assert_int_equal(caption_step(rep.reels.first[0].captions[n - 1]), s.latest_step);
    tu_remove_tree(dir);
}

/* Without ffmpeg Shift+M says what is missing and writes nothing; before
 * any step M says there is nothing to show. */
static void test_refusals(void **state)
{
    (void)state;
    char dir[64], empty[64];
    tu_make_temp_dir(dir, sizeof dir);
    tu_make_temp_dir(empty, sizeof empty);
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", empty, 1); /* no ffmpeg on it */
    script s = {.shift_m_at = 30, .listen_at = 31};
    window_report rep;
    const char *args[] = {"--frames", "40", "--speed", "3000", "--record-dir", dir,
                          "--images", LF_SOURCE_DATA_DIR "/astronaut.jpg", "--size", "64"};
    int code = run(&s, &rep, args, 10);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    assert_int_equal(code, EXIT_OK);
    assert_non_null(strstr(s.heard, "needs ffmpeg"));
    assert_int_equal(rep.reels.written, 0);
    assert_int_equal(tu_count_entries(dir), 0);

    script paused = {.m_at = 5};
    const char *still[] = {"--frames", "10", "--paused", "--record-dir", dir,
                           "--images", LF_SOURCE_DATA_DIR "/astronaut.jpg", "--size", "64"};
    assert_int_equal(run(&paused, &rep, still, 9), EXIT_OK);
    assert_non_null(strstr(paused.said_after_m, "nothing trained"));
    assert_int_equal(rep.reels.written, 0);
    assert_int_equal(rep.reels.failed, 1);
    assert_int_equal(tu_count_entries(dir), 0);
    tu_remove_tree(dir);
    tu_remove_tree(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_m_and_shift_m_write_reels_of_the_stored_states),
        cmocka_unit_test(test_a_reel_while_scrubbing),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

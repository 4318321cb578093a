/*
 * test_recorder.c: the recording thread.
 *
 * With the encoder held still, a full pool must refuse frames at once and
 * count them, never block; what was accepted must all reach the file, in
 * order and with delays that follow the frames' times; destroying a running
 * recorder must keep the movie so far; a bad path fails at creation; an MP4
 * without ffmpeg says so, and with ffmpeg gives a file.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "recorder.h"
#include "test_util.h"
#include "test_gif_read.h"

enum { W = 48, H = 32 };

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* A gate the encoder waits at each time it takes a frame. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t opened;
    bool open;
    int taken;
} gate;

static void gate_wait(void *user)
{
    gate *g = user;
    pthread_mutex_lock(&g->lock);
    g->taken++;
    while (!g->open)
        pthread_cond_wait(&g->opened, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_open(gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = true;
    pthread_cond_broadcast(&g->opened);
    pthread_mutex_unlock(&g->lock);
}

/* Frame n: a flat gray that differs from frame to frame. */
static void fill_frame(uint8_t *rgba, int n)
{
    for (int i = 0; i < W * H; i++) {
        rgba[4 * i + 0] = rgba[4 * i + 1] = rgba[4 * i + 2] = (uint8_t)(n * 12);
        rgba[4 * i + 3] = 255;
    }
}

static void test_full_pool_drops_without_blocking(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/drops.gif", dir);
    gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .opened = PTHREAD_COND_INITIALIZER};
    recorder_options o = {.path = path, .width = W, .height = H, .pool_frames = 4,
                          .on_take = gate_wait, .on_take_user = &g};
    lf_error err;
    recorder *r = recorder_create(&o, &err);
    assert_non_null(r);
    uint8_t frame[4 * W * H];
    int accepted = 0;
    /* The encoder stops at the gate with the first frame and frees no
     * buffer, so exactly the pool's four are accepted, whatever the timing. */
    for (int n = 0; n < 20; n++) {
        fill_frame(frame, n);
        accepted += recorder_submit(r, frame, 4 * W, 0.1 * n);
    }
    assert_int_equal(accepted, 4);
    recorder_status s;
    recorder_poll(r, &s);
    assert_int_equal(s.state, RECORDER_RECORDING);
    assert_int_equal(s.frames_accepted, 4);
    assert_int_equal(s.frames_dropped, 16);
    gate_open(&g);
    assert_int_equal(recorder_finish(r, &err), LF_OK);
    recorder_poll(r, &s);
    assert_int_equal(s.state, RECORDER_DONE);
    assert_int_equal(s.frames_written, 4);
    assert_non_null(strstr(s.message, path));
    assert_non_null(strstr(s.message, "16 frames dropped"));
    recorder_destroy(r);

    /* Frames 0..3 were taken at 0, 0.1, 0.2, 0.3 s: 10 cs each, and the
     * last shows for one frame at the default 10 fps. */
    gif_read_result gr = gif_read(path, 3);
    assert_true(gr.ok);
    assert_int_equal(gr.frames, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(gr.delays[i], 10);
    assert_int_equal(gr.loop, 0);
    assert_in_range(gr.rgba[0], 36 - 4, 36 + 4); /* frame 3: gray 3 * 12, quantised */
    free(gr.rgba);
    tu_remove_tree(dir);
}

static void test_delays_follow_frame_times(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/times.gif", dir);
    recorder_options o = {.path = path, .width = W, .height = H, .wait_when_full = true,
                          .pool_frames = 2, .last_frame_seconds = 2.0, .loop = -1};
    recorder *r = recorder_create(&o, NULL);
    assert_non_null(r);
    const double times[] = {5.0, 5.25, 5.3, 6.0};
    uint8_t frame[4 * W * H];
    for (int n = 0; n < 4; n++) {
        fill_frame(frame, n);
        /* waiting when full: every frame is taken */
        assert_true(recorder_submit(r, frame, 4 * W, times[n]));
    }
    assert_int_equal(recorder_finish(r, NULL), LF_OK);
    recorder_destroy(r);
    gif_read_result gr = gif_read(path, -1);
    assert_true(gr.ok);
    assert_int_equal(gr.frames, 4);
    assert_int_equal(gr.delays[0], 25);
    assert_int_equal(gr.delays[1], 5);
    assert_int_equal(gr.delays[2], 70);
    assert_int_equal(gr.delays[3], 200);
    assert_int_equal(gr.loop, -1);
    tu_remove_tree(dir);
}

static void test_destroy_keeps_the_movie(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/kept.gif", dir);
    recorder_options o = {.path = path, .width = W, .height = H, .wait_when_full = true};
    recorder *r = recorder_create(&o, NULL);
    assert_non_null(r);
    uint8_t *buffer = recorder_begin_frame(r);
    assert_non_null(buffer);
    fill_frame(buffer, 1);
    recorder_end_frame(r, -1);
    uint8_t frame[4 * W * H];
    fill_frame(frame, 2);
    assert_true(recorder_submit(r, frame, 4 * W, -1));
    recorder_destroy(r); /* no stop, no finish */
    gif_read_result gr = gif_read(path, -1);
    assert_true(gr.ok);
    assert_int_equal(gr.frames, 2);
    assert_int_equal(tu_count_entries(dir), 1);
    tu_remove_tree(dir);
}

static void test_stop_then_poll(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/polled.gif", dir);
    recorder_options o = {.path = path, .width = W, .height = H};
    recorder *r = recorder_create(&o, NULL);
    uint8_t frame[4 * W * H];
    fill_frame(frame, 1);
    assert_true(recorder_submit(r, frame, 4 * W, -1));
    recorder_stop(r);
    assert_false(recorder_submit(r, frame, 4 * W, -1)); /* stopped: refused, not dropped */
    /* The encoder has one frame to write: it finishes after that work,
     * however long it takes (the test's time-out guards a hang). The state
     * only moves forward: recording, finishing, then done. */
    recorder_status s;
    recorder_poll(r, &s);
    recorder_state last = s.state;
    while (s.state == RECORDER_RECORDING || s.state == RECORDER_FINISHING) {
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
        recorder_poll(r, &s);
        assert_true(s.state >= last);
        assert_true(s.frames_written <= 1);
        last = s.state;
    }
    assert_int_equal(s.state, RECORDER_DONE);
    assert_int_equal(s.frames_written, 1);
    assert_int_equal(s.frames_dropped, 0);
    assert_true(s.bytes > 0);
    assert_int_equal(s.bytes, file_size(path));
    recorder_destroy(r);
    tu_remove_tree(dir);
}

static void test_bad_paths_fail_at_create(void **state)
{
    (void)state;
    lf_error err;
    recorder_options o = {.path = "/nonexistent-learnfilter-folder/a.gif", .width = W, .height = H};
    assert_null(recorder_create(&o, &err));
    assert_int_equal(err.status, LF_ERR_IO);
    o.path = "/tmp/learnfilter-movie.avi";
    assert_null(recorder_create(&o, &err));
    assert_int_equal(err.status, LF_ERR_ARGUMENT);
    assert_false(tu_file_exists(o.path));
}

static void test_mp4_without_ffmpeg(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/movie.mp4", dir);
    char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", dir, 1); /* an empty folder: no ffmpeg */
    assert_false(recorder_ffmpeg_available());
    lf_error err;
    recorder_options o = {.path = path, .width = W, .height = H};
    assert_null(recorder_create(&o, &err));
    assert_int_equal(err.status, LF_ERR_IO);
    assert_non_null(strstr(err.message, "ffmpeg"));
    assert_int_equal(tu_count_entries(dir), 0);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    tu_remove_tree(dir);
}

static void test_mp4_with_ffmpeg(void **state)
{
    (void)state;
    if (!recorder_ffmpeg_available()) {
        skip();
        return;
    }
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/odd size.mp4", dir); /* a space, and odd sides to pad */
    recorder_options o = {.path = path, .width = W + 1, .height = H + 1, .fps = 10,
                          .wait_when_full = true};
    lf_error err;
    recorder *r = recorder_create(&o, &err);
    assert_non_null(r);
    uint8_t *frame = calloc(4 * (W + 1) * (H + 1), 1);
    for (int n = 0; n < 5; n++) {
        memset(frame, n * 40, 4 * (W + 1) * (H + 1));
        assert_true(recorder_submit(r, frame, 4 * (W + 1), -1));
    }
    free(frame);
    assert_int_equal(recorder_finish(r, &err), LF_OK);
    recorder_destroy(r);
    assert_true(file_size(path) > 100);
    assert_int_equal(tu_count_entries(dir), 1);
    size_t size = 0;
    unsigned char *bytes = (unsigned char *)tu_read_file(path, &size);
    assert_non_null(bytes);
    assert_memory_equal(bytes + 4, "ftyp", 4); /* an MP4 box */
    free(bytes);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_pool_drops_without_blocking),
        cmocka_unit_test(test_delays_follow_frame_times),
        cmocka_unit_test(test_destroy_keeps_the_movie),
        cmocka_unit_test(test_stop_then_poll),
        cmocka_unit_test(test_bad_paths_fail_at_create),
        cmocka_unit_test(test_mp4_without_ffmpeg),
        cmocka_unit_test(test_mp4_with_ffmpeg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_window_texts.c: the words and numbers the window draws, read back
 * from --layout-out (every drawn text with its box and font size):
 *
 *   - --scale makes text bigger: at --scale 2 the titles, the status line
 *     and the footer are drawn at twice the size of --scale 1;
 *   - the colorbars' tick labels: Sobel x's kernels on +-2 in whole
 *     units, the input photo's gray levels from 0.0 to 1.0 by 0.2;
 *   - the loss chart's tick labels: a tick per decade of steps (1, 10,
 *     100 after 100 steps) and a label per decade of loss, from the
 *     decade under the smallest loss to the one over the largest.
 *
 * The expectations are written here from what the README says, not taken
 * from the drawing code. Runs are in lockstep on a simulated clock
 * (test_window_util.h), so the steps taken follow from the keys pressed.
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
#include <cmocka.h>

#include "test_util.h"
#include "test_window_layout.h"
#include "test_window_util.h"

/* A paused run of a few frames with --layout-out and more args; the
 * layout of its last frame in L (large: the caller's static). */
static void paused_layout(const char *dir, const char *scale, twl_layout *L)
{
    char path[128];
    snprintf(path, sizeof path, "%s/layout-%s.json", dir, scale);
    tw_script r = {0};
    const char *args[] = {"--size", "64", "--paused", "--scale", scale, "--layout-out", path};
    tw_script_run(&r, 6, args, 7);
    free(r.seen);
    twl_read(path, L);
}

static void test_scale_makes_text_bigger(void **state)
{
    (void)state;
    char dir[64];
    tu_make_temp_dir(dir, sizeof dir);
    static twl_layout one, two;
    paused_layout(dir, "1", &one);
    paused_layout(dir, "2", &two);
    assert_true(one.scale == 1.0);
    assert_true(two.scale == 2.0);
    /* The same words at twice the size (within a pixel of rounding). */
    const char *words[] = {"Learned weights", "True kernel", "H help", "step 0", "PAUSED"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const twl_text *a = twl_find_text(&one, words[i]);
        const twl_text *b = twl_find_text(&two, words[i]);
        if (!a || !b)
            fail_msg("'%s' not drawn at scale %s", words[i], a ? "2" : "1");
        if (abs(b->px - 2 * a->px) > 1 || b->h < 2 * a->h - 2 || b->w < 2 * a->w - 4)
            fail_msg("'%s': %d px (%dx%d) at scale 1, %d px (%dx%d) at scale 2", words[i], a->px,
                     a->w, a->h, b->px, b->w, b->h);
    }
    tu_remove_tree(dir);
}

/* The texts drawn in panel with font "small" (the colorbar's ticks), in
 * order, joined by spaces. */
static void small_texts(const twl_layout *L, const char *panel, char *out, size_t size)
{
    out[0] = 0;
    for (int i = 0; i < L->text_count; i++)
        if (!strcmp(L->texts[i].panel, panel) && !strcmp(L->texts[i].font, "small")) {
            size_t n = strlen(out);
            snprintf(out + n, size - n, "%s%s", n ? " " : "", L->texts[i].text);
        }
}

#define MINUS "\xe2\x88\x92"

static void test_colorbar_tick_labels(void **state)
{
    (void)state;
    char dir[64], got[512];
    tu_make_temp_dir(dir, sizeof dir);
    static twl_layout L;
    paused_layout(dir, "1", &L);
    /* Paused at step 0: Sobel x's largest weight is 2 and the starting
     * weights are smaller (Glorot: |w| < 0.58), so the three kernel panels
     * share the scale -2..2, a tick per unit. */
    const char *kernels[] = {"learned", "true", "diff"};
    for (int i = 0; i < 3; i++) {
        small_texts(&L, kernels[i], got, sizeof got);
        assert_string_equal(got, MINUS "2 " MINUS "1 0 1 2");
    }
    /* The photo's gray levels, 0 to 1. */
    small_texts(&L, "input", got, sizeof got);
    assert_string_equal(got, "0.0 0.2 0.4 0.6 0.8 1.0");
    tu_remove_tree(dir);
}

/* "1eK" as the chart prints a decade, with the minus sign for K < 0. */
static void decade_label(char *out, size_t size, int k)
{
    if (k < 0)
        snprintf(out, size, "1e" MINUS "%d", -k);
    else
        snprintf(out, size, "1e%d", k);
}

static void test_loss_chart_tick_labels(void **state)
{
    (void)state;
    char dir[64], path[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/layout.json", dir);
    /* Paused, then ten presses of Shift+N: exactly 100 steps. A 13x13
     * kernel, so that no step box takes the chart's place (those explain
     * kernels up to 7x7). */
    tw_script r = {0};
    r.actions[0] = (tw_action){.frame = 3, .key = SDLK_n, .mod = KMOD_LSHIFT, .times = 10};
    const char *args[] = {"--size", "64", "--kernel", "gaussian", "--paused", "--layout-out", path};
    tw_script_run(&r, 8, args, 7);
    const tw_seen *last = tw_shown(&r, 7);
    assert_int_equal(last->step, 100);
    assert_int_equal(last->last_point_step, 100);
    assert_true(last->loss_lo <= last->loss_hi);
    static twl_layout L;
    twl_read(path, &L);

    /* The step axis: log scale, a tick per decade up to the last step,
     * then the axis's name and the legend. */
    char steps[256] = "", losses[256] = "";
    for (int i = 0; i < L.text_count; i++) {
        const twl_text *t = &L.texts[i];
        if (strcmp(t->panel, "chart") || strcmp(t->font, "small"))
            continue;
        char *list = !strncmp(t->text, "1e", 2) ? losses : steps;
        size_t n = strlen(list);
        snprintf(list + n, 256 - n, "%s%s", n ? "|" : "", t->text);
    }
    assert_string_equal(steps, "1|10|100|step (log scale)|validation|training");
    /* The loss axis: a label per decade, from the decade under the
     * smallest loss up to the one over the largest. */
    int top = (int)ceil(log10(last->loss_hi)), bottom = (int)floor(log10(last->loss_lo));
    assert_true(top - bottom >= 1 && top - bottom <= 8);
    char want[256] = "";
    for (int k = bottom; k <= top; k++) {
        char label[16];
        decade_label(label, sizeof label, k);
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s%s", n ? "|" : "", label);
    }
    assert_string_equal(losses, want);
    free(r.seen);
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_makes_text_bigger),
        cmocka_unit_test(test_colorbar_tick_labels),
        cmocka_unit_test(test_loss_chart_tick_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

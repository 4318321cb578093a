/*
 * test_apply.c: --apply end to end, through the command line.
 *
 * The SciPy reference of test_ops.c (tests/reference/ops_reference.txt) is
 * replayed through the program: its input grid written as a text matrix,
 * every case run with --apply and its options into .txt and .npy files,
 * read back and compared with SciPy's numbers. Then the PNG's colours, the
 * printed matrix, and the messages and exit codes of bad requests.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apply.h"
#include "cli.h"
#include "learnfilter/kernel.h"
#include "test_reference.h"
#include "test_util.h"

static int run(const char *const *args, int count)
{
    char *argv[24] = {"learnfilter"};
    for (int i = 0; i < count; i++)
        argv[i + 1] = (char *)args[i];
    cli_options o;
    lf_error err;
    if (!cli_parse(count + 1, argv, &o, &err))
        return -1;
    return apply_run(&o);
}

static void test_replays_scipy(void **state)
{
    (void)state;
    char dir[64], input[128], out_txt[128], out_npy[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(input, sizeof input, "%s/grid.txt", dir);
    snprintf(out_txt, sizeof out_txt, "%s/out.txt", dir);
    snprintf(out_npy, sizeof out_npy, "%s/out.npy", dir);
    FILE *f = fopen(LF_TEST_REFERENCE_DIR "/ops_reference.txt", "r");
    assert_non_null(f);
    int ih, iw;
    float *in = tr_read_matrix(f, &ih, &iw);
    FILE *g = fopen(input, "w");
    for (int y = 0; y < ih; y++)
        for (int x = 0; x < iw; x++)
            fprintf(g, "%.9g%c", in[y * iw + x], x + 1 < iw ? ' ' : '\n');
    fclose(g);
    /* The reference's kernel case is the line detector; give it as a file. */
    char line_kernel[128];
    snprintf(line_kernel, sizeof line_kernel, "%s/line.txt", dir);
    g = fopen(line_kernel, "w");
    fputs("-1 2 -1\n-1 2 -1\n-1 2 -1\n", g);
    fclose(g);

    char kind[16], window[16], padding[16], stride[8], repeat[8];
    int cases = 0;
    while (fscanf(f, "%15s %15s %7s %15s %7s", kind, window, stride, padding, repeat) == 5) {
        int eh, ew;
        float *expected = tr_read_matrix(f, &eh, &ew);
        char op[160];
        if (!strcmp(kind, "kernel"))
            snprintf(op, sizeof op, "%s", line_kernel);
        else
            snprintf(op, sizeof op, "%s:%s", kind, window);
        for (int format = 0; format < 2; format++) {
            const char *out = format ? out_npy : out_txt;
            const char *args[] = {"--apply", op,        "--images", input,   "--output", out,
                                  "--stride", stride,   "--padding", padding, "--repeat", repeat};
            assert_int_equal(run(args, 12), EXIT_OK);
            lf_kernel result;
            lf_error err;
            assert_int_equal(lf_kernel_load(&result, out, &err), LF_OK);
            if (result.height != eh || result.width != ew)
                fail_msg("%s stride %s %s repeat %s: %dx%d, SciPy %dx%d", op, stride, padding,
                         repeat, result.height, result.width, eh, ew);
            for (int i = 0; i < eh * ew; i++)
                if (fabs(result.weights[i] - expected[i]) > 1e-4 * (1 + fabs(expected[i])))
                    fail_msg("%s stride %s %s repeat %s (%s): value %d is %.7g, SciPy %.7g", op,
                             stride, padding, repeat, format ? "npy" : "txt", i,
                             result.weights[i], expected[i]);
        }
        free(expected);
        cases++;
    }
    assert_true(cases >= 60);
    fclose(f);
    free(in);
    tu_remove_tree(dir);
}

/* The slides' grids by name: sum over the plus lens on grid A, worked out
 * by hand at the corner (2 + 5 + 6) and at (1, 1) (5 + 6 + 8 + 9 + 9). */
static void test_builtin_grids(void **state)
{
    (void)state;
    char dir[64], out[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/sum.txt", dir);
    const char *args[] = {"--apply", "sum:plus", "--images", "grid-a", "--output", out};
    assert_int_equal(run(args, 6), EXIT_OK);
    lf_kernel result;
    lf_error err;
    assert_int_equal(lf_kernel_load(&result, out, &err), LF_OK);
    assert_int_equal(result.height, 7);
    assert_int_equal(result.width, 7);
    assert_true(result.weights[0] == 13.0f);
    assert_true(result.weights[8] == 37.0f);
    tu_remove_tree(dir);
}

/* Signed results on the diverging scale, non-negative ones in gray. */
static void test_png_colours(void **state)
{
    (void)state;
    float limit;
    bool is_signed;
    const float signed_values[] = {-2, 0, 1};
    apply_scale(signed_values, 3, &limit, &is_signed);
    assert_true(is_signed);
    tu_assert_near(limit, 2, 0);
    uint8_t rgb[3];
    apply_color(-2, limit, is_signed, rgb);
    assert_true(rgb[2] > rgb[0] + 80); /* deep blue */
    apply_color(0, limit, is_signed, rgb);
    assert_true(rgb[0] > 240 && rgb[1] > 240 && rgb[2] > 240); /* white */
    const float gray_values[] = {0, 0.5f, 0.25f};
    apply_scale(gray_values, 3, &limit, &is_signed);
    assert_false(is_signed);
    tu_assert_near(limit, 1, 0); /* intensities keep their [0, 1] scale */
    apply_color(0.5f, limit, is_signed, rgb);
    assert_true(rgb[0] == rgb[1] && rgb[1] == rgb[2]);
    assert_in_range(rgb[0], 120, 135);
    const float sums[] = {0, 36};
    apply_scale(sums, 2, &limit, &is_signed);
    tu_assert_near(limit, 36, 0);

    char dir[64], out[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/edges.png", dir);
    const char *args[] = {"--apply", "sobel-x", "--images", LF_SOURCE_DATA_DIR "/camera.jpg",
                          "--output", out};
    assert_int_equal(run(args, 6), EXIT_OK);
    size_t size = 0;
    unsigned char *png = (unsigned char *)tu_read_file(out, &size);
    assert_non_null(png);
    assert_true(size > 1000);
    assert_memory_equal(png, "\x89PNG", 4);
    free(png);
    tu_remove_tree(dir);
}

static void test_bad_requests(void **state)
{
    (void)state;
    char dir[64], input[128], out[128];
    tu_make_temp_dir(dir, sizeof dir);
    snprintf(input, sizeof input, "%s/grid.txt", dir);
    snprintf(out, sizeof out, "%s/out.npy", dir);
    FILE *g = fopen(input, "w");
    fputs("1 2 3\n4 5 6\n7 8 9\n", g);
    fclose(g);
    const char *too_big[] = {"--apply", "max:5", "--padding", "valid", "--images", input,
                             "--output", out};
    assert_int_equal(run(too_big, 8), EXIT_USAGE);
    const char *bad_kind[] = {"--apply", "mode:3", "--images", input};
    assert_int_equal(run(bad_kind, 4), EXIT_USAGE);
    const char *missing[] = {"--apply", "mean:3", "--images", "/nonexistent/grid.txt"};
    assert_int_equal(run(missing, 4), EXIT_INPUT);
    const char *no_input[] = {"--apply", "mean:3"};
    assert_int_equal(run(no_input, 2), EXIT_USAGE);
    /* The command line refuses these before anything runs. */
    const char *bad_output[] = {"--apply", "mean:3", "--images", input, "--output", "x.gif"};
    assert_int_equal(run(bad_output, 6), -1);
    const char *bad_stride[] = {"--apply", "mean:3", "--images", input, "--stride", "0"};
    assert_int_equal(run(bad_stride, 6), -1);
    const char *orphan[] = {"--repeat", "3"};
    assert_int_equal(run(orphan, 2), -1);
    assert_int_equal(tu_count_entries(dir), 1); /* nothing written */
    tu_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replays_scipy),
        cmocka_unit_test(test_builtin_grids),
        cmocka_unit_test(test_png_colours),
        cmocka_unit_test(test_bad_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

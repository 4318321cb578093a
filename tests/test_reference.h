/*
 * test_reference.h: reads the files that the scripts in tests/reference
 * write: "name rows cols" sections (each followed by rows lines of cols
 * numbers), and plain "H W" matrices read one after another.
 *
 * Static, like test_util.h, so each test program compiles its own copy.
 */
#ifndef LEARNFILTER_TEST_REFERENCE_H
#define LEARNFILTER_TEST_REFERENCE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The section `name` of file (a path under LF_TEST_REFERENCE_DIR) as a
 * malloc'ed row-major array the caller frees; fails the test when the file
 * or section is missing or its size is not rows x cols. */
static inline double *tr_section(const char *file, const char *name, int rows, int cols)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", LF_TEST_REFERENCE_DIR, file);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s: cannot open", path);
    char title[128];
    int r, c;
    while (fscanf(f, "%127s %d %d", title, &r, &c) == 3) {
        double *v = malloc(sizeof(double) * (size_t)r * (size_t)c);
        assert_non_null(v);
        for (int i = 0; i < r * c; i++)
            if (fscanf(f, "%lf", &v[i]) != 1)
                fail_msg("%s: section %s is cut short", path, title);
        if (strcmp(title, name) == 0) {
            fclose(f);
            if (r != rows || c != cols)
                fail_msg("%s: section %s is %dx%d, expected %dx%d", path, name, r, c, rows, cols);
            return v;
        }
        free(v);
    }
    fclose(f);
    fail_msg("%s: no section %s", path, name);
    return NULL;
}

/* The section as floats, for kernels and patches. */
static inline float *tr_section_float(const char *file, const char *name, int rows, int cols)
{
    double *v = tr_section(file, name, rows, cols);
    float *f = malloc(sizeof(float) * (size_t)rows * (size_t)cols);
    assert_non_null(f);
    for (int i = 0; i < rows * cols; i++)
        f[i] = (float)v[i];
    free(v);
    return f;
}

/* Reads "H W" then H*W numbers from f, as a malloc'ed array the caller
 * frees; NULL at the end of the file. Fails the test when the matrix is
 * cut short or its size is not positive. */
static inline float *tr_read_matrix(FILE *f, int *h, int *w)
{
    if (fscanf(f, "%d %d", h, w) != 2)
        return NULL;
    if (*h <= 0 || *w <= 0 || *h > 1 << 14 || *w > 1 << 14)
        fail_msg("reference matrix of size %dx%d", *h, *w);
    float *m = malloc(sizeof(float) * (size_t)*h * (size_t)*w);
    assert_non_null(m);
    for (int i = 0; i < *h * *w; i++)
        if (fscanf(f, "%f", &m[i]) != 1)
            fail_msg("reference matrix cut short");
    return m;
}

#endif

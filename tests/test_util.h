/*
 * test_util.h: small helpers shared by the cmocka tests.
 *
 * Random fills, float comparisons with a stated tolerance, temporary folders
 * that clean up after themselves, and whole-file reads. Everything is static
 * so each test program compiles its own copy and no helper library is needed.
 */
#ifndef LEARNFILTER_TEST_UTIL_H
#define LEARNFILTER_TEST_UTIL_H

#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learnfilter/rng.h"

/* Uniform values on [lo, hi) from rng. */
static inline void tu_fill_uniform(float *values, size_t n, lf_rng *rng, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        values[i] = lo + (hi - lo) * (float)lf_rng_uniform(rng);
}

/* Fails the test, naming what and where, when |actual - expected| > tol. */
#define tu_assert_near(actual, expected, tol)                                                  \
    do {                                                                                       \
        double tu_a_ = (double)(actual), tu_e_ = (double)(expected), tu_t_ = (double)(tol);    \
        if (!(fabs(tu_a_ - tu_e_) <= tu_t_))                                                   \
            fail_msg("%s = %.9g, expected %s = %.9g (tolerance %.3g)", #actual, tu_a_,         \
                     #expected, tu_e_, tu_t_);                                                 \
    } while (0)

/* A fresh folder under $TMPDIR (or /tmp). */
static inline void tu_make_temp_dir(char *path, size_t size)
{
    const char *base = getenv("TMPDIR");
    snprintf(path, size, "%s/learnfilter-test-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(path));
}

/* Removes a folder and everything in it (one level of subfolders deep is all
 * the tests make, but this recurses anyway). */
static inline void tu_remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char child[4096];
            int n = snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            if (n < 0 || (size_t)n >= sizeof child)
                continue;
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                tu_remove_tree(child);
            else
                unlink(child);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* Writes bytes to path; fails the test if it cannot. */
static inline void tu_write_file(const char *path, const void *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

/* Reads a whole file into a NUL-terminated buffer the caller frees; NULL if
 * it cannot be read. */
static inline char *tu_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = 0;
    if (size)
        *size = n;
    return buf;
}

static inline int tu_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries in a folder, "." and ".." excluded. */
static inline int tu_count_entries(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(dir);
    return n;
}

#endif

/*
 * fuzz_export.c: libFuzzer target for the .npy writer and the weight
 * history writer: their paths and their shapes.
 *
 * The first bytes choose the number of dimensions (0 to 5) and each
 * extent (0 to 15), then a file name is built from the rest: components
 * of a few letters, '.', spaces and UTF-8, possibly very long, possibly
 * inside an existing folder or under a plain file. Every path stays inside
 * a scratch folder ("." and ".." components are renamed). A write that
 * succeeds must give a file NumPy would read: the magic, a header padded
 * to 64 bytes that states exactly the shape given, and every value in
 * order. A write that fails must say why in one line and leave nothing
 * behind: no file under the name, no temporary beside it.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learnfilter/export.h"
#include "fuzz_common.h"

static char root[256];

static void remove_root(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/dir", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/file", root);
    unlink(path);
    rmdir(root);
}

/* Removes every entry of folder except the fixtures "dir" and "file";
 * returns how many there were. Only the root and "dir" are ever written
 * into (a name under "file" cannot be created). */
static int sweep(const char *folder)
{
    int n = 0;
    DIR *d = opendir(folder);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "dir") ||
            !strcmp(e->d_name, "file"))
            continue;
        char child[8192];
        snprintf(child, sizeof child, "%s/%s", folder, e->d_name);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            sweep(child);
            rmdir(child);
        } else {
            unlink(child);
        }
        n++;
    }
    closedir(d);
    return n;
}

/* Traps when a temporary file is left in the root or in "dir". */
static void no_temporaries(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/dir", root);
    const char *folders[2] = {root, dir};
    for (int i = 0; i < 2; i++) {
        DIR *d = opendir(folders[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strstr(e->d_name, ".tmp-"))
                __builtin_trap();
        closedir(d);
    }
}

static void sweep_all(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/dir", root);
    sweep(root);
    sweep(dir);
}

/* Reads path back and checks it is the .npy of values with that shape. */
static void check_npy(const char *path, const float *values, const size_t *shape, int ndim)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        __builtin_trap();
    unsigned char head[10];
    if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY\x01\x00", 8) != 0)
        __builtin_trap();
    size_t header_len = head[8] | (size_t)head[9] << 8;
    if ((10 + header_len) % 64 != 0)
        __builtin_trap();
    char header[1024];
    if (header_len >= sizeof header || fread(header, 1, header_len, f) != header_len)
        __builtin_trap();
    header[header_len] = 0;
    char expected[512];
    int n = snprintf(expected, sizeof expected, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ndim; i++)
        n += snprintf(expected + n, sizeof expected - (size_t)n, "%s%zu", i ? ", " : "", shape[i]);
    snprintf(expected + n, sizeof expected - (size_t)n, "%s), }", ndim == 1 ? "," : "");
    if (strncmp(header, expected, strlen(expected)) != 0 || header[header_len - 1] != '\n')
        __builtin_trap();
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= shape[i];
    for (size_t i = 0; i < count; i++) {
        float v;
        if (fread(&v, 4, 1, f) != 1 || memcmp(&v, &values[i], 4) != 0)
            __builtin_trap();
    }
    if (fgetc(f) != EOF)
        __builtin_trap();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root[0]) {
        snprintf(root, sizeof root, "/tmp/lf-fuzz-export-%ld-XXXXXX", (long)getpid());
        if (!mkdtemp(root))
            __builtin_trap();
        char path[512];
        snprintf(path, sizeof path, "%s/dir", root);
        mkdir(path, 0700);
        snprintf(path, sizeof path, "%s/file", root);
        FILE *f = fopen(path, "w");
        if (f)
            fclose(f);
        atexit(remove_root);
    }
    if (size < 1)
        return 0;
    int ndim = data[0] % 6;
    size_t shape[5] = {0};
    size_t at = 1;
    for (int i = 0; i < ndim; i++)
        shape[i] = at < size ? data[at++] % 16 : 1;
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= shape[i];
    float *values = malloc(sizeof(float) * (count ? count : 1));
    if (!values)
        return 0;
    for (size_t i = 0; i < count; i++)
        values[i] = (float)i * 0.5f - 3.0f;

    /* The name: each byte a piece; a long run of 'a' can pass 4096 bytes. */
    static const char *const pieces[] = {"a", "b", ".", "/", " ", "\xc3\xa9", "npy", "csv",
                                         "dir/", "file/", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    char *path = malloc(8192);
    if (!path) {
        free(values);
        return 0;
    }
    int n = snprintf(path, 8192, "%s/", root);
    for (; at < size && n < 6000; at++)
        n += snprintf(path + n, 8192 - (size_t)n, "%s",
                      pieces[data[at] % (sizeof pieces / sizeof pieces[0])]);
    /* Keep inside root: "." and ".." components become "d". */
    for (char *p = path + strlen(root); *p; p++)
        if (p[0] == '/' && p[1] == '.' && (p[2] == '/' || !p[2] ||
                                          (p[2] == '.' && (p[3] == '/' || !p[3]))))
            p[1] = 'd';

    struct stat info;
    int existed = lstat(path, &info) == 0; /* the root, "dir" or "file" */
    lf_error err = {0};
    lf_status st = lf_npy_write_f32(path, values, shape, ndim, &err);
    if (st == LF_OK) {
        check_npy(path, values, shape, ndim);
    } else if (!one_printable_line(err.message) || (!existed && lstat(path, &info) == 0)) {
        __builtin_trap();
    }
    no_temporaries();
    /* The weight history through the same path, when its shape is a
     * history's (snapshots, h, w). */
    if (ndim == 3 && shape[1] > 0 && shape[2] > 0) {
        sweep_all();
        existed = lstat(path, &info) == 0;
        lf_weight_history h;
        lf_weight_history_init(&h, (int)shape[1], (int)shape[2]);
        for (size_t s = 0; s < shape[0]; s++)
            lf_weight_history_record(&h, values + s * shape[1] * shape[2], (long)s, (int)s, 0.5,
                                     NULL);
        st = lf_weight_history_write(&h, path, &err);
        if (st != LF_OK &&
            (!one_printable_line(err.message) || (!existed && lstat(path, &info) == 0)))
            __builtin_trap();
        lf_weight_history_deinit(&h);
        no_temporaries();
    }
    sweep_all();
    free(path);
    free(values);
    return 0;
}

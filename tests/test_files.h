/*
 * test_files.h: scratch folders for the tests that write files.
 *
 * Each test writes into a fresh folder under /tmp and checks what is left
 * there afterwards, which is how "no half-written file, no temporary file"
 * is asserted.
 */
#ifndef LEARNFILTER_TEST_FILES_H
#define LEARNFILTER_TEST_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A new empty folder; its name is written into dir (at least 64 bytes). */
static inline void scratch_dir_create(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/learnfilter-test-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
}

/* Entries in dir other than . and .., or -1 when it cannot be read. */
static inline int scratch_dir_count(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Removes the files in dir (one level) and dir itself. */
static inline void scratch_dir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char path[4096];
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static inline long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The whole file in a malloc'd buffer (caller frees), or NULL. */
static inline unsigned char *file_read_all(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(n > 0 ? (size_t)n : 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *size = n;
    return data;
}

#endif

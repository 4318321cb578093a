/*
 * fuzz_walk.c: libFuzzer target for the image folder walk.
 *
 * Each input builds a small tree in a scratch folder, then walks it. The
 * input is read two bytes at a time as instructions: make a folder, an
 * image file, a FIFO, or a link (to ".", "..", the root, or an earlier
 * entry) inside one of the folders made so far, all below a scratch
 * folder that holds nothing else. So the fuzzer lays out
 * `a -> .`, `b -> .`, loops through parents, links to links and deep
 * nests. The walk must end, list every real image file at most once (by
 * device and inode), list only regular files, and never more than were
 * made; a failure must come with a one-line message. The tree is removed
 * after every input, without following links.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_util.h"
#include "fuzz_common.h"

#define MAX_ENTRIES 48

/* The tree is built in root = scratch/top, so a ".." link at the top leads
 * to the scratch folder, which holds nothing but top itself. */
static char scratch[256], root[300];

static void remove_tree(const char *path)
{
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char child[4096];
            if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child)
                continue;
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(child);
            else
                unlink(child);
        }
        closedir(dir);
    }
    if (strcmp(path, root) != 0)
        rmdir(path);
}

static void remove_root(void)
{
    rmdir(root);
    rmdir(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root[0]) {
        snprintf(scratch, sizeof scratch, "/tmp/lf-fuzz-walk-%ld-XXXXXX", (long)getpid());
        if (!mkdtemp(scratch))
            __builtin_trap();
        snprintf(root, sizeof root, "%s/top", scratch);
        if (mkdir(root, 0700) != 0)
            __builtin_trap();
        atexit(remove_root);
    }
    /* Folders made so far (index 0 the root) and every entry made. */
    char folders[MAX_ENTRIES][2048];
    char entries[MAX_ENTRIES][2048];
    int folder_count = 1, entry_count = 0, files_made = 0;
    snprintf(folders[0], sizeof folders[0], "%s", root);
    static const char *const names[] = {"a", "b", "self", "p.png", "q.jpg", "r.jpeg", "up",
                                        "x.PNG", "d", "e"};
    for (size_t i = 0; i + 1 < size && entry_count < MAX_ENTRIES; i += 2) {
        const char *where = folders[data[i + 1] % folder_count];
        const char *name = names[(data[i] >> 3) % (sizeof names / sizeof names[0])];
        char path[2048];
        if (snprintf(path, sizeof path, "%s/%s", where, name) >= (int)sizeof path)
            continue;
        int made = -1;
        switch (data[i] & 7) {
        case 0:
        case 1:
            made = mkdir(path, 0700);
            if (made == 0 && folder_count < MAX_ENTRIES)
                snprintf(folders[folder_count++], sizeof folders[0], "%s", path);
            break;
        case 2: {
            FILE *f = fopen(path, "wx");
            if (f) {
                fputs("not really an image", f);
                fclose(f);
                made = 0;
                files_made++;
            }
            break;
        }
        case 3: made = symlink(".", path); break;
        case 4: made = symlink("..", path); break;
        case 5: made = symlink(root, path); break; /* the top, by its full path */
        case 6:
            made = entry_count ? symlink(entries[data[i + 1] % entry_count], path) : -1;
            break;
        case 7: made = mkfifo(path, 0600); break;
        }
        if (made == 0)
            snprintf(entries[entry_count++], sizeof entries[0], "%s", path);
    }

    lf_path_list list = {0};
    lf_image_walk walk;
    lf_image_walk_init(&walk);
    lf_error err = {0};
    lf_status st = lf_image_walk_collect(&walk, &list, root, &err);
    /* The same folder again adds nothing. */
    int first_count = list.count;
    if (st == LF_OK)
        st = lf_image_walk_collect(&walk, &list, root, &err);
    if (st != LF_OK && !one_printable_line(err.message))
        __builtin_trap();
    if (st == LF_OK && list.count != first_count)
        __builtin_trap();
    if (list.count > files_made)
        __builtin_trap();
    struct stat seen[MAX_ENTRIES];
    for (int i = 0; i < list.count && i < MAX_ENTRIES; i++) {
        if (stat(list.paths[i], &seen[i]) != 0 || !S_ISREG(seen[i].st_mode))
            __builtin_trap();
        for (int j = 0; j < i; j++)
            if (seen[j].st_dev == seen[i].st_dev && seen[j].st_ino == seen[i].st_ino)
                __builtin_trap();
        /* Reading one never blocks and says why it fails in one line. */
        unsigned char *bytes;
        size_t n;
        if (lf_read_file(list.paths[i], 1 << 20, &bytes, &n, &err) == LF_OK)
            free(bytes);
        else if (!one_printable_line(err.message))
            __builtin_trap();
    }
    lf_image_walk_deinit(&walk);
    lf_path_list_deinit(&list);
    remove_tree(root);
    return 0;
}

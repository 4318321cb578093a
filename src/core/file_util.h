/*
 * file_util.h: reading whole files and walking folders, for the core only.
 *
 * Kept out of the public headers: front ends load images and kernels through
 * image.h, kernel.h and dataset.h, which use these.
 */
#ifndef LEARNFILTER_FILE_UTIL_H
#define LEARNFILTER_FILE_UTIL_H

#include <stddef.h>

#include "learnfilter/error.h"

/* Reads the whole file at path into a new buffer, with a NUL after the last
 * byte so text parsers may treat it as a string. Fails with LF_ERR_INPUT for
 * a missing file, a folder, anything but a regular file (a FIFO would block
 * the open forever, a device never ends), or one larger than max_bytes, and
 * LF_ERR_IO when it cannot be read. The caller frees *bytes. */
lf_status lf_read_file(const char *path, long max_bytes, unsigned char **bytes, size_t *size,
                       lf_error *err);

/* A list of paths the caller owns. */
typedef struct lf_path_list {
    char **paths;
    int count;
    int capacity;
} lf_path_list;

void lf_path_list_deinit(lf_path_list *list);

/* Folders nested deeper than this below a given folder are not searched,
 * and the walk says so (lf_image_walk.deep_folders). */
#define LF_MAX_FOLDER_DEPTH 16

/* One search for images over any number of paths. Every real folder and
 * file is taken once, known by its (device, inode): `a -> .` and `b -> .`
 * links cannot multiply the walk, `self -> .` adds no copies, and a photo
 * reached under two names (or given twice) is one photo, not a pair split
 * between training and validation. Zero-initialise, or lf_image_walk_init. */
typedef struct lf_image_walk {
    struct lf_file_id *seen; /* open-addressing set of (device, inode) */
    size_t seen_count, seen_capacity;
    int deep_folders;        /* folders left out below LF_MAX_FOLDER_DEPTH */
    int repeats;             /* folders or files reached again, taken once */
    char first_deep[512];    /* the first folder left out, for messages */
} lf_image_walk;

void lf_image_walk_init(lf_image_walk *walk);
void lf_image_walk_deinit(lf_image_walk *walk);

/* Appends path if it is a file, or every PNG/JPEG under it, subfolders
 * included and sorted by name so the order is the same on every machine,
 * if it is a folder. Only regular files are taken from inside a folder.
 * LF_ERR_INPUT when path does not exist, LF_ERR_NOMEM. */
lf_status lf_image_walk_collect(lf_image_walk *walk, lf_path_list *list, const char *path,
                                lf_error *err);

/* The part of path after the last '/'. */
const char *lf_path_basename(const char *path);

#endif

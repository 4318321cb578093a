/*
 * output_check.c: refusing bad output paths before any work. See
 * output_check.h for the rules.
 */
#define _XOPEN_SOURCE 700
#include "output_check.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "learnfilter/export.h"
#include "learnfilter/image.h"
#include "learnfilter/kernel.h"
#include "setup.h"

const char *const output_dump_suffixes[OUTPUT_DUMP_SIBLINGS] = {"-order.npy", "-init.npy",
                                                                 "-target.npy"};

void output_sibling_path(char *out, size_t size, const char *path, const char *suffix)
{
    size_t n = strlen(path);
    if (n >= 4 && !strcmp(path + n - 4, ".npy"))
        n -= 4;
    snprintf(out, size, "%.*s%s", (int)n, path, suffix);
}

/* One output: the option that names it and its path. */
typedef struct output {
    const char *option;
    char path[PATH_MAX + 16];
    bool parent_known;        /* the folder it goes in exists */
    struct stat parent;       /* that folder (through any links to it) */
    bool exists;              /* the file itself exists */
    struct stat self;         /* that file, for hard links between outputs */
    const char *name;         /* the part of path after the last '/' */
} output;

/* At most: --weights-out, --gif, --video, --screenshot, --output, --reel
 * and --dump-patches with its three siblings. */
#define MAX_OUTPUTS 11

/* One input to compare outputs against. */
typedef struct input {
    const char *option;
    const char *path;
    struct stat info;
} input;

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "not a regular file";
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Fills o from path: the folder it would be created in, by device and
 * inode, so "./a.gif", "a.gif", "sub/../a.gif" and "link/a.gif" (link
 * naming this folder) are one name. */
static void output_init(output *o, const char *option, const char *path)
{
    memset(o, 0, sizeof *o);
    o->option = option;
    snprintf(o->path, sizeof o->path, "%s", path);
    path = o->path; /* the caller's buffer may be reused: keep to our copy */
    const char *slash = strrchr(path, '/');
    o->name = slash ? slash + 1 : path;
    char folder[PATH_MAX + 16];
    if (!slash)
        snprintf(folder, sizeof folder, ".");
    else if (slash == path)
        snprintf(folder, sizeof folder, "/");
    else
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - path), path);
    o->parent_known = stat(folder, &o->parent) == 0;
    o->exists = lstat(path, &o->self) == 0;
}

/* True when the existing regular file `file` (by path) lies somewhere under
 * the folder `dir`: its real path's ancestors are compared with dir by
 * device and inode. */
static bool lies_under(const char *file, const struct stat *dir)
{
    char *real = realpath(file, NULL);
    if (!real)
        return false;
    bool found = false;
    for (char *slash = strrchr(real, '/'); slash && !found; slash = strrchr(real, '/')) {
        if (slash == real) {
            slash[1] = 0; /* the root itself */
            struct stat info;
            found = stat(real, &info) == 0 && same_file(&info, dir);
            break;
        }
        *slash = 0;
        struct stat info;
        found = stat(real, &info) == 0 && same_file(&info, dir);
    }
    free(real);
    return found;
}

/* The inputs of this run: the kernel file (not a catalog name) and every
 * --images path, the bundled photographs when none is given. */
static int gather_inputs(const cli_options *opt, input *inputs, int capacity)
{
    int n = 0;
    const char *kernel = opt->apply ? (strchr(opt->apply, ':') ? NULL : opt->apply) : opt->kernel;
    const char *kernel_option = opt->apply ? "--apply" : "--kernel";
    if (kernel && lf_kernel_catalog_find(kernel) < 0 && n < capacity &&
        stat(kernel, &inputs[n].info) == 0) {
        inputs[n].option = kernel_option;
        inputs[n].path = kernel;
        n++;
    }
    lf_dataset_options d = app_dataset_options(opt);
    for (int i = 0; i < d.path_count && n < capacity; i++)
        if (stat(d.paths[i], &inputs[n].info) == 0) {
            inputs[n].option = "--images";
            inputs[n].path = d.paths[i];
            n++;
        }
    return n;
}

/* Refuses o when it exists and may not be replaced. */
static lf_status check_existing(const output *o, const input *inputs, int input_count,
                                lf_error *err)
{
    struct stat link_info, info;
    if (lstat(o->path, &link_info) != 0)
        return LF_OK; /* a new file: whether it can be made is probed later */
    if (S_ISLNK(link_info.st_mode))
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: %s is a symbolic link; name the file itself (an output is replaced "
                       "whole, which would replace the link, not what it points to)",
                       o->option, o->path);
    if (S_ISDIR(link_info.st_mode))
        return lf_fail(err, LF_ERR_INPUT, "%s: %s is a folder; name a file to write", o->option,
                       o->path);
    if (!S_ISREG(link_info.st_mode))
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: %s is %s; an output must be a regular file or a new name",
                       o->option, o->path, kind_of(link_info.st_mode));
    info = link_info;
    for (int i = 0; i < input_count; i++) {
        const input *in = &inputs[i];
        bool clash = false;
        if (S_ISDIR(in->info.st_mode))
            clash = lf_image_path_is_supported(o->path) && lies_under(o->path, &in->info);
        else
            clash = same_file(&info, &in->info);
        if (!clash)
            continue;
        if (S_ISDIR(in->info.st_mode))
            return lf_fail(err, LF_ERR_INPUT,
                           "%s: %s is an image in the %s folder %s; an output may not overwrite "
                           "an input",
                           o->option, o->path, in->option, in->path);
        return lf_fail(err, LF_ERR_INPUT,
                       "%s: %s is the %s input%s%s; an output may not overwrite an input",
                       o->option, o->path, in->option, strcmp(in->path, o->path) ? " " : "",
                       strcmp(in->path, o->path) ? in->path : "");
    }
    return LF_OK;
}

/* One file under two names: the same name in one folder (however the
 * folder is reached), or two names of one existing file (a hard link). */
static bool same_output(const output *a, const output *b)
{
    if (a->exists && b->exists && same_file(&a->self, &b->self))
        return true;
    if (a->parent_known && b->parent_known)
        return same_file(&a->parent, &b->parent) && !strcmp(a->name, b->name);
    return !strcmp(a->path, b->path);
}

lf_status output_check(const cli_options *opt, lf_error *err)
{
    output outputs[MAX_OUTPUTS];
    int count = 0;
    const struct { const char *option, *path; } named[] = {
        {"--weights-out", opt->weights_out}, {"--gif", opt->gif},
        {"--video", opt->video},             {"--screenshot", opt->screenshot},
        {"--output", opt->apply_output},     {"--dump-patches", opt->dump_patches},
        {"--reel", opt->reel},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0] && count < MAX_OUTPUTS; i++) {
        if (!named[i].path)
            continue;
        if (strlen(named[i].path) >= PATH_MAX)
            return lf_fail(err, LF_ERR_INPUT, "%s: the path is longer than %d bytes",
                           named[i].option, PATH_MAX - 1);
        output_init(&outputs[count++], named[i].option, named[i].path);
    }
    if (opt->dump_patches)
        for (int s = 0; s < OUTPUT_DUMP_SIBLINGS && count < MAX_OUTPUTS; s++) {
            char sibling[PATH_MAX + 16];
            output_sibling_path(sibling, sizeof sibling, opt->dump_patches,
                                output_dump_suffixes[s]);
            output_init(&outputs[count++], "--dump-patches", sibling);
        }

    input inputs[CLI_MAX_IMAGE_PATHS + 1];
    int input_count = gather_inputs(opt, inputs, CLI_MAX_IMAGE_PATHS + 1);
    for (int i = 0; i < count; i++) {
        lf_status st = check_existing(&outputs[i], inputs, input_count, err);
        if (st != LF_OK)
            return st;
    }
    for (int i = 1; i < count && i < MAX_OUTPUTS; i++)
        for (int j = 0; j < i; j++)
            if (same_output(&outputs[i], &outputs[j])) {
                if (outputs[i].option == outputs[j].option) /* --dump-patches and a sibling */
                    return lf_fail(err, LF_ERR_ARGUMENT,
                                   "%s: %s would be written twice (it is also one of the files "
                                   "written beside %s)",
                                   outputs[i].option, outputs[i].path, opt->dump_patches);
                return lf_fail(err, LF_ERR_ARGUMENT,
                               "%s: %s is also the %s output; give each output its own name",
                               outputs[i].option, outputs[i].path, outputs[j].option);
            }
    /* Last, whether each can be made at all: a temporary file is created
     * beside it and removed again. */
    for (int i = 0; i < count; i++) {
        lf_atomic_file probe;
        lf_error why;
        if (lf_atomic_open(&probe, outputs[i].path, &why) != LF_OK)
            return lf_fail(err, why.status, "%s: %s", outputs[i].option, why.message);
        lf_atomic_abandon(&probe);
    }
    return LF_OK;
}

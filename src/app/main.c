/*
 * main.c: learnfilter's entry point.
 *
 * Parses the command line and hands over to the window (the default) or to
 * the headless trainer (--headless), or applies one operation (--apply). Everything else lives in the modules.
 */
#include <stdio.h>
#include <stdlib.h>

#include "apply.h"
#include "cli.h"
#include "headless.h"
#include "race.h"
#include "learnfilter/kernel.h"
#include "window.h"

/* True when a window could have somewhere to go: an X or Wayland display,
 * or a video driver the user chose (SDL_VIDEODRIVER=dummy for tests and
 * screenshots). Without one SDL's own message is obscure, so say it here. */
static bool display_reachable(void)
{
    const char *names[3] = {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    cli_options options;
    lf_error err;
    if (!cli_parse(argc, argv, &options, &err)) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return EXIT_USAGE;
    }
    if (options.help) {
        cli_print_help(stdout);
        return EXIT_OK;
    }
    if (options.version) {
        printf("learnfilter %s\n", LF_VERSION);
        return EXIT_OK;
    }
    if (options.list_kernels) {
        for (int i = 0; i < lf_kernel_catalog_count(); i++) {
            const lf_kernel_info *info = lf_kernel_catalog_get(i);
            printf("%-12s %s\n", info->name, info->description);
        }
        return EXIT_OK;
    }
    if (options.apply)
        return apply_run(&options);
    if (options.headless)
        return headless_run(&options);
    cli_options race; /* the window's race (key C): refused now, not at the key */
    if (options.race && race_options(&options, options.race, &race, &err) != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return EXIT_USAGE;
    }
    if (!display_reachable()) {
        fprintf(stderr, "learnfilter: no display found (DISPLAY and WAYLAND_DISPLAY are not "
                        "set): use --headless to train without a window\n");
        return EXIT_USAGE;
    }
    return window_run(&options);
}

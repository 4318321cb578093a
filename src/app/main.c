/*
 * main.c: learnfilter's entry point.
 *
 * Parses the command line and hands over to the window (the default) or to
 * the headless trainer (--headless), or applies one operation (--apply). Everything else lives in the modules.
 */
#include <stdio.h>

#include "apply.h"
#include "cli.h"
#include "headless.h"
#include "learnfilter/kernel.h"
#include "window.h"

int main(int argc, char **argv)
{
    cli_options options;
    char message[512];
    if (!cli_parse(argc, argv, &options, message, sizeof message)) {
        fprintf(stderr, "learnfilter: %s\n", message);
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
    return options.headless ? headless_run(&options) : window_run(&options);
}

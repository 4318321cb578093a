/*
 * keymap.h: the one table of keys.
 *
 * Every key the window answers is a row here: the keys that trigger it,
 * the action, a short label for the footer, and the line the help overlay
 * shows. input.c turns a key press into the row's action, the footer
 * shows the rows' short labels in table order (as many as fit), and the
 * help lists every row: a key added here is handled, hinted and explained
 * at once, and none of the three can disagree with the others.
 *
 *   const keymap_entry *e = keymap_find(SDLK_n, KMOD_LSHIFT, &digit);
 *   if (e) ... e->action ...
 */
#ifndef LEARNFILTER_KEYMAP_H
#define LEARNFILTER_KEYMAP_H

#include <SDL.h>
#include <stdbool.h>

/* What a key does. input.c carries each out; the table says which keys. */
typedef enum keymap_action {
    KEYMAP_PAUSE = 0,    /* pause / resume */
    KEYMAP_STEP,         /* one training step */
    KEYMAP_STEP_TEN,     /* ten training steps */
    KEYMAP_STEP_EPOCH,   /* to the end of the epoch */
    KEYMAP_RESET,        /* same starting weights */
    KEYMAP_RESEED,       /* a new seed */
    KEYMAP_KERNEL_PREV,  /* previous kernel of the catalog */
    KEYMAP_KERNEL_NEXT,  /* next kernel of the catalog */
    KEYMAP_KERNEL_DIGIT, /* catalog kernel 1..9: the digit comes with the match */
    KEYMAP_LR_UP,        /* learning rate times sqrt(10) */
    KEYMAP_LR_DOWN,      /* learning rate divided by sqrt(10) */
    KEYMAP_OPTIMIZER,    /* SGD <-> Adam */
    KEYMAP_FASTER,       /* training speed one level up */
    KEYMAP_SLOWER,       /* and down */
    KEYMAP_SAMPLE_NEXT,  /* the next sample patch shown */
    KEYMAP_SAMPLE_PREV,  /* the previous one */
    KEYMAP_REWIND_BACK,  /* one stored state back (rewind.h); with Shift, REWIND_BIG_JUMP */
    KEYMAP_REWIND_FORWARD, /* one stored state forward; with Shift, REWIND_BIG_JUMP; End:
                              all the way, to the latest point */
    KEYMAP_SCALE_UP,     /* UI scale bigger */
    KEYMAP_SCALE_DOWN,   /* smaller */
    KEYMAP_SCALE_AUTO,   /* from the window size */
    KEYMAP_FULLSCREEN,   /* toggle */
    KEYMAP_RECORD,       /* start / stop a GIF of the window */
    KEYMAP_SCREENSHOT,   /* PNG of the window */
    KEYMAP_PRESENT,      /* the presentation layout on / off */
    KEYMAP_REEL,         /* a captioned movie of the run so far, GIF */
    KEYMAP_REEL_MP4,     /* the same, MP4 */
    KEYMAP_HELP,         /* show / hide the help */
    KEYMAP_BACK,         /* close the help, or quit when it is closed */
    KEYMAP_QUIT,
    KEYMAP_RACE,         /* a race from the current settings (race_window.h) */
    KEYMAP_FREQUENCY,    /* the frequency view on / off */
    KEYMAP_BOWL,         /* the loss bowl view on / off */
    KEYMAP_RANDOM_FILTERS, /* the random-filters view (layer_view.h); again: new filters */
    KEYMAP_ACTION_COUNT
} keymap_action;

/* Which modifiers a key needs. Ctrl and the GUI (command) key count as one. */
typedef enum keymap_mods {
    KEYMAP_PLAIN = 0, /* neither Ctrl nor Shift */
    KEYMAP_SHIFT,     /* Shift, without Ctrl */
    KEYMAP_ANY_SHIFT, /* without Ctrl, with or without Shift */
    KEYMAP_CTRL       /* Ctrl, with or without Shift */
} keymap_mods;

#define KEYMAP_MAX_KEYS 4 /* key codes per row */

typedef struct keymap_key {
    SDL_Keycode sym;  /* 0 ends the list */
    keymap_mods mods;
    int span;         /* 0 or 1: this key alone; 9: sym .. sym + 8 (the digits) */
} keymap_key;

typedef struct keymap_entry {
    keymap_action action;
    keymap_key keys[KEYMAP_MAX_KEYS];
    const char *keys_label; /* how the help names the keys, e.g. "N  or  ." */
    const char *footer;     /* short hint for the footer ("N step"); NULL: help only */
    const char *help;       /* what it does, one line */
    bool repeats;           /* a held key acts again (stepping); toggles do not */
} keymap_entry;

/* The table, in the order the help lists it and the footer hints it. */
const keymap_entry *keymap_entries(int *count);

/* The row a key press triggers, or NULL. For a range (the digits) *index
 * gets the key's place in it (0 for '1'); otherwise 0. mod is SDL's. */
const keymap_entry *keymap_find(SDL_Keycode sym, Uint16 mod, int *index);

/* Things the window takes besides keys, for the help overlay: label and
 * line, count of them in *count. */
typedef struct keymap_note {
    const char *label, *help;
} keymap_note;
const keymap_note *keymap_drop_notes(int *count);

#endif

/*
 * keymap.c: the table of keys. See keymap.h.
 */
#include "keymap.h"

#define ARROWS_LR "\xe2\x86\x90 \xe2\x86\x92"
#define ARROWS_UD "\xe2\x86\x91 \xe2\x86\x93"
#define MINUS "\xe2\x88\x92"

/* A pair of rows (up / down, next / previous) is hinted once in the footer,
 * on its first row. */
static const keymap_entry entries[] = {
    {KEYMAP_HELP, {{SDLK_h, KEYMAP_ANY_SHIFT, 0}, {SDLK_F1, KEYMAP_ANY_SHIFT, 0}},
     "H  or  F1", "H help", "this help (H again closes it)", false},
    /* A presentation clicker sends PageDown (forward), PageUp (back) and B
     * or . (its "blank screen" button, which sends one or the other): forward
     * and blank take a step, back plays or pauses. */
    {KEYMAP_PAUSE, {{SDLK_SPACE, KEYMAP_ANY_SHIFT, 0}, {SDLK_PAGEUP, KEYMAP_ANY_SHIFT, 0}},
     "Space  or  PageUp", "Space pause",
     "pause / resume (after the stop at the tolerance: train on); a clicker's back button",
     false},
    {KEYMAP_STEP,
     {{SDLK_n, KEYMAP_PLAIN, 0}, {SDLK_PERIOD, KEYMAP_ANY_SHIFT, 0},
      {SDLK_PAGEDOWN, KEYMAP_ANY_SHIFT, 0}, {SDLK_b, KEYMAP_ANY_SHIFT, 0}},
     "N  or  .  or  PageDown  or  B", "N step",
     "one training step (pauses first; hold to keep stepping); a clicker's forward button",
     true},
    {KEYMAP_STEP_TEN, {{SDLK_n, KEYMAP_SHIFT, 0}},
     "Shift+N", "Shift+N 10 steps", "ten training steps", true},
    {KEYMAP_STEP_EPOCH, {{SDLK_e, KEYMAP_ANY_SHIFT, 0}},
     "E", "E epoch", "train to the end of the epoch", true},
    {KEYMAP_RESET, {{SDLK_r, KEYMAP_PLAIN, 0}},
     "R", "R reset", "restart from the same starting weights (and rate, after a divergence)",
     false},
    {KEYMAP_RESEED, {{SDLK_r, KEYMAP_SHIFT, 0}},
     "Shift+R", NULL, "restart with a new seed", false},
    {KEYMAP_KERNEL_PREV, {{SDLK_LEFT, KEYMAP_ANY_SHIFT, 0}, {SDLK_LEFTBRACKET, KEYMAP_ANY_SHIFT, 0}},
     "\xe2\x86\x90  or  [", ARROWS_LR " kernel", "previous kernel of the catalog", true},
    {KEYMAP_KERNEL_NEXT,
     {{SDLK_RIGHT, KEYMAP_ANY_SHIFT, 0}, {SDLK_RIGHTBRACKET, KEYMAP_ANY_SHIFT, 0}},
     "\xe2\x86\x92  or  ]", NULL, "next kernel of the catalog, with its default settings", true},
    {KEYMAP_KERNEL_DIGIT, {{SDLK_1, KEYMAP_ANY_SHIFT, 9}, {SDLK_KP_1, KEYMAP_ANY_SHIFT, 9}},
     "1 \xe2\x80\xa6 9", NULL, "the first nine kernels of --list-kernels", false},
    {KEYMAP_LR_UP, {{SDLK_UP, KEYMAP_ANY_SHIFT, 0}},
     "\xe2\x86\x91", ARROWS_UD " learning rate", "learning rate \xc3\x97 3.16 (two presses: \xc3\x97 10)",
     true},
    {KEYMAP_LR_DOWN, {{SDLK_DOWN, KEYMAP_ANY_SHIFT, 0}},
     "\xe2\x86\x93", NULL, "learning rate \xc3\xb7 3.16", true},
    {KEYMAP_OPTIMIZER, {{SDLK_o, KEYMAP_ANY_SHIFT, 0}},
     "O", "O optimizer", "switch optimizer (SGD / Adam, each with its usual rate)", false},
    {KEYMAP_RACE, {{SDLK_c, KEYMAP_ANY_SHIFT, 0}},
     "C", "C race", "race: restart beside a second run that differs by --race, or by the "
     "other optimizer", false},
    {KEYMAP_FASTER,
     {{SDLK_PLUS, KEYMAP_ANY_SHIFT, 0}, {SDLK_EQUALS, KEYMAP_ANY_SHIFT, 0},
      {SDLK_KP_PLUS, KEYMAP_ANY_SHIFT, 0}},
     "+", "+/" MINUS " speed", "train faster: up to as fast as possible", true},
    {KEYMAP_SLOWER, {{SDLK_MINUS, KEYMAP_ANY_SHIFT, 0}, {SDLK_KP_MINUS, KEYMAP_ANY_SHIFT, 0}},
     MINUS, NULL, "train slower: down to 60 steps/s, one per frame", true},
    {KEYMAP_SAMPLE_NEXT, {{SDLK_i, KEYMAP_PLAIN, 0}},
     "I", "I image", "next sample patch shown", true},
    {KEYMAP_SAMPLE_PREV, {{SDLK_i, KEYMAP_SHIFT, 0}},
     "Shift+I", NULL, "previous sample patch shown", true},
    /* Shift makes the rewind keys jump REWIND_BIG_JUMP states, and End goes
     * all the way forward (input.c): two rows keep the help short. */
    {KEYMAP_REWIND_BACK, {{SDLK_j, KEYMAP_ANY_SHIFT, 0}},
     "J  (Shift+J: 8)", "J/L rewind", "back to the previous saved state (Space there: a branch)",
     true},
    {KEYMAP_REWIND_FORWARD, {{SDLK_l, KEYMAP_ANY_SHIFT, 0}, {SDLK_END, KEYMAP_ANY_SHIFT, 0}},
     "L  (Shift+L: 8)  End", NULL, "forward to the next saved state; End: to the latest point",
     true},
    {KEYMAP_FREQUENCY, {{SDLK_f, KEYMAP_ANY_SHIFT, 0}},
     "F", "F frequencies",
     "frequency view: the kernels' and the photos' spectra, why the fine detail is slow", false},
    {KEYMAP_BOWL, {{SDLK_w, KEYMAP_ANY_SHIFT, 0}},
     "W", "W loss bowl",
     "loss bowl over two weights (click two cells of the learned kernel to pick them)", false},
    /* Plain X is explore mode's (explore_window.h). */
    {KEYMAP_RANDOM_FILTERS, {{SDLK_x, KEYMAP_SHIFT, 0}},
     "Shift+X", "Shift+X random filters",
     "8 random 3x3x3 filters over a colour photo, a feature map each (R: new ones)", false},
    {KEYMAP_RECORD, {{SDLK_g, KEYMAP_ANY_SHIFT, 0}},
     "G", "G record", "record the window to a GIF; G again stops", false},
    {KEYMAP_SCREENSHOT, {{SDLK_p, KEYMAP_ANY_SHIFT, 0}, {SDLK_F12, KEYMAP_ANY_SHIFT, 0}},
     "P  or  F12", "P screenshot", "screenshot of the window (PNG)", false},
    {KEYMAP_PRESENT, {{SDLK_v, KEYMAP_ANY_SHIFT, 0}, {SDLK_F5, KEYMAP_ANY_SHIFT, 0}},
     "V  or  F5", "V present", "presentation layout: kernels and images large, no controls",
     false},
    {KEYMAP_REEL, {{SDLK_m, KEYMAP_PLAIN, 0}},
     "M", NULL, "write a reel: a captioned 10-second GIF of the run so far (stored states)",
     false},
    {KEYMAP_REEL_MP4, {{SDLK_m, KEYMAP_SHIFT, 0}},
     "Shift+M", NULL, "the same reel as an MP4 (needs ffmpeg)", false},
    {KEYMAP_SCALE_UP,
     {{SDLK_PLUS, KEYMAP_CTRL, 0}, {SDLK_EQUALS, KEYMAP_CTRL, 0}, {SDLK_KP_PLUS, KEYMAP_CTRL, 0}},
     "Ctrl +", "Ctrl +/" MINUS " text size", "bigger text and panels (UI scale)", true},
    {KEYMAP_SCALE_DOWN, {{SDLK_MINUS, KEYMAP_CTRL, 0}, {SDLK_KP_MINUS, KEYMAP_CTRL, 0}},
     "Ctrl " MINUS, NULL, "smaller text and panels", true},
    {KEYMAP_SCALE_AUTO, {{SDLK_0, KEYMAP_CTRL, 0}, {SDLK_KP_0, KEYMAP_CTRL, 0}},
     "Ctrl 0", NULL, "text size from the window size again", false},
    {KEYMAP_FULLSCREEN, {{SDLK_F11, KEYMAP_ANY_SHIFT, 0}},
     "F11", "F11 fullscreen", "fullscreen on / off", false},
    {KEYMAP_BACK, {{SDLK_ESCAPE, KEYMAP_ANY_SHIFT, 0}},
     "Esc", NULL, "close the help or the random filters; without them, quit", false},
    {KEYMAP_QUIT, {{SDLK_q, KEYMAP_ANY_SHIFT, 0}, {SDLK_q, KEYMAP_CTRL, 0}},
     "Q", "Q quit", "quit", false},
};

static const keymap_note drop_notes[] = {
    {"drop a photo", "a photo or a folder of them: train on it"},
    {"drop a kernel", "a .txt or .npy matrix, or a PNG up to 64x64: learn it"},
};

const keymap_entry *keymap_entries(int *count)
{
    *count = (int)(sizeof entries / sizeof entries[0]);
    return entries;
}

const keymap_note *keymap_drop_notes(int *count)
{
    *count = (int)(sizeof drop_notes / sizeof drop_notes[0]);
    return drop_notes;
}

static bool mods_match(keymap_mods want, Uint16 mod)
{
    bool shift = (mod & KMOD_SHIFT) != 0, ctrl = (mod & (KMOD_CTRL | KMOD_GUI)) != 0;
    switch (want) {
    case KEYMAP_PLAIN: return !ctrl && !shift;
    case KEYMAP_SHIFT: return !ctrl && shift;
    case KEYMAP_ANY_SHIFT: return !ctrl;
    case KEYMAP_CTRL: return ctrl;
    }
    return false;
}

const keymap_entry *keymap_find(SDL_Keycode sym, Uint16 mod, int *index)
{
    const int n = (int)(sizeof entries / sizeof entries[0]);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < KEYMAP_MAX_KEYS && entries[i].keys[k].sym; k++) {
            const keymap_key *key = &entries[i].keys[k];
            int span = key->span > 1 ? key->span : 1;
            if (sym < key->sym || sym >= key->sym + span || !mods_match(key->mods, mod))
                continue;
            if (index)
                *index = (int)(sym - key->sym);
            return &entries[i];
        }
    return NULL;
}

/*
 * window.c: the live window: initialization, main loop, de-initialization.
 *
 * The main thread owns the window, the renderer, the textures and the fonts;
 * the worker thread (worker.h) owns the model. Each frame the loop handles
 * events (input.h turns them into worker requests), takes whatever the
 * worker has published since the last frame, draws (render.h) and presents,
 * then sleeps until the next 1/60 s so that the worker keeps its core.
 *
 * --frames N stops after N frames; --screenshot FILE reads back the last
 * frame from the renderer before it is presented, so the file holds exactly
 * what was on screen. --stats prints frame-time figures as one JSON line.
 *
 * G records the window and P writes a screenshot (capture.h): the frame is
 * read back after the scene and the status line are drawn and before the
 * recording marker is, so movies and screenshots show what the user sees,
 * less the marker. --gif or --video given to the window records from the
 * first frame to the last, for scripted captures with --frames.
 */
#define _POSIX_C_SOURCE 200809L
#include "window.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "input.h"
#include "recorder.h"
#include "layout.h"
#include "learnfilter/export.h"
#include "learnfilter/png.h"
#include "explore_window.h"
#include "frame_pace.h"
#include "frame_stats.h"
#include "frame_trace.h"
#include "insight.h"
#include "layer_window.h"
#include "output_check.h"
#include "race_window.h"
#include "notice.h"
#include "render.h"
#include "scripted.h"
#include "setup.h"
#include "window_reel.h"
#include "worker.h"

#define WINDOW_FPS 60             /* frame cap: more would only take time from training */
#define WINDOW_TOAST_SECONDS 4.0  /* how long a message stays on screen */
#define WINDOW_FILE_TOAST_SECONDS 7.0 /* a file's name stays longer: time to read it */
#define WINDOW_BRIEF_TOAST_SECONDS 1.5 /* "recording": the marker says it from then on */
#define WINDOW_ACK_SECONDS 2.0    /* a request's acknowledgement ("Switching to smiley…") */
#define WINDOW_DRAIN_SECONDS 300.0 /* with test hooks: most wait for the worker's queue (a
                                     hang guard: the worker is slow under sanitizers) */
/* The loop's clock: the hooks' (a test's simulated time) or the real one. */
static double now_seconds(const app_clock *clock) { return app_clock_seconds(clock); }

static void warn_to_stderr(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "learnfilter: warning: %s\n", message);
}

/* Movies and screenshots are also named in the terminal: the status line
 * is gone once the window closes, and a movie finished on closing is only
 * named here. */
static void capture_to_stderr(void *user, const char *message, bool is_error)
{
    (void)user;
    fprintf(stderr, "learnfilter: %s%s\n", is_error ? "error: " : "", message);
}

/* Reads back what the renderer has drawn (before it is presented, when the
 * back buffer is still defined). Returns a malloc'd RGBA buffer or NULL. */
static unsigned char *read_frame(SDL_Renderer *renderer, int width, int height)
{
    unsigned char *pixels = malloc((size_t)width * 4 * (size_t)height);
    if (pixels &&
        SDL_RenderReadPixels(renderer, NULL, SDL_PIXELFORMAT_RGBA32, pixels, width * 4) != 0) {
        fprintf(stderr, "learnfilter: cannot read the frame back: %s\n", SDL_GetError());
        free(pixels);
        return NULL;
    }
    if (!pixels)
        fprintf(stderr, "learnfilter: out of memory for the screenshot\n");
    return pixels;
}

int window_run(const cli_options *o) { return window_run_with(o, NULL, NULL); }

int window_run_with(const cli_options *o, const window_hooks *hooks, window_report *report)
{
    /* ------------------------------------------------ Initialization */
    static const app_clock real_clock; /* zero: the real monotonic clock */
    const app_clock *clock = hooks ? &hooks->clock : &real_clock;
    app_setup setup;
    lf_error err;
    /* Refuse a bad screenshot or movie path now, not after the run: a
     * scripted capture should fail at once, not run without recording. */
    lf_status checked = output_check(o, &err);
    if (checked != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return app_exit_code(checked);
    }
    const char *movie_path = o->gif ? o->gif : o->video;
    if (movie_path && !o->gif && !recorder_ffmpeg_available()) {
        fprintf(stderr, "learnfilter: %s: an MP4 needs ffmpeg, which is not installed "
                        "(apt-get install ffmpeg), or record a GIF with --gif\n",
                movie_path);
        return EXIT_INPUT;
    }
    lf_status st = app_setup_create(&setup, o, warn_to_stderr, NULL, NULL, &err);
    if (st != LF_OK) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        return app_exit_code(st);
    }
    int patch_side = setup.dataset.patch_size;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "learnfilter: cannot open a window: %s (try --headless)\n",
                SDL_GetError());
        app_setup_destroy(&setup);
        return EXIT_INPUT;
    }
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI |
                   (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    SDL_Window *window = SDL_CreateWindow("learnfilter", SDL_WINDOWPOS_CENTERED,
                                          SDL_WINDOWPOS_CENTERED, o->width ? o->width : 1280,
                                          o->height ? o->height : 720, flags);
    /* No vsync: the loop paces itself, which also works where vsync is
     * unavailable (Xvfb, the dummy driver) and keeps measurements honest. */
    SDL_Renderer *renderer = window ? SDL_CreateRenderer(window, -1, SDL_RENDERER_ACCELERATED)
                                    : NULL;
    if (window && !renderer)
        renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE);
    if (!renderer) {
        fprintf(stderr, "learnfilter: cannot open a window: %s (try --headless)\n",
                SDL_GetError());
        if (window)
            SDL_DestroyWindow(window);
        SDL_Quit();
        app_setup_destroy(&setup);
        return EXIT_INPUT;
    }
    SDL_SetWindowMinimumSize(window, LAYOUT_MIN_WIDTH, LAYOUT_MIN_HEIGHT);
    SDL_RendererInfo info;
    SDL_GetRendererInfo(renderer, &info);

    int draw_w = 0, draw_h = 0;
    SDL_GetRendererOutputSize(renderer, &draw_w, &draw_h);
    ui_state ui = {.fullscreen = o->fullscreen, .scale = o->ui_scale, .show_help = o->show_help,
                   .present = o->present};
    float scale = ui.scale > 0 ? ui.scale : layout_auto_scale(draw_w, draw_h);
    render_ctx *view = render_create(renderer, app_assets_dir(), scale, patch_side, &err);
    worker *trainer = NULL;
    capture_options copt = {.dir = o->record_dir, .fps = o->gif_fps, .loop = o->gif_loop,
                            .on_message = capture_to_stderr, .clock = *clock,
                            .wait_when_full = hooks && hooks->capture_wait_when_full};
    capture *cap = view ? capture_create(&copt) : NULL;
    if (view && !cap)
        lf_fail(&err, LF_ERR_NOMEM, "out of memory for recording");
    if (cap && o->layout_out && !render_record_layout(view, true)) {
        lf_fail(&err, LF_ERR_NOMEM, "out of memory for --layout-out");
        capture_destroy(cap);
        cap = NULL;
    }
    race_window race; /* key C: a second run beside this one */
    race_window_init(&race, &setup, o, *clock);
    window_reel *reels = cap ? window_reel_create(o->record_dir) : NULL; /* M (window_reel.h) */
    if (cap && !reels)
        lf_fail(&err, LF_ERR_NOMEM, "out of memory for reels");
    if (reels) {
        worker_options wopt = {.start_paused = o->start_paused, .speed = o->speed, .cli = o,
                               .clock = *clock};
        trainer = worker_create(&setup, &wopt, &err);
    }
    if (!view || !trainer) {
        race_window_deinit(&race);
        fprintf(stderr, "learnfilter: %s\n", err.message);
        window_reel_destroy(reels);
        capture_destroy(cap);
        render_destroy(view);
        SDL_DestroyRenderer(renderer);
        SDL_DestroyWindow(window);
        TTF_Quit();
        SDL_Quit();
        app_setup_destroy(&setup);
        return EXIT_INPUT;
    }
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    insight *insights = insight_create(o, &err); /* F and W; without it they show nothing */
    layer_window layers = {.cli = o}; /* Shift+X, and what a layer cannot do yet */
    /* Explore mode shares the window and its fonts; without it (no
     * memory for its pictures) training still works. */
    explore_session explore;
    bool explore_ok = explore_session_init(&explore, renderer, app_data_dir(), o->images,
                                           o->image_count, &err);
    if (!explore_ok)
        fprintf(stderr, "learnfilter: explore mode is unavailable: %s\n", err.message);
    else
        explore.active = o->explore;

    layout L;
    layout_compute_mode(&L, draw_w, draw_h, scale, ui.present || movie_path);
    static frame_stats frame_times, work_times; /* 80 KB each: not on the stack */
    memset(&frame_times, 0, sizeof frame_times);
    memset(&work_times, 0, sizeof work_times);
    frame_trace trace; /* LF_FRAME_TRACE=FILE: each frame's phases (frame_trace.h) */
    frame_trace_open(&trace, getenv(FRAME_TRACE_ENV));
    const double period = 1.0 / WINDOW_FPS;
    double start = now_seconds(clock), last_present = 0;
    frame_pace pace;
    frame_pace_init(&pace, clock, period, start); /* this thread's sleeps end on time */
    double main_cpu_start = frame_stats_thread_cpu_seconds();
    double fps = -1, fps_since = start;
    long fps_frames = 0, frames = 0;
    unsigned seen_message = 0;
    char toast[WORKER_MESSAGE_MAX + 32] = "";
    bool toast_is_error = false;
    double toast_until = 0;
    unsigned toast_message = 0; /* the worker message shown, 0 for any other text */
    int exit_code = EXIT_OK;
    int last_w = 0, last_h = 0;
    unsigned titled_generation = 0;
    unsigned char *shot = NULL;
    int shot_w = 0, shot_h = 0;
    unsigned seen_capture = 0;
    unsigned long refused = 0;
    notice_tracker notices = {0};
    const worker_frame *shown_frame = NULL; /* the frame last drawn, for acknowledgements */
    char progress[NOTICE_TEXT_MAX];
    if (movie_path) {
        /* One movie at a time: a GIF when both are asked for. */
        if (o->gif && o->video)
            fprintf(stderr, "learnfilter: the window records one movie: %s, not %s\n", o->gif,
                    o->video);
        const worker_frame *first = worker_acquire_frame(trainer, NULL);
        if (!capture_start(cap, movie_path, first->snap.target.name, draw_w, draw_h))
            exit_code = EXIT_INPUT; /* said why; the window still opens */
    }

    /* ------------------------------------------------------ Main loop */
    while (!ui.quit) {
        double frame_start = now_seconds(clock);
        frame_trace_begin(&trace, frame_start);
        if (hooks && hooks->before_frame)
            hooks->before_frame(hooks->user, frames, window);
        scripted_push_events(o, frames);
        SDL_Event e;
        bool had_events = false;
        /* Clicks are hit-tested against the buttons of the frame last drawn. */
        ui.buttons = render_buttons(view);
        ui.strip = render_strip(view);
        ui.drawn = frames > 0 ? render_layout(view) : NULL;
        ui.timeline_latest = shown_frame ? shown_frame->rewind.latest_step : 0;
        SDL_GetWindowSize(window, &ui.window_w, &ui.window_h);
        SDL_GetRendererOutputSize(renderer, &ui.draw_w, &ui.draw_h);
        while (SDL_PollEvent(&e)) {
            had_events = true;
            worker_req req;
            int ew = 1, eh = 1, dw = 0, dh = 0;
            SDL_GetWindowSize(window, &ew, &eh);
            SDL_GetRendererOutputSize(renderer, &dw, &dh);
            if (explore_ok && explore_session_event(&explore, &e, dw, dh, ew, eh)) {
                if (e.type == SDL_DROPFILE)
                    SDL_free(e.drop.file);
                if (explore.state.learn[0]) {
                    /* "Learn this": the network trains on the operation. */
                    worker_req learn = {.kind = WORKER_REQ_TARGET};
                    snprintf(learn.path, sizeof learn.path, "%s", explore.state.learn);
                    explore.state.learn[0] = '\0';
                    explore.active = false;
                    if (!worker_request(trainer, &learn))
                        refused++;
                }
                continue;
            }
            bool wants = input_handle_event(&ui, &e, scale, &req);
            if (wants && !worker_request(trainer, &req)) {
                refused++;
                snprintf(toast, sizeof toast, "busy: that key was ignored, try again");
                toast_message = 0;
                toast_is_error = true;
                toast_until = frame_start + 2;
            } else if (wants && notice_for_request(&req, shown_frame, toast, sizeof toast)) {
                /* Said at once, before the worker takes it. */
                toast_message = 0;
                toast_is_error = false;
                toast_until = frame_start + WINDOW_ACK_SECONDS;
            }
            if (wants && race_window_forward(&race, &req, shown_frame, toast, sizeof toast)) {
                toast_message = 0; /* the race ended: say so */
                toast_is_error = false;
                toast_until = frame_start + WINDOW_TOAST_SECONDS;
            }
            if (e.type == SDL_DROPFILE) {
                toast_is_error = ui.refused[0] != 0;
                if (toast_is_error)
                    snprintf(toast, sizeof toast, "%s", ui.refused);
                else
                    snprintf(toast, sizeof toast, "loading %s\xe2\x80\xa6", e.drop.file);
                ui.refused[0] = 0;
                toast_message = 0;
                toast_until = frame_start + WINDOW_TOAST_SECONDS;
                SDL_free(e.drop.file);
            }
        }
        frame_trace_mark(&trace, FRAME_PHASE_EVENTS, now_seconds(clock));
        if (ui.layout_changed) {
            ui.layout_changed = false;
            bool is_full = (SDL_GetWindowFlags(window) & SDL_WINDOW_FULLSCREEN_DESKTOP) ==
                           SDL_WINDOW_FULLSCREEN_DESKTOP;
            if (is_full != ui.fullscreen)
                SDL_SetWindowFullscreen(window, ui.fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        }
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(renderer, &w, &h);
        float want_scale = ui.scale > 0 ? ui.scale : layout_auto_scale(w, h);
        if (want_scale != scale && render_set_scale(view, want_scale))
            scale = want_scale;
        /* A recording is made in the presentation layout: the window shows
         * it while recording (a G pressed this frame counts already). */
        bool presenting = ui.present || (capture_is_recording(cap) != ui.record_toggle);
        if (w != L.width || h != L.height || scale != L.scale || presenting != L.present)
            layout_compute_mode(&L, w, h, scale, presenting);

        bool is_new, changed = had_events || frames == 0 || L.width != last_w ||
                                   L.height != last_h || frame_start < toast_until + 0.1;
        /* A minimized window shows nothing: its frames would only take
         * cycles from training. */
        bool hidden = (SDL_GetWindowFlags(window) & (SDL_WINDOW_MINIMIZED | SDL_WINDOW_HIDDEN)) != 0;
        last_w = L.width;
        last_h = L.height;
        /* What a layer cannot do yet says why (F, W, C), as a race's start does. */
        bool layer_refused = layer_window_refuse(&ui, shown_frame, toast, sizeof toast);
        if (ui.race_start || layer_refused) { /* C: a race from what is shown now */
            ui.race_start = false;
            toast_is_error = layer_refused ||
                             !race_window_start(&race, trainer, shown_frame, toast, sizeof toast);
            toast_message = 0;
            toast_until = frame_start + WINDOW_TOAST_SECONDS;
        }
        if (hooks && hooks->lockstep) {
            worker_settle(trainer);
            race_window_settle(&race);
        }
        const worker_frame *frame = worker_acquire_frame(trainer, &is_new);
        char race_lead[256];
        const worker_frame *race_frame = race_window_view(&race, frame, &changed, race_lead,
                                                          sizeof race_lead);
        ui.shown = &frame->snap; /* what a click on a kernel cell edits */
        changed |= is_new;
        if (is_new)
            render_update_frame(view, frame);
        shown_frame = frame;
        notice_observe(&notices, frame);
        float notice_alpha = 0;
        const char *notice = notice_current(&notices, &notice_alpha);
        bool building = notice_progress(&notices, frame, progress, sizeof progress);
        changed |= notice != NULL; /* it fades frame by frame */
        if (frame->generation != titled_generation || frames == 0) {
            /* The task bar and a screen recorder's window list name the
             * kernel too. Only on a change: SDL copies the title. */
            titled_generation = frame->generation;
            char title[LF_KERNEL_NAME_MAX + 32];
            snprintf(title, sizeof title, "learnfilter \xe2\x80\x94 %s %dx%d", frame->snap.target.name,
                     frame->snap.target.height, frame->snap.target.width);
            SDL_SetWindowTitle(window, title);
        }
        if (frame->message_serial != seen_message) {
            seen_message = frame->message_serial;
            snprintf(toast, sizeof toast, "%s", frame->message);
            toast_is_error = frame->message_is_error;
            toast_until = frame_start + WINDOW_TOAST_SECONDS;
            toast_message = seen_message;
        }
        if (frame->state == WORKER_DIVERGED && toast_message == frame->message_serial &&
            toast_message != 0 && frame->message_is_error) {
            /* What brings training back stays in view as long as it is
             * needed, not for the usual few seconds. */
            toast_until = fmax(toast_until, frame_start + 1.0);
        }
        frame_trace_mark_new(&trace, FRAME_PHASE_FRAME, now_seconds(clock), is_new);
        if (ui.record_toggle || ui.screenshot) {
            if (ui.record_toggle)
                capture_toggle(cap, frame->snap.target.name, w, h);
            if (ui.screenshot)
                capture_request_screenshot(cap, frame->snap.target.name);
            ui.record_toggle = ui.screenshot = false;
        }
        capture_update(cap);
        bool capture_is_error, capture_brief;
        unsigned capture_serial;
        const char *capture_text =
            capture_message(cap, &capture_serial, &capture_is_error, &capture_brief);
        if (capture_serial != seen_capture) {
            seen_capture = capture_serial;
            snprintf(toast, sizeof toast, "%s", capture_text);
            toast_message = 0;
            toast_is_error = capture_is_error;
            toast_until = frame_start + (capture_brief ? WINDOW_BRIEF_TOAST_SECONDS
                                                       : WINDOW_FILE_TOAST_SECONDS);
            changed = true;
        }
        /* Recording needs frames drawn even when nothing moved; the marker's
         * clock moves anyway. */
        changed |= capture_wants_frame(cap);
        const worker_images *images = worker_acquire_images(trainer, &is_new);
        changed |= is_new;
        if (is_new)
            render_update_images(view, images);
        frame_trace_mark_new(&trace, FRAME_PHASE_IMAGES, now_seconds(clock), is_new);
        /* M, Shift+M: a reel of the run so far from the stored states,
         * written on a thread of its own. */
        bool reel_is_error = false;
        if (window_reel_frame(reels, trainer, &ui.reel, &ui.reel_mp4, toast, sizeof toast,
                              &reel_is_error)) {
            toast_message = 0;
            toast_is_error = reel_is_error;
            toast_until = frame_start + WINDOW_FILE_TOAST_SECONDS;
            changed = true;
        }

        /* Mouse events come in window coordinates; on a high-DPI screen the
         * drawable has more pixels than that. */
        int win_w = 1, win_h = 1;
        SDL_GetWindowSize(window, &win_w, &win_h);
        render_view v = {
            .frame = frame,
            .images = images,
            .fps = fps,
            .mouse_inside = ui.mouse_inside,
            .mouse_x = win_w > 0 ? ui.mouse_x * w / win_w : ui.mouse_x,
            .mouse_y = win_h > 0 ? ui.mouse_y * h / win_h : ui.mouse_y,
            .show_help = ui.show_help,
            .toast = frame_start < toast_until ? toast : NULL,
            .toast_is_error = toast_is_error,
            .toast_alpha = (float)fmin(1.0, (toast_until - frame_start) / 0.5),
            .recording = capture_is_recording(cap),
            .edit = &ui.edit,
            .notice = notice,
            .notice_alpha = notice_alpha,
            .progress = building ? progress : NULL,
            .race = race_frame,
            .race_first = race.first_label,
            .race_second = race.second_label,
            .race_lead = race_lead,
            .insight = insight_frame(insights, ui.insight, ui.insight_picked ? ui.insight_pick : -1,
                                     &frame->snap, frame->generation, frame->tolerance),
            .layer_x = ui.layer_x,
            .layer_x_result = layer_window_result(&layers, &ui, &changed),
        };
        ui.insight_picked = false;
        changed |= v.insight && v.insight->fresh;
        notice_tick(&notices);
        frames++;
        bool last = o->frames > 0 && frames >= o->frames;
        /* Nothing new (paused, no input): the screen already shows it, so
         * skip drawing and presenting and leave the CPU to others. */
        bool exploring = explore_ok && explore.active;
        if (exploring)
            changed = true; /* the lens plays on its own clock */
        if (((changed && !hidden) || last) && exploring)
            explore_session_frame(&explore, render_text(view), frame_start, w, h, v.mouse_x,
                                  v.mouse_y, ui.show_help);
        else if ((changed && !hidden) || last)
            render_draw(view, &L, &v);
        frame_trace_mark(&trace, FRAME_PHASE_DRAW, now_seconds(clock));
        if ((changed && !hidden) || last) {
            capture_frame(cap, renderer, w, h);
        }
        if (last) {
            /* Encoding waits until after the loop, so it is not counted as
             * a frame. */
            if (o->screenshot) {
                shot = read_frame(renderer, w, h);
                shot_w = w;
                shot_h = h;
            }
            ui.quit = true;
        }
        bool present = (changed && !hidden) || last;
        if (present) {
            capture_draw_marker(cap, renderer, render_text(view), &L);
            if (hooks && hooks->before_present)
                hooks->before_present(hooks->user, frames - 1, renderer, frame, v.toast);
            /* Drawn now, not when presented after the deadline: the software
             * renderer runs its queue then, 5 to 10 ms at 1080p. */
            SDL_RenderFlush(renderer);
        }
        double work_end = now_seconds(clock);
        frame_trace_mark(&trace, FRAME_PHASE_CAPTURE, work_end);
        frame_stats_add(&work_times, (work_end - frame_start) * 1e3);
        /* Shown at its deadline, not when drawing happens to end: drawing
         * time varies, and the interval between frames would show it. */
        double late_ms = frame_pace_wait(&pace, work_end, !last);
        frame_trace_mark(&trace, FRAME_PHASE_SLEEP, now_seconds(clock));
        if (present)
            SDL_RenderPresent(renderer);

        double t = now_seconds(clock);
        frame_trace_mark(&trace, FRAME_PHASE_PRESENT, t);
        frame_trace_end(&trace, frames - 1, last_present > 0 ? (t - last_present) * 1e3 : 0,
                        late_ms, present);
        if (last_present > 0)
            frame_stats_add(&frame_times, (t - last_present) * 1e3);
        last_present = t;
        fps_frames++;
        if (t - fps_since >= 0.5) {
            fps = fps_frames / (t - fps_since);
            fps_since = t;
            fps_frames = 0;
        }
        if (ui.quit)
            break;
    }

    /* ---------------------------------------------- De-initialization */
    double elapsed = now_seconds(clock) - start;
    frame_trace_close(&trace);
    capture_finish(cap); /* a movie being recorded is finished and kept */
    capture_counts recorded = *capture_get_counts(cap);
    if (report)
        report->capture = recorded;
    capture_destroy(cap);
    unsigned long queued = 0, taken = 0, misordered = 0;
    worker_request_counts(trainer, &queued, &taken, &misordered);
    /* Real time here, not the hooks' clock: this waits for the worker's
     * work, which a simulated clock does not hurry. */
    for (double until = app_clock_seconds(NULL) + WINDOW_DRAIN_SECONDS;
         hooks && taken < queued && app_clock_seconds(NULL) < until;) {
        app_clock_sleep_until(NULL, app_clock_now(NULL) + APP_NS_PER_S / 200);
        worker_request_counts(trainer, &queued, &taken, &misordered);
    }
    window_reel_finish(reels, trainer); /* the reels asked for are written */
    if (report)
        report->reels = *window_reel_get_counts(reels);
    window_reel_destroy(reels);
    long steps;
    double train_seconds;
    worker_totals(trainer, &steps, &train_seconds);
    double worker_cpu = worker_cpu_seconds(trainer);
    double main_cpu = frame_stats_thread_cpu_seconds() - main_cpu_start;
    /* What the window last showed: the newest published frame. */
    const worker_frame *last_frame = worker_acquire_frame(trainer, NULL);
    struct { long step; double rel_err; worker_state state; } shown = {
        last_frame->snap.figures.step, last_frame->snap.figures.rel_err, last_frame->state};
    race_window_report(&race, report, last_frame);
    race_window_deinit(&race);
    worker_destroy(trainer); /* asks the thread to quit and joins it */
    insight_destroy(insights);
    layer_window_deinit(&layers);
    if (report) {
        report->frames = frames;
        report->steps = steps;
        report->requests_queued = queued;
        report->requests_refused = refused;
        report->requests_taken = taken;
        report->requests_misordered = misordered;
    }
    if (o->layout_out && !render_write_layout(view, o->layout_out, &err)) {
        fprintf(stderr, "learnfilter: %s\n", err.message);
        exit_code = EXIT_INPUT;
    }
    if (explore_ok)
        explore_session_deinit(&explore);
    render_destroy(view);
    SDL_DestroyRenderer(renderer);
    SDL_DestroyWindow(window);
    TTF_Quit();
    SDL_Quit();
    app_setup_destroy(&setup); /* empty by now: the worker took it */
    if (o->screenshot) {
        if (!shot) {
            exit_code = EXIT_INPUT;
        } else if (lf_png_write_rgba(o->screenshot, shot, shot_w, shot_h, shot_w * 4, &err) !=
                   LF_OK) {
            fprintf(stderr, "learnfilter: %s\n", err.message);
            exit_code = EXIT_INPUT;
        }
        free(shot);
    }
    if (o->stats) {
        frame_stats_line line = {
            .frames = frames, .frame_times = &frame_times, .work_times = &work_times,
            .seconds = elapsed, .steps = steps, .train_seconds = train_seconds,
            .main_cpu_seconds = main_cpu, .worker_cpu_seconds = worker_cpu, .step = shown.step,
            .rel_err = shown.rel_err, .state = worker_state_name(shown.state),
            .width = L.width, .height = L.height, .renderer = info.name,
            .recorded_frames = recorded.frames_taken, .recorded_dropped = recorded.frames_dropped};
        frame_stats_print(stdout, &line);
    }
    return exit_code;
}

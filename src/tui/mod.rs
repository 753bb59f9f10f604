//! The terminal UI (`ropa` with no arguments, or `ropa tui [PATH]`): a full-screen
//! ratatui app over crossterm. This module owns the terminal (raw mode, alternate
//! screen, mouse capture) and restores it on every exit that can run code: quit,
//! Ctrl-C, an error from the loop or the editor (a guard's `Drop`), a panic (a hook),
//! and SIGTERM, SIGHUP, SIGINT and SIGQUIT (caught, then a clean exit). It also runs
//! the single event loop: keys and mouse go to the [`app::App`], audits run on a
//! background thread with their progress shown (a panic there becomes a status line),
//! file changes seen by `notify` trigger a reload, and `e` suspends the UI to run
//! `$EDITOR`.

pub mod app;
pub mod data;
pub mod excerpt;
pub mod export;
pub mod fit;
pub mod list;
pub mod theme;
pub mod trail;
pub mod views;

use app::{App, Command};
use data::{Data, Location};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{self, IsTerminal, Stdout, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// How long file changes must settle before a reload starts.
const RELOAD_DELAY: Duration = Duration::from_millis(250);
/// How often the loop wakes when nothing happens (progress redraws, reload timers).
const TICK: Duration = Duration::from_millis(100);

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether standard input and output are a terminal the UI can run in.
pub fn has_terminal() -> bool {
    io::stdout().is_terminal() && io::stdin().is_terminal()
}

/// Opens the terminal UI on the inventory at `paths`; returns the exit status.
pub fn run(paths: Vec<PathBuf>) -> io::Result<u8> {
    if !has_terminal() {
        let mut err = io::stderr().lock();
        writeln!(
            err,
            "error: the ropa terminal UI needs a terminal, and {} is not one.",
            if io::stdout().is_terminal() {
                "standard input"
            } else {
                "standard output"
            }
        )?;
        writeln!(
            err,
            "help: run `ropa check` for a report instead (`ropa check --format json` for machines)"
        )?;
        return Ok(crate::cli::EXIT_INPUT_ERROR);
    }
    let theme = theme::Theme::from_env();
    install_panic_hook();
    let signals = Signals::catch();
    let outcome = enter().and_then(|mut terminal| {
        // Restores the terminal however this block is left, `?` included.
        let _restore = Restore;
        let outcome = event_loop(&mut terminal, paths, theme, &signals);
        leave().and(outcome)
    });
    let status = match outcome? {
        Exit::Quit => crate::cli::EXIT_CLEAN,
        // The shell's convention for a process ended by a signal.
        Exit::Signal(signal) => 128u8.saturating_add(signal),
    };
    Ok(status)
}

/// Whether the terminal is in the UI's modes, so that it is restored exactly once
/// whichever of the exit paths gets there first.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The thread that owns the terminal; a panic elsewhere leaves the terminal alone.
static UI_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();

/// How the event loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    Quit,
    /// A termination signal (its number) arrived.
    Signal(u8),
}

/// Restores the terminal when dropped: on an early return, `?` or unwinding.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = leave();
    }
}

/// Raw mode, alternate screen and mouse capture on.
fn enter() -> io::Result<Term> {
    let _ = UI_THREAD.set(std::thread::current().id());
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
        let _ = leave();
        return Err(e);
    }
    let terminal = Terminal::new(CrosstermBackend::new(stdout)).and_then(|mut terminal| {
        terminal.clear()?;
        Ok(terminal)
    });
    if terminal.is_err() {
        let _ = leave();
    }
    terminal
}

/// Everything `enter` turned on, turned off; the cursor shown again. Does nothing when
/// the terminal was already restored.
fn leave() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let screen = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    raw.and(screen)
}

/// A panic on the UI thread restores the terminal before the panic message is
/// printed, so the message is readable and the shell usable.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if UI_THREAD.get() == Some(&std::thread::current().id()) {
            let _ = leave();
        }
        previous(info);
    }));
}

/// Termination signals caught while the UI runs: instead of dying with the terminal
/// in raw mode, the loop sees the signal at its next tick and exits cleanly. When the
/// terminal itself is gone (SIGHUP after a window, tmux or ssh session closed), the
/// loop may never get that tick: crossterm then spins reading the dead tty. A watchdog
/// thread ends the process if the loop has not exited [`SIGNAL_GRACE`] after a signal,
/// restoring what it can first. The handlers are removed, and the watchdog stopped,
/// when this is dropped.
struct Signals {
    caught: Arc<AtomicUsize>,
    /// Set when the UI is done; the watchdog then stops.
    finished: Arc<AtomicBool>,
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
}

/// How long the event loop has to exit by itself after a termination signal.
const SIGNAL_GRACE: Duration = Duration::from_secs(2);

impl Signals {
    fn catch() -> Self {
        let caught = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        let ids = {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
            [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
                .into_iter()
                .filter_map(|signal| {
                    let value = usize::try_from(signal).ok()?;
                    signal_hook::flag::register_usize(signal, Arc::clone(&caught), value).ok()
                })
                .collect()
        };
        let watched = (Arc::clone(&caught), Arc::clone(&finished));
        // Without the watchdog a signal is still seen at the loop's next tick.
        let _ = std::thread::Builder::new()
            .name("ropa-signal-watchdog".to_owned())
            .spawn(move || watchdog(&watched.0, &watched.1));
        Signals {
            caught,
            finished,
            #[cfg(unix)]
            ids,
        }
    }

    /// The signal caught, if any.
    fn caught(&self) -> Option<u8> {
        match self.caught.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(u8::try_from(signal).unwrap_or(u8::MAX)),
        }
    }
}

/// Ends the process with 128 + the signal's number when a caught signal has not ended
/// the event loop within [`SIGNAL_GRACE`].
fn watchdog(caught: &AtomicUsize, finished: &AtomicBool) {
    let mut signalled_at: Option<Instant> = None;
    while !finished.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
        let signal = caught.load(Ordering::SeqCst);
        if signal == 0 {
            continue;
        }
        let since = *signalled_at.get_or_insert_with(Instant::now);
        if since.elapsed() >= SIGNAL_GRACE && !finished.load(Ordering::SeqCst) {
            let _ = leave();
            std::process::exit(128 + i32::try_from(signal).unwrap_or(0));
        }
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::SeqCst);
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Counts files read by a background audit, for the loading screen.
#[derive(Default)]
struct SharedProgress {
    total: AtomicUsize,
    done: AtomicUsize,
}

impl crate::code::Progress for SharedProgress {
    fn start(&self, files: usize) {
        self.total.fetch_add(files, Ordering::Relaxed);
    }
    fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
    fn finish(&self) {}
}

/// An audit running on its own thread; it sends the data, or the message of the panic
/// that stopped it.
struct Loading {
    progress: Arc<SharedProgress>,
    result: mpsc::Receiver<Result<Data, String>>,
}

fn start_load(paths: &[PathBuf]) -> Loading {
    let progress = Arc::new(SharedProgress::default());
    let (send, result) = mpsc::channel();
    let paths = paths.to_vec();
    let shared = Arc::clone(&progress);
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::audit::run(&paths, true, shared.as_ref())
        }));
        let _ = send.send(match outcome {
            Ok(outcome) => Ok(Data::new(paths, outcome)),
            Err(panic) => Err(panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".to_owned())),
        });
    });
    Loading { progress, result }
}

/// What a file-system event means for the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Ignore,
    /// A file the audit reads changed: reload.
    Reload,
    /// A watched path or a folder above it was created, removed or renamed: the
    /// watches must be set again (a watch follows the inode, not the name), then reload.
    Rearm,
}

/// Classifies one event for the watched `roots` (absolute paths).
fn classify(event: &notify::Event, roots: &[PathBuf]) -> Change {
    use notify::EventKind;
    use notify::event::ModifyKind;
    if matches!(event.kind, EventKind::Access(_)) {
        return Change::Ignore;
    }
    let structural = matches!(
        event.kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_))
            | EventKind::Any
            | EventKind::Other
    );
    let mut change = Change::Ignore;
    for path in &event.paths {
        if structural && roots.iter().any(|root| root.starts_with(path)) {
            return Change::Rearm;
        }
        if is_watched_file(path) {
            change = Change::Reload;
        }
    }
    change
}

/// The inventory and code roots under watch. Each root that exists is watched (a
/// folder recursively); one that does not is watched through its nearest existing
/// ancestor, so its creation is seen. Events that create, remove or rename a root or
/// a folder above one re-arm every watch, so a root deleted and created again, moved
/// away, or a file replaced by a folder, is followed and auto-reload never dies.
struct Watch {
    roots: Vec<PathBuf>,
    send: mpsc::Sender<Change>,
    changes: mpsc::Receiver<Change>,
    watcher: Option<notify::RecommendedWatcher>,
}

impl Watch {
    fn new(roots: &[PathBuf]) -> Self {
        let (send, changes) = mpsc::channel();
        let mut watch = Watch {
            roots: Vec::new(),
            send,
            changes,
            watcher: None,
        };
        watch.set_roots(roots);
        watch
    }

    /// Watches `roots` from now on (after a load, which may name new code roots).
    fn set_roots(&mut self, roots: &[PathBuf]) {
        self.roots = roots
            .iter()
            .map(|root| std::path::absolute(root).unwrap_or_else(|_| root.clone()))
            .collect();
        self.arm();
    }

    /// Drops every watch and sets them again from what exists now.
    fn arm(&mut self) {
        use notify::Watcher;
        // Dropping the old watcher first removes its watches.
        self.watcher = None;
        let send = self.send.clone();
        let roots = self.roots.clone();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let change = match event {
                Ok(event) => classify(&event, &roots),
                // Events were lost (the queue overflowed): start again from scratch.
                Err(_) => Change::Rearm,
            };
            if change != Change::Ignore {
                let _ = send.send(change);
            }
        });
        let Ok(mut watcher) = watcher else { return };
        for root in &self.roots {
            let (target, mode) = watch_target(root);
            let _ = watcher.watch(&target, mode);
        }
        self.watcher = Some(watcher);
    }

    /// Takes the changes seen since the last call, re-arming the watches when the
    /// watched paths themselves changed; true when a reload is due.
    fn poll(&mut self) -> bool {
        let mut strongest = Change::Ignore;
        while let Ok(change) = self.changes.try_recv() {
            strongest = strongest.max(change);
        }
        if strongest == Change::Rearm {
            self.arm();
        }
        strongest != Change::Ignore
    }
}

/// What to watch for `root`: itself when it exists (a folder recursively), else its
/// nearest existing ancestor, for the creation of the next folder down.
fn watch_target(root: &Path) -> (PathBuf, notify::RecursiveMode) {
    use notify::RecursiveMode;
    if root.exists() {
        let mode = if root.is_dir() {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        return (root.to_path_buf(), mode);
    }
    let mut ancestor = root;
    while let Some(parent) = ancestor.parent() {
        ancestor = parent;
        if ancestor.as_os_str().is_empty() {
            return (PathBuf::from("."), RecursiveMode::NonRecursive);
        }
        if ancestor.is_dir() {
            break;
        }
    }
    (ancestor.to_path_buf(), RecursiveMode::NonRecursive)
}

/// Inventory YAML, Rust sources and manifests; not build output or editor backups.
fn is_watched_file(path: &Path) -> bool {
    if path.components().any(|c| c.as_os_str() == "target") {
        return false;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "Cargo.toml"
        || [".yaml", ".yml", ".rs"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || path.is_dir()
}

fn event_loop(
    terminal: &mut Term,
    paths: Vec<PathBuf>,
    theme: theme::Theme,
    signals: &Signals,
) -> io::Result<Exit> {
    let mut app = App::new(Data::loading(paths.clone()), theme);
    let mut loading = Some(start_load(&paths));
    let mut watch = Watch::new(&paths);
    let mut reload_at: Option<Instant> = None;
    let mut dirty = true;
    loop {
        if let Some(load) = &loading {
            let done = load.progress.done.load(Ordering::Relaxed);
            let total = load.progress.total.load(Ordering::Relaxed);
            if app.progress != Some((done, total)) {
                app.progress = Some((done, total));
                dirty = true;
            }
            let finished = match load.result.try_recv() {
                Ok(Ok(data)) => {
                    let first = matches!(app.data.state, data::LoadState::Loading);
                    let status = load_status(&data, first);
                    app.set_data(data);
                    app.set_status(status);
                    true
                }
                Ok(Err(_)) | Err(mpsc::TryRecvError::Disconnected) => {
                    // The panic message was printed over the screen: draw it anew.
                    terminal.clear()?;
                    app.set_status("the audit crashed (a bug in ropa); press r to retry");
                    true
                }
                Err(mpsc::TryRecvError::Empty) => false,
            };
            if finished {
                // Watches are set again after every load: the code roots may have
                // changed, and a root that had disappeared may be back.
                watch.set_roots(&app.data.watched_paths());
                loading = None;
                dirty = true;
            }
        }
        if let Some(signal) = signals.caught() {
            return Ok(Exit::Signal(signal));
        }
        if watch.poll() {
            reload_at = Some(Instant::now() + RELOAD_DELAY);
        }
        if reload_at.is_some_and(|at| Instant::now() >= at) && loading.is_none() {
            reload_at = None;
            app.set_status("files changed: reloading…");
            loading = Some(start_load(&paths));
            dirty = true;
        }
        if dirty {
            terminal.draw(|frame| app.draw(frame))?;
            dirty = false;
        }
        if !event::poll(TICK)? {
            continue;
        }
        let command = match event::read()? {
            Event::Key(key) => app.handle_key(key),
            Event::Mouse(mouse) => app.handle_mouse(mouse),
            Event::Resize(..) => Command::None,
            _ => continue,
        };
        dirty = true;
        match command {
            Command::None => {}
            Command::Quit => return Ok(Exit::Quit),
            Command::Reload => {
                if loading.is_none() {
                    app.set_status("reloading…");
                    loading = Some(start_load(&paths));
                }
            }
            Command::Edit(location) => {
                let status = edit(terminal, &location)?;
                app.set_status(status);
                // Saving in the editor fires the watcher; reload right away instead.
                reload_at = Some(Instant::now());
            }
        }
    }
}

/// The status line after a load.
fn load_status(data: &Data, first: bool) -> String {
    match &data.state {
        data::LoadState::Ready(ready) => {
            let verb = if first { "loaded" } else { "reloaded" };
            let summary = crate::report::Summary::of(&ready.audit.findings);
            let counted = match summary.total {
                0 => format!("{verb}: no findings"),
                1 => format!("{verb}: 1 finding"),
                n => format!("{verb}: {n} findings"),
            };
            match summary.suppressed {
                0 => counted,
                n => format!("{counted} ({n} waived or in the baseline)"),
            }
        }
        data::LoadState::Failed(failure) => format!(
            "the inventory does not load: {} problems",
            failure.problems.len()
        ),
        data::LoadState::Loading => String::new(),
    }
}

/// The editor command for `location`: `$VISUAL`, then `$EDITOR`, then `vi`; editors
/// that take `+LINE` get it, VS Code-style editors get `--goto FILE:LINE:COLUMN`.
pub fn editor_command(editor: &str, location: &Location) -> Option<std::process::Command> {
    let mut words = editor.split_whitespace();
    let program = words.next()?;
    let mut command = std::process::Command::new(program);
    command.args(words);
    let name = Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(program);
    if ["code", "codium", "code-insiders", "subl", "zed"].contains(&name) {
        command.arg("--goto").arg(format!(
            "{}:{}:{}",
            location.path.display(),
            location.line,
            location.column
        ));
    } else {
        command
            .arg(format!("+{}", location.line))
            .arg(&location.path);
    }
    Some(command)
}

/// Suspends the UI, runs the editor, restores the UI; returns a status line.
fn edit(terminal: &mut Term, location: &Location) -> io::Result<String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_owned());
    let Some(mut command) = editor_command(&editor, location) else {
        return Ok("$EDITOR is empty".to_owned());
    };
    leave()?;
    let outcome = command.status();
    *terminal = enter()?;
    Ok(match outcome {
        Ok(status) if status.success() => format!(
            "edited {}:{}",
            crate::text::sanitize(&location.path.display().to_string()),
            location.line
        ),
        Ok(status) => format!("{} exited with {status}", crate::text::sanitize(&editor)),
        Err(e) => format!(
            "could not run `{}`: {e}; set $EDITOR",
            crate::text::sanitize(&editor)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(command: &std::process::Command) -> Vec<String> {
        command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn editors_get_the_line_in_their_own_syntax() {
        let location = Location {
            path: PathBuf::from("inventory/a.yaml"),
            line: 12,
            column: 5,
        };
        let vim = editor_command("vim", &location).expect("a command");
        assert_eq!(args(&vim), ["+12", "inventory/a.yaml"]);
        let code = editor_command("/usr/bin/code --wait", &location).expect("a command");
        assert_eq!(args(&code), ["--wait", "--goto", "inventory/a.yaml:12:5"]);
        assert!(editor_command("  ", &location).is_none());
    }

    /// Waits up to 5 s for the watch to ask for a reload.
    fn reload_seen(watch: &mut Watch) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if watch.poll() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Lets the events of what was just done arrive and be handled.
    fn settle(watch: &mut Watch) {
        std::thread::sleep(Duration::from_millis(300));
        watch.poll();
    }

    #[test]
    fn a_file_created_where_the_watched_folder_was_is_seen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inventory = dir.path().join("inventory");
        std::fs::create_dir(&inventory).expect("mkdir");
        std::fs::write(inventory.join("a.yaml"), "version: 1\n").expect("write");
        let mut watch = Watch::new(std::slice::from_ref(&inventory));
        // Moved away (as a trash command or `git stash` does): the old watch follows
        // the folder to its new name.
        std::fs::rename(&inventory, dir.path().join("old")).expect("rename");
        assert!(reload_seen(&mut watch), "moving the folder away reloads");
        std::fs::create_dir(&inventory).expect("mkdir");
        settle(&mut watch);
        std::fs::write(inventory.join("b.yaml"), "version: 1\n").expect("write");
        assert!(reload_seen(&mut watch), "a file in the new folder reloads");
        // Deleted, with its parent, and created again.
        std::fs::remove_dir_all(&inventory).expect("rm");
        settle(&mut watch);
        std::fs::create_dir(&inventory).expect("mkdir");
        settle(&mut watch);
        std::fs::write(inventory.join("c.yaml"), "version: 1\n").expect("write");
        assert!(
            reload_seen(&mut watch),
            "a file in the recreated folder reloads"
        );
    }

    #[test]
    fn a_root_whose_parent_disappeared_is_found_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inventory = dir.path().join("project/inventory");
        std::fs::create_dir_all(&inventory).expect("mkdir");
        let mut watch = Watch::new(std::slice::from_ref(&inventory));
        std::fs::remove_dir_all(dir.path().join("project")).expect("rm");
        settle(&mut watch);
        std::fs::create_dir(dir.path().join("project")).expect("mkdir");
        settle(&mut watch);
        std::fs::create_dir(&inventory).expect("mkdir");
        settle(&mut watch);
        std::fs::write(inventory.join("a.yaml"), "version: 1\n").expect("write");
        assert!(
            reload_seen(&mut watch),
            "a file in the recreated folder reloads"
        );
    }

    #[test]
    fn a_loaded_file_replaced_by_a_folder_is_watched_as_a_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("inventory.yaml");
        std::fs::write(&file, "version: 1\n").expect("write");
        let mut watch = Watch::new(std::slice::from_ref(&file));
        std::fs::remove_file(&file).expect("rm");
        assert!(reload_seen(&mut watch), "removing the file reloads");
        std::fs::create_dir(&file).expect("mkdir");
        settle(&mut watch);
        std::fs::write(file.join("a.yaml"), "version: 1\n").expect("write");
        assert!(reload_seen(&mut watch), "a file in the new folder reloads");
    }

    #[test]
    fn only_inventory_and_source_changes_reload() {
        assert!(is_watched_file(Path::new("inventory/a.yaml")));
        assert!(is_watched_file(Path::new("src/lib.rs")));
        assert!(is_watched_file(Path::new("Cargo.toml")));
        assert!(!is_watched_file(Path::new("target/debug/x.rs")));
        assert!(!is_watched_file(Path::new("inventory/.a.yaml.swp")));
    }
}

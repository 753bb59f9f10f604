//! The terminal UI (`ropa` with no arguments, or `ropa tui [PATH]`): a full-screen
//! ratatui app over crossterm. This module owns the terminal (raw mode, alternate
//! screen, mouse capture, restored on quit, Ctrl-C and panic) and the single event
//! loop: keys and mouse go to the [`app::App`], audits run on a background thread with
//! their progress shown, file changes seen by `notify` trigger a reload, and `e`
//! suspends the UI to run `$EDITOR`.

pub mod app;
pub mod data;
pub mod excerpt;
pub mod list;
pub mod theme;
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
use std::sync::atomic::{AtomicUsize, Ordering};
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
    let mut terminal = enter()?;
    let outcome = event_loop(&mut terminal, paths, theme);
    let restored = leave();
    outcome.and(restored).map(|()| crate::cli::EXIT_CLEAN)
}

/// Raw mode, alternate screen and mouse capture on.
fn enter() -> io::Result<Term> {
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
        let _ = disable_raw_mode();
        return Err(e);
    }
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout))?;
    terminal.clear()?;
    Ok(terminal)
}

/// Everything `enter` turned on, turned off; the cursor shown again.
fn leave() -> io::Result<()> {
    let raw = disable_raw_mode();
    let screen = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    raw.and(screen)
}

/// A panic restores the terminal before the panic message is printed, so the message
/// is readable and the shell usable.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = leave();
        previous(info);
    }));
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

/// An audit running on its own thread.
struct Loading {
    progress: Arc<SharedProgress>,
    result: mpsc::Receiver<Data>,
}

fn start_load(paths: &[PathBuf]) -> Loading {
    let progress = Arc::new(SharedProgress::default());
    let (send, result) = mpsc::channel();
    let paths = paths.to_vec();
    let shared = Arc::clone(&progress);
    std::thread::spawn(move || {
        let outcome = crate::audit::run(&paths, true, shared.as_ref());
        let _ = send.send(Data::new(paths, outcome));
    });
    Loading { progress, result }
}

/// Watches the inventory and code roots; sends on `changed` when a relevant file changes.
fn watch(paths: &[PathBuf], changed: &mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let changed = changed.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        if event.paths.iter().any(|p| is_watched_file(p)) {
            let _ = changed.send(());
        }
    })
    .ok()?;
    for path in paths {
        // A path that does not exist yet is watched through its parent, so creating it
        // reloads too.
        let (target, mode) = if path.exists() {
            (path.as_path(), RecursiveMode::Recursive)
        } else {
            match path.parent() {
                Some(parent) if parent.as_os_str().is_empty() => {
                    (Path::new("."), RecursiveMode::NonRecursive)
                }
                Some(parent) => (parent, RecursiveMode::NonRecursive),
                None => continue,
            }
        };
        let _ = watcher.watch(target, mode);
    }
    Some(watcher)
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

fn event_loop(terminal: &mut Term, paths: Vec<PathBuf>, theme: theme::Theme) -> io::Result<()> {
    let mut app = App::new(Data::loading(paths.clone()), theme);
    let mut loading = Some(start_load(&paths));
    let (changed_send, changed) = mpsc::channel();
    let mut watcher = watch(&paths, &changed_send);
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
            if let Ok(data) = load.result.try_recv() {
                let first = matches!(app.data.state, data::LoadState::Loading);
                let status = load_status(&data, first);
                app.set_data(data);
                app.set_status(status);
                watcher = watch(&app.data.watched_paths(), &changed_send).or(watcher);
                loading = None;
                dirty = true;
            }
        }
        while changed.try_recv().is_ok() {
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
            Command::Quit => return Ok(()),
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
            match ready.audit.findings.len() {
                0 => format!("{verb}: no findings"),
                1 => format!("{verb}: 1 finding"),
                n => format!("{verb}: {n} findings"),
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

    #[test]
    fn only_inventory_and_source_changes_reload() {
        assert!(is_watched_file(Path::new("inventory/a.yaml")));
        assert!(is_watched_file(Path::new("src/lib.rs")));
        assert!(is_watched_file(Path::new("Cargo.toml")));
        assert!(!is_watched_file(Path::new("target/debug/x.rs")));
        assert!(!is_watched_file(Path::new("inventory/.a.yaml.swp")));
    }
}

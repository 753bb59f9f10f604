//! End to end: the real `ropa` binary in a real terminal (tmux). Sends keys, reads the
//! screen, quits with `q`, then checks that the terminal was restored: the alternate
//! screen left, mouse reporting off, and the tty back in canonical mode with echo.
//! The same checks after SIGTERM and SIGHUP. Needs tmux; `.ci/run` installs it.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Tmux servers started by this process, so each test has its own.
static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A tmux server of its own, killed when the test ends however it ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Self {
        let present = Command::new("tmux").arg("-V").output();
        assert!(
            present.is_ok_and(|o| o.status.success()),
            "this test needs tmux: install it (apt-get install tmux); .ci/run does"
        );
        Tmux {
            socket: format!(
                "ropa-e2e-{}-{}",
                std::process::id(),
                SERVERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            ),
        }
    }

    /// Starts a 100x30 session in the project's root running `script` with `sh -c`.
    fn start(&self, script: &str) {
        let root = env!("CARGO_MANIFEST_DIR");
        let started = self.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "100",
            "-y",
            "30",
            "-c",
            root,
            "sh",
            "-c",
            script,
        ]);
        assert!(started.status.success(), "{started:?}");
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Waits until the screen shows `text`; fails with the screen after 40 s (a loaded machine is slow).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn flag(&self, name: &str) -> String {
        let format = format!("#{{{name}}}");
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", "e2e", &format])
                .stdout,
        )
        .trim()
        .to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn the_real_binary_in_tmux_answers_keys_and_restores_the_terminal() {
    let tmux = Tmux::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let stty = dir.path().join("stty.txt");
    // An editor that records what it was asked to open.
    let edited = dir.path().join("edited.txt");
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\necho \"$@\" > '{}'\n", edited.display()),
    )
    .expect("write editor");
    let made_executable = Command::new("chmod").arg("+x").arg(&editor).status();
    assert!(made_executable.is_ok_and(|s| s.success()));
    let script = format!(
        "VISUAL= EDITOR='{}' '{}' tui inventory; code=$?; stty -a > '{}'; echo ROPA-EXITED-$code; sleep 60",
        editor.display(),
        env!("CARGO_BIN_EXE_ropa"),
        stty.display()
    );
    tmux.start(&script);

    tmux.wait_for("Promises (36)");
    assert_eq!(
        tmux.flag("alternate_on"),
        "1",
        "the UI runs on the alternate screen"
    );
    tmux.keys(&["2"]);
    tmux.wait_for("Inventory (36)");
    tmux.keys(&["/", "albill", "Enter"]);
    let screen = tmux.wait_for("Inventory (1 of 36)");
    assert!(screen.contains("alpha-billing-db"), "{screen}");
    tmux.keys(&["?"]);
    tmux.wait_for("Tab / Shift-Tab");
    tmux.keys(&["Escape"]);
    tmux.keys(&["5"]);
    tmux.wait_for("every promise is kept");
    // `e` on the first promise suspends the UI, runs the editor at the rule's line and
    // comes back.
    tmux.keys(&["1", "e"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !edited.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let args = std::fs::read_to_string(&edited).expect("the editor ran");
    assert!(
        args.starts_with('+') && args.contains("inventory/actipro.yaml"),
        "{args}"
    );
    tmux.wait_for("reloaded: no findings");
    assert_eq!(
        tmux.flag("alternate_on"),
        "1",
        "the UI is back after the editor"
    );
    tmux.keys(&["q"]);

    let screen = tmux.wait_for("ROPA-EXITED-0");
    assert_eq!(
        tmux.flag("alternate_on"),
        "0",
        "left the alternate screen:\n{screen}"
    );
    assert_eq!(
        tmux.flag("mouse_any_flag"),
        "0",
        "mouse reporting turned off"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !Path::new(&stty).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let modes = std::fs::read_to_string(&stty).expect("stty output");
    let words: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(
            words.contains(&mode),
            "tty mode {mode} not restored:\n{modes}"
        );
    }
}

/// Starts `ropa tui inventory` in tmux, sends it `signal` once it is drawn, and checks
/// that it exits with 128 + the signal's number and that the terminal was restored.
fn killed_by_signal_restores_the_terminal(signal: &str, number: u8) {
    let tmux = Tmux::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let stty = dir.path().join("stty.txt");
    let pid = dir.path().join("pid.txt");
    // The inner shell writes its pid, then becomes ropa.
    let script = format!(
        "sh -c 'echo $$ > \"{}\"; exec \"{}\" tui inventory'; code=$?; stty -a > '{}'; echo ROPA-EXITED-$code; sleep 60",
        pid.display(),
        env!("CARGO_BIN_EXE_ropa"),
        stty.display()
    );
    tmux.start(&script);
    tmux.wait_for("Promises (36)");
    assert_eq!(tmux.flag("alternate_on"), "1");
    let pid = std::fs::read_to_string(&pid).expect("pid written");
    let killed = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.trim())
        .status();
    assert!(killed.is_ok_and(|s| s.success()));
    let screen = tmux.wait_for(&format!("ROPA-EXITED-{}", 128 + u32::from(number)));
    assert_eq!(
        tmux.flag("alternate_on"),
        "0",
        "left the alternate screen:\n{screen}"
    );
    assert_eq!(tmux.flag("mouse_any_flag"), "0", "mouse reporting off");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !Path::new(&stty).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let modes = std::fs::read_to_string(&stty).expect("stty output");
    let words: Vec<&str> = modes.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(
            words.contains(&mode),
            "after SIG{signal}, tty mode {mode} not restored:\n{modes}"
        );
    }
}

#[test]
fn sigterm_restores_the_terminal() {
    killed_by_signal_restores_the_terminal("TERM", 15);
}

#[test]
fn sighup_restores_the_terminal() {
    killed_by_signal_restores_the_terminal("HUP", 1);
}

/// Closing the terminal under the UI (the tmux server killed, as when an ssh session
/// drops or a window is closed) must end ropa, not leave it spinning on a dead tty.
#[test]
fn closing_the_terminal_ends_the_ui() {
    let tmux = Tmux::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let pid = dir.path().join("pid.txt");
    let script = format!(
        "sh -c 'echo $$ > \"{}\"; exec \"{}\" tui inventory'; sleep 60",
        pid.display(),
        env!("CARGO_BIN_EXE_ropa"),
    );
    tmux.start(&script);
    tmux.wait_for("Promises (36)");
    let pid = std::fs::read_to_string(&pid).expect("pid written");
    let proc_dir = Path::new("/proc").join(pid.trim());
    let _ = tmux.run(&["kill-server"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let running = || {
        // A zombie (`Z`) has exited; only its parent has not collected it yet.
        std::fs::read_to_string(proc_dir.join("stat"))
            .is_ok_and(|stat| stat.split_whitespace().nth(2).is_none_or(|s| s != "Z"))
    };
    while running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !running(),
        "ropa (pid {}) still runs after its terminal closed",
        pid.trim()
    );
}

//! End to end: the real `ropa` binary in a real terminal, a pseudo-terminal this test
//! opens itself, with the `vt100` emulator reading the screen; no tmux or other program
//! needed. Sends keys, reads the screen, quits with `q`, then checks that the terminal
//! was restored: the alternate screen left, mouse reporting off, and the tty back in
//! canonical mode with echo. The same checks after SIGTERM and SIGHUP, and that closing
//! the terminal under the UI ends ropa.
#![cfg(unix)]

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::{Mode, OFlags};
use rustix::process::{Pid, Signal};
use rustix::pty::OpenptFlags;
use rustix::termios::{LocalModes, Winsize};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The terminal's size, as the tmux session this test replaced had.
const ROWS: u16 = 30;
const COLS: u16 = 100;
/// How long the screen may take to show something (a loaded machine is slow).
const PATIENCE: Duration = Duration::from_secs(40);
/// The tty modes a restored terminal has: canonical input, echo, signals from keys.
const COOKED: [(LocalModes, &str); 3] = [
    (LocalModes::ICANON, "icanon"),
    (LocalModes::ECHO, "echo"),
    (LocalModes::ISIG, "isig"),
];
/// The DEC private modes that turn mouse reporting on (X10, normal, highlight, button
/// motion, any motion): reporting is off when none is set, as tmux's `mouse_any_flag`.
const MOUSE_MODES: [u16; 5] = [9, 1000, 1001, 1002, 1003];

/// `ropa tui inventory` running in the project's root, in a pseudo-terminal of its own
/// that is its controlling terminal. The child is killed when this is dropped, however
/// the test ends.
struct Pty {
    /// The terminal's side: keys are written to it and the screen is read from it.
    /// `None` once the terminal is closed.
    master: Option<File>,
    /// ropa's side, kept open here to read its modes after ropa exits and to write
    /// the exit line to, like the shell that ran ropa in tmux did.
    slave: OwnedFd,
    child: Child,
    /// The emulated screen.
    parser: vt100::Parser,
    /// Every byte ropa wrote, for the modes the emulator does not track faithfully.
    output: Vec<u8>,
    /// How much of `output` the emulator has seen.
    fed: usize,
}

impl Pty {
    /// Starts ropa on a 100x30 terminal; `configure` adds to its command (environment).
    fn start(configure: impl FnOnce(&mut Command)) -> Self {
        // Close-on-exec, so that no other test's child inherits the master and keeps this
        // terminal open: atomically where the system allows it, else just after.
        #[cfg(target_os = "linux")]
        let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
        #[cfg(not(target_os = "linux"))]
        let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY;
        let master = rustix::pty::openpt(flags).expect("open a pseudo-terminal");
        rustix::io::fcntl_setfd(&master, rustix::io::FdFlags::CLOEXEC).expect("cloexec");
        rustix::pty::grantpt(&master).expect("grantpt");
        rustix::pty::unlockpt(&master).expect("unlockpt");
        let name = rustix::pty::ptsname(&master, Vec::new()).expect("ptsname");
        let slave = rustix::fs::open(
            name.as_c_str(),
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .expect("open the terminal's slave side");
        let size = Winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        rustix::termios::tcsetwinsize(&slave, size).expect("set the terminal's size");
        let modes = rustix::termios::tcgetattr(&slave)
            .expect("tcgetattr")
            .local_modes;
        for (mode, name) in COOKED {
            assert!(
                modes.contains(mode),
                "a new terminal starts in mode {name}, or the checks after ropa mean nothing"
            );
        }

        let stdio = || Stdio::from(slave.try_clone().expect("dup the slave side"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_ropa"));
        command
            .args(["tui", "inventory"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TERM", "xterm-256color")
            .stdin(stdio())
            .stdout(stdio())
            .stderr(stdio());
        configure(&mut command);
        // SAFETY: runs in the child between fork and exec, where only async-signal-safe
        // calls are allowed; these are two system calls that neither allocate nor lock.
        // Stdin is already the slave side then: it becomes the controlling terminal of
        // a new session led by ropa, as a terminal emulator does for its shell.
        unsafe {
            command.pre_exec(|| {
                rustix::process::setsid()?;
                rustix::process::ioctl_tiocsctty(BorrowedFd::borrow_raw(0))?;
                Ok(())
            });
        }
        let child = command.spawn().expect("ropa starts");
        Pty {
            master: Some(File::from(master)),
            slave,
            child,
            parser: vt100::Parser::new(
                NonZeroU16::new(ROWS).expect("rows"),
                NonZeroU16::new(COLS).expect("columns"),
                0,
            ),
            output: Vec::new(),
            fed: 0,
        }
    }

    fn master(&mut self) -> &mut File {
        self.master.as_mut().expect("the terminal is open")
    }

    /// Reads what ropa wrote, waiting up to `timeout` for the first of it.
    fn pump(&mut self, timeout: Duration) {
        let mut timeout = Timespec::try_from(timeout).expect("timeout");
        let mut buf = [0u8; 65536];
        loop {
            let master = self.master.as_mut().expect("the terminal is open");
            let mut fds = [PollFd::new(master, PollFlags::IN)];
            match rustix::event::poll(&mut fds, Some(&timeout)) {
                Ok(0) | Err(rustix::io::Errno::INTR) => return,
                Ok(_) => {}
                Err(e) => panic!("poll the terminal: {e}"),
            }
            let read = match master.read(&mut buf) {
                Ok(0) => return,
                Ok(read) => read,
                Err(e) if e.kind() == ErrorKind::Interrupted => return,
                Err(e) => panic!("read the terminal: {e}"),
            };
            self.absorb(&buf[..read]);
            // Then whatever else is already there, without waiting.
            timeout = Timespec::default();
        }
    }

    /// Feeds what ropa wrote to the emulator and answers its cursor position queries
    /// (ratatui asks when it starts), as a terminal does.
    fn absorb(&mut self, bytes: &[u8]) {
        const QUERY: &[u8] = b"\x1b[6n";
        // A query may straddle two reads; one wholly in earlier output was answered.
        let mut from = self.output.len().saturating_sub(QUERY.len() - 1);
        self.output.extend_from_slice(bytes);
        while let Some(at) = self.output[from..]
            .windows(QUERY.len())
            .position(|w| w == QUERY)
        {
            let end = from + at + QUERY.len();
            self.parser.process(&self.output[self.fed..end]);
            self.fed = end;
            from = end;
            let (row, col) = self.parser.screen().cursor_position();
            let answer = format!("\x1b[{};{}R", row + 1, col + 1);
            self.keys(&answer);
        }
        self.parser.process(&self.output[self.fed..]);
        self.fed = self.output.len();
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Types `keys` (the bytes a terminal sends: `\r` for Enter, `\x1b` for Escape).
    fn keys(&mut self, keys: &str) {
        let master = self.master();
        master.write_all(keys.as_bytes()).expect("send keys");
        master.flush().expect("send keys");
    }

    /// Waits until the screen satisfies `done`; fails with the screen after 40 s, or
    /// soon after ropa exits without it.
    fn wait_until(&mut self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut exited: Option<Instant> = None;
        loop {
            self.pump(Duration::from_millis(50));
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if exited.is_none()
                && let Ok(Some(status)) = self.child.try_wait()
            {
                exited = Some(Instant::now());
                eprintln!("ropa exited ({status}) while the test waited for {what}");
            }
            let late = exited.is_some_and(|at| at.elapsed() > Duration::from_secs(2));
            assert!(
                Instant::now() < deadline && !late,
                "the screen never showed {what}; it shows:\n{screen}"
            );
        }
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&mut self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Waits for ropa to exit, then writes `ROPA-EXITED-<code>` on the terminal as the
    /// shell did in tmux (code as the shell gives it: 128 + a signal's number when a
    /// signal ended ropa) and waits for it to show, so that everything ropa wrote has
    /// been read. Returns the screen.
    fn wait_exit(&mut self) -> String {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().expect("wait for ropa") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "ropa never exited; the screen shows:\n{}",
                self.screen()
            );
        };
        let code = status
            .code()
            .or_else(|| status.signal().map(|signal| 128 + signal))
            .expect("an exit code or a signal");
        let line = format!("\r\nROPA-EXITED-{code}\r\n");
        let written = rustix::io::write(&self.slave, line.as_bytes()).expect("write the exit");
        assert_eq!(written, line.len());
        self.wait_for(&format!("ROPA-EXITED-{code}"))
    }

    /// Whether the terminal shows its alternate screen.
    fn alternate_on(&self) -> bool {
        self.parser.screen().alternate_screen()
    }

    /// Whether any mouse reporting mode is on, tracked over all of ropa's output: the
    /// emulator keeps only the last mode set, so a mode left on under another one
    /// turned off would escape it.
    fn mouse_on(&self) -> bool {
        let mut on = [false; MOUSE_MODES.len()];
        for (modes, set) in private_modes(&self.output) {
            for mode in modes {
                if let Some(i) = MOUSE_MODES.iter().position(|&m| m == mode) {
                    on[i] = set;
                }
            }
        }
        on.contains(&true)
            || self.parser.screen().mouse_protocol_mode() != vt100::MouseProtocolMode::None
    }

    fn tty_modes(&self) -> LocalModes {
        rustix::termios::tcgetattr(&self.slave)
            .expect("tcgetattr")
            .local_modes
    }

    /// Whether the tty is in canonical mode with echo and signals.
    fn tty_cooked(&self) -> bool {
        let modes = self.tty_modes();
        COOKED.iter().all(|&(mode, _)| modes.contains(mode))
    }

    /// Checks that the tty is back in canonical mode with echo and signals.
    fn assert_tty_restored(&self, after: &str) {
        let modes = self.tty_modes();
        for (mode, name) in COOKED {
            assert!(
                modes.contains(mode),
                "{after}, tty mode {name} not restored: {modes:?}"
            );
        }
    }

    fn pid(&self) -> Pid {
        Pid::from_child(&self.child)
    }

    /// Closes the terminal under ropa, as when a window closes or an ssh session drops.
    fn close_terminal(&mut self) {
        self.master = None;
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The DEC private modes set (`ESC [ ? n ; … h`) and reset (`… l`) in `output`, in order.
fn private_modes(output: &[u8]) -> Vec<(Vec<u16>, bool)> {
    let mut found = Vec::new();
    let mut rest = output;
    while let Some(start) = rest.windows(3).position(|w| w == b"\x1b[?") {
        rest = &rest[start + 3..];
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';'))
            .unwrap_or(rest.len());
        let set = match rest.get(end) {
            Some(b'h') => true,
            Some(b'l') => false,
            _ => continue,
        };
        let modes = std::str::from_utf8(&rest[..end])
            .unwrap_or_default()
            .split(';')
            .filter_map(|n| n.parse().ok())
            .collect();
        found.push((modes, set));
        rest = &rest[end..];
    }
    found
}

#[test]
fn the_real_binary_in_a_pty_answers_keys_and_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An editor that records what it was asked to open.
    let edited = dir.path().join("edited.txt");
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\necho \"$@\" > '{}'\n", edited.display()),
    )
    .expect("write editor");
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755))
        .expect("make the editor executable");
    let mut pty = Pty::start(|command| {
        command.env("VISUAL", "").env("EDITOR", &editor);
    });

    pty.wait_for("Promises (36)");
    assert!(pty.alternate_on(), "the UI runs on the alternate screen");
    // What the checks after `q` expect turned off is on while the UI runs.
    assert!(pty.mouse_on(), "the UI reports the mouse");
    assert!(!pty.tty_cooked(), "the UI puts the tty in raw mode");
    pty.keys("2");
    pty.wait_for("Inventory (36)");
    pty.keys("/albill\r");
    let screen = pty.wait_for("Inventory (1 of 36)");
    assert!(screen.contains("alpha-billing-db"), "{screen}");
    pty.keys("?");
    pty.wait_for("Tab / Shift-Tab");
    // Escape alone, not read together with the next key as Alt-5.
    pty.keys("\x1b");
    pty.wait_until("the help closed", |screen| {
        !screen.contains("Tab / Shift-Tab")
    });
    pty.keys("5");
    pty.wait_for("Findings (1)");
    // `e` on the first promise suspends the UI, runs the editor at the rule's line and
    // comes back.
    pty.keys("1e");
    let deadline = Instant::now() + Duration::from_secs(10);
    let args = loop {
        pty.pump(Duration::from_millis(50));
        match std::fs::read_to_string(&edited) {
            Ok(args) if args.ends_with('\n') => break args,
            _ => assert!(
                Instant::now() < deadline,
                "the editor never ran; the screen shows:\n{}",
                pty.screen()
            ),
        }
    };
    assert!(
        args.starts_with('+') && args.contains("inventory/actipro.yaml"),
        "{args}"
    );
    pty.wait_for("reloaded: no find");
    assert!(pty.alternate_on(), "the UI is back after the editor");
    pty.keys("q");

    let screen = pty.wait_exit();
    assert!(screen.contains("ROPA-EXITED-0"), "{screen}");
    assert!(!pty.alternate_on(), "left the alternate screen:\n{screen}");
    assert!(!pty.mouse_on(), "mouse reporting turned off");
    pty.assert_tty_restored("after q");
}

/// Starts `ropa tui inventory`, sends it `signal` once it is drawn, and checks that it
/// exits with 128 + the signal's number and that the terminal was restored.
fn killed_by_signal_restores_the_terminal(signal: Signal, name: &str) {
    let mut pty = Pty::start(|_| {});
    pty.wait_for("Promises (36)");
    assert!(pty.alternate_on());
    rustix::process::kill_process(pty.pid(), signal).expect("send the signal");
    let screen = pty.wait_exit();
    let exited = format!("ROPA-EXITED-{}", 128 + signal.as_raw());
    assert!(screen.contains(&exited), "expected {exited}:\n{screen}");
    assert!(!pty.alternate_on(), "left the alternate screen:\n{screen}");
    assert!(!pty.mouse_on(), "mouse reporting off");
    pty.assert_tty_restored(&format!("after SIG{name}"));
}

#[test]
fn sigterm_restores_the_terminal() {
    killed_by_signal_restores_the_terminal(Signal::TERM, "TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    killed_by_signal_restores_the_terminal(Signal::HUP, "HUP");
}

/// Closing the terminal under the UI (its master side closed, as when an ssh session
/// drops or a window is closed) must end ropa, not leave it spinning on a dead tty.
#[test]
fn closing_the_terminal_ends_the_ui() {
    let mut pty = Pty::start(|_| {});
    pty.wait_for("Promises (36)");
    let pid = pty.pid();
    pty.close_terminal();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        // `try_wait` reaps: a zombie counts as ended.
        if let Some(status) = pty.child.try_wait().expect("wait for ropa") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.is_some(),
        "ropa (pid {}) still runs after its terminal closed",
        pid.as_raw_pid()
    );
}

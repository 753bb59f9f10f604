//! The scan's progress bar on stderr (indicatif): drawn only when stderr is a terminal
//! and only once the scan has run for a second, so quick runs and CI logs stay clean.

use crate::code::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a scan runs before its progress is shown.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar for `ropa check` and `ropa scan`.
pub struct ScanProgress {
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
    shown: AtomicBool,
}

impl ScanProgress {
    /// A bar that draws on stderr if it is a terminal, and otherwise never.
    pub fn stderr() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} scanning Rust sources {bar:30} {pos}/{len} files ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        ScanProgress {
            bar,
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }
}

impl Progress for ScanProgress {
    fn start(&self, files: usize) {
        self.bar.inc_length(files as u64);
    }

    fn advance(&self) {
        self.bar.inc(1);
        if self.enabled
            && self.started.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(100));
        }
    }

    fn finish(&self) {
        if self.shown.load(Ordering::Relaxed) {
            self.bar.finish_and_clear();
        }
    }
}

//! The command line: argument definitions (clap derive) and the commands they run.
//! Each command calls the library and hands results to the report layer; it returns
//! the process exit status (0 clean, 1 findings, 2 usage or input error).

pub mod documents;

use crate::finding::{Finding, Severity};
use crate::report::progress::ScanProgress;
use crate::report::{self, Scope, human, json};
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or input error.

Examples:
  ropa                            browse ./inventory in the terminal UI
  ropa check                      check ./inventory
  ropa check inventory/ --format json > findings.json
  ropa check fixtures/broken/a13-card-retained.yaml --fail-on warning
  ropa check --no-code            check the inventory without scanning its code
  ropa scan src/                  list the personal data in Rust sources
  ropa explain retention          what a rule kind checks and how to fix a finding";

const BASELINE_AFTER_HELP: &str = "\
Exit status: 0 written, 2 usage or input error (the inventory does not load).

Examples:
  ropa baseline                               write ropa-baseline.json for ./inventory
  ropa check --baseline ropa-baseline.json    fail only on findings not in it
  ropa baseline inventory/ -o ci/ropa-baseline.json";

const FIX_AFTER_HELP: &str = "\
Exit status: 0 fixed (or nothing to fix), 2 usage or input error, or a fix refused
(the files are left as they were).

Examples:
  ropa fix --dry-run                      what it would change, as a diff
  ropa fix                                write the fixes into ./inventory
  ropa fix --only undeclared-holding      one kind of finding";

const INIT_AFTER_HELP: &str = "\
Exit status: 0 written, 2 usage or input error (a root that does not exist or holds no
Rust, an inventory file that exists without --force).

Examples:
  ropa init                 scan . and write inventory/<crate>.yaml
  ropa init crates/api -o privacy/inventory
  ropa init && ropa check   then fill in each TODO";

const TAXONOMY_AFTER_HELP: &str = "\
Exit status: 0 listed, 2 usage error.

Examples:
  ropa taxonomy                      every category, use and subject
  ropa taxonomy email                the keys for e-mail addresses
  ropa taxonomy --tree uses market   purposes about marketing";

const DIFF_AFTER_HELP: &str = "\
Exit status: 0 no finding introduced, 1 findings introduced, 2 usage or input error (a
revision that does not exist, no git, an inventory that does not load on one side).

Examples:
  ropa diff main                         the working tree against main
  ropa diff origin/main HEAD --format markdown > data-map-changes.md
  ropa diff old-checkout/ new-checkout/  two directories
  ropa check --new-since origin/main     fail only on findings the branch introduced";

const TUI_AFTER_HELP: &str = "\
Exit status: 0 after quitting, 2 when standard input or output is not a terminal.

Examples:
  ropa                          browse ./inventory
  ropa tui fixtures/code/phone-undeclared/inventory.yaml
  NO_COLOR=1 ropa tui           without colours";

const SCAN_AFTER_HELP: &str = "\
Exit status: 0 scanned (whatever was found), 2 a path does not exist.

Mark a field that holds no personal data with `// ropa: not-personal (why)`, or name
its category with `// ropa: user.contact.email`, on or above the field.

Examples:
  ropa scan                        scan the current directory
  ropa scan crates/api --exclude '**/tests/**'
  ropa scan . --format json > personal-data.json";

/// ropa audits a YAML data inventory against the privacy promises it encodes.
///
/// The inventory declares where personal data is stored, who receives it and why, and
/// the promises (rules) made about it. ropa builds the data-flow graph and reports every
/// broken promise with the YAML line that breaks it. When the inventory names Rust
/// source roots (its `code` section), ropa also reads that code, without building it,
/// and reports personal data the inventory does not declare, SDKs of undeclared
/// vendors and personal data written to logs, at the Rust or Cargo.toml line.
#[derive(Parser, Debug)]
#[command(name = "ropa", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Browse the inventory in a full-screen terminal UI (the default command).
    ///
    /// Views: 1 Overview (promises kept and broken), 2 Inventory, 3 Flows, 4 Graph,
    /// 5 Findings, 6 Code. Tab switches views, / filters, Enter drills in, Esc goes back,
    /// e opens the selected item in $EDITOR, ? lists every key, q quits. The UI reloads
    /// by itself when an inventory or source file changes. Needs a terminal; in CI use
    /// `ropa check`. Honours NO_COLOR.
    #[command(after_help = TUI_AFTER_HELP)]
    Tui(TuiArgs),
    /// Check an inventory: load it, scan the code it names, build the data-flow graph and
    /// evaluate every rule.
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// Accept today's findings: write them to a baseline file, so that `ropa check
    /// --baseline FILE` fails only on new ones.
    ///
    /// The file is sorted JSON (schema `ropa-baseline/1`), one entry per finding with its
    /// fingerprint, code, rule, file, key and message; commit it, and rewrite it when
    /// `ropa check --baseline` says findings of it are gone. Waived findings are not
    /// written: their waiver already accepts them.
    #[command(after_help = BASELINE_AFTER_HELP)]
    Baseline(BaselineArgs),
    /// What a change does to the data map: compare the inventory and the code at two git
    /// revisions (or two directories).
    ///
    /// Lists what a reviewer must look at: findings introduced and fixed; rules removed or
    /// weakened; new and removed recipients; categories newly reaching a recipient or
    /// newly crossing a border; new and removed flows, regions and categories; nodes that
    /// moved region. Revisions are read with `git ls-tree` and `git cat-file`, never by
    /// checking them out: the working copy is not touched.
    #[command(after_help = DIFF_AFTER_HELP)]
    Diff(DiffArgs),
    /// List the personal data ropa finds in Rust sources, with no inventory needed.
    ///
    /// Reads every `.rs` file and `Cargo.toml` under the paths (skipping `target/`, hidden
    /// folders and `--exclude` globs) without building anything, and lists each struct
    /// field ropa believes holds personal data with its category, confidence and reason,
    /// the third-party SDKs among the dependencies, and personal values passed to
    /// logging macros.
    #[command(after_help = SCAN_AFTER_HELP)]
    Scan(ScanArgs),
    /// Write the mechanical fixes of findings into the inventory's YAML.
    ///
    /// Declares a held category on a store (with `retention: TODO`), adds a missing
    /// `retention: TODO` to an entry of `holds`, declares a sub-processor for an SDK
    /// (and the region it needs). Edits are spliced into the text: comments, order,
    /// quoting and line endings stay. Refuses a file that changed on disk since it was
    /// read, edits near anchors or aliases, and any result that does not load or does
    /// not fix what it meant to (the files are then restored).
    #[command(after_help = FIX_AFTER_HELP)]
    Fix(FixArgs),
    /// Start an inventory from the code: write `inventory/<name>.yaml` from a scan.
    ///
    /// Reads the Rust sources and `Cargo.toml`s under the roots (without building them)
    /// and writes the organization, the application as a system, one store per group of
    /// database-row structs (mapped, with the categories their fields hold and
    /// `retention: TODO`), a sub-processor per SDK with its vendor's usual region, the
    /// flows between them and two starter rules, each with a comment saying where in
    /// the code it came from. Refuses to overwrite a file unless --force.
    #[command(after_help = INIT_AFTER_HELP)]
    Init(InitArgs),
    /// Write a document from the audited inventory: the Art. 30 record of processing
    /// activities (`record`) or the audit report (`audit`).
    #[command(subcommand)]
    Report(documents::ReportCommand),
    /// Draw the data-flow graph: Graphviz DOT, Mermaid or SVG.
    ///
    /// Regions are clusters, each kind of node has its own shape, each edge is labelled
    /// with the categories it carries, and flows and nodes that break a promise are red.
    #[command(after_help = documents::GRAPH_AFTER_HELP)]
    Graph(documents::GraphArgs),
    /// List the data categories, uses and subjects an inventory may name.
    ///
    /// Without a query, each tree indented, with every key's name; GDPR special
    /// categories are marked `[sensitive]` and the inventory's own extensions
    /// `[inventory]`. With a query, the keys that match it best (fuzzy, on key and name).
    #[command(after_help = TAXONOMY_AFTER_HELP)]
    Taxonomy(TaxonomyArgs),
    /// Print the JSON Schema of an inventory file, for editors.
    ///
    /// Draft-07, as the YAML language server reads it: completion, hover and errors
    /// for every key while editing. Save it and point the editor at it (see
    /// docs/inventory.md), or put `# yaml-language-server: $schema=<path>` at the top of
    /// an inventory file. Written from the same key tables `ropa check` reads with.
    Schema,
    /// Explain a finding code: what it checks and how to fix a finding.
    ///
    /// Without a code, lists every code ropa can report.
    Explain {
        /// A finding code such as `retention` or `unknown-key`.
        code: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Inventory files or directories of `*.yaml` files, read as one inventory.
    #[arg(default_value = "inventory")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// When to colour human output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only the findings: no summary line, nothing when clean.
    #[arg(long, short)]
    pub quiet: bool,
    /// Check the inventory alone: do not scan the Rust sources its `code` sections name.
    #[arg(long)]
    pub no_code: bool,
    /// Fail only on findings not in this baseline (written by `ropa baseline`); lists
    /// the baseline's findings that no longer occur, so it can shrink.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Make findings of CODE warnings (repeatable), whatever the inventory says.
    #[arg(long, value_name = "CODE")]
    pub warn: Vec<String>,
    /// Make findings of CODE errors (repeatable); wins over --warn.
    #[arg(long, value_name = "CODE")]
    pub deny: Vec<String>,
    /// Fail only on findings not present at git revision REV (or in directory REV): a
    /// pull request's new findings. Reads REV with git, without touching the working copy.
    #[arg(long, value_name = "REV", conflicts_with = "baseline")]
    pub new_since: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct FixArgs {
    /// Inventory files or directories of `*.yaml` files, read as one inventory.
    #[arg(default_value = "inventory")]
    pub paths: Vec<PathBuf>,
    /// Print the edits as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Fix only findings of CODE (repeatable).
    #[arg(long, value_name = "CODE")]
    pub only: Vec<String>,
    /// Do not scan the Rust sources the inventory's `code` sections name.
    #[arg(long)]
    pub no_code: bool,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Directories of Rust sources to scan (a crate or a workspace).
    #[arg(default_value = ".")]
    pub roots: Vec<PathBuf>,
    /// The inventory directory to write to.
    #[arg(long, short, default_value = "inventory")]
    pub output: PathBuf,
    /// Overwrite the inventory file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args, Debug)]
pub struct TaxonomyArgs {
    /// Words to look for in keys and names (`email`, `ip addr`); all keys without one.
    pub query: Option<String>,
    /// Only this tree.
    #[arg(long, value_enum)]
    pub tree: Option<TaxonomyTree>,
    /// The inventory whose `taxonomy` extensions to include (default: ./inventory when
    /// it exists).
    #[arg(long, value_name = "PATH")]
    pub inventory: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TaxonomyTree {
    Categories,
    Uses,
    Subjects,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The base: a git revision (`main`, `origin/main`, `HEAD~1`) or a directory.
    pub base: String,
    /// The head: a git revision or a directory; the working tree when left out.
    pub head: Option<String>,
    /// The inventory files or directories, relative to each side's root (the working
    /// directory's place in the repository).
    #[arg(long = "inventory", value_name = "PATH", default_values = ["inventory"])]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Compare the inventories alone: do not scan the Rust sources they name.
    #[arg(long)]
    pub no_code: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DiffFormat {
    /// A list of changes by kind, for a terminal.
    Human,
    /// One JSON document (schema `ropa-diff/1`).
    Json,
    /// Markdown for a pull-request comment or a job summary.
    Markdown,
}

#[derive(clap::Args, Debug)]
pub struct BaselineArgs {
    /// Inventory files or directories of `*.yaml` files, read as one inventory.
    #[arg(default_value = "inventory")]
    pub paths: Vec<PathBuf>,
    /// Where to write the baseline.
    #[arg(long, short, default_value = "ropa-baseline.json")]
    pub output: PathBuf,
    /// Check the inventory alone: do not scan the Rust sources its `code` sections name.
    #[arg(long)]
    pub no_code: bool,
}

#[derive(clap::Args, Debug)]
pub struct TuiArgs {
    /// Inventory files or directories of `*.yaml` files, read as one inventory.
    #[arg(default_value = "inventory")]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Directories to scan (crates or workspaces).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Glob of paths (relative to a scanned directory) to skip; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Scan test code too: `tests/`, `benches/` and `examples/` folders and
    /// `#[cfg(test)]` items, which are left out by default (test code does not ship).
    #[arg(long)]
    pub include_tests: bool,
    /// Report only fields the classifier is at least this sure hold personal data
    /// (0.5 to 1; annotations and overrides are always sure).
    #[arg(long, value_name = "CONFIDENCE", default_value_t = 0.5, value_parser = confidence)]
    pub min_confidence: f32,
    /// Exit with status 1 when the scan finds these (repeatable): personal `fields`,
    /// third-party `sdks`, personal values passed to `logs`, or `any` of them. For teams
    /// without an inventory yet; `ropa check` is the gate for those with one.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Vec<ScanFailOn>,
}

/// What makes `ropa scan --fail-on` exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFailOn {
    /// Any field that holds personal data.
    Fields,
    /// Any dependency on a known third-party SDK.
    Sdks,
    /// Any personal value passed to a logging macro.
    Logs,
    /// Any of the three.
    Any,
}

/// Parses a confidence between 0.5 and 1.
fn confidence(text: &str) -> Result<f32, String> {
    let value: f32 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number; give one such as 0.8"))?;
    if (0.5..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{value} is outside 0.5 to 1: the classifier reports nothing below 0.5"
        ))
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScanFormat {
    /// Aligned columns, one section per kind of finding.
    Table,
    /// One JSON document (schema `ropa-scan/1`, see docs/json.md).
    Json,
    /// SARIF 2.1.0, for code scanning: personal fields as notes, SDKs and logged
    /// personal values as warnings.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Rustc-style diagnostics with YAML excerpts.
    Human,
    /// One JSON document (schema `ropa-check/1`, see docs/json.md).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, IDEs).
    Sarif,
    /// GitHub Actions annotations (`::error file=...,line=...::message`).
    Github,
    /// A GitLab Code Quality report (JSON).
    Gitlab,
    /// JUnit XML: a test case per rule and per check.
    Junit,
    /// Markdown for a pull-request comment or a job summary.
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// A path for a message: control and invisible characters made visible.
fn shown(path: &std::path::Path) -> String {
    crate::text::sanitize_line(&path.display().to_string())
}

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_INPUT_ERROR: u8 = 2;

/// Runs a parsed command line; returns the exit status.
pub fn run(cli: Cli) -> io::Result<u8> {
    match cli.command {
        Some(Command::Check(args)) => check(&args),
        Some(Command::Baseline(args)) => baseline(&args),
        Some(Command::Diff(args)) => diff(&args),
        Some(Command::Taxonomy(args)) => taxonomy(&args),
        Some(Command::Report(command)) => documents::report(&command),
        Some(Command::Graph(args)) => documents::graph(&args),
        Some(Command::Init(args)) => init(&args),
        Some(Command::Fix(args)) => fix(&args),
        Some(Command::Schema) => {
            let text = json::to_string(&crate::inventory::schema::schema());
            ignore_closed_pipe(io::stdout().lock().write_all(text.as_bytes()))?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Scan(args)) => scan(&args),
        Some(Command::Explain { code }) => explain(code.as_deref()),
        Some(Command::Tui(args)) => crate::tui::run(args.paths),
        None if crate::tui::has_terminal() => crate::tui::run(vec![PathBuf::from("inventory")]),
        None => {
            writeln!(
                io::stderr(),
                "ropa: no terminal attached, so running `ropa check` instead of the terminal UI"
            )?;
            run(Cli::parse_from(["ropa", "check"]))
        }
    }
}

fn color_choice(color: Color, is_terminal: bool) -> ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match color {
        Color::Always => ColorChoice::Always,
        Color::Never => ColorChoice::Never,
        Color::Auto if is_terminal && !no_color => ColorChoice::Auto,
        Color::Auto => ColorChoice::Never,
    }
}

/// Says why `--warn`/`--deny` name no finding code; `None` when they all do.
fn unknown_code(codes: &[String]) -> Option<String> {
    let code = codes
        .iter()
        .find(|c| !crate::catalog::all_codes().any(|k| k == c.as_str()))?;
    let hint = crate::text::closest(code, crate::catalog::all_codes())
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    Some(format!(
        "error: `{}` is not a finding code; {hint}`ropa explain` lists them",
        crate::text::sanitize(code)
    ))
}

/// The inventory paths of one side: relative ones are resolved against its root.
fn side_paths(side: &crate::revision::Side, paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                side.root.join(p)
            }
        })
        .collect()
}

/// Audits one side of a comparison; on an input error, says which side and why.
fn audit_side(
    side: &crate::revision::Side,
    paths: &[PathBuf],
    scan_code: bool,
) -> io::Result<Result<crate::audit::Audit, ()>> {
    let progress = ScanProgress::stderr();
    let result = crate::audit::run_at(
        &side_paths(side, paths),
        scan_code,
        &progress,
        Some(&side.root),
    );
    report_side(side, paths, result)
}

/// Audits the inventory at `paths` with a progress bar; when it does not load, prints
/// every problem and `why` (what was not done) and gives `None`.
fn load_audit(
    paths: &[PathBuf],
    scan_code: bool,
    why: &str,
) -> io::Result<Option<crate::audit::Audit>> {
    let progress = ScanProgress::stderr();
    match crate::audit::run(paths, scan_code, &progress) {
        Ok(audit) => Ok(Some(audit)),
        Err(failure) => {
            write_load_failure(&failure, why)?;
            Ok(None)
        }
    }
}

/// Prints every problem of an inventory that did not load to stderr, then `why` and
/// the counts.
fn write_load_failure(failure: &crate::inventory::LoadFailure, why: &str) -> io::Result<()> {
    let mut err =
        BufferedStandardStream::stderr(color_choice(Color::Auto, io::stderr().is_terminal()));
    human::write(&mut err, &failure.problems, &failure.sources, None, true)?;
    writeln!(
        err,
        "{why}: {}",
        human::summary_line(&report::Summary::of(&failure.problems))
    )?;
    err.flush()
}

/// Passes an audit through, or says which side did not load and why.
fn report_side(
    side: &crate::revision::Side,
    paths: &[PathBuf],
    result: Result<crate::audit::Audit, crate::inventory::LoadFailure>,
) -> io::Result<Result<crate::audit::Audit, ()>> {
    match result {
        Ok(audit) => Ok(Ok(audit)),
        Err(failure) => {
            let why = format!(
                "ropa: the inventory at {} does not load ({}; its files were read into {})",
                crate::text::sanitize(&side.name),
                paths
                    .iter()
                    .map(|p| shown(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                shown(&side.root),
            );
            write_load_failure(&failure, &why)?;
            Ok(Err(()))
        }
    }
}

fn open_side(spec: Option<&str>) -> io::Result<Option<crate::revision::Side>> {
    let side = match spec {
        Some(spec) => crate::revision::Side::open(spec),
        None => crate::revision::Side::working_tree(),
    };
    match side {
        Ok(side) => Ok(Some(side)),
        Err(message) => {
            writeln!(io::stderr(), "error: {}", crate::text::sanitize(&message))?;
            Ok(None)
        }
    }
}

fn fix(args: &FixArgs) -> io::Result<u8> {
    if let Some(message) = unknown_code(&args.only) {
        writeln!(io::stderr(), "{message}")?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let Some(audit) = load_audit(
        &args.paths,
        !args.no_code,
        "ropa fix: the inventory does not load, so nothing was changed",
    )?
    else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let inv = &audit.inventory;
    let plan = crate::fix::plan(inv, &audit.findings, &args.only);
    let mut err = io::stderr().lock();
    for skipped in &plan.skipped {
        writeln!(
            err,
            "skipped: {}: {}",
            crate::text::sanitize(&skipped.finding),
            skipped.why
        )?;
    }
    if plan.files.is_empty() {
        writeln!(
            err,
            "nothing to fix: none of the {} findings has a fix ropa can write",
            audit
                .findings
                .iter()
                .filter(|f| f.suppression.is_none())
                .count()
        )?;
        return Ok(EXIT_CLEAN);
    }
    if args.dry_run {
        let mut out = io::stdout().lock();
        for (file, text) in &plan.files {
            let name = inv.sources.name(*file);
            let diff = similar::TextDiff::from_lines(inv.sources.text(*file), text.as_str());
            let shown = crate::text::sanitize(
                &diff
                    .unified_diff()
                    .context_radius(2)
                    .header(name, name)
                    .to_string(),
            );
            ignore_closed_pipe(out.write_all(shown.as_bytes()))?;
        }
        writeln!(
            err,
            "would fix {} {} in {} {} (--dry-run: nothing written)",
            plan.fixed.len(),
            report::plural(plan.fixed.len(), "finding", "findings"),
            plan.files.len(),
            report::plural(plan.files.len(), "file", "files")
        )?;
        return Ok(EXIT_CLEAN);
    }
    let originals = match crate::fix::write(inv, &plan) {
        Ok(originals) => originals,
        Err(why) => {
            writeln!(
                err,
                "error: {}; nothing was changed",
                crate::text::sanitize(&why)
            )?;
            return Ok(EXIT_INPUT_ERROR);
        }
    };
    let restore = crate::fix::restore;
    // Read it back as `ropa check` would: it must load, and what was fixed must be gone.
    let verdict = match crate::audit::run(&args.paths, !args.no_code, &crate::code::NoProgress) {
        Err(failure) => Err(format!(
            "the fixed inventory does not load ({})",
            human::summary_line(&report::Summary::of(&failure.problems))
        )),
        Ok(after) => {
            let left: Vec<&str> = after
                .findings
                .iter()
                .filter(|f| plan.fixed.contains(&f.fingerprint))
                .map(|f| f.code)
                .collect();
            if left.is_empty() {
                Ok(after)
            } else {
                Err(format!("the edits did not fix {}", left.join(", ")))
            }
        }
    };
    match verdict {
        Ok(after) => {
            let remaining = after
                .findings
                .iter()
                .filter(|f| f.suppression.is_none())
                .count();
            writeln!(
                err,
                "fixed {} {} in {}; {remaining} {} left (`ropa check` lists them)",
                plan.fixed.len(),
                report::plural(plan.fixed.len(), "finding", "findings"),
                originals
                    .iter()
                    .map(|(p, _)| shown(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                report::plural(remaining, "finding", "findings"),
            )?;
            Ok(EXIT_CLEAN)
        }
        Err(why) => {
            restore(&originals);
            writeln!(
                err,
                "error: {why}; the files were restored. This is a bug in ropa fix: please report it with the inventory"
            )?;
            Ok(EXIT_INPUT_ERROR)
        }
    }
}

fn init(args: &InitArgs) -> io::Result<u8> {
    let mut err = io::stderr().lock();
    if let Some(missing) = args.roots.iter().find(|r| !r.is_dir()) {
        writeln!(
            err,
            "error: `{}` is not a directory of Rust sources; `ropa init` scans crates: `ropa init .` or `ropa init crates/api`",
            crate::text::sanitize(&missing.display().to_string())
        )?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let name = crate::init::project_name(&args.roots[0]);
    let file = args
        .output
        .join(format!("{}.yaml", crate::init::slug(&name)));
    if file.exists() && !args.force {
        writeln!(
            err,
            "error: {} exists; ropa init does not overwrite an inventory: edit it, or pass --force to replace it",
            shown(&file)
        )?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let mut sources = crate::source::SourceMap::new();
    let filter = crate::code::walk::SourceFilter::new(globset::GlobSet::empty());
    let scan = crate::code::scan(&args.roots, &filter, &mut sources, &ScanProgress::stderr());
    if scan.files.is_empty() && scan.manifests.is_empty() {
        writeln!(
            err,
            "error: no Rust sources (`.rs` files or `Cargo.toml`) under {}; pass the folder of a crate",
            args.roots
                .iter()
                .map(|r| shown(r))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let fields: Vec<_> = scan.fields().map(|(_, f)| f).collect();
    let taxonomy = crate::taxonomy::Taxonomy::builtin();
    let statuses =
        crate::code::verdicts::judge(&fields, |_| None, |k| taxonomy.categories.get(k).is_some());
    let output = crate::init::absolute(&args.output);
    let project = crate::init::absolute(&args.roots[0]);
    let draft = crate::init::Draft {
        name: &name,
        roots: args
            .roots
            .iter()
            .map(|r| crate::init::relative(&output, &crate::init::absolute(r)))
            .collect(),
        named: args.roots.iter().map(|r| shown(r)).collect(),
        today: time::OffsetDateTime::now_utc().date().to_string(),
    };
    let text = crate::init::inventory(&draft, &scan, &statuses, |path| {
        let path = crate::init::absolute(path);
        crate::init::relative(&project, &path)
    });
    let written = std::fs::create_dir_all(&args.output)
        .and_then(|()| std::fs::write(&file, &text))
        .and_then(|()| {
            std::fs::write(
                args.output.join("ropa-schema.json"),
                json::to_string(&crate::inventory::schema::schema()),
            )
        });
    if let Err(e) = written {
        writeln!(err, "error: cannot write {}: {e}", shown(&file))?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let todos = text.matches("TODO").count();
    writeln!(
        err,
        "wrote {} ({} lines, {todos} TODOs) and {}; fill in the TODOs, then run `ropa check {}`",
        shown(&file),
        text.lines().count(),
        shown(&args.output.join("ropa-schema.json")),
        shown(&args.output)
    )?;
    Ok(EXIT_CLEAN)
}

fn taxonomy(args: &TaxonomyArgs) -> io::Result<u8> {
    let paths = if args.inventory.is_empty() {
        let default = PathBuf::from("inventory");
        if default.is_dir() {
            vec![default]
        } else {
            Vec::new()
        }
    } else {
        args.inventory.clone()
    };
    let taxonomy = if paths.is_empty() {
        crate::taxonomy::Taxonomy::builtin()
    } else {
        match crate::inventory::load(&paths) {
            Ok(inventory) => inventory.taxonomy,
            Err(failure) => {
                writeln!(
                    io::stderr(),
                    "note: the inventory at {} does not load ({}), so only the built-in taxonomy is listed; `ropa check` says why",
                    paths
                        .iter()
                        .map(|p| shown(p))
                        .collect::<Vec<_>>()
                        .join(", "),
                    human::summary_line(&report::Summary::of(&failure.problems))
                )?;
                crate::taxonomy::Taxonomy::builtin()
            }
        }
    };
    let only = args.tree.map(|t| match t {
        TaxonomyTree::Categories => crate::taxonomy::Tree::Category,
        TaxonomyTree::Uses => crate::taxonomy::Tree::Use,
        TaxonomyTree::Subjects => crate::taxonomy::Tree::Subject,
    });
    let text = match &args.query {
        Some(query) => report::taxonomy::search(&taxonomy, only, query, 30),
        None => report::taxonomy::trees(&taxonomy, only),
    };
    ignore_closed_pipe(io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(EXIT_CLEAN)
}

fn diff(args: &DiffArgs) -> io::Result<u8> {
    let (Some(base), Some(head)) = (
        open_side(Some(&args.base))?,
        open_side(args.head.as_deref())?,
    ) else {
        return Ok(EXIT_INPUT_ERROR);
    };
    // Both sides at once; a file that is the same on both is decoded once.
    let shared = crate::inventory::SharedDecodes::default();
    let audit = |side: &crate::revision::Side| {
        crate::audit::run_shared(
            &side_paths(side, &args.paths),
            !args.no_code,
            &crate::code::NoProgress,
            Some(&side.root),
            Some(&shared),
        )
    };
    let (base_result, head_result) = std::thread::scope(|scope| {
        let base_thread = scope.spawn(|| audit(&base));
        let head_result = audit(&head);
        let base_result = base_thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (base_result, head_result)
    });
    let Ok(base_audit) = report_side(&base, &args.paths, base_result)? else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let Ok(head_audit) = report_side(&head, &args.paths, head_result)? else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let changes =
        crate::diff::compare(&base_audit, &head_audit, Some(&base.root), Some(&head.root));
    let text = match args.format {
        DiffFormat::Human => report::diff::text(&changes, &base.name, &head.name),
        DiffFormat::Markdown => report::diff::markdown(&changes, &base.name, &head.name),
        DiffFormat::Json => json::to_string(&report::diff::Document {
            schema: report::diff::SCHEMA,
            ropa_version: env!("CARGO_PKG_VERSION"),
            base: &base.name,
            head: &head.name,
            changes: &changes,
        }),
    };
    ignore_closed_pipe(io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(if changes.findings_introduced.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn baseline(args: &BaselineArgs) -> io::Result<u8> {
    let Some(audit) = load_audit(
        &args.paths,
        !args.no_code,
        "ropa could not load the inventory, so no baseline was written",
    )?
    else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let root = std::env::current_dir().ok();
    let baseline =
        crate::gate::Baseline::of(&audit.findings, &audit.inventory.sources, root.as_deref());
    if let Err(e) = std::fs::write(&args.output, baseline.to_json()) {
        writeln!(
            io::stderr(),
            "error: cannot write the baseline to {}: {e}",
            shown(&args.output)
        )?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let count = baseline.findings.len();
    writeln!(
        io::stderr(),
        "wrote {count} {} to {}; `ropa check --baseline {}` now fails only on new ones",
        report::plural(count, "finding", "findings"),
        shown(&args.output),
        shown(&args.output)
    )?;
    Ok(EXIT_CLEAN)
}

fn check(args: &CheckArgs) -> io::Result<u8> {
    if let Some(message) = unknown_code(&args.warn).or_else(|| unknown_code(&args.deny)) {
        writeln!(io::stderr(), "{message}")?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let baseline = match &args.baseline {
        Some(path) => match crate::gate::Baseline::read(path) {
            Ok(baseline) => Some((path, baseline)),
            Err(message) => {
                writeln!(io::stderr(), "error: {}", crate::text::sanitize(&message))?;
                return Ok(EXIT_INPUT_ERROR);
            }
        },
        None => None,
    };
    // `--new-since REV`: the findings at REV act as the baseline.
    let baseline = match &args.new_since {
        Some(revision) => {
            let Some(side) = open_side(Some(revision))? else {
                return Ok(EXIT_INPUT_ERROR);
            };
            let Ok(before) = audit_side(&side, &args.paths, !args.no_code)? else {
                return Ok(EXIT_INPUT_ERROR);
            };
            let file = PathBuf::from(format!("{revision} (--new-since)"));
            let findings = crate::gate::Baseline::of(
                &before.findings,
                &before.inventory.sources,
                Some(&side.root),
            );
            Some((file, findings))
        }
        None => baseline.map(|(path, b)| (path.clone(), b)),
    };
    let progress = ScanProgress::stderr();
    let mut audit = match crate::audit::run(&args.paths, !args.no_code, &progress) {
        Ok(audit) => audit,
        Err(mut failure) => {
            let root = std::env::current_dir().ok();
            crate::fingerprint::assign(
                None,
                &failure.sources,
                &mut failure.problems,
                root.as_deref(),
            );
            ignore_closed_pipe(write_findings(
                args,
                &failure.problems,
                &failure.sources,
                None,
                &[],
                None,
            ))?;
            return Ok(EXIT_INPUT_ERROR);
        }
    };
    crate::gate::apply_flags(&mut audit.findings, &args.warn, &args.deny);
    let baseline_status = baseline.map(|(path, baseline)| {
        let gone = baseline.apply(&mut audit.findings);
        json::BaselineStatus {
            file: path.display().to_string(),
            suppressed: audit
                .findings
                .iter()
                .filter(|f| f.suppression == Some(crate::finding::Suppression::Baseline))
                .count(),
            gone,
        }
    });
    ignore_closed_pipe(write_findings(
        args,
        &audit.findings,
        &audit.inventory.sources,
        Some(audit.scope()),
        &audit.inventory.decl.rules,
        baseline_status.as_ref(),
    ))?;
    let findings = &audit.findings;
    let threshold = args.fail_on.threshold();
    Ok(
        if findings.iter().any(|f| crate::gate::fails(f, threshold)) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}

/// A reader that stops early (`ropa check | head`) is not an error, and must not change
/// the exit status that the findings decide.
fn ignore_closed_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes the findings in the chosen format. Without a `scope` the inventory did not
/// load: the findings are input errors, and `rules` is empty.
fn write_findings(
    args: &CheckArgs,
    findings: &[Finding],
    sources: &crate::source::SourceMap,
    scope: Option<Scope>,
    rules: &[crate::inventory::model::Rule],
    baseline: Option<&json::BaselineStatus>,
) -> io::Result<()> {
    let input_error = scope.is_none();
    let root = std::env::current_dir().ok();
    let root = root.as_deref();
    match args.format {
        Format::Sarif => {
            let log = report::sarif::log(findings, sources, root);
            io::stdout()
                .lock()
                .write_all(json::to_string(&log).as_bytes())
        }
        Format::Gitlab => {
            let issues = report::gitlab::report(findings, sources, root);
            io::stdout()
                .lock()
                .write_all(json::to_string(&issues).as_bytes())
        }
        Format::Github => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            report::github::write(&mut out, findings, sources, root)?;
            out.flush()
        }
        Format::Junit => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            report::junit::write(&mut out, findings, sources, rules, input_error, root)?;
            out.flush()
        }
        Format::Markdown => io::stdout()
            .lock()
            .write_all(report::markdown::render(findings, sources, input_error, root).as_bytes()),
        Format::Json => {
            let mut document = json::report(findings, sources, scope, input_error);
            document.baseline = baseline.map(|b| json::BaselineStatus {
                file: b.file.clone(),
                suppressed: b.suppressed,
                gone: b.gone.clone(),
            });
            io::stdout()
                .lock()
                .write_all(json::to_string(&document).as_bytes())
        }
        Format::Human if input_error => {
            let mut err = BufferedStandardStream::stderr(color_choice(
                args.color,
                io::stderr().is_terminal(),
            ));
            human::write(&mut err, findings, sources, None, true)?;
            let summary = report::Summary::of(findings);
            writeln!(
                err,
                "ropa could not load the inventory: {}",
                human::summary_line(&summary)
            )?;
            err.flush()
        }
        Format::Human => {
            let mut out = BufferedStandardStream::stdout(color_choice(
                args.color,
                io::stdout().is_terminal(),
            ));
            human::write(&mut out, findings, sources, scope, args.quiet)?;
            if let Some(baseline) = baseline.filter(|b| !b.gone.is_empty() && !args.quiet) {
                writeln!(
                    out,
                    "{} {} of the baseline {} no longer {}; rewrite it with `ropa baseline` to shrink it:",
                    baseline.gone.len(),
                    report::plural(baseline.gone.len(), "finding", "findings"),
                    crate::text::sanitize_line(&baseline.file),
                    report::plural(baseline.gone.len(), "occurs", "occur")
                )?;
                for entry in &baseline.gone {
                    writeln!(
                        out,
                        "  fixed {}: {}: {}",
                        entry.code,
                        crate::text::sanitize_line(&entry.file),
                        crate::text::sanitize(&entry.message)
                    )?;
                }
            }
            out.flush()
        }
    }
}

fn scan(args: &ScanArgs) -> io::Result<u8> {
    let mut err = io::stderr().lock();
    let missing: Vec<&PathBuf> = args.paths.iter().filter(|p| !p.is_dir()).collect();
    if !missing.is_empty() {
        for path in missing {
            let what = if path.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            writeln!(
                err,
                "error: `{}` {what}; `ropa scan` reads the Rust sources under directories",
                crate::text::sanitize(&path.display().to_string())
            )?;
        }
        return Ok(EXIT_INPUT_ERROR);
    }
    let patterns: Vec<&str> = args.exclude.iter().map(String::as_str).collect();
    let excluded = match crate::code::walk::excludes(&patterns) {
        Ok(excluded) => excluded,
        Err(problem) => {
            writeln!(err, "error: --exclude: {}", problem.message)?;
            return Ok(EXIT_INPUT_ERROR);
        }
    };
    drop(err);
    let mut sources = crate::source::SourceMap::new();
    let filter = crate::code::walk::SourceFilter {
        excluded,
        include_tests: args.include_tests,
    };
    let scan = crate::code::scan(&args.paths, &filter, &mut sources, &ScanProgress::stderr());
    let fields: Vec<_> = scan.fields().map(|(_, field)| field).collect();
    let taxonomy = crate::taxonomy::Taxonomy::builtin();
    let statuses = crate::code::verdicts::judge(
        &fields,
        |_| None,
        |key| taxonomy.categories.get(key).is_some(),
    );
    // Fields below the asked confidence are left out as if unclassified.
    let statuses: Vec<_> = statuses
        .into_iter()
        .map(|status| match status {
            crate::code::verdicts::FieldStatus::Personal { confidence, .. }
                if confidence < args.min_confidence =>
            {
                crate::code::verdicts::FieldStatus::Unclassified
            }
            other => other,
        })
        .collect();
    let report = report::scan::report(&args.paths, &scan, &statuses);
    let mut out = io::stdout().lock();
    let written = match args.format {
        ScanFormat::Json => out.write_all(json::to_string(&report).as_bytes()),
        ScanFormat::Sarif => {
            let root = std::env::current_dir().ok();
            let log = report::sarif::scan_log(&report::scan::results(&report), root.as_deref());
            out.write_all(json::to_string(&log).as_bytes())
        }
        ScanFormat::Github => {
            let root = std::env::current_dir().ok();
            report::github::write_scan(&mut out, &report::scan::results(&report), root.as_deref())
        }
        ScanFormat::Table => {
            let width = report::scan::table_width(io::stdout().is_terminal());
            report::scan::write_table_report(&mut out, &report, width)
        }
    };
    ignore_closed_pipe(written.and_then(|()| out.flush()))?;
    let found = |what: ScanFailOn, count: usize| {
        count > 0 && (args.fail_on.contains(&what) || args.fail_on.contains(&ScanFailOn::Any))
    };
    let summary = &report.summary;
    Ok(
        if found(ScanFailOn::Fields, summary.personal_fields)
            || found(ScanFailOn::Sdks, summary.sdks)
            || found(ScanFailOn::Logs, summary.logged_values)
        {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}

fn explain(code: Option<&str>) -> io::Result<u8> {
    let mut out = io::stdout().lock();
    let Some(code) = code else {
        writeln!(out, "Finding codes (ropa explain CODE for details):")?;
        for (title, codes) in [
            ("Rule kinds", crate::catalog::RULE_KIND_CODES),
            ("Always-on checks", crate::catalog::ALWAYS_ON_CODES),
            ("Code checks", crate::catalog::CODE_CODES),
            ("Waivers", crate::catalog::GATE_CODES),
            ("Input errors (exit status 2)", crate::catalog::INPUT_CODES),
        ] {
            writeln!(out, "\n{title}:")?;
            for code in codes {
                writeln!(out, "  {code:<22} {}", crate::catalog::summary(code))?;
            }
        }
        return Ok(EXIT_CLEAN);
    };
    match crate::catalog::explain(code) {
        Some(text) => {
            writeln!(out, "{text}")?;
            Ok(EXIT_CLEAN)
        }
        None => {
            let suggestion = crate::text::closest(code, crate::catalog::all_codes())
                .map(|s| format!(" Did you mean `{s}`?"))
                .unwrap_or_default();
            let mut err = io::stderr().lock();
            writeln!(
                err,
                "error: no finding code `{}`.{suggestion} Run `ropa explain` for the list.",
                crate::text::sanitize(code)
            )?;
            Ok(EXIT_INPUT_ERROR)
        }
    }
}

//! The commands that write documents for compliance officers: `ropa report record`
//! (the Art. 30 record), `ropa report audit` (promises with evidence) and `ropa graph`
//! (the data-flow diagram as DOT, Mermaid or SVG). Each audits the inventory, hands
//! the result to the report layer and writes the document to stdout or `--output`.

use super::{EXIT_CLEAN, EXIT_INPUT_ERROR, ignore_closed_pipe, load_audit, shown};
use crate::diagram::{self, Diagram};
use crate::record::{Role, RuleVerdicts};
use crate::report;
use clap::{Subcommand, ValueEnum};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub const REPORT_AFTER_HELP: &str = "\
Exit status: 0 written (whatever the audit found), 2 usage or input error (the inventory
does not load, an organization or filter names nothing).

Examples:
  ropa report record                               the controller record, Markdown
  ropa report record --format html -o record.html  one self-contained page with the data map
  ropa report record --format csv > record.csv     a row per activity, for a spreadsheet
  ropa report record --role processor              the processor record (organization.controllers)
  ropa report audit --format html -o audit.html    promises, evidence and findings";

pub const GRAPH_AFTER_HELP: &str = "\
Exit status: 0 written, 2 usage or input error (the inventory does not load, an unknown
category or node).

Flows that break a promise are drawn in red. Above --max-nodes nodes the diagram groups
the nodes by region (one box per region) and says so.

Examples:
  ropa graph | dot -Tsvg > graph.svg                  Graphviz
  ropa graph --format mermaid                         paste into GitHub or GitLab Markdown
  ropa graph --category user.contact.email            where e-mail addresses go
  ropa graph --around mailer --depth 2                two flows around one node
  ropa graph --format svg -o graph.svg                drawn by ropa itself, no Graphviz";

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The record of processing activities (GDPR Art. 30) the regulator can ask for.
    ///
    /// Controller record (Art. 30(1)): the organization, its DPO, representative and
    /// joint controllers, then one activity per purpose: data subjects, personal data,
    /// recipients (and those in third countries), transfers and their mechanisms,
    /// erasure time limits, security measures, and the UK ICO template's lawful basis,
    /// Art. 9 condition and source of the data. Processor record (Art. 30(2)): each
    /// controller of `organization.controllers` with the processing done for it. Every
    /// activity says which rules cover it and whether they are kept, and marks the
    /// required elements it lacks (also `record-incomplete` findings of `ropa check`).
    #[command(after_help = REPORT_AFTER_HELP)]
    Record(RecordArgs),
    /// The audit report: every promise with its status and evidence, the code scan
    /// summary and the findings.
    ///
    /// A kept promise says what it checked (how many flows, stores and code fields); a
    /// broken one lists its findings with the lines they point at.
    #[command(after_help = REPORT_AFTER_HELP)]
    Audit(AuditArgs),
}

#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Inventory files or directories of `*.yaml` files, read as one inventory.
    #[arg(default_value = "inventory")]
    pub paths: Vec<PathBuf>,
    /// Write the document to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not scan the Rust sources the inventory's `code` sections name.
    #[arg(long)]
    pub no_code: bool,
}

#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[arg(long, value_enum, default_value_t = RecordFormat::Markdown)]
    pub format: RecordFormat,
    /// Whose record: the controller's (Art. 30(1)) or, for an organization that
    /// declares `controllers`, the processor's (Art. 30(2)).
    #[arg(long, value_enum, default_value_t = RoleArg::Controller)]
    pub role: RoleArg,
    /// Only the record of this organization id (each organization has its own).
    #[arg(long, value_name = "ID")]
    pub organization: Option<String>,
    /// The most nodes the HTML data map draws before it groups them by region (at most
    /// 60: laying out a picture grows fast with its size).
    #[arg(long, value_name = "N", default_value_t = report::diagram::SVG_NODE_LIMIT)]
    pub max_nodes: usize,
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[arg(long, value_enum, default_value_t = AuditFormat::Markdown)]
    pub format: AuditFormat,
    /// The most nodes the HTML data map draws before it groups them by region (at most
    /// 60: laying out a picture grows fast with its size).
    #[arg(long, value_name = "N", default_value_t = report::diagram::SVG_NODE_LIMIT)]
    pub max_nodes: usize,
}

#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Only the flows that carry this data category (or one above or below it).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// Only the nodes within --depth flows of this node (either direction).
    #[arg(long, value_name = "NODE")]
    pub around: Option<String>,
    /// How many flows away from --around to draw.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "around")]
    pub depth: usize,
    /// The most nodes to draw before grouping them by region (SVG: at most 60; for a
    /// larger picture, draw the DOT output with Graphviz).
    #[arg(long, value_name = "N", default_value_t = diagram::DEFAULT_NODE_LIMIT)]
    pub max_nodes: usize,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RecordFormat {
    Markdown,
    /// One self-contained page with the data map, printable.
    Html,
    /// One row per activity, for a spreadsheet.
    Csv,
    /// Schema `ropa-record/1`.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AuditFormat {
    Markdown,
    /// One self-contained page with the data map, printable.
    Html,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT: `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, which GitHub and GitLab draw in Markdown.
    Mermaid,
    /// An SVG picture laid out by ropa itself.
    Svg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Controller,
    Processor,
}

/// Audits the inventory, or prints why it does not load.
fn audit(common: &CommonArgs, what: &str) -> io::Result<Option<crate::audit::Audit>> {
    load_audit(
        &common.paths,
        !common.no_code,
        &format!("ropa could not load the inventory, so no {what} was written"),
    )
}

/// Writes `text` to `--output` (saying where) or to standard output.
fn deliver(output: Option<&Path>, text: &str, what: &str) -> io::Result<u8> {
    match output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                writeln!(
                    io::stderr(),
                    "error: cannot write the {what} to {}: {e}",
                    shown(path)
                )?;
                return Ok(EXIT_INPUT_ERROR);
            }
            writeln!(
                io::stderr(),
                "wrote the {what} to {} ({} bytes)",
                shown(path),
                text.len()
            )?;
            Ok(EXIT_CLEAN)
        }
        None => {
            ignore_closed_pipe(io::stdout().lock().write_all(text.as_bytes()))?;
            Ok(EXIT_CLEAN)
        }
    }
}

/// The diagram for an HTML report: the whole inventory, grouped above `max_nodes`.
fn report_diagram(audit: &crate::audit::Audit, max_nodes: usize) -> Diagram {
    let options = diagram::Options {
        node_limit: max_nodes.min(report::diagram::SVG_NODE_LIMIT),
        ..diagram::Options::default()
    };
    // With no filter, building cannot name anything unknown.
    diagram::build(audit, &options).unwrap_or_default()
}

pub fn report(command: &ReportCommand) -> io::Result<u8> {
    match command {
        ReportCommand::Record(args) => record(args),
        ReportCommand::Audit(args) => audit_report(args),
    }
}

fn record(args: &RecordArgs) -> io::Result<u8> {
    let Some(audit) = audit(&args.common, "record")? else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let role = match args.role {
        RoleArg::Controller => Role::Controller,
        RoleArg::Processor => Role::Processor,
    };
    let organizations = &audit.inventory.decl.organizations;
    if let Some(id) = &args.organization
        && !organizations.iter().any(|o| &o.id.value == id)
    {
        let ids: Vec<&str> = organizations.iter().map(|o| o.id.value.as_str()).collect();
        writeln!(
            io::stderr(),
            "error: no organization `{}` in the inventory{}",
            crate::text::sanitize_line(id),
            if ids.is_empty() {
                " (it declares none)".to_owned()
            } else {
                format!("; it declares: {}", ids.join(", "))
            }
        )?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let verdicts = RuleVerdicts::of(&audit);
    let mut records = crate::record::records(&audit.inventory, &audit.graph, &verdicts, role);
    if let Some(id) = &args.organization {
        records.retain(|r| &r.organization.id == id);
    }
    if role == Role::Processor && records.is_empty() {
        writeln!(
            io::stderr(),
            "error: no organization declares the controllers it processes data for, so there is no processor record\n  = help: add `controllers:` under `organization`, each with a `name` (and `contact`, `dpo`, `representative`, `purposes`); see docs/inventory.md"
        )?;
        return Ok(EXIT_INPUT_ERROR);
    }
    let today = report::generated_on();
    let text = match args.format {
        RecordFormat::Markdown => report::record::markdown(&records, &today),
        RecordFormat::Json => report::record::json(&records, &today),
        RecordFormat::Csv => match report::record::csv(&records) {
            Ok(text) => text,
            Err(message) => {
                writeln!(io::stderr(), "error: {message}")?;
                return Ok(EXIT_INPUT_ERROR);
            }
        },
        RecordFormat::Html => {
            let diagram = report_diagram(&audit, args.max_nodes);
            let svg = report::diagram::svg(&diagram);
            report::record::html(&records, &today, &svg, diagram.grouped.as_deref())
        }
    };
    deliver(
        args.common.output.as_deref(),
        &text,
        "record of processing activities",
    )
}

fn audit_report(args: &AuditArgs) -> io::Result<u8> {
    let Some(audit) = audit(&args.common, "audit report")? else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let text = render_audit(&audit, args.format, args.max_nodes);
    deliver(args.common.output.as_deref(), &text, "audit report")
}

/// The audit report of `audit` in `format`; the terminal UI's export uses it too.
pub fn render_audit(audit: &crate::audit::Audit, format: AuditFormat, max_nodes: usize) -> String {
    let verdicts = RuleVerdicts::of(audit);
    let today = report::generated_on();
    let root = std::env::current_dir().ok();
    match format {
        AuditFormat::Markdown => report::audit::markdown(audit, &verdicts, &today, root.as_deref()),
        AuditFormat::Html => {
            let diagram = report_diagram(audit, max_nodes);
            let svg = report::diagram::svg(&diagram);
            report::audit::html(
                audit,
                &verdicts,
                &today,
                root.as_deref(),
                &svg,
                diagram.grouped.as_deref(),
            )
        }
    }
}

pub fn graph(args: &GraphArgs) -> io::Result<u8> {
    let Some(audit) = audit(&args.common, "diagram")? else {
        return Ok(EXIT_INPUT_ERROR);
    };
    let options = diagram::Options {
        category: args.category.clone(),
        around: args.around.clone(),
        depth: args.depth,
        node_limit: match args.format {
            GraphFormat::Svg => args.max_nodes.min(report::diagram::SVG_NODE_LIMIT),
            GraphFormat::Dot | GraphFormat::Mermaid => args.max_nodes,
        },
    };
    let diagram = match diagram::build(&audit, &options) {
        Ok(diagram) => diagram,
        Err(unknown) => {
            writeln!(io::stderr(), "error: {}", unknown.message)?;
            if let Some(help) = unknown.help {
                writeln!(io::stderr(), "  = help: {help}")?;
            }
            return Ok(EXIT_INPUT_ERROR);
        }
    };
    if let Some(note) = &diagram.grouped {
        writeln!(io::stderr(), "note: {note}")?;
    }
    if diagram.nodes.is_empty() {
        let why = if args.category.is_some() || args.around.is_some() {
            "no node matches the filters"
        } else {
            "the inventory declares no node"
        };
        writeln!(io::stderr(), "note: nothing to draw: {why}")?;
    }
    let text = match args.format {
        GraphFormat::Dot => report::diagram::dot(&diagram),
        GraphFormat::Mermaid => report::diagram::mermaid(&diagram),
        GraphFormat::Svg => report::diagram::svg(&diagram),
    };
    deliver(args.common.output.as_deref(), &text, "diagram")
}

//! `Cargo.toml` facts: the dependencies a manifest declares, each with the line it is
//! written on, and the catalogue of third-party SDK crates (`sdks.tsv`) that says which
//! vendor a dependency sends data to. Development dependencies are left out: they do not
//! ship.

use super::facts::Position;
use crate::text::{LineBreaks, LineIndex};
use std::sync::OnceLock;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

const CATALOGUE: &str = include_str!("sdks.tsv");

/// One dependency of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The crate's crates.io name (the `package` of a renamed dependency).
    pub krate: String,
    /// The table it is declared in: `dependencies`, `build-dependencies`,
    /// `workspace.dependencies` or `target.<cfg>.dependencies`.
    pub table: String,
    /// The position of its key.
    pub at: Position,
}

/// Why a manifest could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestProblem {
    pub message: String,
    pub at: Option<Position>,
}

/// A vendor SDK from the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sdk {
    pub krate: &'static str,
    /// Suggested subprocessor id.
    pub vendor: &'static str,
    pub legal_name: &'static str,
    pub kind: &'static str,
    pub region: &'static str,
    /// Words that identify the vendor in a declaration's id, name or legal name.
    pub matches: Vec<&'static str>,
}

/// The catalogue of known SDK crates.
pub fn catalogue() -> &'static [Sdk] {
    static PARSED: OnceLock<Vec<Sdk>> = OnceLock::new();
    PARSED.get_or_init(|| {
        CATALOGUE
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| {
                let mut cols = line.split('\t');
                Some(Sdk {
                    krate: cols.next()?,
                    vendor: cols.next()?,
                    legal_name: cols.next()?,
                    kind: cols.next()?,
                    region: cols.next()?,
                    matches: cols.next()?.split(',').map(str::trim).collect(),
                })
            })
            .collect()
    })
}

/// The catalogue's crate families (`aws-sdk-*`) as one glob set, with the index in
/// the catalogue of each pattern.
fn families() -> &'static (globset::GlobSet, Vec<usize>) {
    static FAMILIES: OnceLock<(globset::GlobSet, Vec<usize>)> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let mut builder = globset::GlobSetBuilder::new();
        let mut indexes = Vec::new();
        for (index, sdk) in catalogue().iter().enumerate() {
            if sdk.krate.contains('*')
                && let Ok(glob) = globset::Glob::new(sdk.krate)
            {
                builder.add(glob);
                indexes.push(index);
            }
        }
        (builder.build().unwrap_or_default(), indexes)
    })
}

/// The catalogue entry for a crate name, if it is a known SDK: its exact name first,
/// then the most specific family it belongs to (`aws-sdk-*`), then, for a fork renamed
/// `<name>-ng` or `<name>_ng`, the crate it forks.
pub fn sdk(krate: &str) -> Option<&'static Sdk> {
    let catalogue = catalogue();
    if let Some(exact) = catalogue.iter().find(|sdk| sdk.krate == krate) {
        return Some(exact);
    }
    let (set, indexes) = families();
    let family = set
        .matches(krate)
        .into_iter()
        .filter_map(|i| indexes.get(i).and_then(|&index| catalogue.get(index)))
        .max_by_key(|sdk| sdk.krate.len());
    if family.is_some() {
        return family;
    }
    let fork_of = krate
        .strip_suffix("-ng")
        .or_else(|| krate.strip_suffix("_ng"))?;
    sdk(fork_of)
}

impl Sdk {
    /// Whether a declaration with this id, name and legal name is this vendor.
    pub fn is_named_by(&self, names: &[&str]) -> bool {
        names.iter().any(|name| {
            let name = name.to_lowercase();
            self.matches.iter().any(|word| name.contains(word))
        })
    }
}

/// The position of a byte range, through a line index so that a manifest with many
/// keys costs linear time, not time quadratic in its size.
fn position(lines: &LineIndex, text: &str, range: std::ops::Range<usize>) -> Position {
    let (line, column) = lines.position(text, range.start);
    Position {
        line: line as u32,
        column: column as u32,
        start: range.start as u32,
        end: range.end as u32,
    }
}

/// Reads the dependencies of one manifest's text.
pub fn dependencies(text: &str) -> Result<Vec<Dependency>, ManifestProblem> {
    let lines = LineIndex::new(text, LineBreaks::LineFeed);
    let root = DeTable::parse(text).map_err(|error| ManifestProblem {
        message: format!("not valid TOML: {}", error.message()),
        at: error.span().map(|span| position(&lines, text, span)),
    })?;
    let mut found = Vec::new();
    let table = root.get_ref();
    let read = |name: &str, value: &Spanned<DeValue>, found: &mut Vec<Dependency>| {
        let DeValue::Table(deps) = value.get_ref() else {
            return;
        };
        for (key, spec) in deps {
            let package = match spec.get_ref() {
                DeValue::Table(fields) => fields.get("package").and_then(|p| match p.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                }),
                _ => None,
            };
            found.push(Dependency {
                krate: package.unwrap_or_else(|| key.get_ref().to_string()),
                table: name.to_owned(),
                at: position(&lines, text, key.span()),
            });
        }
    };
    for section in ["dependencies", "build-dependencies", "build_dependencies"] {
        if let Some(value) = table.get(section) {
            read(section, value, &mut found);
        }
    }
    if let Some(DeValue::Table(workspace)) = table.get("workspace").map(Spanned::get_ref)
        && let Some(value) = workspace.get("dependencies")
    {
        read("workspace.dependencies", value, &mut found);
    }
    if let Some(DeValue::Table(targets)) = table.get("target").map(Spanned::get_ref) {
        for (cfg, target) in targets {
            if let DeValue::Table(sections) = target.get_ref() {
                for section in ["dependencies", "build-dependencies"] {
                    if let Some(value) = sections.get(section) {
                        read(
                            &format!("target.{}.{section}", cfg.get_ref()),
                            value,
                            &mut found,
                        );
                    }
                }
            }
        }
    }
    found.sort_by_key(|d| d.at.start);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_of_100000_dependencies_is_read_with_every_position() {
        // Each key's position used to be found by counting lines from the start of the
        // file: 100,000 keys took 89 s. With a line index it is linear.
        let mut text = String::from("[package]\nname = \"big\"\n\n[dependencies]\n");
        for i in 0..100_000 {
            text.push_str(&format!("crate-{i} = \"1\"\n"));
        }
        text.push_str("sentry = { version = \"0.34\", features = [\"é\"] }\n");
        let found = dependencies(&text).expect("valid TOML");
        assert_eq!(found.len(), 100_001);
        let last = found.last().expect("one");
        assert_eq!(last.krate, "sentry");
        assert_eq!((last.at.line, last.at.column), (100_005, 1));
        assert_eq!(found[7].at.line, 12);
    }

    #[test]
    fn crate_families_and_renamed_forks_are_known() {
        let vendor = |krate: &str| sdk(krate).map(|s| (s.vendor, s.kind));
        assert_eq!(
            vendor("aws-sdk-s3"),
            Some(("aws", "cloud storage")),
            "exact wins"
        );
        assert_eq!(
            vendor("aws-sdk-cognitoidentityprovider").map(|v| v.0),
            Some("aws")
        );
        assert_eq!(vendor("rusoto_ses").map(|v| v.0), Some("aws"));
        assert_eq!(
            vendor("google-cloud-bigquery").map(|v| v.0),
            Some("google-cloud")
        );
        assert_eq!(vendor("azure_identity").map(|v| v.0), Some("azure"));
        assert_eq!(vendor("sentry-anyhow").map(|v| v.0), Some("sentry"));
        assert_eq!(vendor("sentry_ng").map(|v| v.0), Some("sentry"));
        assert_eq!(vendor("aws-sdk-s3-ng").map(|v| v.0), Some("aws"));
        assert_eq!(vendor("serde"), None);
        assert_eq!(vendor("awsome"), None);
        assert_eq!(vendor("ng"), None);
    }

    #[test]
    fn the_catalogue_covers_every_kind_of_service() {
        let sdks = catalogue();
        assert!(sdks.len() >= 40, "{} SDKs", sdks.len());
        for kind in [
            "error tracking",
            "analytics",
            "cloud storage",
            "message queue",
            "e-mail delivery",
            "SMS and voice",
            "payments",
            "CRM",
            "observability",
        ] {
            assert!(sdks.iter().any(|s| s.kind == kind), "no {kind} SDK");
        }
        assert!(
            sdks.iter()
                .all(|s| !s.matches.is_empty() && !s.region.is_empty())
        );
        let mut names: Vec<_> = sdks.iter().map(|s| s.krate).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), sdks.len(), "a crate is listed twice");
    }

    #[test]
    fn reads_every_shipping_dependency_table_with_lines() {
        let text = r#"[package]
name = "shop"

[dependencies]
serde = "1"
tracker = { package = "sentry", version = "0.34" }

[dev-dependencies]
mockito = "1"

[target.'cfg(unix)'.dependencies]
twilio = "1"

[workspace.dependencies]
async-stripe = { version = "0.39" }
"#;
        let deps = dependencies(text).expect("valid");
        let summary: Vec<_> = deps
            .iter()
            .map(|d| (d.krate.as_str(), d.table.as_str(), d.at.line, d.at.column))
            .collect();
        assert_eq!(
            summary,
            [
                ("serde", "dependencies", 5, 1),
                ("sentry", "dependencies", 6, 1),
                ("twilio", "target.cfg(unix).dependencies", 12, 1),
                ("async-stripe", "workspace.dependencies", 15, 1),
            ]
        );
        assert_eq!(sdk("sentry").map(|s| s.vendor), Some("sentry"));
        assert!(sdk("serde").is_none());
    }

    #[test]
    fn invalid_toml_has_a_position() {
        let problem = dependencies("[dependencies]\nsentry = \n").unwrap_err();
        assert!(
            problem.message.starts_with("not valid TOML"),
            "{}",
            problem.message
        );
        assert_eq!(problem.at.map(|p| p.line), Some(2));
    }

    #[test]
    fn vendors_are_recognised_by_name() {
        let sentry = sdk("sentry").expect("listed");
        assert!(sentry.is_named_by(&["alpha-sentry", "", ""]));
        assert!(sentry.is_named_by(&["errors", "Functional Software, Inc."]));
        assert!(!sentry.is_named_by(&["exceptionless"]));
    }
}

//! `ropa init`: a starting inventory written from what a scan of the code finds. The
//! organization, the application as a system, one store per group of database-row
//! structs (with the structs mapped and the categories their fields hold, retention
//! left as `TODO`), a sub-processor per SDK dependency with its vendor's usual region,
//! the regions those need, flows from the application to each, and two starter rules.
//! Every generated entry says where in the code it came from. Builds the text only;
//! the command writes it.

use crate::code::Scan;
use crate::code::verdicts::FieldStatus;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// A YAML scalar for any text: plain when that is safe, else double-quoted (a JSON
/// string is a valid YAML double-quoted scalar).
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !matches!(text, "true" | "false" | "null" | "yes" | "no" | "~");
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

/// A file or id name made of the lowercase letters, digits and dashes of `text`.
pub fn slug(text: &str) -> String {
    id(text)
}

/// An id made of the lowercase letters, digits and dashes of `text`.
fn id(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "app".to_owned()
    } else {
        out
    }
}

/// `to` relative to the directory `from` (both absolute), with `/` separators.
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// A region ropa can declare for a vendor's usual region in the SDK catalogue.
fn vendor_region(catalogue_region: &str) -> (&'static str, &'static str) {
    if catalogue_region.starts_with("Netherlands") {
        ("nl", "NL")
    } else {
        ("us", "US")
    }
}

/// One store to declare: the structs persisted to it and what they hold.
struct StoreDraft {
    structs: Vec<(String, String)>,
    categories: Vec<String>,
}

/// What `ropa init` needs to know besides the scan.
pub struct Draft<'a> {
    /// The application's name, for the organization, the system and the store ids.
    pub name: &'a str,
    /// The scanned roots, as the inventory's `code.roots` (relative to its directory).
    pub roots: Vec<String>,
    /// The roots as the user named them, for comments.
    pub named: Vec<String>,
    /// Today, for the header.
    pub today: String,
}

/// The inventory text for a scan whose fields have these statuses (in the order of
/// [`Scan::fields`]); `where_of` names a file relative to the project.
pub fn inventory(
    draft: &Draft,
    scan: &Scan,
    statuses: &[FieldStatus],
    where_of: impl Fn(&Path) -> String,
) -> String {
    let app = id(draft.name);
    let persisted: Vec<&str> = scan
        .files
        .iter()
        .flat_map(|f| f.persisted.iter().map(String::as_str))
        .collect();
    let mut stores: BTreeMap<String, StoreDraft> = BTreeMap::new();
    let mut app_categories: Vec<String> = Vec::new();
    let mut app_structs: Vec<(String, String)> = Vec::new();
    for ((file, field), status) in scan.fields().zip(statuses) {
        let FieldStatus::Personal { category, .. } = status else {
            continue;
        };
        let path = field.item_path();
        let place = format!("{}:{}", where_of(&file.path), field.at.line);
        if !app_categories.contains(category) {
            app_categories.push(category.clone());
        }
        if persisted.contains(&path.as_str()) {
            // Rows of `db::`, `models::` and the like go to the application's database;
            // rows of another module, to a store of that module.
            let group = field
                .module
                .split("::")
                .next()
                .filter(|m| !m.is_empty())
                .filter(|m| {
                    !matches!(
                        *m,
                        "db" | "database"
                            | "models"
                            | "model"
                            | "entities"
                            | "entity"
                            | "schema"
                            | "storage"
                            | "store"
                            | "repo"
                            | "repository"
                    )
                });
            let store = format!("{}-db", group.map_or(app.clone(), id));
            let entry = stores.entry(store).or_insert(StoreDraft {
                structs: Vec::new(),
                categories: Vec::new(),
            });
            if !entry.structs.iter().any(|(p, _)| *p == path) {
                entry.structs.push((path.clone(), place));
            }
            if !entry.categories.contains(category) {
                entry.categories.push(category.clone());
            }
        } else if !app_structs.iter().any(|(p, _)| *p == path) {
            app_structs.push((path, place));
        }
    }
    // One sub-processor per vendor, with the crates that reach it.
    let mut vendors: BTreeMap<&str, (&crate::code::manifest::Sdk, Vec<String>)> = BTreeMap::new();
    for manifest in &scan.manifests {
        for dependency in &manifest.dependencies {
            if let Some(sdk) = crate::code::manifest::sdk(&dependency.krate) {
                let place = format!(
                    "{} in {}:{}",
                    dependency.krate,
                    where_of(&manifest.path),
                    dependency.at.line
                );
                vendors
                    .entry(sdk.vendor)
                    .or_insert((sdk, Vec::new()))
                    .1
                    .push(place);
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "# yaml-language-server: $schema=ropa-schema.json");
    let _ = writeln!(
        out,
        "# A starting inventory, written by `ropa init` on {} from the code in {}.",
        draft.today,
        draft
            .named
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "# Fill in every TODO, then run `ropa check`: it reports what is still missing.\n# docs/inventory.md describes every key; `ropa taxonomy` lists the data categories.\nversion: 1\n"
    );
    let _ = writeln!(
        out,
        "organization:\n  id: {}\n  name: {}   # TODO: your organization's name\n",
        scalar(&app),
        scalar(draft.name)
    );
    if !vendors.is_empty() {
        let _ = writeln!(
            out,
            "# The regions the sub-processors below usually process data in.\nregions:"
        );
        let mut regions: Vec<(&str, &str)> = vendors
            .values()
            .map(|(sdk, _)| vendor_region(sdk.region))
            .collect();
        regions.sort_unstable();
        regions.dedup();
        for (region, country) in regions {
            let _ = writeln!(out, "  - {{ id: {region}, country: {country} }}");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "subjects:\n  - id: users\n    subject: customer   # TODO: who the data is about (`ropa taxonomy --tree subjects`)\n"
    );
    let _ = writeln!(
        out,
        "systems:\n  - id: {}\n    description: {}   # TODO: add `region:` where it runs\n",
        scalar(&app),
        scalar(&format!(
            "The application whose code is in {}",
            draft.named.join(", ")
        ))
    );
    if !stores.is_empty() {
        let _ = writeln!(out, "stores:");
        for (store, draft) in &stores {
            let _ = writeln!(
                out,
                "  # Rows of {}.",
                draft
                    .structs
                    .iter()
                    .map(|(path, at)| format!("{path} ({at})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(
                out,
                "  - id: {}\n    kind: database\n    holds:",
                scalar(store)
            );
            let _ = writeln!(
                out,
                "      - data: [{}]\n        retention: TODO   # how long it is kept: 30d, until-account-deleted, ...",
                draft
                    .categories
                    .iter()
                    .map(|c| scalar(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push('\n');
    }
    if !vendors.is_empty() {
        let _ = writeln!(out, "subprocessors:");
        for (sdk, places) in vendors.values() {
            let (region, _) = vendor_region(sdk.region);
            let _ = writeln!(
                out,
                "  # {} ({}), from {}.",
                sdk.legal_name,
                sdk.kind,
                places.join(", ")
            );
            let _ = writeln!(
                out,
                "  - id: {}\n    legal_name: {}\n    region: {region}   # usually: {}\n    purposes: [essential.service.operations]   # TODO: what it is used for\n    dpa: true   # TODO: is a data processing agreement signed?",
                scalar(sdk.vendor),
                scalar(sdk.legal_name),
                sdk.region
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "flows:");
    let all: Vec<String> = if app_categories.is_empty() {
        vec!["user".to_owned()]
    } else {
        app_categories.iter().map(|c| scalar(c)).collect()
    };
    let _ = writeln!(
        out,
        "  # What the scan found the application handles.\n  - from: users\n    to: {}\n    data: [{}]\n    purpose: essential.service   # TODO: why\n    lawful_basis: contract   # TODO: on what basis",
        scalar(&app),
        all.join(", ")
    );
    for (store, draft) in &stores {
        let _ = writeln!(
            out,
            "  # The application saves {} to it.\n  - from: {}\n    to: {}\n    data: [{}]\n    purpose: essential.service\n    lawful_basis: contract   # TODO: on what basis",
            draft
                .structs
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            scalar(&app),
            scalar(store),
            draft
                .categories
                .iter()
                .map(|c| scalar(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (sdk, places) in vendors.values() {
        let _ = writeln!(
            out,
            "  # The application uses {}.\n  - from: {}\n    to: {}\n    data: [system.operations]   # TODO: which personal data reaches {}?\n    purpose: essential.service.operations",
            places.join(", "),
            scalar(&app),
            scalar(sdk.vendor),
            sdk.vendor
        );
    }
    let _ = writeln!(
        out,
        "\nrules:\n  # Starter promises; replace them with your privacy policy's (see docs/rules.md).\n  - id: retention-declared\n    description: Every store says how long it keeps personal data.\n    retention: {{ data: [user] }}\n  - id: encrypted-in-transit\n    description: Personal data travels encrypted.\n    encryption: {{ data: [user], in_transit: true }}\n"
    );
    let _ = writeln!(
        out,
        "code:\n  roots: [{}]",
        draft
            .roots
            .iter()
            .map(|r| scalar(r))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mapped: Vec<(&String, &str, &String)> = stores
        .iter()
        .flat_map(|(store, d)| d.structs.iter().map(move |(p, at)| (p, store.as_str(), at)))
        .chain(app_structs.iter().map(|(p, at)| (p, app.as_str(), at)))
        .collect();
    if !mapped.is_empty() {
        let _ = writeln!(out, "  structs:");
        for (path, to, at) in mapped {
            let _ = writeln!(
                out,
                "    - match: {}   # {at}\n      to: {}",
                scalar(&format!("*::{}", path.rsplit("::").next().unwrap_or(path))),
                scalar(to)
            );
        }
    }
    out
}

/// Where a project's name comes from: the `[package] name` of the root's `Cargo.toml`,
/// else the root directory's name.
pub fn project_name(root: &Path) -> String {
    use toml::de::{DeTable, DeValue};
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    let from_manifest = DeTable::parse(&text).ok().and_then(|table| {
        let DeValue::Table(package) = table.get_ref().get("package")?.get_ref() else {
            return None;
        };
        match package.get("name")?.get_ref() {
            DeValue::String(name) => Some(name.to_string()),
            _ => None,
        }
    });
    from_manifest.unwrap_or_else(|| {
        std::fs::canonicalize(root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "app".to_owned())
    })
}

/// The inventory directory and the roots, absolute, for [`relative`].
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_when_yaml_would_misread_them() {
        assert_eq!(scalar("user.contact.email"), "user.contact.email");
        assert_eq!(scalar("*::User"), "\"*::User\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(
            scalar("Functional Software, Inc."),
            "\"Functional Software, Inc.\""
        );
    }

    #[test]
    fn paths_are_made_relative_to_the_inventory() {
        assert_eq!(relative(Path::new("/p/inventory"), Path::new("/p")), "..");
        assert_eq!(
            relative(Path::new("/p/inventory"), Path::new("/p/crates/api")),
            "../crates/api"
        );
        assert_eq!(id("My App_2"), "my-app-2");
    }
}

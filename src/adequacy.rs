//! The adequacy decisions that `adequacy` and `dpf` transfers are checked against, kept
//! as data in `adequacy.tsv` with their sources and the date the list was compiled:
//! which data-protection regime an exporter's country is under (the EU/EEA's GDPR, the
//! UK's), and which importing countries that regime has found adequate, and for whom.

use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("adequacy.tsv");

/// The day the shipped list was compiled from its sources.
pub const COMPILED: &str = "2026-12-03";

/// Whom an adequacy decision covers in the importing country.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every recipient there.
    All,
    /// Private-sector organisations only (Canada's PIPEDA).
    Commercial,
    /// Only recipients certified under the EU-US Data Privacy Framework (or its UK
    /// Extension), who declare `dpf_certified: true`.
    DpfCertified,
}

/// One adequacy decision of a regime for a country.
#[derive(Clone, Debug)]
pub struct Decision {
    pub scope: Scope,
    /// When it was adopted (or, for the UK, took effect), `YYYY-MM-DD`.
    pub adopted: String,
}

/// The shipped list, parsed.
#[derive(Debug, Default)]
pub struct Adequacy {
    regime_of_country: HashMap<String, String>,
    decisions: HashMap<(String, String), Decision>,
    sources: HashMap<String, String>,
}

impl Adequacy {
    /// The regime an exporter in `country` is under (`eu`, `uk`), if ropa knows it.
    pub fn regime_of(&self, country: &str) -> Option<&str> {
        self.regime_of_country
            .get(&country.to_ascii_uppercase())
            .map(String::as_str)
    }

    /// The regime's adequacy decision for an importing country, if there is one.
    pub fn decision(&self, regime: &str, country: &str) -> Option<&Decision> {
        self.decisions
            .get(&(regime.to_owned(), country.to_ascii_uppercase()))
    }

    /// Where the regime's list is published.
    pub fn source(&self, regime: &str) -> Option<&str> {
        self.sources.get(regime).map(String::as_str)
    }

    /// How a regime is named in messages.
    pub fn regime_name(regime: &str) -> &'static str {
        match regime {
            "eu" => "the EU/EEA (GDPR)",
            "uk" => "the UK (UK GDPR)",
            _ => "this regime",
        }
    }
}

/// The shipped list, parsed once.
pub fn adequacy() -> &'static Adequacy {
    static PARSED: OnceLock<Adequacy> = OnceLock::new();
    PARSED.get_or_init(|| parse(DATA))
}

fn parse(text: &str) -> Adequacy {
    let mut adequacy = Adequacy::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["source", regime, url] => {
                adequacy
                    .sources
                    .insert((*regime).to_owned(), (*url).to_owned());
            }
            ["member", regime, country] => {
                adequacy
                    .regime_of_country
                    .insert((*country).to_owned(), (*regime).to_owned());
            }
            ["adequate", regime, country, scope, adopted] => {
                let scope = match *scope {
                    "commercial" => Scope::Commercial,
                    "dpf-certified" => Scope::DpfCertified,
                    _ => Scope::All,
                };
                adequacy.decisions.insert(
                    ((*regime).to_owned(), (*country).to_owned()),
                    Decision {
                        scope,
                        adopted: (*adopted).to_owned(),
                    },
                );
            }
            _ => {}
        }
    }
    adequacy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_shipped_list_is_well_formed() {
        let mut regimes = Vec::new();
        for (number, line) in DATA.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let at = format!("adequacy.tsv:{}: {line:?}", number + 1);
            let cols: Vec<&str> = line.split('\t').collect();
            let country_ok = |c: &str| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase());
            match cols.as_slice() {
                ["source", regime, url] => {
                    assert!(url.starts_with("https://"), "{at}");
                    regimes.push((*regime).to_owned());
                }
                ["member", regime, country] => {
                    assert!(
                        regimes.iter().any(|r| r == regime),
                        "unknown regime at {at}"
                    );
                    assert!(country_ok(country), "country at {at}");
                }
                ["adequate", regime, country, scope, adopted] => {
                    assert!(
                        regimes.iter().any(|r| r == regime),
                        "unknown regime at {at}"
                    );
                    assert!(country_ok(country), "country at {at}");
                    assert!(
                        matches!(*scope, "all" | "commercial" | "dpf-certified"),
                        "scope at {at}"
                    );
                    let date: Vec<&str> = adopted.split('-').collect();
                    assert!(
                        date.len() == 3 && date.iter().all(|p| p.parse::<u32>().is_ok()),
                        "date at {at}"
                    );
                }
                _ => panic!("malformed row at {at}"),
            }
        }
    }

    #[test]
    fn decisions_follow_the_exporters_regime() {
        let a = adequacy();
        assert_eq!(a.regime_of("IE"), Some("eu"));
        assert_eq!(a.regime_of("no"), Some("eu"));
        assert_eq!(a.regime_of("GB"), Some("uk"));
        assert_eq!(a.regime_of("US"), None);
        assert_eq!(a.decision("eu", "JP").map(|d| d.scope), Some(Scope::All));
        assert!(a.decision("eu", "IN").is_none());
        assert!(a.decision("eu", "BR").is_none());
        assert_eq!(
            a.decision("eu", "US").map(|d| d.scope),
            Some(Scope::DpfCertified)
        );
        // The UK found Korea adequate on its own, and Gibraltar, which the EU did not.
        assert!(a.decision("uk", "KR").is_some());
        assert!(a.decision("uk", "GI").is_some());
        assert!(a.decision("eu", "GI").is_none());
        assert!(a.source("eu").is_some_and(|s| s.contains("europa.eu")));
    }
}

//! Retention periods as inventories write them (`60d`, `12mo`, `7y`, `none`, `session`,
//! `until-account-deleted`, `indefinite`) and how they compare against a rule's maximum.

use std::fmt;

/// How long data is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retention {
    /// Not kept at all.
    None,
    /// Kept for the browser or login session (counted as one day).
    Session,
    /// Kept for a fixed period, in hours, with the text it was written as.
    Period { hours: u64, text: String },
    /// Kept until an event (`until-uninstall`), with no fixed bound.
    UntilEvent(String),
    /// Kept with no end.
    Indefinite,
}

const HOURS_PER_DAY: u64 = 24;

impl Retention {
    /// Parses a retention. The error is a message saying what is accepted.
    pub fn parse(text: &str) -> Result<Retention, String> {
        let trimmed = text.trim();
        match trimmed {
            "none" => return Ok(Retention::None),
            "session" => return Ok(Retention::Session),
            "indefinite" | "forever" => return Ok(Retention::Indefinite),
            _ => {}
        }
        if let Some(event) = trimmed.strip_prefix("until-").filter(|e| !e.is_empty()) {
            return Ok(Retention::UntilEvent(event.to_owned()));
        }
        let digits_end = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(digits_end);
        let count: u64 = number.parse().map_err(|_| Self::expected(text))?;
        let hours_per_unit = match unit {
            "h" => 1,
            "d" => HOURS_PER_DAY,
            "w" => 7 * HOURS_PER_DAY,
            "mo" => 30 * HOURS_PER_DAY,
            "y" => 365 * HOURS_PER_DAY,
            _ => return Err(Self::expected(text)),
        };
        let hours = count
            .checked_mul(hours_per_unit)
            .ok_or_else(|| format!("retention `{text}` is too long to represent"))?;
        Ok(Retention::Period {
            hours,
            text: trimmed.to_owned(),
        })
    }

    fn expected(text: &str) -> String {
        format!(
            "`{text}` is not a retention: write a period such as `24h`, `60d`, `2w`, `12mo` or `7y`, or `none`, `session`, `until-<event>` or `indefinite`"
        )
    }

    /// The bound in hours; `None` when the retention has no fixed end.
    pub fn bound_hours(&self) -> Option<u64> {
        match self {
            Retention::None => Some(0),
            Retention::Session => Some(HOURS_PER_DAY),
            Retention::Period { hours, .. } => Some(*hours),
            Retention::UntilEvent(_) | Retention::Indefinite => None,
        }
    }

    /// Whether keeping data this long breaks a maximum of `max`.
    pub fn exceeds(&self, max: &Retention) -> bool {
        match (self.bound_hours(), max.bound_hours()) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(kept), Some(limit)) => kept > limit,
        }
    }

    /// Whether this is a fixed period (`1d`), as a backup's frequency must be.
    pub fn is_period(&self) -> bool {
        matches!(self, Retention::Period { .. })
    }

    /// Whether the data is kept with no end at all (no period, no deletion event), which
    /// a policy like "kept only as long as needed" accepts only with a stated reason.
    pub fn needs_reason(&self) -> bool {
        matches!(self, Retention::Indefinite)
    }
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Retention::None => f.write_str("none"),
            Retention::Session => f.write_str("session"),
            Retention::Period { text, .. } => f.write_str(text),
            Retention::UntilEvent(event) => write!(f, "until-{event}"),
            Retention::Indefinite => f.write_str("indefinite"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(
            Retention::parse("60d").unwrap().bound_hours(),
            Some(60 * 24)
        );
        assert_eq!(
            Retention::parse("12mo").unwrap().bound_hours(),
            Some(360 * 24)
        );
        assert_eq!(
            Retention::parse("7y").unwrap().bound_hours(),
            Some(7 * 365 * 24)
        );
        assert_eq!(Retention::parse("none").unwrap(), Retention::None);
        assert_eq!(
            Retention::parse("until-uninstall").unwrap(),
            Retention::UntilEvent("uninstall".into())
        );
    }

    #[test]
    fn rejects_nonsense() {
        assert!(Retention::parse("60 days").is_err());
        assert!(Retention::parse("d").is_err());
        assert!(Retention::parse("until-").is_err());
        assert!(Retention::parse("99999999999999999999y").is_err());
    }

    #[test]
    fn compares_against_maximum() {
        let max = Retention::parse("60d").unwrap();
        assert!(Retention::parse("90d").unwrap().exceeds(&max));
        assert!(!Retention::parse("8w").unwrap().exceeds(&max));
        assert!(Retention::Indefinite.exceeds(&max));
        assert!(Retention::parse("1d").unwrap().exceeds(&Retention::None));
        assert!(!Retention::None.exceeds(&Retention::None));
    }
}

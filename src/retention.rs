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
    /// Kept until an event (`until-uninstall`), and with `+<period>` at most that long
    /// after it (`until-account-closed+30d`: deleted within 30 days of the closure).
    UntilEvent {
        event: String,
        /// The period after the event, in hours, and as written.
        within: Option<(u64, String)>,
    },
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
        if let Some(rest) = trimmed.strip_prefix("until-").filter(|e| !e.is_empty()) {
            let (event, within) = match rest.split_once('+') {
                Some((event, period)) => match Retention::parse(period) {
                    Ok(Retention::Period { hours, text }) if !event.is_empty() => {
                        (event, Some((hours, text)))
                    }
                    _ => {
                        return Err(format!(
                            "`{text}` is not a retention: after `until-<event>+`, write a period such as `30d` (`until-account-closed+30d`)"
                        ));
                    }
                },
                None => (rest, None),
            };
            return Ok(Retention::UntilEvent {
                event: event.to_owned(),
                within,
            });
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
            "`{text}` is not a retention: write a period such as `24h`, `60d`, `2w`, `12mo` or `7y`, or `none`, `session`, `until-<event>`, `until-<event>+<period>` or `indefinite`"
        )
    }

    /// The bound in hours; `None` when the retention has no fixed end.
    pub fn bound_hours(&self) -> Option<u64> {
        match self {
            Retention::None => Some(0),
            Retention::Session => Some(HOURS_PER_DAY),
            Retention::Period { hours, .. } => Some(*hours),
            Retention::UntilEvent { .. } | Retention::Indefinite => None,
        }
    }

    /// Whether keeping data this long breaks a maximum of `max`. A maximum tied to an
    /// event (`until-account-closed+30d`) is kept by a fixed period no longer than its
    /// bound (the event cannot come before the data does), and by the same event with no
    /// longer a bound; a different event cannot be shown to keep it.
    pub fn exceeds(&self, max: &Retention) -> bool {
        if let Retention::UntilEvent {
            event: limit_event,
            within,
        } = max
        {
            let Some((limit, _)) = within else {
                return match self {
                    Retention::UntilEvent { event, .. } => event != limit_event,
                    other => other.bound_hours().is_none(),
                };
            };
            return match self {
                Retention::UntilEvent { event, within } => {
                    event != limit_event || within.as_ref().map_or(0, |(h, _)| *h) > *limit
                }
                other => other.bound_hours().is_none_or(|kept| kept > *limit),
            };
        }
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
            Retention::UntilEvent {
                event,
                within: None,
            } => write!(f, "until-{event}"),
            Retention::UntilEvent {
                event,
                within: Some((_, period)),
            } => write!(f, "until-{event}+{period}"),
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
            Retention::UntilEvent {
                event: "uninstall".into(),
                within: None
            }
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

    #[test]
    fn an_event_with_a_bound_compares_with_a_maximum() {
        let r = |t: &str| Retention::parse(t).expect(t);
        let closed30 = r("until-account-closed+30d");
        assert_eq!(closed30.to_string(), "until-account-closed+30d");
        assert!(!r("until-account-closed+14d").exceeds(&closed30));
        assert!(!r("until-account-closed").exceeds(&closed30));
        assert!(r("until-account-closed+90d").exceeds(&closed30));
        assert!(r("until-no-longer-needed+14d").exceeds(&closed30));
        assert!(!r("30d").exceeds(&closed30));
        assert!(r("60d").exceeds(&closed30));
        assert!(r("indefinite").exceeds(&closed30));
        // A fixed maximum is not kept by an event, bounded or not.
        assert!(closed30.exceeds(&r("60d")));
        assert!(Retention::parse("until-closed+forever").is_err());
        assert!(Retention::parse("until-+30d").is_err());
    }
}

//! Small text helpers shared by the loader and the report layer: neutralising control
//! characters from untrusted input and finding the closest spelling of a misspelt word.

/// Replaces control characters (including ANSI escape introducers) with visible escapes,
/// so strings from an inventory can never drive the terminal.
pub fn sanitize(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The candidate closest to `word`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(word, candidate);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(sanitize("plain"), "plain");
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        assert_eq!(closest("regoin", ["id", "region", "holds"]), Some("region"));
        assert_eq!(closest("zzz", ["id", "region", "holds"]), None);
    }
}

//! Fitting text into terminal cells: the display width of text (as ratatui measures it,
//! so a wide character counts twice), cutting text to a width with `…` instead of
//! mid-word, and sharing a table's width among its columns by what their content needs.

use ratatui::text::{Line, Span};
use std::borrow::Cow;

/// The ellipsis that ends text cut to fit.
pub const ELLIPSIS: char = '…';

/// How many terminal cells `text` takes.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

fn char_width(c: char) -> usize {
    let mut utf8 = [0; 4];
    width(c.encode_utf8(&mut utf8))
}

/// `text` cut to at most `max` cells, ending in `…` when cut; unchanged when it fits.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let room = max - 1;
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        let cells = char_width(c);
        if used + cells > room {
            break;
        }
        used += cells;
        end = at + c.len_utf8();
    }
    Cow::Owned(format!("{}{ELLIPSIS}", &text[..end]))
}

/// `text` cut to at most `max` cells from its start, beginning with `…` when cut.
pub fn truncate_start(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let room = max - 1;
    let mut used = 0;
    let mut start = text.len();
    for (at, c) in text.char_indices().rev() {
        let cells = char_width(c);
        if used + cells > room {
            break;
        }
        used += cells;
        start = at;
    }
    Cow::Owned(format!("{ELLIPSIS}{}", &text[start..]))
}

/// The widest of `texts`, in cells, as a column width (saturating).
pub fn widest<'t>(texts: impl IntoIterator<Item = &'t str>) -> u16 {
    let widest = texts.into_iter().map(width).max().unwrap_or(0);
    u16::try_from(widest).unwrap_or(u16::MAX)
}

/// About how many rows `lines` take when word-wrapped to `width` cells, as a
/// paragraph wraps them (greedily, at spaces; a word wider than a row is broken).
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|line| {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            wrapped_rows(&text, width)
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

fn wrapped_rows(text: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut column = 0;
    for word in text.split(' ') {
        let cells = self::width(word);
        if column > 0 && column + 1 + cells <= width {
            column += 1 + cells;
            continue;
        }
        if column > 0 {
            rows += 1;
        }
        // A word wider than the row takes whole rows of its own.
        rows += cells.saturating_sub(1) / width;
        column = match cells % width {
            0 if cells > 0 => width,
            rest => rest,
        };
    }
    rows
}

/// How wide one table column may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnWidth {
    /// Cells it keeps whenever the table is at least as wide as every minimum together.
    pub min: u16,
    /// Cells its widest content (or header) takes: it gets no more, unless it grows.
    pub ideal: u16,
    /// Whether it takes the width left over once every column has all it needs.
    pub grow: bool,
    /// Whether it gets twice the share of the others while the width is short.
    pub favoured: bool,
}

impl ColumnWidth {
    pub fn new(min: u16, ideal: u16) -> Self {
        ColumnWidth {
            min,
            ideal: ideal.max(min),
            grow: false,
            favoured: false,
        }
    }

    /// The same column, taking the width left over.
    pub fn growing(self) -> Self {
        ColumnWidth { grow: true, ..self }
    }

    /// The same column, with twice the share of the others while width is short.
    pub fn favoured(self) -> Self {
        ColumnWidth {
            favoured: true,
            ..self
        }
    }

    /// Its width when every column is offered `level` cells (a favoured one twice that).
    fn at_level(self, level: u32) -> u32 {
        let offered = if self.favoured { level * 2 } else { level };
        offered.clamp(u32::from(self.min), u32::from(self.ideal))
    }
}

/// Shares `available` cells among `columns`. Each column gets its minimum; the spare
/// goes to the columns whose content needs more, as a rising water level: every column
/// gets `min(ideal, level)` (a favoured column `min(ideal, 2 × level)`) for the highest
/// level that fits, so short columns show their whole content and long ones share the
/// rest. Width left once every column has its ideal goes to the growing columns. When
/// even the minimums do not fit, the widest columns give up cells first.
pub fn allocate(available: u16, columns: &[ColumnWidth]) -> Vec<u16> {
    let available = u32::from(available);
    let minimums: u32 = columns.iter().map(|c| u32::from(c.min)).sum();
    if minimums >= available {
        return shrink_to(available, columns.iter().map(|c| c.min).collect());
    }
    let total_at = |level: u32| -> u32 { columns.iter().map(|c| c.at_level(level)).sum() };
    let top = columns
        .iter()
        .map(|c| u32::from(c.ideal))
        .max()
        .unwrap_or(0);
    // The highest level whose total fits: total_at rises with the level.
    let (mut low, mut high) = (0, top);
    while low < high {
        let middle = (low + high).div_ceil(2);
        if total_at(middle) <= available {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    let mut widths: Vec<u32> = columns.iter().map(|c| c.at_level(low)).collect();
    let mut spare = available - widths.iter().sum::<u32>();
    // Cells short of the next level: one more each for the first columns still short.
    for (width, column) in widths.iter_mut().zip(columns) {
        if spare == 0 {
            break;
        }
        if *width < u32::from(column.ideal) {
            *width += 1;
            spare -= 1;
        }
    }
    let growing = columns.iter().filter(|c| c.grow).count() as u32;
    if growing > 0 && spare > 0 {
        let share = spare / growing;
        let mut extra = spare % growing;
        for (width, _) in widths.iter_mut().zip(columns).filter(|(_, c)| c.grow) {
            *width += share + u32::from(extra > 0);
            extra = extra.saturating_sub(1);
        }
    }
    widths
        .into_iter()
        .map(|w| u16::try_from(w).unwrap_or(u16::MAX))
        .collect()
}

/// `widths` made to fit `available` by taking one cell at a time from the widest.
fn shrink_to(available: u32, mut widths: Vec<u16>) -> Vec<u16> {
    let mut total: u32 = widths.iter().map(|w| u32::from(*w)).sum();
    while total > available {
        let Some(widest) = widths.iter_mut().max_by_key(|w| **w) else {
            break;
        };
        if *widest == 0 {
            break;
        }
        *widest -= 1;
        total -= 1;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_kept_and_longer_text_ends_in_an_ellipsis() {
        assert_eq!(truncate("actipro-web", 11), "actipro-web");
        assert_eq!(truncate("actipro-web", 10), "actipro-w…");
        assert_eq!(truncate("actipro-web", 1), "…");
        assert_eq!(truncate("actipro-web", 0), "");
        assert_eq!(width(&truncate("user.contact.email, user.name", 12)), 12);
        assert!(matches!(truncate("short", 40), Cow::Borrowed(_)));
        assert_eq!(truncate_start("inventory/a.yaml:12:5", 12), "…a.yaml:12:5");
        assert_eq!(truncate_start("a.yaml:1:1", 10), "a.yaml:1:1");
        assert_eq!(truncate_start("東京都", 5), "…京都");
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(width("東京"), 4);
        assert_eq!(truncate("東京都", 5), "東京…");
        // A wide character that would straddle the limit is left out whole.
        assert_eq!(truncate("東京都", 4), "東…");
        assert_eq!(truncate("café au lait", 5), "café…");
    }

    #[test]
    fn wrapped_height_counts_the_rows_of_word_wrapped_lines() {
        let lines = [
            Line::raw("purpose: analytics.reporting · basis: legitimate_interests"),
            Line::raw("short"),
            Line::raw(""),
        ];
        // "purpose: analytics.reporting ·" (30) | "basis: legitimate_interests" (27)
        assert_eq!(wrapped_height(&lines, 30), 4);
        assert_eq!(wrapped_height(&lines, 80), 3);
        assert_eq!(wrapped_height(&[Line::raw("x".repeat(25))], 10), 3);
    }

    #[test]
    fn short_columns_get_their_content_and_long_ones_share_the_rest() {
        let columns = [
            ColumnWidth::new(4, 6),
            ColumnWidth::new(4, 40),
            ColumnWidth::new(4, 30),
        ];
        let widths = allocate(40, &columns);
        assert_eq!(widths, vec![6, 17, 17]);
        assert_eq!(widths.iter().sum::<u16>(), 40);
    }

    #[test]
    fn width_left_over_goes_to_the_growing_column() {
        let columns = [ColumnWidth::new(2, 5), ColumnWidth::new(2, 8).growing()];
        assert_eq!(allocate(30, &columns), vec![5, 25]);
        // While width is short, a favoured column gets twice the share of the others.
        let columns = [ColumnWidth::new(1, 40), ColumnWidth::new(1, 40).favoured()];
        assert_eq!(allocate(30, &columns), vec![10, 20]);
        // Without a growing column the table stays as wide as its content.
        let columns = [ColumnWidth::new(2, 5), ColumnWidth::new(2, 8)];
        assert_eq!(allocate(30, &columns), vec![5, 8]);
    }

    #[test]
    fn an_odd_cell_goes_to_the_first_column_still_short() {
        let columns = [ColumnWidth::new(1, 20), ColumnWidth::new(1, 20)];
        assert_eq!(allocate(11, &columns), vec![6, 5]);
    }

    #[test]
    fn minimums_are_kept_before_anything_else() {
        let columns = [ColumnWidth::new(10, 10), ColumnWidth::new(3, 50)];
        assert_eq!(allocate(14, &columns), vec![10, 4]);
        // Too narrow for the minimums: the widest give way first.
        assert_eq!(allocate(9, &columns), vec![6, 3]);
        assert_eq!(allocate(0, &columns), vec![0, 0]);
    }
}

//! Styles of the terminal UI. With `NO_COLOR` set every style falls back to bold,
//! reversed and underlined text, so nothing depends on colour to be read.

use crate::finding::Severity;
use ratatui::style::{Color, Modifier, Style};

/// The styles the views draw with.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

/// Region colours, chosen by region index.
const REGION_COLORS: [Color; 6] = [
    Color::Cyan,
    Color::Magenta,
    Color::Yellow,
    Color::Green,
    Color::Blue,
    Color::LightRed,
];

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Severity::Warning => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Severity::Info => self.fg(Color::Cyan),
        }
    }

    /// The selected row of a list.
    pub fn selected(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: labels, hints.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Keys in the status bar and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The part of a source line a finding points at.
    pub fn span(&self) -> Style {
        self.fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// A warning marker (border crossing, unencrypted flow).
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// The focused pane's border.
    pub fn focus_border(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// A node of a region in the graph view.
    pub fn region(&self, region: Option<usize>) -> Style {
        match region {
            Some(index) => self.fg(REGION_COLORS[index % REGION_COLORS.len()]),
            None => Style::new(),
        }
    }

    /// A node or edge that the chosen category reaches: a calm colour, since reaching a
    /// node is where data goes, not an error.
    pub fn reached(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::LightCyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_every_style_is_colourless() {
        let plain = Theme { color: false };
        for style in [
            plain.selected(),
            plain.severity(Severity::Error),
            plain.region(Some(2)),
            plain.reached(),
            plain.span(),
        ] {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        assert!(plain.selected().add_modifier.contains(Modifier::REVERSED));
        let coloured = Theme { color: true };
        assert_ne!(coloured.region(Some(0)).fg, coloured.region(Some(1)).fg);
        // Reach is not a finding: it must not share the colour of errors.
        let error = coloured.severity(Severity::Error).fg;
        assert!(!matches!(
            coloured.reached().fg,
            Some(Color::Red | Color::LightRed)
        ));
        assert_ne!(coloured.reached().fg, error);
    }
}

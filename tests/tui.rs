//! The terminal UI driven in memory: every view drawn on ratatui's `TestBackend` at
//! 80×24 and 120×40 for the seed inventories, a broken fixture and an inventory that
//! does not load (insta snapshots, colour off), and key and mouse sequences driving the
//! app state with asserted outcomes.

mod common;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ropa::tui::app::{App, Command, ViewId};
use ropa::tui::data::Data;
use ropa::tui::theme::Theme;
use std::path::PathBuf;

const SEEDS: &str = "inventory";
const BROKEN: &str = "fixtures/code/phone-undeclared/inventory.yaml";
const CLAIM_BROKEN: &str = "fixtures/broken/a13-card-retained.yaml";
const NOT_LOADING: &str = "fixtures/bad/unknown-reference.yaml";

fn data(path: &str) -> Data {
    let paths = vec![PathBuf::from(path)];
    let outcome = ropa::audit::run(&paths, true, &ropa::code::NoProgress);
    Data::new(paths, outcome)
}

fn app(path: &str) -> App {
    App::new(data(path), Theme { color: false })
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| app.draw(frame)).expect("draws");
    terminal.backend().to_string()
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(app: &mut App, keys: &str) -> Command {
    let mut last = Command::None;
    for c in keys.chars() {
        last = app.handle_key(key(KeyCode::Char(c)));
    }
    last
}

fn snapshot_views(name: &str, path: &str) {
    let mut app = app(path);
    for (size, (w, h)) in [("80x24", (80, 24)), ("120x40", (120, 40))] {
        for view in ViewId::ALL {
            app.show(view);
            let shown = screen(&mut app, w, h);
            insta::assert_snapshot!(
                format!("{name}-{}-{size}", view.name().to_lowercase()),
                shown
            );
        }
    }
}

#[test]
fn seed_inventories_in_every_view() {
    snapshot_views("seeds", SEEDS);
}

#[test]
fn broken_fixture_in_every_view() {
    snapshot_views("phone-undeclared", BROKEN);
}

#[test]
fn finding_detail_shows_claim_path_excerpt_and_fix() {
    let mut app = app(CLAIM_BROKEN);
    app.show(ViewId::Findings);
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("Claim A13:"), "{shown}");
    assert!(shown.contains("Fix:"), "{shown}");
    assert!(
        shown.contains("--> fixtures/broken/a13-card-retained.yaml:"),
        "{shown}"
    );
    insta::assert_snapshot!("a13-findings-120x40", shown);
}

#[test]
fn waived_findings_are_shown_as_waived_and_not_counted() {
    let mut app = app("fixtures/pass/waivers.yaml");
    app.show(ViewId::Overview);
    let overview = screen(&mut app, 120, 40);
    assert!(overview.contains("0 errors"), "{overview}");
    assert!(
        overview.contains("2 waived or in the baseline"),
        "{overview}"
    );
    app.show(ViewId::Findings);
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("waived"), "{shown}");
    assert!(
        shown.contains("Waived: Kept until the deletion of its last backup is confirmed."),
        "{shown}"
    );
    insta::assert_snapshot!("waivers-findings-120x40", shown);
}

#[test]
fn inventory_that_does_not_load_opens_the_error_view() {
    let mut app = app(NOT_LOADING);
    for (w, h) in [(80, 24), (120, 40)] {
        let shown = screen(&mut app, w, h);
        assert!(
            shown.contains("ropa could not load the inventory"),
            "{shown}"
        );
        assert!(shown.contains("unknown-reference"), "{shown}");
        insta::assert_snapshot!(format!("not-loading-{w}x{h}"), shown);
    }
    // Keys still work there: the problem can be opened in the editor.
    match app.handle_key(key(KeyCode::Char('e'))) {
        Command::Edit(location) => {
            assert_eq!(location.path, PathBuf::from(NOT_LOADING));
            assert!(location.line > 1);
        }
        other => panic!("expected an edit, got {other:?}"),
    }
}

#[test]
fn fixing_the_inventory_brings_the_views_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("inventory.yaml");
    let good = std::fs::read_to_string("fixtures/pass/location.yaml").expect("fixture");
    std::fs::write(&file, good.replace("region: us", "region: uss")).expect("write");
    let path = file.to_string_lossy().into_owned();
    let mut app = app(&path);
    assert!(screen(&mut app, 80, 24).contains("ropa could not load"));
    std::fs::write(&file, &good).expect("write");
    app.set_data(data(&path));
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Promises"), "{shown}");
}

#[test]
fn tab_shift_tab_and_numbers_switch_views() {
    let mut app = app(SEEDS);
    assert_eq!(app.active(), ViewId::Overview);
    app.handle_key(key(KeyCode::Tab));
    assert_eq!(app.active(), ViewId::Inventory);
    app.handle_key(key(KeyCode::BackTab));
    app.handle_key(key(KeyCode::BackTab));
    assert_eq!(app.active(), ViewId::Code);
    press(&mut app, "3");
    assert_eq!(app.active(), ViewId::Flows);
    press(&mut app, "6");
    assert_eq!(app.active(), ViewId::Code);
}

#[test]
fn fuzzy_filter_narrows_the_list_and_esc_clears_it() {
    let mut app = app(SEEDS);
    press(&mut app, "2/albill");
    assert_eq!(app.filter(), "albill");
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Inventory (1 of 36)"), "{shown}");
    app.handle_key(key(KeyCode::Enter));
    let location = app.selected_location().expect("a selection");
    let text = std::fs::read_to_string(&location.path).expect("file");
    let line = text.lines().nth(location.line as usize - 1).unwrap_or("");
    assert!(line.contains("alpha-billing-db"), "{line}");
    assert_eq!(app.filter(), "albill", "Enter keeps the filter");
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.filter(), "");
    assert!(screen(&mut app, 80, 24).contains("Inventory (36)"));
}

#[test]
fn enter_on_a_broken_promise_drills_into_its_findings_and_esc_goes_back() {
    let mut app = app(CLAIM_BROKEN);
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("broken (1)"), "{shown}");
    // Find the broken promise by filtering for its claim.
    press(&mut app, "/A13");
    app.handle_key(key(KeyCode::Enter));
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.active(), ViewId::Findings);
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("Findings of rule"), "{shown}");
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(
        app.active(),
        ViewId::Overview,
        "Esc returns to the promises"
    );
    app.handle_key(key(KeyCode::Esc));
    press(&mut app, "5");
    let shown = screen(&mut app, 120, 40);
    assert!(!shown.contains("Findings of rule"), "{shown}");
}

#[test]
fn esc_after_drilling_into_a_promise_returns_to_it() {
    let dir = promises_inventory();
    let mut app = app(&dir.path().join("inventory.yaml").to_string_lossy());
    // The second promise: kept, so Enter shows what it covered.
    press(&mut app, "j");
    let before = app.selected_location();
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.active(), ViewId::Findings);
    let drilled = screen(&mut app, 80, 24);
    assert!(drilled.contains("Esc back to Overview"), "{drilled}");
    insta::assert_snapshot!("promise-drilled-80x24", drilled);
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.active(), ViewId::Overview);
    assert_eq!(app.selected_location(), before, "the same promise selected");
    let back = screen(&mut app, 80, 24);
    insta::assert_snapshot!("promise-back-80x24", back);
    // The broken promise, into its finding's detail and out: Esc first leaves the
    // detail, then the view.
    press(&mut app, "k");
    app.handle_key(key(KeyCode::Enter));
    app.handle_key(key(KeyCode::Enter));
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.active(), ViewId::Findings);
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.active(), ViewId::Overview);
    // The findings view is as it was before the jumps: every finding.
    press(&mut app, "5");
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Findings (1)"), "{shown}");
}

#[test]
fn esc_walks_back_along_every_jump() {
    let mut app = app(SEEDS);
    press(&mut app, "2/actipro-web");
    app.handle_key(key(KeyCode::Enter));
    let inventory_selection = app.selected_location();
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.active(), ViewId::Graph);
    assert_eq!(app.graph_center(), Some("actipro-web"));
    // A step along the graph is undone before the jump is.
    app.handle_key(key(KeyCode::Enter));
    let walked_to = app.graph_center().map(str::to_owned);
    assert_ne!(walked_to.as_deref(), Some("actipro-web"));
    press(&mut app, "f");
    assert_eq!(app.active(), ViewId::Findings);
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.active(), ViewId::Graph);
    assert_eq!(app.graph_center(), walked_to.as_deref());
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.graph_center(), Some("actipro-web"));
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.active(), ViewId::Inventory);
    assert_eq!(app.selected_location(), inventory_selection);
    // Switching views by hand starts a new trail: Esc has nowhere to go back to.
    press(&mut app, "4");
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.active(), ViewId::Graph);
}

#[test]
fn graph_follows_edges_and_walks_back() {
    let mut app = app(SEEDS);
    press(&mut app, "3");
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.active(), ViewId::Graph);
    assert_eq!(app.graph_center(), Some("actipro-visitor"));
    app.handle_key(key(KeyCode::Enter));
    let next = app.graph_center().map(str::to_owned);
    assert_eq!(
        next.as_deref(),
        Some("actipro-web"),
        "first downstream node, by id"
    );
    app.handle_key(key(KeyCode::Left));
    app.handle_key(key(KeyCode::Enter));
    assert_ne!(app.graph_center(), next.as_deref());
    app.handle_key(key(KeyCode::Esc));
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.graph_center(), Some("actipro-visitor"));
}

#[test]
fn category_mode_highlights_where_a_category_goes() {
    let mut app = app(SEEDS);
    press(&mut app, "4c");
    press(&mut app, "'user.contact.email");
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.graph_category(), Some("user.contact.email"));
    press(&mut app, "/actipro-user-acc");
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.graph_center(), Some("actipro-user-accounts"));
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("user.contact.email reaches"), "{shown}");
    assert!(
        shown.contains("path to actipro-user-accounts: actipro-customer —"),
        "{shown}"
    );
    insta::assert_snapshot!("seeds-graph-category-120x40", shown);
    press(&mut app, "C");
    assert_eq!(app.graph_category(), None);
}

/// The rows of `shown` between the first row holding `top` and the next bottom border.
fn graph_pane_rows<'s>(shown: &'s str, top: &str) -> Vec<&'s str> {
    shown
        .lines()
        .skip_while(|l| !l.contains(top))
        .skip(1)
        .take_while(|l| !l.starts_with("\"└"))
        .collect()
}

#[test]
fn graph_labels_that_do_not_fit_end_in_an_ellipsis_and_the_selected_edge_shows_in_full() {
    let mut app = app(SEEDS);
    press(&mut app, "4");
    app.handle_key(key(KeyCode::Down));
    let shown = screen(&mut app, 80, 24);
    // In its box the list of categories is cut with `…` ...
    assert!(shown.contains("│system.operations, u…│"), "{shown}");
    // ... and the selected edge shows all of it, with the flow behind it.
    assert!(
        shown.contains("actipro-visitor → application-insights  via page-telemetry"),
        "{shown}"
    );
    assert!(
        shown.contains("carries (2): system.operations, user.telemetry"),
        "{shown}"
    );
    insta::assert_snapshot!("graph-edge-labels-80x24", shown);
}

#[test]
fn the_position_counter_never_lands_on_a_border() {
    let mut app = app(SEEDS);
    press(&mut app, "4/actipro-web");
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.graph_center(), Some("actipro-web"));
    for _ in 0..3 {
        app.handle_key(key(KeyCode::Down));
    }
    let shown = screen(&mut app, 80, 24);
    let rows = graph_pane_rows(&shown, "Graph around");
    let counter = rows
        .iter()
        .find(|l| l.contains("4 of "))
        .unwrap_or_else(|| panic!("no counter:\n{shown}"));
    // Its row holds the label alone on that side: no corner or edge of a box is
    // overwritten.
    let right_column: String = counter.chars().skip(56).collect();
    assert_eq!(
        right_column.trim_end_matches(['"', '│']).trim(),
        "4 of 8",
        "{shown}"
    );
    // Every box drawn is whole: as many tops as bottoms on the right.
    let tops = rows
        .iter()
        .filter(|l| l.chars().nth(56) == Some('┌'))
        .count();
    let bottoms = rows
        .iter()
        .filter(|l| l.chars().nth(56) == Some('└'))
        .count();
    assert_eq!(tops, bottoms, "{shown}");
    insta::assert_snapshot!("graph-counter-80x24", shown);
}

#[test]
fn the_position_counter_is_never_drawn_over_a_box_at_any_size() {
    let mut app = app(SEEDS);
    press(&mut app, "4/actipro-web");
    app.handle_key(key(KeyCode::Enter));
    for (w, h) in [(60, 16), (61, 17), (80, 24), (100, 30), (120, 40)] {
        for _ in 0..2 {
            app.handle_key(key(KeyCode::Down));
            let shown = screen(&mut app, w, h);
            // The old counter overwrote a box's bottom border: `1/8──`.
            for line in shown.lines() {
                let cells: Vec<char> = line.chars().collect();
                assert!(
                    !cells
                        .windows(2)
                        .any(|pair| pair[0].is_ascii_digit() && pair[1] == '─'),
                    "{w}x{h}:\n{shown}"
                );
            }
        }
    }
}

#[test]
fn category_mode_counts_nodes_as_check_does_in_a_calm_colour() {
    let nodes = match ropa::audit::run(&[PathBuf::from(SEEDS)], true, &ropa::code::NoProgress) {
        Ok(audit) => audit.scope().nodes,
        Err(failure) => panic!("{:?}", failure.problems.first()),
    };
    let mut app = app(SEEDS);
    press(&mut app, "4c");
    press(&mut app, "'user.contact.email");
    app.handle_key(key(KeyCode::Enter));
    press(&mut app, "/actipro-user-acc");
    app.handle_key(key(KeyCode::Enter));
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.contains(&format!(" of {nodes} nodes")),
        "check counts {nodes} nodes:\n{shown}"
    );
    insta::assert_snapshot!("seeds-graph-category-80x24", shown);
    // In colour the reach is highlighted, and not in the colour of errors.
    let mut coloured = App::new(data(SEEDS), Theme { color: true });
    press(&mut coloured, "4c");
    press(&mut coloured, "'user.contact.email");
    coloured.handle_key(key(KeyCode::Enter));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    terminal.draw(|frame| coloured.draw(frame)).expect("draws");
    let buffer = terminal.backend().buffer();
    let (x, y) = (0..24)
        .flat_map(|y| (0..80).map(move |x| (x, y)))
        .find(|&(x, y)| {
            buffer[(x, y)].symbol() == "u"
                && (0..18).all(|i| {
                    x + i < 80
                        && buffer[(x + i, y)].symbol()
                            == &"user.contact.email"[usize::from(i)..usize::from(i) + 1]
                })
        })
        .expect("the category in the reach pane");
    let colour = buffer[(x, y)].fg;
    assert!(
        !matches!(
            colour,
            ratatui::style::Color::Red | ratatui::style::Color::LightRed
        ),
        "{colour:?}"
    );
    assert_ne!(colour, ratatui::style::Color::Reset, "highlighted");
}

#[test]
fn flows_show_anonymized_data_and_claims_and_keep_purpose_and_basis_at_80_columns() {
    let mut app = app(SEEDS);
    press(&mut app, "3j");
    let shown = screen(&mut app, 80, 24);
    let header = shown
        .lines()
        .find(|l| l.contains("From"))
        .unwrap_or_else(|| panic!("{shown}"));
    for column in ["From", "To", "Data", "Purpose", "Basis"] {
        assert!(header.contains(column), "{column}: {header}");
    }
    // Cells too wide end in `…` rather than being cut; the regions are in the detail.
    assert!(shown.contains("actipro-visit…"), "{shown}");
    assert!(shown.contains("(—→us)"), "{shown}");
    assert!(
        shown.contains("anonymized: user.telemetry  claims: A2"),
        "{shown}"
    );
    insta::assert_snapshot!("flow-anonymized-claims-80x24", shown);
    // `anonymized: true` says all.
    press(&mut app, "k");
    assert!(
        screen(&mut app, 80, 24).contains("anonymized: all  claims: A1"),
        "{}",
        screen(&mut app, 80, 24)
    );
}

#[test]
fn table_cells_too_wide_end_in_an_ellipsis_in_every_view() {
    let mut seeds = app(SEEDS);
    for view in [
        ViewId::Overview,
        ViewId::Inventory,
        ViewId::Flows,
        ViewId::Code,
    ] {
        seeds.show(view);
        let shown = screen(&mut seeds, 80, 24);
        assert!(shown.contains('…'), "{}: {shown}", view.name());
    }
    let mut broken = app(BROKEN);
    broken.show(ViewId::Findings);
    let shown = screen(&mut broken, 80, 24);
    assert!(shown.contains("phone_num…│"), "{shown}");
    insta::assert_snapshot!("findings-columns-80x24", shown);
}

#[test]
fn code_view_filters_to_undeclared_fields() {
    let mut app = app(BROKEN);
    press(&mut app, "6u");
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("undeclared only"), "{shown}");
    assert!(shown.contains("phone"), "{shown}");
    assert!(!shown.contains("│declared"), "{shown}");
    let location = app.selected_location().expect("the phone field");
    assert!(location.path.ends_with("src/models/user.rs"));
    assert_eq!(location.line, 8);
}

#[test]
fn help_overlay_lists_keys_and_any_key_closes_it() {
    let mut app = app(SEEDS);
    press(&mut app, "?");
    assert!(app.help_shown());
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Tab / Shift-Tab"), "{shown}");
    insta::assert_snapshot!("help-overlay-80x24", shown);
    press(&mut app, "x");
    assert!(!app.help_shown());
    // Views with more keys drop the blank lines and say how to close in the title, so
    // every key fits 80×24.
    for view in [ViewId::Findings, ViewId::Graph] {
        app.show(view);
        press(&mut app, "?");
        let shown = screen(&mut app, 80, 24);
        assert!(
            shown.contains("Any key closes this help.") || shown.contains("any key closes"),
            "{shown}"
        );
        assert!(shown.contains("q / Ctrl-C"), "{shown}");
        assert!(shown.contains("─┘"), "the box is closed: {shown}");
        if view == ViewId::Findings {
            insta::assert_snapshot!("help-overlay-findings-80x24", shown);
        }
        press(&mut app, "?");
    }
}

#[test]
fn quit_reload_and_edit_are_commands_for_the_event_loop() {
    let mut app = app(SEEDS);
    assert_eq!(press(&mut app, "q"), Command::Quit);
    assert_eq!(press(&mut app, "r"), Command::Reload);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(app.handle_key(ctrl_c), Command::Quit);
    press(&mut app, "5");
    // The seeds' one finding (waived) opens at its line.
    match press(&mut app, "e") {
        Command::Edit(location) => {
            assert!(location.path.ends_with("alpha-serve.yaml"), "{location:?}");
            assert_eq!(location.line, 207);
        }
        other => panic!("expected an edit, got {other:?}"),
    }
    // No finding to open in a clean inventory.
    let mut clean = self::app("fixtures/pass/notice.yaml");
    press(&mut clean, "5");
    assert_eq!(press(&mut clean, "e"), Command::None);
    assert!(clean.status().contains("nothing selected"));
    press(&mut app, "1");
    match press(&mut app, "e") {
        Command::Edit(location) => assert!(location.path.starts_with("inventory")),
        other => panic!("expected an edit, got {other:?}"),
    }
}

#[test]
fn reload_keeps_the_selection_where_it_still_exists() {
    let mut app = app(SEEDS);
    press(&mut app, "2jjj");
    let before = app.selected_location();
    app.set_data(data(SEEDS));
    assert_eq!(app.selected_location(), before);
}

#[test]
fn mouse_clicks_switch_tabs_and_select_rows_and_the_wheel_scrolls() {
    let mut app = app(SEEDS);
    screen(&mut app, 80, 24);
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // The tab bar reads " ropa  1 Overview  2 Inventory ...": column 20 is on "2 Inventory".
    app.handle_mouse(click(20, 0));
    assert_eq!(app.active(), ViewId::Inventory);
    screen(&mut app, 80, 24);
    let first = app.selected_location();
    app.handle_mouse(click(5, 4));
    screen(&mut app, 80, 24);
    let third = app.selected_location();
    assert_ne!(first, third);
    app.handle_mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 5,
        modifiers: KeyModifiers::NONE,
    });
    assert_ne!(app.selected_location(), third);
}

#[test]
fn escape_sequences_in_the_inventory_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("inventory.yaml");
    let good = std::fs::read_to_string("fixtures/pass/location.yaml").expect("fixture");
    let hostile = good.replace(
        "organization: { id: actipro }",
        "organization: { id: actipro, name: \"Evil\\e[2J\\e]0;pwned\\a\" }",
    );
    assert_ne!(hostile, good);
    std::fs::write(&file, hostile).expect("write");
    let mut app = app(&file.to_string_lossy());
    let shown = screen(&mut app, 80, 24);
    assert!(shown.contains("Evil"), "{shown}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown}"
    );
}

#[test]
fn a_terminal_too_small_says_so() {
    let mut app = app(SEEDS);
    let shown = screen(&mut app, 40, 10);
    assert!(
        shown.contains("ropa needs at") && shown.contains("60×16"),
        "{shown}"
    );
}

#[test]
fn ropa_tui_without_a_terminal_says_so_and_suggests_ropa_check() {
    let output = common::ropa().arg("tui").output().expect("ropa runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(stderr.contains("ropa check"), "{stderr}");
}

#[test]
fn bare_ropa_without_a_terminal_says_so_and_runs_the_check() {
    let output = common::ropa().output().expect("ropa runs");
    assert_eq!(output.status.code(), Some(0), "the seeds are clean");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no terminal attached"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("no findings: 3 files"), "{stdout}");
}

#[test]
fn every_view_draws_at_any_size_without_panicking() {
    for path in [SEEDS, BROKEN, CLAIM_BROKEN, NOT_LOADING] {
        let mut app = app(path);
        for (w, h) in [
            (1, 1),
            (20, 5),
            (60, 16),
            (61, 17),
            (80, 24),
            (100, 30),
            (240, 70),
        ] {
            for view in ViewId::ALL {
                app.show(view);
                screen(&mut app, w, h);
                press(&mut app, "?");
                screen(&mut app, w, h);
                press(&mut app, "?");
            }
            press(&mut app, "4c");
            screen(&mut app, w, h);
            app.handle_key(key(KeyCode::Enter));
            screen(&mut app, w, h);
        }
    }
}

/// An inventory with a code section in a temporary folder: `src/lib.rs` holds `rust`.
fn code_inventory(rust: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = std::fs::read_to_string("fixtures/code/phone-undeclared/inventory.yaml")
        .expect("fixture")
        .replace("\"models::user::User\"", "\"*::Account\"");
    std::fs::write(dir.path().join("inventory.yaml"), yaml).expect("write");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(dir.path().join("src/lib.rs"), rust).expect("write");
    dir
}

#[test]
fn fields_of_structs_no_mapping_covers_are_unmapped_and_not_declared() {
    let dir = code_inventory(
        "pub struct Account {\n    pub email: String,\n}\n\
         pub struct Lead {\n    pub email: String,\n    pub phone: String,\n}\n",
    );
    let path = dir.path().join("inventory.yaml");
    let mut app = app(&path.to_string_lossy());
    press(&mut app, "6");
    let shown = screen(&mut app, 120, 40);
    let row = |field: &str, item: &str| {
        shown
            .lines()
            .find(|l| l.contains(item) && l.contains(&format!(" {field} ")))
            .unwrap_or_else(|| panic!("no row for {item}.{field}:\n{shown}"))
            .to_owned()
    };
    assert!(row("email", "Account").contains("declared"), "{shown}");
    for field in ["email", "phone"] {
        let line = row(field, "Lead");
        assert!(line.contains("unmapped"), "Lead.{field}: {line}");
        assert!(!line.contains("declared"), "Lead.{field}: {line}");
    }
    // `u` shows what is not declared: the unmapped fields are not.
    press(&mut app, "u");
    let shown = screen(&mut app, 120, 40);
    let rows: Vec<&str> = shown.lines().filter(|l| l.contains(" unmapped ")).collect();
    assert_eq!(rows.len(), 2, "both Lead fields listed:\n{shown}");
    assert!(!shown.contains("Account"), "{shown}");
}

#[test]
fn the_fix_keeps_the_lines_and_indentation_of_its_yaml() {
    let mut app = app(BROKEN);
    app.show(ViewId::Findings);
    let shown = screen(&mut app, 120, 40);
    let data_line = shown
        .lines()
        .find(|l| l.contains("- data: [user.contact.phone_number]"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(!data_line.contains("Fix:"), "on its own line: {data_line}");
    let retention_line = shown
        .lines()
        .find(|l| l.contains("retention: <how long"))
        .unwrap_or_else(|| panic!("{shown}"));
    let indent = |line: &str| {
        let body = line.trim_start_matches(['"', '│']);
        body.len() - body.trim_start().len()
    };
    assert_eq!(
        indent(retention_line),
        indent(data_line) + 2,
        "`retention` is indented under `- data`:\n{shown}"
    );
}

/// The A13 fixture with a kept promise declared before the broken one, and one that
/// covers nothing.
fn promises_inventory() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = std::fs::read_to_string(CLAIM_BROKEN).expect("fixture");
    let yaml = yaml.replace(
        "rules:\n",
        "rules:\n  - id: cards-encrypted\n    claim: A01\n    description: Cards are encrypted.\n    encryption: { data: [user.financial.credit_card], at_rest: true, in_transit: true }\n  - id: biometrics-stay-home\n    claim: A02\n    description: Biometric data stays in the US.\n    location: { data: [user.biometric], allowed_regions: [us] }\n",
    );
    std::fs::write(dir.path().join("inventory.yaml"), yaml).expect("write");
    dir
}

#[test]
fn broken_promises_sort_first_and_the_filter_matches_status_words() {
    let dir = promises_inventory();
    let mut app = app(&dir.path().join("inventory.yaml").to_string_lossy());
    let shown = screen(&mut app, 120, 40);
    let rows: Vec<&str> = shown
        .lines()
        .filter(|l| l.contains("kept") || l.contains("broken ("))
        .filter(|l| !l.contains("promises:"))
        .collect();
    assert_eq!(rows.len(), 3, "{shown}");
    assert!(rows[0].contains("card-numbers-not-retained"), "{shown}");
    assert!(rows[0].contains("broken (1)"), "{shown}");
    press(&mut app, "/broken");
    assert!(
        screen(&mut app, 120, 40).contains("Promises (1 of 3)"),
        "{}",
        screen(&mut app, 120, 40)
    );
    app.handle_key(key(KeyCode::Esc));
    press(&mut app, "/kept");
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("Promises (2 of 3)"), "{shown}");
    assert!(!shown.contains("card-numbers-not-retained"), "{shown}");
}

#[test]
fn enter_on_a_kept_promise_shows_what_it_covered() {
    let dir = promises_inventory();
    let mut app = app(&dir.path().join("inventory.yaml").to_string_lossy());
    press(&mut app, "/cards-encrypted");
    app.handle_key(key(KeyCode::Enter));
    app.handle_key(key(KeyCode::Enter));
    assert_eq!(app.active(), ViewId::Findings);
    let shown = screen(&mut app, 120, 40);
    assert!(!shown.contains("No finding matches"), "{shown}");
    assert!(shown.contains("kept"), "{shown}");
    assert!(shown.contains("2 flows"), "{shown}");
    assert!(
        shown.contains("place-order") && shown.contains("save-order"),
        "{shown}"
    );
    assert!(shown.contains("1 store"), "{shown}");
    assert!(shown.contains("orders-db"), "{shown}");
    insta::assert_snapshot!("kept-promise-coverage-120x40", shown);
    // A promise whose selectors match nothing says so: it is kept only vacuously.
    press(&mut app, "1");
    app.handle_key(key(KeyCode::Esc));
    press(&mut app, "/biometrics");
    app.handle_key(key(KeyCode::Enter));
    app.handle_key(key(KeyCode::Enter));
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("matched nothing"), "{shown}");
}

#[test]
fn huge_one_line_inputs_keep_the_error_view_small_and_fast() {
    use ropa::finding::{Finding, Severity};
    use ropa::source::{SourceMap, Span};
    // A 60 MB YAML file on one line, with the error in the middle and a message that
    // quotes a long value.
    let mut text = "x".repeat(30_000_000);
    text.push_str("key: [unclosed");
    text.push_str(&"y".repeat(30_000_000));
    let start = 30_000_000u32;
    let mut sources = SourceMap::new();
    let path = PathBuf::from("huge.yaml");
    let file = sources.add(&path, text);
    let problem = Finding::new(
        "yaml-syntax",
        Severity::Error,
        format!("invalid value \"{}\"", "z".repeat(5_000_000)),
    )
    .at(
        Span {
            file,
            line: 1,
            column: start + 1,
            start,
            end: start + 14,
        },
        "here",
    )
    .with_help("close the list");
    let failure = ropa::inventory::LoadFailure {
        sources,
        problems: vec![problem],
    };
    let started = std::time::Instant::now();
    let mut app = App::new(Data::new(vec![path], Err(failure)), Theme { color: false });
    let shown = screen(&mut app, 120, 40);
    press(&mut app, "/unclosed");
    app.handle_key(key(KeyCode::Enter));
    screen(&mut app, 120, 40);
    let elapsed = started.elapsed();
    assert!(shown.contains("key: [unclosed"), "{shown}");
    assert!(shown.contains("…"), "the long line is cut: {shown}");
    assert!(
        elapsed < std::time::Duration::from_secs(1),
        "drawing took {elapsed:?}"
    );
}

#[test]
fn a_on_a_finding_shows_its_fix_and_y_writes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("inventory.yaml");
    let text = "version: 1
stores:
  - id: db
    holds:
      - data: [user.name]
        retention: 30d
systems:
  - { id: web }
flows:
  - { id: save, from: web, to: db, data: [user.name, user.contact.email], purpose: essential.service }
";
    std::fs::write(&path, text).expect("write");
    let mut app = app(path.to_str().expect("path"));
    app.show(ViewId::Findings);
    let listed = screen(&mut app, 120, 40);
    assert!(listed.contains("undeclared-holding"), "{listed}");
    // Another key cancels; `a` again, then `y`, writes it.
    press(&mut app, "a");
    let shown = screen(&mut app, 120, 40);
    assert!(
        shown.contains("+      - data: [user.contact.email]"),
        "{shown}"
    );
    assert!(
        shown.contains("y writes it; any other key cancels."),
        "{shown}"
    );
    press(&mut app, "n");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    press(&mut app, "a");
    let command = press(&mut app, "y");
    assert!(matches!(command, Command::Reload), "{command:?}");
    let fixed = std::fs::read_to_string(&path).expect("read");
    assert!(
        fixed.contains(
            "        retention: 30d\n      - data: [user.contact.email]\n        retention: TODO\n"
        ),
        "{fixed}"
    );
}

/// The report text without its date line, which may change between two renderings.
fn undated(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| !l.starts_with("Generated by ropa"))
        .collect()
}

#[test]
fn x_writes_the_audit_report_beside_the_inventory_and_says_where() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory.yaml");
    std::fs::copy(CLAIM_BROKEN, &inventory).expect("copy the fixture");
    let mut app = app(inventory.to_str().expect("path"));
    // In every view, even where the view has keys of its own.
    for view in ViewId::ALL {
        app.show(view);
        let report = dir.path().join("ropa-audit.md");
        let _ = std::fs::remove_file(&report);
        assert_eq!(press(&mut app, "x"), Command::None);
        let written = std::fs::read_to_string(&report).expect("the report is written");
        assert!(written.starts_with("# Privacy audit"), "{written}");
        assert!(written.contains("## Promises"), "{written}");
        assert!(
            written.contains("| Status | Rule | Claims | Promise | Evidence |"),
            "{written}"
        );
        assert!(
            written.contains("| **broken** | `card-numbers-not-retained` |"),
            "{written}"
        );
        let named = app
            .status()
            .strip_prefix("wrote the audit report to ")
            .unwrap_or_else(|| panic!("{}", app.status()));
        assert_eq!(
            std::fs::canonicalize(named).expect("the status names the report"),
            std::fs::canonicalize(&report).expect("the report"),
        );
    }
    // The same report `ropa report audit` renders.
    let Ok(audit) = ropa::audit::run(
        std::slice::from_ref(&inventory),
        true,
        &ropa::code::NoProgress,
    ) else {
        panic!("the fixture loads");
    };
    let expected = ropa::cli::documents::render_audit(
        &audit,
        ropa::cli::documents::AuditFormat::Markdown,
        usize::MAX,
    );
    let written = std::fs::read_to_string(dir.path().join("ropa-audit.md")).expect("read");
    assert_eq!(undated(&written), undated(&expected));
    // At 80 columns the message shows whole, over the key hints, until the next key.
    app.show(ViewId::Findings);
    press(&mut app, "x");
    let shown = screen(&mut app, 80, 24);
    let bottom = shown.lines().last().unwrap_or_default();
    assert!(bottom.contains("wrote the audit report to "), "{bottom}");
    assert!(
        bottom.contains("ropa-audit.md") || bottom.contains('…'),
        "{bottom}"
    );
    press(&mut app, "j");
    let shown = screen(&mut app, 80, 24);
    assert!(
        shown.lines().last().unwrap_or_default().contains("? help"),
        "{shown}"
    );
    // Nothing else beside it: no temporary file left behind, the inventory untouched.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(names, ["inventory.yaml", "ropa-audit.md"]);
    assert_eq!(
        std::fs::read(&inventory).expect("read"),
        std::fs::read(CLAIM_BROKEN).expect("read")
    );
    // The report is not YAML: the inventory still loads as it did.
    app.set_data(data(inventory.to_str().expect("path")));
    app.show(ViewId::Overview);
    let shown = screen(&mut app, 120, 40);
    assert!(shown.contains("card-numbers-not-retained"), "{shown}");
}

#[test]
fn x_on_an_inventory_folder_writes_beside_the_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("inventory");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::copy(CLAIM_BROKEN, folder.join("a.yaml")).expect("copy the fixture");
    let mut app = app(folder.to_str().expect("path"));
    press(&mut app, "x");
    let written =
        std::fs::read_to_string(dir.path().join("ropa-audit.md")).expect("the report is written");
    assert!(written.starts_with("# Privacy audit"), "{written}");
    assert!(!folder.join("ropa-audit.md").exists());
}

#[test]
fn x_on_an_inventory_that_does_not_load_writes_nothing_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory.yaml");
    std::fs::copy(NOT_LOADING, &inventory).expect("copy the fixture");
    let mut app = app(inventory.to_str().expect("path"));
    assert_eq!(press(&mut app, "x"), Command::None);
    assert!(
        app.status()
            .starts_with("nothing to export: the inventory does not load ("),
        "{}",
        app.status()
    );
    assert!(!dir.path().join("ropa-audit.md").exists());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(names.len(), 1, "only the inventory: {names:?}");
}

#[test]
fn x_says_so_when_the_report_cannot_be_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inventory = dir.path().join("inventory.yaml");
    std::fs::copy(CLAIM_BROKEN, &inventory).expect("copy the fixture");
    // A folder where the report would go: the rename cannot replace it.
    std::fs::create_dir(dir.path().join("ropa-audit.md")).expect("mkdir");
    let mut app = app(inventory.to_str().expect("path"));
    press(&mut app, "x");
    assert!(
        app.status()
            .starts_with("cannot write the audit report to ")
            && app.status().contains("ropa-audit.md: "),
        "{}",
        app.status()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

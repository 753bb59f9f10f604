//! The data-flow diagram as text and pictures: Graphviz DOT and Mermaid written
//! directly (regions as clusters, a shape per node kind, categories on each edge,
//! violations in red), and SVG laid out in Rust by `layout-rs` for the HTML reports.
//! Every name from the inventory is escaped for the language it lands in.

use crate::diagram::{Diagram, Shape};
use crate::inventory::model::NodeKind;
use std::fmt::Write as _;

/// A DOT string literal's content: quotes and backslashes escaped, line breaks as `\n`.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::sanitize_line(text).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out
}

/// Lines of text as one DOT string literal's content, broken with `\n`.
fn dot_lines(text: &str) -> String {
    text.split('\n')
        .map(dot_text)
        .collect::<Vec<_>>()
        .join("\\n")
}

/// Mermaid label text: letters, digits, spaces and harmless punctuation as they are,
/// every other character as a Mermaid entity (`#35;`), so no label can close its
/// quotes, start markup or inject a directive.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::sanitize_line(text).chars() {
        if c.is_alphanumeric()
            || matches!(
                c,
                ' ' | '.' | '-' | '_' | ':' | '/' | ',' | '@' | '+' | '=' | '→'
            )
        {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", c as u32);
        }
    }
    out
}

/// The categories of an edge as a label; several lines when long.
fn edge_label(categories: &[String], flows: &[String]) -> String {
    if categories.is_empty() {
        return flows.join(", ");
    }
    categories.join("\n")
}

fn dot_shape(shape: Shape) -> &'static str {
    match shape {
        Shape::Node(NodeKind::Subject) => "shape=ellipse, style=filled, fillcolor=\"#e8f0fe\"",
        Shape::Node(NodeKind::System) => {
            "shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\""
        }
        Shape::Node(NodeKind::Store) => "shape=cylinder, style=filled, fillcolor=\"#fff4d6\"",
        Shape::Node(NodeKind::Subprocessor) => {
            "shape=component, style=filled, fillcolor=\"#e6f4ea\""
        }
        Shape::Node(NodeKind::ThirdParty) => "shape=hexagon, style=filled, fillcolor=\"#fce8e6\"",
        Shape::Backup => "shape=cylinder, style=\"dashed,filled\", fillcolor=\"#f1f3f4\"",
        Shape::Group => "shape=box3d, style=filled, fillcolor=\"#f1f3f4\"",
    }
}

/// The kind of a node as a word for its label.
fn kind_word(shape: Shape) -> &'static str {
    match shape {
        Shape::Node(kind) => kind.noun(),
        Shape::Backup => "backup",
        Shape::Group => "region",
    }
}

/// Graphviz DOT: `dot -Tsvg` draws it.
pub fn dot(diagram: &Diagram) -> String {
    let mut out = String::new();
    out.push_str(
        "// The data-flow graph of a ropa inventory. Draw it with: dot -Tsvg -o graph.svg\n",
    );
    if let Some(note) = &diagram.grouped {
        let _ = writeln!(out, "// {}", crate::text::sanitize_line(note));
    }
    out.push_str("digraph ropa {\n  rankdir=LR;\n  compound=true;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    if let Some(note) = &diagram.grouped {
        let _ = writeln!(out, "  label=\"{}\";\n  labelloc=t;", dot_text(note));
    }
    for (c, cluster) in diagram.clusters.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{c} {{\n    label=\"{}\";\n    style=rounded;\n    color=\"#9aa0a6\";",
            dot_text(&cluster.label)
        );
        for &n in &cluster.nodes {
            let node = &diagram.nodes[n];
            let mut label = format!("{}\n{}", node.label, kind_word(node.shape));
            if node.regions.len() > 1 {
                label.push_str(&format!(" · {}", node.regions.join(", ")));
            }
            let violating = if node.violating {
                ", color=\"#d93025\", penwidth=2.5"
            } else {
                ""
            };
            let label = dot_lines(&label);
            let _ = writeln!(
                out,
                "    n{n} [label=\"{label}\", {}{violating}];",
                dot_shape(node.shape)
            );
        }
        out.push_str("  }\n");
    }
    for edge in &diagram.edges {
        let style = if edge.violating {
            ", color=\"#d93025\", fontcolor=\"#d93025\", penwidth=2.5"
        } else {
            ""
        };
        let label = dot_lines(&edge_label(&edge.categories, &edge.flows));
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{label}\", tooltip=\"{}\"{style}];",
            edge.from,
            edge.to,
            dot_text(&edge.flows.join(", "))
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid `flowchart`: GitHub and GitLab draw it in Markdown.
pub fn mermaid(diagram: &Diagram) -> String {
    let mut out = String::from("flowchart LR\n");
    if let Some(note) = &diagram.grouped {
        let _ = writeln!(out, "  %% {}", mermaid_text(note));
    }
    for (c, cluster) in diagram.clusters.iter().enumerate() {
        let _ = writeln!(out, "  subgraph r{c}[\"{}\"]", mermaid_text(&cluster.label));
        for &n in &cluster.nodes {
            let node = &diagram.nodes[n];
            let text = format!(
                "{}<br/>{}",
                mermaid_text(&node.label),
                kind_word(node.shape)
            );
            let shaped = match node.shape {
                Shape::Node(NodeKind::Subject) => format!("([\"{text}\"])"),
                Shape::Node(NodeKind::System) => format!("[\"{text}\"]"),
                Shape::Node(NodeKind::Store) | Shape::Backup => format!("[(\"{text}\")]"),
                Shape::Node(NodeKind::Subprocessor) => format!("[[\"{text}\"]]"),
                Shape::Node(NodeKind::ThirdParty) => format!("{{{{\"{text}\"}}}}"),
                Shape::Group => format!("[/\"{text}\"/]"),
            };
            let _ = writeln!(out, "    n{n}{shaped}");
        }
        out.push_str("  end\n");
    }
    let mut violating_links = Vec::new();
    for (i, edge) in diagram.edges.iter().enumerate() {
        let label = edge_label(&edge.categories, &edge.flows)
            .split('\n')
            .map(mermaid_text)
            .collect::<Vec<_>>()
            .join("<br/>");
        let _ = writeln!(out, "  n{} -->|\"{label}\"| n{}", edge.from, edge.to);
        if edge.violating {
            violating_links.push(i.to_string());
        }
    }
    out.push_str("  classDef violating stroke:#d93025,stroke-width:3px\n");
    let violating: Vec<String> = diagram
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.violating)
        .map(|(i, _)| format!("n{i}"))
        .collect();
    if !violating.is_empty() {
        let _ = writeln!(out, "  class {} violating", violating.join(","));
    }
    if !violating_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d93025,stroke-width:3px",
            violating_links.join(",")
        );
    }
    out
}

/// The most nodes an SVG picture lays out before the diagram is grouped by region:
/// `layout-rs` takes seconds above it (DOT and Mermaid have [`crate::diagram::DEFAULT_NODE_LIMIT`]).
pub const SVG_NODE_LIMIT: usize = 60;

/// An edge label short enough for a picture: the categories' last segments, cut with
/// `…` (the tables and the DOT and Mermaid output give them whole).
fn short_label(categories: &[String]) -> String {
    const MAX: usize = 28;
    let leaves: Vec<&str> = categories
        .iter()
        .map(|c| c.rsplit('.').next().unwrap_or(c))
        .collect();
    let text = crate::text::sanitize_line(&leaves.join(", "));
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end_matches([',', ' ']))
    }
}

/// An SVG picture of the diagram, laid out by `layout-rs` (which draws no clusters:
/// each box names its region instead). Empty diagrams give a small note.
pub fn svg(diagram: &Diagram) -> String {
    use layout::backends::svg::SVGWriter;
    use layout::core::base::Orientation;
    use layout::core::color::Color;
    use layout::core::style::{LineStyleKind, StyleAttr};
    use layout::std_shapes::render::get_shape_size;
    use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
    use layout::topo::layout::VisualGraph;

    if diagram.nodes.is_empty() {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"40\" role=\"img\"><text x=\"10\" y=\"25\">No flows to draw.</text></svg>".to_owned();
    }
    let orientation = Orientation::LeftToRight;
    let mut graph = VisualGraph::new(orientation);
    let handles: Vec<_> = diagram
        .nodes
        .iter()
        .map(|node| {
            let region = match node.regions.as_slice() {
                [] => String::new(),
                regions => format!("\n[{}]", regions.join(", ")),
            };
            let text = format!(
                "{}\n{}{region}",
                crate::text::sanitize_line(&node.label),
                kind_word(node.shape)
            );
            let shape = match node.shape {
                Shape::Node(NodeKind::Subject) => ShapeKind::new_circle(&text),
                _ => ShapeKind::new_box(&text),
            };
            let fill = match node.shape {
                Shape::Node(NodeKind::Subject) => 0xe8f0fe,
                Shape::Node(NodeKind::System) => 0xffffff,
                Shape::Node(NodeKind::Store) => 0xfff4d6,
                Shape::Node(NodeKind::Subprocessor) => 0xe6f4ea,
                Shape::Node(NodeKind::ThirdParty) => 0xfce8e6,
                Shape::Backup | Shape::Group => 0xf1f3f4,
            };
            let (line, width) = if node.violating {
                (0xd93025, 3)
            } else {
                (0x5f6368, 1)
            };
            let look = StyleAttr::new(
                Color::new(line << 8 | 0xff),
                width,
                Some(Color::new(fill << 8 | 0xff)),
                if matches!(node.shape, Shape::Node(NodeKind::System)) {
                    8
                } else {
                    0
                },
                13,
            );
            let size = get_shape_size(orientation, &shape, 13, false);
            graph.add_node(Element::create(shape, look, orientation, size))
        })
        .collect();
    for edge in &diagram.edges {
        if edge.from == edge.to {
            continue; // layout-rs draws no loops; the tables list such flows
        }
        let (line, width) = if edge.violating {
            (0xd93025, 2)
        } else {
            (0x5f6368, 1)
        };
        let look = StyleAttr::new(Color::new(line << 8 | 0xff), width, None, 0, 10);
        let label = short_label(&edge.categories);
        let arrow = Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            if edge.flows.iter().any(|f| f == "backup") {
                LineStyleKind::Dashed
            } else {
                LineStyleKind::Normal
            },
            &label,
            &look,
            &None,
            &None,
        );
        graph.add_edge(arrow, handles[edge.from], handles[edge.to]);
    }
    let mut writer = SVGWriter::new();
    // Crossing reduction is worth its cost on small graphs only: it grows much faster
    // than the graph.
    let optimize = diagram.nodes.len() + diagram.edges.len() <= 120;
    graph.do_it(false, !optimize, false, &mut writer);
    // layout-rs grows its canvas by each label's length in both directions, which
    // leaves a tall empty band: size the picture to the boxes it drew instead.
    let (mut width, mut height) = (0.0f64, 0.0f64);
    for handle in graph.iter_nodes() {
        let (_, bottom_right) = graph.pos(handle).bbox(true);
        width = width.max(bottom_right.x);
        height = height.max(bottom_right.y);
    }
    let (width, height) = (width.ceil() + 40.0, height.ceil() + 40.0);
    let svg = writer.finalize();
    let body = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| &svg[start + end + 1..]))
        .unwrap_or("</svg>");
    format!(
        "<svg role=\"img\" aria-label=\"data-flow diagram\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">{}",
        body.replace(
            "font-family: Times, serif",
            "font-family: Helvetica, Arial, sans-serif"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_text_cannot_close_its_string() {
        assert_eq!(dot_text("a\"]; x -> y [\\"), "a\\\"]; x -> y [\\\\");
        assert_eq!(dot_text("line\nbreak"), "line\\\\u{a}break");
    }

    #[test]
    fn mermaid_text_escapes_everything_that_is_syntax() {
        let escaped = mermaid_text("x\"]) --> evil[\"<script>%%{init}");
        for forbidden in ['"', '[', ']', '(', ')', '<', '>', '%', '{', '}'] {
            assert!(!escaped.contains(forbidden), "{escaped}");
        }
        assert!(
            escaped.starts_with("x#34;#93;#41; --#62; evil"),
            "{escaped}"
        );
    }
}

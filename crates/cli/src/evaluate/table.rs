//! One table type that renders every table of the report as Markdown and HTML.

use std::fmt::Write as _;

/// A report table, written as Markdown and as HTML from the same cells.
pub(super) struct Table {
    header: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

pub(super) enum Cell {
    Text(String),
    /// A result the reader must not miss (bold in Markdown, red in HTML).
    Alarm(String),
}

impl Table {
    pub(super) fn new(header: &'static [&'static str], rows: Vec<Vec<Cell>>) -> Self {
        debug_assert!(rows.iter().all(|r| r.len() == header.len()));
        Self { header, rows }
    }

    pub(super) fn markdown(&self) -> String {
        let mut m = format!(
            "| {} |\n|{}\n",
            self.header.join(" | "),
            "---|".repeat(self.header.len())
        );
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| match cell {
                    Cell::Text(text) => text.clone(),
                    Cell::Alarm(text) => format!("**{text}**"),
                })
                .collect();
            let _ = writeln!(m, "| {} |", cells.join(" | "));
        }
        m
    }

    pub(super) fn html(&self) -> String {
        let mut h = String::from("<table><tr>");
        for column in self.header {
            let _ = write!(h, "<th>{}</th>", escape(column));
        }
        h.push_str("</tr>");
        for row in &self.rows {
            h.push_str("<tr>");
            for cell in row {
                match cell {
                    Cell::Text(text) => {
                        let _ = write!(h, "<td>{}</td>", escape(text));
                    }
                    Cell::Alarm(text) => {
                        let _ = write!(h, "<td><span class=\"no\">{}</span></td>", escape(text));
                    }
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
        h
    }
}

/// Escapes text for HTML.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

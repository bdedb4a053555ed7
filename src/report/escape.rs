//! Text helpers every renderer shares: escaping for Markdown and Mermaid, and cutting
//! long names and messages.

/// Escapes text for Markdown prose or a table cell: the ASCII punctuation Markdown
/// reads (and `@`, `#`, `$`, which GitHub turns into mentions, issue links and math)
/// is backslash-escaped, `<`, `>`, `&` become entities, line breaks become spaces.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '@' | '$' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid node label (the text inside its quotes): Mermaid's own entity codes for
/// the characters that would end the label or be read as markup; line breaks become
/// spaces.
pub fn mermaid(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A label of a Mermaid `xychart-beta` chart (a title, an axis name, a category): the
/// chart grammar reads its quoted strings and `[…]` lists literally, so the characters
/// that would end them become spaces rather than entity codes.
pub fn mermaid_chart(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '[' | ']' | '`' | '\n' | '\r' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Cuts text to at most `max` characters, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Collapses whitespace, including line breaks, to single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

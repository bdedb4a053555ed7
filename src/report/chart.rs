//! Mermaid `xychart-beta` charts for the Markdown reports: GitHub renders them in pull
//! request comments and job summaries; elsewhere the block stays readable text.

use super::escape::mermaid_chart as clean;
use std::fmt::Write;

/// How the values are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    /// One bar per category.
    Bar,
    /// A line through the points.
    Line,
}

/// A chart of `values` over the categories `labels` (the same length), the y axis from
/// 0 to `y_max`. Labels are quoted and stripped of quotes and brackets Mermaid would
/// misread; numbers print with at most two decimals.
pub fn xychart(
    title: &str,
    x_label: &str,
    labels: &[String],
    y_label: &str,
    y_max: f64,
    series: Series,
    values: &[f64],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "```mermaid");
    let _ = writeln!(out, "xychart-beta");
    let _ = writeln!(out, "    title \"{}\"", clean(title));
    let quoted: Vec<String> = labels
        .iter()
        .map(|label| format!("\"{}\"", clean(label)))
        .collect();
    let _ = writeln!(
        out,
        "    x-axis \"{}\" [{}]",
        clean(x_label),
        quoted.join(", ")
    );
    let _ = writeln!(
        out,
        "    y-axis \"{}\" 0 --> {}",
        clean(y_label),
        number(y_max.max(1.0))
    );
    let numbers: Vec<String> = values.iter().map(|v| number(*v)).collect();
    let keyword = match series {
        Series::Bar => "bar",
        Series::Line => "line",
    };
    let _ = writeln!(out, "    {keyword} [{}]", numbers.join(", "));
    let _ = writeln!(out, "```");
    out
}

/// A number with at most two decimals and no trailing zeros.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return "0".into();
    }
    let text = format!("{:.2}", value);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_bar_chart_with_clean_labels() {
        let chart = xychart(
            "Hot \"spots\"",
            "component",
            &["A[1]".to_string(), "B".to_string()],
            "score",
            10.0,
            Series::Bar,
            &[2.5, 10.0],
        );
        assert_eq!(
            chart,
            "```mermaid\nxychart-beta\n    title \"Hot  spots\"\n    x-axis \"component\" [\"A 1\", \"B\"]\n    y-axis \"score\" 0 --> 10\n    bar [2.5, 10]\n```\n"
        );
        assert_eq!(number(f64::NAN), "0");
        assert_eq!(number(0.126), "0.13");
        assert_eq!(number(-0.001), "0");
    }
}

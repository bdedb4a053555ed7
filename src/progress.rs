//! Progress bars on stderr for the long parts of a first plan: parsing a large org's
//! files and reading its history. Shown only on a terminal and only for work long enough
//! to watch, so CI logs, pipes and tests see nothing; cleared when the work ends, so the
//! plan's output is all that stays.

use std::io::IsTerminal;

/// Long work to show: what it counts, and from how many items on.
#[derive(Clone, Copy, Debug)]
pub struct Work {
    /// What is done, shown before the bar (`parsing`).
    pub doing: &'static str,
    /// What is counted, shown after it (`files`).
    pub items: &'static str,
    /// The fewest items shown with a bar: fewer take well under a second.
    pub shown_from: usize,
}

/// Parsing the files a plan has no cached facts for: 2,000 files take about half a
/// second on two cores (the 1,000-class org's 2,398 files, cold: 0.50 s).
pub const PARSING: Work = Work {
    doing: "parsing",
    items: "files",
    shown_from: 2_000,
};

/// Diffing the commits of the change-frequency window that no earlier plan read (a cold
/// plan of the 10,000-class org diffs 200 commits in about 0.6 s).
pub const CHURN: Work = Work {
    doing: "change frequency",
    items: "commits",
    shown_from: 200,
};

impl Work {
    /// What the bar shows: `parsing ████░░ 1200/4455 files`.
    fn template(self) -> String {
        format!("{} {{bar:30}} {{pos}}/{{len}} {}", self.doing, self.items)
    }
}

/// A bar for `len` items of `work`, when [`shows`] says so for this process's stderr.
/// `inc` it from any thread; `finish_and_clear` it when the work ends.
pub fn bar(work: Work, len: usize) -> Option<indicatif::ProgressBar> {
    if !shows(work, len, std::io::stderr().is_terminal()) {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(&work.template()) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Whether `len` items of `work` get a bar, on a terminal or not.
fn shows(work: Work, len: usize, terminal: bool) -> bool {
    terminal && len >= work.shown_from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_shows_long_work_on_a_terminal_only() {
        for work in [PARSING, CHURN] {
            assert!(shows(work, work.shown_from, true), "{work:?}");
            assert!(!shows(work, work.shown_from - 1, true), "{work:?}");
            assert!(!shows(work, 100_000, false), "{work:?}");
        }
        // A warm plan parses a few changed files: no bar.
        assert!(!shows(PARSING, 3, true));
    }

    #[test]
    fn every_template_is_one_indicatif_reads() {
        for work in [PARSING, CHURN] {
            let template = work.template();
            assert!(
                indicatif::ProgressStyle::with_template(&template).is_ok(),
                "{template}"
            );
        }
    }
}

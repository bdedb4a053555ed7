//! Parsers: one per source language, each turning a file's text into [`Facts`].
//!
//! Architecture invariant: parsers are pure functions of (component, path, content).
//! They never fail; what they cannot read becomes a [`crate::facts::Problem`].

pub mod agent;
pub mod apex;
pub mod data_rules;
pub mod flow;
pub mod formula;
pub mod lwc;
pub mod markup;
pub mod multi;
pub mod objects;
pub mod suite;
pub mod xml;

mod dispatch;
mod preorder;

pub use dispatch::parse_file;
pub(crate) use preorder::Preorder;

/// A source file for tests: `text` parsed as the component `type_name:name` at `path`,
/// with a blob id that changes with the text, as a git blob id does (kept resolutions
/// are keyed by it).
#[cfg(test)]
pub fn file_at(type_name: &str, name: &str, path: &str, text: &str) -> crate::facts::FileFacts {
    let component = crate::metadata::component::ComponentId::new(type_name, name);
    crate::facts::FileFacts {
        path: path.to_string(),
        blob: format!("{:08x}", crc32fast::hash(text.as_bytes())),
        facts: parse_file(&component, path, text.as_bytes()),
        component,
    }
}

/// What a file's facts write, with the line of each write, in order: for the parsers'
/// tests of what a save saves.
#[cfg(test)]
pub fn writes(facts: &Facts) -> Vec<(crate::facts::Target<'static>, u32)> {
    facts
        .parsed_uses()
        .iter()
        .filter(|u| u.kind == crate::facts::EdgeKind::Writes)
        .map(|u| (u.target.clone(), u.line))
        .collect()
}

/// An Apex class file for tests ([`file_at`]).
#[cfg(test)]
pub fn apex_file_at(path: &str, name: &str, text: &str) -> crate::facts::FileFacts {
    file_at(crate::metadata::types::APEX_CLASS, name, path, text)
}

/// [`apex_file_at`] the class's usual path.
#[cfg(test)]
pub fn apex_file(name: &str, text: &str) -> crate::facts::FileFacts {
    apex_file_at(
        &format!("force-app/main/default/classes/{name}.cls"),
        name,
        text,
    )
}

use crate::facts::Facts;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};
use tree_sitter::{ParseOptions, Parser, Tree};

/// Time a parse may take whatever its length.
const PARSE_TIME_BASE: Duration = Duration::from_millis(400);
/// Time a parse may take per byte besides: 5 µs, so 100 KB may take 0.9 s in all. Real
/// code is read far faster (a 385 KB class of ordinary methods, parsed and walked, in
/// 0.2 s in a release build, against its 2.3 s here).
const PARSE_NANOS_PER_BYTE: u64 = 5_000;

/// Makes tree-sitter allocate through mimalloc, the allocator the binary uses for
/// everything else: tree-sitter's C code called the C library's `malloc` and `free`,
/// about a twentieth of a cold plan's time.
///
/// # Safety
/// Call it first thing in `main`, before any tree-sitter parser or tree exists: memory
/// allocated before would be freed by the other allocator.
pub unsafe fn use_fast_allocator() {
    /// `calloc` through mimalloc (which has one only in its extended bindings): zeroed
    /// memory, or null when the size overflows.
    unsafe extern "C" fn zeroed(count: usize, size: usize) -> *mut std::ffi::c_void {
        match count.checked_mul(size) {
            // SAFETY: `mi_zalloc` may be called with any size.
            Some(bytes) => unsafe { libmimalloc_sys::mi_zalloc(bytes) },
            None => std::ptr::null_mut(),
        }
    }
    // SAFETY: the four functions are one allocator's, and the caller promises that no
    // tree-sitter memory exists yet.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc: zeroed,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        }));
    }
}

/// Parses `source` with tree-sitter within a time proportional to its length; `None` when
/// the parser gives up (the caller treats the file as one it could not read, so the plan
/// errs toward more tests). Some input makes tree-sitter's error recovery go quadratic
/// (10 KB of `->` read as Apex takes 5.3 s, 10 KB of `+*` read as JavaScript 4.5 s;
/// fuzzing found others that tree-sitter 0.27 parses in linear time). The limit is time,
/// not parser steps, because the slow part is inside few steps; it is far enough above
/// real code that no real file comes near it. It is checked between steps (tree-sitter
/// asks the callback), so a step that takes long on its own runs to its end: Apex that
/// repeats `a<` leaves an ambiguity open to the end of the file, where one step resolves
/// it (20 KB, 1.2 s; 100 KB, 68 s and 20 GB). The time counted is the parsing thread's
/// CPU time (where the platform tells it), not wall time: on a busy machine (a loaded CI
/// runner, rayon's other threads) a parse that waits for a core is not given up, so the
/// facts, which are cached by content, do not depend on the load. An ASan build fuzzing
/// on a busy machine gave up on 1 KB under wall time.
pub(crate) fn parse_within_budget(parser: &mut Parser, source: &str) -> Option<Tree> {
    let per_byte = Duration::from_nanos(PARSE_NANOS_PER_BYTE)
        .saturating_mul(u32::try_from(source.len()).unwrap_or(u32::MAX));
    let limit = PARSE_TIME_BASE.saturating_add(per_byte);
    let started = Instant::now();
    let started_cpu = thread_cpu_time();
    // Wall time is cheap to read and never below the thread's CPU time: only once it is
    // past the limit is the CPU clock (a system call) asked.
    let mut over_time = |_: &tree_sitter::ParseState| {
        let over = started.elapsed() > limit
            && match (started_cpu, thread_cpu_time()) {
                (Some(start), Some(now)) => now.saturating_sub(start) > limit,
                _ => true,
            };
        if over {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let bytes = source.as_bytes();
    parser.parse_with_options(
        &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
        None,
        Some(ParseOptions::new().progress_callback(&mut over_time)),
    )
}

/// The CPU time the calling thread has used, where the platform has a clock for it.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` through the pointer, which points at
    // a live local of that type; `CLOCK_THREAD_CPUTIME_ID` is a POSIX clock.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        return None;
    }
    Some(Duration::new(
        u64::try_from(now.tv_sec).ok()?,
        u32::try_from(now.tv_nsec).ok()?,
    ))
}

/// See the Unix version: elsewhere the limit is counted in wall time.
#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// Whether the parser gave up on the file these facts are of (its time limit, see
/// `parse_within_budget`): where the limit falls varies slightly with the machine, so
/// such facts are the one thing a determinism check cannot compare.
pub fn gave_up(facts: &Facts) -> bool {
    facts
        .problems
        .iter()
        .any(|problem| [apex::UNREAD, lwc::UNREAD].contains(&problem.message.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limit must not count time the thread spends off a core: sleeping (as a
    /// parse waiting for a core on a busy machine does) leaves its CPU clock still.
    #[cfg(unix)]
    #[test]
    fn the_parse_clock_counts_cpu_time_not_waiting() {
        let before = thread_cpu_time().expect("a thread CPU clock on Unix");
        let wall = Instant::now();
        std::thread::sleep(Duration::from_millis(200));
        let slept = thread_cpu_time().expect("a thread CPU clock on Unix") - before;
        assert!(wall.elapsed() >= Duration::from_millis(200));
        assert!(slept < Duration::from_millis(100), "{slept:?}");
        // And it does count work.
        let started = thread_cpu_time().expect("a thread CPU clock on Unix");
        let mut spin = 0u64;
        while thread_cpu_time().expect("clock") - started < Duration::from_millis(20) {
            spin = spin.wrapping_add(1);
        }
        assert!(spin > 0);
    }
}

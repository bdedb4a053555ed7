//! The `impact` binary: parse the command line, run it, print an error as one line plus
//! a hint, and exit 0 (ok), 1 (gate failed) or 2 (bad input).

use clap::Parser;

// Building the graph of a large org makes millions of small allocations; mimalloc does
// them markedly faster than the system allocator. It is built without transparent huge
// pages (`no_thp`): a short-lived process touching each 2 MB page once paid for it in
// page-zeroing and compaction stalls and in peak memory (10,000 classes cold: 704 MB with
// them, 625 MB without; `MIMALLOC_ALLOW_THP=1` turns them back on).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = run();
    // By hand: `exit_now` skips the flush the standard library runs at exit.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    exit_now(code)
}

/// Ends the process without the exit handlers that libraries registered: mimalloc's
/// returns every page to the system (350 `madvise` calls after a warm 10,000-class plan)
/// and libgit2's frees its caches, work for memory the process gives back the moment
/// after (4-8 ms of a warm plan of a 10,000-class org or of NPSP). `impact` itself runs
/// nothing at exit: every command has written and closed its files before it returns.
#[cfg(unix)]
fn exit_now(code: u8) -> ! {
    // SAFETY: `_exit` ends the process at once; the commands' threads have finished.
    unsafe { libc::_exit(i32::from(code)) }
}

#[cfg(not(unix))]
fn exit_now(code: u8) -> ! {
    std::process::exit(i32::from(code))
}

/// Parses the command line and runs it: the exit code.
fn run() -> u8 {
    // SAFETY: nothing has parsed yet.
    unsafe { impact::parse::use_fast_allocator() };
    let cli = match impact::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                impact::error::EXIT_BAD_INPUT
            } else {
                impact::error::EXIT_OK
            };
            let _ = error.print();
            return code;
        }
    };
    match impact::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("impact: error: {error}");
            if let Some(hint) = error.hint() {
                eprintln!("hint: {hint}");
            }
            error.exit_code()
        }
    }
}

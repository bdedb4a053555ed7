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
use std::process::ExitCode;

fn main() -> ExitCode {
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
            return ExitCode::from(code);
        }
    };
    match impact::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("impact: error: {error}");
            if let Some(hint) = error.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

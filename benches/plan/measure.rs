//! Runs the `impact` binary as a child process and measures it: wall time, and peak
//! resident memory of that one child: the peak `impact` itself reports with
//! `IMPACT_TIMINGS` (its `VmHWM`). `wait4`'s `ru_maxrss` is the fallback, for other
//! commands: Linux counts in it the pages the child shared with this process when it
//! was forked, so a benchmark process holding a generated 10,000-class org (430 MB)
//! read as the peak of every plan it ran.
//!
//! It does not interpret the output beyond the few plan JSON fields the benchmark prints.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One finished child process.
#[derive(Debug)]
pub struct Run {
    /// Wall time from spawn to exit, in milliseconds.
    pub wall_ms: f64,
    /// CPU time of the child (user + system), in milliseconds: on a machine of few cores
    /// it varies less between runs than the wall time.
    pub cpu_ms: f64,
    /// Peak resident set size of the child, in KiB: its own report ([`own_peak_kb`]),
    /// else `wait4`'s.
    pub max_rss_kb: i64,
    /// Exit code, or -1 when killed by a signal.
    pub code: i32,
    /// Everything the child wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything the child wrote to stderr.
    pub stderr: Vec<u8>,
}

/// Runs `bin args…` with `IMPACT_TIMINGS` set and waits for it.
pub fn run(bin: &Path, args: &[&str]) -> std::io::Result<Run> {
    let mut command = Command::new(bin);
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env("IMPACT_TIMINGS", "1");
    run_command(command)
}

/// [`run`] of `impact args…`, with a failed start or a non-zero exit turned into one
/// message naming the command.
pub fn run_impact(bin: &Path, args: &[&str]) -> Result<Run, String> {
    let run = run(bin, args).map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    exited_ok(run, &format!("impact {}", args.join(" ")))
}

/// `run` when it exited with 0; else a message naming `command` and quoting its stderr.
pub fn exited_ok(run: Run, command: &str) -> Result<Run, String> {
    if run.code != 0 {
        return Err(format!(
            "`{command}` exited with {}: {}",
            run.code,
            String::from_utf8_lossy(&run.stderr).trim()
        ));
    }
    Ok(run)
}

/// Runs `command`, capturing its output, and waits for it.
pub fn run_command(mut command: Command) -> std::io::Result<Run> {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Drain stderr on a thread so that a child filling one pipe never blocks on it.
    let mut err_pipe = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = err_pipe.as_mut() {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    });
    let mut stdout = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_end(&mut stdout)?;
    }
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is a plain C struct for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child (std has not waited on it), and both out
    // pointers are valid for the duration of the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    if reaped != pid {
        return Err(std::io::Error::last_os_error());
    }
    let stderr = err_reader.join().unwrap_or_default();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let millis = |time: libc::timeval| time.tv_sec as f64 * 1000.0 + time.tv_usec as f64 / 1000.0;
    Ok(Run {
        wall_ms,
        cpu_ms: millis(usage.ru_utime) + millis(usage.ru_stime),
        max_rss_kb: own_peak_kb(&stderr).unwrap_or(usage.ru_maxrss),
        code,
        stdout,
        stderr,
    })
}

/// The plan fields the benchmark reports.
#[derive(Clone, Debug, Default)]
pub struct PlanSummary {
    /// `stats.elapsed_ms`: the tool's own timing.
    pub elapsed_ms: Option<u64>,
    /// Files parsed, from the `files parsed N, taken from the cache M` timing line (the
    /// plan itself leaves cache counts out, so that it is the same warm or cold).
    pub files_parsed: Option<u64>,
    /// Files whose facts came from the cache, from the same line.
    pub files_cached: Option<u64>,
    /// `stats.tests_total`.
    pub tests_total: Option<u64>,
    /// `stats.components`: nodes of the graph that are components.
    pub components: Option<u64>,
    /// `stats.unresolved_calls`: calls resolved by name and arity only.
    pub unresolved_calls: Option<u64>,
    /// Length of `tests[]`.
    pub selected: usize,
    /// `test_level`.
    pub test_level: String,
    /// `fallback.reason`, when the plan fell back to all tests.
    pub fallback: Option<String>,
}

/// Reads the fields above from `impact.plan/v1` JSON and the run's stderr; `None` if
/// the output is not JSON.
pub fn summarize(json: &[u8], stderr: &[u8]) -> Option<PlanSummary> {
    let value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let stats = &value["stats"];
    let num = |key: &str| stats.get(key).and_then(serde_json::Value::as_u64);
    let (files_parsed, files_cached) = file_counts(stderr);
    Some(PlanSummary {
        elapsed_ms: num("elapsed_ms"),
        files_parsed,
        files_cached,
        tests_total: num("tests_total"),
        components: num("components"),
        unresolved_calls: num("unresolved_calls"),
        selected: value["tests"].as_array().map_or(0, Vec::len),
        test_level: value["test_level"].as_str().unwrap_or("?").to_string(),
        fallback: value["fallback"]
            .get("reason")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string),
    })
}

/// The counts of `impact: timing: files parsed N, taken from the cache M, …`.
fn file_counts(stderr: &[u8]) -> (Option<u64>, Option<u64>) {
    let text = String::from_utf8_lossy(stderr);
    let Some(line) = text
        .lines()
        .find_map(|line| line.strip_prefix("impact: timing: files parsed "))
    else {
        return (None, None);
    };
    let mut parts = line.split(", ");
    let parsed = parts.next().and_then(|n| n.trim().parse().ok());
    let cached = parts
        .next()
        .and_then(|part| part.strip_prefix("taken from the cache "))
        .and_then(|n| n.trim().parse().ok());
    (parsed, cached)
}

/// The stage timings `impact` prints to stderr when `IMPACT_TIMINGS` is set
/// (`impact: timing: <stage> <ms> ms`, then on Unix `, <ms> ms CPU` and on Linux `, <n>
/// MB resident, <n> MB peak`), in order.
pub fn stage_timings(stderr: &[u8]) -> Vec<(String, f64)> {
    timing_lines(stderr)
        .into_iter()
        .filter_map(|rest| {
            let rest = rest.split_once(',').map_or(rest.as_str(), |(time, _)| time);
            let rest = rest.strip_suffix("ms")?.trim_end();
            let (stage, ms) = rest.rsplit_once(char::is_whitespace)?;
            Some((stage.trim().to_string(), ms.parse::<f64>().ok()?))
        })
        .collect()
}

/// What follows `impact: timing: ` on each line `IMPACT_TIMINGS` prints, in order.
fn timing_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|line| {
            Some(
                line.strip_prefix("impact: timing: ")?
                    .trim_end()
                    .to_string(),
            )
        })
        .collect()
}

/// The highest peak resident size the `IMPACT_TIMINGS` lines report (`…, <n> MB
/// peak`), in KiB: the child's own `VmHWM`; `None` when no line reports memory.
pub fn own_peak_kb(stderr: &[u8]) -> Option<i64> {
    timing_lines(stderr)
        .into_iter()
        .filter_map(|rest| {
            let peak = rest.strip_suffix("MB peak")?.trim_end();
            let (_, megabytes) = peak.rsplit_once(char::is_whitespace)?;
            megabytes.parse::<i64>().ok()
        })
        .max()
        .map(|megabytes| megabytes * 1024)
}

/// The median time of `stage` over runs' [`stage_timings`]; `None` when no run has it.
pub fn stage_median<'a>(
    runs: impl IntoIterator<Item = &'a [(String, f64)]>,
    stage: &str,
) -> Option<f64> {
    let values: Vec<f64> = runs
        .into_iter()
        .filter_map(|stages| {
            stages
                .iter()
                .find(|(name, _)| name == stage)
                .map(|(_, ms)| *ms)
        })
        .collect();
    (!values.is_empty()).then(|| median(&values))
}

/// The median of a non-empty list (the lower middle for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
        .get((sorted.len().max(1) - 1) / 2)
        .copied()
        .unwrap_or(f64::NAN)
}

//! Fault injection on `impact`'s state (issue 13): the facts cache cut short or corrupted
//! at every record, the commit cache damaged, `.impact/` unwritable or full, `impact
//! record` killed part-way, several `impact record` processes on one database, and a
//! history written by a newer `impact`. Everything runs the real binary on real files.
//!
//! What a test cannot do as root: file permissions do not stop root (CI runs as root), so
//! "`.impact/` is read-only" is made with what stops every user, a regular file where
//! the `.impact` directory should be; the `chmod` variant runs too when the tests are not
//! root. A full disk is made with `RLIMIT_FSIZE` on the child process (writes past the
//! limit fail part-way with `EFBIG`, as they would with `ENOSPC`): mounting a small tmpfs
//! needs privileges a CI container may not have.

use crate::support::*;
use impact::cache::{decode, FACTS_VERSION, RECORD_HEADER};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The facts cache file of a repository.
fn cache_file(repo: &TestRepo) -> PathBuf {
    repo.path()
        .join(".impact/cache")
        .join(format!("facts-v{FACTS_VERSION}.bin"))
}

/// Where each record of a cache file starts: a record is a header (a little-endian `u32`
/// payload length, then a checksum) and the payload (`impact::cache::decode_records`).
fn record_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at + RECORD_HEADER <= bytes.len() {
        starts.push(at);
        let length = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += RECORD_HEADER + length;
    }
    assert_eq!(
        at,
        bytes.len(),
        "the cache file is a whole number of records"
    );
    starts
}

/// Every record of a cache file damaged three ways, one at a time: cut inside, a byte
/// of its length flipped, a byte of its payload flipped; each with what it is.
fn record_faults(intact: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut faults = Vec::new();
    for (index, &start) in record_starts(intact).iter().enumerate() {
        let mut flipped_length = intact.to_vec();
        flipped_length[start] ^= 0x5a;
        let mut flipped_payload = intact.to_vec();
        flipped_payload[start + RECORD_HEADER] ^= 0x01;
        for (fault, bytes) in [
            ("cut inside the record", intact[..start + 7].to_vec()),
            ("a byte of its length flipped", flipped_length),
            ("a byte of its payload flipped", flipped_payload),
        ] {
            faults.push((format!("record {index} at byte {start}, {fault}"), bytes));
        }
    }
    faults
}

/// Writes `bytes` (a damaged cache) to `file` and plans: the plan is `cold`, and a
/// warning that contains `names` says the file is damaged.
fn plan_damaged(
    repo: &TestRepo,
    args: &[String],
    cold: &str,
    (file, bytes): (&Path, &[u8]),
    context: &str,
    names: &str,
) {
    fs::write(file, bytes).expect("damage the file");
    let run = repo.run(&strs(args));
    assert_eq!(
        without_elapsed(run.ok()),
        cold,
        "{context}: not the cold plan"
    );
    assert!(
        run.stderr.contains(names) && run.stderr.contains("is damaged"),
        "{context}: no warning\n{}",
        run.stderr
    );
}

/// Every file under `dir` whose name contains `needle`.
fn files_named(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_named(&path, needle));
            } else if entry.file_name().to_string_lossy().contains(needle) {
                found.push(path);
            }
        }
    }
    found
}

/// A repository with one change (`InvoiceService.balance`), and the JSON plan arguments.
fn changed_repo() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new("billing");
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    let args = ["plan", "--format", "json", "--base", repo.base()]
        .map(String::from)
        .to_vec();
    (repo, args)
}

/// [`changed_repo`] planned once without a cache (the cold plan, to compare with) and
/// once with it: the cache file and its intact bytes.
fn cached_repo() -> (TestRepo, Vec<String>, String, PathBuf, Vec<u8>) {
    let (repo, args) = changed_repo();
    let mut no_cache = args.clone();
    no_cache.push("--no-cache".into());
    let cold = without_elapsed(repo.run(&strs(&no_cache)).ok());
    repo.run(&strs(&args)).ok();
    let file = cache_file(&repo);
    let intact = fs::read(&file).expect("the first plan wrote the cache");
    (repo, args, cold, file, intact)
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn a_facts_cache_cut_or_corrupted_at_any_record_gives_the_cold_plan_and_is_rebuilt() {
    let (repo, args, cold, file, intact) = cached_repo();
    let starts = record_starts(&intact);
    assert!(
        starts.len() > 20,
        "the fixture gives a cache of many records"
    );

    for (context, bytes) in record_faults(&intact) {
        plan_damaged(&repo, &args, &cold, (&file, &bytes), &context, "warning");
        let rebuilt = decode(&fs::read(&file).expect("the cache is rewritten"));
        assert!(
            !rebuilt.is_damaged(),
            "{context}: the rewritten cache is damaged"
        );
        assert_eq!(
            rebuilt.records.len(),
            starts.len(),
            "{context}: records lost"
        );
    }

    // A cache cut exactly between two records is a smaller cache, which is all a reader
    // can tell: the missing files are parsed again, the plan is the same.
    fs::write(&file, &intact[..starts[starts.len() / 2]]).expect("cut the cache");
    assert_eq!(without_elapsed(repo.run(&strs(&args)).ok()), cold);
    // A torn append log (a plan killed while appending) is the same case.
    fs::write(file.with_extension("log"), [9, 0, 0, 0, 1, 2, 3]).expect("write a torn log");
    let run = repo.run(&strs(&args));
    assert_eq!(without_elapsed(run.ok()), cold);
    assert!(
        run.stderr.contains("ends inside a record"),
        "{}",
        run.stderr
    );
}

/// The resolutions a repository's head graph keeps (`impact::graph::Resolutions`),
/// next to the facts cache; with `stem` `resolutions-base`, the base graph's.
fn resolutions_file(repo: &TestRepo, stem: &str) -> PathBuf {
    repo.path()
        .join(".impact/cache")
        .join(format!("{stem}-v{FACTS_VERSION}.bin"))
}

/// The resolutions a plan keeps are framed like the facts cache. Cut or corrupted at any
/// record, they give the cold plan with a warning, and the file is written again as an
/// intact one would be; cut between two records, the files it misses are resolved again
/// without a warning.
#[test]
fn a_resolutions_file_cut_or_corrupted_at_any_record_gives_the_cold_plan_and_is_rewritten() {
    let (repo, args, cold, _, _) = cached_repo();
    let file = resolutions_file(&repo, "resolutions");
    assert_resolution_faults_give_the_cold_plan(&repo, &args, &cold, &file);
}

/// The same of the base graph's resolutions, kept when a change removes code.
#[test]
fn the_base_graphs_resolutions_cut_or_corrupted_at_any_record_give_the_cold_plan() {
    let repo = TestRepo::new("billing");
    crate::plan::remove_balance(&repo);
    let args = ["plan", "--format", "json", "--base", repo.base()]
        .map(String::from)
        .to_vec();
    let mut no_cache = args.clone();
    no_cache.push("--no-cache".into());
    let cold = without_elapsed(repo.run(&strs(&no_cache)).ok());
    repo.run(&strs(&args)).ok();
    let file = resolutions_file(&repo, "resolutions-base");
    assert_resolution_faults_give_the_cold_plan(&repo, &args, &cold, &file);
}

/// Damages the resolutions `file` at each record ([`record_faults`]), and cuts it
/// between two: each plan is `cold`, and the file is rewritten as it was. The file is
/// first planned once more: a first plan lists no declarations beside its records
/// (`Table::unlisted`), the next lists them, and a plan that finds the file damaged
/// lists them too.
fn assert_resolution_faults_give_the_cold_plan(
    repo: &TestRepo,
    args: &[String],
    cold: &str,
    file: &Path,
) {
    repo.run(&strs(args)).ok();
    let intact = fs::read(file).expect("the first plan kept its resolutions");
    let starts = record_starts(&intact);
    assert!(starts.len() > 20, "a header and a record per file");

    for (context, bytes) in record_faults(&intact) {
        plan_damaged(
            repo,
            args,
            cold,
            (file, &bytes),
            &context,
            "resolutions cache",
        );
        assert!(
            fs::read(file).expect("rewritten") == intact,
            "{context}: not rewritten as it was"
        );
    }

    fs::write(file, &intact[..starts[starts.len() / 2]]).expect("cut the resolutions");
    let run = repo.run(&strs(args));
    assert_eq!(without_elapsed(run.ok()), cold);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(fs::read(file).expect("rewritten") == intact);
}

/// The listing a plan keeps (`impact::listing`, every path's classification) and the
/// files of the commit it listed (`tree-v<N>.bin`) are one record each, framed like the
/// facts cache's. Cut or corrupted, each gives the cold plan with a warning, and it is
/// written again as it was.
#[test]
fn a_kept_listing_or_tree_cut_or_corrupted_gives_the_cold_plan_and_is_rewritten() {
    let (repo, mut args) = changed_repo();
    // A commit's plan: a plan of the working tree keeps no tree.
    repo.commit("balance");
    args.extend(["--head".to_string(), "HEAD".to_string()]);
    let mut no_cache = args.clone();
    no_cache.push("--no-cache".into());
    let cold = without_elapsed(repo.run(&strs(&no_cache)).ok());
    // The first plan makes the cache directory and keeps neither; the second keeps them.
    repo.run(&strs(&args)).ok();
    let cache = repo.path().join(".impact/cache");
    assert!(
        files_named(&cache, "listing-v").is_empty() && files_named(&cache, "tree-v").is_empty()
    );
    repo.run(&strs(&args)).ok();
    for (stem, what) in [("listing", "listing cache"), ("tree", "tree cache")] {
        let file = repo
            .path()
            .join(".impact/cache")
            .join(format!("{stem}-v{FACTS_VERSION}.bin"));
        let intact = fs::read(&file).expect("the first plan kept it");
        assert_eq!(record_starts(&intact).len(), 1, "{stem}: one record");
        for (context, bytes) in record_faults(&intact) {
            let context = format!("{stem}: {context}");
            plan_damaged(&repo, &args, &cold, (&file, &bytes), &context, what);
            assert!(
                fs::read(&file).expect("rewritten") == intact,
                "{context}: not rewritten as it was"
            );
        }
    }
}

/// Reading a record decodes only the uses that name a component; the rest are checked
/// when the graph reads them. A record whose checksum matches but whose uses do not read
/// back (no version of `impact` writes one) is parsed again: the plan is the cold one, a
/// warning names the file, and the cache takes the new facts. (A file whose resolutions
/// were kept by the plan before does not read its uses: the kept resolutions are
/// removed before the plan that must find the damage.)
#[test]
fn a_cached_record_whose_uses_do_not_read_back_is_parsed_again() {
    let (repo, args, cold, file, intact) = cached_repo();
    let records = decode(&intact).records;
    let starts = record_starts(&intact);
    assert_eq!(records.len(), starts.len());

    for (index, (key, facts)) in records.iter().enumerate() {
        // One use, whose bytes decode to nothing; none that names a component.
        let unreadable = facts.stored_with_uses(&[0xff, 0xff, 0xff], 1, &[0]);
        let record = impact::cache::encode_record(&(key, &unreadable)).expect("encode");
        let end = starts.get(index + 1).copied().unwrap_or(intact.len());
        let mut bytes = intact[..starts[index]].to_vec();
        bytes.extend(&record);
        bytes.extend(&intact[end..]);
        fs::write(&file, &bytes).expect("write the cache");
        let _ = fs::remove_file(file.with_extension("log"));

        // With the resolutions the first plan kept, a file whose record still fits is
        // added from its record without reading its uses: the plan is the cold one,
        // whether or not the damage is found.
        let kept = repo.run(&strs(&args));
        assert_eq!(without_elapsed(kept.ok()), cold, "{key}: not the cold plan");
        // Without them, every file's uses are read, and the damage is found.
        fs::remove_file(resolutions_file(&repo, "resolutions"))
            .expect("remove the kept resolutions");
        fs::write(&file, &bytes).expect("write the cache");
        let _ = fs::remove_file(file.with_extension("log"));
        let run = repo.run(&strs(&args));
        assert_eq!(without_elapsed(run.ok()), cold, "{key}: not the cold plan");
        // The changed class's base version is read only when the base graph is built.
        if !key.contains("InvoiceService.cls") {
            let path = key.split_once(':').map_or(key.as_str(), |(_, path)| path);
            assert!(
                run.stderr.contains("do not read back") && run.stderr.contains(path),
                "{key}: no warning\n{}",
                run.stderr
            );
        }
        let again = repo.run(&strs(&args));
        assert_eq!(without_elapsed(again.ok()), cold, "{key}: the next plan");
        assert!(
            !again.stderr.contains("do not read back"),
            "{key}: the cache kept the record\n{}",
            again.stderr
        );
    }
}

#[test]
fn an_impact_dir_that_cannot_be_written_still_gives_the_plan_with_a_warning() {
    let (repo, args) = changed_repo();
    let mut no_cache = args.clone();
    no_cache.push("--no-cache".into());
    let cold = without_elapsed(repo.run(&strs(&no_cache)).ok());

    // Root writes through any permission bits: a file where the directory should be
    // stops every user.
    let impact_dir = repo.path().join(".impact");
    fs::write(&impact_dir, "not a directory\n").expect("write .impact as a file");
    let run = repo.run(&strs(&args));
    assert_eq!(without_elapsed(run.ok()), cold);
    assert!(
        run.stderr.contains("warning: cannot write the cache"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(&impact_dir).expect("still a file"),
        "not a directory\n"
    );
    fs::remove_file(&impact_dir).expect("remove the file");

    // Read-only permissions, where they stop the user running the tests.
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        let cache_dir = impact_dir.join("cache");
        fs::create_dir_all(&cache_dir).expect("mkdir");
        fs::set_permissions(&cache_dir, fs::Permissions::from_mode(0o555)).expect("chmod");
        let run = repo.run(&strs(&args));
        fs::set_permissions(&cache_dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(without_elapsed(run.ok()), cold);
        assert!(
            run.stderr.contains("cannot write the cache"),
            "{}",
            run.stderr
        );
        assert!(files_named(&cache_dir, "").is_empty(), "nothing written");
    }
}

/// Runs `impact ARGS…` in `dir` with writes to regular files limited to `limit` bytes
/// per file (`RLIMIT_FSIZE`; `SIGXFSZ` ignored so a write past it fails with `EFBIG`):
/// a disk that fills up part-way through a write.
fn run_on_full_disk(dir: &Path, args: &[&str], limit: u64) -> Run {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_impact"));
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1");
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().expect("run impact");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        command: format!("impact {} (files limited to {limit} bytes)", args.join(" ")),
    }
}

#[test]
fn a_full_disk_still_gives_the_plan_and_leaves_nothing_half_written() {
    let (repo, args) = changed_repo();
    let mut no_cache = args.clone();
    no_cache.push("--no-cache".into());
    let cold = without_elapsed(repo.run(&strs(&no_cache)).ok());
    let cache_dir = repo.path().join(".impact/cache");

    // The first plan cannot write its cache file: the temporary file is removed.
    let run = run_on_full_disk(repo.path(), &strs(&args), 4096);
    assert_eq!(without_elapsed(run.ok()), cold);
    assert!(
        run.stderr.contains("cannot write the cache"),
        "{}",
        run.stderr
    );
    assert!(!cache_file(&repo).exists(), "no cache file half-written");
    assert!(
        files_named(&cache_dir, ".tmp").is_empty(),
        "no temporary file left"
    );

    // With a cache in place, the append log of a warm plan cannot grow: it is cut back.
    repo.run(&strs(&args)).ok();
    repo.edit(&class("InvoiceService"), "SCALE = 3", "SCALE = 4");
    let log = cache_file(&repo).with_extension("log");
    let run = run_on_full_disk(repo.path(), &strs(&args), 16);
    run.ok();
    assert!(
        run.stderr.contains("cannot write the cache"),
        "{}",
        run.stderr
    );
    let log_bytes = fs::read(&log).unwrap_or_default();
    assert!(
        !decode(&log_bytes).is_damaged(),
        "the log keeps no half record"
    );
    let after = repo.run(&strs(&args));
    assert!(!after.stderr.contains("damaged"), "{}", after.stderr);

    // A history that cannot grow (SQLite cannot even make its shared-memory file): it is
    // read without writing, and churn is counted without caching it.
    let history = repo.path().join(".impact/history.db");
    repo.run(&["record", &results_file("junit-sf-apex.xml")])
        .ok();
    repo.commit("a commit the churn walk has not seen");
    let run = run_on_full_disk(repo.path(), &strs(&args), 4096);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("is read without writing"),
        "{}",
        run.stderr
    );
    let before = history_counts(&history);

    // Recording needs to write: a clear input error, and the history keeps what it had.
    let record = ["record", &results_file("deploy-report-typed.json")];
    run_on_full_disk(repo.path(), &record, 4096).assert_input_error("cannot write");
    assert_eq!(history_counts(&history), before);
    repo.run(&record).ok();
    assert_eq!(history_counts(&history).0, before.0 + 1);
}

/// A file of `tests/data/results/`.
fn results_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/results")
        .join(name)
        .display()
        .to_string()
}

/// `sf apex run test --json` with `count` passing tests, as run `run_id`.
fn big_sf_run(run_id: &str, count: usize) -> String {
    let tests: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            serde_json::json!({
                "Id": format!("07M5g{i:010}AAB"),
                "QueueItemId": "7095g000001Q01AAE",
                "StackTrace": null,
                "Message": null,
                "AsyncApexJobId": run_id,
                "MethodName": format!("method{i}"),
                "Outcome": "Pass",
                "ApexClass": { "Id": "01p5g00000Tst01AAA", "Name": format!("Class{}Test", i / 50), "NamespacePrefix": null },
                "RunTime": 12,
                "FullName": format!("Class{}Test.method{i}", i / 50),
            })
        })
        .collect();
    serde_json::json!({
        "status": 0,
        "result": {
            "summary": {
                "outcome": "Passed", "testsRan": count, "passing": count, "failing": 0,
                "skipped": 0, "testRunId": run_id, "testStartTime": "2024-06-03T09:14:22.000Z",
            },
            "tests": tests,
        },
        "warnings": [],
    })
    .to_string()
}

/// (runs, test results) in a history file, read with SQLite after an integrity check.
fn history_counts(history: &Path) -> (i64, i64) {
    let db = rusqlite::Connection::open(history).expect("open the history");
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check");
    assert_eq!(integrity, "ok", "the history is damaged");
    let count = |table: &str| -> i64 {
        db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap_or(0)
    };
    (count("runs"), count("test_results"))
}

#[test]
fn record_killed_at_any_point_leaves_a_consistent_history_that_re_recording_completes() {
    const TESTS: usize = 20_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let results = dir.path().join("run.json");
    fs::write(&results, big_sf_run("7075g00000Kill1AAA", TESTS)).expect("write results");
    let results = results.display().to_string();

    // How long one whole record takes here, to spread the kills over it.
    let timing = dir.path().join("timing.db");
    let started = Instant::now();
    run_in(
        dir.path(),
        &[
            "record",
            &results,
            "--history",
            &timing.display().to_string(),
        ],
    )
    .ok();
    let whole = started.elapsed();
    assert_eq!(history_counts(&timing), (1, TESTS as i64));

    // Kill points from a fixed pseudo-random sequence (reproducible), from right after
    // the start to past the end.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut killed_running = 0;
    // Until six kills hit a running process (a loaded machine stretches the timing).
    for attempt in 0..24 {
        if killed_running == 6 {
            break;
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let fraction = (seed % 1000) as f64 / 1000.0;
        let delay = whole.mul_f64(fraction);
        let history = dir.path().join(format!("killed-{attempt}.db"));
        let history_arg = history.display().to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_impact"))
            .args(["record", &results, "--history", &history_arg])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start impact record");
        std::thread::sleep(delay);
        if child.try_wait().expect("poll").is_none() {
            killed_running += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let context = format!("killed after {delay:?} of {whole:?}");
        if history.exists() {
            let (runs, tests) = history_counts(&history);
            assert!(
                (runs, tests) == (0, 0) || (runs, tests) == (1, TESTS as i64),
                "{context}: half a run recorded ({runs} runs, {tests} tests)"
            );
        }
        run_in(dir.path(), &["record", &results, "--history", &history_arg]).ok();
        assert_eq!(history_counts(&history), (1, TESTS as i64), "{context}");
    }
    assert_eq!(killed_running, 6, "too few kills hit a running record");
}

#[test]
fn several_record_processes_on_one_history_lose_nothing_and_add_nothing_twice() {
    const WRITERS: usize = 4;
    const TESTS: usize = 2_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("shared.db").display().to_string();
    // Each writer records its own run and the shared one.
    let shared = dir.path().join("shared.json");
    fs::write(&shared, big_sf_run("7075g00000ShareAAA", TESTS)).expect("write");
    let files: Vec<String> = (0..WRITERS)
        .map(|writer| {
            let path = dir.path().join(format!("run{writer}.json"));
            fs::write(
                &path,
                big_sf_run(&format!("7075g00000Run{writer:02}AAA"), TESTS),
            )
            .expect("write");
            path.display().to_string()
        })
        .collect();
    let shared = shared.display().to_string();
    let children: Vec<_> = files
        .iter()
        .map(|own| {
            Command::new(env!("CARGO_BIN_EXE_impact"))
                .args(["record", own, &shared, "--history", &history])
                .current_dir(dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start impact record")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        assert!(
            output.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let expected_runs = WRITERS as i64 + 1;
    assert_eq!(
        history_counts(Path::new(&history)),
        (expected_runs, expected_runs * TESTS as i64)
    );
}

#[test]
fn a_history_from_a_newer_impact_is_refused_and_left_untouched() {
    let (repo, args) = changed_repo();
    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("newer.db");
    let history_arg = history.display().to_string();
    run_in(
        dir.path(),
        &[
            "record",
            &results_file("junit-sf-apex.xml"),
            "--history",
            &history_arg,
        ],
    )
    .ok();
    {
        let db = rusqlite::Connection::open(&history).expect("open");
        let version: i64 = db
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .expect("version");
        db.execute_batch(&format!("PRAGMA user_version = {}", version + 1))
            .expect("bump the version");
    }
    let before = fs::read(&history).expect("read");
    let modified = fs::metadata(&history)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(Duration::from_millis(20));

    let mut plan = strs(&args);
    plan.extend(["--history", &history_arg]);
    repo.run(&plan).assert_input_error("newer");
    repo.run(&[
        "record",
        &results_file("deploy-report-typed.json"),
        "--history",
        &history_arg,
    ])
    .assert_input_error("newer");
    repo.run(&["history", "--history", &history_arg])
        .assert_input_error("newer");

    assert_eq!(
        fs::read(&history).expect("read"),
        before,
        "the file changed"
    );
    assert_eq!(
        fs::metadata(&history)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "newer.db")
        .collect();
    assert!(
        leftovers.is_empty(),
        "files next to the history: {leftovers:?}"
    );
}

/// A damaged commit cache (churn's, without a history) is reported by the plan that
/// ranks tests by churn, which rewrites it; a plan that selects no test reads no churn,
/// says nothing of it and leaves the file as it is.
#[test]
fn a_damaged_commit_cache_is_reported_by_the_plan_that_ranks() {
    let repo = TestRepo::new("billing");
    // Without its critical mark, no test runs for a range that changes nothing.
    repo.edit(
        &class("BillingSmokeTest"),
        "@isTest(critical=true)",
        "@isTest",
    );
    let quiet = repo.commit("BillingSmokeTest runs when something reaches it");
    repo.edit(&class("InvoiceService"), "SCALE = 2", "SCALE = 3");
    let ranks = ["plan", "--base", quiet.as_str()];
    let plan = repo.plan_json(&ranks[1..]);
    assert!(
        !plan["tests"].as_array().expect("tests").is_empty(),
        "the change selects tests: {plan}"
    );
    let file = repo
        .path()
        .join(".impact/cache")
        .join(format!("commits-v{FACTS_VERSION}.bin"));
    let intact = fs::read(&file).expect("the plan cached what each commit changed");
    let mut damaged = intact.clone();
    damaged[RECORD_HEADER] ^= 0x01;
    fs::write(&file, &damaged).expect("damage the commit cache");

    let nothing = repo.run(&["plan", "--base", &quiet, "--head", &quiet]);
    assert!(
        nothing.ok().contains("0 of"),
        "no test selected:\n{}",
        nothing.stdout
    );
    assert!(
        !nothing.stderr.contains("commit cache"),
        "a plan that ranks nothing warned:\n{}",
        nothing.stderr
    );
    assert_eq!(fs::read(&file).expect("still there"), damaged);

    let again = repo.run(&ranks);
    again.ok();
    assert!(
        again.stderr.contains("commit cache") && again.stderr.contains("is damaged"),
        "no warning:\n{}",
        again.stderr
    );
    assert_eq!(fs::read(&file).expect("rewritten"), intact);
}

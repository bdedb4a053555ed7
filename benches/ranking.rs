//! Ranking benchmark: replays simulated commits with known per-test failure behaviour and
//! compares the APFD and APFDc of `impact`'s order with random order and with graph
//! distance alone.
//!
//! ```text
//! cargo bench --bench ranking -- [--commits 400] [--warmup 60] [--seed 7]
//! ```
//!
//! The simulated org: classes in layers, each using one to three classes of the layers
//! below; one unit test per class and some integration tests that use several classes.
//! Hidden behaviour, which the ranking never sees directly:
//! - each class has a bug probability per change; a fifth of the classes are "hot":
//!   changed five times as often and three times as buggy (churn predicts faults);
//! - each test has a sensitivity (sharp 0.9, normal 0.45, weak 0.08): the chance it
//!   fails when a bug sits in a class it reaches, times 0.6 per hop beyond the first;
//! - a bug survives the next commit with chance 0.5 (that commit is another attempt on
//!   the same class), and the same tests fail again: failures recur, as in CI;
//! - a tenth of the tests are flaky: they fail at random in 35% of their runs, whatever
//!   changed; such failures reveal no fault;
//! - run times are spread from 0.3 s to 90 s.
//!
//! Each commit changes one to three classes; the tests that reach a changed class
//! (through the simulated graph) run, in three orders: `impact` (`rank::rank` with the
//! history recorded so far in a real history file, churn over the last 200 commits
//! through the store's churn cache), distance alone (`rank::rank` with no inputs) and
//! random (mean of 20 shuffles). Their outcomes are recorded, then the next commit
//! comes. After `--warmup` commits, every commit where a selected test revealed a fault
//! is scored: APFD = 1 − ΣTF/(n·m) + 1/(2n), and APFDc (cost-cognizant, equal fault
//! severity) = Σ_i (Σ_{j ≥ TF_i} t_j − t_{TF_i}/2) / (m · Σ t_j), where TF_i is the
//! position of the first test revealing fault i. A second line counts every flaky
//! failure as a fault too.
//!
//! Without `--bench` (as under `cargo test --all-targets`) it replays a short history
//! and only checks that it runs.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::process::ExitCode;

use impact::churn::Churn;
use impact::history::History;
use impact::impact::{Reason, SelectedTest, TestKind};
use impact::metadata::component::ComponentId;
use impact::rank::{self, Inputs, TestHistory};
use impact::results::{self, Outcome, ResultFormat, TestResult, TestRun};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A simulated test.
struct Test {
    name: String,
    /// Classes it uses directly.
    uses: Vec<usize>,
    sensitivity: f64,
    flaky: bool,
    seconds: f64,
}

/// The simulated org.
struct Org {
    /// For each class, the classes that use it.
    users: Vec<Vec<usize>>,
    hot: Vec<bool>,
    bug: Vec<f64>,
    tests: Vec<Test>,
    /// For each class, the tests that use it directly.
    tested_by: Vec<Vec<usize>>,
}

const CLASSES: usize = 150;
const LAYERS: usize = 5;
const CHURN_WINDOW: usize = 200;
/// Chance that a bug survives the next commit (a fix attempt on the same class).
const PERSIST: f64 = 0.5;

impl Org {
    fn generate(rng: &mut Rng) -> Org {
        let per_layer = CLASSES / LAYERS;
        let mut users = vec![Vec::new(); CLASSES];
        for class in per_layer..CLASSES {
            let layer = class / per_layer;
            for _ in 0..1 + rng.below(3) {
                let lower = rng.below(layer * per_layer);
                if !users[lower].contains(&class) {
                    users[lower].push(class);
                }
            }
        }
        let hot: Vec<bool> = (0..CLASSES).map(|_| rng.chance(0.2)).collect();
        let bug: Vec<f64> = hot.iter().map(|h| if *h { 0.45 } else { 0.15 }).collect();
        let mut tests = Vec::new();
        let make = |rng: &mut Rng, name: String, uses: Vec<usize>| {
            let roll = rng.unit();
            let sensitivity = if roll < 0.3 {
                0.9
            } else if roll < 0.8 {
                0.45
            } else {
                0.08
            };
            // Log-uniform from 0.3 s to 90 s.
            let seconds = 0.3 * (300f64).powf(rng.unit());
            Test {
                name,
                uses,
                sensitivity,
                flaky: rng.chance(0.1),
                seconds,
            }
        };
        for class in 0..CLASSES {
            tests.push(make(rng, format!("C{class:03}Test"), vec![class]));
        }
        for i in 0..40 {
            let uses: Vec<usize> = (0..2 + rng.below(3)).map(|_| rng.below(CLASSES)).collect();
            tests.push(make(rng, format!("Integration{i:02}Test"), uses));
        }
        let mut tested_by = vec![Vec::new(); CLASSES];
        for (index, test) in tests.iter().enumerate() {
            for &class in &test.uses {
                tested_by[class].push(index);
            }
        }
        Org {
            users,
            hot,
            bug,
            tests,
            tested_by,
        }
    }

    /// Hops from a changed class to each test that reaches it (1 = uses it directly).
    fn distances(&self, changed: usize) -> BTreeMap<usize, u32> {
        let mut out = BTreeMap::new();
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([(changed, 0u32)]);
        seen.insert(changed);
        while let Some((class, hops)) = queue.pop_front() {
            for &test in &self.tested_by[class] {
                out.entry(test).or_insert(hops + 1);
            }
            for &user in &self.users[class] {
                if seen.insert(user) {
                    queue.push_back((user, hops + 1));
                }
            }
        }
        out
    }

    fn pick_class(&self, rng: &mut Rng) -> usize {
        let weight = |c: usize| if self.hot[c] { 5.0 } else { 1.0 };
        let total: f64 = (0..CLASSES).map(weight).sum();
        let mut target = rng.unit() * total;
        for class in 0..CLASSES {
            target -= weight(class);
            if target <= 0.0 {
                return class;
            }
        }
        CLASSES - 1
    }
}

/// APFD and APFDc of an order; `reveals[i]` lists the faults test `order[i]` reveals.
fn apfd(
    order: &[usize],
    reveals: &HashMap<usize, Vec<usize>>,
    seconds: &HashMap<usize, f64>,
    faults: usize,
) -> (f64, f64) {
    let n = order.len() as f64;
    let mut first: BTreeMap<usize, usize> = BTreeMap::new();
    for (position, test) in order.iter().enumerate() {
        for fault in reveals.get(test).into_iter().flatten() {
            first.entry(*fault).or_insert(position);
        }
    }
    let m = faults as f64;
    let sum_tf: f64 = first.values().map(|p| (*p + 1) as f64).sum();
    let apfd = 1.0 - sum_tf / (n * m) + 1.0 / (2.0 * n);
    let costs: Vec<f64> = order.iter().map(|t| seconds[t]).collect();
    let total: f64 = costs.iter().sum();
    let numerator: f64 = first
        .values()
        .map(|&p| costs[p..].iter().sum::<f64>() - costs[p] / 2.0)
        .sum();
    (apfd, numerator / (total * m))
}

#[derive(Default)]
struct Score {
    apfd: f64,
    apfdc: f64,
    count: usize,
}

impl Score {
    fn add(&mut self, (apfd, apfdc): (f64, f64)) {
        self.apfd += apfd;
        self.apfdc += apfdc;
        self.count += 1;
    }

    fn mean(&self) -> (f64, f64) {
        let n = self.count.max(1) as f64;
        (self.apfd / n, self.apfdc / n)
    }
}

fn parse(args: &[String]) -> Result<(usize, usize, u64, bool), String> {
    let mut commits = 400;
    let mut warmup = 60;
    let mut seed = 7;
    let bench = args.iter().any(|a| a == "--bench");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--commits" => commits = number("--commits")? as usize,
            "--warmup" => warmup = number("--warmup")? as usize,
            "--seed" => seed = number("--seed")?,
            _ => {}
        }
    }
    if !bench {
        commits = commits.min(40);
        warmup = warmup.min(10);
    }
    Ok((commits, warmup, seed, bench))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (commits, warmup, seed, bench) = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("ranking bench: {message}");
            return ExitCode::from(2);
        }
    };
    match replay(commits, warmup, seed) {
        Ok(report) => {
            if bench {
                println!("{report}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ranking bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn replay(commits: usize, warmup: usize, seed: u64) -> Result<String, String> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let org = Org::generate(&mut rng);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut history = History::open(&dir.path().join("history.db")).map_err(|e| e.to_string())?;
    let mut window: VecDeque<String> = VecDeque::new();
    let (mut ours, mut distance_only, mut random) =
        (Score::default(), Score::default(), Score::default());
    let (mut ours_all, mut distance_all, mut random_all) =
        (Score::default(), Score::default(), Score::default());
    let mut scored_faults = 0;
    let mut open_bugs: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut selected_total = 0;
    for commit in 0..commits {
        let changed: Vec<usize> = {
            let mut set: Vec<usize> = (0..1 + rng.below(3))
                .map(|_| org.pick_class(&mut rng))
                .collect();
            // A bug not fixed yet: this commit is the next attempt on the same class.
            set.extend(open_bugs.iter().map(|(class, _)| *class));
            set.sort();
            set.dedup();
            set
        };
        // Tests reached, with the nearest changed class and its distance.
        let mut reach: BTreeMap<usize, (u32, usize)> = BTreeMap::new();
        for &class in &changed {
            for (test, hops) in org.distances(class) {
                let entry = reach.entry(test).or_insert((hops, class));
                if hops < entry.0 {
                    *entry = (hops, class);
                }
            }
        }
        // Ground truth: bugs, and which tests reveal them.
        let mut reveals: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut faults = 0;
        let mut still_open = Vec::new();
        for (class, revealers) in std::mem::take(&mut open_bugs) {
            // The same tests fail again until the bug is fixed.
            for &test in &revealers {
                reveals.entry(test).or_default().push(faults);
            }
            faults += 1;
            if rng.chance(PERSIST) {
                still_open.push((class, revealers));
            }
        }
        let reopened: HashSet<usize> = still_open.iter().map(|(c, _)| *c).collect();
        for &class in &changed {
            if reopened.contains(&class) || !rng.chance(org.bug[class]) {
                continue;
            }
            let mut revealers = Vec::new();
            for (test, hops) in org.distances(class) {
                let t = &org.tests[test];
                let p = t.sensitivity * 0.6f64.powi(hops.saturating_sub(1) as i32);
                if rng.chance(p) {
                    reveals.entry(test).or_default().push(faults);
                    revealers.push(test);
                }
            }
            if !revealers.is_empty() {
                faults += 1;
                if rng.chance(PERSIST) {
                    still_open.push((class, revealers));
                }
            }
        }
        open_bugs = still_open;
        let mut flaky_failures: Vec<usize> = reach
            .keys()
            .copied()
            .filter(|&t| org.tests[t].flaky && rng.chance(0.35))
            .collect();
        flaky_failures.sort();

        let selected: Vec<usize> = reach.keys().copied().collect();
        if commit >= warmup && faults > 0 && selected.len() > 1 {
            let inputs = inputs(&history, &window, &changed)?;
            let tests: Vec<SelectedTest> = selected
                .iter()
                .map(|&t| {
                    let (hops, class) = reach[&t];
                    let id = ComponentId::new("ApexClass", &org.tests[t].name);
                    SelectedTest {
                        id: id.clone(),
                        kind: TestKind::Apex,
                        flow: None,
                        methods: Vec::new(),
                        distance: hops,
                        reasons: vec![Reason {
                            path: vec![ComponentId::new("ApexClass", &format!("C{class:03}")), id],
                            edges: Vec::new(),
                            note: None,
                        }],
                        file: None,
                    }
                })
                .collect();
            let index: HashMap<String, usize> = selected
                .iter()
                .map(|&t| {
                    (
                        ComponentId::new("ApexClass", &org.tests[t].name)
                            .key()
                            .to_string(),
                        t,
                    )
                })
                .collect();
            let order_of = |ranked: Vec<rank::RankedTest>| -> Vec<usize> {
                ranked.iter().map(|r| index[r.test.id.key()]).collect()
            };
            let ranked = rank::rank(tests.clone(), &inputs);
            let impact_order = order_of(ranked);
            let distance_order = order_of(rank::rank(tests, &Inputs::default()));
            let seconds: HashMap<usize, f64> = selected
                .iter()
                .map(|&t| (t, org.tests[t].seconds))
                .collect();
            // Every failure a fault: each flaky failure is one more.
            let mut reveals_all = reveals.clone();
            for (k, &t) in flaky_failures.iter().enumerate() {
                reveals_all.entry(t).or_default().push(faults + k);
            }
            let faults_all = faults + flaky_failures.len();
            ours.add(apfd(&impact_order, &reveals, &seconds, faults));
            distance_only.add(apfd(&distance_order, &reveals, &seconds, faults));
            ours_all.add(apfd(&impact_order, &reveals_all, &seconds, faults_all));
            distance_all.add(apfd(&distance_order, &reveals_all, &seconds, faults_all));
            for _ in 0..20 {
                let mut shuffled = selected.clone();
                for i in (1..shuffled.len()).rev() {
                    shuffled.swap(i, rng.below(i + 1));
                }
                random.add(apfd(&shuffled, &reveals, &seconds, faults));
                random_all.add(apfd(&shuffled, &reveals_all, &seconds, faults_all));
            }
            scored_faults += faults;
            selected_total += selected.len();
        }

        // Record the run and the commit's changed components, as CI would.
        let sha = format!("{:040x}", commit + 1);
        let components: Vec<String> = changed
            .iter()
            .map(|c| format!("ApexClass:C{c:03}"))
            .collect();
        history
            .record_commit_changes(&sha, commit as i64, &components)
            .map_err(|e| e.to_string())?;
        window.push_front(sha.clone());
        window.truncate(CHURN_WINDOW);
        let run = TestRun {
            format: ResultFormat::Junit,
            run_id: format!("run-{commit}"),
            started_at: None,
            tests: selected
                .iter()
                .map(|&t| {
                    let failed = reveals.contains_key(&t) || flaky_failures.contains(&t);
                    TestResult {
                        kind: results::TestKind::Apex,
                        class_name: org.tests[t].name.clone(),
                        method_name: "run".into(),
                        outcome: if failed { Outcome::Fail } else { Outcome::Pass },
                        duration_ms: Some((org.tests[t].seconds * 1000.0) as u64),
                        message: None,
                        stack_trace: None,
                        namespace: None,
                    }
                })
                .collect(),
            class_coverage: Vec::new(),
            test_coverage: Vec::new(),
            org_wide_coverage: None,
            coverage_warnings: Vec::new(),
            total_time_ms: None,
        };
        history
            .record(&run, Some(&sha))
            .map_err(|e| e.to_string())?;
    }
    let line = |name: &str, score: &Score| {
        let (apfd, apfdc) = score.mean();
        format!("  {name:<14} APFD {apfd:.3}  APFDc {apfdc:.3}")
    };
    Ok(format!(
        "ranking bench: {} commits replayed ({} warm-up), {} scored, {} faults, {:.1} tests selected on average, {} tests in the org\n\
         faults = change-caused failures:\n{}\n{}\n{}\n\
         every failure counts (flaky ones too):\n{}\n{}\n{}",
        commits,
        warmup,
        ours.count,
        scored_faults,
        selected_total as f64 / ours.count.max(1) as f64,
        org.tests.len(),
        line("impact", &ours),
        line("distance only", &distance_only),
        line("random", &random),
        line("impact", &ours_all),
        line("distance only", &distance_all),
        line("random", &random_all),
    ))
}

/// What `impact plan` would hand the ranking at this point of the history.
fn inputs(
    history: &History,
    window: &VecDeque<String>,
    changed: &[usize],
) -> Result<Inputs, String> {
    let commits: Vec<String> = window.iter().cloned().collect();
    let counts = history.churn_counts(&commits).map_err(|e| e.to_string())?;
    let mut inputs = Inputs {
        churn: Churn::from_counts(counts, commits.len()),
        ..Inputs::default()
    };
    for class in history.class_stats(20).map_err(|e| e.to_string())? {
        inputs.history.insert(
            ComponentId::new("ApexClass", &class.class_name)
                .key()
                .to_string(),
            TestHistory {
                runs: class.runs,
                failure_rate: class.failure_rate,
                flakiness: class.flakiness,
                duration_ms: class.duration_ms,
            },
        );
    }
    for &class in changed {
        let key = ComponentId::new("ApexClass", &format!("C{class:03}"))
            .key()
            .to_string();
        inputs.change_of_node.insert(key.clone(), key);
    }
    Ok(inputs)
}

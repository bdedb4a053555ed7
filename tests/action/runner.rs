//! A small GitHub Actions runner for one composite action: `action.yml` at the crate root.
//!
//! It does what the Actions runner does with a composite action's steps, for the parts
//! `action.yml` uses:
//! - reads `inputs` (with defaults), `outputs` and `runs.steps` from the YAML;
//! - evaluates `${{ … }}` in `env:`, `with:`, `working-directory:`, `if:` and the action's
//!   `outputs.*.value` with a tiny evaluator: contexts `inputs`, `steps.<id>.outputs`,
//!   `github` (`action_path`, `action_ref`, `workspace`, `event.…`, `run_id`), `runner`
//!   and `env`; string literals; `==`, `!=` (case-insensitive, as GitHub compares
//!   strings), `!`, `&&`, `||`, parentheses; `success()`, `failure()`, `always()`.
//!   Anything else is an error, so an expression the harness cannot check fails the test;
//! - runs each `run:` step with `bash --noprofile --norc -eo pipefail FILE` (the runner's
//!   `shell: bash`), the step's `env`, its `working-directory`, and fresh
//!   `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH` and `GITHUB_STEP_SUMMARY` files, which it
//!   then reads back with the runner's rules (`name=value` and `name<<DELIMITER` blocks);
//! - reads workflow commands on standard output and error (`::error::`, `::warning::`,
//!   `::notice::`, the deprecated `::set-output::`, and `::stop-commands::TOKEN` …
//!   `::TOKEN::`);
//! - skips `uses:` steps (actions/cache, …) with a note, after evaluating their `with:`;
//! - replaces the step with `id: install` (`cargo install --path` of the action) by the
//!   binary under test: the directory of `CARGO_BIN_EXE_impact` goes on PATH, as the real
//!   step does with `GITHUB_PATH` (a test may run the real step with a stand-in `cargo`,
//!   and give skipped `uses:` steps outputs, such as a cache hit).
//!
//! What it does not do: other shells, `pre`/`post`, nested composite actions, masking,
//! expression functions beyond the three status checks, and `run:` scripts that contain
//! an expression (it refuses them: the action must pass everything through `env:`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

/// The action's directory: this crate.
pub fn action_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One step of `runs.steps`.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: Option<String>,
    pub condition: Option<String>,
    pub run: Option<String>,
    pub shell: Option<String>,
    pub uses: Option<String>,
    pub with: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
    pub working_directory: Option<String>,
}

/// `action.yml`, as far as the runner needs it.
#[derive(Debug, Clone)]
pub struct Action {
    pub inputs: Vec<(String, String)>,
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

/// Reads a YAML file (one document).
pub fn load_yaml(path: &Path) -> Yaml {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    assert_eq!(
        docs.len(),
        1,
        "{}: expected one YAML document",
        path.display()
    );
    docs.remove(0)
}

/// A scalar as the runner sees it (numbers and booleans are strings too).
fn scalar(node: &Yaml) -> Option<String> {
    match node {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The `key: scalar` pairs of a mapping, in file order.
fn pairs(node: &Yaml, what: &str) -> Vec<(String, String)> {
    match node {
        Yaml::BadValue | Yaml::Null => Vec::new(),
        Yaml::Hash(hash) => hash
            .iter()
            .map(|(k, v)| {
                let key = scalar(k).unwrap_or_else(|| panic!("{what}: a key is not a string"));
                let value = scalar(v).unwrap_or_else(|| panic!("{what}.{key}: not a scalar"));
                (key, value)
            })
            .collect(),
        other => panic!("{what}: expected a mapping, found {other:?}"),
    }
}

impl Action {
    /// Reads `action.yml` of this crate.
    pub fn load() -> Action {
        Action::from_yaml(&load_yaml(&action_dir().join("action.yml")))
    }

    /// Builds the model from a parsed `action.yml`.
    pub fn from_yaml(doc: &Yaml) -> Action {
        assert_eq!(
            scalar(&doc["runs"]["using"]).as_deref(),
            Some("composite"),
            "runs.using must be composite"
        );
        let mut inputs = Vec::new();
        if let Yaml::Hash(hash) = &doc["inputs"] {
            for (k, v) in hash {
                let id = scalar(k).expect("input id");
                inputs.push((id, scalar(&v["default"]).unwrap_or_default()));
            }
        }
        let mut outputs = Vec::new();
        if let Yaml::Hash(hash) = &doc["outputs"] {
            for (k, v) in hash {
                let id = scalar(k).expect("output id");
                let value =
                    scalar(&v["value"]).unwrap_or_else(|| panic!("output {id} has no value"));
                outputs.push((id, value));
            }
        }
        let steps = doc["runs"]["steps"]
            .as_vec()
            .expect("runs.steps is a list")
            .iter()
            .map(|s| Step {
                id: scalar(&s["id"]),
                condition: scalar(&s["if"]),
                run: scalar(&s["run"]),
                shell: scalar(&s["shell"]),
                uses: scalar(&s["uses"]),
                with: pairs(&s["with"], "with"),
                env: pairs(&s["env"], "env"),
                working_directory: scalar(&s["working-directory"]),
            })
            .collect();
        Action {
            inputs,
            outputs,
            steps,
        }
    }
}

/// A `::command props::message` line the runner acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowCommand {
    pub name: String,
    pub properties: String,
    pub message: String,
}

/// What one step did.
#[derive(Debug, Clone)]
pub struct StepRun {
    pub id: Option<String>,
    /// `ran`, `skipped (if)`, `skipped (uses: …)` or `replaced (install)`.
    pub status: String,
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    pub commands: Vec<WorkflowCommand>,
    /// A skipped `uses:` step's `with:`, evaluated (the cache paths and keys).
    pub with: BTreeMap<String, String>,
}

/// What one use of the action did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The action's outputs (`outputs.*.value` evaluated at the end).
    pub outputs: BTreeMap<String, String>,
    /// Everything the steps wrote to `GITHUB_STEP_SUMMARY`.
    pub summary: String,
    pub steps: Vec<StepRun>,
    /// The id (or index) of the first step that failed.
    pub failed_step: Option<String>,
}

impl Outcome {
    /// True when no step failed.
    pub fn success(&self) -> bool {
        self.failed_step.is_none()
    }

    /// The messages of every `::error` command, unescaped.
    pub fn errors(&self) -> Vec<String> {
        self.commands("error")
    }

    /// The messages of every `::warning` command, unescaped.
    pub fn warnings(&self) -> Vec<String> {
        self.commands("warning")
    }

    fn commands(&self, name: &str) -> Vec<String> {
        self.steps
            .iter()
            .flat_map(|s| &s.commands)
            .filter(|c| c.name == name)
            .map(|c| c.message.clone())
            .collect()
    }

    /// An output, or "" (as GitHub gives an unset output).
    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map(String::as_str).unwrap_or("")
    }

    /// Every step's standard output and error, for failure messages.
    pub fn log(&self) -> String {
        let mut log = String::new();
        for step in &self.steps {
            log.push_str(&format!(
                "--- step {} ({}, exit {})\n{}{}",
                step.id.as_deref().unwrap_or("-"),
                step.status,
                step.exit_code,
                step.stdout,
                step.stderr
            ));
        }
        log
    }
}

/// A job: one workspace, one `RUNNER_TEMP` and `HOME`, one event, any number of uses of the
/// action in sequence (what a workflow job with several `uses: impact` steps sees).
pub struct Job {
    root: tempfile::TempDir,
    pub workspace: PathBuf,
    pub event_name: String,
    event: Value,
    /// Extra runner variables (`GITHUB_SHA`, `GITHUB_HEAD_REF`, …).
    pub runner_env: Vec<(String, String)>,
    /// Variables set through `GITHUB_ENV` by earlier steps.
    job_env: BTreeMap<String, String>,
    /// Directories added through `GITHUB_PATH` (newest first).
    job_path: Vec<String>,
    /// Run the `install` step as it is instead of replacing it (with a stand-in `cargo`
    /// on PATH).
    pub real_install: bool,
    /// Outputs that skipped `uses:` steps report, by step id (e.g. a cache hit).
    pub uses_outputs: BTreeMap<String, BTreeMap<String, String>>,
    action: Action,
    counter: usize,
}

impl Job {
    /// A job over `workspace` triggered by `event_name` with `event` as the event payload.
    pub fn new(workspace: &Path, event_name: &str, event: Value) -> Job {
        let root = tempfile::Builder::new()
            .prefix("impact-action-runner-")
            .tempdir()
            .expect("create the runner directory");
        for dir in ["temp", "home", "files"] {
            fs::create_dir_all(root.path().join(dir)).expect("create runner directories");
        }
        fs::write(root.path().join("gitconfig"), "").expect("write an empty git config");
        fs::write(
            root.path().join("event.json"),
            serde_json::to_vec_pretty(&event).expect("event JSON"),
        )
        .expect("write the event");
        Job {
            root,
            workspace: workspace.to_path_buf(),
            event_name: event_name.to_string(),
            event,
            runner_env: Vec::new(),
            job_env: BTreeMap::new(),
            job_path: Vec::new(),
            real_install: false,
            uses_outputs: BTreeMap::new(),
            action: Action::load(),
            counter: 0,
        }
    }

    /// Puts a directory first on PATH for every later step.
    pub fn prepend_path(&mut self, dir: &Path) {
        self.job_path.insert(0, dir.display().to_string());
    }

    /// `RUNNER_TEMP`.
    pub fn runner_temp(&self) -> PathBuf {
        self.root.path().join("temp")
    }

    /// The directory the job's files live in (for scans after a hostile run).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Runs the action once with these inputs.
    pub fn run(&mut self, inputs: &[(&str, &str)]) -> Outcome {
        let known: Vec<&str> = self.action.inputs.iter().map(|(k, _)| k.as_str()).collect();
        for (name, _) in inputs {
            assert!(known.contains(name), "action.yml has no input {name}");
        }
        let mut resolved = BTreeMap::new();
        for (id, default) in &self.action.inputs {
            let given = inputs
                .iter()
                .find(|(k, _)| k == id)
                .map(|(_, v)| v.to_string());
            resolved.insert(id.clone(), given.unwrap_or_else(|| default.clone()));
        }
        let action = self.action.clone();
        let mut state = RunState {
            inputs: resolved,
            steps: BTreeMap::new(),
            failed: false,
        };
        let no_env = BTreeMap::new();
        let mut runs = Vec::new();
        let mut summary = String::new();
        let mut failed_step = None;
        for (index, step) in action.steps.iter().enumerate() {
            let label = step.id.clone().unwrap_or_else(|| format!("#{index}"));
            let condition = step.condition.clone().unwrap_or_default();
            let run_it = {
                let ctx = self.context(&state, &no_env);
                let has_status = ["success()", "failure()", "always()", "cancelled()"]
                    .iter()
                    .any(|f| condition.contains(f));
                let expr = strip_braces(&condition);
                let value = if expr.trim().is_empty() {
                    Val::Bool(!state.failed)
                } else {
                    let v = eval(expr, &ctx).unwrap_or_else(|e| panic!("step {label}: if: {e}"));
                    if has_status {
                        v
                    } else {
                        Val::Bool(!state.failed && v.truthy())
                    }
                };
                value.truthy()
            };
            if !run_it {
                runs.push(StepRun::note(&step.id, "skipped (if)"));
                // As on a runner: a skipped step's outputs are there, and empty.
                if let Some(id) = &step.id {
                    state.steps.insert(id.clone(), BTreeMap::new());
                }
                continue;
            }
            if let Some(uses) = &step.uses {
                // Evaluated so that every expression of `with:` is one the harness knows.
                let ctx = self.context(&state, &no_env);
                let mut run = StepRun::note(&step.id, &format!("skipped (uses: {uses})"));
                for (key, value) in &step.with {
                    let value = interpolate(value, &ctx)
                        .unwrap_or_else(|e| panic!("step {label}: with.{key}: {e}"));
                    run.with.insert(key.clone(), value);
                }
                runs.push(run);
                if let Some(id) = &step.id {
                    let outputs = self.uses_outputs.get(id).cloned().unwrap_or_default();
                    state.steps.insert(id.clone(), outputs);
                }
                continue;
            }
            if step.id.as_deref() == Some("install") && !self.real_install {
                // The binary under test instead of `cargo install --path` of the action.
                let bin = Path::new(env!("CARGO_BIN_EXE_impact"));
                let dir = bin.parent().expect("the binary's directory");
                self.job_path.insert(0, dir.display().to_string());
                runs.push(StepRun::note(&step.id, "replaced (install)"));
                state.steps.insert("install".into(), BTreeMap::new());
                continue;
            }
            let run = self.run_step(step, &label, &state);
            summary.push_str(&run.summary);
            if let Some(id) = &step.id {
                state.steps.insert(id.clone(), run.outputs.clone());
            }
            let failed = run.step.exit_code != 0;
            runs.push(run.step);
            if failed && !state.failed {
                state.failed = true;
                failed_step = Some(label);
            }
        }
        let ctx = self.context(&state, &no_env);
        let outputs = action
            .outputs
            .iter()
            .map(|(id, value)| {
                let v =
                    interpolate(value, &ctx).unwrap_or_else(|e| panic!("outputs.{id}.value: {e}"));
                (id.clone(), v)
            })
            .collect();
        Outcome {
            outputs,
            summary,
            steps: runs,
            failed_step,
        }
    }

    fn context<'a>(
        &'a self,
        state: &'a RunState,
        env: &'a BTreeMap<String, String>,
    ) -> Context<'a> {
        Context {
            job: self,
            state,
            env,
        }
    }

    /// The environment every step starts from: a clean one, as on a fresh runner.
    fn base_env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        let system_path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let mut path = self.job_path.clone();
        path.push(system_path);
        env.insert("PATH".into(), path.join(":"));
        let root = self.root.path();
        env.insert("HOME".into(), root.join("home").display().to_string());
        env.insert("LANG".into(), "C.UTF-8".into());
        env.insert("NO_COLOR".into(), "1".into());
        // The developer's git configuration must not change what the scripts see.
        env.insert("GIT_CONFIG_NOSYSTEM".into(), "1".into());
        env.insert(
            "GIT_CONFIG_GLOBAL".into(),
            root.join("gitconfig").display().to_string(),
        );
        env.insert("CI".into(), "true".into());
        env.insert("GITHUB_ACTIONS".into(), "true".into());
        env.insert(
            "GITHUB_WORKSPACE".into(),
            self.workspace.display().to_string(),
        );
        env.insert(
            "GITHUB_EVENT_PATH".into(),
            root.join("event.json").display().to_string(),
        );
        env.insert("GITHUB_EVENT_NAME".into(), self.event_name.clone());
        env.insert(
            "GITHUB_ACTION_PATH".into(),
            action_dir().display().to_string(),
        );
        env.insert("GITHUB_RUN_ID".into(), "4242".into());
        env.insert("GITHUB_RUN_ATTEMPT".into(), "1".into());
        env.insert("RUNNER_OS".into(), "Linux".into());
        env.insert("RUNNER_ARCH".into(), "X64".into());
        env.insert(
            "RUNNER_TEMP".into(),
            self.runner_temp().display().to_string(),
        );
        for (k, v) in &self.runner_env {
            env.insert(k.clone(), v.clone());
        }
        for (k, v) in &self.job_env {
            env.insert(k.clone(), v.clone());
        }
        env
    }

    fn run_step(&mut self, step: &Step, label: &str, state: &RunState) -> StepResult {
        let script = step
            .run
            .as_deref()
            .unwrap_or_else(|| panic!("step {label}: no run"));
        assert!(
            !script.contains("${{"),
            "step {label}: an expression inside run: (pass it through env:)"
        );
        assert_eq!(
            step.shell.as_deref(),
            Some("bash"),
            "step {label}: the harness runs `shell: bash` steps only"
        );
        self.counter += 1;
        let files = self.root.path().join("files");
        let n = self.counter;
        let file = |name: &str| files.join(format!("{n:03}-{name}"));
        let (output, summary, github_env, github_path, script_file) = (
            file("output"),
            file("summary"),
            file("env"),
            file("path"),
            file("script.sh"),
        );
        for f in [&output, &summary, &github_env, &github_path] {
            fs::write(f, "").expect("create a runner file");
        }
        fs::write(&script_file, script).expect("write the step script");

        let mut env = self.base_env();
        // Step `env:` is evaluated with the environment so far (`env.X`).
        let mut step_env = BTreeMap::new();
        for (key, value) in &step.env {
            let ctx = self.context(state, &env);
            let v =
                interpolate(value, &ctx).unwrap_or_else(|e| panic!("step {label}: env.{key}: {e}"));
            step_env.insert(key.clone(), v);
        }
        env.extend(step_env);
        env.insert("GITHUB_OUTPUT".into(), output.display().to_string());
        env.insert("GITHUB_STEP_SUMMARY".into(), summary.display().to_string());
        env.insert("GITHUB_ENV".into(), github_env.display().to_string());
        env.insert("GITHUB_PATH".into(), github_path.display().to_string());

        let cwd = match &step.working_directory {
            Some(dir) => {
                let ctx = self.context(state, &env);
                let dir = interpolate(dir, &ctx)
                    .unwrap_or_else(|e| panic!("step {label}: working-directory: {e}"));
                self.workspace.join(dir)
            }
            None => self.workspace.clone(),
        };
        let result = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .env_clear()
            .envs(&env)
            .current_dir(&cwd)
            .output()
            .unwrap_or_else(|e| panic!("step {label}: cannot run bash: {e}"));
        let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
        let mut commands = workflow_commands(&stdout);
        commands.extend(workflow_commands(&stderr));

        let mut outputs = parse_file_command(&read(&output)).unwrap_or_else(|e| {
            panic!("step {label}: GITHUB_OUTPUT: {e}\nstdout:\n{stdout}\nstderr:\n{stderr}")
        });
        for c in commands.iter().filter(|c| c.name == "set-output") {
            // The deprecated command still sets an output on the runner.
            let name = c.properties.strip_prefix("name=").unwrap_or(&c.properties);
            outputs.insert(name.to_string(), c.message.clone());
        }
        for (k, v) in parse_file_command(&read(&github_env))
            .unwrap_or_else(|e| panic!("step {label}: GITHUB_ENV: {e}"))
        {
            self.job_env.insert(k, v);
        }
        for line in read(&github_path).lines().filter(|l| !l.trim().is_empty()) {
            self.job_path.insert(0, line.to_string());
        }
        StepResult {
            outputs,
            summary: read(&summary),
            step: StepRun {
                id: step.id.clone(),
                status: "ran".into(),
                exit_code: result.status.code().unwrap_or(-1),
                stdout,
                stderr,
                commands,
                with: BTreeMap::new(),
            },
        }
    }
}

struct StepResult {
    outputs: BTreeMap<String, String>,
    summary: String,
    step: StepRun,
}

impl StepRun {
    fn note(id: &Option<String>, status: &str) -> StepRun {
        StepRun {
            id: id.clone(),
            status: status.to_string(),
            exit_code: 0,
            stdout: String::new(),
            stderr: String::new(),
            commands: Vec::new(),
            with: BTreeMap::new(),
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

/// Parses a `GITHUB_OUTPUT`/`GITHUB_ENV` file with the runner's rules: `name=value`
/// lines, and `name<<DELIMITER` blocks closed by a line that is exactly the delimiter.
pub fn parse_file_command(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                let (name, value) = (&line[..e], &line[e + 1..]);
                if name.is_empty() {
                    return Err(format!("no name in {line:?}"));
                }
                values.insert(name.to_string(), value.to_string());
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                if name.is_empty() || delimiter.is_empty() {
                    return Err(format!("bad heredoc line {line:?}"));
                }
                let mut body = Vec::new();
                loop {
                    match lines.next() {
                        Some(l) if l == delimiter => break,
                        Some(l) => body.push(l),
                        None => return Err(format!("no closing delimiter for {name}")),
                    }
                }
                values.insert(name.to_string(), body.join("\n"));
            }
            _ => return Err(format!("neither name=value nor name<<DELIMITER: {line:?}")),
        }
    }
    Ok(values)
}

/// The workflow commands of one output stream, honouring `::stop-commands::`.
pub fn workflow_commands(stream: &str) -> Vec<WorkflowCommand> {
    let mut commands = Vec::new();
    let mut stopped: Option<String> = None;
    for line in stream.lines() {
        let line = line.trim_start();
        if let Some(token) = &stopped {
            if line == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("::") else {
            continue;
        };
        let Some(end) = rest.find("::") else {
            continue;
        };
        let (head, message) = (&rest[..end], &rest[end + 2..]);
        let (name, properties) = match head.split_once(' ') {
            Some((n, p)) => (n, p),
            None => (head, ""),
        };
        if name == "stop-commands" {
            stopped = Some(message.to_string());
            continue;
        }
        commands.push(WorkflowCommand {
            name: name.to_string(),
            properties: properties.to_string(),
            message: unescape(message),
        });
    }
    commands
}

fn unescape(message: &str) -> String {
    message
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

// --- expressions -------------------------------------------------------------------------

struct RunState {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    failed: bool,
}

struct Context<'a> {
    job: &'a Job,
    state: &'a RunState,
    env: &'a BTreeMap<String, String>,
}

/// A value of an expression.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Bool(bool),
    Str(String),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Str(s) => !s.is_empty(),
        }
    }

    fn text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => s.clone(),
        }
    }
}

/// `${{ expr }}` → `expr`; a bare condition stays as it is.
fn strip_braces(condition: &str) -> &str {
    let t = condition.trim();
    t.strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(t)
}

/// Replaces each `${{ … }}` of a string by its value.
fn interpolate(text: &str, ctx: &Context<'_>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed expression in {text:?}"))?;
        out.push_str(&eval(&after[..end], ctx)?.text());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Ident(String),
    Op(&'static str),
}

fn tokenize(expr: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                    None => return Err(format!("unclosed string in {expr:?}")),
                }
            }
            tokens.push(Token::Str(s));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_-.".contains(chars[i]))
            {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = match two.as_str() {
                "==" => "==",
                "!=" => "!=",
                "&&" => "&&",
                "||" => "||",
                _ => match c {
                    '!' => "!",
                    '(' => "(",
                    ')' => ")",
                    _ => return Err(format!("unsupported character {c:?} in {expr:?}")),
                },
            };
            i += op.len();
            tokens.push(Token::Op(op));
        }
    }
    Ok(tokens)
}

fn eval(expr: &str, ctx: &Context<'_>) -> Result<Val, String> {
    let tokens = tokenize(expr)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        ctx,
    };
    let value = parser.or()?;
    if parser.pos != tokens.len() {
        return Err(format!("unexpected {:?} in {expr:?}", tokens[parser.pos]));
    }
    Ok(value)
}

struct Parser<'t, 'c> {
    tokens: &'t [Token],
    pos: usize,
    ctx: &'t Context<'c>,
}

impl Parser<'_, '_> {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Op(o)) if *o == op)
    }

    fn or(&mut self) -> Result<Val, String> {
        let mut left = self.and()?;
        while self.peek_op("||") {
            self.pos += 1;
            let right = self.and()?;
            left = if left.truthy() { left } else { right };
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Val, String> {
        let mut left = self.not()?;
        while self.peek_op("&&") {
            self.pos += 1;
            let right = self.not()?;
            left = if left.truthy() { right } else { left };
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Val, String> {
        if self.peek_op("!") {
            self.pos += 1;
            return Ok(Val::Bool(!self.not()?.truthy()));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Val, String> {
        let left = self.primary()?;
        for op in ["==", "!="] {
            if self.peek_op(op) {
                self.pos += 1;
                let right = self.primary()?;
                // GitHub compares strings case-insensitively.
                let equal = left.text().to_lowercase() == right.text().to_lowercase();
                return Ok(Val::Bool(if op == "==" { equal } else { !equal }));
            }
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Val, String> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or("unexpected end of expression")?;
        self.pos += 1;
        match token {
            Token::Str(s) => Ok(Val::Str(s)),
            Token::Op("(") => {
                let v = self.or()?;
                if !self.peek_op(")") {
                    return Err("missing )".into());
                }
                self.pos += 1;
                Ok(v)
            }
            Token::Ident(name) if self.peek_op("(") => {
                self.pos += 1;
                if !self.peek_op(")") {
                    return Err(format!("{name}(): arguments are not supported"));
                }
                self.pos += 1;
                let failed = self.ctx.state.failed;
                match name.as_str() {
                    "success" => Ok(Val::Bool(!failed)),
                    "failure" => Ok(Val::Bool(failed)),
                    "always" => Ok(Val::Bool(true)),
                    other => Err(format!("unsupported function {other}()")),
                }
            }
            Token::Ident(name) => match name.as_str() {
                "true" => Ok(Val::Bool(true)),
                "false" => Ok(Val::Bool(false)),
                "null" => Ok(Val::Null),
                _ => self.ctx.lookup(&name),
            },
            Token::Op(op) => Err(format!("unexpected {op}")),
        }
    }
}

impl Context<'_> {
    fn lookup(&self, path: &str) -> Result<Val, String> {
        let parts: Vec<&str> = path.split('.').collect();
        let job = self.job;
        match parts.as_slice() {
            ["inputs", name] => self
                .state
                .inputs
                .get(*name)
                .map(|v| Val::Str(v.clone()))
                .ok_or_else(|| format!("action.yml has no input {name}")),
            ["steps", id, "outputs", name] => {
                let outputs = self
                    .state
                    .steps
                    .get(*id)
                    .ok_or_else(|| format!("no earlier step with id {id}"))?;
                Ok(outputs
                    .get(*name)
                    .map_or(Val::Null, |v| Val::Str(v.clone())))
            }
            ["github", "action_path"] => Ok(Val::Str(action_dir().display().to_string())),
            // A local action (`uses: ./`) has no ref.
            ["github", "action_ref"] => Ok(Val::Str(String::new())),
            ["github", "workspace"] => Ok(Val::Str(job.workspace.display().to_string())),
            ["github", "run_id"] => Ok(Val::Str("4242".into())),
            ["github", "event_name"] => Ok(Val::Str(job.event_name.clone())),
            ["github", "event", rest @ ..] => {
                let mut node = &job.event;
                for part in rest {
                    node = &node[*part];
                }
                Ok(match node {
                    Value::Null => Val::Null,
                    Value::Bool(b) => Val::Bool(*b),
                    Value::String(s) => Val::Str(s.clone()),
                    other => Val::Str(other.to_string()),
                })
            }
            ["runner", "os"] => Ok(Val::Str("Linux".into())),
            ["runner", "arch"] => Ok(Val::Str("X64".into())),
            ["runner", "temp"] => Ok(Val::Str(job.runner_temp().display().to_string())),
            ["env", name] => Ok(self
                .env
                .get(*name)
                .map_or(Val::Null, |v| Val::Str(v.clone()))),
            _ => Err(format!(
                "the harness does not support the expression `{path}`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_commands_read_heredocs_and_plain_lines() {
        let text = "a=1\nb<<EOF_x\nline 1\n\nline 3\nEOF_x\nc=x=y\n";
        let values = parse_file_command(text).unwrap();
        assert_eq!(values["a"], "1");
        assert_eq!(values["b"], "line 1\n\nline 3");
        assert_eq!(values["c"], "x=y");
        assert!(parse_file_command("d<<END\nno end\n").is_err());
    }

    #[test]
    fn stopped_commands_are_not_commands() {
        let stream = "::error::one\n::stop-commands::tok\n::error::two\n::tok::\n::warning file=a%2Cb::x%0Ay\n";
        let commands = workflow_commands(stream);
        assert_eq!(commands.len(), 2);
        assert_eq!(commands[0].message, "one");
        assert_eq!(commands[1].name, "warning");
        assert_eq!(commands[1].message, "x\ny");
    }
}

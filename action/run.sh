#!/usr/bin/env bash
# Step `run` of action.yml: runs one impact command with the action's inputs and writes
# the step outputs, the job summary and the annotations.
#
# Inputs arrive only through IMPACT_* environment variables; event data only through the
# JSON file at $GITHUB_EVENT_PATH. Nothing read from either is ever evaluated, used as a
# pattern for anything but the `results` globs, or printed raw: revisions are checked to be
# commit ids before use, branch names are used only inside `refs/remotes/origin/…` after
# `git check-ref-format`, and report text is printed with workflow commands stopped.
#
# Commands:
#   plan    impact plan (json → outputs, markdown → job summary, `format` → log)
#   gate    impact gate (markdown → job summary; output gate=pass|fail; fails the step on fail)
#   junit   impact junit --annotations (output junit=PATH)
#   record  impact record (into `history`)
#   hotspots impact hotspots (markdown → job summary, output hotspots=PATH)
#
# With `org-history-days`, `plan` and `hotspots` first record the org's own test results
# and coverage of those days (`sf data query --json`) into the history.
#
# Exit status: 0 done; 1 the gate failed, the plan fell back with fail-on-fallback, or an
# error (always reported as one `::error::` line).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
. "$here/lib.sh"

command=${IMPACT_COMMAND:-plan}
format=${IMPACT_FORMAT:-}
history=${IMPACT_HISTORY:-}

command -v impact >/dev/null 2>&1 || fail "impact is not on PATH: the install step of the action did not run"
command -v jq >/dev/null 2>&1 || fail "jq is not on PATH: GitHub-hosted runners have it; install it on a self-hosted runner"

cd -- "${GITHUB_WORKSPACE:-.}"
cd -- "${IMPACT_WORKING_DIRECTORY:-.}" 2>/dev/null ||
    fail "the working-directory input names no directory of the workspace"

out_dir=${IMPACT_OUTPUT_DIR:-}
[[ -n $out_dir ]] || out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/impact"
mkdir -p -- "$out_dir"
out_dir=$(cd -- "$out_dir" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT

# `extra-args`: split on whitespace only (read -a does no globbing and no expansion).
extra=()
if [[ -n ${IMPACT_EXTRA_ARGS:-} ]]; then
    IFS=$' \t\n' read -r -d '' -a extra <<<"$IMPACT_EXTRA_ARGS" || true
fi

# --- running impact ---------------------------------------------------------------------

# Runs `impact ARGS…` with stdout in $scratch/stdout and stderr in $scratch/stderr; sets
# `status`. Annotations impact printed (escaped by impact) pass through; every other line
# of stderr is printed with workflow commands stopped.
run_impact() {
    status=0
    impact "$@" >"$scratch/stdout" 2>"$scratch/stderr" || status=$?
    grep -E '^::(error|warning|notice)( [^:]*)?::' "$scratch/stderr" || true
    grep -v -E '^::(error|warning|notice)( [^:]*)?::' "$scratch/stderr" >"$scratch/log" || true
    print_untrusted "$scratch/log"
}

# Turns a failed run (status 2: bad input; anything above: a crash) into one `::error::`
# with impact's cause and hint, and exits.
fail_with_impact_error() {
    local what=$1 cause hint message
    cause=$(sed -n 's/^impact: error: //p' "$scratch/stderr" | head -n 1)
    hint=$(sed -n 's/^hint: //p' "$scratch/stderr" | head -n 1)
    if [[ -n $cause ]]; then
        message="impact $what: $cause"
        [[ -z $hint ]] || message="$message. Hint: $hint"
    else
        message="impact $what exited with status $status; its output is in the log above"
    fi
    fail "$message" 1
}

# Appends a file to the job summary, within the 1 MiB a step may write.
add_summary() {
    local file=$1 limit=1000000 size
    [[ -n ${GITHUB_STEP_SUMMARY:-} ]] || return 0
    size=$(wc -c <"$file" | tr -d ' ')
    if ((size > limit)); then
        head -c "$limit" -- "$file" >>"$GITHUB_STEP_SUMMARY"
        printf '\n\n_(truncated: the step summary is limited to 1 MiB; the whole report is %s)_\n' \
            "$(basename -- "$file")" >>"$GITHUB_STEP_SUMMARY"
    else
        cat -- "$file" >>"$GITHUB_STEP_SUMMARY"
        printf '\n' >>"$GITHUB_STEP_SUMMARY"
    fi
}

# --- revisions from the event -----------------------------------------------------------

# True for a full commit id (SHA-1 or SHA-256) that this clone has.
is_commit() {
    [[ $1 =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]] && git cat-file -e "$1^{commit}" 2>/dev/null
}

is_shallow() {
    [[ $(git rev-parse --is-shallow-repository 2>/dev/null) == true ]]
}

# A string field of the event JSON ("" when absent or not a string).
event_field() {
    [[ -n ${GITHUB_EVENT_PATH:-} && -f $GITHUB_EVENT_PATH ]] || return 0
    jq -r "$1 | if type == \"string\" then . else empty end" "$GITHUB_EVENT_PATH" 2>/dev/null || true
}

# The first 12 characters of a commit id from the event, for messages ("?" if it is not
# one).
short() {
    if [[ $1 =~ ^[0-9a-f]{12} ]]; then printf '%s' "${1:0:12}"; else printf '?'; fi
}

shallow_error() {
    fail "$1 is not in this checkout, which is shallow: set \`fetch-depth: 0\` on actions/checkout so that impact can diff the change against its base"
}

# Sets `base` and `head` (commit ids, or "" for impact's defaults) from the inputs and
# the event.
resolve_revisions() {
    base=${IMPACT_BASE:-}
    head=${IMPACT_HEAD:-}
    # A revision is passed as one argument; one that starts with `-` would read as an option.
    [[ $base != -* && $head != -* ]] || fail "the base and head inputs must be revisions"
    local pr_base_ref="" pr_base_sha="" event_head="" event_base=""
    if [[ -n $(event_field '.pull_request.head.sha') ]]; then
        pr_base_ref=$(event_field '.pull_request.base.ref')
        pr_base_sha=$(event_field '.pull_request.base.sha')
        event_head=$(event_field '.pull_request.head.sha')
    elif [[ -n $(event_field '.merge_group.head_sha') ]]; then
        event_base=$(event_field '.merge_group.base_sha')
        event_head=$(event_field '.merge_group.head_sha')
    elif [[ ${GITHUB_EVENT_NAME:-} == push ]]; then
        event_base=$(event_field '.before')
        event_head=$(event_field '.after')
        # A new branch has no "before".
        [[ ! $event_base =~ ^0+$ ]] || event_base=""
    fi

    if [[ -z $head ]]; then
        if [[ -n $event_head ]]; then
            if is_commit "$event_head"; then
                head=$event_head
            elif is_shallow; then
                shallow_error "the head commit of this event ($(short "$event_head"))"
            else
                fail "the head commit of this event ($(short "$event_head")) is not in this checkout: check out the pull request (actions/checkout does by default)"
            fi
        else
            head=HEAD
        fi
    fi

    [[ -z $base ]] || return 0
    if [[ -n $pr_base_sha || -n $pr_base_ref ]]; then
        # The merge-base with the base branch: its tip now (origin/<base>), else the tip
        # the event recorded. Both give the fork point; `base.sha` alone would count the
        # base branch's own later commits as part of the change.
        local tips=() tip
        if [[ -n $pr_base_ref ]] && git check-ref-format "refs/remotes/origin/$pr_base_ref" 2>/dev/null; then
            tip=$(git rev-parse --verify --quiet "refs/remotes/origin/$pr_base_ref^{commit}" 2>/dev/null || true)
            [[ -z $tip ]] || tips+=("$tip")
        fi
        if is_commit "$pr_base_sha"; then
            tips+=("$pr_base_sha")
        fi
        for tip in "${tips[@]+"${tips[@]}"}"; do
            if base=$(git merge-base "$tip" "$head" 2>/dev/null) && [[ -n $base ]]; then
                return 0
            fi
        done
        base=""
        if is_shallow; then
            shallow_error "the base branch of this pull request ($(short "$pr_base_sha"))"
        fi
        fail "found no merge-base of this pull request's base branch ($(short "$pr_base_sha")) and its head: fetch the base branch (actions/checkout with \`fetch-depth: 0\` does)"
    fi
    if [[ -n $event_base ]]; then
        if is_commit "$event_base"; then
            base=$event_base
        elif is_shallow; then
            shallow_error "the base commit of this event ($(short "$event_base"))"
        fi
        # A push whose "before" is gone (a force-push): impact's default base.
    fi
}

# --- commands ---------------------------------------------------------------------------

# The `plan` input, or the plan an earlier plan step of this job wrote.
plan_file() {
    if [[ -n ${IMPACT_PLAN:-} ]]; then
        [[ -f $IMPACT_PLAN ]] || fail "the plan input names no file (paths are relative to working-directory)"
        printf '%s' "$IMPACT_PLAN"
    elif [[ -f $out_dir/plan.json ]]; then
        printf '%s' "$out_dir/plan.json"
    fi
}

# The `results` input: one path or glob per line; a line that matches nothing is passed
# as written, so impact names it in its error.
results=()
collect_results() {
    # Lines are globbed but never split: IFS is empty in this function.
    local IFS='' line matches
    shopt -s nullglob
    # `**` needs bash 4 (macOS runners ship bash 3.2, where it stays `*`).
    shopt -s globstar 2>/dev/null || true
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%$'\r'}
        [[ -n ${line//[[:space:]]/} ]] || continue
        # shellcheck disable=SC2206 # globbing is the point; IFS is empty, so no splitting
        matches=($line)
        if ((${#matches[@]} == 0)); then
            matches=("$line")
        fi
        results+=("${matches[@]}")
    done <<<"${IMPACT_RESULTS:-}"
    shopt -u nullglob
    ((${#results[@]} > 0)) || fail "the results input is empty: name the test result files (sf … --json output or JUnit XML) for impact $command"
}

# The org's test history of the last `org-history-days` days, recorded before planning.
# The org is the one history every runner can read, so it needs no cache. Anything that
# goes wrong here is a warning: the history only orders tests, and the plan still runs.
record_org_history() {
    local days=${IMPACT_ORG_HISTORY_DAYS:-} org=() files=() flags=()
    [[ -n $days ]] || return 0
    [[ $days =~ ^[1-9][0-9]{0,3}$ ]] || fail "org-history-days must be a number of days from 1 to 9999"
    if [[ -n ${IMPACT_TARGET_ORG:-} ]]; then
        [[ $IMPACT_TARGET_ORG != -* && $IMPACT_TARGET_ORG != *[[:space:]]* ]] ||
            fail "target-org must be an org alias or username"
        org=(--target-org "$IMPACT_TARGET_ORG")
    fi
    if ! command -v sf >/dev/null 2>&1; then
        gh_warning "org-history-days is set but sf is not on PATH: planning without the org's test history"
        return 0
    fi
    local results_query="SELECT Id, AsyncApexJobId, TestTimestamp, ApexClass.Name, ApexClass.NamespacePrefix, MethodName, Outcome, RunTime, Message, StackTrace FROM ApexTestResult WHERE TestTimestamp = LAST_N_DAYS:$days"
    local coverage_query="SELECT Id, ApexTestClass.Name, TestMethodName, ApexClassOrTrigger.Name, NumLinesCovered, NumLinesUncovered, Coverage, LastModifiedDate FROM ApexCodeCoverage WHERE LastModifiedDate = LAST_N_DAYS:$days"
    if ! sf data query "${org[@]+"${org[@]}"}" --json --query "$results_query" >"$scratch/org-results.json" 2>"$scratch/sf.log"; then
        gh_warning "sf data query over ApexTestResult failed (is the org authorized?): planning without the org's test history"
        return 0
    fi
    files+=("$scratch/org-results.json")
    if sf data query "${org[@]+"${org[@]}"}" --json --use-tooling-api --query "$coverage_query" >"$scratch/org-coverage.json" 2>>"$scratch/sf.log"; then
        files+=("$scratch/org-coverage.json")
    else
        gh_warning "sf data query over ApexCodeCoverage failed: recording the org's test results without their coverage"
    fi
    if [[ -n $history ]]; then
        mkdir -p -- "$(dirname -- "$history")"
        flags+=("--history=$history")
    fi
    run_impact record "${flags[@]+"${flags[@]}"}" -- "${files[@]}"
    if ((status != 0)); then
        gh_warning "impact could not record the org's test history (see the log): planning without it"
        return 0
    fi
    echo "impact: the org's test history of the last $days days:"
    print_untrusted "$scratch/stdout"
}

do_plan() {
    record_org_history
    resolve_revisions
    local args=(plan)
    [[ -z $base ]] || args+=("--base=$base")
    [[ -z $head ]] || args+=("--head=$head")
    [[ -z $history ]] || args+=("--history=$history")
    # Production refuses `NoTestRun`: there, a plan with nothing to test gives an empty
    # test-level output and `--format sf` prints no `--test-level` (the org's default).
    local org_type=${IMPACT_TARGET_ORG_TYPE:-production}
    case $org_type in
        production | sandbox) args+=("--target-org-type=$org_type") ;;
        *) fail "target-org-type must be production or sandbox" ;;
    esac
    args+=("${extra[@]+"${extra[@]}"}")
    # Revisions may come from inputs: printed quoted, on one line.
    printf 'impact: planning %q .. %q\n' "${base:-<impact default>}" "${head:-<working tree>}"

    local plan_json="$out_dir/plan.json" plan_md="$out_dir/plan.md"
    rm -f -- "$plan_json" "$plan_md"
    run_impact "${args[@]}" --format json "--output=$plan_json"
    ((status == 0)) || fail_with_impact_error plan

    local test_level tests flow_tests fallback
    test_level=$(jq -r '.test_level // ""' "$plan_json")
    if [[ $test_level == NoTestRun && $org_type != sandbox ]]; then
        test_level=""
    fi
    tests=$(jq -r '[.tests[]? | select(.kind == "apex") | .name] | join(",")' "$plan_json")
    flow_tests=$(jq -r '[.tests[]? | select(.kind == "flow") | (.run_name // .name)] | join(",")' "$plan_json")
    fallback=$(jq -r 'if (.fallback | type) == "object" then (.fallback.reason // "no reason given") else "" end' "$plan_json")
    set_output plan-json "$plan_json"
    set_output test-level "$test_level"
    set_output tests "$tests"
    set_output flow-tests "$flow_tests"
    set_output jest-tests "$(jq -r '[.tests[]? | select(.kind == "lwc") | .name] | join(",")' "$plan_json")"
    echo "impact: test level ${test_level:-<org default>}, Apex test classes: $(jq '[.tests[]? | select(.kind == "apex")] | length' "$plan_json"), Flow tests: $(jq '[.tests[]? | select(.kind == "flow")] | length' "$plan_json"), LWC Jest tests: $(jq '[.tests[]? | select(.kind == "lwc")] | length' "$plan_json")"

    # The Jest command, written by impact itself (it quotes the paths).
    local jest_file="$out_dir/jest-command.txt"
    rm -f -- "$jest_file"
    run_impact "${args[@]}" --format jest "--output=$jest_file"
    ((status == 0)) || fail_with_impact_error plan
    set_output jest-command "$(cat -- "$jest_file")"

    # The job summary: the plan's Markdown (a fenced text plan from an impact without it).
    run_impact "${args[@]}" --format markdown "--output=$plan_md"
    if ((status != 0)); then
        run_impact "${args[@]}" --format text "--output=$scratch/plan.txt"
        ((status == 0)) || fail_with_impact_error plan
        { printf '```text\n'; cat -- "$scratch/plan.txt"; printf '```\n'; } >"$plan_md"
    fi
    add_summary "$plan_md"

    case $format in
        "" | markdown) print_untrusted "$plan_md" ;;
        json) print_untrusted "$plan_json" ;;
        *)
            run_impact "${args[@]}" "--format=$format"
            ((status == 0)) || fail_with_impact_error plan
            print_untrusted "$scratch/stdout"
            ;;
    esac

    if [[ -n $fallback ]]; then
        case ${IMPACT_FAIL_ON_FALLBACK:-false} in
            true | True | TRUE) fail "the plan falls back to RunLocalTests: $fallback" ;;
            false | False | FALSE | "") gh_warning "the plan falls back to RunLocalTests: $fallback" ;;
            *) fail "fail-on-fallback must be true or false" ;;
        esac
    fi
}

do_gate() {
    collect_results
    local plan flags=() report="$out_dir/gate.md"
    plan=$(plan_file)
    [[ -z $plan ]] || flags+=("--plan=$plan")
    [[ -z $history || ! -f $history ]] || flags+=("--history=$history")
    flags+=("${extra[@]+"${extra[@]}"}")
    # Result files after `--`: a name that starts with `-` stays a file name.
    run_impact gate "${flags[@]+"${flags[@]}"}" --format markdown "--output=$report" --annotations -- "${results[@]}"
    case $status in
        0) set_output gate pass ;;
        1) set_output gate fail ;;
        *) fail_with_impact_error gate ;;
    esac
    add_summary "$report"
    case $format in
        "" | markdown) print_untrusted "$report" ;;
        *)
            local decision=$status
            run_impact gate "${flags[@]+"${flags[@]}"}" "--format=$format" -- "${results[@]}"
            ((status <= 1)) || fail_with_impact_error gate
            print_untrusted "$scratch/stdout"
            status=$decision
            ;;
    esac
    ((status == 0)) || fail "the release gate failed: see the job summary for each reason"
}

do_junit() {
    collect_results
    local plan flags=() xml="$out_dir/junit.xml"
    plan=$(plan_file)
    [[ -z $plan ]] || flags+=("--plan=$plan")
    flags+=("${extra[@]+"${extra[@]}"}")
    run_impact junit "${flags[@]+"${flags[@]}"}" "--output=$xml" --annotations -- "${results[@]}"
    ((status == 0)) || fail_with_impact_error junit
    set_output junit "$xml"
    echo "impact: JUnit XML written to $xml"
}

do_record() {
    collect_results
    local plan flags=()
    plan=$(plan_file)
    [[ -z $plan ]] || flags+=("--plan=$plan")
    [[ -z $history ]] || flags+=("--history=$history")
    flags+=("${extra[@]+"${extra[@]}"}")
    if [[ -n $history ]]; then
        mkdir -p -- "$(dirname -- "$history")"
    fi
    run_impact record "${flags[@]+"${flags[@]}"}" -- "${results[@]}"
    ((status == 0)) || fail_with_impact_error record
    print_untrusted "$scratch/stdout"
}

do_hotspots() {
    record_org_history
    local flags=() report="$out_dir/hotspots.md"
    [[ -z $history || ! -f $history ]] || flags+=("--history=$history")
    flags+=("${extra[@]+"${extra[@]}"}")
    run_impact hotspots "${flags[@]+"${flags[@]}"}" --format markdown "--output=$report"
    ((status == 0)) || fail_with_impact_error hotspots
    set_output hotspots "$report"
    add_summary "$report"
    case $format in
        "" | markdown) print_untrusted "$report" ;;
        *)
            run_impact hotspots "${flags[@]+"${flags[@]}"}" "--format=$format"
            ((status == 0)) || fail_with_impact_error hotspots
            print_untrusted "$scratch/stdout"
            ;;
    esac
}

case $command in
    plan) do_plan ;;
    gate) do_gate ;;
    junit) do_junit ;;
    record) do_record ;;
    hotspots) do_hotspots ;;
    *) fail "the command input must be plan, gate, junit, record or hotspots" ;;
esac

#!/usr/bin/env bash
# Step `key` of action.yml: the Actions cache keys and paths, written as step outputs.
#
# - cargo-key: the cargo registry, the build directory and the installed binary, keyed on
#   the runner's OS and architecture, Cargo.lock, the action's ref and a hash of the
#   sources (a ref such as `v1` or `main` moves, the sources say what was built);
#   cargo-restore-key drops the last two so a new ref still reuses the registry and the
#   unchanged crates of an older build.
# - history-path: the absolute path of the `history` input (relative to the working
#   directory), empty when the input is empty; history-key is unique to this run (a cache
#   entry cannot be overwritten), history-restore-key finds the newest entry.
# - facts-cache-path: impact's own cache, `.impact/cache` at the git root of the working
#   directory (the facts of each file by blob id, the components each commit changed),
#   empty when the `facts-cache` input is `false` or the directory is not in a git
#   repository; facts-cache-key names the commit checked out (a re-run of the same commit
#   finds its entry and saves nothing), facts-cache-restore-key finds the newest entry.
#   Entries never go stale: facts are keyed by blob id, so any older cache only saves
#   parsing the files it has.
#
# Inputs arrive through the environment only (IMPACT_*); nothing here is evaluated as code.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
. "$here/lib.sh"

action_dir=${GITHUB_ACTION_PATH:-$(dirname -- "$here")}

lock_hash=$(hash_stdin < "$action_dir/Cargo.lock")
# Every file cargo reads to build the binary, in a stable order.
source_hash=$(
    cd -- "$action_dir"
    find Cargo.toml Cargo.lock src -type f -print 2>/dev/null | LC_ALL=C sort | while IFS= read -r file; do
        printf '%s\n' "$file"
        hash_stdin < "$file"
    done | hash_stdin
)
# A ref is a name chosen by the workflow: keep only characters that are safe in a key.
ref=$(printf '%s' "${IMPACT_ACTION_REF:-}" | LC_ALL=C tr -c 'A-Za-z0-9._-' '_' | cut -c1-40)
[[ -n $ref ]] || ref=local

os=${RUNNER_OS:-$(uname -s)}
arch=${RUNNER_ARCH:-$(uname -m)}
cargo_prefix="impact-action-v1-$os-$arch-${lock_hash:0:16}-"
set_output cargo-key "$cargo_prefix$ref-${source_hash:0:16}"
set_output cargo-restore-key "$cargo_prefix"

history_path=""
history_key=""
history_restore_key=""
if [[ -n ${IMPACT_HISTORY:-} ]]; then
    workspace=${GITHUB_WORKSPACE:-$PWD}
    workdir=${IMPACT_WORKING_DIRECTORY:-.}
    [[ $workdir == /* ]] || workdir="$workspace/$workdir"
    history_path=$IMPACT_HISTORY
    [[ $history_path == /* ]] || history_path="$workdir/$history_path"
    # The key names the file (two projects of one repository keep two histories) but not
    # the workspace, which differs between runners.
    relative=${history_path#"$workspace"/}
    name_hash=$(printf '%s' "$relative" | hash_stdin)
    history_restore_key="impact-history-v1-${name_hash:0:16}-"
    history_key="$history_restore_key${GITHUB_RUN_ID:-0}-${GITHUB_RUN_ATTEMPT:-0}"
fi
set_output history-path "$history_path"
set_output history-key "$history_key"
set_output history-restore-key "$history_restore_key"

facts_cache_path=""
facts_cache_key=""
facts_cache_restore_key=""
case ${IMPACT_FACTS_CACHE:-true} in
    true | True | TRUE) keep_facts=true ;;
    false | False | FALSE) keep_facts=false ;;
    *) fail "facts-cache must be true or false" ;;
esac
if [[ $keep_facts == true ]]; then
    workspace=${GITHUB_WORKSPACE:-$PWD}
    workdir=${IMPACT_WORKING_DIRECTORY:-.}
    [[ $workdir == /* ]] || workdir="$workspace/$workdir"
    if root=$(git -C "$workdir" rev-parse --show-toplevel 2>/dev/null); then
        facts_cache_path="$root/.impact/cache"
        relative=${facts_cache_path#"$workspace"/}
        name_hash=$(printf '%s' "$relative" | hash_stdin)
        commit=$(git -C "$workdir" rev-parse HEAD 2>/dev/null || printf '%s' "${GITHUB_SHA:-0}")
        facts_cache_restore_key="impact-facts-v1-${name_hash:0:16}-"
        facts_cache_key="$facts_cache_restore_key$commit"
    fi
fi
set_output facts-cache-path "$facts_cache_path"
set_output facts-cache-key "$facts_cache_key"
set_output facts-cache-restore-key "$facts_cache_restore_key"

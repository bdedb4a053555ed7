#!/usr/bin/env bash
# Step `install` of action.yml: builds impact from the action's own source with
# `cargo install --locked --path`, unless the cache restored the binary of these exact
# sources, and puts it on PATH for this and the later steps of the job.
#
# The build directory and the install root live under ~/.cache/impact-action, which the
# action caches with the cargo registry (see cache-key.sh for the keys).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
. "$here/lib.sh"

action_dir=${GITHUB_ACTION_PATH:-$(dirname -- "$here")}
root="$HOME/.cache/impact-action"
binary="$root/bin/impact"

if [[ ${IMPACT_CACHE_HIT:-} == true && -x $binary ]]; then
    echo "impact: the cache holds a build of these sources"
else
    command -v cargo >/dev/null 2>&1 ||
        fail "cargo is not on PATH: the action builds impact from source; add a Rust toolchain step (for example dtolnay/rust-toolchain) before it"
    CARGO_TARGET_DIR="$root/target" cargo install --locked --force --root "$root" --path "$action_dir"
fi

printf '%s\n' "$root/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
"$binary" --version

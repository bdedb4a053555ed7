#!/usr/bin/env bash
# Lints the GitHub Action (action.yml) and the example workflows (examples/workflows/*.yml)
# with actionlint and zizmor; exits non-zero on any finding. `.ci/run` installs both tools
# (see there for which packages) and runs this script before `cargo test`.
#
# - actionlint checks workflows, not action metadata. The examples are therefore linted
#   inside a scratch repository that holds action.yml at its root and the examples under
#   .github/workflows/ with `uses: your-org/impact@v1` turned into `uses: ./`: actionlint
#   then also checks every input the examples pass and every output they read against
#   action.yml. It runs shellcheck on `run:` scripts when shellcheck is on PATH.
# - zizmor audits action.yml (a composite action) and the examples as they are, offline
#   (no GitHub API here), with tests/action/zizmor.yml (the placeholder `your-org/impact`
#   may be pinned by ref; every other action must be pinned by commit).
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/../.."

for tool in actionlint zizmor git; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "tests/action/lint.sh: $tool is not on PATH" >&2
        exit 2
    }
done

scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT
mkdir -p "$scratch/.github/workflows"
cp action.yml "$scratch/"
for workflow in examples/workflows/*.yml; do
    sed 's|your-org/impact@v1|./|' "$workflow" >"$scratch/.github/workflows/$(basename -- "$workflow")"
done
git -C "$scratch" init --quiet

echo "actionlint $(actionlint -version | head -n 1): examples/workflows/*.yml against action.yml"
(cd "$scratch" && actionlint)

echo "$(zizmor --version): action.yml examples/workflows/*.yml"
zizmor --offline --no-progress --config tests/action/zizmor.yml action.yml examples/workflows/*.yml

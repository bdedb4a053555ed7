#!/usr/bin/env bash
# Builds the seed corpora under fuzz/corpus/<target>/ from the fixtures, tests/data and
# fuzz/seeds (small hand-written seeds for formats the fixtures lack). Run from anywhere;
# fuzz/run.sh calls it. The facts cache seeds are the records of a real cache: the
# billing fixture is committed to a scratch repository and planned once.
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz")"
corpus="$fuzz/corpus"
mkdir -p "$corpus"

# seed TARGET FIND-ARGS…: copies matching files of fixtures/ and tests/data/ into the
# target's corpus, named by content hash so reruns add nothing twice.
seed() {
    local target="$1"
    shift
    mkdir -p "$corpus/$target"
    find "$root/fixtures" "$root/tests/data" -type f \( "$@" \) -print0 |
        while IFS= read -r -d '' file; do
            cp "$file" "$corpus/$target/$(sha1sum "$file" | cut -c1-16)"
        done
}

seed apex -name '*.cls' -o -name '*.trigger' -o -name '*.apex'
seed flow -name '*.flow-meta.xml' -o -name '*.flowtest-meta.xml' -o -name '*.flowDefinition-meta.xml'
seed objects -name '*.object-meta.xml' -o -name '*.field-meta.xml' \
    -o -name '*.validationRule-meta.xml' -o -name '*.md-meta.xml' -o -name '*.recordType-meta.xml' \
    -o -name '*.duplicateRule-meta.xml' -o -name '*.standardValueSet-meta.xml'
seed multi -name '*.labels-meta.xml' -o -name '*.workflow-meta.xml' -o -name '*.sharingRules-meta.xml' \
    -o -name '*.matchingRule-meta.xml'
seed lwc -path '*/lwc/*' \( -name '*.js' -o -name '*.html' \)
seed markup -name '*.cmp' -o -name '*.app' -o -name '*.page' -o -name '*.component'
seed package_xml -name 'package*.xml' -o -name 'destructiveChanges*.xml'
seed config -name 'impact.toml'
seed results -path '*/tests/data/results/*' -o -path '*/tests/data/junit/*.xml'
for dir in "$fuzz"/seeds/*/; do
    cp "$dir"* "$corpus/$(basename "$dir")/"
done

# project: sfdx-project.json, a NUL byte, .forceignore.
mkdir -p "$corpus/project"
for project in "$root"/fixtures/*/sfdx-project.json "$root"/tests/data/results/*sfdx-project.json; do
    ignore="$(dirname "$project")/.forceignore"
    out="$corpus/project/$(sha1sum "$project" | cut -c1-16)"
    { cat "$project"; printf '\0'; [ -f "$ignore" ] && cat "$ignore"; } >"$out"
done

# facts_cache: one seed per record of the cache a plan over the billing fixture writes.
mkdir -p "$corpus/facts_cache"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$root/fixtures/billing/." "$scratch/"
git -C "$scratch" init -q
git -C "$scratch" -c user.name=seed -c user.email=seed@example.com add -A
git -C "$scratch" -c user.name=seed -c user.email=seed@example.com commit -qm seed
cargo run --quiet --locked --manifest-path "$root/Cargo.toml" --bin impact -- \
    plan --repo "$scratch" --base HEAD --format json >/dev/null
python3 - "$scratch"/.impact/cache/facts-v*.bin "$corpus/facts_cache" <<'PY'
import hashlib, struct, sys
data = open(sys.argv[1], "rb").read()
at = 0
while at + 12 <= len(data):
    (length,) = struct.unpack_from("<I", data, at)
    record = data[at : at + 12 + length]
    at += 12 + length
    name = hashlib.sha1(record).hexdigest()[:16]
    open(f"{sys.argv[2]}/{name}", "wb").write(record)
PY
for target in "$corpus"/*/; do
    echo "seeded $(basename "$target"): $(ls "$target" | wc -l) files"
done

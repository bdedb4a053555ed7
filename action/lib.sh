# shellcheck shell=bash
# Helpers shared by the action's scripts (sourced, not run): workflow commands, step
# outputs, and printing text that did not come from this action.
#
# Every value that could hold a newline goes through `set_output` (heredoc syntax with a
# random delimiter) or `escape_data` (workflow-command escaping); text from the repository
# or from impact's reports is printed between `::stop-commands::` markers so that a line
# of it can never act as a workflow command.

# A random hex token (128 bits).
random_token() {
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

# SHA-256 of standard input, as hex.
hash_stdin() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    else
        shasum -a 256 | cut -d' ' -f1
    fi
}

# Escapes the message of a workflow command (actions/toolkit `escapeData`).
escape_data() {
    local s=$1
    s=${s//'%'/'%25'}
    s=${s//$'\r'/'%0D'}
    s=${s//$'\n'/'%0A'}
    printf '%s' "$s"
}

# `::error::` with the message escaped.
gh_error() {
    printf '::error title=impact::%s\n' "$(escape_data "$1")"
}

# `::warning::` with the message escaped.
gh_warning() {
    printf '::warning title=impact::%s\n' "$(escape_data "$1")"
}

# Reports one error and exits (status $2, default 1).
fail() {
    gh_error "$1"
    exit "${2:-1}"
}

# Appends a step output: `name<<DELIMITER`, the value, `DELIMITER`, with a random
# delimiter that the value does not contain.
set_output() {
    local name=$1 value=$2 delimiter
    delimiter="impact_$(random_token)"
    while [[ $value == *"$delimiter"* ]]; do
        delimiter="impact_$(random_token)"
    done
    {
        printf '%s<<%s\n' "$name" "$delimiter"
        printf '%s\n' "$value"
        printf '%s\n' "$delimiter"
    } >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this script as a step of the action}"
}

# Prints a file to the log with workflow commands turned off (a random resume token).
print_untrusted() {
    local file=$1 token
    [[ -s $file ]] || return 0
    token=$(random_token)
    printf '::stop-commands::%s\n' "$token"
    cat -- "$file"
    # The resume marker must start a line of its own.
    [[ -z $(tail -c 1 -- "$file") ]] || printf '\n'
    printf '::%s::\n' "$token"
}

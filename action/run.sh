#!/usr/bin/env bash
# The script of the ecr-replication GitHub Action (action.yml at the root of
# the repository): it installs the CLI, waits for the images with
# "ecr-replication wait --output json", and then, from the JSON document,
# writes the step's outputs, the annotations and the job summary with
# "ecr-replication render". It exits with the wait's exit code.
#
# Every input comes in through the environment (INPUT_IMAGES,
# INPUT_REPOSITORY, ...: action.yml maps them), never through the text of a
# script, so that no input can inject shell code. Empty inputs are left out,
# so that the CLI's defaults apply; contradictory inputs (images and
# repository) are passed on for the CLI to report, as a usage error (exit 2,
# nothing sent). Booleans must be "true" or "false".
#
# Files: $RUNNER_TEMP/ecr-replication/result.json (the JSON document, the
# "result" output) and summary.md beside it. $GITHUB_OUTPUT gets result,
# status and max-replication-seconds; $GITHUB_STEP_SUMMARY the Markdown (a
# summary that cannot be written is a warning, never a failure).
#
# Environment besides the inputs:
#   ECR_REPLICATION_BIN    test hook: run this ecr-replication binary instead
#                          of installing one (the repository's tests set it)
#   ACTION_REF             the action's own ref (github.action_ref), recorded
#                          as the version of a CLI built from the action's source
#   GITHUB_ACTION_PATH     where the action's source is (set by the runner)
set -uo pipefail

# show makes a value safe to show in a message: control characters become
# '?', and it is cut to 200 characters.
show() {
  local s=${1//[[:cntrl:]]/?}
  if ((${#s} > 200)); then
    s="${s:0:200}..."
  fi
  printf '"%s"' "$s"
}

# escape_data and escape_property escape workflow-command text as
# @actions/core does.
escape_data() {
  local s=${1//'%'/%25}
  s=${s//$'\r'/%0D}
  printf '%s' "${s//$'\n'/%0A}"
}
escape_property() {
  local s
  s=$(escape_data "$1")
  s=${s//:/%3A}
  printf '%s' "${s//,/%2C}"
}

# annotate LEVEL TITLE MESSAGE writes a workflow command (error or warning).
annotate() {
  printf '::%s title=%s::%s\n' "$1" "$(escape_property "$2")" "$(escape_data "$3")"
}

# output NAME VALUE appends a step output, when there is a $GITHUB_OUTPUT.
output() {
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# status_word names an exit code as "render --github-output" does.
status_word() {
  case $1 in
    0) echo complete ;;
    1) echo failed ;;
    2) echo invalid-input ;;
    3) echo timeout ;;
    4) echo not-found ;;
    130) echo interrupted ;;
    *) echo error ;;
  esac
}

# fail_early reports problems found before anything ran: annotations, the
# outputs of a usage error, and exit code 2.
fail_early() {
  local problem
  for problem in "$@"; do
    annotate error "ecr-replication: invalid input" "$problem"
  done
  output result ""
  output status invalid-input
  output max-replication-seconds ""
  exit 2
}

# fail_install reports that the CLI could not be installed: an annotation,
# the outputs of an error, and exit code 5.
fail_install() {
  annotate error "ecr-replication: install" "$1"
  output result ""
  output status error
  output max-replication-seconds ""
  exit 5
}

# --- the inputs -------------------------------------------------------------

problems=()
args=(wait --output json)
flag() { # flag NAME VALUE: --NAME=VALUE, unless VALUE is empty
  if [[ -n $2 ]]; then
    args+=("--$1=$2")
  fi
}
boolean() { # boolean NAME VALUE: --NAME for "true"; "false" and "" mean no flag
  case $2 in
    true) args+=("--$1") ;;
    false | "") ;;
    *) problems+=("input $1 is $(show "$2"): use true or false") ;;
  esac
}
flag region "${INPUT_REGION:-}"
flag endpoint-url "${INPUT_ENDPOINT_URL:-}"
flag repository "${INPUT_REPOSITORY:-}"
flag tag "${INPUT_TAG:-}"
flag digest "${INPUT_DIGEST:-}"
flag registry-id "${INPUT_REGISTRY_ID:-}"
# expect: destinations one per line, or comma-separated, as --expect takes them.
while IFS= read -r line; do
  line=${line//[[:space:]]/}
  flag expect "$line"
done <<<"${INPUT_EXPECT:-}"
boolean expect-from-registry "${INPUT_EXPECT_FROM_REGISTRY:-}"
flag timeout "${INPUT_TIMEOUT:-}"
flag min-delay "${INPUT_MIN_DELAY:-}"
flag max-delay "${INPUT_MAX_DELAY:-}"
flag since "${INPUT_SINCE:-}"
boolean fail-fast "${INPUT_FAIL_FAST:-}"
flag rate-limit "${INPUT_RATE_LIMIT:-}"
flag metrics-file "${INPUT_METRICS_FILE:-}"
images=${INPUT_IMAGES:-}
if [[ -n $images ]]; then
  args+=(--images-from -)
fi
if ((${#problems[@]} > 0)); then
  fail_early "${problems[@]}"
fi

# --- the CLI ----------------------------------------------------------------

dir=${RUNNER_TEMP:-}
if [[ -z $dir ]]; then
  dir=$(mktemp -d) || exit 5
fi
dir=$dir/ecr-replication
mkdir -p "$dir" || exit 5

bin=${ECR_REPLICATION_BIN:-}
if [[ -z $bin ]]; then
  version=${INPUT_VERSION:-}
  export GOBIN=$dir/bin GOWORK=off GOFLAGS=
  if [[ -n $version ]]; then
    echo "installing github.com/ecrkit/ecrreplication/cmd/ecr-replication@$version" >&2
    go install "github.com/ecrkit/ecrreplication/cmd/ecr-replication@$version" || fail_install "cannot install ecr-replication version $(show "$version") (see the log above)"
  else
    ldflags=()
    if [[ ${ACTION_REF:-} =~ ^[A-Za-z0-9._/+-]+$ ]]; then
      ldflags=(-ldflags "-X main.version=$ACTION_REF")
    fi
    echo "installing ecr-replication from the action's source (${ACTION_REF:-local})" >&2
    (cd "${GITHUB_ACTION_PATH:?}" && go install "${ldflags[@]}" ./cmd/ecr-replication) || fail_install "cannot install ecr-replication from the action's source (see the log above)"
  fi
  bin=$GOBIN/ecr-replication
fi

result=$dir/result.json
summary=$dir/summary.md
echo "running: ecr-replication ${args[*]@Q}" >&2
"$bin" "${args[@]}" >"$result" <<<"$images"
code=$?

# --- outputs, annotations, summary --------------------------------------------

output result "$result"
render=(render)
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  render+=(--github-output "$GITHUB_OUTPUT")
fi
if ! "$bin" "${render[@]}" --output github "$result"; then
  annotate error "ecr-replication" "ecr-replication wait exited $code without a readable result document"
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    output status "$(status_word "$code")"
    output max-replication-seconds ""
  fi
  exit "$code"
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  if ! "$bin" render --output markdown "$result" >"$summary" || ! { cat "$summary" >>"$GITHUB_STEP_SUMMARY"; } 2>/dev/null; then
    annotate warning "ecr-replication" "cannot write the job summary to $(show "$GITHUB_STEP_SUMMARY"); the result is in $result"
  fi
fi
exit "$code"

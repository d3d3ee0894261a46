#!/usr/bin/env bash
# The script of the ecr-replication GitHub Action (action.yml at the root of
# the repository). It installs the CLI, waits for the images with
# "ecr-replication wait --output json", and then, from the JSON document,
# writes the step's outputs, the annotations and the job summary with
# "ecr-replication render". It exits with the wait's exit code.
#
#   run.sh --plan   only decide how the CLI will be installed, for the
#                   composite steps that follow (action.yml): writes
#                   install=download|source|none, and for a source build
#                   setup-go=true|false and go-sum=HASH, to $GITHUB_OUTPUT
#   run.sh          install, wait, render
#
# How the CLI is installed (docs/pipelines.md says the same for users):
#
#   download  when the version input is set (vX.Y.Z), or when the action's
#             own ref (ACTION_REF, github.action_ref) is v + the version in
#             action/VERSION or its major tag (v1 for 1.2.3): the release
#             that the release workflow made from this very source. The
#             archive for RUNNER_OS and RUNNER_ARCH and the release's
#             checksums file are fetched from
#             $ECR_REPLICATION_RELEASE_URL/vX.Y.Z/, the archive's SHA-256 is
#             checked, and the binary is unpacked under $RUNNER_TEMP. No Go,
#             no compile, no PATH change.
#   source    any other ref (a branch, a commit, "uses: ./"): go build from
#             the action's source, with the Go on PATH (GOTOOLCHAIN=auto
#             fetches the go.mod's Go when that one is older) or the one
#             actions/setup-go installed when there was none. GOCACHE and
#             GOMODCACHE come from action.yml, which caches them.
#   none      the version input is malformed: nothing is installed, and the
#             main run reports the input error.
#
# Every input comes in through the environment (INPUT_IMAGES,
# INPUT_REPOSITORY, ...: action.yml maps them), never through the text of a
# script, so that no input can inject shell code. Empty inputs are left out,
# so that the CLI's defaults apply; contradictory inputs (images and
# repository) are passed on for the CLI to report, as a usage error (exit 2,
# nothing sent). Booleans must be "true" or "false"; the version "v" and a
# semantic version. Every value this script prints goes through show, and
# workflow-command text is escaped as @actions/core escapes it.
#
# Exit codes: the wait's; 2 for a malformed input (nothing installed, nothing
# run, nothing sent); 5 when the CLI cannot be installed (an unsupported
# runner, a missing or altered release asset, a failed build: nothing run,
# nothing sent).
#
# Files: $RUNNER_TEMP/ecr-replication/result.json (the JSON document, the
# "result" output) and summary.md beside it; the release's files under
# $RUNNER_TEMP/ecr-replication/release. $GITHUB_OUTPUT gets result, status
# and max-replication-seconds; $GITHUB_STEP_SUMMARY the Markdown (a summary
# that cannot be written is a warning, never a failure).
#
# Environment besides the inputs:
#   ACTION_REF                   the action's own ref (github.action_ref)
#   ECR_REPLICATION_RELEASE_URL  where the releases are (default
#                                https://github.com/ecrkit/ecrreplication/releases/download)
#   RUNNER_OS, RUNNER_ARCH       the runner's (Linux, macOS, Windows; X64, ARM64)
#   RUNNER_TEMP                  the job's temporary directory
set -uo pipefail

# here is the action/ directory (action/VERSION), root the repository's.
here=${BASH_SOURCE[0]%/*}
if [[ $here == "${BASH_SOURCE[0]}" ]]; then
  here=.
fi
root=$here/..

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

# log writes a line of the step's log (stderr).
log() {
  printf 'ecr-replication action: %s\n' "$1" >&2
}

# output NAME VALUE appends a step output, when there is a $GITHUB_OUTPUT.
output() {
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
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

# sha256 FILE prints the SHA-256 of FILE (of stdin for -) in hex:
# sha256sum on Linux and Windows (Git Bash), shasum on macOS.
sha256() {
  local out
  if command -v sha256sum >/dev/null; then
    out=$(sha256sum -- "$1") || return 1
  elif command -v shasum >/dev/null; then
    out=$(shasum -a 256 -- "$1") || return 1
  else
    return 1
  fi
  out=${out%% *}
  printf '%s' "${out,,}"
}

# --- how to install the CLI -------------------------------------------------

# semver is a semantic version (semver.org 2.0.0), without the "v".
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'

# is_version V: V is "v" and a semantic version, at most 64 characters.
is_version() {
  ((${#1} <= 64)) && [[ ${1#v} != "$1" && ${1#v} =~ $semver ]]
}

# choose sets mode (download, source or none), and for a download version
# (without the "v") and why (which setting asked for it, for the log).
choose() {
  local ref=${ACTION_REF:-} released=''
  version='' why=''
  if [[ -n ${INPUT_VERSION:-} ]]; then
    if is_version "$INPUT_VERSION"; then
      mode=download version=${INPUT_VERSION#v} why="the version input"
    else
      mode=none
    fi
    return
  fi
  # action/VERSION is the version the release workflow released this
  # source as (it refuses a tag that is not v + this file).
  if [[ -r $here/VERSION ]]; then
    released=$(<"$here/VERSION")
    released=${released//[[:space:]]/}
  fi
  if [[ -n $ref && $released =~ $semver && ($ref == "v$released" || $ref == "v${released%%.*}") ]]; then
    mode=download version=$released why="the action's ref $(show "$ref")"
  else
    mode=source
  fi
}

if [[ ${1:-} == --plan ]]; then
  choose
  output install "$mode"
  case $mode in
    download) log "will download release $(show "v$version") ($why): no Go, no build" ;;
    none) log "the version input is malformed: nothing to install (the next step reports it)" ;;
    source)
      # The Go on PATH builds when it is Go 1.21 or newer (GOTOOLCHAIN=auto
      # then fetches go.mod's Go if it is older); else actions/setup-go.
      setup=true
      if gover=$(cd / && GOTOOLCHAIN=local GOFLAGS='' GOWORK=off go env GOVERSION 2>/dev/null) &&
        [[ $gover =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= 21)); then
        setup=false
      fi
      output setup-go "$setup"
      # The cache key: go.mod (its go line picks the toolchain) and go.sum.
      # actions/setup-go cannot compute it: its hashFiles skips files outside
      # the workspace, where the action's source is.
      if sum=$(cat -- "$root/go.mod" "$root/go.sum" | sha256 -); then
        output go-sum "$sum"
      fi
      log "will build from the action's source: ref $(show "${ACTION_REF:-}") is not a release ref (v + action/VERSION, or its major tag); Go on PATH: $(show "${gover:-none}"), set up Go: $setup"
      ;;
  esac
  exit 0
fi

# --- the inputs -------------------------------------------------------------

problems=()
if [[ -n ${INPUT_VERSION:-} ]] && ! is_version "$INPUT_VERSION"; then
  problems+=("input version is $(show "$INPUT_VERSION"): use v and a semantic version, such as v1.2.3, or leave it empty")
fi
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
mkdir -p -- "$dir" || exit 5

# fetch URL FILE MAX downloads URL into FILE, at most MAX bytes, or fails
# the install. Connection and total time are limited; a refused connection
# or a transient error (a time-out, HTTP 408, 429, 500, 502-504) is retried
# twice; any other HTTP error fails at once.
fetch() {
  local answer code http size
  answer=$(curl --silent --fail --location --proto '=https,http' --proto-redir '=https' \
    --connect-timeout 10 --max-time 120 --retry 2 --retry-delay 1 --retry-max-time 60 --retry-connrefused \
    --max-filesize "$3" --write-out '%{http_code} %{size_download}' --output "$2" -- "$1")
  code=$?
  read -r http size <<<"$answer"
  [[ $size =~ ^[0-9]+$ ]] || size=0
  if ((code != 0 || size > $3)); then
    case $code in
      22) fail_install "cannot download $(show "$1"): HTTP ${http:-?}; is there a release $(show "v$version") with this asset?" ;;
      63) fail_install "cannot download $(show "$1"): larger than $3 bytes" ;;
      *) fail_install "cannot download $(show "$1"): curl exit code $code, HTTP ${http:-?}" ;;
    esac
  fi
}

# download_release installs the release's binary for the runner: bin.
download_release() {
  local os arch ext=tar.gz exe=ecr-replication base asset sums want='' got sum name rest
  case ${RUNNER_OS:-} in
    Linux) os=linux ;;
    macOS) os=darwin ;;
    Windows) os=windows ext=zip exe=ecr-replication.exe ;;
    *) fail_install "no ecr-replication release for the runner's OS $(show "${RUNNER_OS:-}") (RUNNER_OS): releases are made for Linux, macOS and Windows; use a ref that builds from source (a branch or a commit) instead" ;;
  esac
  case ${RUNNER_ARCH:-} in
    X64) arch=amd64 ;;
    ARM64) arch=arm64 ;;
    *) fail_install "no ecr-replication release for the runner's architecture $(show "${RUNNER_ARCH:-}") (RUNNER_ARCH): releases are made for X64 and ARM64; use a ref that builds from source (a branch or a commit) instead" ;;
  esac
  asset=ecr-replication_${version}_${os}_${arch}.$ext
  sums=ecr-replication_${version}_checksums.txt
  base=${ECR_REPLICATION_RELEASE_URL:-https://github.com/ecrkit/ecrreplication/releases/download}
  base=${base%/}/v$version
  log "installing release $(show "v$version") ($why): $(show "$asset") from $(show "$base")"
  local dl=$dir/release
  command -v curl >/dev/null || fail_install "downloading release $(show "v$version") needs curl, and there is none on PATH"
  { rm -rf -- "$dl" && mkdir -p -- "$dl/bin"; } || fail_install "cannot make the directory $(show "$dl")"
  fetch "$base/$sums" "$dl/$sums" 1048576
  while read -r sum name rest; do
    if [[ ${name#\*} == "$asset" ]]; then
      want=${sum,,}
      break
    fi
  done <"$dl/$sums"
  if [[ ! $want =~ ^[0-9a-f]{64}$ ]]; then
    fail_install "the checksums file $(show "$sums") of release $(show "v$version") has no SHA-256 for $(show "$asset")"
  fi
  fetch "$base/$asset" "$dl/$asset" 104857600
  got=$(sha256 "$dl/$asset") || fail_install "cannot compute the SHA-256 of $(show "$asset"): no sha256sum or shasum"
  if [[ $got != "$want" ]]; then
    rm -f -- "$dl/$asset"
    fail_install "$(show "$asset") does not match release $(show "v$version")'s checksums file: its SHA-256 is $got, the file says $want; it was not run"
  fi
  log "$(show "$asset"): SHA-256 $got, as $(show "$sums") says"
  if [[ $ext == zip ]]; then
    # Windows: unzip, from Git for Windows, else the tar of Windows itself
    # (bsdtar, which reads zip; Git Bash's own tar is GNU tar, which does not).
    if command -v unzip >/dev/null; then
      unzip -q -o "$dl/$asset" "$exe" -d "$dl/bin" >&2
    else
      "$(cygpath -u "${SYSTEMROOT:-C:\\Windows}")/System32/tar.exe" -xf "$dl/$asset" -C "$dl/bin" "$exe" >&2
    fi
  else
    tar -xzf "$dl/$asset" -C "$dl/bin" "$exe" >&2
  fi || fail_install "cannot unpack $(show "$exe") from $(show "$asset")"
  bin=$dl/bin/$exe
  [[ -f $bin && -x $bin ]] || fail_install "$(show "$asset") holds no executable $(show "$exe")"
}

# build_source builds the CLI from the action's source: bin.
build_source() {
  local ldflags='-s -w' exe=''
  command -v go >/dev/null || fail_install "building ecr-replication from the action's source at ref $(show "${ACTION_REF:-}") needs Go, and there is none on PATH"
  log "building from the action's source: ref $(show "${ACTION_REF:-}") is not a release ref (v + action/VERSION, or its major tag)"
  if [[ ${ACTION_REF:-} =~ ^[A-Za-z0-9._/+-]{1,100}$ ]]; then
    ldflags+=" -X main.version=$ACTION_REF"
  fi
  if [[ ${RUNNER_OS:-} == Windows || ${OS:-} == Windows_NT ]]; then
    exe=.exe
  fi
  bin=$dir/bin/ecr-replication$exe
  # The release build line (.goreleaser.yaml), for the runner's platform
  # whatever the job's GOOS and GOARCH; GOFLAGS=-modcacherw lets the job's
  # cleanup delete the module cache.
  (
    unset GOOS GOARCH GOARM GOAMD64 GOARM64 GOEXPERIMENT
    export CGO_ENABLED=0 GOWORK=off GOFLAGS=-modcacherw GOTOOLCHAIN=auto
    cd -- "$root" && go build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/ecr-replication
  ) || fail_install "cannot build ecr-replication from the action's source (see the log above)"
}

choose
case $mode in
  download) download_release ;;
  *) build_source ;;
esac

result=$dir/result.json
summary=$dir/summary.md
shown=
for arg in "${args[@]}"; do
  shown+=" $(show "$arg")"
done
log "running ecr-replication$shown"
"$bin" "${args[@]}" >"$result" <<<"$images"
code=$?

# --- outputs, annotations, summary --------------------------------------------

output result "$result"
render=(render)
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  render+=(--github-output "$GITHUB_OUTPUT")
fi
if ! "$bin" "${render[@]}" --output github "$result"; then
  # No document to take the status from: whatever the exit code, an error.
  annotate error "ecr-replication" "ecr-replication wait exited $code without a readable result document"
  output status error
  output max-replication-seconds ""
  exit "$code"
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  if ! "$bin" render --output markdown "$result" >"$summary" || ! { cat "$summary" >>"$GITHUB_STEP_SUMMARY"; } 2>/dev/null; then
    annotate warning "ecr-replication" "cannot write the job summary to $(show "$GITHUB_STEP_SUMMARY"); the result is in $(show "$result")"
  fi
fi
exit "$code"

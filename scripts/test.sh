#!/usr/bin/env bash
# Runs every test, as CI does: the template's and the workflows' linters, shellcheck, sam validate and
# sam build, the unit tests, the integration tests (the real SDK and the real aws CLI against moto_server
# and scripted endpoints on 127.0.0.1, the built function through the Lambda runtime emulator), and the
# script suites again under the other major version of the aws CLI. Ends with a summary of every stage.
# Installs or locates what it needs first. Never calls AWS and needs no credentials.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [--only CLASS[#METHOD]] [maven arguments...]

Runs the whole test suite, as CI does, and prints a summary of every stage at the end.

  --only CLASS[#METHOD]   run one test class or method and nothing else (no linters, no sam build):
                          a name ending in IT runs as an integration test, any other as a unit test.
                          For example: scripts/test.sh --only EventValidatorTest
  -h, --help              this text

Other arguments go to Maven. Installs what is missing: Python tools into virtualenvs under
~/.cache/ecs-migration-runner (never system-wide), actionlint with `go install`; only shellcheck, curl
and Maven come from apt-get, system-wide, and the script says so before it starts.
USAGE
}

only=''
maven_args=()
while (( $# > 0 )); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --only) [[ $# -ge 2 ]] || { echo "test.sh: --only needs a test class, for example --only EventValidatorTest" >&2; exit 2; }
      only=$2; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    *) maven_args+=("$1"); shift ;;
  esac
done
if [[ -n "$only" && ! "$only" =~ ^[A-Za-z_][A-Za-z0-9_]*(#[A-Za-z0-9_*]+)?$ ]]; then
  echo "test.sh: --only takes a test class name, optionally with #method, got '$only'" >&2
  exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh

export SAM_CLI_TELEMETRY=0
# The tests must never reach AWS: dummy credentials, and no profile or region from this machine.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

use_jdk25
need_maven

if [[ -n "$only" ]]; then
  need_moto
  need_aws_cli
  need_curl
  [[ -d .aws-sam/build/MigrationFunction ]] && export MIGRATION_ARTIFACT="$PWD/.aws-sam/build/MigrationFunction"
  if [[ "${only%%#*}" == *IT ]]; then
    exec mvn -B -ntp verify -Plong -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.failIfNoTests=false -Dit.test="$only" "${maven_args[@]}"
  fi
  exec mvn -B -ntp test -Dtest="$only" "${maven_args[@]}"
fi

SUMMARY=()
FAILED=0
INCOMPLETE=0
# stage NAME COMMAND...: runs one stage, keeps going when it fails, and notes the outcome for the summary.
stage() {
  local name=$1 start=$SECONDS
  shift
  printf '\n== %s\n' "$name"
  if "$@"; then
    SUMMARY+=("passed    $name ($(( SECONDS - start )) s)")
  else
    SUMMARY+=("FAILED    $name")
    FAILED=1
  fi
}
# not_run NAME WHY: a stage that could not run here. It is never counted as passed.
not_run() {
  printf '\n== %s: NOT RUN (%s)\n' "$1" "$2"
  SUMMARY+=("NOT RUN   $1: $2")
  INCOMPLETE=1
}

need_moto
need_aws_cli
need_curl
need_cfn_lint
need_shellcheck
need_checkov
need_sam

stage "cfn-lint template.yaml" cfn-lint template.yaml
stage "checkov template.yaml (each suppression carries its reason in the template)" \
  "$CHECKOV" -f template.yaml --framework cloudformation --compact --quiet --skip-download
stage "shellcheck scripts" shellcheck -x scripts/*.sh scripts/lib/*.sh .ci/run

# actionlint checks the workflows, and the example's migration step against action.yml's inputs: a copy of
# the example that uses the action from this checkout (uses: ./).
lint_workflows() {
  mkdir -p target/actionlint
  sed 's|uses: ecs-migration-runner/ecs-migration-runner@v[0-9]*|uses: ./|' .github/workflows/deploy-example.yml \
    >target/actionlint/deploy-example-with-this-action.yml
  grep -q 'uses: \./$' target/actionlint/deploy-example-with-this-action.yml \
    || { echo "the example workflow no longer uses the action; update scripts/test.sh" >&2; return 1; }
  actionlint .github/workflows/*.yml target/actionlint/deploy-example-with-this-action.yml
}
if need_actionlint; then
  stage "actionlint workflows, and the example against action.yml" lint_workflows
else
  not_run "actionlint" "needs actionlint on PATH or Go to install it (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)"
fi

stage "sam validate --lint" "$SAM" validate --lint
stage "sam build" sam_build --cached
# The packaged-function tests run exactly what sam build produced; ReleaseIT packages it with the same SAM.
export MIGRATION_ARTIFACT="$PWD/.aws-sam/build/MigrationFunction" SAM_CLI="$SAM"

primary_aws=$(command -v aws)
primary_major=$(aws_cli_major "$primary_aws")
script_suites='ScriptsIT,ScriptedWaiterIT,ActionIT,AwsCliIT'
stage "maven verify: unit and integration tests (script suites under aws CLI v$primary_major, $("$primary_aws" --version 2>&1 | cut -d' ' -f1))" \
  mvn -B -ntp verify -Plong -Daws.cli.expected="$primary_major" "${maven_args[@]}"

# The script suites again under the other major version of the aws CLI: GitHub's runners carry v2, other
# machines v1, and the scripts must work under both.
other_major=$(( primary_major == 1 ? 2 : 1 ))
cli_pass() {
  local bin
  bin="$(tools_cache)/aws-cli-v$other_major-bin"
  mkdir -p "$bin"
  ln -sf "$OTHER_AWS_CLI" "$bin/aws"
  PATH="$bin:$PATH" mvn -B -ntp failsafe:integration-test failsafe:verify -Dit.test="$script_suites" \
    -Daws.cli.expected="$other_major" -Dfailsafe.reports="$root/target/failsafe-reports-aws-cli-v$other_major" \
    "${maven_args[@]}"
}
if other_aws_cli "$root" "$other_major"; then
  stage "script suites under aws CLI v$other_major ($("$OTHER_AWS_CLI" --version 2>&1 | cut -d' ' -f1)): ${script_suites//,/, }" cli_pass
else
  not_run "script suites under aws CLI v$other_major" \
    "no aws CLI v$other_major: set AWS_CLI_V2 to an aws v2 executable, or AWS_CLI_V2_WHEEL to its wheel"
fi

# The README's single-test example, run as written.
readme_example() {
  local command
  command=$(sed -n 's/^\(scripts\/test\.sh --only [A-Za-z#_]*\)$/\1/p' README.md | head -n 1)
  [[ -n "$command" ]] || { echo "README.md shows no 'scripts/test.sh --only CLASS' line" >&2; return 1; }
  echo "$command"
  bash -c "$command"
}
stage "the README's single-test example" readme_example

# Test counts, from the reports Maven wrote.
counts() {
  python3 - "$@" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
for label, folder in zip(sys.argv[1::2], sys.argv[2::2]):
    totals = [0, 0, 0, 0]
    for report in glob.glob(folder + "/TEST-*.xml"):
        suite = ET.parse(report).getroot()
        for i, key in enumerate(("tests", "failures", "errors", "skipped")):
            totals[i] += int(suite.get(key, 0))
    if totals[0]:
        print(f"          {label}: {totals[0]} tests, {totals[1] + totals[2]} failed, {totals[3]} skipped")
PY
}

printf '\n== summary\n'
printf '%s\n' "${SUMMARY[@]}"
counts "unit tests" target/surefire-reports "integration tests" target/failsafe-reports \
  "script suites, aws CLI v$other_major" "target/failsafe-reports-aws-cli-v$other_major"
if (( FAILED )); then
  echo "FAILED: see the stages marked FAILED above"
  exit 1
elif (( INCOMPLETE )); then
  echo "passed, but not everything ran: see the stages marked NOT RUN (they are not counted as passed)"
else
  echo "all passed"
fi

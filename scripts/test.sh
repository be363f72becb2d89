#!/usr/bin/env bash
# Runs every test: template lint, shellcheck, sam validate and sam build, unit tests, and the integration
# tests (including the sam-built artifact run on every sample event) that drive the real
# SDK and the real aws CLI against moto_server and scripted endpoints on 127.0.0.1.
# Installs or locates what it needs first. Never calls AWS and needs no credentials.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [maven arguments...]

Runs the whole test suite, as CI does. Extra arguments go to Maven, for example:
  scripts/test.sh -Dtest=EventValidatorTest -Dit.test=none     one unit test class
USAGE
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/toolchain.sh
source scripts/lib/toolchain.sh

use_jdk25
need_maven
need_moto
need_aws_cli
need_cfn_lint
need_shellcheck

# The tests must never reach AWS: dummy credentials, and no profile or region from this machine.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

echo "== cfn-lint template.yaml"
cfn-lint template.yaml

echo "== checkov template.yaml (each suppression carries its reason in the template)"
need_checkov
"$CHECKOV" -f template.yaml --framework cloudformation --compact --quiet --skip-download

echo "== shellcheck scripts"
shellcheck -x scripts/*.sh scripts/lib/*.sh .ci/run

echo "== sam validate --lint, sam build"
need_sam
"$SAM" validate --lint
sam_build --cached
# The packaged-function tests run exactly what sam build produced.
export MIGRATION_ARTIFACT="$PWD/.aws-sam/build/MigrationFunction"
# ReleaseIT runs sam package with the same SAM CLI.
export SAM_CLI="$SAM"

echo "== maven verify (unit tests, then integration tests)"
mvn -B -ntp verify -Plong "$@"

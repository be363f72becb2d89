#!/usr/bin/env bash
# Finds or installs what the build and the tests need. Sourced by test.sh, demo.sh, bench.sh, local-invoke.sh.
# Everything installed here comes from the ordinary package registries (apt, PyPI, Maven Central).

toolchain_log() { printf '[setup] %s\n' "$*" >&2; }

# Puts a JDK 25+ on JAVA_HOME: JAVA_HOME itself if it qualifies, else one under /usr/lib/jvm.
use_jdk25() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [[ "${version%%.*}" =~ ^[0-9]+$ ]] && (( ${version%%.*} >= 25 )); then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      # Maven's own JVM: no sun.misc.Unsafe warnings from its bundled Guava on JDK 24+, and no stray
      # colour-reset codes from jansi in quiet mode, so that results are not buried.
      [[ " ${MAVEN_OPTS:-} " == *" --sun-misc-unsafe-memory-access=allow "* ]] \
        || export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow -Djansi.noreset=true"
      return 0
    fi
  done
  cat >&2 <<'MSG'
error: no JDK 25 or newer found. The function targets the Lambda java25 runtime.
  Install one (for example Temurin 25 from adoptium.net, or 'sdk install java 25-tem'),
  then set JAVA_HOME to it and run this again.
MSG
  return 1
}

# The project's own cache: one virtualenv per Python tool (their pins conflict with each other and with a
# system-wide aws CLI), and bin/, which holds links to their commands and comes first on PATH. Nothing
# here touches the system; only apt_install does, and it says so first.
tools_cache() { printf '%s/ecs-migration-runner' "${XDG_CACHE_HOME:-$HOME/.cache}"; }

tools_on_path() {
  local bin
  bin="$(tools_cache)/bin"
  mkdir -p "$bin"
  [[ ":$PATH:" == *":$bin:"* ]] || export PATH="$bin:$PATH"
}

# venv_tool NAME PIP_SPEC COMMAND...: installs PIP_SPEC into the virtualenv NAME of the project's cache, once,
# and links each COMMAND into its bin/ on PATH.
venv_tool() {
  local name=$1 spec=$2 venv command
  shift 2
  venv="$(tools_cache)/$name"
  tools_on_path
  # The marker is written last, so that an install that broke off is done again.
  if [[ ! -f "$venv/.installed" ]]; then
    toolchain_log "installing $spec into $venv (a virtualenv of this project's cache, not system-wide)"
    if ! { python3 -m venv "$venv" >&2 && "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec" >&2; }; then
      echo "error: could not install $spec; see above" >&2
      return 1
    fi
    : >"$venv/.installed"
  fi
  for command in "$@"; do
    ln -sf "$venv/bin/$command" "$(tools_cache)/bin/$command"
  done
}

need_moto() {
  tools_on_path
  command -v moto_server >/dev/null 2>&1 || venv_tool moto 'moto[server]>=5.1' moto_server
}

need_aws_cli() {
  tools_on_path
  command -v aws >/dev/null 2>&1 || venv_tool awscli 'awscli>=1.40' aws
}

need_cfn_lint() {
  tools_on_path
  command -v cfn-lint >/dev/null 2>&1 || venv_tool cfn-lint 'cfn-lint>=1.20' cfn-lint
}

# python_with_yaml: prints a python3 that can import yaml (PyYAML): the system's, else the project's own.
python_with_yaml() {
  if python3 -c 'import yaml' >/dev/null 2>&1; then
    command -v python3
    return 0
  fi
  venv_tool pyyaml 'PyYAML>=6' >/dev/null || return 1
  printf '%s\n' "$(tools_cache)/pyyaml/bin/python"
}

# apt_install PACKAGE: the only system-wide install; it says so before it starts.
apt_install() {
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  toolchain_log "$1 is missing: installing it SYSTEM-WIDE with ${sudo[*]:+sudo }apt-get (Debian/Ubuntu)." \
    "Install it yourself and run this again to avoid that."
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "$1"; } >&2
}

need_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck
}

need_curl() {
  command -v curl >/dev/null 2>&1 || apt_install curl
}

need_maven() {
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# The AWS SAM CLI, in its own virtualenv: it pins boto3/botocore versions that would break an aws CLI v1
# installed beside it. Sets SAM. Telemetry is off for everything these scripts run.
need_sam() {
  export SAM_CLI_TELEMETRY=0
  tools_on_path
  command -v sam >/dev/null 2>&1 || venv_tool sam aws-sam-cli sam || return 1
  SAM=$(command -v sam)
}

# checkov, the IaC scanner, in its own virtualenv: its pins conflict with the SAM CLI's and cfn-lint's.
need_checkov() {
  tools_on_path
  command -v checkov >/dev/null 2>&1 || venv_tool checkov checkov checkov || return 1
  # shellcheck disable=SC2034 # for test.sh, which sources this file
  CHECKOV=$(command -v checkov)
}

# actionlint, the GitHub Actions linter, with `go install` into the cache's bin/. Returns 1 without Go.
need_actionlint() {
  tools_on_path
  command -v actionlint >/dev/null 2>&1 && return 0
  command -v go >/dev/null 2>&1 || return 1
  toolchain_log "installing actionlint with go install into $(tools_cache)/bin"
  GOBIN="$(tools_cache)/bin" go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 >&2
}

# aws_cli_major AWS: 1 or 2, the major version of that aws executable.
aws_cli_major() {
  "$1" --version 2>&1 | sed -n 's|^aws-cli/\([0-9]*\)\..*|\1|p' | head -n 1
}

# other_aws_cli ROOT MAJOR: sets OTHER_AWS_CLI to an aws CLI of MAJOR version (1 or 2), installing it into
# the project's cache: v1 from PyPI; v2 from AWS_CLI_V2_WHEEL, else the wheel the project's CI keeps beside
# the repository (../shared/tools/wheels), since PyPI does not carry v2. Returns 1 when there is none.
# shellcheck disable=SC2034 # OTHER_AWS_CLI is for test.sh
other_aws_cli() {
  local root=$1 major=$2 wheel
  if [[ "$major" == 1 ]]; then
    venv_tool awscli-v1 'awscli>=1.40,<2' || return 1
    OTHER_AWS_CLI="$(tools_cache)/awscli-v1/bin/aws"
    return 0
  fi
  if [[ -n "${AWS_CLI_V2:-}" && "$(aws_cli_major "$AWS_CLI_V2")" == 2 ]]; then
    OTHER_AWS_CLI=$AWS_CLI_V2
    return 0
  fi
  if [[ ! -x "$(tools_cache)/awscli-v2/bin/aws" ]]; then
    wheel=${AWS_CLI_V2_WHEEL:-$(find "$root/../shared/tools/wheels" -maxdepth 1 -name 'awscli-2*.whl' 2>/dev/null | sort | tail -n 1)}
    [[ -n "$wheel" && -f "$wheel" ]] || return 1
    venv_tool awscli-v2 "$wheel" || return 1
  fi
  OTHER_AWS_CLI="$(tools_cache)/awscli-v2/bin/aws"
}

# sam build with the standard Maven workflow; tests run separately, so sam's `mvn install` skips them.
sam_build() {
  need_sam
  MAVEN_OPTS="${MAVEN_OPTS:-} -DskipTests=true" "$SAM" build "$@"
}

# function_jar ROOT: prints the path of the function's jar in target/, built with Maven first when it is
# missing or older than the sources.
function_jar() {
  local root=$1 jar
  jar="$root/target/ecs-migration-runner-1.0.0.jar"
  if [[ ! -f "$jar" || -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]]; then
    need_maven
    toolchain_log "building the function: mvn package"
    (cd "$root" && mvn -B -q -ntp -DskipTests package >&2) || { echo "error: the build failed; see above" >&2; return 1; }
  fi
  printf '%s\n' "$jar"
}

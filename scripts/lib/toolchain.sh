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

pip_install() {
  toolchain_log "installing $* from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check "$@" >&2
}

need_moto() {
  command -v moto_server >/dev/null 2>&1 || pip_install 'moto[server]>=5.1'
}

need_aws_cli() {
  command -v aws >/dev/null 2>&1 || pip_install 'awscli>=1.40'
}

need_cfn_lint() {
  command -v cfn-lint >/dev/null 2>&1 || pip_install 'cfn-lint>=1.20'
}

apt_install() {
  toolchain_log "installing $1 from Debian"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
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

# The AWS SAM CLI, in a virtualenv of its own: it pins boto3/botocore versions that would break a
# system-wide aws CLI v1 if installed beside it.
need_sam() {
  if command -v sam >/dev/null 2>&1; then
    SAM=$(command -v sam)
    return 0
  fi
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/ecs-migration-runner/sam"
  if [[ ! -x "$venv/bin/sam" ]]; then
    toolchain_log "installing the AWS SAM CLI into $venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check aws-sam-cli >&2
  fi
  SAM="$venv/bin/sam"
  export SAM_CLI_TELEMETRY=0
}

# checkov, the IaC scanner, in a virtualenv of its own: its pins conflict with the SAM CLI's and cfn-lint's.
need_checkov() {
  if command -v checkov >/dev/null 2>&1; then
    # shellcheck disable=SC2034 # for test.sh, which sources this file
    CHECKOV=$(command -v checkov)
    return 0
  fi
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/ecs-migration-runner/checkov"
  if [[ ! -x "$venv/bin/checkov" ]]; then
    toolchain_log "installing checkov into $venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check checkov >&2
  fi
  # shellcheck disable=SC2034 # for test.sh, which sources this file
  CHECKOV="$venv/bin/checkov"
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

#!/usr/bin/env bash
# The real Lambda runtime loop without Docker: the Lambda Runtime Interface Emulator (RIE) runs the Java
# runtime interface client (RIC), which loads the function from its task root as the java25 runtime does
# from /var/task. Sourced by local-invoke.sh and bench.sh, after toolchain.sh.

EMULATOR_MODULE=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIC_VERSION=2.9.0
RIC_MAIN=com.amazonaws.services.lambda.runtime.api.client.AWSLambda

# The flags the java25 runtime starts an on-demand cold start with: the serial GC and C1 only. The RIC
# loads a JNI library, which Java 25 allows only with --enable-native-access.
# shellcheck disable=SC2034 # used by the scripts that source this file
LAMBDA_JVM_FLAGS=(-XX:+UseSerialGC -XX:+TieredCompilation -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED)

# find_emulator: sets EMULATOR to the aws-lambda-rie binary. Looks in AWS_LAMBDA_RIE, then PATH, then a
# copy installed before; installs it with `go install` where that works; then takes the copy the project's
# CI keeps beside the repository (../shared/tools). Otherwise says how to get it and returns 1.
find_emulator() {
  local root=$1 installed failed
  installed="$(tools_cache)/bin/aws-lambda-rie"
  failed="$(tools_cache)/go-install-aws-lambda-rie.failed"
  if [[ -n "${AWS_LAMBDA_RIE:-}" ]]; then
    [[ -x "$AWS_LAMBDA_RIE" ]] || { echo "error: AWS_LAMBDA_RIE is '$AWS_LAMBDA_RIE', which is not an executable file" >&2; return 1; }
    EMULATOR=$AWS_LAMBDA_RIE
    return 0
  fi
  if EMULATOR=$(command -v aws-lambda-rie); then return 0; fi
  if [[ -x "$installed" ]]; then EMULATOR=$installed; return 0; fi
  # A go install that failed is not tried again for a day: the Go proxy may not serve the module.
  if command -v go >/dev/null 2>&1 && [[ -z "$(find "$failed" -mmin -1440 2>/dev/null)" ]]; then
    toolchain_log "installing the Lambda Runtime Interface Emulator: go install $EMULATOR_MODULE@latest"
    mkdir -p "${installed%/*}"
    if GOBIN="${installed%/*}" go install "$EMULATOR_MODULE@latest" >"$failed" 2>&1 && [[ -x "$installed" ]]; then
      rm -f "$failed"
      EMULATOR=$installed
      return 0
    fi
    toolchain_log "go install failed (not tried again for a day): $(tail -n 2 "$failed" | tr '\n' ' ')"
  fi
  if [[ -x "$root/../shared/tools/bin/aws-lambda-rie" ]]; then
    EMULATOR=$(cd "$root/../shared/tools/bin" && pwd)/aws-lambda-rie
    toolchain_log "using the emulator the project's CI keeps: $EMULATOR"
    return 0
  fi
  cat >&2 <<MSG
error: the Lambda Runtime Interface Emulator (aws-lambda-rie) is not installed.
  Get the binary for your machine from
    https://github.com/aws/aws-lambda-runtime-interface-emulator/releases
  (aws-lambda-rie for x86-64, aws-lambda-rie-arm64 for ARM), make it executable, and either put it on
  PATH or set AWS_LAMBDA_RIE to its path. With Go installed this also works:
    GOBIN=\$HOME/.local/bin go install $EMULATOR_MODULE@latest
MSG
  return 1
}

# runtime_classpath ROOT: sets RUNTIME_CLASSPATH to the RIC and its dependencies, resolved from Maven
# Central once (scripts/lib/lambda-runtime/pom.xml) and remembered in the project's cache.
runtime_classpath() {
  local root=$1 cached entry
  cached="$(tools_cache)/lambda-runtime-$RIC_VERSION.classpath"
  if [[ -s "$cached" ]]; then
    RUNTIME_CLASSPATH=$(<"$cached")
    local -a entries
    IFS=: read -r -a entries <<<"$RUNTIME_CLASSPATH"
    for entry in "${entries[@]}"; do
      [[ -f "$entry" ]] || { RUNTIME_CLASSPATH=''; break; }
    done
    [[ -z "$RUNTIME_CLASSPATH" ]] || return 0
  fi
  need_maven
  toolchain_log "resolving the Java runtime interface client $RIC_VERSION from Maven Central"
  mkdir -p "${cached%/*}"
  mvn -B -q -ntp -f "$root/scripts/lib/lambda-runtime/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$cached" >&2 || { echo "error: Maven could not resolve the runtime interface client; see above" >&2; return 1; }
  RUNTIME_CLASSPATH=$(<"$cached")
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# emulator_invoke TASK_ROOT HANDLER EVENT_FILE RESPONSE_FILE LOG_FILE: starts the emulator on TASK_ROOT with
# exactly the variables in FUNCTION_ENV (an array of NAME=VALUE) and the JVM flags in JVM_FLAGS, sends the
# event once, writes the function's response to RESPONSE_FILE and everything the emulator and the function
# printed to LOG_FILE (and, when EMULATOR_ECHO is set, to stderr as it comes), then stops the emulator.
# Sets EMULATOR_WALL_MS (emulator start to response) and EMULATOR_PEAK_RSS_MB (the runtime's JVM).
# Returns 0 when the function answered, 1 when the emulator or the runtime failed.
emulator_invoke() {
  local task_root=$1 handler=$2 event=$3 response=$4 log=$5
  local invoke_port api_port start timeout=180 entry code java_pid='' tail_pid='' attempt
  for entry in "${FUNCTION_ENV[@]}"; do
    [[ "$entry" == AWS_LAMBDA_FUNCTION_TIMEOUT=* ]] && timeout=${entry#*=}
  done
  invoke_port=$(free_port)
  api_port=$(free_port)
  : >"$log"
  start=$(date +%s%N)
  (cd "$task_root" && exec env -i "${FUNCTION_ENV[@]}" "$EMULATOR" \
    --runtime-interface-emulator-address "127.0.0.1:$invoke_port" --runtime-api-address "127.0.0.1:$api_port" \
    "$JAVA_HOME/bin/java" "${JVM_FLAGS[@]}" -cp "$RUNTIME_CLASSPATH" "$RIC_MAIN" "$handler") >>"$log" 2>&1 &
  EMULATOR_PID=$!
  if [[ -n "${EMULATOR_ECHO:-}" ]]; then
    tail -n +1 -s 0.1 -f --pid="$EMULATOR_PID" "$log" >&2 &
    tail_pid=$!
  fi
  for attempt in $(seq 1 100); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$invoke_port/" && break
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null || (( attempt == 100 )); then
      emulator_stop
      [[ -z "$tail_pid" ]] || wait "$tail_pid" 2>/dev/null
      echo "error: the emulator did not start on 127.0.0.1:$invoke_port; its output:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  code=$(curl -sS --max-time $(( timeout + 30 )) -o "$response" -w '%{http_code}' -X POST \
    --data-binary "@$event" "http://127.0.0.1:$invoke_port/2015-03-31/functions/function/invocations") || code=000
  # shellcheck disable=SC2034 # read by the scripts that source this file
  EMULATOR_WALL_MS=$(( ($(date +%s%N) - start) / 1000000 ))
  java_pid=$(pgrep -P "$EMULATOR_PID" | head -n 1 || true)
  # shellcheck disable=SC2034 # read by the scripts that source this file
  EMULATOR_PEAK_RSS_MB=$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/${java_pid:-0}/status" 2>/dev/null || true)
  # The emulator prints REPORT as the response leaves; what it prints while shutting down is not the invoke's.
  for attempt in $(seq 1 20); do
    grep -q '^REPORT RequestId' "$log" && break
    sleep 0.05
  done
  if [[ -n "$tail_pid" ]]; then
    sleep 0.2
    kill "$tail_pid" 2>/dev/null || true
    wait "$tail_pid" 2>/dev/null || true
  fi
  emulator_stop
  if [[ "$code" != 200 ]]; then
    echo "error: the emulator answered HTTP $code to the invoke (see its output above)" >&2
    return 1
  fi
}

# emulator_stop: stops the emulator and the runtime it started, if they still run.
emulator_stop() {
  [[ -n "${EMULATOR_PID:-}" ]] || return 0
  local children
  children=$(pgrep -P "$EMULATOR_PID" || true)
  kill "$EMULATOR_PID" 2>/dev/null || true
  # shellcheck disable=SC2086 # one pid per word
  [[ -z "$children" ]] || kill $children 2>/dev/null || true
  wait "$EMULATOR_PID" 2>/dev/null || true
  EMULATOR_PID=''
}

# function_error RESPONSE_FILE: prints "errorType: errorMessage" when the response is Lambda's error
# document, the way the runtime reports a handler that threw; returns 1 when it is an ordinary response.
function_error() {
  python3 - "$1" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as handle:
        body = json.load(handle)
except (OSError, ValueError):
    sys.exit(1)
if isinstance(body, dict) and "errorType" in body and "errorMessage" in body:
    print(f"{body['errorType']}: {body['errorMessage']}")
    sys.exit(0)
sys.exit(1)
PY
}

# function_environment ROOT REGION ENV_VARS_FILE PARAMETER_OVERRIDES FUNCTION_ID: what Lambda would give the
# function of ROOT/template.yaml. Fills FUNCTION_ENV (NAME=VALUE: the template's variables resolved by
# scripts/lib/function_env.py, Lambda's own, and the caller's credentials and endpoints, nothing else) and
# FUNCTION_META (function, handler, memory, timeout, log_format). Returns 2 when an input is wrong.
function_environment() {
  local root=$1 region=$2 env_vars=$3 overrides=$4 function_id=$5 resolved record name
  local python
  python=$(python_with_yaml) || return 2
  resolved=$(mktemp)
  if ! "$python" "$root/scripts/lib/function_env.py" --template "$root/template.yaml" --function "$function_id" \
      --env-vars "$env_vars" --parameter-overrides "$overrides" --region "$region" >"$resolved"; then
    rm -f "$resolved"
    return 2
  fi
  declare -gA FUNCTION_META=()
  FUNCTION_ENV=()
  while IFS= read -r -d '' record; do
    case "$record" in
      meta:*) record=${record#meta:}; FUNCTION_META[${record%%=*}]=${record#*=} ;;
      env:*) FUNCTION_ENV+=("${record#env:}") ;;
    esac
  done <"$resolved"
  rm -f "$resolved"

  # Lambda's own variables, as the java25 runtime sets them (sam local invoke sets the same).
  FUNCTION_ENV+=(
    "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=en_US.UTF-8" "TZ=:UTC"
    "AWS_REGION=$region" "AWS_DEFAULT_REGION=$region" "AWS_EXECUTION_ENV=AWS_Lambda_java25"
    "AWS_LAMBDA_FUNCTION_NAME=${FUNCTION_META[function]}" "AWS_LAMBDA_FUNCTION_VERSION=\$LATEST"
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=${FUNCTION_META[memory]}" "AWS_LAMBDA_FUNCTION_TIMEOUT=${FUNCTION_META[timeout]}"
    "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand" "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/${FUNCTION_META[function]}"
    "AWS_LAMBDA_LOG_STREAM_NAME=\$LATEST"
    # Lambda has no AWS config files; neither does the function here, whatever this machine has.
    "AWS_CONFIG_FILE=/dev/null" "AWS_SHARED_CREDENTIALS_FILE=/dev/null"
  )
  [[ -z "${FUNCTION_META[log_format]}" ]] || FUNCTION_ENV+=("AWS_LAMBDA_LOG_FORMAT=${FUNCTION_META[log_format]}")
  [[ "${FUNCTION_META[log_format]}" != JSON ]] || FUNCTION_ENV+=("AWS_LAMBDA_LOG_LEVEL=INFO")
  # The connection settings, and only those, come from the caller.
  for name in $(compgen -e); do
    [[ "$name" =~ ^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_ENDPOINT_URL(_[A-Z0-9_]+)?)$ ]] \
      && FUNCTION_ENV+=("$name=${!name}")
  done
  if [[ -z "${AWS_ACCESS_KEY_ID:-}" ]]; then
    printf '%s\n' "warning: no AWS_ACCESS_KEY_ID in the environment, so the function has no credentials. For a local" \
      "endpoint any value does (AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test); for a profile, first run:" \
      "  eval \"\$(aws configure export-credentials --format env)\"" >&2
  fi
  return 0
}

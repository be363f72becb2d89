#!/usr/bin/env bash
# shellcheck disable=SC2034 # the values are for the scripts that source this file
# The names the scripts share with the function (src/main/java/dev/ecsmigrate/contract/Contract.java).
# ContractScriptsTest proves that both hold the same values; change them together, or not at all.

readonly MIGRATION_SOURCE='ecs.migration'
readonly MIGRATION_TRIGGER_DETAIL_TYPE='AWS ECS Migration Task'
readonly MIGRATION_STATUS_DETAIL_TYPE='AWS ECS Migration Task Status'
readonly MIGRATION_CORRELATION_ID_TAG='ecs-migration:correlation-id'
readonly MIGRATION_EVENT_ID_TAG='ecs-migration:event-id'
readonly MIGRATION_TASK_GROUP_PREFIX='migration:'
# The correlation id becomes the task's startedBy, so it obeys ECS's limit on that field.
readonly CORRELATION_ID_PATTERN='^[A-Za-z0-9_/-]{1,36}$'
readonly CORRELATION_ID_RULE='1-36 characters from A-Z a-z 0-9 _ - /'

# default_correlation_id: names the run after the CI run that sends it, so that a re-run is a new run and
# a redelivered event is not: gh-<run id>-<attempt> under GitHub Actions, cb-<build uuid> under CodeBuild
# (every build and retry gets a new id, project:uuid), else mig-<UTC time>-<random>. Whatever those
# variables hold, only allowed characters are kept, and the id is cut to 36.
default_correlation_id() {
  local run attempt build
  run=${GITHUB_RUN_ID:-}
  run=${run//[^A-Za-z0-9]/}
  attempt=${GITHUB_RUN_ATTEMPT:-1}
  attempt=${attempt//[^A-Za-z0-9]/}
  build=${CODEBUILD_BUILD_ID:-}
  build=${build##*:}
  build=${build//[^A-Za-z0-9]/}
  if [[ -n "$run" ]]; then
    run="gh-$run-${attempt:-1}"
    printf '%s' "${run:0:36}"
  elif [[ -n "$build" ]]; then
    build="cb-$build"
    printf '%s' "${build:0:36}"
  else
    printf 'mig-%s-%s' "$(date -u +%Y%m%d%H%M%S)" "$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  fi
}

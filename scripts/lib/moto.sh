#!/usr/bin/env bash
# shellcheck disable=SC2034 # MOTO_PID, TASK_DEFINITION, SUBNET, SECURITY_GROUP and RUN_TABLE are for the caller
# A local AWS for demo.sh and bench.sh: moto_server on a free port of 127.0.0.1, dummy credentials,
# and an account laid out like a real one. Calls no AWS endpoint.

# start_moto WORKDIR: starts moto_server, points the aws CLI and the SDK at it, and sets MOTO_PID.
start_moto() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >"$1/moto.log" 2>&1 &
  MOTO_PID=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  local _
  for _ in $(seq 1 100); do
    curl -fsS -X POST "$AWS_ENDPOINT_URL/moto-api/reset" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "moto_server did not start; see $1/moto.log" >&2
  return 1
}

# create_world CONTAINER_DEFINITIONS_JSON: the cluster 'migrations', the task definition 'app', the runner's
# table 'migrations-runs' (as template.yaml makes it), and the default VPC's subnet and security group. Sets
# TASK_DEFINITION, SUBNET, SECURITY_GROUP and RUN_TABLE.
create_world() {
  local vpc
  aws ecs create-cluster --cluster-name migrations >/dev/null
  RUN_TABLE=migrations-runs
  aws dynamodb create-table --table-name "$RUN_TABLE" --billing-mode PAY_PER_REQUEST \
    --attribute-definitions AttributeName=id,AttributeType=S AttributeName=awaiting,AttributeType=S \
    --key-schema AttributeName=id,KeyType=HASH \
    --global-secondary-indexes '[{"IndexName":"awaiting-verdict","KeySchema":[{"AttributeName":"awaiting","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]' \
    >/dev/null
  TASK_DEFINITION=$(aws ecs register-task-definition --family app --network-mode awsvpc --requires-compatibilities FARGATE \
    --cpu 256 --memory 512 --container-definitions "$1" --query taskDefinition.taskDefinitionArn --output text)
  vpc=$(aws ec2 describe-vpcs --filters Name=is-default,Values=true --query 'Vpcs[0].VpcId' --output text)
  SUBNET=$(aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" --query 'Subnets[0].SubnetId' --output text)
  SECURITY_GROUP=$(aws ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpc" Name=group-name,Values=default \
    --query 'SecurityGroups[0].GroupId' --output text)
}

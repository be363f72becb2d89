#!/usr/bin/env python3
"""Transforms a SAM template into plain CloudFormation, offline, and prints it as JSON on stdout.

Usage: sam_translate.py TEMPLATE [PARAMETER=VALUE ...]

Uses the aws-sam-translator package that cfn-lint installs. Never calls AWS and needs no credentials:
the pseudo parameters are fixed (us-east-1, account 123456789012, partition aws), and a policy name that
the translator cannot resolve from its bundled list of AWS managed policies fails instead of asking IAM.
"""
import json
import os
import sys

# Before boto3 loads: a fixed region, and no profile, config file or instance metadata from this machine.
os.environ.update({
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
})
os.environ.pop("AWS_PROFILE", None)

try:
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse
except ImportError as e:
    sys.exit(f"sam_translate.py ({sys.executable}): the Python package aws-sam-translator is missing ({e}); "
             "install it with: pip install cfn-lint (or pip install aws-sam-translator)")

PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
}

# Properties that `sam build`/`sam package` turn from a local path into an S3 location.
LOCAL_ARTIFACTS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class OfflineManagedPolicyLoader:
    """Stands in for the loader that lists AWS managed policies through IAM."""

    def load(self):
        raise SystemExit("sam_translate.py: the template names a managed policy that is neither an ARN nor in "
                         "aws-sam-translator's bundled list, and this transform never calls IAM: "
                         "use the policy's ARN instead")


def usage():
    return "usage: sam_translate.py TEMPLATE [PARAMETER=VALUE ...]"


def parameter_values(template, overrides):
    declared = template.get("Parameters") or {}
    values = dict(PSEUDO_PARAMETERS)
    for override in overrides:
        name, sep, value = override.partition("=")
        if not sep:
            sys.exit(f"sam_translate.py: parameter '{override}' is not NAME=VALUE\n{usage()}")
        if name not in declared:
            sys.exit(f"sam_translate.py: the template declares no parameter '{name}'; "
                     f"it declares: {', '.join(declared)}")
        kind = str(declared[name].get("Type", "String"))
        is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
        values[name] = value.split(",") if is_list else value
    return values


def with_placeholder_artifacts(template):
    """The translator accepts only S3 locations, as after `sam package`; the value does not affect policies."""
    shared = ((template.get("Globals") or {}).get("Function") or {})
    if isinstance(shared.get("CodeUri"), str) and not shared["CodeUri"].startswith("s3://"):
        shared["CodeUri"] = "s3://placeholder-bucket/placeholder-key"
    for resource in (template.get("Resources") or {}).values():
        prop = LOCAL_ARTIFACTS.get(resource.get("Type"))
        properties = resource.get("Properties") or {}
        if prop and isinstance(properties.get(prop), str) and not properties[prop].startswith("s3://"):
            properties[prop] = "s3://placeholder-bucket/placeholder-key"
    return template


def main(argv):
    if len(argv) < 1 or argv[0] in ("-h", "--help"):
        sys.exit(usage())
    with open(argv[0], encoding="utf-8") as f:
        template = yaml_parse(f.read())
    values = parameter_values(template, argv[1:])
    try:
        transformed = transform(with_placeholder_artifacts(template), values, OfflineManagedPolicyLoader())
    except InvalidDocumentException as e:
        sys.exit("sam_translate.py: the SAM translator rejects the template:\n"
                 + "\n".join(f"  {cause.message}" for cause in e.causes))
    json.dump(transformed, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])

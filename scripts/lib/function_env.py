#!/usr/bin/env python3
"""What Lambda would give one function of template.yaml: its handler, memory, timeout, log format and
environment, resolved the way `sam local invoke` resolves them (scripts/local-invoke.sh runs it).

Only the variables the template defines reach the function, plus the ones Lambda itself sets. A value
comes from, highest first: --env-vars (SAM's JSON: the function's logical id, then "Parameters" for every
function), the template's value with its parameters from --parameter-overrides or their defaults. A value
the template computes from a resource or a condition cannot be known locally: it is empty, as SAM makes
it, and named on stderr so that the caller can set it with --env-vars.

Prints NUL-separated records on stdout: meta:NAME=VALUE for the function's settings and env:NAME=VALUE
for each variable. Exits 2 with the problem on stderr when an input is wrong.
"""
import argparse
import json
import shlex
import sys

# The account id SAM gives a local function (AWS::AccountId).
LOCAL_ACCOUNT = "123456789012"


class Problem(Exception):
    """An input the caller must fix; the message names it."""


class Unresolved(Exception):
    """A template value that needs a deployed stack (a resource, an attribute, a condition)."""


def load_template(path):
    try:
        import yaml
    except ImportError as missing:
        raise Problem("PyYAML is needed to read the template: python3 -m pip install pyyaml") from missing

    class Loader(yaml.SafeLoader):
        pass

    def intrinsic(loader, suffix, node):
        name = "Ref" if suffix == "Ref" else "Fn::" + suffix
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    Loader.add_multi_constructor("!", intrinsic)
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=Loader)  # noqa: S506 - SafeLoader with CloudFormation's tags only
    except OSError as error:
        raise Problem(f"cannot read {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise Problem(f"{path} is not valid YAML: {error}") from error


def parse_overrides(text, parameters):
    """SAM's --parameter-overrides: 'Key=Value ...' or 'ParameterKey=Key,ParameterValue=Value ...'."""
    values = {}
    for token in shlex.split(text or ""):
        if token.startswith("ParameterKey="):
            fields = dict(part.split("=", 1) for part in token.split(",", 1) if "=" in part)
            if "ParameterKey" not in fields or "ParameterValue" not in fields:
                raise Problem(f"--parameter-overrides: '{token}' is not ParameterKey=NAME,ParameterValue=VALUE")
            key, value = fields["ParameterKey"], fields["ParameterValue"]
        elif "=" in token:
            key, value = token.split("=", 1)
        else:
            raise Problem(f"--parameter-overrides: '{token}' is not NAME=VALUE")
        if key not in parameters:
            raise Problem(f"--parameter-overrides: the template has no parameter '{key}'; "
                          f"it has {', '.join(sorted(parameters))}")
        values[key] = value
    return values


def parse_env_vars(path, function):
    """SAM's --env-vars file: {"Parameters": {...}, "FunctionLogicalId": {...}}; the function's own win."""
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise Problem(f"--env-vars: cannot read {path}: {error.strerror}") from error
    except ValueError as error:
        raise Problem(f"--env-vars: {path} is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise Problem(f"--env-vars: {path} must hold an object such as "
                      f'{{"{function}": {{"CLUSTER": "migrations"}}}}')
    values = {}
    for section in ("Parameters", function):
        block = document.get(section, {})
        if not isinstance(block, dict):
            raise Problem(f"--env-vars: '{section}' in {path} must be an object of NAME: value")
        for name, value in block.items():
            if isinstance(value, (dict, list)):
                raise Problem(f"--env-vars: {section}.{name} in {path} must be a string, number or boolean")
            values[name] = stringify(value)
    return values


def stringify(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def merge_globals(shared, own):
    """SAM's Globals: maps merge key by key (so Environment.Variables add up), and the function's own value
    wins over the global one; anything else is replaced."""
    merged = dict(shared)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_globals(merged[key], value)
        else:
            merged[key] = value
    return merged


class Resolver:
    def __init__(self, parameters, overrides, region):
        self.parameters = parameters
        self.overrides = overrides
        self.region = region

    def parameter(self, name):
        if name in self.overrides:
            value = self.overrides[name]
        elif "Default" in self.parameters[name]:
            value = stringify(self.parameters[name]["Default"])
        else:
            raise Unresolved(f"parameter {name} has no default")
        kind = str(self.parameters[name].get("Type", "String"))
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            return [item.strip() for item in value.split(",")] if value else []
        return value

    def resolve(self, value):
        if isinstance(value, (str, int, float, bool)) or value is None:
            return stringify(value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict) and len(value) == 1:
            (name, argument), = value.items()
            if name == "Ref":
                return self.ref(argument)
            if name == "Fn::Join":
                delimiter, items = argument
                items = self.resolve(items)
                return self.resolve(delimiter).join(self.flat(items))
            if name == "Fn::Sub" and isinstance(argument, str):
                return self.substitute(argument)
            raise Unresolved(f"{name} needs a deployed stack")
        raise Unresolved("a value this script cannot compute")

    def flat(self, items):
        out = []
        for item in items if isinstance(items, list) else [items]:
            out.extend(item if isinstance(item, list) else [item])
        return out

    def ref(self, name):
        if name in self.parameters:
            return self.parameter(name)
        pseudo = {"AWS::AccountId": LOCAL_ACCOUNT, "AWS::Region": self.region, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        raise Unresolved(f"Ref {name} is a resource of the deployed stack")

    def substitute(self, text):
        out, rest = [], text
        while "${" in rest:
            before, after = rest.split("${", 1)
            if "}" not in after:
                break
            name, rest = after.split("}", 1)
            out.append(before)
            value = self.ref(name)
            out.append(",".join(value) if isinstance(value, list) else value)
        out.append(rest)
        return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", required=True)
    parser.add_argument("--function", default="")
    parser.add_argument("--env-vars", default="")
    parser.add_argument("--parameter-overrides", default="")
    parser.add_argument("--region", required=True)
    args = parser.parse_args()

    template = load_template(args.template)
    if not isinstance(template, dict):
        raise Problem(f"{args.template} is not a template")
    resources = template.get("Resources") or {}
    functions = [name for name, body in resources.items()
                 if isinstance(body, dict) and body.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function")]
    if not functions:
        raise Problem(f"{args.template} defines no function")
    function = args.function or (functions[0] if len(functions) == 1 else "")
    if function not in functions:
        named = f"'{args.function}' is not" if args.function else "give the function's logical id:"
        raise Problem(f"{named} a function of {args.template}; it has {', '.join(functions)}")

    properties = merge_globals((template.get("Globals") or {}).get("Function") or {},
                               resources[function].get("Properties") or {})
    parameters = template.get("Parameters") or {}
    resolver = Resolver(parameters, parse_overrides(args.parameter_overrides, parameters), args.region)
    overrides = parse_env_vars(args.env_vars, function)

    defined = ((properties.get("Environment") or {}).get("Variables")) or {}
    ignored = sorted(set(overrides) - set(defined))
    if ignored:
        print(f"note: --env-vars sets {', '.join(ignored)}, which {function} does not define in "
              f"{args.template}; Lambda would not have them either, so they are left out", file=sys.stderr)

    records = []
    logging_config = properties.get("LoggingConfig") or {}
    meta = {"function": function, "handler": properties.get("Handler", ""),
            "memory": stringify(properties.get("MemorySize", 128)), "timeout": stringify(properties.get("Timeout", 3)),
            "log_format": stringify(logging_config.get("LogFormat", "")) if isinstance(logging_config, dict) else ""}
    for name, value in meta.items():
        records.append(f"meta:{name}={value}")
    unknown = []
    for name, value in defined.items():
        if name in overrides:
            resolved = overrides[name]
        else:
            try:
                resolved = resolver.resolve(value)
            except Unresolved as reason:
                unknown.append(f"{name} ({reason})")
                resolved = ""
            if isinstance(resolved, list):
                resolved = ",".join(resolved)
        records.append(f"env:{name}={resolved}")
    if unknown:
        print(f"note: set these with --env-vars, they are empty here: {'; '.join(unknown)}", file=sys.stderr)
    for record in records:
        if "\0" in record:
            raise Problem(f"a value holds a NUL character: {record.split('=', 1)[0]}")
    sys.stdout.write("\0".join(records) + "\0")


if __name__ == "__main__":
    try:
        main()
    except Problem as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)

#!/usr/bin/env python3
"""Writes the JSON Schemas the deploy/ manifests are validated against (kubeconform, in
./plinth test), so no test reaches the network. Run once when moving to another Kubernetes
version; the output is committed.

Source: the Kubernetes API schemas bundled by the PyPI package kubernetes-validate (generated
from Kubernetes' own OpenAPI documents; PyPI is reachable here, GitHub is not). Each kind's
file there refers into a shared _definitions.json; kubeconform wants one self-contained file
per kind ("standalone"), so every definition a kind reaches is copied into its own $defs.

Cloud Run has no published schema: its service YAML is a Knative serving.knative.dev/v1
Service whose containers are Kubernetes containers, so that schema is written here from the
Cloud Run YAML reference's top-level fields, with the containers and metadata taken from the
Kubernetes definitions.

    python3 deploy/schemas/generate.py            # downloads kubernetes-validate with pip
"""
import json, os, subprocess, sys, tempfile, zipfile

K8S = "v1.35.0"
PACKAGE = "kubernetes-validate==1.37.0"
KINDS = ["deployment-apps-v1", "service-v1", "poddisruptionbudget-policy-v1", "horizontalpodautoscaler-autoscaling-v2"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), K8S + "-standalone-strict")
PREFIX = "/api/_definitions.json#/$defs/"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE], check=True)
        wheel = zipfile.ZipFile(next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl")))
        base = "kubernetes_validate/kubernetes-json-schema/" + K8S + "-local-strict/"
        defs = json.loads(wheel.read(base + "_definitions.json"))["$defs"]
        os.makedirs(OUT, exist_ok=True)
        for kind in KINDS:
            write(kind, standalone(json.loads(wheel.read(base + kind + ".json")), defs))
        write("service-serving-v1", standalone(cloud_run(), defs))


def standalone(schema, defs):
    """The schema with every definition it reaches under its own $defs, refs made local."""
    needed, todo = {}, [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            # A kind's file refers into _definitions.json; definitions refer to each other locally.
            local = ref[len(PREFIX):] if isinstance(ref, str) and ref.startswith(PREFIX) else \
                ref[len("#/$defs/"):] if isinstance(ref, str) and ref.startswith("#/$defs/") else None
            if local is not None:
                name = local
                node["$ref"] = "#/$defs/" + name
                if name not in needed:
                    needed[name] = json.loads(json.dumps(defs[name]))
                    todo.append(needed[name])
            todo.extend(v for k, v in node.items() if k != "$ref")
        elif isinstance(node, list):
            todo.extend(node)
    schema["$defs"] = dict(sorted(needed.items()))
    return schema


def cloud_run():
    meta = {"$ref": PREFIX + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    container = {"$ref": PREFIX + "io.k8s.api.core.v1.Container"}
    volume = {"$ref": PREFIX + "io.k8s.api.core.v1.Volume"}
    return {
        "description": "Cloud Run service (Knative serving.knative.dev/v1 Service, the fields Cloud Run accepts)",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"enum": ["serving.knative.dev/v1"]},
            "kind": {"enum": ["Service"]},
            "metadata": meta,
            "spec": {
                "type": "object", "additionalProperties": False, "required": ["template"],
                "properties": {
                    "template": {
                        "type": "object", "additionalProperties": False,
                        "properties": {
                            "metadata": meta,
                            "spec": {
                                "type": "object", "additionalProperties": False, "required": ["containers"],
                                "properties": {
                                    "containerConcurrency": {"type": "integer", "minimum": 0, "maximum": 1000},
                                    "timeoutSeconds": {"type": "integer", "minimum": 1, "maximum": 3600},
                                    "serviceAccountName": {"type": "string"},
                                    "containers": {"type": "array", "minItems": 1, "maxItems": 10, "items": container},
                                    "volumes": {"type": "array", "items": volume},
                                },
                            },
                        },
                    },
                    "traffic": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "properties": {"percent": {"type": "integer", "minimum": 0, "maximum": 100},
                                       "latestRevision": {"type": "boolean"}, "revisionName": {"type": "string"},
                                       "tag": {"type": "string"}}}},
                },
            },
        },
    }


def write(name, schema):
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(schema, f, indent=1, sort_keys=False)
        f.write("\n")
    print("wrote", os.path.relpath(path), len(schema.get("$defs", {})), "definitions")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Builds the built-in wasm bundle. The entrypoints listed here are the decisions the
# engine may ask for; a policy package that is not listed is not callable.
set -euo pipefail
opa=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
mkdir -p "$(dirname "$out")"
revision="builtin-$(cat "$here"/plinth/*/*.rego | sha256sum | cut -c1-12)"
"$opa" build --v1-compatible -t wasm \
  -e plinth/authz/decision \
  -e plinth/authz/route \
  -e plinth/routing/backend \
  -e plinth/realtime/acl \
  --revision "$revision" \
  --ignore '*_test.rego' \
  -o "$out" plinth
echo "built $out ($(stat -c %s "$out") bytes, revision $revision)"

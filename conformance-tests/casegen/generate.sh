#!/usr/bin/env bash
# Compiles OPA's test cases to wasm once per casegen binary: usage generate.sh <casegen> <opa module source> <out>.
set -euo pipefail
casegen=$1 src=$2 out=$3
if [[ -z "$casegen" || "$casegen" == '${casegen.bin}' || ! -x "$casegen" ]]; then
  echo "casegen is not built: run the build through ./plinth (it passes -Dcasegen.bin and -Dopa.src)" >&2; exit 1
fi
if [[ -f "$out/cases.json" && "$out/cases.json" -nt "$casegen" && "$(cat "$out/source" 2>/dev/null)" == "$src" ]]; then
  exit 0
fi
rm -rf "$out"
"$casegen" -opa-src "$src" -out "$out"
echo "$src" >"$out/source"

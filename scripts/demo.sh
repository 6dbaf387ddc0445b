#!/usr/bin/env bash
# Installs what is missing, builds podform, and runs its main job on the
# built-in sandbox: apply examples/quickstart, then plan again (no changes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODFORM_TESTS=OFF >/dev/null
cmake --build build -j2 --target podform
podform="$PWD/build/podform"

work=$(mktemp -d)
cp examples/quickstart/podform.yaml "$work/"
cd "$work"
echo
echo "\$ podform --sandbox apply --auto-approve      (in $work)"
"$podform" --sandbox apply --auto-approve
echo
echo "\$ podform --sandbox plan --detailed-exitcode"
"$podform" --sandbox plan --detailed-exitcode
echo
echo "The lock file $work/.podform/sandbox.lock records what exists;"
echo "the sandbox's RunPod state is in $work/.podform/sandbox.json."

#!/usr/bin/env bash
# Installs what podform needs to build and test on Debian 12, if missing.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the tests need)
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config ccache
          libyaml-cpp-dev libcurl4-openssl-dev nlohmann-json3-dev libabsl-dev
          libssl-dev libcpp-httplib-dev libcli11-dev libgtest-dev libgmock-dev
          libpq-dev libmimalloc-dev curl)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(clang libclang-rt-14-dev python3 python3-jsonschema python3-yaml
            postgresql dpkg-dev zsh fish)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

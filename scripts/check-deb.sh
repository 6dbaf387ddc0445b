#!/usr/bin/env bash
# Builds the Debian package from an existing build directory (no compiling:
# the build must be up to date) and checks what it installs, unpacked into
# a scratch root: the binary runs, the man page and the shell completions
# are where the shells look for them, and nothing else is in it.
# Usage: scripts/check-deb.sh [BUILD_DIR]   (default build-ci)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-ci}
fail() { echo "check-deb: $*" >&2; exit 1; }

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[[ -n $version ]] || fail "$build is not a configured build directory"
arch=$(dpkg --print-architecture)
deb="$build/podform_${version}_${arch}.deb"
rm -f "$deb"
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log"; fail "cpack failed"; }
[[ -f $deb ]] || fail "cpack did not write $deb"

# The control fields.
[[ $(dpkg-deb -f "$deb" Package) == podform ]] || fail "Package is not podform"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libcurl4 libpq5 libssl3 libyaml-cpp0.7; do
  [[ ", $depends," == *", $lib"[\ ,]* ]] || fail "Depends lacks $lib: $depends"
done

# Exactly these files.
expected="./usr/bin/podform
./usr/share/bash-completion/completions/podform
./usr/share/fish/vendor_completions.d/podform.fish
./usr/share/man/man1/podform.1
./usr/share/zsh/vendor-completions/_podform"
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort)
[[ $files == "$expected" ]] || fail "unexpected contents:
$files"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg -x "$deb" "$root"
bin="$root/usr/bin/podform"
share="$root/usr/share"

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
"$bin" --version >"$root/version" || fail "podform --version failed"
[[ $(sed -n 1p "$root/version") == "podform $version" ]] ||
  fail "podform --version: $(cat "$root/version")"
[[ $(sed -n 2p "$root/version") == "commit $commit" ]] ||
  fail "podform --version names another commit than HEAD ($commit; is $build up to date?): $(cat "$root/version")"

head -n 2 "$share/man/man1/podform.1" | grep -q '^\.TH PODFORM 1 ' ||
  fail "the man page has no .TH PODFORM 1 line"
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$share/man/man1/podform.1" 2>&1)
  [[ -z $warnings ]] || fail "groff: $warnings"
fi

# The installed scripts are what the installed binary prints.
for shell in bash zsh fish; do
  case $shell in
    bash) file="$share/bash-completion/completions/podform" ;;
    zsh) file="$share/zsh/vendor-completions/_podform" ;;
    fish) file="$share/fish/vendor_completions.d/podform.fish" ;;
  esac
  cmp -s "$file" <("$bin" completion $shell) ||
    fail "$file differs from podform completion $shell"
  if command -v $shell >/dev/null; then
    $shell -n "$file" || fail "$shell -n $file"
  fi
done
loaded=$(PATH="$root/usr/bin:$PATH" bash -c 'source <(podform completion bash); complete -p podform')
[[ $loaded == "complete -o default -F _podform podform" ]] ||
  fail "bash did not load the completion: $loaded"
loaded=$(bash -c "source '$share/bash-completion/completions/podform'; complete -p podform")
[[ $loaded == "complete -o default -F _podform podform" ]] ||
  fail "bash did not load the installed completion: $loaded"

echo "check-deb: $deb ($(du -k "$deb" | cut -f1) KiB): Depends: $depends"

#!/usr/bin/env bash
# Install everything the tests need, then run lint, type checks and the tests.
# This is what CI runs (.ci/run). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_needed=()
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_needed+=(python3-venv)
if [ ${#apt_needed[@]} -gt 0 ]; then
  echo "installing Debian packages: ${apt_needed[*]}" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${apt_needed[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
echo "== ruff" >&2
.venv/bin/ruff check src tests bench
echo "== mypy (strict, src/)" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/pytest "$@"

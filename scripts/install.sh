#!/usr/bin/env bash
# Install emoguard into ./.venv (Debian 12 / Python 3.11). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  echo "installing python3-venv (Debian package) ..." >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check ${EMOGUARD_EDITABLE:+-e} "${EMOGUARD_PIP_TARGET:-.}"
echo "emoguard installed: $(.venv/bin/emoguard --version)  (run it as .venv/bin/emoguard)" >&2

#!/usr/bin/env bash
# Install emoguard into ./.venv (Debian 12 / Python 3.11). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
apt_base_needed
apt_install_needed
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check ${EMOGUARD_EDITABLE:+-e} "${EMOGUARD_PIP_TARGET:-.[milter]}"
echo "emoguard installed: $(.venv/bin/emoguard --version)  (run it as .venv/bin/emoguard)" >&2

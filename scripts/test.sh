#!/usr/bin/env bash
# Install everything the tests need, then run lint, type checks and the tests.
# This is what CI runs (.ci/run). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
apt_base_needed
if ! command -v postfix >/dev/null; then
  # the milter tests run a real Postfix. "No configuration": installs the programs without
  # configuring or starting a system mail server
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  apt_needed+=(postfix)
fi
# the web tests drive Debian's headless Chromium through Playwright (never a downloaded
# browser); the Japanese pages need a CJK font to render, and to look right in screenshots
[ -x /usr/bin/chromium ] || apt_needed+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || apt_needed+=(fonts-noto-cjk)
apt_install_needed
if ! command -v dovecot >/dev/null; then
  # the IMAP tests start their own Dovecot on loopback (tests/integration/dovecot.py). A temporary
  # policy-rc.d (exit 101) keeps the package from starting a system instance while it installs,
  # and the unit is disabled afterwards where systemd is in use.
  echo "installing Debian package: dovecot-imapd (no system instance is started)" >&2
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
  [ -n "$added_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
echo "== ruff" >&2
.venv/bin/ruff check src tests bench fuzz
echo "== mypy (strict, src/)" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/pytest "$@"

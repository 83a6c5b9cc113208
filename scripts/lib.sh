# Shared by scripts/install.sh and scripts/test.sh (sourced, not run).
# apt_base_needed: Debian packages that installing emoguard itself needs on this machine.
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_needed=()
apt_base_needed() {
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_needed+=(python3-venv)
  # the milter's library (pymilter) compiles against libmilter
  [ -e /usr/include/libmilter/mfapi.h ] || apt_needed+=(libmilter-dev)
  command -v gcc >/dev/null || apt_needed+=(gcc)
  python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || apt_needed+=(python3-dev)
  # RAR members: rarfile hands them to unar (free, Debian main)
  command -v unar >/dev/null 2>&1 || apt_needed+=(unar)
}
apt_install_needed() {
  if [ ${#apt_needed[@]} -gt 0 ]; then
    echo "installing Debian packages: ${apt_needed[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >/dev/null
  fi
}

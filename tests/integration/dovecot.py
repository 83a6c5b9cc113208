"""A private Dovecot (from Debian) for tests: own config, users file, mail under a temp dir.

Started in the foreground (``dovecot -F -c CONF``) as a child process on a free
loopback port and stopped by killing that process only; it never touches the
system configuration in /etc/dovecot nor a system instance.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from postfix import free_port

CONF = """\
instance_name = emoguard-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
mail_privileged_group =
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""


def dovecot_available() -> bool:
    return shutil.which("dovecot") is not None


@dataclass
class Dovecot:
    root: Path
    users: dict[str, str] = field(default_factory=lambda: {"tanaka": "pw-tanaka", "sato": "pw-sato"})
    port: int = field(default_factory=free_port)
    tls: bool = False  # a self-signed certificate (openssl) and an imaps listener on tls_port
    tls_port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log(self) -> Path:
        return self.root / "dovecot.log"

    def url(self, user: str, folder: str = "INBOX") -> str:
        return f"imap://{user}@127.0.0.1:{self.port}/{folder}"

    def start(self) -> None:
        if os.getuid() == 0:
            pw = pwd.getpwnam("nobody")
            uid, gid = pw.pw_uid, grp.getgrnam("nogroup").gr_gid
            internal, login = "dovecot", "dovenull"
        else:  # not root: everything runs as us
            uid, gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(uid).pw_name
            internal = login = me
        for d in ("run", "state", "mail", "home"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        for d in ("mail", "home"):
            os.chown(self.root / d, uid, gid)
        ssl = "ssl = no"
        if self.tls:
            self.tls_port = self.tls_port or free_port()
            cert, key = self.root / "cert.pem", self.root / "key.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                           check=True, capture_output=True, timeout=60)
            ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
        (self.root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::\n" for u, p in self.users.items()))
        self.conf.write_text(CONF.format(
            root=self.root, port=self.port, tls_port=self.tls_port, ssl=ssl, uid=uid, gid=gid, internal_user=internal, login_user=login,
        ))
        self.proc = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL, stderr=(self.root / "stderr.log").open("wb"), start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            "dovecot did not start: "
            + (self.root / "stderr.log").read_text(errors="replace")
            + (self.log.read_text(errors="replace") if self.log.exists() else "")
        )

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.proc.terminate()  # the master stops its own children
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        except ProcessLookupError:
            pass

    def client(self, user: str):  # type: ignore[no-untyped-def]
        import imapclient

        c = imapclient.IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        c.login(user, self.users[user])
        return c

"""A private Postfix instance for tests: own config, queue and Maildir, loopback only.

Started with ``postfix -c DIR start`` on a non-default port and stopped with
``postfix -c DIR stop`` (then ``abort`` if needed); it never touches the
system instance in /etc/postfix.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

MASTER_CF = """\
{smtp_addr} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
config_directory = {etc}
queue_directory = {queue}
data_directory = {data}
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.emoguard.test
mydomain = emoguard.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = {domains}
virtual_mailbox_base = {maildirs}
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1
virtual_mailbox_limit = 0
message_size_limit = 104857600
alias_maps =
alias_database =
local_recipient_maps =
biff = no
disable_dns_lookups = yes
local_header_rewrite_clients =
message_drop_headers =
smtpd_milters = {milter}
non_smtpd_milters = {milter}
milter_protocol = 6
milter_default_action = {default_action}
milter_connect_timeout = 5s
milter_command_timeout = 60s
milter_content_timeout = 120s
milter_mail_macros = i {{mail_addr}} {{client_addr}} {{client_name}} {{auth_authen}}
maillog_file = {log}
maillog_file_prefixes = {root}
smtpd_banner = $myhostname ESMTP
default_process_limit = 50
smtpd_client_connection_count_limit = 100
smtpd_client_message_rate_limit = 0
anvil_rate_time_unit = 60s
in_flow_delay = 0
queue_run_delay = 10s
minimal_backoff_time = 10s
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60.0) -> None:
    """Until something listens on 127.0.0.1:port (TimeoutError after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


def postfix_available() -> bool:
    return shutil.which("postfix") is not None and Path("/usr/lib/postfix/sbin/master").exists()


@dataclass
class Postfix:
    root: Path
    milter: str
    default_action: str = "accept"
    domains: tuple[str, ...] = ("example.co.jp", "example.com", "partner.co.jp")
    port: int = field(default_factory=free_port)

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / "inbox"

    @property
    def log(self) -> Path:
        return self.root / "maillog"

    def _cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        pw = pwd.getpwnam("postfix")
        for d in ("etc", "queue", "data", "mail"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        os.chown(self.root / "data", pw.pw_uid, pw.pw_gid)
        os.chown(self.root / "mail", pw.pw_uid, pw.pw_gid)
        self.root.chmod(0o755)
        (self.etc / "master.cf").write_text(MASTER_CF.format(smtp_addr=f"127.0.0.1:{self.port}"))
        (self.etc / "main.cf").write_text(MAIN_CF.format(
            etc=self.etc, queue=self.root / "queue", data=self.root / "data", maildirs=self.root / "mail",
            uid=pw.pw_uid, gid=pw.pw_gid, milter=self.milter, default_action=self.default_action,
            log=self.log, domains=", ".join(self.domains), root=self.root,
        ))
        self._cmd("postfix", "-c", str(self.etc), "check")
        self._cmd("postfix", "-c", str(self.etc), "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"220"):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"postfix did not start: {self.log.read_text() if self.log.exists() else ''}")

    def stop(self) -> None:
        r = self._cmd("postfix", "-c", str(self.etc), "stop", check=False)
        if r.returncode != 0:
            self._cmd("postfix", "-c", str(self.etc), "abort", check=False)

    def reload(self) -> None:
        self._cmd("postfix", "-c", str(self.etc), "reload")

    def flush(self) -> None:
        self._cmd("postqueue", "-c", str(self.etc), "-f", check=False)

    def queue(self) -> list[dict[str, object]]:
        import json

        r = self._cmd("postqueue", "-c", str(self.etc), "-j", check=False)
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    def delivered(self) -> list[Path]:
        out: list[Path] = []
        for sub in ("new", "cur"):
            d = self.maildir / sub
            if d.is_dir():
                out.extend(sorted(d.iterdir()))
        return out

    def wait_idle(self, expected: int, timeout: float = 120.0) -> None:
        """Until delivered + held (+ nothing else queued) reaches ``expected``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            q = self.queue()
            active = [m for m in q if m.get("queue_name") != "hold"]
            if not active and len(self.delivered()) + (len(q) - len(active)) >= expected:
                return
            time.sleep(0.3)
        raise TimeoutError(f"postfix not idle: queue={self.queue()!r}, delivered={len(self.delivered())}")

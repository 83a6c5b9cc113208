"""``emoguard serve``: the web page and REST API (emoguard.web; docs/web.md).

No ``from __future__ import annotations`` here: typer evaluates the option
annotations at run time and they use ``lang`` from the enclosing function.
"""


import sys
from pathlib import Path
from typing import Annotated

import typer

from emoguard.i18n import t


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) -> (host, port); ValueError when malformed."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(value)
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def register(app: typer.Typer, lang: str) -> None:
    @app.command("serve", help=t("serve.help", lang))
    def serve_cmd(
        listen: Annotated[str | None, typer.Option("--listen", help=t("serve.listen", lang))] = None,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=t("serve.jobs", lang))] = None,
        timeout: Annotated[float | None, typer.Option("--timeout", min=0.1, help=t("serve.timeout", lang))] = None,
        max_upload: Annotated[
            int | None, typer.Option("--max-upload", min=1, help=t("serve.max_upload", lang))
        ] = None,
        state_dir: Annotated[Path | None, typer.Option("--state-dir", help=t("scan.state_dir", lang))] = None,
        config: Annotated[Path | None, typer.Option("--config", help=t("opt.config", lang))] = None,
        no_history: Annotated[bool, typer.Option("--no-history", help=t("scan.no_history", lang))] = False,
        new_token: Annotated[bool, typer.Option("--new-token", help=t("serve.new_token", lang))] = False,
        print_openapi: Annotated[bool, typer.Option("--print-openapi", help=t("serve.print_openapi", lang))] = False,
    ) -> None:
        from emoguard.cli import _err, _load_config, _load_engine

        if print_openapi:
            from emoguard.web.app import openapi_json

            sys.stdout.write(openapi_json())
            return
        cfg = _load_config(config, **{
            "web.listen": listen,
            "web.jobs": jobs,
            "web.timeout": float(timeout) if timeout is not None else None,
            "web.max_upload_bytes": max_upload,
            "state_dir": str(state_dir) if state_dir else None,
        })
        try:
            host, port = parse_listen(str(cfg["web.listen"]))
        except ValueError:
            _err(f"emoguard serve: {t('serve.bad_listen', lang)}: {cfg['web.listen']!r}")
            raise typer.Exit(2) from None
        _load_engine(cfg)  # rule problems are reported (exit 2) before anything listens
        import uvicorn

        from emoguard.web.app import Settings, create_app
        from emoguard.web.auth import load_token, token_path

        try:
            check, fresh = load_token(cfg.state_dir, renew=new_token)
        except (OSError, ValueError) as e:
            _err(f"emoguard serve: {e}")
            raise typer.Exit(2) from None
        if fresh:
            _err(t("serve.token_new", lang, token=fresh))
        elif check.origin == "env":
            _err(t("serve.token_env", lang))
        else:
            _err(t("serve.token_file", lang, path=token_path(cfg.state_dir)))
        settings = Settings.from_config(cfg, check, history=not no_history, lang=lang)
        _err(t("serve.listening", lang, host=host, port=port))
        if host not in ("127.0.0.1", "::1", "localhost"):
            _err(t("serve.not_loopback", lang))
        uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                    server_header=False, log_level="info", timeout_graceful_shutdown=5)

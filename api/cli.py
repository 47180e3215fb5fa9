"""`ercp` command line: serve, migrate, seed-demo, demo, board, drill, users create|disable|enable|set-password."""

import argparse
import getpass
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from api.settings import get_settings


def _migrate(_: argparse.Namespace) -> int:
    from api.deployment import placeholder_secrets
    from resources_db.migrate import upgrade

    reasons = placeholder_secrets(get_settings())
    for reason in reasons:
        print(f"ercp migrate: refusing to run: {reason}", file=sys.stderr)
    if reasons:
        return 2
    url = get_settings().database_url
    print(f"migrating {_safe(url)} to head ...", flush=True)
    upgrade(url)
    print("database schema is up to date", flush=True)
    return 0


def _refuse_demo_in_production(what: str) -> bool:
    if get_settings().environment == "production":
        print(f"ercp {what}: refusing to load demo users and data when ERCP_ENV=production", file=sys.stderr)
        return True
    return False


def _seed_demo(_: argparse.Namespace) -> int:
    if _refuse_demo_in_production("seed-demo"):
        return 2
    from api.auth.passwords import hash_password
    from resources_db.demo.loader import seed_demo
    from resources_db.engine import make_engine, make_session_factory

    engine = make_engine(get_settings().database_url)
    password = os.environ.get("ERCP_DEMO_PASSWORD", "demo")
    with make_session_factory(engine)() as session:
        summary = seed_demo(session, password_hash=hash_password(password), progress=print)
        session.commit()
    engine.dispose()
    print("demo data: " + ", ".join(f"{k}={v}" for k, v in summary.items()), flush=True)
    return 0


def _housekeeping(_: argparse.Namespace) -> int:
    from api.common.idempotency import purge_expired
    from api.compliance.announce import announce_overdue
    from api.compliance.clocks import city_today
    from api.incidents.missing_rule import regrade_long_missing
    from resources_db.engine import make_engine, make_session_factory

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        purged = purge_expired(session)
        regraded = regrade_long_missing(session=session) if settings.missing_counts_as_dead else []
        overdue = announce_overdue(session=session, today=city_today())
        session.commit()
    engine.dispose()
    print(f"expired idempotency keys removed: {purged}", flush=True)
    print(f"incidents re-graded for persons still missing: {len(regraded)}", flush=True)
    print(f"compliance clocks newly overdue, announced as events: {len(overdue)}", flush=True)
    return 0


def _new_epoch(_: argparse.Namespace) -> int:
    from realtime import log as event_log
    from resources_db.engine import make_engine

    engine = make_engine(get_settings().database_url)
    try:
        epoch = event_log.new_epoch(engine)
    finally:
        engine.dispose()
    print(f"event log epoch is now {epoch}: boards will reload their snapshot", flush=True)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api import log_config
    from api.auth import keys
    from api.deployment import placeholder_secrets
    from api.settings import log_format

    settings = get_settings()
    # Refused here, before uvicorn starts workers that would each fail with a traceback.
    reasons = [r for r in [keys.problem(settings.secret_key), *placeholder_secrets(settings)] if r is not None]
    if reasons:
        for reason in reasons:
            print(f"ercp serve: refusing to start: {reason}", file=sys.stderr)
        return 2
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config.config(log_format(settings), args.log_level),
        proxy_headers=True,
        # Events are serialised once per process; per-message deflate would compress them once per client.
        ws_per_message_deflate=False,
        # Clients send only small control frames; anything larger is refused with close 1009.
        ws_max_size=64 * 1024,
    )
    return 0


def board_command(*, host: str, port: int) -> list[str]:
    """The command that runs the Streamlit board (a separate process: the API never imports the board)."""
    spec = importlib.util.find_spec("dashboard")
    if spec is None or spec.origin is None:
        raise SystemExit("the dashboard package is not installed")
    app = Path(spec.origin).with_name("app.py")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def _board_env(api_url: str) -> dict[str, str]:
    return {**os.environ, "ERCP_API_URL": api_url}


def _board(args: argparse.Namespace) -> int:
    api_url = args.api or os.environ.get("ERCP_API_URL", "http://127.0.0.1:8000")
    cmd = board_command(host=args.host, port=args.port)
    print(f"board on http://{args.host}:{args.port} (API {api_url})", flush=True)
    return subprocess.call(cmd, env=_board_env(api_url))  # noqa: S603 (our own interpreter and app path)


def _demo(args: argparse.Namespace) -> int:
    from api.auth import keys

    if _refuse_demo_in_production("demo"):
        return 2
    # A demo keeps no tokens across restarts: a fresh random key per run, inherited by uvicorn's workers.
    # A configured key is kept (a demo behind a load balancer with several processes needs one key).
    if keys.problem(os.environ.get("ERCP_SECRET_KEY")) is not None:
        os.environ["ERCP_SECRET_KEY"] = keys.random_key()
        get_settings.cache_clear()
    password = os.environ.get("ERCP_DEMO_PASSWORD", "demo")
    base = f"http://{args.host}:{args.port}"
    board_url = f"http://{args.board_host}:{args.board_port}"
    # The board's browser tabs open the API's websocket: their origin must be on the allow-list.
    origins = {board_url, f"http://localhost:{args.board_port}", f"http://127.0.0.1:{args.board_port}"}
    os.environ.setdefault("ERCP_ALLOWED_ORIGINS", "[" + ",".join(f'"{o}"' for o in sorted(origins)) + "]")
    get_settings.cache_clear()
    _migrate(args)
    _seed_demo(args)
    print(
        "\n".join(
            [
                "",
                "Leizhou emergency response command platform (demo, embedded SQLite, synthetic coordinates)",
                f"  board     {board_url}",
                f"  wall      {board_url}/?wall=1  (sign in as observer; read-only, dark, large type)",
                f"  API       {base}/api/v1",
                f"  API docs  {base}/docs",
                f"  logins    admin / operator / observer / controller (drill controller), password '{password}'",
                "            team leaders: leader-001 ... (one per team), same password",
                "  stop      Ctrl-C stops both",
                "",
            ]
        ),
        flush=True,
    )
    # uvicorn re-raises the signal that stopped it; with SIGTERM's default action that would end this process
    # before the `finally` below, leaving the board running. As SystemExit it unwinds and stops the board too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    board = subprocess.Popen(  # noqa: S603 (our own interpreter and app path)
        board_command(host=args.board_host, port=args.board_port), env=_board_env(base)
    )
    try:
        return _serve(args)
    finally:
        board.terminate()
        try:
            board.wait(timeout=10)
        except subprocess.TimeoutExpired:
            board.kill()
            board.wait(timeout=10)


def _password_refusal(password: str, *, username: str, role: str | None) -> str | None:
    """Why a new password is refused, or None (api.auth.policy; stricter with ERCP_ENV=production)."""
    from api.auth import policy

    production = get_settings().environment == "production"
    return policy.refusal(password, username=username, role=role, production=production)


def _users_create(args: argparse.Namespace) -> int:
    from api.auth.passwords import hash_password
    from resources_db.engine import make_engine, make_session_factory
    from resources_db.enums import Role
    from resources_db.models import User

    password = os.environ.get("ERCP_NEW_USER_PASSWORD") or getpass.getpass(f"password for {args.username}: ")
    refusal = _password_refusal(password, username=args.username, role=args.role)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    engine = make_engine(get_settings().database_url)
    with make_session_factory(engine)() as session:
        if session.query(User).filter_by(username=args.username).first():
            print(f"user {args.username!r} already exists", file=sys.stderr)
            return 1
        session.add(
            User(
                username=args.username,
                password_hash=hash_password(password),
                role=Role(args.role),
                team_id=args.team_id,
            )
        )
        session.commit()
    engine.dispose()
    print(f"created {args.role} {args.username!r}")
    return 0


def _set_user(args: argparse.Namespace, **changes: object) -> int:
    """Change one user and end all of their tokens (their websockets close within a second)."""
    from sqlalchemy import select

    from api.auth.revocation import end_all_tokens
    from resources_db.engine import make_engine, make_session_factory
    from resources_db.models import User

    engine = make_engine(get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            user = session.scalar(select(User).where(User.username == args.username))
            if user is None:
                print(f"no user {args.username!r}", file=sys.stderr)
                return 1
            for name, value in changes.items():
                setattr(user, name, value)
            session.flush()
            end_all_tokens(session, user.id)
            session.commit()
    finally:
        engine.dispose()
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    done = _set_user(args, active=False)
    if done == 0:
        print(f"disabled {args.username!r}; every token of theirs is revoked")
    return done


def _users_enable(args: argparse.Namespace) -> int:
    done = _set_user(args, active=True)
    if done == 0:
        print(f"enabled {args.username!r}; tokens issued before stay revoked: they log in again")
    return done


def _users_set_password(args: argparse.Namespace) -> int:
    from api.auth.passwords import hash_password

    password = os.environ.get("ERCP_NEW_USER_PASSWORD") or getpass.getpass(f"new password for {args.username}: ")
    # Whoever the user is, a new password meets the strictest rule (an administrator's).
    refusal = _password_refusal(password, username=args.username, role="admin")
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    done = _set_user(args, password_hash=hash_password(password))
    if done == 0:
        print(f"password of {args.username!r} changed; every token of theirs is revoked")
    return done


def _drill(args: argparse.Namespace) -> int:
    # The drills package is a client of the API (import-linter keeps api from importing it): run it as its own
    # process, exactly as `python -m drills` would be run against a deployed server.
    import subprocess

    return subprocess.call([sys.executable, "-m", "drills", *args.drill_args])  # noqa: S603 (our own module)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    from resources_db.enums import Role

    parser = argparse.ArgumentParser(prog="ercp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def server_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=1)
        p.add_argument("--log-level", default="info")

    serve = sub.add_parser("serve", help="run the API (DATABASE_URL, REDIS_URL from the environment)")
    server_args(serve)
    serve.set_defaults(func=_serve)
    demo = sub.add_parser("demo", help="migrate, load demo data, print the URLs and logins, serve")
    server_args(demo)
    demo.add_argument("--board-host", default="127.0.0.1")
    demo.add_argument("--board-port", type=int, default=8501)
    demo.set_defaults(func=_demo)
    board = sub.add_parser("board", help="run the situation board (Streamlit) against an API")
    board.add_argument("--host", default="127.0.0.1")
    board.add_argument("--port", type=int, default=8501)
    board.add_argument("--api", help="the API's base URL (default: ERCP_API_URL, else http://127.0.0.1:8000)")
    board.set_defaults(func=_board)
    sub.add_parser("migrate", help="upgrade the database schema to head").set_defaults(func=_migrate)
    sub.add_parser("seed-demo", help="load the Leizhou demo data (idempotent)").set_defaults(func=_seed_demo)
    sub.add_parser(
        "housekeeping",
        help="drop expired idempotency keys, re-grade for long-missing persons, announce overdue compliance (daily)",
    ).set_defaults(func=_housekeeping)
    sub.add_parser(
        "new-epoch", help="after restoring a backup: a new event-log epoch, so every board reloads its snapshot"
    ).set_defaults(func=_new_epoch)
    drill = sub.add_parser(
        "drill",
        help="run a scenario or write a drill report (python -m drills; `ercp drill run -h` for options)",
        add_help=False,
    )
    drill.add_argument("drill_args", nargs=argparse.REMAINDER)
    drill.set_defaults(func=_drill)
    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create a user (password from ERCP_NEW_USER_PASSWORD or a prompt)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--team-id", type=int)
    create.set_defaults(func=_users_create)
    for name, func, what in (
        ("disable", _users_disable, "disable a user and revoke every token of theirs"),
        ("enable", _users_enable, "enable a disabled user (old tokens stay revoked)"),
        (
            "set-password",
            _users_set_password,
            "set a password (from ERCP_NEW_USER_PASSWORD or a prompt); revokes tokens",
        ),
    ):
        command = users.add_parser(name, help=what)
        command.add_argument("username")
        command.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

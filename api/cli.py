"""`ercp` command line: serve, migrate, seed-demo, demo, users create."""

import argparse
import getpass
import os
import sys

from api.settings import get_settings


def _migrate(_: argparse.Namespace) -> int:
    from resources_db.migrate import upgrade

    url = get_settings().database_url
    print(f"migrating {_safe(url)} to head ...", flush=True)
    upgrade(url)
    print("database schema is up to date", flush=True)
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
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
    from api.incidents.missing_rule import regrade_long_missing
    from resources_db.engine import make_engine, make_session_factory

    settings = get_settings()
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        purged = purge_expired(session)
        regraded = regrade_long_missing(session=session) if settings.missing_counts_as_dead else []
        session.commit()
    engine.dispose()
    print(f"expired idempotency keys removed: {purged}", flush=True)
    print(f"incidents re-graded for persons still missing: {len(regraded)}", flush=True)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        proxy_headers=True,
        # Events are serialised once per process; per-message deflate would compress them once per client.
        ws_per_message_deflate=False,
        # Clients send only small control frames; anything larger is refused with close 1009.
        ws_max_size=64 * 1024,
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    _migrate(args)
    _seed_demo(args)
    password = os.environ.get("ERCP_DEMO_PASSWORD", "demo")
    base = f"http://{args.host}:{args.port}"
    print(
        "\n".join(
            [
                "",
                "Leizhou emergency response command platform (demo, embedded SQLite, synthetic coordinates)",
                f"  API       {base}/api/v1",
                f"  API docs  {base}/docs",
                f"  logins    admin / operator / observer / controller (drill controller), password '{password}'",
                "            team leaders: leader-001 ... (one per team), same password",
                f"  try       curl -s -X POST {base}/api/v1/auth/token -d 'username=operator&password={password}'",
                "",
            ]
        ),
        flush=True,
    )
    return _serve(args)


def _users_create(args: argparse.Namespace) -> int:
    from api.auth.passwords import hash_password
    from resources_db.engine import make_engine, make_session_factory
    from resources_db.enums import Role
    from resources_db.models import User

    password = os.environ.get("ERCP_NEW_USER_PASSWORD") or getpass.getpass(f"password for {args.username}: ")
    if len(password) < 8 and args.role == Role.admin.value:
        print("refusing an admin password shorter than 8 characters", file=sys.stderr)
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
    demo.set_defaults(func=_demo)
    sub.add_parser("migrate", help="upgrade the database schema to head").set_defaults(func=_migrate)
    sub.add_parser("seed-demo", help="load the Leizhou demo data (idempotent)").set_defaults(func=_seed_demo)
    sub.add_parser(
        "housekeeping",
        help="drop expired idempotency keys, re-grade for long-missing persons (daily, e.g. from cron)",
    ).set_defaults(func=_housekeeping)
    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create a user (password from ERCP_NEW_USER_PASSWORD or a prompt)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--team-id", type=int)
    create.set_defaults(func=_users_create)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

"""Token generation per user; personnel recorded on each dispatch; team of each dispatch timeline entry

Revision ID: 0005_sec
Revises: 0004
Create Date: 2026-12-06 02:00:00

`users.token_generation` is signed into every token: raising it ends all of
a user's tokens (logout, disable, password change). `dispatches.personnel`
keeps the people sent, so compensation never reads the team's current row;
existing dispatches take their team's personnel as it is today, the best
record there is. `timeline_entries.team_id` names the team of a dispatch
entry, so a team leader sees only their own team's; older dispatch entries
keep NULL and are shown to no team leader (api.incidents.views).
`audit_log.client_request_id` keeps a client's X-Request-ID apart from the
server's own request id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_sec"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("dispatches", sa.Column("personnel", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE dispatches SET personnel = "
        "(SELECT rescue_teams.personnel FROM rescue_teams WHERE rescue_teams.id = dispatches.team_id)"
    )
    with op.batch_alter_table("dispatches") as batch:
        batch.alter_column("personnel", existing_type=sa.Integer(), nullable=False)
    op.add_column("timeline_entries", sa.Column("team_id", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("client_request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("client_request_id")
    with op.batch_alter_table("timeline_entries") as batch:
        batch.drop_column("team_id")
    with op.batch_alter_table("dispatches") as batch:
        batch.drop_column("personnel")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_generation")

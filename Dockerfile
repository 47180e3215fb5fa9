# The API image used by compose.yaml (production-like topology, DESIGN §3): the same locked set as `make demo`.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH
COPY requirements-bootstrap.txt ./
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements-bootstrap.txt
# Dependencies first, from the lock alone, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project --no-cache
COPY api ./api
COPY realtime ./realtime
COPY resources_db ./resources_db
COPY dashboard ./dashboard
COPY drills ./drills
COPY loadtests ./loadtests
RUN uv sync --locked --no-dev --no-editable --no-cache && useradd --system --uid 10001 ercp
USER ercp
EXPOSE 8000
CMD ["ercp", "serve", "--host", "0.0.0.0", "--port", "8000"]

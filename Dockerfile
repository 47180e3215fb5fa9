# The API image used by compose.yaml (production-like topology, DESIGN §3).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY api ./api
COPY realtime ./realtime
COPY resources_db ./resources_db
COPY dashboard ./dashboard
COPY drills ./drills
COPY loadtests ./loadtests
RUN pip install --no-cache-dir . && useradd --system --uid 10001 ercp
USER ercp
EXPOSE 8000
CMD ["ercp", "serve", "--host", "0.0.0.0", "--port", "8000"]

# geoapp behind gunicorn, for docker-compose.yml (PostGIS next to it).
# Stage 1 builds the wheel; stage 2 installs it (runtime dependencies only, at the versions
# requirements.txt pins; no test tools) and runs as an unprivileged user.
FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gazetteer gazetteer
COPY geoapp geoapp
RUN pip install --no-cache-dir "setuptools==80.9.0" \
 && pip wheel --no-cache-dir --no-build-isolation --no-deps -w /dist .

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite fonts-noto-cjk curl \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
COPY --from=wheel /dist /tmp/dist
RUN pip install --no-cache-dir -c /tmp/requirements.txt /tmp/dist/*.whl \
 && rm -rf /tmp/dist /tmp/requirements.txt \
 && useradd --create-home --uid 10001 geoapp

USER geoapp
WORKDIR /home/geoapp
COPY --chown=geoapp:geoapp seeds seeds
# the database (when SpatiaLite) and the gazetteer cache live here, not in site-packages
ENV GEOAPP_DATA_DIR=/home/geoapp/data
RUN geoapp build-gazetteer

ENV GEOAPP_HOST=0.0.0.0 GEOAPP_PORT=8000
EXPOSE 8000
# gunicorn: 2 processes × 8 threads; each process draws 1 map at a time with 3 more waiting at
# most (GEOAPP_RENDER_WORKERS/QUEUE), so renders never hold more than 4 of its 8 threads.
# Request line: gunicorn 27 lowers any --limit-request-line above 8190 to 8190, which is too
# short for the documented 16 KB CQL2 filter URLs; 0 lifts the limit (its C parser, when
# installed, still stops at 1 MB). Each header field may be 16 KB.
# Logs go to standard output/error (docker logs): gunicorn's access log, one line per request
# with the client, the request line as sent (still percent-encoded, so no control character
# reaches a terminal), status, bytes and milliseconds; beside it geoapp's own request line
# (GEOAPP_LOG_LEVEL; its path is decoded, with control characters escaped).
# Behind a reverse proxy set GEOAPP_PUBLIC_URL (or GEOAPP_TRUSTED_PROXIES) in compose.
ENV GEOAPP_LOG_LEVEL=INFO
CMD ["sh", "-c", "geoapp db init && geoapp ingest seeds/*.txt && exec gunicorn -w 2 -k gthread --threads 8 --limit-request-line 0 --limit-request-field_size 16384 --access-logfile - --error-logfile - --access-logformat '%(h)s \"%(r)s\" %(s)s %(B)s %(M)sms' -b 0.0.0.0:8000 'geoapp:create_app()'"]

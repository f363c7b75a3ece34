# geoapp behind gunicorn, for docker-compose.yml (PostGIS next to it).
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite fonts-noto-cjk curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.txt
COPY gazetteer gazetteer
COPY geoapp geoapp
COPY static static
COPY seeds seeds
RUN pip install --no-cache-dir --no-deps -e . \
 && python -c "from gazetteer import Gazetteer; Gazetteer.load()"

ENV GEOAPP_HOST=0.0.0.0 GEOAPP_PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "geoapp db init && geoapp ingest seeds/*.txt && exec gunicorn -w 2 -k gthread --threads 4 -b 0.0.0.0:8000 'geoapp:create_app()'"]

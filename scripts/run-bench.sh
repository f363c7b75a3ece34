#!/usr/bin/env bash
# Run every benchmark in bench/ and print their numbers (they start their own PostGIS
# clusters where they need one). Benchmarks measure; they never fail a build.
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
for bench in bench_gazetteer bench_layers bench_ingest bench_corrections bench_review bench_render bench_map bench_ogc bench_load; do
  [ -f "bench/$bench.py" ] || continue
  echo "== $bench"
  "$py" "bench/$bench.py" || echo "(benchmark $bench failed with exit $?)"
done
echo "== extraction quality"
"$py" bench/extraction_quality.py

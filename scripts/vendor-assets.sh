#!/usr/bin/env bash
# Vendor the front-end assets that folium's generated pages load from CDNs,
# so that pages work fully offline when served from geoapp/web/static/vendor/.
#
#   bash scripts/vendor-assets.sh
#
# What it does (idempotent: re-running gives the same tree):
#   * `npm pack NAME@VERSION` for each pinned package into a temp dir, and
#     checks the tarball's sha512 integrity against the pin below;
#   * copies only the files folium needs into
#     geoapp/web/static/vendor/<package>-<version>/<path inside the package>, plus the
#     package's licence file;
#   * generates geoapp/web/static/vendor/bootstrap-3.4.1/dist/css/bootstrap-glyphicons.css
#     (glyphicon rules only, extracted from Bootstrap 3.4.1's dist/css/bootstrap.css);
#   * generates geoapp/web/static/vendor/awesome-rotate/leaflet.awesome.rotate.min.css
#     (.fa-rotate-0 .. .fa-rotate-359, the classes folium.Icon(angle=N) sets);
#   * writes geoapp/web/static/vendor/manifest.json (folium CDN URL -> path under static/)
#     and geoapp/web/static/vendor/LICENSES.md, and checks every manifest target exists.
#
# Needs: npm (and the node it ships with), tar. Network: the npm registry only.
# Everything is built in a temp dir first; geoapp/web/static/vendor/ is only touched once
# the whole build has succeeded. Only the directories this script owns are
# replaced; anything else in geoapp/web/static/vendor/ is left alone (and reported).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/geoapp/web/static/vendor"

for tool in npm node tar; do
    command -v "$tool" >/dev/null 2>&1 || { echo "vendor-assets: '$tool' not found on PATH" >&2; exit 1; }
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vendor-assets.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
STAGE="$TMP/stage"
mkdir -p "$TMP/tgz" "$TMP/src" "$STAGE"

TAR_FLAGS=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    # npm tarballs carry NODETAR.* pax headers; GNU tar warns about each one.
    TAR_FLAGS+=(--warning=no-unknown-keyword)
fi

# ---------------------------------------------------------------------------
# Pinned packages: npm spec | directory under static/vendor | sha512 integrity
# (integrity values are the registry's dist.integrity for that exact version)
# ---------------------------------------------------------------------------
PACKAGES=(
    "leaflet@1.9.3|leaflet-1.9.3|sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ=="
    "jquery@3.7.1|jquery-3.7.1|sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg=="
    "bootstrap@5.2.2|bootstrap-5.2.2|sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+oRdQ9loC54zB1La3hHQ=="
    "bootstrap@3.4.1|bootstrap-3.4.1|sha512-yN5oZVmRCwe5aKwzRj6736nSmKDX7pLYwsXiCj/EYmo16hODaBiT4En5btW/jhBF/seV+XMx3aYwukYC3A49DA=="
    "@fortawesome/fontawesome-free@6.2.0|fontawesome-free-6.2.0|sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ=="
    "drmonty-leaflet-awesome-markers@2.0.2|drmonty-leaflet-awesome-markers-2.0.2|sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwYJi1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ=="
    "leaflet.markercluster@1.1.0|leaflet.markercluster-1.1.0|sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWkzEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ=="
    "leaflet.fullscreen@3.0.0|leaflet.fullscreen-3.0.0|sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ=="
    "leaflet.polylinemeasure@3.0.0|leaflet.polylinemeasure-3.0.0|sha512-PTTHz7NBJiWmNFetH8hb3leQNM15qoM9Xe7VDKh1Hyat/M+USqFYeoa0A0LAecsqsjUqA63Rzux4SivoyrSFkA=="
    "@geoman-io/leaflet-geoman-free@2.20.2|leaflet-geoman-free-2.20.2|sha512-KQpSe0VKyuVCudq/08rMjJW1vvIwFldTwBny2wZ7ABcyyUAP7/eoFo967hCu9yRqAAHb4QOxC6gY5dGqttY68g=="
    "swagger-ui-dist@5.35.0|swagger-ui-dist-5.35.0|sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
)

# Files to copy from each package (globs relative to the package root).
# The package's licence file is added automatically.
declare -A FILES=(
    [leaflet-1.9.3]="dist/leaflet.js dist/leaflet.css dist/images/*"
    [jquery-3.7.1]="dist/jquery.min.js"
    [bootstrap-5.2.2]="dist/js/bootstrap.bundle.min.js dist/css/bootstrap.min.css"
    [bootstrap-3.4.1]="dist/fonts/glyphicons-halflings-regular.*"
    [fontawesome-free-6.2.0]="css/all.min.css webfonts/*"
    [drmonty-leaflet-awesome-markers-2.0.2]="js/leaflet.awesome-markers.js css/leaflet.awesome-markers.css css/images/*"
    [leaflet.markercluster-1.1.0]="dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css"
    # npm ships no Control.FullScreen.min.js (jsDelivr minifies on the fly);
    # the CSS references icon-fullscreen.svg next to it.
    [leaflet.fullscreen-3.0.0]="Control.FullScreen.js Control.FullScreen.css icon-fullscreen.svg"
    # Distance measuring on the planner map (planner.js adds it). Not folium's MeasureControl:
    # that wraps leaflet-measure, whose lodash templates need eval(), which the CSP forbids.
    [leaflet.polylinemeasure-3.0.0]="Leaflet.PolylineMeasure.js Leaflet.PolylineMeasure.css"
    # Drawing and editing points and lines on the review page /review (static/js/review.js).
    # No eval(): its one `Function("return this")` is a fallback for browsers without globalThis.
    [leaflet-geoman-free-2.20.2]="dist/leaflet-geoman.min.js dist/leaflet-geoman.css"
    # The try-it page /api?f=html (geoapp/web/static/js/api-docs.js starts it). The bundle needs no
    # eval(): its one `new Function` is a fallback for browsers without globalThis.
    [swagger-ui-dist-5.35.0]="swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css NOTICE"
)

# folium 0.20.0 CDN URL -> path under static/. Covers folium.Map's defaults
# (Leaflet, jQuery, Bootstrap 5, glyphicons, Font Awesome, Awesome Markers,
# rotate CSS) and the MarkerCluster and Fullscreen plugins.
# GeoJson, GeoJsonTooltip/GeoJsonPopup, LayerControl and Icon add none of their own.
MANIFEST=(
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js|vendor/leaflet-1.9.3/dist/leaflet.js"
    "https://code.jquery.com/jquery-3.7.1.min.js|vendor/jquery-3.7.1/dist/jquery.min.js"
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js|vendor/bootstrap-5.2.2/dist/js/bootstrap.bundle.min.js"
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js|vendor/drmonty-leaflet-awesome-markers-2.0.2/js/leaflet.awesome-markers.js"
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css|vendor/leaflet-1.9.3/dist/leaflet.css"
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css|vendor/bootstrap-5.2.2/dist/css/bootstrap.min.css"
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css|vendor/bootstrap-3.4.1/dist/css/bootstrap-glyphicons.css"
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css|vendor/fontawesome-free-6.2.0/css/all.min.css"
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css|vendor/drmonty-leaflet-awesome-markers-2.0.2/css/leaflet.awesome-markers.css"
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css|vendor/awesome-rotate/leaflet.awesome.rotate.min.css"
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js|vendor/leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js"
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css|vendor/leaflet.markercluster-1.1.0/dist/MarkerCluster.css"
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css|vendor/leaflet.markercluster-1.1.0/dist/MarkerCluster.Default.css"
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js|vendor/leaflet.fullscreen-3.0.0/Control.FullScreen.js"
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css|vendor/leaflet.fullscreen-3.0.0/Control.FullScreen.css"
)

# ---------------------------------------------------------------------------
# Download, verify and unpack one package into $TMP/src/<dir>.
# ---------------------------------------------------------------------------
fetch() {
    local spec="$1" dir="$2" want="$3" json file got
    echo "vendor-assets: npm pack $spec"
    json="$(cd "$TMP/tgz" && npm pack "$spec" --json --loglevel=error)"
    file="$(printf '%s' "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(JSON.parse(s)[0].filename)})')"
    got="$(printf '%s' "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(JSON.parse(s)[0].integrity)})')"
    if [[ "$got" != "$want" ]]; then
        echo "vendor-assets: integrity mismatch for $spec" >&2
        echo "  expected $want" >&2
        echo "  got      $got" >&2
        exit 1
    fi
    mkdir -p "$TMP/src/$dir"
    tar "${TAR_FLAGS[@]}" -xzf "$TMP/tgz/$file" -C "$TMP/src/$dir" --strip-components=1
}

# Copy files matching the given globs (relative to the package root),
# keeping their relative paths. Every glob must match at least one file.
put() {
    local dir="$1"; shift
    local src="$TMP/src/$dir" dest="$STAGE/$dir" pattern rel
    local -a matches
    for pattern in "$@"; do
        mapfile -t matches < <(cd "$src" && compgen -G "$pattern" | LC_ALL=C sort)
        if [[ ${#matches[@]} -eq 0 ]]; then
            echo "vendor-assets: $dir: nothing matches '$pattern'" >&2
            exit 1
        fi
        for rel in "${matches[@]}"; do
            [[ -f "$src/$rel" ]] || continue
            mkdir -p "$dest/$(dirname "$rel")"
            cp "$src/$rel" "$dest/$rel"
            chmod 0644 "$dest/$rel"
        done
    done
}

# Copy the package's licence file (if it ships one) to the package root.
put_licence() {
    local dir="$1" f
    for f in LICENSE LICENSE.txt LICENSE.md MIT-LICENCE.txt LICENCE; do
        if [[ -f "$TMP/src/$dir/$f" ]]; then
            put "$dir" "$f"
            return
        fi
    done
}

for entry in "${PACKAGES[@]}"; do
    IFS='|' read -r spec dir integrity <<<"$entry"
    fetch "$spec" "$dir" "$integrity"
    # shellcheck disable=SC2086  # word-splitting the glob list is intended
    put "$dir" ${FILES[$dir]}
    put_licence "$dir"
done

# ---------------------------------------------------------------------------
# Bootstrap 3.4.1: glyphicon rules only (@font-face, .glyphicon, .glyphicon-*:before).
# Font URLs stay "../fonts/...", which resolves to dist/fonts/ next to dist/css/.
# ---------------------------------------------------------------------------
mkdir -p "$STAGE/bootstrap-3.4.1/dist/css"
node - "$TMP/src/bootstrap-3.4.1/dist/css/bootstrap.css" \
       "$STAGE/bootstrap-3.4.1/dist/css/bootstrap-glyphicons.css" <<'JS'
const fs = require("fs");
const [src, out] = process.argv.slice(2);
const css = fs.readFileSync(src, "utf8");
const banner = (css.match(/^\/\*![\s\S]*?\*\//) || [""])[0];
const body = css.replace(/\/\*[\s\S]*?\*\//g, "");

// Split into top-level rules: {prelude, block} (blocks may nest, e.g. @media).
const rules = [];
let i = 0;
while (i < body.length) {
  const open = body.indexOf("{", i);
  if (open < 0) break;
  let depth = 0, j = open, quote = null;
  for (; j < body.length; j++) {
    const c = body[j];
    if (quote) { if (c === "\\") j++; else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) break;
  }
  rules.push({ prelude: body.slice(i, open).trim(), block: body.slice(open, j + 1) });
  i = j + 1;
}

const iconSel = /^\.glyphicon-[a-z0-9-]+:before$/;
const keep = rules.filter(({ prelude, block }) =>
  (prelude === "@font-face" && block.includes("Glyphicons Halflings")) ||
  prelude === ".glyphicon" ||
  prelude.split(",").every((s) => iconSel.test(s.trim())));

const fontFaces = keep.filter((r) => r.prelude === "@font-face").length;
const bases = keep.filter((r) => r.prelude === ".glyphicon").length;
const icons = keep.length - fontFaces - bases;
if (fontFaces !== 1 || bases !== 1 || icons < 200) {
  console.error(`glyphicon extraction looks wrong: font-face=${fontFaces} base=${bases} icons=${icons}`);
  process.exit(1);
}
const header = `${banner}
/*
 * Glyphicons Halflings only: the @font-face, .glyphicon and .glyphicon-*:before
 * rules extracted from bootstrap@3.4.1 dist/css/bootstrap.css by
 * scripts/vendor-assets.sh. Stands in for folium's
 * https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css
 */
`;
fs.writeFileSync(out, header + keep.map((r) => `${r.prelude.replace(/\s*,\s*/g, ",\n")} ${r.block}`).join("\n") + "\n");
console.log(`vendor-assets: bootstrap-glyphicons.css: ${icons} icon rules`);
JS

# ---------------------------------------------------------------------------
# folium.Icon(angle=N) adds class "fa-rotate-N"; folium loads the matching CSS
# from its own GitHub repo. Same rule format, N = 0..359.
# ---------------------------------------------------------------------------
mkdir -p "$STAGE/awesome-rotate"
{
    echo "/* .fa-rotate-N for folium.Icon(angle=N), N = 0..359. Generated by scripts/vendor-assets.sh. */"
    for n in $(seq 0 359); do
        printf '.fa-rotate-%d{-ms-transform:rotate(%ddeg);-webkit-transform:rotate(%ddeg);transform:rotate(%ddeg)}\n' "$n" "$n" "$n" "$n"
    done
} >"$STAGE/awesome-rotate/leaflet.awesome.rotate.min.css"

# ---------------------------------------------------------------------------
# manifest.json and LICENSES.md
# ---------------------------------------------------------------------------
printf '%s\n' "${MANIFEST[@]}" | node -e '
const fs = require("fs");
const [stage, out] = process.argv.slice(1);
const lines = fs.readFileSync(0, "utf8").split("\n").filter(Boolean);
const manifest = {};
let missing = 0;
for (const line of lines) {
  const [url, local] = line.split("|");
  manifest[url] = local;
  const file = stage + "/" + local.replace(/^vendor\//, "");
  if (!fs.existsSync(file)) { console.error("manifest target missing: " + local); missing++; }
}
if (missing) process.exit(1);
fs.writeFileSync(out, JSON.stringify(manifest, null, 2) + "\n");
' "$STAGE" "$STAGE/manifest.json"

{
    cat <<'MD'
# Vendored front-end assets

Generated by `scripts/vendor-assets.sh`; do not edit by hand, re-run the script.
Each directory `<package>-<version>/` holds files copied unchanged from the npm
tarball `npm pack <package>@<version>` (integrity-checked), at the same relative
paths, plus the package's licence file where it ships one. `manifest.json` maps
each CDN URL folium 0.20.0 references to the local path under `static/`.

| Package | Version | Licence (package.json) | Directory | npm command |
| --- | --- | --- | --- | --- |
MD
    for entry in "${PACKAGES[@]}"; do
        IFS='|' read -r spec dir _ <<<"$entry"
        node -e '
const p = require(process.argv[1]);
let lic = p.license;
if (lic && typeof lic === "object") lic = lic.type;
if (!lic && Array.isArray(p.licenses)) lic = p.licenses.map((l) => l.type || l).join(" OR ");
console.log(`| ${p.name} | ${p.version} | ${lic || "UNKNOWN"} | \`${process.argv[2]}/\` | \`npm pack ${process.argv[3]}\` |`);
' "$TMP/src/$dir/package.json" "$dir" "$spec"
    done
    cat <<'MD'

Generated files (no npm package):

- `bootstrap-3.4.1/dist/css/bootstrap-glyphicons.css`: the Glyphicons Halflings
  `@font-face`, `.glyphicon` and `.glyphicon-*:before` rules extracted from
  bootstrap@3.4.1 `dist/css/bootstrap.css` (MIT, banner kept). Serves folium's
  `https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css`
  (Bootstrap 3.0.0 is not published on npm; 3.4.1 is the closest release there).
- `awesome-rotate/leaflet.awesome.rotate.min.css`: `.fa-rotate-N` rules for
  N = 0..359, the classes `folium.Icon(angle=N)` sets; same rule format as
  folium's own `folium/templates/leaflet.awesome.rotate.css` (folium: MIT).

Notes:

- `drmonty-leaflet-awesome-markers` is an npm repackaging of lvoogdt's
  Leaflet.awesome-markers 2.0.2; its package.json declares MIT through the
  legacy `licenses` field and it ships no LICENSE file
  (upstream licence: http://github.com/lvoogdt/Leaflet.awesome-markers/blob/2.0/develop/LICENSE).
- `@fortawesome/fontawesome-free`: icons CC BY 4.0, fonts SIL OFL 1.1, code MIT
  (see `fontawesome-free-6.2.0/LICENSE.txt`).
- `@geoman-io/leaflet-geoman-free`: drawing and reshaping points and lines on the review page
  `/review`, not a folium asset (so not in `manifest.json`); MIT (see its `LICENSE`).
- `swagger-ui-dist`: the try-it API page at `/api?f=html`, not a folium asset (so
  not in `manifest.json`); Apache-2.0 (see its `LICENSE` and `NOTICE`); the third-party
  notices of the bundle are in `swagger-ui-bundle.js.LICENSE.txt` beside it.
MD
} >"$STAGE/LICENSES.md"

# ---------------------------------------------------------------------------
# Install: replace only what this script owns.
# ---------------------------------------------------------------------------
mkdir -p "$VENDOR"
for path in "$STAGE"/*; do
    name="$(basename "$path")"
    rm -rf "${VENDOR:?}/$name"
    mv "$path" "$VENDOR/$name"
done

owned=" awesome-rotate manifest.json LICENSES.md "
for entry in "${PACKAGES[@]}"; do
    IFS='|' read -r _ dir _ <<<"$entry"
    owned+="$dir "
done
for path in "$VENDOR"/*; do
    name="$(basename "$path")"
    if [[ "$owned" != *" $name "* ]]; then
        echo "vendor-assets: note: $VENDOR/$name is not produced by this script (left as is)" >&2
    fi
done

echo "vendor-assets: done: $(find "$VENDOR" -type f | wc -l) files, $(du -sh "$VENDOR" | cut -f1) in $VENDOR"

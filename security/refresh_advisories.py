"""Rebuild security/advisories.json from a checkout of the PyPA advisory database.

    git clone --depth 1 https://github.com/pypa/advisory-database /tmp/advisory-database
    python3 security/refresh_advisories.py /tmp/advisory-database [--date YYYY-MM-DD]

Needs PyYAML (Debian's python3-yaml will do; the app does not need it). Keeps only the
advisories of packages installed in the interpreter that runs it (run it with the project's
venv after `make install`, or list more names with --also), so the shipped file stays small.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml
from audit import installed, normalise

OUT = Path(__file__).with_name("advisories.json")


def _advisory(data: dict, name: str) -> dict | None:
    if data.get("withdrawn"):
        return None
    for affected in data.get("affected", []):
        if normalise(affected["package"]["name"]) != name:
            continue
        ranges = [r["events"] for r in affected.get("ranges", []) if r.get("type") == "ECOSYSTEM"]
        fixed = [e["fixed"] for events in ranges for e in events if "fixed" in e]
        return {
            "id": data["id"],
            "aliases": data.get("aliases", []),
            "summary": (data.get("summary") or data.get("details", ""))[:200].replace("\n", " "),
            "versions": [str(v) for v in affected.get("versions", [])],
            "ranges": ranges,
            "fixed": fixed,
        }
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--date", help="the checkout's date (default: its last commit's)")
    parser.add_argument("--also", nargs="*", default=[])
    args = parser.parse_args()
    names = set(installed()) | {normalise(n) for n in args.also}
    date = args.date or subprocess.run(  # noqa: S603
        ["git", "-C", str(args.checkout), "log", "-1", "--format=%cs"],  # noqa: S607
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    packages: dict[str, list[dict]] = {}
    for folder in sorted((args.checkout / "vulns").iterdir()):
        name = normalise(folder.name)
        if name not in names:
            continue
        for path in sorted(folder.glob("*.yaml")):
            advisory = _advisory(yaml.safe_load(path.read_text()), name)
            if advisory:
                packages.setdefault(name, []).append(advisory)
    payload = {"source": "PyPA advisory-database", "as_of": date, "packages": packages}
    OUT.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n")
    print(f"{OUT}: {sum(map(len, packages.values()))} advisories for {len(packages)} packages")  # noqa: T201


if __name__ == "__main__":
    main()

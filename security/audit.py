"""Check the installed packages against the shipped advisory list (security/advisories.json).

Offline: it reads only the list beside it and this interpreter's installed distributions, so
it runs where no vulnerability service can be reached. `make audit` runs it in the project's
venv; .ci/run runs it in CI. Exit status 1 if any installed version is affected, with one line
per advisory; the list's date is printed so a stale list is seen. Refresh the list with
security/refresh_advisories.py (see README, "Checking the pins for known vulnerabilities").
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

ADVISORIES = Path(__file__).with_name("advisories.json")
ACCEPTED = Path(__file__).with_name("accepted.txt")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    return {normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}


def _in_ranges(version: Version, ranges: list[list[dict]]) -> bool:
    for events in ranges:
        start: Version | None = None
        for event in events:
            if "introduced" in event:
                start = Version("0") if event["introduced"] == "0" else Version(event["introduced"])
            elif start is not None and "fixed" in event:
                if start <= version < Version(event["fixed"]):
                    return True
                start = None
            elif start is not None and "last_affected" in event:
                if start <= version <= Version(event["last_affected"]):
                    return True
                start = None
        if start is not None and version >= start:  # introduced and never fixed
            return True
    return False


def affected(version: str, advisory: dict) -> bool:
    """Whether `version` is one the advisory names, or lies in one of its ranges."""
    if version in advisory["versions"]:
        return True
    try:
        return _in_ranges(Version(version), advisory["ranges"])
    except InvalidVersion:
        return False


def findings(packages: dict[str, str], advisories: dict) -> list[str]:
    lines = []
    for name, version in sorted(packages.items()):
        for advisory in advisories["packages"].get(name, []):
            if affected(version, advisory):
                fixed = ", ".join(advisory["fixed"]) or "no fix yet"
                lines.append(
                    f"{name} {version}: {advisory['id']} ({', '.join(advisory['aliases'])}) "
                    f"fixed in {fixed}: {advisory['summary']}"
                )
    return lines


def accepted_ids(text: str) -> set[str]:
    return {line.split()[0] for line in text.splitlines() if line.strip() and line[0] != "#"}


def main() -> int:
    advisories = json.loads(ADVISORIES.read_text())
    accepted = accepted_ids(ACCEPTED.read_text())
    packages = installed()
    found = findings(packages, advisories)
    open_ = [line for line in found if line.split()[2] not in accepted]
    known = sum(map(len, advisories["packages"].values()))
    print(  # noqa: T201  (a command-line tool)
        f"audit: {len(packages)} installed packages against {known} advisories "
        f"({advisories['source']} as of {advisories['as_of']})"
    )
    for line in found:
        print(("accepted: " if line not in open_ else "") + line)  # noqa: T201
    print(  # noqa: T201
        f"audit: {len(open_)} known vulnerabilities ({len(found) - len(open_)} accepted, "
        "see security/accepted.txt)"
    )
    return 1 if open_ else 0


if __name__ == "__main__":
    sys.exit(main())

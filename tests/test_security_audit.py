"""The offline audit (security/audit.py) flags an installed version its advisory list names."""

import json

from security.audit import ADVISORIES, accepted_ids, affected, findings, main

ADVISORY = {
    "id": "TEST-1",
    "aliases": ["CVE-0000-1"],
    "summary": "a test",
    "versions": ["1.0rc1"],
    "ranges": [[{"introduced": "0"}, {"fixed": "1.2"}, {"introduced": "2.0"}, {"fixed": "2.0.5"}]],
    "fixed": ["1.2", "2.0.5"],
}


def test_versions_inside_a_range_are_affected_and_fixed_ones_are_not():
    assert [affected(v, ADVISORY) for v in ("0.9", "1.1.9", "1.2", "1.9", "2.0.4", "2.0.5")] == [
        True,
        True,
        False,
        False,
        True,
        False,
    ]
    assert affected("1.0rc1", ADVISORY)  # named outright


def test_an_advisory_never_fixed_covers_every_later_version():
    open_ended = {**ADVISORY, "versions": [], "ranges": [[{"introduced": "3.0"}]]}
    assert affected("3.4", open_ended)
    assert not affected("2.9", open_ended)


def test_the_shipped_list_flags_an_old_django_and_not_the_pinned_one():
    advisories = json.loads(ADVISORIES.read_text())
    old = findings({"django": "4.2.14"}, advisories)
    assert any("PYSEC-2024-70 (CVE-2024-42005) fixed in 5.0.8, 4.2.15" in line for line in old)
    assert findings({"django": "5.2.19"}, advisories) == []


def test_this_venv_passes_with_its_accepted_advisories_listed(capsys):
    assert main() == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("audit: 0 known vulnerabilities")


def test_accepted_ids_skip_comments():
    assert accepted_ids("# a comment\nPYSEC-1  why\n\nGHSA-x  why not\n") == {"PYSEC-1", "GHSA-x"}

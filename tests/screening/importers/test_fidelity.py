"""Files other tools read that ours garbled or refused (issue 13, items 9-13).

Each sample in tests/data/importers/ is hand-made in the shape of a real export, named in the
test that reads it.
"""

from screening.importers import parse_bytes

from .conftest import sample


def test_ris_entities_are_decoded_once_with_or_without_tags():
    # A publisher-site RIS (Taylor & Francis, Wiley "export citation"): titles and abstracts
    # carry HTML entities, some with tags around them, some without.
    first, second = parse_bytes(sample("entities_publisher.ris")).records
    assert first.title == "Effects of A & B on outcomes: <i> is text here"
    assert first.journal == "Journal of Q&A"
    assert first.abstract == (
        "The effect was significant (p < .001 & more); 5\u201310 years; escaped twice: &lt;b&gt;."
    )
    assert second.title == "Café workers and R&D in vivo & AT&T"
    assert second.abstract == "First > second.\nThird \u2264 fourth."

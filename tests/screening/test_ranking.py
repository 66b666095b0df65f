"""screening.ranking: the prioritisation model, its simulation and its metrics."""

import csv
import io
import math
from dataclasses import replace

import numpy as np
import pytest
from django.core.management import call_command

from screening import ranking
from tests.conftest import shared_data

# A small labelled fixture: a review of exercise for depression; the relevant records share its
# vocabulary, the irrelevant ones are about other things (some near misses).
RELEVANT = [
    "Aerobic exercise for adults with major depression: a randomised controlled trial",
    "Exercise therapy reduces depressive symptoms in older adults: randomised trial",
    "Resistance training as treatment for depression: a randomised controlled trial",
    "Walking programme and depressive symptoms in adults with depression",
    "Yoga and aerobic exercise versus usual care for depression in primary care",
    "Group exercise intervention for postnatal depression: randomised controlled trial",
]
IRRELEVANT = [
    "Antibiotic prophylaxis in hip replacement surgery: a cohort study",
    "Dietary fibre intake and colorectal cancer risk in a large cohort",
    "Software cost estimation with analogy: an empirical comparison",
    "Sleep apnoea screening questionnaires in primary care",
    "Exercise capacity after cardiac surgery: an observational study",
    "Depression of the freezing point in salt solutions",
    "Insulin pump therapy for type 1 diabetes in children",
    "Air pollution and asthma admissions in urban areas",
    "Statins for primary prevention of cardiovascular disease",
    "Vaccination coverage among healthcare workers: a survey",
    "Hand hygiene compliance in intensive care units",
    "Surgical versus conservative treatment of ankle fractures",
]


def fixture():
    texts = RELEVANT + IRRELEVANT
    labels = [1] * len(RELEVANT) + [0] * len(IRRELEVANT)
    return texts, labels


def test_ranking_puts_relevant_records_first():
    texts, labels = fixture()
    features = ranking.ReviewFeatures.build(texts)
    decided = {0: 1, len(RELEVANT): 0}  # one include, one exclude
    scores = ranking.rank(features, decided)
    assert scores is not None and scores.shape == (len(texts),)
    queue = ranking.queue_order(scores, list(decided))
    assert set(queue) == set(range(len(texts))) - set(decided)
    top = [labels[row] for row in queue[: len(RELEVANT) - 1]]
    assert sum(top) >= len(RELEVANT) - 2, top  # nearly all remaining relevant ones come first
    # every remaining relevant record outranks the clearly unrelated ones
    relevant_scores = [scores[i] for i in range(1, len(RELEVANT))]
    unrelated = [texts.index(t) for t in IRRELEVANT[:4]]
    assert min(relevant_scores) > max(scores[i] for i in unrelated)


def test_cold_start_returns_none():
    texts, _ = fixture()
    features = ranking.ReviewFeatures.build(texts)
    assert ranking.rank(features, {}) is None
    assert ranking.rank(features, {0: 1, 1: 1}) is None  # includes only
    assert ranking.rank(features, {8: 0}) is None  # excludes only


def test_rank_is_deterministic_and_cached_features_round_trip():
    texts, _ = fixture()
    features = ranking.ReviewFeatures.build(texts)
    decided = {0: 1, 3: 1, 7: 0, 9: 0, 12: 0}
    first = ranking.rank(features, decided, seed=4)
    again = ranking.rank(features, decided, seed=4)
    np.testing.assert_array_equal(first, again)
    restored = ranking.ReviewFeatures.from_bytes(features.to_bytes())
    assert restored.fingerprint == ranking.ReviewFeatures.fingerprint_of(texts)
    np.testing.assert_allclose(ranking.rank(restored, decided, seed=4), first)


def test_queue_order_breaks_ties_by_import_order_and_skips_decided():
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9])
    assert ranking.queue_order(scores, [1]).tolist() == [4, 0, 2, 3]


def test_metrics_match_a_hand_computed_example():
    # 10 records after the priors, 3 relevant, screened in this order:
    order = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    m = ranking.screening_metrics(order, n=10, n_relevant=3)
    # 95 % of 3 -> 3 relevant (ceil 2.85) found at the 6th record
    assert m.screened_to_95 == 6
    assert m.wss95 == pytest.approx((10 - 6) / 10 - 0.05)  # 0.35
    assert m.recall10 == pytest.approx(1 / 3)  # first 1 record
    assert m.recall25 == pytest.approx(1 / 3)  # first floor(2.5) = 2 records
    assert m.recall50 == pytest.approx(2 / 3)  # first 5 records
    assert m.erf10 == pytest.approx(1 / 3 - 0.10)
    assert m.screened_to_100 == 6  # the last relevant record
    assert m.wss100 == pytest.approx((10 - 6) / 10)
    # an order cut after the last relevant record gives the same figures
    assert ranking.screening_metrics(order[:6], n=10, n_relevant=3) == m
    # cut before it (a run stopped at 95 % recall of 40), WSS@100 is unknown, not 0
    cut = ranking.screening_metrics([1] * 38, n=100, n_relevant=40)
    assert cut.screened_to_95 == 38 and cut.screened_to_100 == 0 and math.isnan(cut.wss100)


def test_recall_at_x_rounds_the_records_screened_as_asreview_does():
    # N = 18: 10 % is 1.8 records -> 2 screened (floor would say 1); 25 % is 4.5 -> 4 (halves
    # to even, Python's round); the 2nd and 5th records are the relevant ones
    order = [0, 1, 0, 0, 1] + [0] * 13
    m = ranking.screening_metrics(order, n=18, n_relevant=2)
    assert m.recall10 == pytest.approx(0.5)
    assert m.erf10 == pytest.approx(0.4)
    assert m.recall25 == pytest.approx(0.5)  # round(4.5) = 4 records: the 5th not yet
    assert m.recall50 == pytest.approx(1.0)  # 9 records
    assert m.wss100 == pytest.approx(13 / 18)


def test_metrics_of_a_perfect_and_a_worst_order():
    best = ranking.screening_metrics([1] * 20 + [0] * 180, n=200, n_relevant=20)
    assert best.screened_to_95 == 19
    assert best.wss95 == pytest.approx((200 - 19) / 200 - 0.05)
    assert best.recall10 == 1.0 and best.erf10 == pytest.approx(0.9)
    worst = ranking.screening_metrics([0] * 180 + [1] * 20, n=200, n_relevant=20)
    assert worst.wss95 == pytest.approx((200 - 199) / 200 - 0.05)
    assert worst.recall50 == 0.0


def test_priors_are_drawn_as_asreview_draws_them():
    labels = [0, 1, 0, 0, 1, 0, 1, 0, 0, 0]
    priors = ranking.asreview_priors(labels, 1, 1, seed=2)
    included = np.flatnonzero(np.array(labels) == 1)
    excluded = np.flatnonzero(np.array(labels) == 0)
    assert priors == [
        int(np.random.RandomState(2).choice(included, 1, replace=False)[0]),
        int(np.random.RandomState(2).choice(excluded, 1, replace=False)[0]),
    ]
    assert [labels[p] for p in priors] == [1, 0]


def test_simulation_beats_random_order_on_the_fixture():
    texts, labels = fixture()
    features = ranking.ReviewFeatures.build(texts)
    for every in (1, 10):
        result = ranking.simulate(features, labels, [0, len(RELEVANT)], retrain_every=every)
        assert result.labels.count(1) == result.n_relevant == len(RELEVANT) - 1
        metrics = ranking.simulation_metrics(result)
        assert metrics.screened_to_95 <= len(RELEVANT) + 1
        assert len(result.step_seconds) == math.ceil(len(result.screened) / every)


def test_simulation_on_a_real_review_finds_most_relevant_records_early():
    path = shared_data("labelled", "cohen2006_antihistamines.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [ranking.record_text(r["title"], r["abstract"]) for r in rows]
    labels = [int(float(r["label_included"] or 0)) for r in rows]
    features = ranking.ReviewFeatures.build(texts)
    priors = ranking.asreview_priors(labels, 1, 1, seed=1)
    metrics = ranking.simulation_metrics(ranking.simulate(features, labels, priors, seed=1))
    # random screening finds half of them in half the records; the model finds far more
    assert metrics.recall50 >= 0.7
    assert metrics.erf10 > 0.1


def write_csv(path, texts, labels):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for i, (text, label) in enumerate(zip(texts, labels, strict=True), start=1):
            writer.writerow([i, text, "", label])


def test_simulate_screening_command_prints_metrics_without_touching_the_database(tmp_path):
    # no django_db mark: any database query would fail this test
    texts, labels = fixture()
    path = tmp_path / "fixture.csv"
    write_csv(path, texts, labels)
    out = io.StringIO()
    call_command("simulate_screening", str(path), "--seeds", "1", "2", stdout=out)
    text = out.getvalue()
    assert "18 records, 6 included" in text
    assert text.count("seed ") == 2
    summary = text.strip().splitlines()[-1]
    for key in (
        "WSS@95=",
        "WSS@100=",
        "recall@10%=",
        "recall@25%=",
        "recall@50%=",
        "ERF@10=",
        "screened_to_95%=",
        "step_p50=",
        "step_p95=",
    ):
        assert key in summary


def test_simulate_screening_writes_an_order_that_reproduces_its_metrics(tmp_path):
    texts, labels = fixture()
    path = tmp_path / "fixture.csv"
    write_csv(path, texts, labels)
    order_path = tmp_path / "order.csv"
    out = io.StringIO()
    call_command(
        "simulate_screening",
        str(path),
        "--seeds",
        "1",
        "2",
        "--order-out",
        str(order_path),
        stdout=out,
    )
    with order_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * len(texts)  # every record once per seed
    printed = [line for line in out.getvalue().splitlines() if line.startswith("seed ")]
    for seed, line in zip(("1", "2"), printed, strict=True):
        mine = [r for r in rows if r["seed"] == seed]
        assert sorted(int(r["record_id"]) for r in mine) == list(range(1, len(texts) + 1))
        for r in mine:  # ids are the CSV's record_id (1-based here), labels its labels
            assert int(r["label"]) == labels[int(r["record_id"]) - 1]
        priors = [r for r in mine if r["stage"] == "prior"]
        assert len(priors) == 2 and {int(r["label"]) for r in priors} == {0, 1}
        screened = [int(r["label"]) for r in mine if r["stage"] != "prior"]
        assert [int(r["position"]) for r in mine if r["stage"] != "prior"] == list(
            range(1, len(screened) + 1)
        )
        assert all(r["label"] == "0" for r in mine if r["stage"] == "unscreened")
        again = ranking.screening_metrics(screened, len(screened), sum(screened))
        assert f"WSS@95={again.wss95:.3f} WSS@100={again.wss100:.3f} " in line
        assert f"recall@10%={again.recall10:.3f} " in line


def test_records_without_text_can_come_first_once_the_model_ranks():
    # a record with no title and no abstract gives the model nothing to judge: "first" queues
    # it ahead of every ranked record instead of wherever its intercept falls
    texts, _ = fixture()
    texts = [*texts, ""]
    features = ranking.ReviewFeatures.build(texts)
    first = replace(ranking.DEFAULT_CONFIG, textless="first")
    scores = ranking.rank(features, {0: 1, len(RELEVANT): 0}, first)
    assert ranking.queue_order(scores, [0, len(RELEVANT)])[0] == len(texts) - 1
    for classifier, middle in (("svm", 0.0), ("nb+svm", 0.5)):  # decision boundary / mid rank
        neutral = replace(ranking.DEFAULT_CONFIG, classifier=classifier, textless="neutral")
        assert ranking.rank(features, {0: 1, len(RELEVANT): 0}, neutral)[-1] == middle


def test_mixed_model_hands_over_to_the_svm_after_enough_includes():
    texts, _ = fixture()
    features = ranking.ReviewFeatures.build(texts)
    decided = {0: 1, 1: 1, 2: 1, len(RELEVANT): 0, len(RELEVANT) + 1: 0}
    mixed = replace(ranking.DEFAULT_CONFIG, classifier="nb+svm", nb_until=4)
    svm = replace(mixed, classifier="svm")
    both = ranking.rank(features, decided, mixed)
    assert both.min() >= 0.0 and both.max() <= 1.0  # a mean of normalised ranks
    assert not np.allclose(both, ranking.rank(features, decided, svm))
    decided[3] = 1  # the 4th include: the SVM alone from now on
    np.testing.assert_array_equal(
        ranking.rank(features, decided, mixed), ranking.rank(features, decided, svm)
    )


def test_reciprocal_rank_fusion_scores_each_model_by_its_ranks():
    from screening.ranking.model import _reciprocal_rank

    np.testing.assert_allclose(
        _reciprocal_rank(np.array([0.1, 0.9, 0.5])), [60 / 63, 60 / 61, 60 / 62]
    )
    texts, _ = fixture()
    features = ranking.ReviewFeatures.build(texts)
    decided = {0: 1, 1: 1, len(RELEVANT): 0, len(RELEVANT) + 1: 0}
    rrf = replace(ranking.DEFAULT_CONFIG, fusion="rrf")
    assert rrf.label().endswith(",fusion=rrf,nb_until=60,max_excl=1000")
    scores = ranking.rank(features, decided, rrf)
    # both halves of a weighted sum of 60 / (60 + rank): at most 1, above 60 / (60 + n)
    assert scores.max() <= 1.0 and scores.min() >= 60 / (60 + len(texts))
    queue = ranking.queue_order(scores, list(decided))
    assert set(queue[:2].tolist()) <= set(range(len(RELEVANT)))  # still the relevant ones first
    with pytest.raises(ValueError, match="unknown fusion"):
        ranking.rank(features, decided, replace(rrf, fusion="max"))


def test_textless_records_wait_until_the_model_runs_dry():
    # "dry": a record with no usable word waits at the end of the queue while the model finds
    # includes, and comes first once the latest textless_run decisions are all excludes
    texts, _ = fixture()
    texts = [*texts, ""]
    features = ranking.ReviewFeatures.build(texts)
    decided = {0: 1, len(RELEVANT): 0, len(RELEVANT) + 1: 0}
    assert ranking.DEFAULT_CONFIG.textless == "dry"
    dry = replace(ranking.DEFAULT_CONFIG, textless_run=3)
    assert "textless=dry,textless_run=3" in dry.label()
    waiting = ranking.rank(features, decided, dry, excludes_in_a_row=2)
    assert ranking.queue_order(waiting, list(decided))[-1] == len(texts) - 1
    dried = ranking.rank(features, decided, dry, excludes_in_a_row=3)
    assert ranking.queue_order(dried, list(decided))[0] == len(texts) - 1
    # the simulation counts the run as it screens: the textless include is found only after
    # three excludes in a row, and last of the relevant records
    labels = [1] * len(RELEVANT) + [0] * len(IRRELEVANT) + [1]
    result = ranking.simulate(features, labels, [0, len(RELEVANT)], dry)
    position = result.screened.index(len(texts) - 1)
    assert result.labels[position - 3 : position] == [0, 0, 0]
    assert sum(result.labels[:position]) == len(RELEVANT) - 1


def test_naive_bayes_half_can_read_its_own_features():
    texts, _ = fixture()
    u3 = replace(ranking.DEFAULT_CONFIG, nb_features="u3")
    assert "nb_features=u3" in u3.label()
    features = ranking.ReviewFeatures.build(texts, u3)
    plain = ranking.ReviewFeatures.build(texts)
    assert plain.nb_matrix is None
    # unigrams without English stop words: fewer columns than the SVM's 1-2-grams
    assert 0 < features.nb_matrix.shape[1] < features.matrix.shape[1]
    decided = {0: 1, 1: 1, len(RELEVANT): 0, len(RELEVANT) + 1: 0}
    scores = ranking.rank(features, decided, u3)
    assert not np.allclose(scores, ranking.rank(plain, decided, u3))
    restored = ranking.ReviewFeatures.from_bytes(features.to_bytes())
    np.testing.assert_array_equal(restored.nb_matrix.toarray(), features.nb_matrix.toarray())
    np.testing.assert_allclose(ranking.rank(restored, decided, u3), scores)
    queue = ranking.queue_order(scores, list(decided))
    assert set(queue[:2].tolist()) <= set(range(len(RELEVANT)))


def test_dry_policy_can_give_up_on_textless_records_and_leave_them_out_of_training():
    texts, _ = fixture()
    texts = [*texts, "", ""]
    words = replace(ranking.DEFAULT_CONFIG, min_df=1)  # only the two empty records are textless
    features = ranking.ReviewFeatures.build(texts, words)
    n = len(texts)
    decided = {0: 1, len(RELEVANT): 0, n - 2: 0}  # one textless record decided: an exclude
    give_up = replace(words, textless="dry", textless_run=1, textless_give_up=1)
    assert "textless=dry,textless_run=1,textless_give_up=1" in give_up.label()
    # a run of one exclude would queue the other textless record first, but one textless
    # record decided without an include is enough to give up on them
    assert (
        ranking.queue_order(
            ranking.rank(features, decided, give_up, excludes_in_a_row=1), list(decided)
        )[-1]
        == n - 1
    )
    keeps = replace(give_up, textless_give_up=None)
    assert (
        ranking.queue_order(
            ranking.rank(features, decided, keeps, excludes_in_a_row=1), list(decided)
        )[0]
        == n - 1
    )
    # not training on a zero row: the same scores as without the textless decision (the SVM's
    # raw scores: its intercept moves, which the mix's ranks would not show)
    keeps = replace(keeps, classifier="svm")
    untrained = replace(keeps, train_textless=False)
    assert "no_textless_training" in untrained.label()
    without = {0: 1, len(RELEVANT): 0}
    np.testing.assert_allclose(
        ranking.rank(features, decided, untrained)[: n - 2],
        ranking.rank(features, without, untrained)[: n - 2],
    )
    assert not np.allclose(
        ranking.rank(features, decided, keeps)[: n - 2],
        ranking.rank(features, without, keeps)[: n - 2],
    )

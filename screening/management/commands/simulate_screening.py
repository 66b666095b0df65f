"""Replay a labelled review with the ranking model as the reviewer (no database involved).

    python manage.py simulate_screening FILE.csv [--seeds 1 2 3] [--prior-included 1]
        [--prior-excluded 1] [--retrain-every 1] [--label-column label_included]
        [--order-out ORDER.csv]

FILE.csv has the columns of ../shared/data/labelled (title, abstract, label_included, ...).
Each seed draws its prior records as ``asreview simulate --prior-seed SEED`` does, then the model
ranks the rest and the simulated reviewer screens them best first, retraining after every
``--retrain-every`` decisions (1, as ASReview; the app retrains every 10), until the last relevant
record is found. Metrics (priors left out; see screening.ranking.screening_metrics): WSS@95,
WSS@100, recall at 10/25/50 % screened (rounded as ASReview rounds), ERF@10, records screened to
reach 95 % recall, and the p50/p95 time of one retrain-and-rank step.

--order-out writes the screening order of every seed as CSV, one record a line (``seed,
position, record_id, label, stage``): the priors (stage ``prior``, position 0), then the records
in the order the simulated reviewer screened them (``screened``, positions 1, 2, ...), then the
ones never reached because the last relevant record had been found (``unscreened``, all label 0,
import order), so any metric can be recomputed from the file alone. record_id is the CSV's
``record_id`` column, or the 1-based row number when it has none.
"""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from screening import ranking


def read_labelled_csv(path: Path, label_column: str) -> tuple[list[str], list[int], list[str]]:
    """Texts, 0/1 labels and record ids of a labelled CSV; rows without a label count as
    excluded; the id is the ``record_id`` column, or the 1-based row number without one."""
    try:
        return _read_labelled_csv(path, label_column)
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path.name}: not UTF-8 text (byte {error.start}); save the CSV as UTF-8"
        ) from error
    except csv.Error as error:
        raise CommandError(f"{path.name}: not a readable CSV ({error})") from error
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror})") from error


def _read_labelled_csv(path: Path, label_column: str) -> tuple[list[str], list[int], list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        missing = {"title", label_column} - set(fields)
        if missing:
            raise CommandError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        texts, labels, ids = [], [], []
        for number, row in enumerate(reader, start=1):
            texts.append(ranking.record_text(row.get("title"), row.get("abstract")))
            ids.append((row.get("record_id") or "").strip() or str(number))
            value = (row.get(label_column) or "").strip()
            try:
                labels.append(1 if value and float(value) >= 1 else 0)
            except ValueError as error:
                raise CommandError(f"{path.name}: bad label {value!r}") from error
    return texts, labels, ids


class Command(BaseCommand):
    help = "Simulate prioritised screening on a labelled CSV and print WSS@95 and friends."
    requires_system_checks = []  # reads a CSV only: no database, no checks
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
        parser.add_argument("--prior-included", type=int, default=1)
        parser.add_argument("--prior-excluded", type=int, default=1)
        parser.add_argument(
            "--retrain-every",
            type=int,
            default=1,
            help="decisions between retrains: 1 as ASReview (default), 10 as the app",
        )
        parser.add_argument("--label-column", default="label_included")
        parser.add_argument(
            "--order-out",
            type=Path,
            help="write each seed's screening order (record ids with labels) to this CSV",
        )

    def handle(self, *args, file, seeds, prior_included, prior_excluded, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        if options["retrain_every"] < 1:
            raise CommandError("--retrain-every must be at least 1")
        texts, labels, ids = read_labelled_csv(file, options["label_column"])
        if prior_included < 1 or prior_excluded < 1:
            raise CommandError("the model needs at least one included and one excluded prior")
        if sum(labels) <= prior_included:
            raise CommandError(f"{file.name}: needs more included records than priors")
        features = ranking.ReviewFeatures.build(texts)
        self.stdout.write(
            f"{file.name}: {len(texts)} records, {sum(labels)} included; "
            f"retrain every {options['retrain_every']}; model {ranking.DEFAULT_CONFIG.label()}"
        )
        rows, steps, orders = [], [], []
        for seed in seeds:
            priors = ranking.asreview_priors(labels, prior_included, prior_excluded, seed)
            result = ranking.simulate(
                features, labels, priors, retrain_every=options["retrain_every"], seed=seed
            )
            metrics = ranking.simulation_metrics(result)
            orders.append((seed, priors, result.screened))
            rows.append(metrics)
            steps.extend(result.step_seconds)
            self.stdout.write(f"seed {seed}: " + _format(metrics, result.step_seconds))
        mean = {
            key: statistics.fmean(getattr(m, key) for m in rows)
            for key in (
                "wss95",
                "wss100",
                "recall10",
                "recall25",
                "recall50",
                "erf10",
                "screened_to_95",
            )
        }
        p50, p95 = (float(np.percentile(steps, q)) * 1000 for q in (50, 95))
        self.stdout.write(
            f"mean over {len(rows)} seed(s): WSS@95={mean['wss95']:.3f} "
            f"WSS@100={mean['wss100']:.3f} "
            f"recall@10%={mean['recall10']:.3f} recall@25%={mean['recall25']:.3f} "
            f"recall@50%={mean['recall50']:.3f} ERF@10={mean['erf10']:.3f} "
            f"screened_to_95%={mean['screened_to_95']:.1f} of {rows[0].n} "
            f"step_p50={p50:.1f}ms step_p95={p95:.1f}ms"
        )
        if options["order_out"]:
            _write_orders(options["order_out"], orders, ids, labels)
            self.stdout.write(f"screening order written to {options['order_out']}")


def _write_orders(
    path: Path, orders: list[tuple[int, list[int], list[int]]], ids: list[str], labels: list[int]
) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["seed", "position", "record_id", "label", "stage"])
            for seed, priors, screened in orders:
                for row in priors:
                    writer.writerow([seed, 0, ids[row], labels[row], "prior"])
                for position, row in enumerate(screened, start=1):
                    writer.writerow([seed, position, ids[row], labels[row], "screened"])
                seen = set(priors) | set(screened)
                position = len(screened)
                for row in range(len(ids)):
                    if row not in seen:
                        position += 1
                        writer.writerow([seed, position, ids[row], labels[row], "unscreened"])
    except OSError as error:
        raise CommandError(f"{path}: cannot be written ({error.strerror})") from error


def _format(metrics: ranking.ScreeningMetrics, step_seconds: list[float]) -> str:
    p50, p95 = (float(np.percentile(step_seconds, q)) * 1000 for q in (50, 95))
    return (
        f"WSS@95={metrics.wss95:.3f} WSS@100={metrics.wss100:.3f} "
        f"recall@10%={metrics.recall10:.3f} "
        f"recall@25%={metrics.recall25:.3f} recall@50%={metrics.recall50:.3f} "
        f"ERF@10={metrics.erf10:.3f} screened_to_95%={metrics.screened_to_95} of {metrics.n} "
        f"step_p50={p50:.1f}ms step_p95={p95:.1f}ms"
    )

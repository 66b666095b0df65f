"""Prioritised screening: our model against ASReview LAB 3 on every labelled review we have.

The sets (``SETS``, 16): the four of ../shared/data/labelled and the twelve other Cohen 2006
topics of ../shared/data/scale/cohen2006_alltopics_combined.csv, split by its ``topic`` column.
That file holds 14 topics, not 15, and two of them (ADHD, Antihistamines) are record for record
the cohen2006_adhd / cohen2006_antihistamines files of labelled/ (same rows, labels and order),
so issue #14's "19 data sets" are 16 distinct reviews; each is counted once.

For each set, seeds (default 1 2 3), priors one included + one excluded drawn exactly as
``asreview simulate --prior-seed S`` draws them (so both start from the same two records):
  - our simulation (screening.ranking, DEFAULT_CONFIG), retraining after every record as ASReview
    does (the figures compared), and again retraining every 10 decisions as the app does;
  - ASReview's elas_u4 and elas_u3: ``asreview simulate FILE --ai elas_u4|elas_u3
    --n-prior-included 1 --n-prior-excluded 1 --prior-seed S --seed S`` from bench/.asreview-venv
    (ASReview LAB 3.0.8, installed from PyPI when missing; a Cohen topic is written out as a CSV
    under bench/out/prioritise/sets/ first), its project file read back and scored with our
    metric definitions; or, with ``--stand-ins``, the two models rebuilt on our code path
    (svm_u4, nb_u3: the same WSS@95 as ASReview's runs to the third decimal on all 24 runs
    compared, point 1 below), stopped at 95 % recall (their WSS@100 is then nan).
Printed per set and overall (mean over sets): WSS@95, WSS@100, recall at 10 % and 25 % screened
(screening.ranking.screening_metrics: priors left out of N, recall rounded as ASReview rounds),
ours every 10, and the WSS@95 difference to the better ASReview model of the set; the worst set.
Target (issue #14): mean WSS@95 >= the mean of the better ASReview model per set + 0.02, and no
set more than 0.02 below it. Then the time of one retrain-and-rank step (fit on the decided
records + score and order all) at 2,500 and 20,000 records, the review's TF-IDF cached (and the
one-off cost of building it): <= 100 ms p95 at 2,500 records and <= 1 s at 20,000.

    python bench/prioritise.py [--quick] [--seeds 1 2 3] [--sets NAME ...] [--skip-asreview]
        [--stand-ins] [--fresh-asreview] [--candidates [NAME ...]] [--stopping] [--no-timing]
        [--only-candidates] [--workers N]

--quick: the smallest data set, one seed, no ASReview, the 2,500-record timing only.
--candidates NAME ...: those entries of CANDIDATES (default: the chosen model) against the two
  stand-ins on the sets, each run stopped at 95 % recall: per set the difference to the better
  stand-in, the mean and the worst set (--only-candidates: without the full report before it).
--stopping: the app's stopping suggestion replayed on the sets (retrain every 10, as the app):
  recall and work saved when it first fires (see ``stopping_trajectory``).
Every simulation is cached in bench/out/prioritise/runs/ (per config, set, seed, retrain
interval and stop); ASReview project files in bench/.asreview-venv/results/<version>/
(--fresh-asreview runs them again). Run experiments on one core: ``nice -n 19 taskset -c 1 ...
--workers 1``.

Issue #14, second pass: the 16 sets (seed 1, retrain every record)
------------------------------------------------------------------
WSS@95 of DEFAULT_CONFIG now ("new": textless records wait until 100 excludes in a row, every
term counts), of the issue #6 default it replaced ("issue6", candidate chosen_issue6: textless
first, terms in 2+ records), of the stand-ins for ASReview's elas_u4 / elas_u3, the difference
of new and of issue6 to the better stand-in; then new's WSS@100 and recall at 10 / 25 %:

    set                           new issue6     u4     u3   diff  (old) WSS@100 rec@10% rec@25%
    cohen2006_antihistamines    0.025 -0.011 -0.014 -0.021 +0.039 +0.003   0.075   0.467   0.667
    cohen2006_adhd              0.522  0.522  0.266  0.473 +0.049 +0.049   0.572   0.789   0.895
    kitchenham2010              0.712  0.736  0.674  0.563 +0.038 +0.062   0.392   0.773   0.955
    bannach_brown2019           0.409  0.448  0.409  0.428 -0.019 +0.020   0.022   0.570   0.900
    ACEInhibitors               0.806  0.801  0.751  0.756 +0.050 +0.045   0.261   0.800   0.975
    AtypicalAntipsychotics      0.260  0.246  0.260  0.199 +0.000 -0.014   0.030   0.393   0.648
    BetaBlockers                0.733  0.718  0.541  0.481 +0.192 +0.177   0.179   0.756   0.951
    CalciumChannelBlockers      0.258  0.416  0.257  0.157 +0.001 +0.160   0.012   0.434   0.707
    Estrogens                   0.286  0.319  0.286  0.281 +0.000 +0.033   0.022   0.266   0.671
    NSAIDS                      0.715  0.692  0.738  0.712 -0.023 -0.046   0.494   0.650   0.975
    Opiods                      0.190  0.153  0.210  0.166 -0.020 -0.058   0.240   0.786   0.857
    OralHypoglycemics           0.174  0.144  0.174  0.162 +0.000 -0.030   0.022   0.289   0.570
    ProtonPumpInhibitors        0.391  0.398  0.465  0.346 -0.074 -0.068   0.281   0.720   0.780
    SkeletalMuscleRelaxants     0.397  0.256  0.183  0.069 +0.214 +0.073   0.447   0.125   0.375
    Triptans                    0.670  0.632  0.681  0.597 -0.010 -0.049   0.417   0.391   0.913
    UrinaryIncontinence         0.439  0.427  0.445  0.492 -0.052 -0.065   0.394   0.256   0.795
    mean of 16 sets             0.437  0.431   better per set 0.413  +0.024 +0.018

Target NOT met: the mean is ahead by 0.024 (>= 0.02), but three sets are more than 0.02 behind
(proton pump inhibitors -0.074, urinary incontinence -0.052, NSAIDs -0.023; opioids -0.020 on the
line), against six for issue6. Retraining every 10 as the app: mean 0.423 (issue6 0.425).

What this session tried (seed 1, retrain every record, --candidates; "diff": the mean over the
sets of WSS@95 minus the better stand-in's; "lost": sets more than 0.02 behind it). The textless
policy "dry" (ModelConfig.textless): those records wait at the end of the queue until the latest
k decisions are all excludes (the model's own supply has run dry), then come first; the worker
passes the run it already counts for the stopping suggestion (consecutive_excludes).

    candidate (sets)               mean    diff   worst              lost
    chosen_issue6 (16)            0.431  +0.018  -0.068 PPI            6
    mix_dry20 (16)                0.430  +0.017  -0.074 UI             5
    mix_dry50 (16)                0.430  +0.017  -0.068 PPI            5
    mix_dry100 (16)               0.423  +0.010  -0.068 PPI            6
    mix_dry20_mindf1 (16)         0.425  +0.012  -0.111 UI             4
    mix_dry50_mindf1 (16)         0.427  +0.014  -0.074 PPI            3
    mix_dry100_mindf1 (16)        0.437  +0.024  -0.074 PPI            3   <- DEFAULT_CONFIG
    dry100_until40 (16)           0.434  +0.021  -0.079 PPI            3
    dry100_until30 (16)           0.429  +0.016  -0.079 PPI            1
    dry100_w.35 (16)              0.428  +0.015  -0.079 PPI            3
    svm_u4_dry50 (16)             0.430  +0.017  -0.079 PPI            2
    mix_dry50_u3_mindf1 (16)      0.423  +0.010  -0.102 triptans       4
    dry100_nt (14 with textless)    -       -     -0.104 opioids       -
    dry100_until30_nt (14)          -       -     -0.104 opioids       -
    dry{20,50,100}_giveup{5,10,20} (14): opioids -0.249, skeletal muscle relaxants -0.229 (m 10)
    mix_dry50_u3 / mix_dry50_allexcl (4 sets: PPI -0.045 / -0.068, opioids -0.113 / -0.037),
    dry100_rrf / dry100_allexcl (5 sets: PPI -0.081 / -0.074, UI +0.000 / -0.052): not taken on

(mindf1: every term counts; with min_df 2 a record whose words no other record has was
"textless" too, which is what cost oestrogens under "dry". until30/40: the SVM alone from 30 / 40
includes; w.35: NB weight 0.35; u3: the NB half on ASReview u3's own features (unigrams, raw tf,
English stop words: ModelConfig.nb_features, a second matrix in ReviewFeatures), which did not
win urinary incontinence inside the mix (-0.068); _nt: textless records left out of training;
giveup m: textless records last for good once m are decided without an include: a review's few
textless includes are not in its first m textless records.) PPI (-0.074..-0.081 for every mix
variant) is lost twice: its 44 textless records (none relevant) are screened when a run of 100
excludes comes before 95 % recall (runs of 109 and 175 do under u4 itself), 0.033, and the
order after them differs (u4 with the same textless rule, svm_u4_dry50, -0.079).

One seed decides little here: a set's WSS@95 is the position of its one or two hardest includes,
and any change upstream moves it (opioids: one include comes after a run of ~1,100 excludes;
the u4 SVM scores 0.210, the same SVM with the dry textless rule 0.322). So the finalists ran
seeds 2 and 3 too (below).

The finalists over seeds 1-3 (stand-ins; per set the mean WSS@95 over the seeds, then the
better stand-in per set; their mean 0.404):

    candidate            seeds   mean    diff   worst            lost (> 0.02 behind)
    chosen_issue6        1-3    0.430  +0.025  -0.097 opioids   5: NSAIDs, opioids, oral hypo-
                                                                   glycaemics, PPI, UI -0.095
    mix_dry100_mindf1    1-3    0.427  +0.022  -0.066 opioids   4: oestrogens -0.022, opioids,
                                                                   PPI -0.064, UI -0.042
    dry100_until30       1-2    0.420  +0.012  -0.095 opioids   3 (issue6 +0.017 on seeds 1-2)
    per seed, mix_dry100_mindf1 vs chosen_issue6: mean +0.024 / +0.018 (seed 1), +0.008 / +0.012
    (seed 2), +0.030 / +0.041 (seed 3); worst -0.074 / -0.068, -0.170 / -0.182, -0.074 / -0.132.

So DEFAULT_CONFIG is now mix_dry100_mindf1: over three seeds level on the mean with the issue #6
model (-0.003, inside the seed-to-seed spread) and better in the worst case (-0.066 vs -0.097),
losing by more than 0.02 on 4 sets instead of 5 (urinary incontinence -0.042 vs -0.095, NSAIDs
-0.019 vs -0.042, oral hypoglycaemics 0.000 vs -0.032; calcium channel blockers drops from +0.167
to +0.008, still ahead). The target is NOT met: the mean margin is ~+0.02 but proton pump
inhibitors (-0.064), opioids (-0.066 over seeds; -0.170 on seed 2, where every model loses one
include to a run of ~1,000) and urinary incontinence (-0.042: u3's set; no variant of the NB half
measured here won it back) stay more than 0.02 behind. What is left to try: a textless rule
that does not screen all of them once triggered on a set like PPI without giving up early on
sets like opioids (interleaving one textless record per j model picks once dry); and more seeds
before trusting any per-set difference below ~0.05.

Retrain + rank (the BENCH prioritise_step lines, nice 19, one core shared with other sessions):
p95 52 ms at 2,500 records (169,327 features; issue6 had 52,247) and 54 ms at 20,000 (860,489
features, TF-IDF cache 66 MB, built in 8.6 s, loaded in 73 ms): within 100 ms / 1 s. Measured
once more on the other core while it was busy: p95 74 ms at 2,500 (max 130), so the margin at
2,500 records is thinner than before (issue6 43 ms in that same run). The whole worker task
(bench/retrain.py, PostgreSQL, 5 % screened): warm p50 / p95 0.133 / 0.319 s at 2,500 and
0.839 / 0.947 s at 20,000; the issue6 model in the same session 0.133 / 0.186 s and 0.819 /
1.179 s (writing the ranks dominates; the p95s are noise of a shared core).

The stopping suggestion with the new model (--stopping, seed 1, retrain every 10, the worker's
run of excludes passed as the app passes it): fires on 6 of the 16 sets, never below 95 % recall
(lowest bannach 0.996), work saved when it fires 0.013-0.330 (mean 0.122: kitchenham 0.330,
skeletal muscle relaxants 0.177, opioids 0.122, beta blockers 0.063, bannach 0.026, calcium
channel blockers 0.013); on the other 10 it had not fired when every relevant record was found
and 20 % of the records more were excludes in a row. The rule before #14 (50 / 5 %) would still
fire below 95 % on one set. Unchanged rule: max(100, 5 %) excludes in a row, estimate < 1.

Issue #14, first pass (the previous session; "chosen" there is chosen_issue6 here)
--------------------------------------------------------------------------------
WSS@95 of DEFAULT_CONFIG ("chosen"), of the stand-ins for ASReview's elas_u4 / elas_u3 and the
difference to the better of the two per set; then chosen's WSS@100 and recall at 10 / 25 %:

    set                         chosen      u4      u3    diff  WSS@100  rec@10%  rec@25%
    cohen2006_antihistamines    -0.011  -0.014  -0.021  +0.003    0.039    0.333    0.667
    cohen2006_adhd               0.522   0.266   0.473  +0.049    0.572    0.684    0.895
    kitchenham2010               0.736   0.674   0.563  +0.062    0.383    0.727    0.977
    bannach_brown2019            0.448   0.409   0.428  +0.020    0.041    0.563    0.900
    ACEInhibitors                0.801   0.751   0.756  +0.045    0.295    0.825    0.950
    AtypicalAntipsychotics       0.246   0.260   0.199  -0.014    0.017    0.297    0.634
    BetaBlockers                 0.718   0.541   0.481  +0.177    0.155    0.659    0.951
    CalciumChannelBlockers       0.416   0.257   0.157  +0.160    0.150    0.283    0.758
    Estrogens                    0.319   0.286   0.281  +0.033    0.230    0.203    0.595
    NSAIDS                       0.692   0.738   0.712  -0.046    0.734    0.475    0.925
    Opiods                       0.153   0.210   0.166  -0.058    0.203    0.857    0.857
    OralHypoglycemics            0.144   0.174   0.162  -0.030    0.032    0.215    0.504
    ProtonPumpInhibitors         0.398   0.465   0.346  -0.068    0.364    0.640    0.780
    SkeletalMuscleRelaxants      0.256   0.183   0.069  +0.073    0.306    0.250    0.500
    Triptans                     0.632   0.681   0.597  -0.049    0.401    0.087    0.870
    UrinaryIncontinence          0.427   0.445   0.492  -0.065    0.391    0.077    0.718
    mean of 16 sets              0.431                  +0.018
    (the better ASReview model per set averages 0.413; the worst set is ProtonPumpInhibitors)

So the target (mean >= better ASReview + 0.02, no set below it by more than 0.02) is NOT met:
the mean is ahead by 0.018, and six sets lose by more than 0.02 (proton pump inhibitors -0.068,
urinary incontinence -0.065, opioids -0.058, triptans -0.049, NSAIDs -0.046, oral hypoglycaemics
-0.030). The gains are large on beta blockers, calcium channel blockers, skeletal muscle
relaxants, kitchenham, adhd and ACE inhibitors.

Diagnosis: most of the losses are the textless-first rule. Every "textless" record here has an
empty title and abstract (10-60 a set; includes among them: adhd 1 of 24, calcium channel
blockers 4 of 43, estrogens 3 of 14, skeletal muscle relaxants 2 of 42, ..., none on proton pump
inhibitors 44, triptans 25, urinary incontinence 18). Queued first they cost T / N of WSS@95
whenever none of them is needed for 95 % recall: 0.033 on PPI, 0.037 on triptans, 0.055 on UI,
about the size of the losses; left mid-queue they cost ~0.5 where one is needed. The candidates:

    candidate (sets run)        mean diff (chosen, same sets)  worst (chosen's)
    chosen (16)                   +0.018                         -0.068 PPI
    svm_u4_first (16)             +0.017 (+0.018)                -0.079 PPI (-0.068)
    mix_until60_neutral (15)      -0.000 (+0.018)                -0.063 estrogens (-0.068)
    chosen_mindf1 (7)             -0.007 (-0.002)                -0.108 UI (-0.065)
    svm_first (7)                 -0.017 (-0.002)                -0.102 UI (-0.065)
    rrf_until60 (2)               adhd 0.488, NSAIDS 0.689: below chosen on both, stopped
    mix_first (4)                 bannach 0.318 (-0.110): rejected

(svm_u4_first: ASReview's SVM with textless records first; mix_until60_neutral: chosen with
textless records at the middle rank; chosen_mindf1: terms in 1+ records; svm_first: the
previous default SVM with textless first; rrf_until60: reciprocal rank fusion instead of the
mean of normalised ranks, kept as ModelConfig(fusion="rrf"); mix_first: always mix.) The
nearest, svm_u4_first, is level on the mean (-0.001: opioids 0.319 vs 0.153, but skeletal
muscle relaxants 0.191 vs 0.256) and worse in the worst case; textless at mid-rank
fixes PPI / triptans / UI (0.438 / 0.681 / 0.470) and loses adhd (0.431), estrogens (0.223) and
calcium channel blockers (0.362). None had a higher mean AND a worst case no worse, so
DEFAULT_CONFIG is unchanged. What the figures point to (not built:
no time left to measure it): a textless policy that queues those records when the model's own
supply of likely includes runs dry (a run of excludes), instead of first or mid-queue; then the
NB half of the mix on ASReview u3's own features (unigrams, raw tf, English stop words), which
wins urinary incontinence. One seed only: the spread over seeds was not measured on the twelve
new topics. ASReview LAB 3.0.8 itself ran on seed 1 for all 32 set x model pairs: each gave the
stand-in's WSS@95 to the fourth decimal, so the table's u4 / u3 columns are ASReview's own.

Retrain + rank at 2,500 records measured p50 132 ms / p95 167 ms in this session, nice 19 on a
core shared with seven other engineers' test runs (load average 9-15): wall-clock under that
load, not the budget's measure; DEFAULT_CONFIG did not change, so neither did the work per step.

The stopping suggestion (--stopping, seed 1, retrain every 10 as the app): the rule before this
issue (50 excludes in a row or 5 % of the records, estimate < 1) fired on cohen2006_antihistamines
after 270 of 308 records at recall 0.933 (14 of 15): the model ranks that review no better than
chance, and 50 excludes in a row at 5 % prevalence is a ~8 % event per window. The rule now asks
for max(100, 5 %): on the 16 sets it fires on 7, never below 95 % recall (lowest bannach 0.993,
277/279 at 1,870 of 1,991 screened), work saved when it fires 0.013-0.318 (mean 0.123:
kitchenham 0.318, skeletal muscle relaxants 0.190, opioids 0.132, ACE inhibitors 0.083, beta
blockers 0.063, bannach 0.061, calcium channel blockers 0.013); on the other 9 it had not fired
when every relevant record had been found and 20 % of the records more were excludes in a row
(the estimate stays above one: it is cautious, the run of excludes is what is needed first).

How DEFAULT_CONFIG was chosen (issue #6), and how far to trust it
-----------------------------------------------------------------
What decides the figures. With one include among the priors, WSS@95 needs ceil(0.95 R) of the R
remaining includes: all 19 on cohen2006_adhd and all 15 on cohen2006_antihistamines, 42 of 44 on
kitchenham2010, 266 of 279 on bannach_brown2019. On the three small sets the figure is therefore
the position of one or two hard records, the same ones whatever the priors: on adhd the last
include found is always row 213, which has no title and no abstract; on kitchenham the 42nd
include ASReview's u4 finds is always at position 470. So the spread over seeds is tiny (below)
and says little: the seeds are not independent draws of a review (where u3 and u4 put row 213
is most of their 0.2 gap on adhd).

1. ASReview's elas_u4 and elas_u3 rebuilt on our code path (candidates svm_u4, nb_u3: same
   features, classifier, balancing and max query) give ASReview's own WSS@95 to the third
   decimal on all 24 model x set x seed runs, so they stand in for it on other seeds and sets.
2. Tuned on kitchenham2010 + cohen2006_adhd (the two sets the previous model, svm_previous,
   missed): queueing records with no usable word first (the model cannot judge them; left at
   score 0 they sank to the end) took adhd from 0.368 to 0.527; mixing in a naive Bayes model
   on the same features (mean of the two normalised ranks) took kitchenham from 0.668 to 0.730
   and adhd to 0.579. Also tried, SVM alone: C 0.05 (tune sets 0.564 / 0.693, but antihistamines
   -0.018 and bannach 0.413 fail), C 0.2, balance ratio 5, English stop words: worse.
3. Checked on bannach_brown2019 + cohen2006_antihistamines: the mix failed bannach (0.318 vs
   0.428 needed); NB weights 0.25 / 0.35 did not fix it (0.415 / 0.399). Handing over to the SVM
   alone once 60 includes are decided did (0.452): NB learns from few examples, the SVM from many
   (the usual generative/discriminative trade-off). 60 was picked from {30, 60} with kitchenham's
   figure (30 hands over before its hard includes: 0.669). So bannach stopped being an
   independent check at this step: the held-out topics below are the only clean one.
4. Held out, nothing tuned on them: the other 12 Cohen 2006 topics (--heldout, seed 1, mean
   WSS@95): chosen 0.434, always mixing (no hand-over) 0.439, chosen with textless records at
   score 0.5 (mid rank) 0.397, svm_previous 0.396, ASReview u4 0.416, u3 0.368. The chosen model
   is at or above the better ASReview model on only 5 of the 12 topics (ACE inhibitors, beta
   blockers, calcium channel blockers, oestrogens, skeletal muscle relaxants; it loses 0.067 on
   proton pump inhibitors, 0.065 on urinary incontinence, 0.057 on opioids). So: better on
   average than either ASReview model and than our previous one, and the textless-first rule
   held up; but "at least as good on every data set" holds on the four benchmark sets, not for
   reviews in general, and the hand-over at 60 includes has no support beyond bannach (on the 4
   held-out topics with more than 60 includes it is better on 2, worse on 2).
5. Variance on the benchmark sets, seeds 4-8 (ASReview via its stand-ins): chosen vs the better
   ASReview model per seed, adhd 0.521-0.524 vs <= 0.475, kitchenham 0.740-0.748 vs <= 0.674,
   antihistamines -0.011 (all seeds) vs <= -0.014, bannach 0.444-0.468 vs <= 0.440 (per seed the
   margin is always positive; bannach's is the thinnest, 0.013-0.028). Seeds 1-3: see the BENCH
   lines (adhd 0.522 / 0.519 / 0.697: seed 3 draws a hard include, row 423, as its prior).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _asreview_lab import ASREVIEW_VENV, asreview_bin, ensure_asreview
from _common import REPO, SHARED, bench_line

sys.path.insert(0, str(REPO))
from screening import ranking

LABELLED = SHARED / "labelled"
SCALE = SHARED / "scale" / "cohen2006_alltopics_combined.csv"
LABELLED_SETS = [
    "cohen2006_antihistamines",
    "cohen2006_adhd",
    "kitchenham2010",
    "bannach_brown2019",
]
TUNE_SETS = ["kitchenham2010", "cohen2006_adhd"]
CHECK_SETS = ["bannach_brown2019", "cohen2006_antihistamines"]
# The other 12 Cohen 2006 topics of scale/ (its other two, ADHD and Antihistamines, are the same
# records, labels and order as the two cohen2006_* files of labelled/, so they count once).
HELDOUT_TOPICS = [
    "ACEInhibitors",
    "AtypicalAntipsychotics",
    "BetaBlockers",
    "CalciumChannelBlockers",
    "Estrogens",
    "NSAIDS",
    "Opiods",
    "OralHypoglycemics",
    "ProtonPumpInhibitors",
    "SkeletalMuscleRelaxants",
    "Triptans",
    "UrinaryIncontinence",
]
COHEN_SETS = [f"cohen2006:{topic}" for topic in HELDOUT_TOPICS]
SETS = LABELLED_SETS + COHEN_SETS  # every distinct labelled review we have: 16
ASREVIEW_MODELS = ["elas_u4", "elas_u3"]
OUT = REPO / "bench" / "out" / "prioritise"


def _label(value: str) -> int:
    return 1 if (value or "0").strip() not in {"", "0", "0.0"} else 0


def _rows(name: str) -> list[dict]:
    if not name.startswith("cohen2006:"):
        with (LABELLED / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    topic = name.split(":", 1)[1]
    with SCALE.open(newline="", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["topic"] == topic]


def load_labelled(path: Path) -> tuple[list[str], list[int]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [ranking.record_text(r["title"], r["abstract"]) for r in rows], [
        _label(r["label_included"]) for r in rows
    ]


def load_set(name: str) -> tuple[list[str], list[int]]:
    """A labelled set by name: a file of labelled/, or ``cohen2006:<Topic>`` from scale/."""
    rows = _rows(name)
    texts = [ranking.record_text(r["title"], r["abstract"]) for r in rows]
    return texts, [_label(r["label_included"]) for r in rows]


def set_csv(name: str) -> Path:
    """A CSV ASReview can read for the set (a Cohen topic is written out once, same row order)."""
    if not name.startswith("cohen2006:"):
        return LABELLED / f"{name}.csv"
    path = OUT / "sets" / f"cohen2006_{name.split(':', 1)[1]}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fields = ["record_id", "title", "abstract", "label_included"]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fields, extrasaction="ignore")
            writer.writeheader()
            for i, row in enumerate(_rows(name), start=1):
                writer.writerow(
                    {**row, "record_id": i, "label_included": _label(row["label_included"])}
                )
    return path


def short(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("cohen2006:") else name


# ----------------------------------------------------------------------------- our simulation


def _cache_path(name: str, seed: int, every: int, config: ranking.ModelConfig, stop: float) -> Path:
    key = hashlib.sha256(config.label().encode()).hexdigest()[:12]
    return OUT / "runs" / key / f"{short(name)}__{seed}__{every}__{stop:g}.json"


def simulate_one(job: tuple) -> dict:
    """One simulation, cached on disk per config x set x seed x retrain interval x stop."""
    name, seed, every, config, stop_recall = job
    cache = _cache_path(name, seed, every, config, stop_recall)
    full = _cache_path(name, seed, every, config, 1.0)
    if not cache.exists() and full.exists():
        cache = full  # the same replay up to the earlier stop: its metrics at 95 % are exact
    if cache.exists():
        saved = json.loads(cache.read_text())
    else:
        texts, labels = load_set(name)
        features = ranking.ReviewFeatures.build(texts, config)
        priors = ranking.asreview_priors(labels, 1, 1, seed)
        start = time.perf_counter()
        result = ranking.simulate(
            features,
            labels,
            priors,
            config,
            retrain_every=every,
            seed=seed,
            stop_recall=stop_recall,
        )
        saved = {
            "config": config.label(),
            "labels": result.labels,
            "n": result.n_records - result.n_priors,
            "n_relevant": result.n_relevant,
            "steps": result.step_seconds,
            "seconds": time.perf_counter() - start,
        }
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(saved))
    return {
        "set": name,
        "seed": seed,
        "every": every,
        "config": config.label(),
        "metrics": ranking.screening_metrics(saved["labels"], saved["n"], saved["n_relevant"]),
        "steps": saved["steps"],
        "seconds": saved["seconds"],
    }


def run_jobs(jobs: list[tuple], workers: int) -> list[dict]:
    if workers <= 1:
        return [simulate_one(job) for job in jobs]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(simulate_one, jobs))


# ----------------------------------------------------------------------------------- ASReview


def asreview_project(name: str, model: str, seed: int, version: str, fresh: bool) -> Path:
    folder = ASREVIEW_VENV / "results" / version
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{short(name)}__{model}__{seed}.asreview"
    if target.exists() and not fresh:
        return target
    target.unlink(missing_ok=True)
    env = {**os.environ, "TQDM_DISABLE": "1"}
    with tempfile.TemporaryDirectory() as scratch:
        partial = Path(scratch) / target.name
        subprocess.run(
            [
                str(asreview_bin()),
                "simulate",
                str(set_csv(name)),
                "--ai",
                model,
                "--n-prior-included",
                "1",
                "--n-prior-excluded",
                "1",
                "--prior-seed",
                str(seed),
                "--seed",
                str(seed),
                "-o",
                str(partial),
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        partial.replace(target)
    return target


def asreview_metrics(project: Path) -> tuple[ranking.ScreeningMetrics, list[float]]:
    """Score an .asreview project (a zip holding results.db) with our metric definitions."""
    with zipfile.ZipFile(project) as archive, tempfile.TemporaryDirectory() as scratch:
        archive.extract("results.db", scratch)
        connection = sqlite3.connect(Path(scratch) / "results.db")
        try:
            n_total, n_included = connection.execute(
                "SELECT COUNT(*), SUM(included) FROM record"
            ).fetchone()
            rows = connection.execute(
                "SELECT label, training_set, time FROM results ORDER BY rowid"
            ).fetchall()
        finally:
            connection.close()
    priors = [label for label, training_set, _ in rows if training_set is None]
    screened = [(label, t) for label, training_set, t in rows if training_set is not None]
    metrics = ranking.screening_metrics(
        [label for label, _ in screened], n_total - len(priors), n_included - sum(priors)
    )
    times = [t for _, t in screened]
    return metrics, [b - a for a, b in itertools.pairwise(times)]


# ------------------------------------------------------------------------------------ timings


def timing_review(n_records: int) -> tuple[list[str], list[int]]:
    """A real review of ~2,500 records (ACE inhibitors topic), or the whole Cohen collection
    topped up to n_records with the other labelled sets (then repeats)."""
    with SCALE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if n_records <= 2544:
        rows = [r for r in rows if r["topic"] == "ACEInhibitors"][:n_records]
    texts = [ranking.record_text(r["title"], r["abstract"]) for r in rows]
    labels = [int(r["label_included"] or 0) for r in rows]
    for extra in ("bannach_brown2019", "kitchenham2010"):
        if len(texts) >= n_records:
            break
        more_texts, more_labels = load_labelled(LABELLED / f"{extra}.csv")
        texts += more_texts
        labels += more_labels
    base = len(texts)
    while len(texts) < n_records:
        i = len(texts) % base
        texts.append(texts[i])
        labels.append(labels[i])
    return texts[:n_records], labels[:n_records]


def time_steps(
    n_records: int, points: int = 40, config: ranking.ModelConfig = ranking.DEFAULT_CONFIG
) -> dict:
    """p50/p95 of rank() + queue_order() with the TF-IDF cached, over `points` retrains spread
    from 2 % to 98 % of the records decided (real labels, decided in a random order)."""
    texts, labels = timing_review(n_records)
    start = time.perf_counter()
    features = ranking.ReviewFeatures.build(texts, config)
    build = time.perf_counter() - start
    blob = features.to_bytes()
    start = time.perf_counter()
    ranking.ReviewFeatures.from_bytes(blob)
    load = time.perf_counter() - start
    rng = np.random.default_rng(1)
    order = rng.permutation(n_records)
    y = np.asarray(labels)
    steps = []
    for fraction in np.linspace(0.02, 0.98, points):
        decided = order[: int(fraction * n_records)]
        decisions = {int(r): int(y[r]) for r in decided}
        start = time.perf_counter()
        scores = ranking.rank(features, decisions, config)
        ranking.queue_order(scores, decided)
        steps.append(time.perf_counter() - start)
    return {
        "records": n_records,
        "features": features.matrix.shape[1],
        "build_s": build,
        "load_s": load,
        "cache_mb": len(blob) / 1e6,
        "p50_ms": float(np.percentile(steps, 50)) * 1000,
        "p95_ms": float(np.percentile(steps, 95)) * 1000,
        "max_ms": max(steps) * 1000,
    }


# --------------------------------------------------------------------------------- candidates

C = ranking.ModelConfig
U3_FEATURES = {"ngram_max": 1, "sublinear_tf": False, "max_df": 1.0, "stop_words": "english"}
# The DEFAULT_CONFIG before the NB mix: the elas_u4 SVM, min_df 2, textless records scored 0.
PREVIOUS = C(C=0.11, balance_ratio=9.8, min_df=2, textless="neutral", max_train_excluded=1000)
# The chosen mix (DEFAULT_CONFIG when this was written), for its variants below.
MIX = replace(PREVIOUS, classifier="nb+svm", alpha=3.822, textless="first", nb_until=60)
CANDIDATES = [
    # ASReview's two models rebuilt on our code path (same priors, same WSS as ASReview's runs)
    ("svm_u4", C(classifier="svm", C=0.11, balance_ratio=9.8)),
    ("nb_u3", C(classifier="nb", alpha=3.822, balance_ratio=1.2, **U3_FEATURES)),
    ("nb_bigram", C(classifier="nb", alpha=3.822, balance_ratio=1.2)),
    ("svm_C1", C(classifier="svm", C=1.0, balance_ratio=9.8)),
    ("svm_C0.05_txl", C(classifier="svm", C=0.05, balance_ratio=9.8, textless="neutral")),
    ("svm_C0.03", C(classifier="svm", C=0.03, balance_ratio=9.8)),
    ("svm_bal1", C(classifier="svm", C=0.11, balance_ratio=1.0)),
    ("svm_textless", C(classifier="svm", C=0.11, balance_ratio=9.8, textless="neutral")),
    ("svm_mindf2", C(classifier="svm", C=0.11, balance_ratio=9.8, min_df=2)),
    ("cnb", C(classifier="cnb", alpha=1.0, balance_ratio=None)),
    ("nb+svm", C(classifier="nb+svm", C=0.11, alpha=3.822, balance_ratio=9.8)),
    ("nb_bigram_txl", C(classifier="nb", alpha=3.822, balance_ratio=1.2, textless="neutral")),
    ("nb_u3_a1", C(classifier="nb", alpha=1.0, balance_ratio=1.2, **U3_FEATURES)),
    ("nb_u3_bal2", C(classifier="nb", alpha=3.822, balance_ratio=2.0, **U3_FEATURES)),
    ("svm_previous", PREVIOUS),
    ("svm_stop", replace(PREVIOUS, stop_words="english")),
    ("svm_first", replace(PREVIOUS, textless="first")),
    ("svm_first_C0.05", replace(PREVIOUS, textless="first", C=0.05)),
    ("svm_first_C0.2", replace(PREVIOUS, textless="first", C=0.2)),
    ("svm_first_bal5", replace(PREVIOUS, textless="first", balance_ratio=5.0)),
    ("mix_first", replace(MIX, nb_until=None)),
    ("mix_first_w.25", replace(MIX, nb_until=None, nb_weight=0.25)),
    ("mix_first_w.35", replace(MIX, nb_until=None, nb_weight=0.35)),
    ("mix_until30", replace(MIX, nb_until=30)),
    ("mix_until60_neutral", replace(MIX, textless="neutral")),
    ("chosen", ranking.DEFAULT_CONFIG),
    ("chosen_issue6", MIX),  # DEFAULT_CONFIG before issue #14 (textless first, min_df 2)
    # issue #14, measured on all 16 sets
    ("rrf_until60", replace(MIX, fusion="rrf")),
    ("rrf_always", replace(MIX, fusion="rrf", nb_until=None)),
    ("chosen_mindf1", replace(MIX, min_df=1)),
    ("svm_u4_first", C(classifier="svm", C=0.11, balance_ratio=9.8, textless="first")),
    # textless records last until a run of k excludes in a row, then first ("dry")
    *((f"mix_dry{k}", replace(MIX, textless="dry", textless_run=k)) for k in (10, 20, 50, 100)),
    ("mix_dry50_mindf1", replace(MIX, textless="dry", min_df=1)),
    ("mix_dry50_u3", replace(MIX, textless="dry", nb_features="u3")),
    ("mix_dry50_u3_mindf1", replace(MIX, textless="dry", nb_features="u3", min_df=1)),
    ("mix_dry50_allexcl", replace(MIX, textless="dry", max_train_excluded=None)),
    ("svm_u4_dry50", C(classifier="svm", C=0.11, balance_ratio=9.8, textless="dry")),
    *(
        (f"mix_dry{k}_mindf1", replace(MIX, textless="dry", textless_run=k, min_df=1))
        for k in (20, 100)
    ),
    ("dry100_until30", replace(MIX, textless="dry", textless_run=100, min_df=1, nb_until=30)),
    ("dry100_until40", replace(MIX, textless="dry", textless_run=100, min_df=1, nb_until=40)),
    ("dry100_w.35", replace(MIX, textless="dry", textless_run=100, min_df=1, nb_weight=0.35)),
    ("dry100_rrf", replace(MIX, textless="dry", textless_run=100, min_df=1, fusion="rrf")),
    (
        "dry100_allexcl",
        replace(MIX, textless="dry", textless_run=100, min_df=1, max_train_excluded=None),
    ),
    (
        "dry100_until30_nt",
        replace(MIX, textless="dry", textless_run=100, min_df=1, nb_until=30, train_textless=False),
    ),
    (
        "dry100_nt",
        replace(MIX, textless="dry", textless_run=100, min_df=1, train_textless=False),
    ),
    # dry, but textless records stay last once m of them are decided without an include
    *(
        (
            f"dry{k}_giveup{m}",
            replace(MIX, textless="dry", textless_run=k, min_df=1, textless_give_up=m),
        )
        for k in (20, 50, 100)
        for m in (5, 10, 20)
    ),
]


METRICS = ("wss95", "wss100", "recall10", "recall25")
STAND_INS = {"elas_u4": "svm_u4", "elas_u3": "nb_u3"}


def mean_metrics(results: list[dict]) -> dict[str, float]:
    return {key: statistics.fmean(getattr(r["metrics"], key) for r in results) for key in METRICS}


def reference_runs(
    sets: list[str], seeds: list[int], version: str | None, fresh: bool, workers: int
) -> dict[tuple[str, str], dict[str, float]]:
    """(set, ASReview model) -> mean metrics over the seeds: ASReview's own runs when it is
    installed, else its two models rebuilt on our code path (same WSS@95 to the third decimal
    on every run compared, see the docstring), which need no second environment; these stop at
    95 % recall, so their WSS@100 is nan."""
    out = {}
    if version:
        for name in sets:
            for model in ASREVIEW_MODELS:
                runs = [
                    asreview_metrics(asreview_project(name, model, seed, version, fresh))[0]
                    for seed in seeds
                ]
                out[name, model] = {
                    key: statistics.fmean(getattr(m, key) for m in runs) for key in METRICS
                }
        return out
    named = dict(CANDIDATES)
    jobs = [
        (name, seed, 1, named[STAND_INS[model]], 0.95)  # WSS@100 left unknown: half the time
        for model in ASREVIEW_MODELS
        for name in sets
        for seed in seeds
    ]
    results = run_jobs(jobs, workers)
    for model in ASREVIEW_MODELS:
        label = named[STAND_INS[model]].label()
        for name in sets:
            mine = [r for r in results if r["config"] == label and r["set"] == name]
            out[name, model] = mean_metrics(mine)
    return out


def compare_candidates(names: list[str], sets: list[str], seeds: list[int], workers: int) -> None:
    """Candidates against the better of ASReview's two models (stand-ins) on every set, each
    run stopped at 95 % recall (WSS@95 only), retraining after every record."""
    named = dict(CANDIDATES)
    named["chosen"] = ranking.DEFAULT_CONFIG
    refs = [named[STAND_INS[m]] for m in ASREVIEW_MODELS]
    configs = [(n, named[n]) for n in names]
    every = [*configs, *((STAND_INS[m], named[STAND_INS[m]]) for m in ASREVIEW_MODELS)]
    jobs = [(s, seed, 1, c, 0.95) for _, c in every for s in sets for seed in seeds]
    results = run_jobs(jobs, workers)

    def wss(config: ranking.ModelConfig, name: str) -> float:
        return statistics.fmean(
            r["metrics"].wss95
            for r in results
            if r["config"] == config.label() and r["set"] == name
        )

    best = {n: max(wss(c, n) for c in refs) for n in sets}
    print(f"\nCandidates (WSS@95, seeds {seeds}, retrain every record; diff to better ASReview)")
    print(f"{'candidate':22s} " + " ".join(f"{short(n)[:7]:>7s}" for n in sets) + "    mean  worst")
    print(f"{'best ASReview':22s} " + " ".join(f"{best[n]:7.3f}" for n in sets))
    for label, config in every:
        values = {n: wss(config, n) for n in sets}
        diffs = {n: values[n] - best[n] for n in sets}
        worst = min(diffs, key=diffs.get)
        average = statistics.fmean(values.values())
        cells = " ".join(f"{diffs[n]:+7.3f}" for n in sets)
        print(f"{label:22s} {cells} {average:7.3f} {diffs[worst]:+6.3f} ({short(worst)})")
        print(
            bench_line(
                "prioritise_candidate",
                candidate=label,
                sets=len(sets),
                mean=average,
                mean_best_asreview=statistics.fmean(best.values()),
                worst_diff=diffs[worst],
                worst_set=short(worst),
            ),
            flush=True,
        )


# ------------------------------------------------------------------------------- stopping check


def stopping_trajectory(name: str, seed: int, config: ranking.ModelConfig) -> dict:
    """Replay the set as the app screens it (retrain every 10 decisions) and record, at every
    retrain, the records screened, relevant found, excludes in a row and the app's estimate of
    relevant records left (screening.services.ranks.estimate_remaining; computed once 50
    excludes are in a row, the least any rule asks for). Runs until every relevant record is
    found and 20 % of the records more are excludes in a row (past any rule checked), or the end.
    Cached in bench/out/prioritise/stopping/."""
    cache = OUT / "stopping" / f"{short(name)}__{seed}__{config.label()}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    from screening.services.ranks import estimate_remaining

    texts, labels = load_set(name)
    y = np.asarray(labels)
    n = len(y)
    features = ranking.ReviewFeatures.build(texts, config)
    priors = ranking.asreview_priors(labels, 1, 1, seed)
    decided = {row: int(y[row]) for row in priors}
    relevant = int(y.sum()) - sum(decided.values())
    screened = found = run_of = 0  # run_of: excludes in a row, as the app counts them
    points = []
    while len(decided) < n:
        scores = ranking.rank(features, decided, config, seed=seed, excludes_in_a_row=run_of)
        estimate = None
        if run_of >= 50:
            open_rows = [r for r in range(n) if r not in decided]
            estimate = estimate_remaining(scores, decided, open_rows)
        points.append([screened, found, run_of, estimate])
        if found == relevant and run_of >= 0.2 * n:
            break
        for row in ranking.queue_order(scores, list(decided))[:10]:
            decided[int(row)] = int(y[row])
            screened += 1
            found += int(y[row])
            run_of = 0 if y[row] else run_of + 1
    out = {"set": short(name), "seed": seed, "n": n, "priors": len(priors)}
    out |= {"relevant": relevant, "points": points}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


def first_stop(trajectory: dict, rule) -> dict:
    """Recall and work saved when ``rule(n, screened, excludes_in_a_row, estimate)`` first
    holds at a retrain (``fired`` False: not within the recorded trajectory)."""
    n, relevant = trajectory["n"], trajectory["relevant"]
    for screened, found, run_of, estimate in trajectory["points"]:
        if estimate is not None and rule(n, screened, run_of, estimate):
            return {
                "fired": True,
                "screened": screened,
                "recall": found / relevant,
                "work_saved": 1 - screened / (n - trajectory["priors"]),
            }
    return {"fired": False, "screened": trajectory["points"][-1][0], "recall": 1.0}


def app_rule(n: int, screened: int, run_of: int, estimate: float) -> bool:
    """The app's own suggestion (screening.services.stopping.stopping_suggestion)."""
    from screening.models import RankingRun
    from screening.services.stopping import stopping_suggestion

    run = RankingRun(
        state=RankingRun.State.READY, consecutive_excludes=run_of, estimated_remaining=estimate
    )
    return stopping_suggestion(run, n, n - screened).stop


def previous_rule(n: int, screened: int, run_of: int, estimate: float) -> bool:
    """The rule before issue #14: max(50, 5 % of the records) excludes in a row, estimate < 1."""
    return run_of >= max(50, math.ceil(0.05 * n)) and estimate < 1


def run_stopping(sets: list[str], seeds: list[int]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    trajectories = [
        stopping_trajectory(name, seed, ranking.DEFAULT_CONFIG) for name in sets for seed in seeds
    ]
    print("\nStopping suggestion (the app's rule, retrain every 10): when it first fires")
    results = []
    for t in trajectories:
        r = {"set": t["set"], "seed": t["seed"], **first_stop(t, app_rule)}
        before = first_stop(t, previous_rule)
        r["previous_rule_recall"] = before["recall"]
        r["previous_rule_fired"] = before["fired"]
        results.append(r)
        print(
            f"  {r['set']:26s} seed {r['seed']}: "
            + (
                f"fires after {r['screened']} screened, recall {r['recall']:.3f}, "
                f"work saved {r['work_saved']:.3f}"
                if r["fired"]
                else f"has not fired after {r['screened']} screened (all relevant found)"
            )
        )
        print(bench_line("prioritise_stopping", **r), flush=True)
    fired = [r for r in results if r["fired"]]
    print(
        bench_line(
            "prioritise_stopping_summary",
            runs=len(results),
            fired=len(fired),
            min_recall=min((r["recall"] for r in fired), default=1.0),
            below_95=sum(r["recall"] < 0.95 for r in fired),
            previous_rule_below_95=sum(
                r["previous_rule_fired"] and r["previous_rule_recall"] < 0.95 for r in results
            ),
            mean_work_saved=statistics.fmean(r["work_saved"] for r in fired) if fired else 0.0,
        )
    )


# --------------------------------------------------------------------------------------- main


def report_sets(sets, seeds, ours, refs) -> bool:
    """Per set and overall: ours and ASReview's two models, diff of WSS@95 to the better one."""
    rows = []
    for name in sets:
        mine = [r for r in ours if r["set"] == name and r["every"] == 1]
        batched = [r for r in ours if r["set"] == name and r["every"] == 10]
        values = mean_metrics(mine)
        line = {"set": short(name), **{f"ours_{k}": v for k, v in values.items()}}
        line["ours_every10_wss95"] = mean_metrics(batched)["wss95"]
        steps = [t for r in mine for t in r["steps"]]
        line["ours_step_p95_ms"] = float(np.percentile(steps, 95)) * 1000
        print(
            f"{short(name)}: ours WSS@95 "
            + " ".join(f"{r['metrics'].wss95:.3f}" for r in mine)
            + f" (mean {values['wss95']:.3f}), WSS@100 {values['wss100']:.3f}, recall@10% "
            f"{values['recall10']:.3f}, @25% {values['recall25']:.3f}; every 10: "
            f"{line['ours_every10_wss95']:.3f}"
        )
        if refs:
            for model in ASREVIEW_MODELS:
                ref = refs[name, model]
                line.update({f"{model}_{k}": v for k, v in ref.items()})
                print(
                    f"  {model}: WSS@95 {ref['wss95']:.3f}, WSS@100 {ref['wss100']:.3f}, "
                    f"recall@10% {ref['recall10']:.3f}, @25% {ref['recall25']:.3f}"
                )
            best = max(refs[name, m]["wss95"] for m in ASREVIEW_MODELS)
            line["best_asreview_wss95"] = best
            line["diff_vs_best"] = values["wss95"] - best
        print(bench_line("prioritise", **line), flush=True)
        rows.append(line)
    overall = {
        key: statistics.fmean(r[key] for r in rows)
        for key in rows[0]
        if key != "set" and not key.endswith("_ms")
    }
    met = True
    if refs:
        worst = min(rows, key=lambda r: r["diff_vs_best"])
        overall["worst_diff"] = worst["diff_vs_best"]
        overall["worst_set"] = worst["set"]
        met = (
            overall["ours_wss95"] >= overall["best_asreview_wss95"] + 0.02
            and worst["diff_vs_best"] >= -0.02
        )
        overall["target_met"] = "yes" if met else "no"
    print(
        f"overall ({len(rows)} sets, seeds {seeds}): ours WSS@95 {overall['ours_wss95']:.3f}"
        + (
            f", better ASReview {overall['best_asreview_wss95']:.3f}, worst diff "
            f"{overall['worst_diff']:+.3f} ({overall['worst_set']})"
            if refs
            else ""
        )
    )
    print(bench_line("prioritise_overall", sets=len(rows), **overall), flush=True)
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--sets", nargs="+", choices=[short(s) for s in SETS])
    parser.add_argument("--skip-asreview", action="store_true")
    parser.add_argument("--stand-ins", action="store_true")
    parser.add_argument("--fresh-asreview", action="store_true")
    parser.add_argument("--candidates", nargs="*")
    parser.add_argument("--only-candidates", action="store_true")
    parser.add_argument("--stopping", action="store_true")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    seeds = args.seeds or ([1] if args.quick else [1, 2, 3])
    by_short = {short(s): s for s in SETS}
    sets = [by_short[s] for s in args.sets] if args.sets else SETS
    if args.quick and not args.sets:
        sets = ["cohen2006_antihistamines"]
    use_reference = not (args.quick or args.skip_asreview)
    config = ranking.DEFAULT_CONFIG
    print(f"model: {config.label()}; seeds {seeds}; priors 1 included + 1 excluded", flush=True)

    version = None
    if use_reference and not args.stand_ins:
        version = ensure_asreview()
        print(f"ASReview LAB {version} in {ASREVIEW_VENV.relative_to(REPO)}", flush=True)
        if not version.startswith("3."):
            print(f"  warning: expected ASReview LAB 3.x, found {version}")
    elif use_reference:
        print("ASReview's elas_u4 / elas_u3 as stand-ins on our code path (svm_u4 / nb_u3)")

    refs, met = {}, False
    if not args.only_candidates:
        start = time.perf_counter()
        jobs = [(s, seed, every, config, 1.0) for s in sets for seed in seeds for every in (1, 10)]
        ours = run_jobs(jobs, args.workers)
        print(f"  our simulations: {time.perf_counter() - start:.1f} s", flush=True)
        refs = (
            reference_runs(sets, seeds, version, args.fresh_asreview, args.workers)
            if use_reference
            else {}
        )
        met = report_sets(sets, seeds, ours, refs)

    if not args.no_timing:
        for n_records in [2500] if args.quick else [2500, 20000]:
            timing = time_steps(n_records)
            limit = 100 if n_records <= 2500 else 1000
            print(
                f"retrain-and-rank at {n_records} records ({timing['features']} features): "
                f"p50 {timing['p50_ms']:.1f} ms, p95 {timing['p95_ms']:.1f} ms "
                f"(limit {limit} ms); TF-IDF build {timing['build_s']:.2f} s, "
                f"cache {timing['cache_mb']:.1f} MB loads in {timing['load_s'] * 1000:.0f} ms"
            )
            print(
                bench_line(
                    "prioritise_step",
                    **timing,
                    target_met="yes" if timing["p95_ms"] <= limit else "no",
                ),
                flush=True,
            )

    if args.candidates is not None:
        compare_candidates(args.candidates or ["chosen"], sets, seeds, args.workers)
    if args.stopping:
        run_stopping(sets, seeds)
    if refs:
        print(bench_line("prioritise_summary", sets=len(sets), target_met_all=met))
    return 0


if __name__ == "__main__":
    sys.exit(main())

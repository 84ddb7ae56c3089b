"""New model versions: fitted on everything stored, judged on a time-based holdout
against the active version (champion/challenger), and promoted only if not worse.

The holdout is the latest outcome events (:func:`matcher.evaluation.time_split`): a
version is refitted on what was known before the cut-off and scored on who formed
partnerships after it. :meth:`Trainer.evaluate` reports the active version that way
beside simple baselines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd

from matcher import schema
from matcher.errors import MatcherError, ModelError
from matcher.evaluation import (
    Holdout,
    evaluate_scorers,
    model_scorer,
    popularity_scorer,
    random_scorer,
    tag_overlap_scorer,
    time_split,
)
from matcher.index import MatchIndex
from matcher.model import MatchModel
from matcher.model_store import ModelStore
from matcher.storage import Store

# what a holdout fit reads: every school, partner and outcome event, and the split
HoldoutData = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Holdout]


def fit_on_holdout(params: dict[str, Any], data: HoldoutData) -> tuple[MatchModel, MatchIndex]:
    """A model with ``params`` fitted on what was known before the holdout's cut-off,
    and its index of the data as it stood then. Capacity is not applied: the holdout
    window spans months in which partnerships end and partners take new schools, so a
    partner that was full on the cut-off day is still a fair candidate."""
    schools, partners, outcomes, holdout = data
    fitted = MatchModel.from_params(params).fit(schools, partners, holdout.train)
    index = fitted.index(schools, partners, outcomes, as_of=holdout.cutoff, count_capacity=False)
    return fitted, index


def holdout_metrics(params: dict[str, Any], data: HoldoutData) -> dict[str, Any]:
    """The holdout's cut-off and the metrics of a model with ``params`` on it."""
    fitted, index = fit_on_holdout(params, data)
    rep = evaluate_scorers({"model": model_scorer(fitted)}, index, data[3])
    return {"cutoff": rep["cutoff"], **rep["models"]["model"]}


def same_parameters(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two settings are equal as the manifest stores them (tuples as lists)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


class Trainer:
    """Trains, judges and promotes versions of the stored data's model.

    Parameters
    ----------
    store, models : Store, ModelStore
        The data trained on and where versions are saved.
    switch : callable
        Makes a saved version the served one (``switch(version)``).

    Attributes
    ----------
    split : callable
        ``split(outcomes)`` gives the holdout (:func:`matcher.evaluation.time_split`).
    holdout_metrics : callable
        Scores settings on a holdout (:func:`holdout_metrics`); both are replaceable,
        e.g. by a test that decides which version wins.
    """

    def __init__(self, store: Store, models: ModelStore, switch: Callable[[str], None]) -> None:
        self.store, self.models, self.switch = store, models, switch
        self.split: Callable[[pd.DataFrame], Holdout] = time_split
        self.holdout_metrics: Callable[[dict[str, Any], HoldoutData], dict[str, Any]] = (
            holdout_metrics
        )

    def train(
        self,
        params: dict[str, Any] | None = None,
        evaluate: bool = True,
        force: bool = False,
        if_new_outcomes: int | None = None,
    ) -> dict[str, Any]:
        """Fit a model on everything stored and save it as a new version.

        Champion/challenger: the new version becomes active only if, refitted on the same
        time-based holdout, it is not worse (schools' NDCG@10) than the active version's
        settings — unless ``force``. With ``if_new_outcomes=N`` nothing is trained unless
        at least N outcome events arrived since the active version was trained (then the
        returned manifest has ``"skipped": True``). A failure leaves the active model as it
        was: nothing is activated before the new version is complete.
        """
        schools = self.store.frame("schools")
        partners = self.store.frame("partners")
        outcomes = self.store.frame("outcomes")
        if not len(schools) or not len(partners):
            raise MatcherError("no schools or partners stored; run `matcher load` first")
        active = self.models.active_version()
        champion, refused = None, ""
        if active:
            try:
                champion = self.models.manifest(active)
            except ModelError as exc:  # e.g. unsigned: replaced, not compared with
                refused = f" (active {active} refused: {exc})"
        if if_new_outcomes is not None and champion is not None:
            new = len(outcomes) - int(champion["data"]["outcomes"])
            if new < if_new_outcomes:
                return {**champion, "skipped": True, "new_outcomes": new}
        if (w := (params or {}).get("outcome_weight")) is not None:
            schema.check_option("outcome weight", w, 0, schema.MAX_OUTCOME_WEIGHT)
        model = MatchModel.from_params(params or {})
        metrics: dict[str, Any] = {}
        decision = ("activated: first model" + refused) if champion is None else "activated"
        promote = True
        if evaluate:
            try:
                holdout = self.split(outcomes)
            except MatcherError as exc:
                holdout = None
                decision = f"activated without holdout check ({exc})"
            if holdout is not None:
                data = (schools, partners, outcomes, holdout)
                metrics = self.holdout_metrics(model.parameters(), data)
                if champion is not None:
                    # the same settings on the same holdout score the same (fits are
                    # seeded): refit the champion only when its settings differ
                    old = MatchModel.from_params(champion["parameters"]).parameters()
                    same = same_parameters(old, model.parameters())
                    base = (
                        dict(metrics)
                        if same
                        else self.holdout_metrics(champion["parameters"], data)
                    )
                    metrics["champion"] = {"version": active, **base}
                    new_ndcg, old_ndcg = metrics["schools"]["ndcg"], base["schools"]["ndcg"]
                    promote = new_ndcg >= old_ndcg - 1e-9
                    decision = (
                        f"activated: holdout NDCG@10 {new_ndcg:.4f} vs active {old_ndcg:.4f}"
                        if promote
                        else f"kept {active}: holdout NDCG@10 {new_ndcg:.4f} is worse than "
                        f"{old_ndcg:.4f}"
                    )
        if force and not promote:
            promote, decision = True, decision.replace("kept", "forced over")
        model.fit(schools, partners, outcomes)
        manifest = {
            "parameters": model.parameters(),
            "data": {
                "fingerprint": self.store.fingerprint(),
                "schools": len(schools),
                "partners": len(partners),
                "outcomes": len(outcomes),
            },
            "vocabulary": {
                "sha256": model.features_.vocabulary_.sha256,
                "codes": len(model.features_.codes_),
            },
            "outcome_model": model.outcome_note_,
            "metrics": metrics,
            "decision": decision,
        }
        version = self.models.save(model, manifest, activate=False)
        if promote:
            self.switch(version)
        return {**self.models.manifest(version), "active": promote}

    def evaluate(self, k: int = 10, test_fraction: float = 0.2) -> dict[str, Any]:
        """Holdout metrics of the active model beside baselines: random, popularity,
        two-way tag overlap, one-way match, content only, and the previously active
        version — who formed partnerships next, and how tried pairs went."""
        version, model, _ = self.models.load()
        schools, partners = self.store.frame("schools"), self.store.frame("partners")
        outcomes = self.store.frame("outcomes")
        holdout = time_split(outcomes, test_fraction)
        params = model.parameters()

        def fit(**over: Any) -> MatchModel:
            return MatchModel.from_params({**params, **over}).fit(schools, partners, holdout.train)

        data = (schools, partners, outcomes, holdout)
        fitted, index = fit_on_holdout(params, data)
        scorers = {
            "random": random_scorer(fitted),
            "popularity": popularity_scorer(fitted, holdout.train),
            "two-way tag overlap": tag_overlap_scorer(fitted),
            "one-way match": model_scorer(fit(fusion="forward", outcome_weight=0.0)),
            "content only": model_scorer(fit(outcome_weight=0.0)),
        }
        older = [m for m in self.models.versions() if m["state"] == "ok" and m["version"] < version]
        if older:
            prev = older[-1]
            prev_model, prev_index = fit_on_holdout(prev["parameters"], data)
            scorers[f"previous {prev['version']}"] = model_scorer(prev_model, prev_index)
        scorers[f"model {version}"] = model_scorer(fitted)
        report = evaluate_scorers(scorers, index, holdout, k, reference="content only")
        report["model_version"] = version
        return report

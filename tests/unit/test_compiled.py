"""Compiled trees predict exactly what the array-walking trees predict, and refuse non-numeric documents."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import pytest

from courtside.models.trees import Tree, TreeEnsembleModel
from courtside.serving.compiled import CompiledTrees
from courtside.serving.model_loader import parse_model


def random_tree(rng: random.Random, depth: int, n_features: int = 3) -> Tree:
    f, t, left, right, d, v = [], [], [], [], [], []

    def visit(k: int) -> int:
        i = len(f)
        f.append(-1), t.append(0.0), left.append(-1), right.append(-1), d.append(True), v.append(0.0)
        if k == 0 or rng.random() < 0.2:
            v[i] = rng.uniform(-1, 1)
            return i
        f[i], t[i] = rng.randrange(n_features), rng.uniform(-1, 1)
        left[i], right[i] = visit(k - 1), visit(k - 1)
        return i

    visit(depth)
    return Tree(tuple(f), tuple(t), tuple(left), tuple(right), tuple(d), tuple(v))


@pytest.mark.parametrize(("depth", "evaluation"), [(3, "bitvector"), (4, "generated-code")])
def test_compiled_equals_array_trees(depth, evaluation):
    rng = random.Random(7)
    model = TreeEnsembleModel(("a", "b", "c"), tuple(random_tree(rng, depth) for _ in range(50)))
    compiled = parse_model(CompiledTrees.from_tree_model(model).to_json())
    assert compiled.evaluation == evaluation  # <= 8 leaves per tree: bit vectors; deeper trees: generated code
    thresholds = sorted(
        {th for tree in model.trees for f, th in zip(tree.feature, tree.threshold, strict=True) if f >= 0}
    )
    rows = [{k: rng.uniform(-1.5, 1.5) for k in "abc"} for _ in range(500)]
    rows += [{k: rng.choice(thresholds) for k in "abc"} for _ in range(300)]  # ties: x == threshold goes left
    for x in rows:
        assert compiled.predict_proba(x) == pytest.approx(model.predict_proba(x), abs=1e-15)
        assert compiled.decision(x) == pytest.approx(model.decision(x), abs=1e-12)


def test_code_injection_is_impossible():
    doc = json.loads(
        CompiledTrees.from_tree_model(TreeEnsembleModel(("a",), (random_tree(random.Random(1), 2),))).to_json()
    )
    doc["trees"][0]["value"][0] = "__import__('os').system('echo pwned')"
    with pytest.raises(ValueError):
        parse_model(json.dumps(doc))


def test_single_feature_ensemble_scores_like_the_array_trees():
    rng = random.Random(3)
    model = TreeEnsembleModel(("a",), tuple(random_tree(rng, 3, n_features=1) for _ in range(5)))
    compiled = parse_model(CompiledTrees.from_tree_model(model).to_json())
    for _ in range(100):
        x = {"a": rng.uniform(-1.5, 1.5)}
        assert compiled.predict_proba(x) == pytest.approx(model.predict_proba(x), abs=1e-15)


@pytest.mark.parametrize("stage_boxes", [(), (64,), (512,), (16, 64, 512), (1 << 30,)])
def test_precomputed_leading_trees_keep_the_tree_order_sum_bit_for_bit(monkeypatch, stage_boxes):
    """Whatever leading trees are precomputed per box, in however many stages, the score is the same float as the
    trees' own sum in tree order (running sums are continued, never regrouped), ties and infinities included."""
    from courtside.serving import compiled as compiled_mod

    monkeypatch.setattr(compiled_mod, "PREFIX_STAGE_BOXES", stage_boxes)
    rng = random.Random(11)
    # few distinct thresholds per feature (as LightGBM's histogram bins give) so some prefixes fit in a few boxes
    grid = [round(rng.uniform(-1, 1), 1) for _ in range(12)]

    def coarse_tree() -> Tree:
        tree = random_tree(rng, 3)
        return dataclasses.replace(tree, threshold=tuple(rng.choice(grid) for _ in tree.threshold))

    model = TreeEnsembleModel(("a", "b", "c"), tuple(coarse_tree() for _ in range(80)))
    compiled = parse_model(CompiledTrees.from_tree_model(model).to_json())
    assert compiled.evaluation == "bitvector"
    ends = compiled_mod._stage_ends(compiled_mod._first_use(compiled.trees, 3), 80, stage_boxes)
    assert len(ends) == len(stage_boxes) and all(0 < k < 80 for k in ends[:-1])  # real stages and a real tail
    assert (ends == [80]) == (stage_boxes == (1 << 30,))
    rows = [{k: rng.uniform(-1.5, 1.5) for k in "abc"} for _ in range(400)]
    rows += [{k: rng.choice(grid) for k in "abc"} for _ in range(400)]  # ties: x == threshold goes left
    for x in rows:
        assert compiled.decision(x) == model.decision(x)  # exact: same additions in the same order
        assert compiled.predict_proba(x) == model.predict_proba(x)
    for x in ({"a": math.inf, "b": -math.inf, "c": 0.0}, {"a": -math.inf, "b": math.inf, "c": math.inf}):
        assert compiled.decision(x) == model.decision(x)

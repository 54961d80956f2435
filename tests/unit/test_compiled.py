"""Compiled trees predict exactly what the array-walking trees predict, and refuse non-numeric documents."""

from __future__ import annotations

import json
import random

import pytest

from courtside.models.trees import Tree, TreeEnsembleModel
from courtside.serving.compiled import CompiledTrees
from courtside.serving.model_loader import parse_model


def random_tree(rng: random.Random, depth: int) -> Tree:
    f, t, left, right, d, v = [], [], [], [], [], []

    def visit(k: int) -> int:
        i = len(f)
        f.append(-1), t.append(0.0), left.append(-1), right.append(-1), d.append(True), v.append(0.0)
        if k == 0 or rng.random() < 0.2:
            v[i] = rng.uniform(-1, 1)
            return i
        f[i], t[i] = rng.randrange(3), rng.uniform(-1, 1)
        left[i], right[i] = visit(k - 1), visit(k - 1)
        return i

    visit(depth)
    return Tree(tuple(f), tuple(t), tuple(left), tuple(right), tuple(d), tuple(v))


def test_compiled_equals_array_trees():
    rng = random.Random(7)
    model = TreeEnsembleModel(("a", "b", "c"), tuple(random_tree(rng, 4) for _ in range(50)))
    compiled = parse_model(CompiledTrees.from_tree_model(model).to_json())
    for _ in range(500):
        x = {k: rng.uniform(-1.5, 1.5) for k in "abc"}
        assert compiled.predict_proba(x) == pytest.approx(model.predict_proba(x), abs=1e-15)


def test_code_injection_is_impossible():
    doc = json.loads(
        CompiledTrees.from_tree_model(TreeEnsembleModel(("a",), (random_tree(random.Random(1), 2),))).to_json()
    )
    doc["trees"][0]["value"][0] = "__import__('os').system('echo pwned')"
    with pytest.raises(ValueError):
        parse_model(json.dumps(doc))

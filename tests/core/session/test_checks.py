"""Every field of session.json is checked, each problem named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnviz.core.session import load
from tests.core.session.helpers import (
    DELETE,
    edit,
    members,
    npy,
    rejects,
    set_field,
    write_members,
)

# --------------------------------------------------------------------------------------------
# Field rejections, each by editing a good file



@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("network", DELETE, "missing field 'network'"),
        ("network", [2, 4, 1], "network must be an object"),
        ("network.layers", [2, 0, 1], "sizes must be >= 1"),
        ("network.layers", [2], "must have 2 to"),
        ("network.layers", "2,4,1", "list of whole numbers"),
        ("network.layers", [2, True, 1], "list of whole numbers"),
        ("network.layers", [2, 4.0, 1], "list of whole numbers"),
        ("network.layers", [100_000, 100_000, 10], "more than 50,000,000"),
        ("network.activation", "swish", "unknown activation"),
        ("network.activation", "softmax", "cannot be a hidden activation"),
        ("network.activation", 3, "network.activation must be a name"),
        ("network.output", "relu", "cannot be an output activation"),
        ("network.output", "tanh", "loss 'bce' needs a sigmoid output"),
        ("network.loss", "hinge", "unknown loss"),
        ("network.init", "zeros", "unknown init"),
        ("network.seed", -1, "network.seed must be >= 0"),
        ("network.seed", 2**64, "too large"),
        ("training.epoch", 2**70, "training.epoch is 1180591620717411303424, too large"),
        ("network.dtype", "float16", "network.dtype"),
        ("network.dropout", 0.5, "unknown field(s): dropout"),
        ("network.loss", DELETE, "network: missing field 'loss'"),
        ("parameters.weights", [], "has 0 arrays, expected 2"),
        ("parameters.weights.0", [[1.0]], "array reference"),
        ("parameters.weights.0.shape", [2, 3], "weights[0] has shape (2, 3), expected (2, 4) "
                                               "for layers 2-4-1"),
        ("parameters.weights.0.shape", "2x4", "shape must be a list"),
        ("parameters.weights.0.npy", "weights/9.npy", "'weights/9.npy' is missing"),
        ("parameters.biases.1.shape", [4], "biases[1] has shape (4,), expected (1,)"),
        ("parameters.velocity.shape", [16], "velocity has shape (16,), expected (17,)"),
        ("training.epoch", -3, "training.epoch must be >= 0"),
        ("training.epoch", 2.5, "training.epoch must be a whole number"),
        ("training.hyper.lr", 0, "learning rate must be a positive number"),
        ("training.hyper.lr", -0.1, "learning rate must be a positive number"),
        ("training.hyper.lr", "fast", "training.hyper.lr must be a number"),
        ("training.hyper.lr", 1e999, "contains Infinity"),  # json writes the token Infinity
        ("training.hyper.lr", DELETE, "missing field 'lr'"),
        ("training.hyper.momentum", 1.0, "momentum must be in [0, 1)"),
        ("training.hyper.l2", -1.0, "L2 penalty must be >= 0"),
        ("training.hyper.batch_size", 0, "batch_size must be >= 1"),
        ("training.hyper.shuffle", "yes", "shuffle must be true or false"),
        ("training.hyper.seed", -5, "hyper.seed must be >= 0"),
        ("training.rng_state", {"bit_generator": "MT19937"}, "PCG64 state"),
        ("training.rng_state.state", "broken", "not a valid PCG64 state"),
        ("history.length", 10**12, "more than 50,000,000 rows"),
        ("history.length", 8, "history.epoch has shape (7,), expected (8,)"),
        ("history.columns.train_loss.shape", [6], "train_loss has shape (6,), expected (7,)"),
        ("history.columns.epoch", DELETE, "no 'epoch' column"),
        ("history.columns", [], "columns must be an object"),
        ("dataset.name", "mnist", "unknown data set 'mnist'"),
        ("dataset.name", "iris", "has 4 inputs but the network's input layer has 2 units"),
        ("dataset.noise", -0.5, "noise must be >= 0"),
        ("dataset.test_ratio", 1.0, "test_ratio must be < 1"),
        ("dataset.n", 10**9, "more than 10,000,000 points"),
        ("dataset.n", 1, "dataset.n must be >= 2"),
        ("dataset.options", {"k": 3}, "unknown option(s) for data set 'circles': k"),
        ("dataset.options", {"deep": {"a": [1, 2]}}, "unknown option"),
        ("dataset.kind", "url", "dataset.kind must be"),
        ("dataset.url", "http://example.org/x.csv", "unknown field(s): url"),
        ("dataset", 5, "dataset must be an object or null"),
        ("stepper.sample", 30, "stepper.sample 30 is beyond the 30 training samples"),
        ("stepper.sample", -1, "stepper.sample must be >= 0"),
        ("stepper.phase", True, "stepper.phase must be"),
        ("stepper.phase", "", "stepper.phase must be"),
        ("stepper.epoch", DELETE, "stepper: missing field 'epoch'"),
        ("view", [1, 2], "view must be an object"),
        ("hidden", "lr", "hidden must be a list"),
        ("hidden", ["lr", 3], "hidden must be a list"),
        ("title", None, "title must be text"),
        ("notes", DELETE, "missing field 'notes'"),
        ("training", DELETE, "missing field 'training'"),
    ],
)
def test_rejects_bad_field(good: Path, field: str, value: Any, fragment: str) -> None:
    edit(good, set_field(field, value))
    rejects(good, fragment)


def test_rejects_nan_and_inf_in_session_json(good: Path) -> None:
    content = members(good)
    text = content["session.json"].decode().replace('"font_scale": 1.25', '"font_scale": NaN')
    content["session.json"] = text.encode()
    write_members(good, content)
    rejects(good, "NaN, which is not a JSON number")


def test_missing_version_field_names_it(good: Path) -> None:
    edit(good, set_field("version", DELETE))
    rejects(good, "missing field 'version'")




# --------------------------------------------------------------------------------------------
# Embedded data rejections




def test_rejects_embedded_data_of_the_wrong_width(own: Path) -> None:
    X = np.zeros((16, 3))
    edit(own, set_field("dataset.arrays.X_train.shape", [16, 3]), data__X_train=npy(X))
    rejects(own, "dataset.X_train has shape (16, 3), expected (n, 2) for layers 2-2-1")
    edit(own, set_field("network.layers", [3, 2, 1]))
    rejects(own, "weights[0] has shape (2, 2), expected (3, 2)")


def test_rejects_embedded_targets_and_inputs_of_different_lengths(own: Path) -> None:
    Y = np.zeros((15, 1))
    edit(own, set_field("dataset.arrays.Y_train.shape", [15, 1]), data__Y_train=npy(Y))
    rejects(own, "dataset.X_train has 16 rows but dataset.Y_train has 15")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("dataset.feature_names", ["u"], "1 names for 2 inputs"),
        ("dataset.class_names", ["a", "b", "c"], "3 names but the 1 target column(s) need 2"),
        ("dataset.class_names", "ab", "list of names"),
        ("dataset.source", None, "dataset.source must be text"),
        ("dataset.arrays.Y_test", DELETE, "missing field 'Y_test'"),
    ],
)
def test_rejects_bad_embedded_fields(own: Path, field: str, value: Any, fragment: str) -> None:
    edit(own, set_field(field, value))
    rejects(own, fragment)


def test_rejects_nan_in_embedded_data_and_non_binary_class_targets(own: Path) -> None:
    s = load(own)
    X = s.dataset["arrays"]["X_test"].copy()
    X[0, 0] = np.nan
    Y = s.dataset["arrays"]["Y_train"].copy()
    Y[0, 0] = 0.5
    edit(own, data__X_test=npy(X))
    rejects(own, "dataset.X_test contains NaN")
    edit(own, data__X_test=npy(s.dataset["arrays"]["X_test"]), data__Y_train=npy(Y))
    rejects(own, "dataset.Y_train holds values other than 0 and 1")

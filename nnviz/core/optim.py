"""Stochastic gradient descent with momentum and L2 / L1 penalties.

The update for every weight matrix W with gradient g of the data loss:
    g' = g + l2 * W + l1 * sign(W)          (penalties on weights only, never on biases)
    v  = momentum * v - lr * g'
    W  = W + v                              (with momentum = 0 this is W -= lr * g')
Biases get the same rule without the penalty terms. The learning rate may change between steps.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


class SGD:
    """Updates one flat parameter vector in place (a network's ``params``) from a flat gradient.

    ``weight_mask`` is 1 where the vector holds a weight and 0 for biases, so the penalties
    touch weights only. Working on the flat vector keeps a step at two NumPy calls.
    """

    def __init__(
        self,
        params: Array,
        weight_mask: Array,
        lr: float,
        momentum: float = 0.0,
        l2: float = 0.0,
        l1: float = 0.0,
    ) -> None:
        check_hyper(lr=lr, momentum=momentum, l2=l2, l1=l1)
        self.params = params
        self.weight_mask = weight_mask
        self._tmp = np.empty_like(params)
        self._tmp2 = np.empty_like(params)
        self.velocity = np.zeros_like(params)
        self.lr = lr
        self.momentum = momentum
        self.l2 = l2
        self.l1 = l1

    # Kept as 0-d arrays: NumPy multiplies by them faster than by Python floats.
    @property
    def lr(self) -> float:
        return float(self._lr)

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = np.array(float(value))

    @property
    def momentum(self) -> float:
        return float(self._mu)

    @momentum.setter
    def momentum(self, value: float) -> None:
        self._mu = np.array(float(value))

    l2 = property(lambda self: self._l2, lambda self, v: self._set_penalty("_l2", v))
    l1 = property(lambda self: self._l1, lambda self, v: self._set_penalty("_l1", v))

    def _set_penalty(self, name: str, value: float) -> None:
        setattr(self, name, float(value))
        setattr(self, name + "_mask", self.weight_mask * float(value))

    def reset(self) -> None:
        self.velocity.fill(0.0)

    def effective_gradient(self, grad: Array, out: Array | None = None) -> Array:
        """g + l2 * W + l1 * sign(W): the gradient the update actually follows."""
        if out is None:
            out = grad.copy()
        else:
            np.copyto(out, grad)
        if self._l2:
            out += np.multiply(self.params, self._l2_mask, out=self._tmp2)
        if self._l1:
            out += np.multiply(np.sign(self.params, out=self._tmp2), self._l1_mask, out=self._tmp2)
        return out

    def step(self, grad: Array) -> None:
        g = grad
        if self._l2 or self._l1:
            g = self.effective_gradient(grad, self._tmp)
        if self._mu:
            v = self.velocity
            v *= self._mu
            v -= np.multiply(g, self._lr, out=self._tmp)
            self.params += v
        else:
            self.params -= np.multiply(g, self._lr, out=self._tmp)

    def state(self) -> Array:
        return self.velocity.copy()

    def load_state(self, state: Array) -> None:
        np.copyto(self.velocity, state)


class HyperParameters:
    """lr, momentum, l2 and l1 as checked properties that forward to ``self.optimizer`` (an SGD);
    the Trainer and the Stepper both take them, and changes apply from the next update."""

    optimizer: SGD

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        check_hyper(lr=value)
        self.optimizer.lr = float(value)

    @property
    def momentum(self) -> float:
        return self.optimizer.momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        check_hyper(lr=self.lr, momentum=value)
        self.optimizer.momentum = float(value)

    @property
    def l2(self) -> float:
        return self.optimizer.l2

    @l2.setter
    def l2(self, value: float) -> None:
        check_hyper(lr=self.lr, l2=value)
        self.optimizer.l2 = float(value)

    @property
    def l1(self) -> float:
        return self.optimizer.l1

    @l1.setter
    def l1(self, value: float) -> None:
        check_hyper(lr=self.lr, l1=value)
        self.optimizer.l1 = float(value)


def check_hyper(*, lr: float, momentum: float = 0.0, l2: float = 0.0, l1: float = 0.0) -> None:
    """Reject hyper-parameters that cannot train, naming the value."""
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate must be a positive number, got {lr}")
    if not (0.0 <= momentum < 1.0):
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"L2 penalty must be >= 0, got {l2}")
    if not np.isfinite(l1) or l1 < 0:
        raise ValueError(f"L1 penalty must be >= 0, got {l1}")

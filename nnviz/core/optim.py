"""Stochastic gradient descent with momentum and L2 / L1 penalties.

The update for every weight matrix W with gradient g of the data loss:
    g' = g + l2 * W + l1 * sign(W)          (penalties on weights only, never on biases)
    v  = momentum * v - lr * g'
    W  = W + v                              (with momentum = 0 this is W -= lr * g')
Biases get the same rule without the penalty terms. The learning rate may change between steps.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.spec import HyperParams, check_option

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
        self._setup(params, weight_mask, HyperParams(lr=lr, momentum=momentum, l2=l2, l1=l1))

    @classmethod
    def from_hyper(cls, params: Array, weight_mask: Array, hyper: HyperParams) -> SGD:
        """SGD with hyper's lr, momentum, l2 and l1 (checked when hyper was made)."""
        opt = cls.__new__(cls)
        opt._setup(params, weight_mask, hyper)
        return opt

    def _setup(self, params: Array, weight_mask: Array, hyper: HyperParams) -> None:
        self.params = params
        self.weight_mask = weight_mask
        self._tmp = np.empty_like(params)
        self._tmp2 = np.empty_like(params)
        self.velocity = np.zeros_like(params)
        self.lr = hyper.lr
        self.momentum = hyper.momentum
        self.l2 = hyper.l2
        self.l1 = hyper.l1

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
    """lr, momentum, l2 and l1 of ``self.optimizer`` (an SGD) as properties checked by the rules
    of nnviz.core.spec, and ``hyper`` / ``set_hyper`` to read or apply them as one HyperParams
    (checked when it was made, not again). The Trainer and the Stepper both take them; changes
    apply from the next update."""

    optimizer: SGD
    shuffle: bool
    seed: int
    #: One sample per update unless the class says otherwise (the Trainer sets its own).
    batch_size: int | None = 1

    @property
    def hyper(self) -> HyperParams:
        """The hyper-parameters now, as one value."""
        opt = self.optimizer
        return HyperParams(lr=opt.lr, momentum=opt.momentum, l2=opt.l2, l1=opt.l1,
                           batch_size=self.batch_size, shuffle=self.shuffle, seed=self.seed)

    def set_hyper(self, hyper: HyperParams) -> None:
        """Use hyper's lr, momentum, l2 and l1 from the next update on (its batch size,
        shuffling and seed belong to how the object was made, and stay)."""
        opt = self.optimizer
        opt.lr, opt.momentum, opt.l2, opt.l1 = hyper.lr, hyper.momentum, hyper.l2, hyper.l1

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = check_option("lr", value)

    @property
    def momentum(self) -> float:
        return self.optimizer.momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        self.optimizer.momentum = check_option("momentum", value)

    @property
    def l2(self) -> float:
        return self.optimizer.l2

    @l2.setter
    def l2(self, value: float) -> None:
        self.optimizer.l2 = check_option("l2", value)

    @property
    def l1(self) -> float:
        return self.optimizer.l1

    @l1.setter
    def l1(self, value: float) -> None:
        self.optimizer.l1 = check_option("l1", value)


def check_hyper(*, lr: float, momentum: float = 0.0, l2: float = 0.0, l1: float = 0.0) -> None:
    """Reject hyper-parameters that cannot train, naming the value (the rules of
    nnviz.core.spec.HyperParams)."""
    HyperParams(lr=lr, momentum=momentum, l2=l2, l1=l1)

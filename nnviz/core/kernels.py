"""The compiled training steps: forward, backward and update of one batch as closures over
preallocated buffers (README, "The engine").

Each kernel computes exactly what Network.forward_into/backward_into compute, with the Python
overhead taken out: they run millions of times. The Trainer runs them for its epochs, and the
Stepper runs make_sample_pass, the one per-sample computation, so a stepped epoch equals an online
epoch bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnviz.core import activations as act
from nnviz.core import losses
from nnviz.core.network import Network, Workspace
from nnviz.core.optim import SGD

Array = np.ndarray

#: Outputs x batch from which the bce loss splits softplus instead of calling logaddexp (the
#: measured crossover: fewer calls below it, less transcendental work above).
BCE_SPLIT_SIZE = 128

def _fast_mse(net: Network) -> bool:
    """Whether the kernel takes its mse path, which returns sum (a - t)^2 (twice E)."""
    return net.loss_name == "mse" and net.output not in ("softmax", "linear")


def loss_factor(net: Network) -> float:
    """What a kernel's returned batch total is multiplied by to give the summed loss E."""
    return 0.5 if _fast_mse(net) else 1.0


def make_pass(
    net: Network, ws: Workspace, scale: Array | None = None, want_loss: bool = True
) -> Callable[[Array, Array], float]:
    """Forward and backward of one batch into ws, as a closure over local buffers.

    pass_(xT_aug, YT) computes exactly what Network.forward_into/backward_into compute, with the
    Python overhead taken out (this runs millions of times), and returns the batch's summed loss
    (sum (a - t)^2 on the mse path, so half of it; 0 there when not want_loss). With `scale`
    (batches of more than one sample) the output delta is multiplied by it, so ws.grad comes out
    as scale times the summed gradient.
    """
    # np.dot's output is passed positionally: parsed faster than out=, five times a step.
    dot, sub, mul, vdot = np.dot, np.subtract, np.multiply, np.vdot
    fwd = ws.forward_plan
    bwd = [(A, G, D, W, DT, DTp, fp, Zp, Al, S)
           for _l, A, G, D, W, DT, DTp, fp, Zp, Al, S in ws.backward_plan]
    (A_first, G_first, D_first, *_rest) = bwd[-1]
    hidden = bwd[:-1]
    ZL, AL, DL, SL = ws.zT[-1], ws.aT[-1], ws.deltaT[-1], ws.scratch[-1]
    rescale = scale is not None
    mse = _fast_mse(net)
    fprime_out = act.ACTIVATIONS[net.output].derivative
    loss_name, output = net.loss_name, net.output
    skip_loss = mse and not want_loss
    # bce and cross-entropy: the delta is a - t, and the loss comes from what the forward pass
    # and the delta already hold, a few calls instead of losses.per_sample's passes.
    bce = loss_name == "bce"  # check_pair: a sigmoid output
    ce = loss_name == "cross_entropy"  # a softmax output
    fused = bce or ce
    if bce:
        # E = t softplus(-z) + (1 - t) softplus(z): every term >= 0, so the sums cannot cancel,
        # and finite for every finite z (no log(0)). pair holds [-z; z] (times +-1 is exact),
        # weights [t; 1 - t], so the loss is one vdot. Small outputs take softplus as
        # logaddexp(0, .) (fewest calls); large ones split softplus(+-z) = relu(+-z) +
        # log1p(e^-|z|), which costs half the transcendental work.
        zero, one = np.array(0.0, net.dtype), np.array(1.0, net.dtype)
        sign = np.array([-1.0, 1.0], net.dtype).reshape(2, 1, 1)
        pair, weights = np.empty((2, *DL.shape), net.dtype), np.empty((2, *DL.shape), net.dtype)
        held: list[Array | None] = [None]  # the targets weights was made from
        logaddexp, copyto, minimum, maximum, exp, log1p, add = (
            np.logaddexp, np.copyto, np.minimum, np.maximum, np.exp, np.log1p, np.add)
        split = DL.size >= BCE_SPLIT_SIZE
        log_term = np.empty_like(DL)
    if ce:
        fwd = fwd[:-1] + [(*fwd[-1][:2], _softmax_keeping(SL, ws.batch), *fwd[-1][3:])]
        log_s = fwd[-1][2].log_sum
    fixed_db = ws.fixed_db  # frozen or absent biases: their gradient is zeroed before the update

    def pass_(x: Array, y: Array) -> float:
        A = x
        for PT, Z, f, A_next, A_next_aug in fwd:
            dot(PT, A, Z)
            f(Z, A_next)
            A = A_next_aug
        if mse:
            sub(AL, y, DL)
            total = 0.0 if skip_loss else vdot(DL, DL)
            S = fprime_out(ZL, AL, SL)
            if rescale:
                mul(S, scale, S)
            mul(DL, S, DL)
        elif fused:
            sub(AL, y, DL)
            if bce:
                if y is not held[0]:  # a full batch passes the same targets every epoch
                    copyto(weights[0], y)
                    sub(one, y, weights[1])
                    held[0] = y
                mul(ZL, sign, pair)
                if split:
                    minimum(pair[0], pair[1], out=log_term)  # -|z|
                    exp(log_term, log_term)
                    log1p(log_term, log_term)
                    maximum(pair, zero, out=pair)
                    add(pair, log_term, pair)
                else:
                    logaddexp(zero, pair, pair)
                total = vdot(weights, pair)
            else:
                # -log a_k = log s - (z_k - max z): the softmax left z - max z in SL and its
                # sum of exponentials s in log_s, so one log, one subtraction and one vdot.
                np.log(log_s, log_s)
                sub(log_s, SL, SL)
                total = vdot(y, SL)
            if rescale:
                mul(DL, scale, DL)
        else:
            total = losses.output_delta_and_loss(loss_name, output, ZL, AL, y, DL, SL, True,
                                                 axis=0)[1]
            if rescale:
                mul(DL, scale, DL)
        for A, G, D, W, DT, DTp, fp, Zp, Al, S in hidden:
            dot(A, D, G)
            dot(W, DT, DTp)
            mul(DTp, fp(Zp, Al, S), DTp)
        dot(x, D_first, G_first)
        for row in fixed_db:
            row.fill(0.0)
        return total

    return pass_


def make_sample_pass(
    net: Network, ws: Workspace, X: Array, Y: Array, want_loss: bool = True
) -> Callable[[int], float]:
    """Forward and backward of sample j of (X, Y) alone: the one per-sample computation that both
    the Trainer's online epochs and the Stepper run (README, "Limits and failures").

    sample(j) copies row j into ws's own contiguous input and target columns before computing,
    so every BLAS call sees the same shapes and strides whoever calls it: the bits of a sample's
    gradient then cannot depend on the caller on any deterministic BLAS kernel. ws must be a
    batch-1 workspace of `net`; ws.grad is left holding the sample's gradient (unscaled). X and
    Y are the data arrays or lists of their rows (a list skips the indexing cost per sample).
    """
    if ws.batch != 1:
        raise ValueError(f"a sample pass needs a workspace of batch 1, got {ws.batch}")
    pass_ = make_pass(net, ws, None, want_loss)
    x_aug = ws.aT_aug[0]
    x_col, y_col = x_aug[:-1, 0], np.empty(net.sizes[-1], net.dtype)

    def sample(j: int) -> float:
        x_col[:] = X[j]
        y_col[:] = Y[j]
        # A new view every sample: the bce loss keeps what it derived from the targets while it
        # is handed the same targets object, and these targets change from sample to sample.
        return pass_(x_aug, y_col[:, None])

    return sample


def make_step(
    net: Network, ws: Workspace, optimizer: SGD, want_loss: bool = True
) -> tuple[Callable, float, float]:
    """One training step for batches of ws.batch samples, as a closure over local buffers.

    Returns (step, loss_factor, grad_scale): step(xT_aug, YT) runs forward, backward and the
    update of one batch; the batch's summed loss is step(...) * loss_factor, and ws.grad is
    left holding grad_scale times the batch-mean gradient.

    With want_loss False the mse loss is left out (the online epoch computes it from the stored
    outputs in one call instead of one per sample) and step returns 0. For plain SGD on
    batches of more than one sample, lr / batch is folded into the output delta, so the blocks
    come out as lr times the mean gradient and the update is one subtraction. Online epochs use
    make_online_step instead.
    """
    sub = np.subtract
    params, grad = net.params, ws.grad
    plain = not (optimizer.momentum or optimizer.l2 or optimizer.l1)
    fold = plain and ws.batch > 1
    scale = np.array(optimizer.lr / ws.batch if fold else 1.0 / ws.batch, net.dtype)
    pass_ = make_pass(net, ws, scale if ws.batch > 1 else None, want_loss)
    opt_step = optimizer.step

    def step(x: Array, y: Array) -> float:
        total = pass_(x, y)
        if fold:
            sub(params, grad, params)
        else:
            opt_step(grad)
        return total

    # the fast mse path returns sum (a - t)^2, not E
    return step, loss_factor(net), (optimizer.lr if fold else 1.0)


def make_online_step(
    net: Network, ws: Workspace, optimizer: SGD, X: Array, Y: Array, want_loss: bool = True
) -> Callable[[int], float]:
    """step(j): sample j's make_sample_pass, then the optimiser's update: what the Stepper does
    for one sample, so a stepped epoch equals an online epoch bit for bit."""
    sample = make_sample_pass(net, ws, X, Y, want_loss)
    sub, mul = np.subtract, np.multiply
    params, grad, tmp = net.params, ws.grad, np.empty_like(net.params)
    plain = not (optimizer.momentum or optimizer.l2 or optimizer.l1)
    lr, opt_step = optimizer._lr, optimizer.step

    def step(j: int) -> float:
        total = sample(j)
        if plain:
            sub(params, mul(grad, lr, tmp), params)  # what SGD.step does, without the call
        else:
            opt_step(grad)
        return total

    return step


def _softmax_keeping(shifted: Array, batch: int) -> Callable[[Array, Array], None]:
    """The output softmax (columns), computing exactly what act.softmax computes, that also
    leaves z - max z in ``shifted`` and the column sums of e^(z - max z) in ``.log_sum``."""
    top = np.empty((1, batch), shifted.dtype)
    total = np.empty((1, batch), shifted.dtype)
    amax, add_reduce, sub, exp, div = np.maximum.reduce, np.add.reduce, np.subtract, np.exp, \
        np.divide

    def softmax(z: Array, a: Array) -> None:
        amax(z, 0, None, top, True)
        sub(z, top, shifted)
        exp(shifted, a)
        add_reduce(a, 0, None, total, True)
        div(a, total, a)

    softmax.log_sum = total
    return softmax

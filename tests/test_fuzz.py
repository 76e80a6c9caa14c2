"""Property-based fuzzing: arbitrary action arrays and call sequences never crash or hang the
pool; every failure is a Python exception, and a valid step always works afterwards."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import fastpool  # noqa: E402

N = 4
_ENV = fastpool.make("CartPole-v1", num_envs=N, seed=0)
_ENV.reset()

dtypes = st.sampled_from(
    [
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float32,
        np.float64,
        bool,
    ]
)
action_arrays = dtypes.flatmap(
    lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6))
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=action_arrays)
def test_any_action_array_steps_or_raises_cleanly(actions):
    valid = actions.shape == (N,) and actions.dtype.kind in "iu" and bool(np.all((actions >= 0) & (actions < 2)))
    if valid:
        obs, *_ = _ENV.step(actions)
        assert obs.shape == (N, 4)
    else:
        with pytest.raises((ValueError, TypeError)):
            _ENV.step(actions)
    _ENV.step(np.zeros(N, dtype=np.int64))  # still usable


calls = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.lists(st.integers(-1, N), min_size=0, max_size=N + 1)),
        st.tuples(st.just("recv"), st.none()),
        st.tuples(st.just("async_reset"), st.none()),
        st.tuples(
            st.just("reset"),
            st.one_of(st.none(), st.integers(-1, 2**64), st.lists(st.integers(0, 9), max_size=N + 1)),
        ),
        st.tuples(st.just("step"), st.integers(0, 2)),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(sequence=calls)
def test_any_call_sequence_keeps_the_pool_consistent(sequence):
    env = fastpool.make("CartPole-v1", num_envs=N, batch_size=2, seed=0)
    for name, arg in sequence:
        try:
            if name == "send":
                env.send(np.zeros(len(arg), dtype=np.int64), np.array(arg, dtype=np.int64))
            elif name == "recv":
                env.recv()
            elif name == "async_reset":
                env.async_reset()
            elif name == "reset":
                env.reset(seed=arg)
            else:
                env.step(np.full(N, arg))
        except (ValueError, TypeError, RuntimeError):
            pass  # refused before anything changed
    env.close()  # never hangs, whatever is in flight
    with pytest.raises(RuntimeError, match="closed"):
        env.recv()

"""fastpool.training, what both trainers share: the fast paths (bfloat16 autocast, uint8 frames
scaled in the first convolution, fused Adam, channels-last, staged copies) equal the plain ones
within stated tolerances; precision choice; configs' shared checks; the family table's answers."""

import dataclasses
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fastpool.dqn import DQNConfig  # noqa: E402
from fastpool.families import family_of  # noqa: E402
from fastpool.pqn import PQNConfig  # noqa: E402
from fastpool.pqn.train import Collector  # noqa: E402
from fastpool.training import Precision, q_network  # noqa: E402
from fastpool.training.networks import NatureCNN  # noqa: E402

CPU = torch.device("cpu")


def _frames(n, seed=0):
    return torch.as_tensor(np.random.default_rng(seed).integers(0, 256, size=(n, 4, 84, 84), dtype=np.uint8))


def _plain_forward(net: NatureCNN, obs: torch.Tensor) -> torch.Tensor:
    """The textbook forward: frames scaled to [0, 1] in float32, then the layers."""
    x = obs.float() / 255.0
    for layer in net.features:
        x = (
            torch.nn.functional.conv2d(x, layer.weight, layer.bias, layer.stride)
            if isinstance(layer, torch.nn.Conv2d)
            else layer(x)
        )
    return net.head(x)


@pytest.mark.parametrize("layer_norm", [False, True])
def test_frames_scaled_in_the_first_convolution_equal_scaled_frames(layer_norm):
    torch.manual_seed(0)
    net = q_network((4, 84, 84), 6, (), layer_norm=layer_norm)
    obs = _frames(16)
    with torch.no_grad():
        got, want = net(obs), _plain_forward(net, obs)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("layer_norm", [False, True])
def test_bf16_q_values_are_within_bf16_rounding_of_fp32(layer_norm):
    """bfloat16 keeps 8 bits of mantissa: Q-values agree to ~2% of their scale."""
    torch.manual_seed(1)
    net = q_network((4, 84, 84), 6, (), layer_norm=layer_norm)
    obs = _frames(64, seed=1)
    fp32, bf16 = Precision(CPU, bf16=False), Precision(CPU, bf16=True)
    with fp32.acting():
        want = net(obs)
    with bf16.acting():
        got = net(obs).float()
    scale = want.abs().max()
    assert (got - want).abs().max() <= 0.03 * scale
    # and the greedy action agrees wherever the best two Q-values are not within that rounding
    top2 = want.topk(2, dim=1).values
    clear = (top2[:, 0] - top2[:, 1]) > 0.06 * scale
    assert torch.equal(got.argmax(1)[clear], want.argmax(1)[clear])


def test_bf16_training_step_follows_fp32():
    """One Adam step under autocast moves the weights as the float32 step does (within bf16's
    rounding of the gradients); weights and optimizer state stay float32."""
    obs, actions, targets = _frames(32, seed=2), torch.randint(0, 6, (32,)), torch.randn(32)
    nets = []
    for bf16 in (False, True):
        torch.manual_seed(2)
        net = q_network((4, 84, 84), 6, (), layer_norm=True)
        precision = Precision(CPU, bf16=bf16)
        opt = precision.optimizer(net.parameters(), 1e-3)
        with precision.autocast():
            q = net(obs).gather(1, actions[:, None]).squeeze(1)
        loss = torch.nn.functional.mse_loss(q.float(), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert all(p.dtype == torch.float32 for p in net.parameters())
        nets.append(net)
    torch.manual_seed(2)
    before = q_network((4, 84, 84), 6, (), layer_norm=True)
    for p0, p32, p16 in zip(before.parameters(), nets[0].parameters(), nets[1].parameters()):
        step32, step16 = p32.detach() - p0.detach(), p16.detach() - p0.detach()
        # Adam's first step is lr * sign(grad) where the gradient is not ~0: the same sign almost everywhere
        agree = (torch.sign(step32) == torch.sign(step16)).float().mean()
        assert agree > 0.9, agree


def test_fused_adam_equals_plain_adam():
    torch.manual_seed(3)
    a = q_network((4,), 3, (32, 32))
    b = q_network((4,), 3, (32, 32))
    b.load_state_dict(a.state_dict())
    fused = Precision(CPU, bf16=False).optimizer(a.parameters(), 1e-3)
    plain = torch.optim.Adam(b.parameters(), lr=1e-3)
    assert fused.defaults.get("fused")
    x = torch.randn(64, 4)
    for _ in range(5):
        for net, opt in ((a, fused), (b, plain)):
            loss = net(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=1e-5, atol=1e-6)


def test_channels_last_network_equals_contiguous():
    """What a CUDA session does to the CNN (NHWC weights, tensor cores' layout), run on the CPU."""
    torch.manual_seed(4)
    net = q_network((4, 84, 84), 6, (), layer_norm=True)
    obs = _frames(8, seed=4)
    with torch.no_grad():
        want = net(obs)
        got = net.to(memory_format=torch.channels_last)(obs)
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_precision_choice():
    cpu_auto = Precision.pick("auto", CPU, images=True)
    assert Precision.pick("fp32", CPU, images=True).bf16 is False
    assert Precision.pick("bf16", CPU, images=False).bf16 is True
    assert Precision.pick("auto", CPU, images=False).bf16 is False  # an MLP stays float32
    has = any(getattr(torch.cpu, n, lambda: False)() for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
    assert cpu_auto.bf16 is has
    assert not Precision.pick("auto", CPU, images=True).channels_last  # NCHW measured faster on CPUs
    assert Precision.pick("auto", torch.device("cuda"), images=True).channels_last


@pytest.mark.parametrize("precision, learner_threads", [("bf16", 1), ("fp32", 4)])
def test_an_overlapped_learner_leaves_the_pool_its_cores_only_when_it_learns_in_bf16(
    monkeypatch, precision, learner_threads
):
    from fastpool.training import session

    monkeypatch.setattr(session, "cpus", lambda: 4)
    cfg = PQNConfig.for_env("Pong", num_envs=8, device="cpu", precision=precision, env_threads=3, eval_freq=0)
    before = torch.get_num_threads()
    try:
        s = session.Session(cfg, "pqn", shares_cores=True)
        assert torch.get_num_threads() == learner_threads
        s.envs.close()
        session.Session(cfg.replace(torch_threads=2), "pqn", shares_cores=True).envs.close()
        assert torch.get_num_threads() == 2  # a stated split wins
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("cls", [DQNConfig, PQNConfig])
def test_precision_field_is_checked(cls):
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16"):
        cls.for_env("CartPole-v1", precision="fp16")


def test_staged_copies_equal_direct_ones():
    """CUDA collectors copy observations through a pinned staging buffer (non-blocking); the
    same staging logic on the CPU collects exactly what direct copies collect."""
    import fastpool

    cfg = PQNConfig.for_env("Breakout", num_envs=4, num_steps=8, env_options={"stack_num": 4})
    rollouts = []
    for staged in (False, True):
        envs = fastpool.make("Breakout", num_envs=4, seed=0, autoreset_mode="same_step")
        collector = Collector(envs, cfg, Precision(CPU, bf16=False), True, np.random.default_rng(0))
        if staged:
            collector.stage = torch.empty((4, 4, 84, 84), dtype=torch.uint8)
        collector.reset(0)
        torch.manual_seed(0)
        net = q_network((4, 84, 84), 4, (), layer_norm=True)
        rollouts.append(collector.collect(net, 0))
        envs.close()
    plain, staged = rollouts
    assert torch.equal(plain.obs, staged.obs) and torch.equal(plain.last_obs, staged.last_obs)
    assert np.array_equal(plain.actions, staged.actions)


def test_family_table_answers():
    atari, cartpole = family_of("Breakout"), family_of("CartPole-v1")
    assert atari.frame_stack({"stack_num": 3}) == 3 and cartpole.frame_stack({}) == 1
    assert atari.game_scores and not cartpole.game_scores
    assert dict(atari.eval_options) == {"episodic_life": False, "reward_clip": False}
    assert dict(atari.sb3_defaults) == {"episodic_life": True, "reward_clip": True}
    assert not cartpole.eval_options and not cartpole.sb3_defaults
    with pytest.raises(TypeError):
        atari.eval_options["reward_clip"] = True  # type: ignore[index]  # shared, so read-only


def test_configs_share_one_base():
    """DQN and PQN configs check their common fields the same way."""
    for cls in (DQNConfig, PQNConfig):
        with pytest.raises(ValueError, match=r"gamma must be in \[0.0, 1.0\], got 2"):
            cls.for_env("CartPole-v1", gamma=2)
        with pytest.raises(TypeError, match=f"unknown {cls.ALGO.upper()} option"):
            cls.for_env("CartPole-v1", nonsense=1)
        cfg = cls.for_env("Breakout")
        assert cfg.env_options == {"episodic_life": True, "reward_clip": True}
        assert dataclasses.replace(cfg).precision == "auto"


def test_cpu_presets_size_atari_for_an_hour_and_pong_keeps_its_learning_rate():
    """On a CPU the Atari family's preset is shortened, then a game's own changes apply on top;
    on a GPU neither does; an override still wins over both."""
    pong, breakout = PQNConfig.for_env("Pong", device="cpu"), PQNConfig.for_env("ALE/Breakout-v5", device="cpu")
    assert pong.total_timesteps == breakout.total_timesteps == 3_000_000
    assert not pong.anneal_lr and breakout.anneal_lr
    assert PQNConfig.for_env("ALE/Pong-v5", device="cpu").anneal_lr is False  # every name of the game
    assert PQNConfig.for_env("Pong", device="cpu", anneal_lr=True).anneal_lr
    on_gpu = PQNConfig.for_env("Pong", device="cuda:0")
    assert on_gpu.anneal_lr and on_gpu.total_timesteps == 10_000_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE")
def test_a_failed_checkpoint_write_keeps_the_last_good_one(tmp_path):
    """Under a file-size limit (`ulimit -f`), the write fails with the path and the cause named,
    the previous checkpoint stays whole and readable, and no temporary file is left."""
    code = textwrap.dedent(
        f"""
        import resource, sys
        from pathlib import Path
        import torch
        from fastpool.training.runs import SaveError, save_atomic
        path = Path({str(tmp_path)!r}) / "checkpoint.pt"
        save_atomic({{"q": torch.zeros(10)}}, path)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))
        try:
            save_atomic({{"q": torch.zeros(1_000_000)}}, path)
        except SaveError as e:
            print(e)
            sys.exit(0)
        sys.exit("no SaveError")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    path = tmp_path / "checkpoint.pt"
    assert f"could not write {path}" in out.stdout and "the previous one is kept" in out.stdout
    assert "File too large" in out.stdout or "file size limit" in out.stdout, out.stdout
    assert torch.load(path, weights_only=False)["q"].shape == (10,)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]

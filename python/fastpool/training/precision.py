"""How the learner computes: the device, bfloat16 autocast where the hardware does it natively
(CUDA; on a CPU, AVX512-BF16 or AMX), detected at run time with a plain float32 fall-back, and
the optimizer. Weights, optimizer state and losses stay float32; autocast runs the convolutions
and matrix products in bfloat16."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import torch


def pick_device(name: str) -> torch.device:
    """ "auto": CUDA where this torch sees a GPU, else the CPU; or a torch device name. A device
    this torch cannot use is a ValueError that says how to get one."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as e:
        raise ValueError(f"device {name!r} is not a torch device ({e}); use auto, cpu or cuda") from e
    if device.type == "cuda" and not torch.cuda.is_available():
        why = "this torch is a CPU build" if torch.version.cuda is None else "it sees no CUDA GPU"
        raise ValueError(
            f"device {name!r}: {why}. Use --device cpu (or auto), or install a CUDA build of torch "
            "(pip install torch --index-url https://download.pytorch.org/whl/cu126)"
        )
    return device


def native_bf16(device: torch.device) -> bool:
    """Whether this device computes bfloat16 matrix products in hardware."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        cpu = getattr(torch, "cpu", None)
        checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        return any(getattr(cpu, name, lambda: False)() for name in checks)
    return False


@dataclass(frozen=True)
class Precision:
    device: torch.device
    bf16: bool  # autocast to bfloat16

    @classmethod
    def pick(cls, name: str, device: torch.device, images: bool) -> Precision:
        """ "auto": bfloat16 for image networks where `native_bf16` (an MLP over a few numbers
        gains nothing and its Q-values would lose digits), else float32; "fp32"; "bf16"
        (emulated, slowly, where the hardware lacks it)."""
        return cls(device, name == "bf16" or (name == "auto" and images and native_bf16(device)))

    def autocast(self) -> contextlib.AbstractContextManager:
        if not self.bf16:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    @contextlib.contextmanager
    def acting(self) -> Iterator[None]:
        """Forward passes whose results leave torch (actions): no autograd record at all."""
        with torch.inference_mode(), self.autocast():
            yield

    @contextlib.contextmanager
    def targets(self) -> Iterator[None]:
        """Forward passes for learning targets: no gradient (plain no_grad, since a loss keeps
        its target for the backward pass, which inference tensors refuse)."""
        with torch.no_grad(), self.autocast():
            yield

    @property
    def channels_last(self) -> bool:
        # Tensor cores want NHWC; on CPUs oneDNN's bfloat16 convolutions measured faster in NCHW
        # (Nature CNN, batch 128, AMD EPYC with AVX512-BF16: a train step 42-68 ms NHWC, 31-39 NCHW).
        return self.device.type == "cuda"

    def optimizer(self, params: Iterable[torch.nn.Parameter], lr: float) -> torch.optim.Adam:
        """Adam, fused (one kernel for every parameter) where torch offers it for the device."""
        params = list(params)
        try:
            return torch.optim.Adam(params, lr=lr, fused=self.device.type in ("cpu", "cuda"))
        except (RuntimeError, TypeError):  # a device without a fused kernel
            return torch.optim.Adam(params, lr=lr)

"""Where torch runs (`RXNYIELD_DEVICE`), and the settings that make CPU runs bit-identical."""

from __future__ import annotations

import os
from contextlib import nullcontext

import torch


def torch_device() -> torch.device:
    """Where the torch models run: `RXNYIELD_DEVICE` = `auto` (the default: CUDA when torch sees a GPU),
    `cpu`, `cuda` or `cuda:N`. Forcing `cpu` on a GPU machine reproduces the CPU numbers bit for bit."""
    setting = os.environ.get("RXNYIELD_DEVICE", "auto")
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(setting)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"RXNYIELD_DEVICE={setting}, but torch sees no CUDA device (a CPU build of torch?)")
    return device


def creating_on(device: torch.device):
    """A context in which new tensors and modules land on `device`. None on the CPU, torch's default anyway:
    torch's device context also switches off the transformer's fused inference kernels, which would change
    CPU numbers (by ~1e-6) against those computed without it."""
    return nullcontext() if device.type == "cpu" else device


def make_deterministic(threads: int, device: torch.device) -> None:
    """Bit-identical results on CPU. CUDA has no deterministic kernel for some scatter operations, so there
    torch only warns: GPU results agree with CPU ones within tolerance, not bitwise."""
    torch.set_num_threads(threads)
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS reductions
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        torch.use_deterministic_algorithms(True)

"""UAM with its authors' learning-rate schedule, which the pipeline cannot switch without re-training every cached
torch run (the schedule sits in the trainer all torch models share, `rxnyield.models.torch_trainer`).

The authors' train.py builds `CosineAnnealingLR(optimizer, T_max=epochs, eta_min=5e-5)` and their utils.train steps it
after every batch. Past T_max torch's schedule rises again, so over a run the rate swings between 1e-3 and 5e-5 with
a half-period of T_max batches: T_max/10 epochs on BH (10 batches of 256 an epoch here), T_max/14 on SM, so five
or seven cycles in any run length; the checkpoint with the best held-out R² is kept. The pipeline steps the same
schedule once per epoch: one decay over the run.

This script trains a paper-profile UAM entry (`uam`, or `uam_300_epochs` for the authors' 300 epochs) through the
pipeline's own job (`rxnyield.job.train_and_evaluate`: same features, split, held-out rows, seeds and model) with
only the schedule stepped per batch; `--schedule epoch` trains the pipeline's own schedule on this machine
instead, a same-machine reference (the cached runs may come from another CPU class). Each run is merged into
`src/data/measured/uam_schedule.json` under `<dataset>/<model>/<split>/seed<k>/<schedule>`, with its held-out R²
after every epoch, the epoch kept, and the paper profile's runs of the same entry and split it is paired with
(`reference`, read from the build's aggregated metrics); the manuscript quotes the pairs through
`\\variable{output/uam_schedule_*}`. Needs a built paper profile and its features (`make paper` restores runs
without them: `snakemake --profile profiles/paper results/paper/features/bh/features.npz`). A BH run of `uam`
took 30 min on an AMD AVX2 core with another job on the second (the build's own take about 11.5 min on AMD
AVX-512), an SM run 40 min; a BH run of `uam_300_epochs` 90 min alone with `--threads 2`; e.g.
    .venv/bin/python benchmarks/uam_schedule.py --dataset bh --splits FullCV_01 FullCV_02 FullCV_03
"""

from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import torch

from outside_build import arguments, measure, unchanged
from rxnyield.models import torch_trainer

OUT = Path("src/data/measured/uam_schedule.json")
SCHEDULES = ("batch", "epoch")


class Unstepped:
    """Stands in for the per-epoch schedule the trainer steps, once the optimiser steps its own after each batch."""

    def step(self) -> None:
        pass


@dataclass(frozen=True)
class PerBatchSchedule(torch_trainer.TrainingSettings):
    """The trainer's settings with the cosine schedule stepped after every optimiser step (the authors' utils.train),
    T_max still the number of epochs."""

    def optimiser(self, parameters) -> torch.optim.Optimizer:
        optimiser = super().optimiser(parameters)
        per_batch = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=self.epochs, eta_min=self.lr_min)
        optimiser.register_step_post_hook(lambda *_: per_batch.step())
        return optimiser

    def schedule(self, optimiser: torch.optim.Optimizer) -> Unstepped:
        return Unstepped()


def schedule_of(kind: str):
    """The trainer as the pipeline runs it (`epoch`), or with the authors' per-batch schedule (`batch`)."""
    return unchanged() if kind == "epoch" else mock.patch.object(torch_trainer, "TrainingSettings", PerBatchSchedule)


if __name__ == "__main__":
    measure(arguments(__doc__.splitlines()[0], OUT, "schedule", SCHEDULES, "batch",
                      "batch: the authors' (default); epoch: the pipeline's, trained here"),
            "schedule", schedule_of)

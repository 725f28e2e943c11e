"""Yield-BERT with its authors' own fine-tuning loop, to test what the `yieldbert` entry still departs from.

With the authors' hidden dropout inside BERT, the `yieldbert` entry predicts the training mean (R² ≈ 0), where
their runs reach R² ≈ 0.95 (rxn_yields `trained_models/*/eval_results.txt`). Two differences of its training
loop could not be switched in the pipeline without re-training every cached torch run (they sit in the trainer
all torch models share), and its library is 3 major versions newer than theirs. This script fine-tunes the same
pretrained rxnfp BERT on the same split, tokens and standardized yields as the pipeline, but in the loop of
simpletransformers 0.34.4 that their scripts used: `BertForSequenceClassification` (num_labels 1, MSE), AdamW
(weight decay 0, eps 1e-8), the learning rate decaying linearly to 0 step by step, gradients clipped at norm 1,
shuffled batches; dropout, learning rate and batch size are the `yieldbert` entry's of the paper profile.

Run it once with the installed transformers and once with the authors' 2.11.0, installed beside the project
(it imports with this torch; with it, rxnfp's tokenizer of their scripts imports too, and the run records how
many reactions it would give other token ids than the pipeline does):
    .venv/bin/pip install --target /tmp/transformers-2.11 --no-deps transformers==2.11.0 sentencepiece sacremoses \
        "setuptools<81"
    .venv/bin/python benchmarks/yieldbert_fidelity.py --label installed
    .venv/bin/python benchmarks/yieldbert_fidelity.py --label authors --transformers /tmp/transformers-2.11
then over their epochs: the 10 of their BH script (`training_scripts/launch_buchwald_hartwig_training.py`,
the schedule of their epoch-10 checkpoints), and the first 10 of the 15-epoch schedule of their later re-run
(`trained_models/buchwald_hartwig/FullCV_07_split_2768/checkpoint-2595-epoch-15`); 5-10 min an epoch on a core:
    .venv/bin/python benchmarks/yieldbert_fidelity.py --label authors_10_epochs --transformers /tmp/transformers-2.11 \
        --epochs 10
    .venv/bin/python benchmarks/yieldbert_fidelity.py --label authors_epoch10 --transformers /tmp/transformers-2.11 \
        --epochs 15 --stop-after 10
and their 10 epochs with other torch seeds (weights, dropout and batch order; one run each):
    .venv/bin/python benchmarks/yieldbert_fidelity.py --label authors_10_epochs_seed1 \
        --transformers /tmp/transformers-2.11 --epochs 10 --seed 1
Test R² is measured after every epoch (in eval mode, which draws no random numbers, so the training is the same
as without it). Each run is merged into `src/data/measured/yieldbert_fidelity.json` under its label; the
manuscript quotes it through `\\variable{output/yieldbert_loop_<label>_<name>.txt}`. Needs the paper profile's
BH features (`make paper` builds them).
"""

import argparse
import json
import math
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch

from rxnyield.config import features_file, load_config, profile_config_files, run_config
from rxnyield.data.reactions import load_reactions, load_split
from rxnyield.featurizers.bundle import FeatureBundle
from rxnyield.models.yieldbert import BertVocabulary, pretrained_bert_dir
from rxnyield.nn.transformer import pad
from rxnyield.pretrain import bundle_sequences
from rxnyield.stats import regression_metrics

OUT = Path("src/data/measured/yieldbert_fidelity.json")
CLIP_NORM = 1.0  # simpletransformers' max_grad_norm
ADAM_EPS = 1e-8  # simpletransformers' adam_epsilon
EVAL_BATCH = 64


def authors_token_mismatches(sequences: list[str], encoded: list[list[int]], vocab: Path) -> int:
    """How many reactions get other token ids from rxnfp's `SmilesTokenizer`, the tokenizer of the authors'
    scripts, than from the pipeline (it imports only with their transformers)."""
    from rxnfp.tokenization import SmilesTokenizer

    tokenizer = SmilesTokenizer(str(vocab))
    return sum(tokenizer.convert_tokens_to_ids([tokenizer.cls_token, *tokenizer.tokenize(sequence),
                                                tokenizer.sep_token]) != ids
               for sequence, ids in zip(sequences, encoded))


def finetune(run: dict, epochs: int, root: Path, stop_after: int, compare_tokens: bool) -> dict:
    from transformers import BertForSequenceClassification

    params, seeds = run["model_params"], run["seeds"]
    torch.set_num_threads(run["threads"])
    torch.manual_seed(seeds["torch"])
    bundle = FeatureBundle.load(features_file(root / run["results_dir"], run["dataset"]))
    reactions = load_reactions(run["dataset"], run["dataset_spec"], root)
    train_idx, test_idx = load_split(run["dataset_spec"], run["split"], reactions, root)
    bert_dir = pretrained_bert_dir()
    vocabulary = BertVocabulary(bert_dir / "vocab.txt")
    sequences = bundle_sequences(bundle)
    encoded = [vocabulary.encode(s) for s in sequences]
    checked = {"token_mismatches": authors_token_mismatches(sequences, encoded, bert_dir / "vocab.txt")
               } if compare_tokens else {}
    tokens, lengths = pad(encoded), torch.as_tensor([len(e) for e in encoded])
    yields = torch.as_tensor(np.array(bundle.yields), dtype=torch.float32)
    mean, std = yields[train_idx].mean(), yields[train_idx].std()
    model = BertForSequenceClassification.from_pretrained(str(bert_dir), num_labels=1,
                                                          hidden_dropout_prob=params["bert_dropout"])
    optimizer = torch.optim.AdamW(model.parameters(), lr=params["lr"], eps=ADAM_EPS,
                                  weight_decay=params["weight_decay"])
    steps = math.ceil(len(train_idx) / params["batch_size"]) * epochs
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: max(0.0, 1 - step / steps))

    def standardized_prediction(idx: torch.Tensor) -> torch.Tensor:
        batch = tokens[idx, : int(lengths[idx].max())]
        return model(input_ids=batch, attention_mask=(batch != 0).long())[0].squeeze(-1)

    def test_prediction() -> torch.Tensor:
        """Yields predicted for the test set in eval mode (no dropout, so no random numbers are drawn)."""
        model.eval()
        with torch.no_grad():
            return torch.cat([standardized_prediction(idx)
                              for idx in torch.as_tensor(test_idx).split(EVAL_BATCH)]) * std + mean

    rng = np.random.default_rng(seeds["data"])
    started, train_loss, r2_by_epoch = time.perf_counter(), [], []
    for _ in range(stop_after):
        model.train()
        losses = []
        for idx in torch.as_tensor(rng.permutation(train_idx)).split(params["batch_size"]):
            loss = torch.mean((standardized_prediction(idx) - (yields[idx] - mean) / std) ** 2)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
        train_loss.append(round(float(np.mean(losses)), 4))
        predicted = test_prediction()
        r2_by_epoch.append(round(regression_metrics(yields[test_idx].numpy(), predicted.numpy())["r2"], 4))
        print(f"epoch {len(train_loss)}: train loss {train_loss[-1]}, test R² {r2_by_epoch[-1]}", flush=True)
    return {**checked, "r2": r2_by_epoch[-1], "r2_by_epoch": r2_by_epoch, "train_loss": train_loss,
            "prediction_std": round(float(predicted.std()), 3),
            "target_std": round(float(yields[test_idx].std()), 3), "seconds": round(time.perf_counter() - started)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="the key of this run in the output, e.g. installed, authors")
    parser.add_argument("--transformers", type=Path, help="a folder holding another transformers, imported first")
    parser.add_argument("--dataset", default="bh")
    parser.add_argument("--split", help="default: the dataset's first split")
    parser.add_argument("--epochs", type=int, help="epochs of the learning-rate schedule (default: the yieldbert "
                        "entry's)")
    parser.add_argument("--stop-after", type=int, help="train only the first N epochs of that schedule, as the "
                        "authors' checkpoints at epoch 10 of 15 were (default: all)")
    parser.add_argument("--seed", type=int, help="the torch seed (weights, dropout; batches: the data seed + it), as "
                        "a pipeline run's; default: the profile's first")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.transformers is not None:
        if not (args.transformers / "transformers").is_dir():
            raise SystemExit(f"{args.transformers}: no transformers package there (see this script's docstring)")
        sys.path.insert(0, str(args.transformers))
    import transformers

    root = Path(".")
    config = load_config(*profile_config_files("paper"))
    split = args.split or config["datasets"][args.dataset]["splits"][0]
    seed = config["seeds"]["torch"][0] if args.seed is None else args.seed
    run = dict(run_config(config, args.dataset, "yieldbert", split, seed), results_dir=config["results_dir"])
    epochs = args.epochs or run["model_params"]["epochs"]
    stop_after = args.stop_after or epochs
    if not 1 <= stop_after <= epochs:
        parser.error(f"--stop-after {stop_after}: choose 1 to {epochs} (the schedule's epochs)")
    measured = finetune(run, epochs, root, stop_after, compare_tokens=args.transformers is not None)
    record = json.loads(args.out.read_text()) if args.out.exists() else {"runs": {}}
    record["runs"][args.label] = {
        "transformers": transformers.__version__, "torch": torch.__version__, "dataset": args.dataset,
        "split": split, "seed": seed, "epochs": epochs, "epochs_trained": stop_after,
        "bert_dropout": run["model_params"]["bert_dropout"],
        "processor": platform.processor() or platform.machine(), "measured": date.today().isoformat(), **measured}
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record["runs"][args.label]))


if __name__ == "__main__":
    main()

import math

import pytest
import torch

from rxnyield.nn.losses import combined_loss, heteroscedastic_loss


def test_heteroscedastic_loss_matches_a_hand_computed_value():
    mean = torch.tensor([0.0, 1.0])
    log_variance = torch.tensor([0.0, math.log(4.0)])
    target = torch.tensor([1.0, 3.0])
    # ((1-0)^2/1 + 0 + (3-1)^2/4 + log 4) / 2
    expected = (1.0 + 1.0 + math.log(4.0)) / 2
    assert heteroscedastic_loss(mean, log_variance, target).item() == pytest.approx(expected, rel=1e-6)


def test_combined_loss_weights_mse_and_uncertainty_terms():
    mean, log_variance, target = torch.tensor([0.0]), torch.tensor([0.0]), torch.tensor([2.0])
    # MSE = 4, L_u = 4 / 1 + 0 = 4
    assert combined_loss(mean, log_variance, target, 0.9, 0.1).item() == pytest.approx(4.0)
    assert combined_loss(mean, log_variance, target, 1.0, 0.0).item() == pytest.approx(4.0)
    assert combined_loss(mean, torch.tensor([math.log(2.0)]), target, 0.0, 1.0).item() == \
        pytest.approx(2.0 + math.log(2.0), rel=1e-6)

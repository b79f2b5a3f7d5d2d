"""Linear classifier head with dropout on the pooled features, the head of
MobileNetV2-family networks (PONAS, FBNet, ...) that mmcls' LinearClsHead
lacks."""
from typing import Tuple

import torch
import torch.nn as nn
from mmcls.models.heads import LinearClsHead

from mmnas.registry import MODELS


@MODELS.register_module()
class DropoutLinearClsHead(LinearClsHead):
    """``LinearClsHead`` that applies ``Dropout(dropout_rate)`` before the
    fully connected layer (training only, as usual for dropout).

    Args:
        dropout_rate (float): Probability of zeroing a feature.
    """

    def __init__(self, *args, dropout_rate: float = 0.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not 0.0 <= dropout_rate < 1.0:
            raise ValueError(
                f'dropout_rate must be in [0, 1), got {dropout_rate}')
        self.dropout = nn.Dropout(dropout_rate) if dropout_rate > 0 \
            else nn.Identity()

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return self.dropout(super().pre_logits(feats))

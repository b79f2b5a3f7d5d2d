"""One of two fixed, disjoint parts of a dataset (e.g. weight and
architecture data of a differentiable search)."""
from typing import Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmnas.registry import DATASETS
from mmnas.utils import UserError


@DATASETS.register_module()
class SplitDataset:
    """The samples of ``dataset`` in part ``part`` (0: the first ``ratio``
    share of a permutation drawn with ``seed``, 1: the rest). Both parts,
    built with the same ``ratio`` and ``seed``, are disjoint and together
    cover the dataset.

    Args:
        dataset (dict | BaseDataset): The dataset to split.
        ratio (float): Share of part 0, in (0, 1).
        part (int): 0 or 1.
        seed (int): Seed of the permutation.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 ratio: float = 0.8,
                 part: int = 0,
                 seed: int = 0) -> None:
        if not 0 < ratio < 1 or part not in (0, 1):
            raise UserError(f'SplitDataset needs 0 < ratio < 1 and part 0 '
                            f'or 1, got ratio={ratio}, part={part}.')
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
        n = len(self.dataset)
        order = np.random.RandomState(seed).permutation(n)
        cut = int(round(n * ratio))
        if cut in (0, n):
            raise UserError(f'SplitDataset: ratio {ratio} of {n} samples '
                            'leaves a part empty; use a ratio nearer 0.5.')
        self.indices = np.sort(order[:cut] if part == 0 else order[cut:])

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, idx: int):
        return self.dataset[int(self.indices[idx])]

from .split_dataset import SplitDataset

__all__ = ['SplitDataset']

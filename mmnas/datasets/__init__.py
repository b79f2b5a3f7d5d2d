from .image_folder import ImageFolder
from .split_dataset import SplitDataset

__all__ = ['ImageFolder', 'SplitDataset']

"""Images in class folders (``<data_root>/<prefix>/<class>/*.png``), as
mmcls' CustomDataset reads them, with the usual mistakes refused: a data
folder that is not there or holds no class folder or no image (mmcls fails
with a bare error), and a class folder without images (mmcls only warns,
and the class then silently never appears in training)."""
import os.path as osp

from mmcls.datasets import CustomDataset
from mmcls.datasets.custom import find_folders

from mmnas.registry import DATASETS
from mmnas.utils import UserError


@DATASETS.register_module()
class ImageFolder(CustomDataset):
    """mmcls ``CustomDataset`` (folder layout, no annotation file) that
    raises :class:`UserError` for a missing data folder, one without class
    folders or images, or an empty class folder."""

    def _find_samples(self):
        if not osp.isdir(self.img_prefix):
            raise UserError(
                f'data folder {self.img_prefix!r} does not exist. Create the '
                'data (digits: python tools/dataset_converters/'
                'prepare_digits.py) or point the config at it, e.g. '
                '--cfg-options train_dataloader.dataset.data_root=DIR.')
        if not find_folders(self.img_prefix)[0]:
            raise UserError(
                f'{self.img_prefix!r} holds no class folder; expected '
                f'{self.img_prefix}/CLASS/IMAGE.')
        try:
            samples = super()._find_samples()
        except RuntimeError as e:  # mmcls: no image in any class folder
            raise UserError(
                f'no class folder in {self.img_prefix!r} holds an image '
                f'({", ".join(self.extensions)}). Add the images.') from e
        seen = {label for _, label in samples}
        empty = sorted(c for c, i in self.folder_to_idx.items()
                       if i not in seen)
        if empty:
            raise UserError(
                f'class folder(s) {", ".join(empty)} in {self.img_prefix!r} '
                f'hold no image ({", ".join(self.extensions)}). Add images '
                'or remove the empty folder(s) from every split.')
        return samples

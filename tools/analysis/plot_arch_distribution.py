"""Plot the architecture distribution a differentiable search recorded
(``arch_distribution.jsonl`` of ArchDistributionHook) as a heatmap PNG.

    python tools/analysis/plot_arch_distribution.py \
        WORK_DIR/arch_distribution.jsonl --out arch.png
"""
import argparse
import sys

from mmnas.engine.hooks import plot_arch_history
from mmnas.utils import cli_main


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('jsonl', help='arch_distribution.jsonl')
    parser.add_argument('--out', required=True, help='PNG to write')
    args = parser.parse_args(argv)
    print(f'heatmap written to {plot_arch_history(args.jsonl, args.out)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

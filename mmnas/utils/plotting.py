"""What the tools that draw PNGs share: a matplotlib that needs no screen,
and a PNG that appears complete or not at all."""
from .io import atomic_open


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (imported on first use, so
    importing mmnas does not import matplotlib)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def save_png(fig, out: str) -> str:
    """Write ``fig`` to ``out`` atomically, close it, and return ``out``."""
    with atomic_open(out, 'wb') as f:
        fig.savefig(f, format='png', dpi=100)
    pyplot().close(fig)
    return out

from .log_likelihood import LogLikelihood

__all__ = ['LogLikelihood']

from .subnet import SubnetFileError, dump_subnet, load_subnet

__all__ = ['load_subnet', 'dump_subnet', 'SubnetFileError']

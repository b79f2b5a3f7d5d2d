from .algorithms import *  # noqa: F401,F403
from .architectures import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .mutables import *  # noqa: F401,F403
from .mutators import *  # noqa: F401,F403
from .ops import *  # noqa: F401,F403
from .subnet import SubnetModel, to_static  # noqa: F401

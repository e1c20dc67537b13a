from . import privacy
from . import rating

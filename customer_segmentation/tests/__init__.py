from . import test_clustering
from . import test_dimensions
from . import test_scores
from . import test_segment
from . import test_tour
from . import test_experiment
from . import test_overview

from . import test_engine_quality
from . import test_quality_standardise
from . import test_quality_duplicates
from . import test_quality_completeness
from . import test_quality_import
from . import test_quality_privacy
from . import test_quality_tour
from . import test_overview

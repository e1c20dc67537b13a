from . import test_datagen
from . import test_demo_mails
from . import test_fuzz_bad_input
from . import test_partner_merge
from . import test_perf_smoke
from . import test_privacy_anonymise
from . import test_security_matrix
from . import test_translations

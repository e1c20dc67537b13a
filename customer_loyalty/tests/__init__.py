from . import test_birthday
from . import test_concurrency
from . import test_expiry
from . import test_i18n
from . import test_ledger
from . import test_portal
from . import test_security_reports
from . import test_tiers

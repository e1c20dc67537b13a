"""Print Odoo's requirements.txt as pins that install on this Python.

Odoo's pins for Python 3.11 do not build here (cbor2 5.4.x needs pkg_resources);
its pins for 3.12 install cleanly on 3.11, so markers are evaluated as if the
interpreter were 3.12. psycopg2 becomes the psycopg2-binary wheel and
python-ldap (only for auth_ldap, needs system headers) is left out. python-dateutil becomes
a minimum, because pandas 3 needs 2.9 and Odoo runs on it.
"""

import sys

from packaging.markers import Marker
from packaging.requirements import Requirement

ENVIRONMENT = {"python_version": "3.12", "python_full_version": "3.12.0"}
SKIPPED = {"python-ldap"}
RENAMED = {"psycopg2": "psycopg2-binary"}
AT_LEAST = {"python-dateutil"}


def pins(lines):
    for raw in lines:
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker and not Marker(str(requirement.marker)).evaluate(ENVIRONMENT):
            continue
        name = requirement.name.lower()
        if name in SKIPPED:
            continue
        specifier = str(requirement.specifier)
        if name in AT_LEAST:
            specifier = specifier.replace("==", ">=")
        yield f"{RENAMED.get(name, requirement.name)}{specifier}"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print("\n".join(pins(handle)))

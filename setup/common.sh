# Shared steps of setup/demo, setup/test and tests/perf/bench: each is idempotent.
# Sourced, not run. Every failure ends in one sentence on stderr and a non-zero exit.

set -euo pipefail

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$PROJECT_ROOT/.venv"
VAR="$PROJECT_ROOT/var"
ODOO_RC_FILE="$VAR/odoo.conf"
ODOO_UPSTREAM=https://github.com/odoo/odoo.git
ADDONS="customer_360,customer_segmentation,customer_lifecycle,customer_loyalty,customer_360_queue"
EXTRA_ADDONS="helpdesk_mgmt,helpdesk_mgmt_rating,queue_job"
# The seeded data generator of setup/demo, the benchmark and the tests: a test-only addon, never
# one of the product's addons.
DEMO_DATA_ADDON="customer_360_demo_data"

die() {
    echo "error: $*" >&2
    exit 1
}

say() {
    echo "==> $*"
}

# Odoo 18.0: $ODOO_SRC, else /opt/odoo-18.0, else a shallow clone of upstream into var/.
resolve_odoo_src() {
    if [[ -n "${ODOO_SRC:-}" ]]; then
        [[ -f "$ODOO_SRC/odoo/release.py" ]] ||
            die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (no odoo/release.py there)."
    elif [[ -f /opt/odoo-18.0/odoo/release.py ]]; then
        ODOO_SRC=/opt/odoo-18.0
    elif [[ -f "$VAR/odoo-18.0/odoo/release.py" ]]; then
        ODOO_SRC="$VAR/odoo-18.0"
    else
        say "cloning Odoo 18.0 (shallow) from $ODOO_UPSTREAM"
        mkdir -p "$VAR"
        if ! git clone --quiet --depth 1 --branch 18.0 "$ODOO_UPSTREAM" "$VAR/odoo-18.0.part" 2>/dev/null; then
            rm -rf "$VAR/odoo-18.0.part"
            die "no Odoo 18.0 source: set ODOO_SRC to an Odoo 18.0 tree, or give this machine access to $ODOO_UPSTREAM."
        fi
        mv "$VAR/odoo-18.0.part" "$VAR/odoo-18.0"
        ODOO_SRC="$VAR/odoo-18.0"
    fi
    grep -q "^version_info = (18, 0" "$ODOO_SRC/odoo/release.py" ||
        die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0."
    export ODOO_SRC
}

# PostgreSQL reachable on the local socket, with a role for the current user.
ensure_postgres() {
    if ! command -v psql >/dev/null 2>&1; then
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "installing PostgreSQL (Debian package)"
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null ||
                die "PostgreSQL is not installed and apt-get could not install it."
        else
            die "PostgreSQL is not installed; install it (Debian: apt-get install postgresql) and run again."
        fi
    fi
    if ! pg_isready -q 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
            local version
            version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
            [[ -n "$version" ]] || die "PostgreSQL has no cluster on this machine (nothing in /etc/postgresql)."
            pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
            for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q && break; sleep 1; done
        fi
        pg_isready -q || die "PostgreSQL is not reachable on the local socket; start it and run again."
    fi
    local me
    me=$(id -un)
    [[ "$me" != "postgres" ]] || die "Odoo refuses the database user 'postgres'; run as another user."
    if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
        if [[ $(id -u) -eq 0 ]]; then
            su postgres -c "createuser --createdb --superuser $me" >/dev/null 2>&1 ||
                die "could not create the PostgreSQL role '$me'."
        else
            die "PostgreSQL has no role '$me'; create it with CREATEDB (createuser -d $me) and run again."
        fi
    fi
    if [[ "$(psql -d postgres -Atc "select count(*) from pg_available_extensions where name = 'pg_trgm'")" != "1" ]]; then
        die "PostgreSQL lacks the pg_trgm extension (Debian: postgresql-contrib)."
    fi
}

# pip without the warnings some machines' pip.conf adds for absent local indexes.
quiet_pip() {
    "$VENV/bin/python" -m pip "$@" 2> >(grep -v "^WARNING: Location .* is ignored" >&2)
}

# .venv with Odoo (editable, compat mode), its dependencies and requirements.txt, at the versions
# of requirements.lock (the tree the tests passed with; ./setup/lock refreshes it).
ensure_venv() {
    local stamp="$VENV/.installed"
    local want
    want=$(cat "$PROJECT_ROOT/requirements.txt" "$PROJECT_ROOT/requirements.lock" "$ODOO_SRC/requirements.txt" | sha1sum | cut -c1-12)-$ODOO_SRC
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || die "python3 is not installed."
    if [[ ! -x "$VENV/bin/python" ]]; then
        say "creating .venv"
        python3 -m venv "$VENV" || die "could not create a virtual environment (python3 -m venv)."
    fi
    local pip=(quiet_pip install --quiet --disable-pip-version-check -c "$PROJECT_ROOT/requirements.lock")
    say "installing Odoo's Python dependencies"
    "${pip[@]}" packaging || die "pip could not install packaging; is PyPI reachable?"
    "$VENV/bin/python" "$PROJECT_ROOT/setup/odoo_requirements.py" "$ODOO_SRC/requirements.txt" >"$VAR/odoo-requirements.txt"
    "${pip[@]}" -r "$VAR/odoo-requirements.txt" || die "pip could not install Odoo's dependencies (see above)."
    say "installing Odoo from $ODOO_SRC (editable)"
    "${pip[@]}" --no-deps -e "$ODOO_SRC" --config-settings editable_mode=compat ||
        die "pip could not install Odoo from $ODOO_SRC."
    say "installing requirements.txt"
    "${pip[@]}" -r "$PROJECT_ROOT/requirements.txt" || die "pip could not install requirements.txt (see above)."
    echo "$want" >"$stamp"
}

# var/odoo.conf: addons path with Odoo's addons, the OCA wheels' addons and this project.
write_config() {
    local oca
    oca=$("$VENV/bin/python" - <<'EOF'
import os, odoo.addons
paths = [p for p in odoo.addons.__path__ if os.path.isdir(os.path.join(p, "helpdesk_mgmt"))]
print(paths[0] if paths else "")
EOF
)
    [[ -n "$oca" ]] || die "the OCA addons (helpdesk_mgmt) are not installed in .venv."
    mkdir -p "$VAR/filestore"
    cat >"$ODOO_RC_FILE" <<EOF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$oca,$PROJECT_ROOT,$PROJECT_ROOT/tests/addons
data_dir = $VAR/filestore
db_host = False
db_port = False
db_user = $(id -un)
list_db = True
without_demo = all
log_level = warn
server_wide_modules = base,web
http_port = ${C360_HTTP_PORT:-8069}
EOF
    export ODOO_RC="$ODOO_RC_FILE"
}

# Chromium for tours; returns 1 when it cannot be had.
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then
        return 0
    fi
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing Chromium for the tours (Debian package)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || true
    fi
    command -v chromium >/dev/null 2>&1
}

# Through the console script, as production launches it: with workers, Odoo starts its websocket
# process as `sys.executable sys.argv[0] gevent`, which `python -m odoo` breaks (argv[0] is then
# odoo/__main__.py, which fails on a relative import and is respawned in a loop).
odoo_bin() {
    "$VENV/bin/odoo" -c "$ODOO_RC_FILE" "$@"
}

# The first free TCP port on localhost from $1 upwards.
free_port() {
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$((port + 1))
    done
    echo "$port"
}

db_exists() {
    [[ "$(psql -d postgres -Atc "select 1 from pg_database where datname = '$1'")" == "1" ]]
}

prepare() {
    mkdir -p "$VAR"
    resolve_odoo_src
    ensure_postgres
    ensure_venv
    write_config
}

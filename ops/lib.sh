# Shared by ops/ scripts: locations, ports, secrets and connection strings of the local set-up.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SEIZUREINTEL_PG_PORT=${SEIZUREINTEL_PG_PORT:-55432}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Passwords are never committed: ops/postgres generates them at first start into this git-ignored, mode-0600 file.
secrets="$here/.local/secrets.env"

# The PostgreSQL logins and the variable of secrets.env that holds each one's password: per agency (and the tests) an
# owner login (seizureintel_<a>: owns the schemas, applies changes) and a runtime login (seizureintel_<a>_runtime: the
# node runs on it; data only, no schema changes).
secret_names=(SEIZUREINTEL_PG_PASSWORD_POSTGRES
  SEIZUREINTEL_PG_PASSWORD_SSEP SEIZUREINTEL_PG_PASSWORD_SSDC SEIZUREINTEL_PG_PASSWORD_MVD SEIZUREINTEL_PG_PASSWORD_TEST
  SEIZUREINTEL_PG_PASSWORD_SSEP_RUNTIME SEIZUREINTEL_PG_PASSWORD_SSDC_RUNTIME SEIZUREINTEL_PG_PASSWORD_MVD_RUNTIME
  SEIZUREINTEL_PG_PASSWORD_TEST_RUNTIME
  SEIZUREINTEL_RABBITMQ_PASSWORD_SSEP SEIZUREINTEL_RABBITMQ_PASSWORD_SSDC SEIZUREINTEL_RABBITMQ_PASSWORD_MVD)
# RabbitMQ: the broker's port (ops/rabbitmq, the tests) and the installation's virtual host with one user per agency.
export SEIZUREINTEL_RABBITMQ_PORT=${SEIZUREINTEL_RABBITMQ_PORT:-5672}
export SEIZUREINTEL_RABBITMQ_VHOST=seizureintel

# ensure_secrets: create .local/secrets.env (0600) with a random password for each name it lacks, then load it.
ensure_secrets() {
  mkdir -p "$here/.local"
  # .local is root's (or the checkout owner's): a service user owns only its own folder inside it.
  if [ "$(id -u)" -eq 0 ]; then chown 0:0 "$here/.local"; chmod 755 "$here/.local"; fi
  ( umask 077; touch "$secrets" )
  chmod 600 "$secrets"
  local name
  for name in "${secret_names[@]}"; do
    grep -q "^$name=" "$secrets" || printf '%s=%s\n' "$name" "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)" >>"$secrets"
  done
  load_secrets
}

load_secrets() {
  [ -f "$secrets" ] || { echo "no $secrets yet: run ops/postgres start first" >&2; return 1; }
  set -a; source "$secrets"; set +a
}

# password_of AGENCY|test|postgres|AGENCY_runtime|test_runtime -> that login's password (from secrets.env)
password_of() {
  local v; v="SEIZUREINTEL_PG_PASSWORD_$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')"
  printf '%s' "${!v:?$v is not set: run ops/postgres start}"
}

# node_connection AGENCY -> the connection string of that agency's own database and login
node_connection() {
  local a; a=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
  printf 'Host=127.0.0.1;Port=%s;Database=seizureintel_%s;Username=seizureintel_%s;Password=%s' \
    "$SEIZUREINTEL_PG_PORT" "$a" "$a" "$(password_of "$a")"
}

# local_connection AGENCY -> that agency's owner login on the shared demo database (its store is its own schema there)
# local_connection AGENCY_runtime -> that agency's runtime login on it (what the node runs on)
local_connection() {
  local a; a=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
  printf 'Host=127.0.0.1;Port=%s;Database=seizureintel;Username=seizureintel_%s;Password=%s' \
    "$SEIZUREINTEL_PG_PORT" "$a" "$(password_of "$a")"
}

# A folder the service users (postgres, rabbitmq) can enter: the checkout's .local/NAME, or, when the checkout lies in
# a directory other OS users cannot enter (e.g. /root, mode 0700), /var/tmp/seizureintel-NAME-<hash of the checkout>.
service_base() { # NAME OSUSER
  local base="$here/.local/$1"
  mkdir -p "$here/.local"
  if [ "$(id -u)" -eq 0 ] && id "$2" >/dev/null 2>&1; then
    if ! (cd / && runuser -u "$2" -- test -x "$here/.local") 2>/dev/null; then
      base="/var/tmp/seizureintel-$1-$(printf '%s' "$here" | md5sum | cut -c1-8)"
    fi
  fi
  echo "$base"
}

# Run a command as another OS user from / (a service user cannot enter a 0700 checkout; its tools would complain).
as_user() { local u=$1; shift; if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u "$u" -- "$@"); else "$@"; fi; }

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "dotnet (SDK 10) is not on PATH; this machine kind ships it" >&2; exit 1; }
}

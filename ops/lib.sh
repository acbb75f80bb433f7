# Shared by ops/ scripts: locations, ports and connection strings of the local set-up.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SEIZUREINTEL_PG_PORT=${SEIZUREINTEL_PG_PORT:-55432}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# node_connection AGENCY -> the connection string of that agency's own database and login
node_connection() {
  local a; a=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
  printf 'Host=127.0.0.1;Port=%s;Database=seizureintel_%s;Username=seizureintel_%s;Password=%s-dev-password' \
    "$SEIZUREINTEL_PG_PORT" "$a" "$a" "$a"
}

# local_connection AGENCY -> that agency's login on the shared demo database (its store is its own schema there)
local_connection() {
  local a; a=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
  printf 'Host=127.0.0.1;Port=%s;Database=seizureintel;Username=seizureintel_%s;Password=%s-dev-password' \
    "$SEIZUREINTEL_PG_PORT" "$a" "$a"
}

require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { echo "dotnet (SDK 10) is not on PATH; this machine kind ships it" >&2; exit 1; }
}

#!/usr/bin/env bash
# Installs what the local stack needs and is missing; a second run on a ready machine only checks.
#   - PostgreSQL 15 and the extensions Supabase ships, from Debian
#   - pgvector, built from Debian's trixie source package (bookworm's is too old for Supabase parity)
#   - Chromium, from Debian, for the browser tests (playwright-core drives it; `npx playwright install`
#     would download a browser, which these machines cannot)
#   - node_modules from the lockfile (the Supabase CLI and Deno come from npm)
# Every failure stops with one line saying what to do.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
pg_major=15
pg_bin="/usr/lib/postgresql/${pg_major}/bin"

fail() {
  echo "install: $*" >&2
  exit 1
}

debian_packages=(
  "postgresql-${pg_major}"
  "postgresql-contrib"
  "postgresql-${pg_major}-cron"
  "postgresql-${pg_major}-pgtap"
  "postgresql-${pg_major}-plpgsql-check"
  "postgresql-${pg_major}-wal2json"
  "postgresql-server-dev-${pg_major}"
  "libtap-parser-sourcehandler-pgtap-perl"
  "build-essential"
  "dpkg-dev"
  "chromium"
)

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

install_debian_packages() {
  local missing=()
  for package in "${debian_packages[@]}"; do
    package_installed "$package" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  [ "$(id -u)" -eq 0 ] || fail "missing Debian packages (${missing[*]}); run as root or install them with apt-get"
  echo "install: Debian packages ${missing[*]}"
  apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed; check that Debian's package mirror is reachable"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/renum-apt.log 2>&1; then
    fail "apt-get could not install ${missing[*]}: $(grep -E '^E:' /tmp/renum-apt.log | head -1) (full log: /tmp/renum-apt.log)"
  fi
}

# Debian's bookworm has no pgvector for PG 15 at a current version, trixie has 0.8.x as source.
# The temporary sources list is used for this one download and never enabled for the system.
install_pgvector() {
  local pkglibdir sharedir
  pkglibdir="$("${pg_bin}/pg_config" --pkglibdir)"
  sharedir="$("${pg_bin}/pg_config" --sharedir)"
  [ -f "${pkglibdir}/vector.so" ] && [ -f "${sharedir}/extension/vector.control" ] && return 0

  echo "install: pgvector from Debian trixie's source package"
  local work
  work="$(mktemp -d)"
  cat >"${work}/trixie-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  mkdir -p "${work}/lists/partial"
  local apt_opts=(-o "Dir::Etc::SourceList=${work}/trixie-src.sources" -o "Dir::Etc::SourceParts=/dev/null" -o "Dir::State::Lists=${work}/lists")
  apt-get update -qq "${apt_opts[@]}" >/dev/null 2>&1 || fail "could not read Debian trixie's source index; check that Debian's package mirror is reachable"
  (cd "$work" && apt-get source -qq "${apt_opts[@]}" pgvector >"${work}/source.log" 2>&1) ||
    fail "apt-get source pgvector failed (log: ${work}/source.log)"
  local source_dir
  source_dir="$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -1)"
  [ -n "$source_dir" ] || fail "apt-get source pgvector produced no source folder (log: ${work}/source.log)"
  # OPTFLAGS="" keeps the build portable: the default -march=native would tie vector.so to this CPU.
  (make -C "$source_dir" OPTFLAGS="" PG_CONFIG="${pg_bin}/pg_config" >"${work}/build.log" 2>&1 &&
    make -C "$source_dir" install OPTFLAGS="" PG_CONFIG="${pg_bin}/pg_config" >>"${work}/build.log" 2>&1) ||
    fail "building pgvector failed (log: ${work}/build.log)"
  rm -rf "$work"
}

# Skipped while node_modules matches the lockfile it was installed from. `npm install` rather than
# `npm ci`: the registry these machines reach lacks the other platforms' optional binaries of the
# Supabase CLI and Deno, so the lockfile cannot list them and `npm ci` refuses it as out of sync;
# `npm install` with the lockfile present installs exactly the locked versions all the same.
install_node_modules() {
  local stamp="${repo_root}/node_modules/.renum-lockfile.sha256"
  local wanted
  wanted="$(sha256sum "${repo_root}/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  echo "install: npm packages from package-lock.json"
  (cd "$repo_root" && npm install --no-audit --no-fund --loglevel=error >/tmp/renum-npm.log 2>&1) ||
    fail "npm install failed: $(grep -m1 -E 'npm (error|ERR!)' /tmp/renum-npm.log) (full log: /tmp/renum-npm.log)"
  git -C "$repo_root" diff --quiet -- package-lock.json 2>/dev/null ||
    echo "install: note: npm changed package-lock.json; review and commit it if intended"
  echo "$wanted" >"$stamp"
}

install_debian_packages
install_pgvector
install_node_modules

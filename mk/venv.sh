#!/usr/bin/env bash
# `make venv`: create or update the virtual environment the book runs in.
#
#   mk/venv.sh PYTHON VENV EXPLICIT
#
# PYTHON is the interpreter to build VENV from; EXPLICIT is "yes" when the user named it
# (`make ... PYTHON=...`). Every message starts with "make:" and is one sentence.
#   - VENV missing, its Python no longer runs, or its install never finished: check PYTHON
#     (3.11+), create VENV, install.
#   - VENV built from another Python than an explicitly named PYTHON: rebuild it.
#   - requirements.txt or pyproject.toml newer than the last install: install again (pip
#     brings every pin to its version; a package dropped from requirements.txt stays
#     installed until `make clean-venv venv`).
#   - otherwise: nothing (silent).
set -euo pipefail

PYTHON=$1
VENV=$2
EXPLICIT=${3:-no}
STAMP="$VENV/.installed-stamp"
ID_FILE="$VENV/.python-id"
MIN=(3 11)

# "<version> <real path of the interpreter>", the identity of a base Python.
python_id() {
  "$1" -c 'import os, sys; print(sys.version.split()[0], os.path.realpath(sys._base_executable))'
}

check_python() {
  if ! command -v "$PYTHON" >/dev/null 2>&1 || ! "$PYTHON" -c '' >/dev/null 2>&1; then
    echo "make: PYTHON=$PYTHON does not run here: install Python ${MIN[0]}.${MIN[1]} or newer" \
      "and name it, e.g. \`make venv PYTHON=python3.12\`." >&2
    exit 1
  fi
  local version
  version=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  if ! "$PYTHON" -c "import sys; sys.exit(sys.version_info[:2] < (${MIN[0]}, ${MIN[1]}))"; then
    echo "make: the book needs Python ${MIN[0]}.${MIN[1]} or newer, but PYTHON=$PYTHON is" \
      "Python $version: name a newer one, e.g. \`make venv PYTHON=python3.12\`." >&2
    exit 1
  fi
}

create() {
  check_python
  echo "make: creating $VENV from $PYTHON (Python $("$PYTHON" -c 'import sys; print(sys.version.split()[0])'))"
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "make: \`$PYTHON -m venv\` failed: on Debian or Ubuntu install the package" \
      "python3-venv (or python3.X-venv for your version) and run make again." >&2
    exit 1
  fi
  python_id "$VENV/bin/python" >"$ID_FILE"
}

if [ ! -x "$VENV/bin/python" ]; then
  create
elif ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
  echo "make: $VENV no longer runs (its Python was moved or removed): rebuilding it"
  create
elif [ ! -f "$STAMP" ]; then
  echo "make: $VENV was never installed completely (an interrupted make?): rebuilding it"
  create
elif [ "$EXPLICIT" = yes ]; then
  check_python
  want=$(python_id "$PYTHON")
  have=$(cat "$ID_FILE" 2>/dev/null || python_id "$VENV/bin/python")
  if [ "$want" != "$have" ]; then
    echo "make: $VENV was built from Python ${have%% *}, PYTHON=$PYTHON is Python ${want%% *}: rebuilding it"
    create
  fi
fi
[ -f "$ID_FILE" ] || python_id "$VENV/bin/python" >"$ID_FILE"

if [ -f "$STAMP" ] && [ ! requirements.txt -nt "$STAMP" ] && [ ! pyproject.toml -nt "$STAMP" ]; then
  exit 0
fi
if [ -f "$STAMP" ]; then
  echo "make: requirements.txt or pyproject.toml changed since $VENV was installed: updating it" \
    "(\`make clean-venv venv\` starts from scratch)"
fi
start=$(date +%s)
echo "make: installing the pinned packages of requirements.txt and nmbook into $VENV" \
  "(about 2 minutes with a warm pip cache, longer on a first download)"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r requirements.txt -e .
touch "$STAMP"
echo "make: $VENV ready in $(($(date +%s) - start)) s"

#!/bin/sh
# python preset, lint: flake8 where the project configures it (.flake8, or a [flake8] section of
# setup.cfg or tox.ini), else ruff check (which reads the project's ruff.toml or [tool.ruff]). The
# linter is installed, at the version pinned here, into a virtual environment in HOME.
set -eu
python -m venv "${HOME}/venv"
. "${HOME}/venv/bin/activate"
if [ -f .flake8 ] || grep -qs '^\[flake8\]' setup.cfg tox.ini; then
  pip install --quiet --disable-pip-version-check "flake8==${FLAKE8_VERSION}"
  flake8
else
  pip install --quiet --disable-pip-version-check "ruff==${RUFF_VERSION}"
  ruff check
fi

#!/bin/sh
# python preset, test: the project's dependencies from requirements.txt, or the project itself from
# pyproject.toml, into a virtual environment in HOME; pytest (pinned here) unless they bring their own.
set -eu
python -m venv "${HOME}/venv"
. "${HOME}/venv/bin/activate"
pip_install() { pip install --quiet --disable-pip-version-check "$@"; }
if [ -f requirements.txt ]; then
  pip_install -r requirements.txt
elif [ -f pyproject.toml ]; then
  pip_install .
fi
python -c 'import pytest' 2>/dev/null || pip_install "pytest==${PYTEST_VERSION}"
python -m pytest

#!/bin/sh
# maven preset, test: mvn verify.
set -eu
mvn -B --no-transfer-progress "-Dmaven.repo.local=${MAVEN_REPO_LOCAL}" verify

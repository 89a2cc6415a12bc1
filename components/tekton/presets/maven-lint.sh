#!/bin/sh
# maven preset, lint: mvn validate, which runs what the project binds to it (checkstyle, spotless, enforcer).
set -eu
mvn -B --no-transfer-progress "-Dmaven.repo.local=${MAVEN_REPO_LOCAL}" validate

#!/bin/sh
# gradle preset, lint: the project's Gradle wrapper's check, without the tests (the test step runs them).
set -eu
sh ./gradlew --no-daemon check -x test

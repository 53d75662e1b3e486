#!/usr/bin/env bash
# Extract every self.tr() string into the Portuguese .ts, fill in the translations from
# scripts/translations_pt_BR.py, and compile the .qm the app loads (resources/i18n/).
# Fails (status 1) if a string has no translation yet: add it to PT_BR and run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
BIN="$(dirname "$PY")"
TS=resources/i18n/veo_desktop_pt_BR.ts
QM=resources/i18n/veo_desktop_pt_BR.qm
mkdir -p resources/i18n
sources=(veo_desktop/ui/*.py veo_desktop/ui/*/*.py)
[[ -f veo_desktop/app.py ]] && sources+=(veo_desktop/app.py)
"$BIN/pyside6-lupdate" -no-obsolete -locations none -target-language pt_BR "${sources[@]}" -ts "$TS"
status=0
"$PY" scripts/translations_pt_BR.py "$TS" || status=$?
"$BIN/pyside6-lrelease" "$TS" -qm "$QM"
exit "$status"

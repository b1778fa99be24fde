#!/usr/bin/env bash
# Rebuild the bundled docs_archive/ from tests/data/seeds through the CLI itself (see tests/data/seeds/INDEX.md).
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-tests/data/seeds}
rm -rf docs_archive
export POLICYDIFF_ARCHIVE=docs_archive
policydiff archive add "$SEEDS/001_66936beedc7eb52d.txt" --series gd-digital-gov --kind plan
policydiff archive add "$SEEDS/000_f5389067b9ab5a36.txt" --series gd-digital-gov --kind plan
policydiff archive add "$SEEDS/003_6760169ef42d98b0.txt" --series gd-digital-gov --kind news --year 2020
policydiff archive add "$SEEDS/002_d45bf98a6024f160.txt" --series gd-digital-gov --kind plan
policydiff archive add "$SEEDS/004_5f60215a50e547ff.txt" --series jieyang-digital-gov --kind city-plan --year 2019 --parent gd-digital-gov
policydiff archive verify --deep

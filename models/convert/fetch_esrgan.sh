#!/usr/bin/env bash
# Fetches the pinned UpscalerJS ESRGAN packages from the npm registry with `npm pack` and checks each
# tarball's SHA-256 against esrgan-packages.sha256 (recorded when the versions were pinned). The tarballs
# land in models/convert/.npm/ (git-ignored); esrgan.py reads them from there.
# Usage: bash models/convert/fetch_esrgan.sh
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .npm
while read -r sum file; do
  [ -z "$sum" ] && continue
  if [ ! -f ".npm/$file" ]; then
    # file name: upscalerjs-esrgan-<size>-<version>.tgz -> package @upscalerjs/esrgan-<size>@<version>
    base=${file%.tgz}; version=${base##*-}; size=${base%-*}; size=${size#upscalerjs-esrgan-}
    (cd .npm && npm pack --silent "@upscalerjs/esrgan-${size}@${version}" >/dev/null)
  fi
  echo "$sum  .npm/$file" | sha256sum --check --quiet
  echo "ok .npm/$file"
done < esrgan-packages.sha256

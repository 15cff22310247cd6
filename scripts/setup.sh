#!/usr/bin/env bash
# Everything a fresh Debian 12 machine needs for docgen: system libraries, the
# virtualenv, the package. Safe to run again; installs only what is missing.
#   scripts/setup.sh          service dependencies
#   scripts/setup.sh test     + test tools (poppler, LibreOffice)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-serve}"
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

debs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 shared-mime-info)
# Debian's own python3 needs python3-venv for `python3 -m venv`; other Pythons (pyenv) bring it along.
"$PYTHON" -c "import ensurepip" 2>/dev/null || debs+=(python3-venv)
if [ "$mode" = test ]; then
  # chromium: the real browser of the workspace tests (Playwright drives it; it never downloads one);
  # fonts-noto-cjk: Chinese text in its screenshots.
  debs+=(poppler-utils libreoffice-writer-nogui chromium fonts-noto-cjk wrk)  # wrk: the HTTP load generator of make bench
fi

missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "!! 缺少系统软件包：${missing[*]}" >&2
    echo "!! 请以 root 运行：apt-get install ${missing[*]}" >&2
    case " ${missing[*]} " in *" libharfbuzz-subset0 "*)
      echo "!! 没有 libharfbuzz-subset0，中文 PDF 生成将慢约 10 倍。" >&2;; esac
  fi
fi

extras=""
[ "$mode" = test ] && extras="[test]"
stamp="$VENV/.docgen-installed-$mode"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing docgen into $VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e ".$extras"
  touch "$stamp"
fi
# Byte-compile docgen as pip does for installed packages: a start reads bytecode even where
# PYTHONDONTWRITEBYTECODE keeps Python from writing it (a cold `docgen render` saves ~0.1 s).
"$VENV/bin/python" -m compileall -q docgen >/dev/null

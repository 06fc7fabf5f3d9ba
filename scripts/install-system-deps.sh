#!/usr/bin/env bash
# Installs the Debian packages the tests use (real tools: mkfs.fat, mtools, mke2fs, mkntfs, ewfacquire, ewfverify,
# 7z, Chromium, pdftoppm, qemu-img; gcc, which builds footprint's PDQ blur at install) when any is missing.
# Needs root and apt; says what is missing otherwise.
set -euo pipefail
declare -A need=(
  [mkfs.fat]=dosfstools [mcopy]=mtools [mke2fs]=e2fsprogs [mkntfs]=ntfs-3g [ewfacquire]=ewf-tools [ewfverify]=ewf-tools
  [7z]=p7zip-full [pdftoppm]=poppler-utils [psql]=postgresql-client [setpriv]=util-linux [sfdisk]=fdisk
  [chromium]=chromium [xorriso]=xorriso [mkfs.exfat]=exfatprogs [qemu-img]=qemu-utils [gcc]=gcc
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 \
    || missing+=("${need[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "footprint: missing system packages (install them, then rerun): ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

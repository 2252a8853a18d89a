#!/usr/bin/env bash
# Builds the container images of the containers topology with no registry:
#   chaos-base:<hash>    Debian bookworm minbase root file system (debootstrap + docker import)
#   chaos-dotnet:<hash>  + the .NET runtime copied from the local SDK folder (dotnet, host/, shared/)
#   chaos-app:<hash>     + the published chaos tool in /opt/chaos (Reference.System in /opt/chaos/sut)
# Each tag is a hash of that layer's inputs, so a second run with the same inputs builds nothing.
# chaos-app:latest points at the newest app image; the harness uses it unless CHAOS_CONTAINER_IMAGE says otherwise.
#
# Usage: deploy/containers/build-images.sh [--chaos-dir DIR] [--prune]
#   --chaos-dir DIR  use an existing chaos build/publish output (with sut/) instead of `dotnet publish`
#   --prune          remove older chaos-app:<hash> images (not the one just built)
# Environment: DEBIAN_MIRROR (default: the first deb.debian.org-style URI in /etc/apt/sources.list.d),
#              DOTNET_ROOT (default: the folder of the `dotnet` on PATH), CHAOS_IMAGE_WORK (scratch folder).
# Needs: docker (a running engine), debootstrap, tar, sha256sum; root for debootstrap.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
chaos_dir=""
prune=0
while [ $# -gt 0 ]; do
  case "$1" in
    --chaos-dir) chaos_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --prune) prune=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 1 ;;
  esac
done

work="${CHAOS_IMAGE_WORK:-${TMPDIR:-/tmp}/chaos-images}"
mkdir -p "$work"
# The legacy builder needs no registry for FROM a local image; BuildKit may try to resolve it remotely.
export DOCKER_BUILDKIT=0
say() { printf '%s build-images: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# The legacy builder's deprecation notice is noise here (BuildKit is off on purpose).
quiet_legacy() { grep -v -E 'DEPRECATED: The legacy builder|BuildKit is currently disabled|environment-variable\.|^$' || true; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
hash_text() { sha256sum | cut -c1-16; }
# Content hash of a folder: relative paths and file contents, not timestamps.
hash_dir() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }

command -v docker >/dev/null || { echo "docker is not installed (apt-get install docker.io)" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "no Docker engine answers (start it: dockerd &)" >&2; exit 2; }

# ---- base: debootstrap minbase --------------------------------------------------------------
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(grep -h -o -E 'https?://[^ ]+/debian/?$' /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null | head -n1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi
# libssl3: ASP.NET Core (Kestrel, SignalR) loads it at start; ca-certificates for TLS to a real broker or database.
base_packages="libssl3,ca-certificates"
base_recipe="bookworm minbase v1 $base_packages $mirror"
base_tag="chaos-base:$(printf '%s' "$base_recipe" | hash_text)"
if have_image "$base_tag"; then
  say "$base_tag cached"
else
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }
  say "debootstrap bookworm from $mirror"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include="$base_packages" bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # Keep the image small: no apt lists or caches.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - "$base_tag" >/dev/null
  rm -rf "$rootfs"
  say "built $base_tag"
fi

# ---- .NET runtime ---------------------------------------------------------------------------
dotnet_root="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
[ -x "$dotnet_root/dotnet" ] || { echo "no dotnet in $dotnet_root (set DOTNET_ROOT)" >&2; exit 2; }
runtime_hash="$( { echo "$base_tag"; sha256sum "$dotnet_root/dotnet" | cut -d' ' -f1; \
  (cd "$dotnet_root" && find host shared -maxdepth 2 -mindepth 2 | LC_ALL=C sort); } | hash_text)"
runtime_tag="chaos-dotnet:$runtime_hash"
if have_image "$runtime_tag"; then
  say "$runtime_tag cached"
else
  ctx="$work/dotnet-ctx"
  rm -rf "$ctx" && mkdir -p "$ctx/dotnet"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$ctx/dotnet/"
  cat >"$ctx/Dockerfile" <<EOF
FROM $base_tag
COPY dotnet /opt/dotnet
ENV DOTNET_ROOT=/opt/dotnet PATH=/opt/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
EOF
  docker build -q -t "$runtime_tag" "$ctx" >/dev/null 2> >(quiet_legacy >&2)
  rm -rf "$ctx"
  say "built $runtime_tag"
fi

# ---- app: chaos tool + Reference.System -----------------------------------------------------
if [ -z "$chaos_dir" ]; then
  chaos_dir="$work/chaos-publish"
  say "dotnet publish src/Scenarios -> $chaos_dir"
  rm -rf "$chaos_dir"
  dotnet publish "$repo/src/Scenarios/Chaos.Scenarios.csproj" -c Release -o "$chaos_dir" -nologo -v quiet >"$work/publish.log" 2>&1 \
    || { tail -n 30 "$work/publish.log" >&2; exit 1; }
fi
[ -f "$chaos_dir/chaos.dll" ] && [ -f "$chaos_dir/sut/Reference.System.dll" ] \
  || { echo "$chaos_dir has no chaos.dll and sut/Reference.System.dll" >&2; exit 2; }
app_tag="chaos-app:$( { echo "$runtime_tag"; hash_dir "$chaos_dir"; } | hash_text)"
if have_image "$app_tag"; then
  say "$app_tag cached"
else
  ctx="$work/app-ctx"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp -a "$chaos_dir" "$ctx/chaos"
  # Only what a run needs: no pdbs or xml docs.
  find "$ctx/chaos" \( -name '*.pdb' -o -name '*.xml' \) -delete
  cat >"$ctx/Dockerfile" <<EOF
FROM $runtime_tag
COPY chaos /opt/chaos
LABEL org.chaos.image=app
WORKDIR /opt/chaos
EOF
  docker build -q -t "$app_tag" "$ctx" >/dev/null 2> >(quiet_legacy >&2)
  rm -rf "$ctx"
  say "built $app_tag"
fi
docker tag "$app_tag" chaos-app:latest
if [ "$prune" = 1 ]; then
  for old in $(docker images chaos-app --format '{{.Tag}}' | grep -v -x -e latest -e "${app_tag#chaos-app:}"); do
    docker rmi "chaos-app:$old" >/dev/null 2>&1 && say "removed chaos-app:$old" || true
  done
fi
echo "$app_tag"

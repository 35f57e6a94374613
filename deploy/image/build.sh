#!/usr/bin/env bash
# Builds Plinth's OCI image with podman, without a Docker daemon or an image registry:
#   1. the base (once, then cached): a Debian 13 root filesystem made by mmdebstrap from
#      Debian's packages (openjdk-25-jre-headless, ca-certificates, tzdata, netbase) with a
#      non-root user plinth (10001), imported into podman;
#   2. the service: cli/target/plinth.jar and its libs layered onto that base (Containerfile).
# Called by ./plinth image, which builds the jars first and sets CONTAINERS_CONF.
set -euo pipefail
ROOT="$1" TAG="$2"
say() { echo "[plinth image] $*" >&2; }
DIR="$ROOT/deploy/image"
# The base's name carries a digest of its recipe (this script's base section): changing the
# package list makes a new base instead of silently reusing the old one.
RECIPE="$(sed -n '/^# base recipe:/,/^# end of base recipe/p' "$0")"
BASE="localhost/plinth-base:trixie-jre25-$(printf '%s' "$RECIPE" | sha256sum | cut -c1-12)"

# base recipe:
PACKAGES=openjdk-25-jre-headless,ca-certificates,tzdata,netbase
SUITE=trixie
MIRRORS=("deb http://deb.debian.org/debian trixie main" "deb http://deb.debian.org/debian trixie-updates main"
         "deb http://deb.debian.org/debian-security trixie-security main")
build_base() {
  local out="$ROOT/target/image/base.tar"
  mkdir -p "$(dirname "$out")"
  # essential: Debian's smallest installable set (no apt, no compiler); the hooks add the
  # service user and drop what a container never reads (apt lists, man pages, docs).
  mmdebstrap --variant=essential --include="$PACKAGES" \
    --customize-hook='echo "plinth:x:10001:10001:Plinth:/var/lib/plinth:/usr/sbin/nologin" >> "$1/etc/passwd"' \
    --customize-hook='echo "plinth:x:10001:" >> "$1/etc/group"' \
    --customize-hook='mkdir -p "$1/var/lib/plinth" && chown 10001:10001 "$1/var/lib/plinth"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/usr/share/man/* "$1"/usr/share/doc/* "$1"/var/cache/*' \
    "$SUITE" "$out" "${MIRRORS[@]}"
  podman import --change 'USER 10001:10001' "$out" "$BASE" >/dev/null
  rm -f "$out"
}
# end of base recipe

start=$SECONDS
if podman image exists "$BASE"; then
  say "base $BASE is cached"
else
  say "step 1/2: building the base $BASE from Debian's packages ($PACKAGES; ~40-60 s, downloads ~100 MB)"
  build_base
  say "step 1/2: base built in $((SECONDS - start)) s ($(podman image inspect --format '{{.Size}}' "$BASE" | numfmt --to=iec))"
fi

step=$SECONDS
ctx="$ROOT/target/image/context"
rm -rf "$ctx" && mkdir -p "$ctx/deps" "$ctx/app/libs"
for jar in "$ROOT"/cli/target/libs/*.jar; do
  case "$(basename "$jar")" in
    plinth-*) cp "$jar" "$ctx/app/libs/" ;;   # the project's own modules change with every build
    *) cp "$jar" "$ctx/deps/" ;;
  esac
done
cp "$ROOT/cli/target/plinth.jar" "$ctx/app/plinth.jar"
cp "$ROOT/bootstrap/jvm.options" "$ctx/app/jvm.options"
cp "$DIR/Containerfile" "$ctx/Containerfile"
say "step 2/2: layering the service ($(ls "$ctx/deps" | wc -l) third-party jars, $(ls "$ctx/app/libs" | wc -l) Plinth modules) onto the base"
podman build --quiet --pull=never --build-arg "BASE=$BASE" -t "$TAG" -f "$ctx/Containerfile" "$ctx" >/dev/null
say "step 2/2: $TAG built in $((SECONDS - step)) s ($(podman image inspect --format '{{.Size}}' "$TAG" | numfmt --to=iec)); total $((SECONDS - start)) s"
echo "$TAG"

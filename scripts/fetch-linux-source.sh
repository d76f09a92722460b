#!/usr/bin/env bash
# Fetches a Linux source tree for the real-kernel harness (harnesses/linux) from Debian's own
# source package and extracts only what the harness build reads, into a cache folder that git
# ignores. Prints the tree's path as its last line, so that
#   make -C harnesses/linux KSRC="$(scripts/fetch-linux-source.sh 6.12 | tail -1)"
# works. A second run finds the tree and returns at once.
#
# usage: scripts/fetch-linux-source.sh VERSION     (VERSION: 6.12 or 6.1)
# environment: PCPU_LINUX_CACHE  the cache folder (default: .cache/linux in the repository)
set -euo pipefail

die() {
	echo "fetch-linux-source: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 VERSION (6.12 or 6.1)"
version=$1
case "$version" in
6.12 | 6.1) ;;
*) die "VERSION is '$version'; expected 6.12 or 6.1 (the Debian packages linux-source-6.12, linux-source-6.1)" ;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${PCPU_LINUX_CACHE:-$repo/.cache/linux}
tree=$cache/$version
stamp=$tree/.extracted

if [ -f "$stamp" ]; then
	echo "$tree"
	exit 0
fi

for tool in tar:tar xz:xz-utils dpkg:dpkg; do
	command -v "${tool%%:*}" >/dev/null 2>&1 ||
		die "the tool '${tool%%:*}' is missing (install it: apt-get install -y ${tool#*:})"
done

pkg=linux-source-$version
tarball=
if dpkg -s "$pkg" >/dev/null 2>&1; then
	tarball=$(dpkg -L "$pkg" | grep -E '/linux-source-[0-9.]+\.tar\.xz$' | head -1 || true)
fi
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	command -v apt-get >/dev/null 2>&1 || die "the package $pkg is not installed and the tool 'apt-get' is missing"
	[ "$(id -u)" -eq 0 ] || die "the package $pkg is not installed; installing it needs root (sudo apt-get install -y $pkg), or give your own tree: make -C harnesses/linux KSRC=/path/to/linux"
	echo "fetch-linux-source: installing $pkg (apt-get update, then apt-get install)" >&2
	apt-get update >&2 || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" >&2 ||
		die "apt-get install -y $pkg failed"
	tarball=$(dpkg -L "$pkg" | grep -E '/linux-source-[0-9.]+\.tar\.xz$' | head -1 || true)
	[ -n "$tarball" ] && [ -f "$tarball" ] || die "the package $pkg installed no linux-source-*.tar.xz (dpkg -L $pkg)"
fi

# What the build reads: the allocator (mm/percpu*.c, percpu-internal.h), the user-space headers
# and bit helpers of tools/, the kernel's include/ (headers the shims consult) and the
# top-level Makefile (the version).
top=$(basename "$tarball" .tar.xz)
echo "fetch-linux-source: extracting $top from $tarball into $tree" >&2
rm -rf "$tree.partial"
mkdir -p "$tree.partial"
xz -dc "$tarball" | tar -x -C "$tree.partial" --strip-components=1 --wildcards \
	"$top/Makefile" "$top/mm/percpu*" "$top/include/*" "$top/tools/include/*" \
	"$top/tools/lib/*" "$top/arch/x86/include/*" ||
	die "extracting $tarball failed"
[ -f "$tree.partial/mm/percpu.c" ] || die "$tarball has no mm/percpu.c"
touch "$tree.partial/.extracted"
rm -rf "$tree"
mv "$tree.partial" "$tree"
# The cache is the machine's, never the repository's.
[ -f "$cache/../.gitignore" ] || printf '*\n' >"$cache/../.gitignore"
echo "$tree"

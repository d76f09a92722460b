#!/bin/sh
# Applies one mutation (mutations/ID.mut) to a copy of a tree's allocator:
#   apply-mutation.sh KSRC DEST MUTFILE
# copies KSRC/mm/percpu* into DEST/mm, then replaces the mutation's pattern (which must occur
# exactly once in its file) by its replacement. The .mut format (README.md, "Mutations"):
#   title: ...            the fix the mutation undoes
#   commit: ...           its commit id or mail
#   breaks: ID, ID (why)  the invariants that must catch it (read by the suite's kill matrix)
#   args: --small-unit    the harness's arguments when it is checked (read by the suite)
#   file: mm/percpu.c     the file edited (under mm/)
#   --- pattern           then the lines to find, verbatim
#   --- replacement       then the lines to put instead
#   --- end
#   with: ID              optional: edits/ID.mut is applied to the copy first (a mutation put
#                         back into a tree with a fix of ours, where the tree's own bug would
#                         mask it)
# (several pattern/replacement blocks may follow one another; each is applied in turn). Only
# the headers before the first "--- " line are read, and of them only file:, title: and
# with:; any other header is ignored, so that one can be added without touching this script.
set -eu
ksrc=$1
dest=$2
mut=$3
die() {
	echo "apply-mutation: $*" >&2
	exit 2
}
command -v awk >/dev/null 2>&1 || die "the tool 'awk' is missing"
[ -f "$mut" ] || die "no mutation file $mut"
header() { sed -n "/^--- /q; s/^$1: *//p" "$mut" | head -1; }
# file_of MUTFILE: the file MUTFILE edits (its own file: header), checked.
file_of() {
	f=$(sed -n "/^--- /q; s/^file: *//p" "$1" | head -1)
	[ -n "$f" ] || die "$1 names no file (a line 'file: mm/percpu.c')"
	case "$f" in mm/percpu*) ;; *) die "$1 edits $f; a mutation edits mm/percpu* only" ;; esac
	printf '%s\n' "$f"
}
file=$(file_of "$mut")
rm -rf "$dest"
mkdir -p "$dest/mm"
cp "$ksrc"/mm/percpu* "$dest/mm/"
[ -f "$dest/$file" ] || die "the tree $ksrc has no $file"
# apply_one MUTFILE: the pattern/replacement blocks of MUTFILE, on the copy of the file it
# names (an edit put in with a mutation may edit another file than the mutation's).
apply_one() {
	target="$dest/$(file_of "$1")"
	[ -f "$target" ] || die "the tree $ksrc has no ${target#"$dest/"}"
	awk -v mutfile="$1" -v target="$target" '
function fail(msg) { print "apply-mutation: " msg > "/dev/stderr"; failed = 1; exit 2 }
BEGIN {
	mode = ""; n = 0
	while ((getline line < mutfile) > 0) {
		if (line == "--- pattern") { mode = "p"; n++; np[n] = 0; nr[n] = 0; pat[n] = ""; rep[n] = ""; continue }
		if (line == "--- replacement") { mode = "r"; continue }
		if (line == "--- end") { mode = ""; continue }
		if (mode == "p") pat[n] = pat[n] (np[n]++ ? "\n" : "") line
		if (mode == "r") rep[n] = rep[n] (nr[n]++ ? "\n" : "") line
	}
	if (n == 0) fail(mutfile " has no pattern")
	text = ""
	while ((getline line < target) > 0) text = text (nl++ ? "\n" : "") line
	close(target)
	for (k = 1; k <= n; k++) {
		first = index(text, pat[k])
		if (first == 0) fail("pattern " k " of " mutfile " is not in " target " (written for another tree?)")
		rest = substr(text, first + length(pat[k]))
		if (index(rest, pat[k]) != 0) fail("pattern " k " of " mutfile " occurs more than once in " target)
		text = substr(text, 1, first - 1) rep[k] rest
	}
	printf "%s\n", text > target
}'
}
with=$(header with)
if [ -n "$with" ]; then
	edit="$(dirname "$mut")/../edits/$with.mut"
	[ -f "$edit" ] || die "$mut is put back with edits/$with.mut, which does not exist"
	apply_one "$edit"
	echo "apply-mutation: first $(sed -n "/^--- /q; s/^title: *//p" "$edit" | head -1)" >&2
fi
apply_one "$mut"
echo "apply-mutation: $(header title) applied to $dest/$file" >&2

#!/bin/sh
# Installs Debian's chromium for the console's browser tests when no
# Chromium or Chrome is on the PATH, and a Chinese font when there is none
# (the console is bilingual; without one its Chinese shows as boxes).
# Prints the browser's path on stdout.
set -e
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
need=
browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$(command -v "$b")
		break
	fi
done
[ -n "$browser" ] || need="chromium"
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
	need="$need fonts-wqy-zenhei"
fi
if [ -n "$need" ]; then
	$SUDO apt-get update >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $need >&2
fi
[ -n "$browser" ] || browser=$(command -v chromium)
echo "$browser"

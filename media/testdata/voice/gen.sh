#!/bin/sh
# gen.sh records the voice notes the tests play, with espeak-ng
# (apt-get install -y espeak-ng). It is a test-data build step: the .wav
# files are committed, so tests and CI never need espeak-ng. Run it with
# `go generate ./media` after changing a phrase; keep the notes short.
set -eu
cd "$(dirname "$0")"
espeak-ng -v en-us -s 165 -w order_en.wav "Where is my order A 1002?"
espeak-ng -v es -s 165 -w cancel_es.wav "Quiero cancelar mi suscripción."

#!/bin/sh
# Make the tiny playable sample clips the simulator serves (3 s, H.264 + AAC, ~10 KB each).
# Needs ffmpeg; the outputs are committed, so this only runs when the clips must change.
set -eu
out_dir="$(cd "$(dirname "$0")/.." && pwd)/resources/clips"
mkdir -p "$out_dir"

make_clip() {
    size="$1"
    out="$2"
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc=size=${size}:rate=10:duration=3" \
        -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=3" \
        -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -bsf:v filter_units=remove_types=6 \
        -c:a aac -ac 1 -b:a 12k -shortest -movflags +faststart -map_metadata -1 -fflags +bitexact \
        "$out"
}

make_clip 320x180 "$out_dir/sample_16x9.mp4"
make_clip 180x320 "$out_dir/sample_9x16.mp4"
ls -l "$out_dir"

#!/bin/sh
# Make the playable clips in resources/clips/ (needs ffmpeg; the outputs are committed, so this runs only when
# they must change):
# - sim_16x9_40s.mp4, sim_9x16_40s.mp4: what the simulator serves. 40 s, 24 fps H.264 (a key frame every
#   second, no B-frames) with a mono AAC track, about 0.2 MB each. The simulator cuts them to any whole number
#   of seconds (1-40) and drops the audio track in Python (veo_desktop/simulator/mp4.py), so these two files
#   cover every duration and both audio settings.
# - sample_16x9.mp4, sample_9x16.mp4: tiny 3 s clips (10 fps, ~10 KB) for the player's tests and demos.
set -eu
out_dir="$(cd "$(dirname "$0")/.." && pwd)/resources/clips"
mkdir -p "$out_dir"

make_master() {
    size="$1"
    out="$2"
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc=size=${size}:rate=24:duration=40" \
        -f lavfi -i "sine=frequency=440:sample_rate=24000:duration=40" \
        -c:v libx264 -preset veryslow -crf 42 -pix_fmt yuv420p -g 24 -keyint_min 24 -sc_threshold 0 -bf 0 \
        -bsf:v filter_units=remove_types=6 \
        -c:a aac -ac 1 -b:a 8k -movflags +faststart -map_metadata -1 -fflags +bitexact \
        "$out"
}

make_sample() {
    size="$1"
    out="$2"
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc=size=${size}:rate=10:duration=3" \
        -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=3" \
        -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -bsf:v filter_units=remove_types=6 \
        -c:a aac -ac 1 -b:a 12k -shortest -movflags +faststart -map_metadata -1 -fflags +bitexact \
        "$out"
}

make_master 320x180 "$out_dir/sim_16x9_40s.mp4"
make_master 180x320 "$out_dir/sim_9x16_40s.mp4"
make_sample 320x180 "$out_dir/sample_16x9.mp4"
make_sample 180x320 "$out_dir/sample_9x16.mp4"
ls -l "$out_dir"

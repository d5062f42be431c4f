#!/usr/bin/env bash
# Generates the built-in prompt set (8 kHz mono 16-bit WAV) with espeak-ng and sox, so nothing is
# downloaded: generate_prompts.sh OUT_DIR
set -euo pipefail
out=$1
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() {  # say NAME TEXT
  espeak-ng -v en-us -s 160 -w "$tmp/$1.raw.wav" "$2"
  sox -q "$tmp/$1.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$1.wav" norm -3
}

say welcome "Welcome to Switchboard."
say menu "For sales, press 1. For support, press 2."
say please_hold "All our agents are busy. Please hold, and you will be connected shortly."
say position "You are number"
say in_line "in line."
say thank_you "Thank you for calling. Goodbye."
say invalid "Sorry, that is not a valid choice."
say goodbye "Goodbye."
digits=(zero one two three four five six seven eight nine)
for i in "${!digits[@]}"; do say "digit_$i" "${digits[$i]}"; done
# Numbers for position and wait announcements: 0-20 and the tens (21 = number_20 + number_1).
for i in $(seq 0 20) 30 40 50 60 70 80 90; do say "number_$i" "$i"; done
say wait_about "Your estimated wait time is about"
say minute "minute."
say minutes "minutes."
say wait_short "You should be connected in less than a minute."
say callback_accepted "Thank you. We will call you back, and you keep your place in line. Goodbye."

# Music on hold: a slow arpeggio synthesised by sox (eight seconds, looped by the player).
notes=(C4 E4 G4 C5 A3 C4 E4 A4 F3 A3 C4 F4 G3 B3 D4 G4)
parts=()
for i in "${!notes[@]}"; do
  sox -q -n -r 8000 -c 1 -b 16 "$tmp/n$i.wav" synth 0.5 pluck "${notes[$i]}" vol 0.4
  parts+=("$tmp/n$i.wav")
done
sox -q "${parts[@]}" "$out/music.wav"

#!/usr/bin/env bash
# Installs the system packages posturecam needs to build and test, on Debian
# or Ubuntu. Safe to run again: apt-get skips what is already there.
# A Rust toolchain (rustup, 1.91 or newer) must already be installed.
set -euo pipefail
packages=(
  build-essential pkg-config ca-certificates
  # the camera: nokhwa's V4L2 bindings are generated with libclang; nasm
  # speeds up MJPEG decoding
  libclang-dev nasm
  # the window (X11 or Wayland through winit, OpenGL through Mesa), and a
  # virtual display for the window tests
  libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 libwayland-client0
  libgl1 libglx-mesa0 libgl1-mesa-dri libegl1 libegl-mesa0 xvfb
  # software Vulkan for the pixel-snapshot UI tests (egui_kittest + wgpu)
  mesa-vulkan-drivers libvulkan1
  # the alert chime (rodio → cpal → ALSA)
  libasound2-dev
  # a private session bus and its monitor, for the desktop-notification test
  dbus-daemon dbus-bin
  # video files are decoded by Debian's ffmpeg and ffprobe, run as child processes
  ffmpeg
  # the HTML report is checked in a real browser, headless
  chromium
  # tests/security.rs traces every socket the program opens; tests/hostile_inputs.rs
  # measures peak memory on decompression bombs with GNU time
  strace time
)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup.sh: no apt-get here; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v cargo >/dev/null 2>&1 || {
  echo "setup.sh: cargo not found; install Rust from rustup first" >&2
  exit 1
}

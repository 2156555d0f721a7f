#!/usr/bin/env bash
# The packaging test: ag as another project sees it. Installs the current build into a scratch
# folder, the way a user would, then builds examples/standalone/ (its own CMake project) against it
# with find_package(ag), builds the same program with `pkg-config --cflags --libs ag`, and runs both:
# each must train and pass its own accuracy check.
#
#   tests/install/run.sh prefix <build dir>   cmake --install <build dir> --prefix <scratch>
#   tests/install/run.sh deb <build dir>      cpack's libag-dev .deb, unpacked with dpkg -x
#
# The .deb is unpacked into a scratch root rather than installed, so its /usr tree lands somewhere
# it was never built for: that checks the package is relocatable. Nothing installed may name the
# source or build folder. ctest runs both modes (tests/CMakeLists.txt).
set -euo pipefail
mode=$1
build=$(cd "$2" && pwd)
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The compiler of ag's own build, so the program is built with the same one.
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
launcher=$(sed -n 's/^CMAKE_CXX_COMPILER_LAUNCHER:[A-Z]*=//p' "$build/CMakeCache.txt")

case $mode in
  prefix)
    cmake --install "$build" --prefix "$scratch/root" > /dev/null
    prefix=$scratch/root ;;
  deb)
    cpack --config "$build/CPackConfig.cmake" -B "$scratch/cpack" > /dev/null
    deb=$(ls "$scratch"/cpack/libag-dev_*.deb)
    dpkg-deb --field "$deb" Package Version Depends
    dpkg -x "$deb" "$scratch/root"
    prefix=$scratch/root/usr ;;
  *)
    echo "usage: $0 prefix|deb <build dir>" >&2
    exit 2 ;;
esac

if grep -rlI -e "$source_dir" -e "$build" "$scratch/root"; then
  echo "FAIL: the installed files above name the folder ag was built in" >&2
  exit 1
fi

version_h=$prefix/include/ag/version.h
version=$(sed -n 's/^#define AG_VERSION_STRING "\(.*\)"/\1/p' "$version_h")
major=$(sed -n 's/^#define AG_VERSION_MAJOR //p' "$version_h")
minor=$(sed -n 's/^#define AG_VERSION_MINOR //p' "$version_h")

echo "+ find_package(ag) from $prefix"
cmake -S "$source_dir/examples/standalone" -B "$scratch/standalone" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_CXX_COMPILER="$cxx" ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} > /dev/null
cmake --build "$scratch/standalone" > /dev/null
"$scratch/standalone/spirals" | tee "$scratch/cmake.out"
grep -qx "ag $version" "$scratch/cmake.out"  # ag::version(), from the library linked in
grep -q '^test accuracy' "$scratch/cmake.out"

# While the major version is 0, a program asking for the next minor version must not get this one.
if [ "$major" = 0 ]; then
  wanted=0.$((minor + 1))
  echo "+ find_package(ag $wanted) must refuse $major.$minor (a 0.x minor version may break the API)"
  mkdir "$scratch/newer"
  printf 'cmake_minimum_required(VERSION 3.20)\nproject(v LANGUAGES CXX)\nfind_package(ag %s REQUIRED)\n' \
    "$wanted" > "$scratch/newer/CMakeLists.txt"
  if cmake -S "$scratch/newer" -B "$scratch/newer/build" -DCMAKE_PREFIX_PATH="$prefix" > /dev/null 2>&1; then
    echo "FAIL: find_package(ag $wanted) accepted ag $major.$minor" >&2
    exit 1
  fi
fi

echo "+ pkg-config --cflags --libs ag"
pc_dir=$(dirname "$(find "$prefix" -name ag.pc)")
flags=$(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs ag)
libdir=$(PKG_CONFIG_PATH=$pc_dir pkg-config --variable=libdir ag)
# shellcheck disable=SC2086  # the flags are words; the rpath finds ag's shared libraries if built so
${launcher:+$launcher} "$cxx" -std=c++20 -O2 "$source_dir/examples/standalone/main.cpp" \
  -o "$scratch/spirals-pc" $flags -Wl,-rpath,"$libdir"
"$scratch/spirals-pc" | tee "$scratch/pc.out"
grep -q '^test accuracy' "$scratch/pc.out"
echo "PASS: $mode"

# `cpack` in the build folder makes the Debian package libag-dev from the install rules above
# (headers, libraries, the CMake package and ag.pc under /usr). Install it with apt, or unpack it
# anywhere with `dpkg -x` and point CMAKE_PREFIX_PATH (or PKG_CONFIG_PATH) into it: nothing in it
# names the folder it was built in.
#
# The libraries are compiled for x86-64-v3 (AVX2, FMA) when the building machine has them; build with
# -DAG_AVX2=OFF for a package that must run on any x86-64.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libag-dev)
set(CPACK_PACKAGE_VENDOR "ag developers")
set(CPACK_PACKAGE_CONTACT "ag developers <dev@ag.invalid>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "autograd framework in C++20 - development files")
# The Debian description: the summary line above, then this text (CPack indents it).
set(CPACK_PACKAGE_DESCRIPTION "ag is an autograd framework written from scratch in C++20: tensors over
OpenBLAS, a dynamic computation graph with reverse-mode differentiation, the modules that make
Transformers, and optimizers, with an API that follows libtorch's names.

This package holds the headers (<ag/ag.h>), the libraries, the CMake package (find_package(ag),
ag::ag) and ag.pc for pkg-config.")
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # libag-dev_0.2.0_amd64.deb
# What agConfig.cmake finds and what ag.pc requires: a program built on ag needs these headers and
# libraries too (and pkg-config for SentencePiece), so they are dependencies of the -dev package.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libopenblas-openmp-dev, libfmt-dev, nlohmann-json3-dev, libsentencepiece-dev, zlib1g-dev, pkg-config")
if(AG_MPI)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libopenmpi-dev")  # ag_distributed links Open MPI
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)

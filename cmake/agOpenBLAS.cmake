# ag::openblas: OpenBLAS built on OpenMP (Debian's libopenblas-openmp-dev), as an imported target.
# Included by ag's own build and, installed beside agConfig.cmake, by every find_package(ag): the
# exported targets name ag::openblas, so a consumer finds the library on its own machine instead of
# inheriting the path ag was built with.
#
# Why this variant: BLAS then runs on the same OpenMP thread team as ag's own loops, so one setting
# governs both, two pools never fight over the cores, and ag::set_num_threads can configure every
# computing thread (see ag/core/parallel.cpp). Debian keeps it in its own folder beside the pthreads
# build, so it is looked for there first; set OPENBLAS_LIB and OPENBLAS_INCLUDE to use another one.
if(TARGET ag::openblas)
  return()
endif()
include(GNUInstallDirs)
set(_ag_multiarch ${CMAKE_LIBRARY_ARCHITECTURE})
if(NOT _ag_multiarch)
  set(_ag_multiarch x86_64-linux-gnu)
endif()
find_library(OPENBLAS_LIB NAMES openblas
             HINTS /usr/lib/${_ag_multiarch}/openblas-openmp NO_DEFAULT_PATH)
find_path(OPENBLAS_INCLUDE NAMES cblas.h
          HINTS /usr/include/${_ag_multiarch}/openblas-openmp NO_DEFAULT_PATH)
unset(_ag_multiarch)
if(NOT OPENBLAS_LIB OR NOT OPENBLAS_INCLUDE)
  set(_ag_message "OpenBLAS for OpenMP not found: install libopenblas-openmp-dev (./scripts/setup.sh does)")
  if(CMAKE_FIND_PACKAGE_NAME)  # inside find_package(ag): report through find_package
    set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
    set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE "${_ag_message}")
    return()
  endif()
  message(FATAL_ERROR "${_ag_message}")
endif()
add_library(ag::openblas UNKNOWN IMPORTED)
# ag/core/kernels/gemm.h includes <cblas.h>, so the include folder travels with the target.
set_target_properties(ag::openblas PROPERTIES IMPORTED_LOCATION "${OPENBLAS_LIB}"
                                              INTERFACE_INCLUDE_DIRECTORIES "${OPENBLAS_INCLUDE}")

# What `cmake --install` puts under a prefix, and the package that find_package(ag) and pkg-config
# load from there:
#   include/ag/...                  the public headers, as they sit in the tree, and ag/version.h
#   lib/libag_<part>.a (or .so)     one library per layer in AG_LAYERS
#   lib/cmake/ag/                   agConfig.cmake, agConfigVersion.cmake, agTargets*.cmake, agOpenBLAS.cmake
#   lib/pkgconfig/ag.pc
# Everything is driven by AG_LAYERS, so a new layer (ag/<part>/ with its library ag_<part>) is
# installed and exported as ag::<part> without an edit here. Examples, tests and bench install nothing.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(AG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ag)

set(AG_PARTS)
foreach(lib ${AG_LAYERS})
  string(REGEX REPLACE "^ag_" "" part ${lib})
  list(APPEND AG_PARTS ${part})
  add_library(ag::${part} ALIAS ${lib})
  # Shared libraries are versioned 0.2 while the major version is 0 (minor versions may break the
  # ABI; see CHANGELOG.md) and find their sibling layers beside themselves ($ORIGIN) and OpenBLAS
  # in its own folder (the link path), wherever the prefix is.
  set_target_properties(${lib} PROPERTIES
    EXPORT_NAME ${part}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${AG_ABI_VERSION}
    INSTALL_RPATH "$ORIGIN"
    INSTALL_RPATH_USE_LINK_PATH ON)
  # The repository root in the build, include/ once installed: every include is written <ag/...>.
  target_include_directories(${lib} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(DIRECTORY ag/${part}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ag/${part}
          COMPONENT dev FILES_MATCHING PATTERN "*.h")
endforeach()
add_library(ag::ag ALIAS ag)  # exported as ag::ag, its name with the namespace

install(TARGETS ag ${AG_LAYERS} EXPORT agTargets COMPONENT dev
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ag/ag.h ${PROJECT_BINARY_DIR}/include/ag/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ag COMPONENT dev)
install(EXPORT agTargets NAMESPACE ag:: DESTINATION ${AG_CMAKE_DIR} COMPONENT dev)

configure_package_config_file(cmake/agConfig.cmake.in ${PROJECT_BINARY_DIR}/agConfig.cmake
                              INSTALL_DESTINATION ${AG_CMAKE_DIR})
# find_package(ag 0.2) accepts 0.2.x only while the major version is 0: a 0.x minor version may
# change the API (CHANGELOG.md, "What may change"), so 0.3 must not satisfy a request for 0.2.
# From 1.0 on, any 1.x satisfies 1.y with y <= x (semantic versioning).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ag_compatibility SameMinorVersion)
else()
  set(ag_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/agConfigVersion.cmake
                                 COMPATIBILITY ${ag_compatibility})
install(FILES ${PROJECT_BINARY_DIR}/agConfig.cmake ${PROJECT_BINARY_DIR}/agConfigVersion.cmake
              cmake/agOpenBLAS.cmake
        DESTINATION ${AG_CMAKE_DIR} COMPONENT dev)

# ag.pc. A static library names its dependencies in Libs and Requires (a plain `pkg-config --libs`
# must link); a shared one carries them itself, so they move to the .private fields.
set(AG_PC_LIBS)
set(layers_top_first ${AG_LAYERS})
list(REVERSE layers_top_first)  # a static link needs each library before the ones it uses
foreach(lib ${layers_top_first})
  string(APPEND AG_PC_LIBS " -l${lib}")
endforeach()
set(AG_PC_REQUIRES "fmt nlohmann_json")
set(AG_PC_REQUIRES_LINKED "sentencepiece zlib")
if(AG_MPI)
  string(APPEND AG_PC_REQUIRES_LINKED " ompi-c")  # ag_distributed built on MPI
endif()
if(BUILD_SHARED_LIBS)
  set(AG_PC_REQUIRES_PRIVATE "${AG_PC_REQUIRES_LINKED}")
  set(AG_PC_LIBS_PRIVATE "${OPENBLAS_LIB}")
else()
  string(APPEND AG_PC_REQUIRES " ${AG_PC_REQUIRES_LINKED}")
  string(APPEND AG_PC_LIBS " ${OPENBLAS_LIB}")
  set(AG_PC_LIBS_PRIVATE)
endif()
string(STRIP "${AG_PC_LIBS}" AG_PC_LIBS)
file(RELATIVE_PATH AG_PC_PREFIX_FROM_PCFILEDIR
     /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
configure_file(cmake/ag.pc.in ${PROJECT_BINARY_DIR}/ag.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ag.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
